"""Migrations 0003 and 0004 on a database that already holds what the races let in: two
accepted check-ins at the same moment and a certificate issued twice by a re-sent form."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rongxin.volunteering.models import Activity, Certificate, Scan
from rongxin.volunteering.tests.conftest import World

BEFORE = [("volunteering", "0002_activity_types_policy")]
AFTER = [("volunteering", "0004_scan_seq_certificate_once")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _migrate_all() -> None:
    """Every app to its latest migration: going back to ``BEFORE`` also unapplied the apps that
    depend on volunteering (lectures), and later tests on this database need their tables."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_duplicates_are_numbered_and_marked_not_refused(migration_rows: None, world: World) -> None:
    a: Activity = world.activity()
    v, w = world.volunteers[0], world.volunteers[1]
    old = _migrate(BEFORE)
    try:
        # given: rows as the old code wrote them, duplicates included
        scan = old.get_model("volunteering", "Scan")
        cert = old.get_model("volunteering", "Certificate")
        t0 = a.starts_at
        base = {"activity_id": a.pk, "method": "qr", "problem": "", "flags": []}
        rows = [
            (v.pk, "in", t0, True),
            (v.pk, "in", t0, True),  # the same moment: the race
            (v.pk, "in", t0 + dt.timedelta(minutes=1), False),
            (v.pk, "out", t0 + dt.timedelta(hours=2), True),
            (w.pk, "in", t0 + dt.timedelta(minutes=3), True),
        ]
        ids = [
            scan.objects.create(volunteer_id=vid, kind=kind, at=when, accepted=ok, **base).pk
            for vid, kind, when, ok in rows
        ]
        facts = {
            "volunteer_id": v.pk, "period_from": dt.date(2026, 1, 1), "period_to": dt.date(2026, 2, 28),
            "minutes": 120, "records": 1, "content": "关爱老人", "issued_at": t0, "digest": "0" * 64,
        }  # fmt: skip
        by_committee = {"issuer": "东山社区居民委员会", "team_id": None, **facts}
        by_team = {"issuer": world.team.name, "team_id": world.team.pk, **facts}
        certs = [
            cert.objects.create(number=f"RXC20260301AAAAAAA{i}", **kw).pk
            for i, kw in enumerate((by_committee, by_committee, by_team, by_team, by_committee))
        ]
        # when
        _migrate(AFTER)
    finally:
        _migrate_all()
    # then: each accepted scan has its place; the refused one none
    seqs = dict(Scan.objects.filter(pk__in=ids).values_list("pk", "seq"))
    assert [seqs[pk] for pk in ids] == [1, 2, None, 3, 1]
    # then: the first of each certificate stays the original, the copies point to it
    repeats = dict(Certificate.objects.filter(pk__in=certs).values_list("pk", "repeat_of_id"))
    assert [repeats[pk] for pk in certs] == [None, certs[0], None, certs[2], certs[0]]
    # and: every app is back at its latest migration (lectures depends on volunteering)
    assert MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes()) == []
