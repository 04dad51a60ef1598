"""Concurrent registrations of one ID number in different spellings, on PostgreSQL: real
threads, each with its own connection. Exactly one file is opened; every other attempt is a
409 with its audit row, whether the duplicate check or the unique hash caught it."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from rongxin.accounts.models import Department, User
from rongxin.conftest import make_id_number
from rongxin.core import pii
from rongxin.core.errors import Conflict
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Person, Subject
from rongxin.subjects.services import person_register

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections (SQLite serialises all writers, so there is no race)",
    ),
    pytest.mark.django_db(transaction=True),
]

SPELLINGS = [
    str.maketrans("0123456789X", "０１２３４５６７８９ｘ"),
    str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    str.maketrans("0123456789", "०१२३४५६७८९"),
    str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"),
    str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"),
    str.maketrans("X", "x"),
    str.maketrans("", ""),
]


@pytest.fixture(autouse=True)
def departments(transactional_db: Any) -> None:
    """Transactional tests flush the database afterwards, which removes the departments the
    data migration seeded; put them back so the staff fixture finds them."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


def in_threads(calls: list[Callable[[], Any]]) -> list[Any]:
    start = threading.Event()

    def run(call: Callable[[], Any]) -> Any:
        start.wait(timeout=30)
        try:
            return call()
        except Exception as exc:  # returned, so the test can assert on every outcome
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [f.result(timeout=120) for f in futures]


def test_parallel_spellings_of_one_id_number_open_one_file(tree: Any, staff: Any, settings: Any) -> None:
    # given
    settings.RONGXIN_DUPLICATE_PROBE_RATE = "1000/h"
    number = make_id_number()
    actor_pk = staff["county_office"].pk

    def registering(spelled: str) -> Callable[[], Any]:
        def call() -> Person:
            return person_register(
                actor=User.objects.get(pk=actor_pk),
                name="并发",
                id_number=spelled,
                residency="resident",
                village_code=tree.village_a1.code,
            )

        return call

    # when
    results = in_threads([registering(number.translate(t)) for t in SPELLINGS])
    # then
    created = [r for r in results if isinstance(r, Person)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(created), len(refused), len(results)) == (1, len(SPELLINGS) - 1, len(SPELLINGS))
    assert {r.code for r in refused} == {"duplicate_id_number"}
    assert Subject.objects.count() == 1
    assert list(Person.objects.values_list("id_number_hash", flat=True)) == [pii.lookup_hash(number)]
    assert list(AuditEvent.objects.filter(action="person.register_duplicate").values_list("object_id", flat=True)) == [
        str(created[0].pk)
    ] * (len(SPELLINGS) - 1)
