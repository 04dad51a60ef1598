"""Synthetic lectures loaded by each test on its own county: determinism, a second load refused, the
generate command, and the credit of closed sessions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rongxin.core import clock
from rongxin.lectures.models import (
    AdoptionLink,
    Attendance,
    Book,
    Order,
    OrderEvent,
    QuotaReminder,
    Session,
    SessionSaying,
    SessionSpeaker,
    Speaker,
    TeamBrand,
)
from rongxin.synth.generator import generate_county
from rongxin.synth.lectures import LecturesRefused, generate_lectures
from rongxin.volunteering.models import Team

SCALE = 0.01
SEED = 7
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)


def _snapshot() -> dict[str, Any]:
    return {
        "sessions": list(
            Session.objects.order_by("id").values_list("title", "region_id", "starts_at", "status", "listener_count")
        ),
        "attendance": list(Attendance.objects.order_by("session_id", "subject_id").values_list("subject_id", "method")),
        "speakers": list(Speaker.objects.order_by("id").values_list("kind", "name", "area_id", "subject_id")),
        "orders": list(Order.objects.order_by("id").values_list("state", "region_id", "rating")),
        "events": list(OrderEvent.objects.order_by("order_id", "at", "id").values_list("action", "at")),
    }


def test_same_seed_same_rows_and_a_second_load_is_refused(db: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=0.003, seed=SEED, as_of=TODAY, workers=0)
        generate_lectures(seed=SEED, now=NOW, scale=0.003)
        first = _snapshot()
        with pytest.raises(LecturesRefused):
            generate_lectures(seed=SEED, now=NOW, scale=0.003)
        for model in (Attendance, SessionSaying, SessionSpeaker, Session, OrderEvent, Order):
            model.objects.all().delete()
        from rongxin.lectures.models import QuotaPolicy, Saying

        AdoptionLink.objects.all().delete()
        QuotaReminder.objects.all().delete()
        Speaker.objects.all().delete()
        TeamBrand.objects.all().delete()
        Team.objects.all().delete()
        Saying.objects.all().delete()
        Book.objects.all().delete()
        QuotaPolicy.objects.all().delete()
        generate_lectures(seed=SEED, now=NOW, scale=0.003)
        again = _snapshot()
    assert first == again
    assert first["sessions"]


def test_generate_command_loads_lectures_after_volunteering(db: Any, capsys: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        call_command("generate", scale=0.002, seed=3, no_progress=True, no_history=True, workers=0)
    assert "已生成理论宣讲数据" in capsys.readouterr().out
    assert Session.objects.filter(status="closed").exists()
    assert Team.objects.filter(kind="lecture", lecture_brand__isnull=False).exists()


def test_closed_sessions_earned_their_credit_once_within_the_caps(db: Any) -> None:
    from rongxin.credit.models import Entry
    from rongxin.credit.selectors.chains import chains_verify
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.credit.services.reconcile import credit_reconcile_fast

    # given a county with the starter catalogues
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=0.003, seed=SEED, as_of=TODAY, workers=0)
        catalogue_load_starters()
        # when its lectures are generated
        result = generate_lectures(seed=SEED, now=NOW, scale=0.003)
        drift = credit_reconcile_fast()[1]
    counts = result.counts
    # then every check-in and every speaker with a credit file earned one entry, within the caps
    entries = Entry.objects.filter(source="lecture")
    assert entries.count() == counts["credit_entries"] > 0
    attendance = Attendance.objects.count()
    assert counts["credit_entries_listeners"] + counts["credit_capped"] >= attendance
    listener_keys = set(entries.filter(rule__code="P-PRA-01").values_list("source_key", flat=True))
    expected = {f"lecture:{s}:listener:{p}" for s, p in Attendance.objects.values_list("session_id", "subject_id")}
    assert listener_keys <= expected
    assert len(listener_keys) == counts["credit_entries_listeners"]
    speaker_keys = set(entries.filter(rule__code="P-PRA-02").values_list("source_key", flat=True))
    assert speaker_keys <= {
        f"lecture:{s}:speaker:{p}"
        for s, p in SessionSpeaker.objects.filter(session__status="closed").values_list("session_id", "speaker_id")
    }
    assert len(speaker_keys) == counts["credit_entries_speakers"] > 0
    assert set(entries.values_list("department__code", flat=True)) == {"civilization_office"}
    # recorded when the session closed, for when it ended
    for e in entries.select_related()[:50]:
        session = Session.objects.get(pk=int(e.source_key.split(":")[1]))
        assert e.recorded_at == session.closed_at
        assert e.occurred_at == session.ends_at
    # no subject above a yearly cap
    per_year: dict[tuple[int, str, int], int] = defaultdict(int)
    for subject, code, occurred, points in entries.values_list("subject_id", "rule__code", "occurred_at", "points"):
        per_year[(subject, code, occurred.astimezone(clock.LOCAL_TZ).year)] += points
    caps = {"P-PRA-01": 24, "P-PRA-02": 36}
    assert all(points <= caps[code] for (_s, code, _y), points in per_year.items())
    # and the ledger holds: chains verify, caches reconcile
    assert chains_verify()[2] is None
    assert drift == []
