import datetime as dt

import pytest
import time_machine
from cryptography.exceptions import InvalidTag
from django.contrib.sessions.backends.db import SessionStore

from rongxin.core import pii, worker
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent, JobRun

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


def test_worker_runs_due_jobs_once_per_period_and_clears_expired_sessions():
    worker.discover()
    with time_machine.travel("2026-01-01 08:00 +0800", tick=False):
        expired = SessionStore()
        expired.set_expiry(dt.timedelta(minutes=5))
        expired.create()
        live = SessionStore()
        live.set_expiry(dt.timedelta(days=2))
        live.create()
    with time_machine.travel("2026-01-01 10:00 +0800", tick=False):
        runs = {r.name: r for r in worker.run_due()}
        assert runs["core.clear_expired_sessions"].last_result == "deleted 1 expired sessions"
        assert runs["core.clear_expired_sessions"].last_status == "ok"
        assert "core.clear_expired_sessions" not in {r.name for r in worker.run_due()}
    with time_machine.travel("2026-01-01 11:00:01 +0800", tick=False):
        assert "core.clear_expired_sessions" in {r.name for r in worker.run_due()}
    assert JobRun.objects.get(name="core.clear_expired_sessions").runs == 2


def test_a_failing_job_is_recorded_and_does_not_stop_the_loop():
    def boom() -> str:
        raise RuntimeError("disk full")

    worker.REGISTRY["test.boom"] = worker.Job(name="test.boom", every=dt.timedelta(minutes=1), func=boom)
    try:
        run = worker.run_job(worker.REGISTRY["test.boom"])
    finally:
        del worker.REGISTRY["test.boom"]
    assert run.last_status == "failed"
    assert "RuntimeError: disk full" in run.last_result


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
