import datetime as dt

import pytest
from cryptography.exceptions import InvalidTag

from rongxin.core import pii
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_encryption_round_trip_uses_fresh_nonces():
    a, b = pii.encrypt("371082199001011234"), pii.encrypt("371082199001011234")
    assert a != b
    assert pii.decrypt(a) == pii.decrypt(b) == "371082199001011234"


def test_tampered_ciphertext_is_rejected():
    blob = bytearray(pii.encrypt("13812345678"))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        pii.decrypt(bytes(blob))


def test_lookup_hash_is_keyed_not_a_plain_hash():
    import hashlib

    value = "371082199001011234"
    assert pii.lookup_hash(value) == pii.lookup_hash(value)
    assert pii.lookup_hash(value) != hashlib.sha256(value.encode()).hexdigest()


@pytest.mark.parametrize(
    ("value", "masked"),
    [("37108219900101123X", "3710**********123X"), ("110105194912310021", "1101**********0021"), ("1234", "****")],
)
def test_mask_id_number(value, masked):
    assert pii.mask_id_number(value) == masked


def test_mask_phone():
    assert pii.mask_phone("13812345678") == "138****5678"


def test_audit_events_are_append_only():
    event = audit_record(actor=None, kind="write", action="test.action")
    event.purpose = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).purpose == ""


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 10, 0, 0, 123, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_bulk_datetime_adapter_writes_what_the_orm_writes(value):
    from django.db import connection

    from rongxin.core.bulk import datetime_adapter

    expected = connection.ops.adapt_datetimefield_value(value) if connection.vendor == "sqlite" else value
    assert datetime_adapter(connection)(value) == expected
