"""Concurrent writers on PostgreSQL: real threads, each with its own connection, recording
through ``entry_record``. The subject's chain must stay gapless and verifiable, a retried
idempotency key must create one entry, and the cached score must equal the facts."""

from __future__ import annotations

import datetime as dt
import importlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from rongxin.accounts.models import Department, User
from rongxin.conftest import make_person
from rongxin.core import clock
from rongxin.credit.models import Entry, SubjectCredit
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.reconcile import credit_reconcile
from rongxin.credit.tests.conftest import person_document

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks "
        "(SQLite serialises all writers, so there is no race to test)",
    ),
    pytest.mark.django_db(transaction=True),
]

BASE = 1000
WORKERS = 8
EVIDENCE = "执法记录仪 并发"


@pytest.fixture(autouse=True)
def departments(transactional_db: Any) -> None:
    """Transactional tests flush the database afterwards, which removes the departments the
    data migration seeded; put them back so this test does not depend on the order it runs in."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def past_catalogue(departments: None) -> Any:
    """The test catalogue, in force since 2020 (no frozen clock: time_machine is not for threads)."""
    draft = catalogue_draft_create(actor=None, document=person_document(effective_from="2020-01-01"))
    return catalogue_publish(actor=None, catalogue_id=draft.pk)


def in_threads(calls: list[Callable[[], Any]], *, workers: int) -> list[Any]:
    """Run every call on a pool of ``workers`` threads, released together; each call closes its
    thread's connections when done. Returns the results (or raised exceptions) in call order."""
    start = threading.Event()

    def run(call: Callable[[], Any]) -> Any:
        start.wait(timeout=30)
        try:
            return call()
        except Exception as exc:  # returned, so the test can assert on every outcome
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(run, call) for call in calls]
        start.set()
        return [f.result(timeout=120) for f in futures]


def recording(*, actor_pk: int, subject_id: int, rule: str, points: int | None, key: str) -> Callable[[], Any]:
    occurred_at = clock.now() - dt.timedelta(hours=1)

    def call() -> tuple[Entry, bool]:
        actor = User.objects.get(pk=actor_pk)  # each "request" loads its own user
        return entry_record(
            actor=actor,
            subject_id=subject_id,
            rule_code=rule,
            points=points,
            occurred_at=occurred_at,
            evidence=EVIDENCE,
            source_key=key,
        )

    return call


def plan(i: int) -> tuple[str, str, int | None, int]:
    """The i-th recording of a mix: (actor, rule, points given, signed points expected)."""
    if i % 4 == 0:
        return "village", "T-AWD", None, 5
    if i % 4 == 1:
        return "police", "T-MIN", None, -2
    points = 10 + i % 11
    return "police", "T-GEN", points, -points


def actors(staff: dict[str, Any]) -> dict[str, int]:
    return {"police": staff["recorder"].pk, "village": staff["village_a1_officer"].pk}


def seqs_of(subject_id: int) -> list[int]:
    return list(Entry.objects.filter(subject_id=subject_id).order_by("seq").values_list("seq", flat=True))


def test_forty_parallel_recordings_for_one_subject_keep_one_gapless_chain(
    tree: Any, staff: Any, past_catalogue: Any
) -> None:
    # given
    subject_id = make_person(tree.village_a1, name="并发甲", consent=True).pk
    who = actors(staff)
    plans = [plan(i) for i in range(40)]
    calls = [
        recording(actor_pk=who[actor], subject_id=subject_id, rule=rule, points=points, key=f"c-{i}")
        for i, (actor, rule, points, _) in enumerate(plans)
    ]
    expected_total = sum(signed for *_, signed in plans)

    # when
    results = in_threads(calls, workers=WORKERS)

    # then
    assert [r for r in results if isinstance(r, Exception)] == []
    assert [created for _, created in results] == [True] * 40
    assert expected_total == -261
    assert Entry.objects.filter(subject_id=subject_id).count() == 40
    assert seqs_of(subject_id) == list(range(1, 41))
    assert sorted(Entry.objects.filter(subject_id=subject_id).values_list("source_key", "points")) == sorted(
        (f"c-{i}", signed) for i, (*_, signed) in enumerate(plans)
    )
    assert chains_verify() == (1, 40, None)
    assert credit_reconcile() == (1, [])
    credit = SubjectCredit.objects.get(pk=subject_id)
    assert (credit.chain_seq, credit.score) == (40, BASE + expected_total)


def test_ten_threads_retrying_one_source_key_create_one_entry(tree: Any, staff: Any, past_catalogue: Any) -> None:
    # given
    subject_id = make_person(tree.village_a1, name="并发乙", consent=True).pk
    call = recording(actor_pk=staff["recorder"].pk, subject_id=subject_id, rule="T-GEN", points=12, key="same-key")

    # when
    results = in_threads([call] * 10, workers=10)

    # then
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(created for _, created in results) == [False] * 9 + [True]
    assert len({entry.pk for entry, _ in results}) == 1
    assert list(Entry.objects.filter(subject_id=subject_id).values_list("source_key", "seq", "points")) == [
        ("same-key", 1, -12)
    ]
    assert chains_verify() == (1, 1, None)
    assert credit_reconcile() == (1, [])
    credit = SubjectCredit.objects.get(pk=subject_id)
    assert (credit.chain_seq, credit.score) == (1, BASE - 12)


def test_parallel_recordings_for_ten_subjects_keep_each_chain_apart(tree: Any, staff: Any, past_catalogue: Any) -> None:
    # given
    subject_ids = [make_person(tree.village_a1, name=f"并发{n}", consent=True).pk for n in range(10)]
    who = actors(staff)
    calls = [
        recording(actor_pk=who[actor], subject_id=sid, rule=rule, points=points, key=f"s{sid}-{i}")
        for i in range(4)
        for sid in subject_ids
        for actor, rule, points, _ in [plan(i)]
    ]
    per_subject = sum(plan(i)[3] for i in range(4))

    # when
    results = in_threads(calls, workers=WORKERS)

    # then
    assert [r for r in results if isinstance(r, Exception)] == []
    assert [created for _, created in results] == [True] * 40
    assert per_subject == 5 - 2 - 12 - 13
    assert {sid: seqs_of(sid) for sid in subject_ids} == {sid: [1, 2, 3, 4] for sid in subject_ids}
    assert chains_verify() == (10, 40, None)
    assert credit_reconcile() == (10, [])
    assert dict(SubjectCredit.objects.values_list("subject_id", "score")) == dict.fromkeys(
        subject_ids, BASE + per_subject
    )
