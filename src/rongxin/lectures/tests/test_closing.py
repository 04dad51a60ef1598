"""Closing a session: credit for listeners and speakers exactly once, within the yearly caps, the
speakers' quota and link flags, and the order held."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.conftest import make_person
from rongxin.core import clock
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.credit.services.awards import Award, awards_record
from rongxin.lectures.models import AdoptionLink, Attendance, Order, OrderEvent, Session, SessionSpeaker
from rongxin.lectures.services.closing import session_close
from rongxin.lectures.services.sessions import session_cancel
from rongxin.lectures.tests.conftest import LectureWorld, at
from rongxin.lectures.tests.test_sessions_helpers import accepted_order, new_session

pytestmark = pytest.mark.django_db


def _listeners(s: Session, n: int, *, consent: bool = True) -> list[int]:
    ids = []
    for i in range(n):
        person = make_person(s.region, name=f"听众{i}", consent=consent)
        Attendance.objects.create(session=s, subject=person.subject, method="qr", at=s.starts_at)
        ids.append(person.pk)
    return ids


def _lecture_entries() -> list[tuple[int, str, int]]:
    return sorted(
        Entry.objects.filter(source="lecture").values_list("subject_id", "source_key", "points"), key=lambda r: r[1]
    )


def test_close_awards_listeners_and_speakers_once(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect, speaker_ids=[lect.head.pk, lect.leader.pk], audience_count=80)
    listeners = _listeners(s, 3)
    refusing = _listeners(s, 1, consent=False)
    frozen.move_to(at("2026-03-02 11:00"))
    result = session_close(actor=lect.town_a, session_id=s.pk)
    assert (result.listeners, result.listener_points, result.speakers, result.speaker_points) == (3, 3, 2, 6)
    assert (result.without_consent, result.capped, result.order_held) == (1, 0, False)
    expected = [(sid, f"lecture:{s.pk}:listener:{sid}", 1) for sid in listeners] + [
        (lect.head.subject_id, f"lecture:{s.pk}:speaker:{lect.head.pk}", 3),
        (lect.leader.subject_id, f"lecture:{s.pk}:speaker:{lect.leader.pk}", 3),
    ]
    assert _lecture_entries() == sorted(expected, key=lambda r: r[1])
    assert not Entry.objects.filter(subject_id=refusing[0]).exists()
    assert set(Entry.objects.filter(source="lecture").values_list("rule__code", flat=True)) == {"P-PRA-01", "P-PRA-02"}
    s.refresh_from_db()
    assert (s.status, s.closed_by_id, s.listener_count) == ("closed", lect.town_a.pk, 4)
    with pytest.raises(Conflict) as exc:
        session_close(actor=lect.admin, session_id=s.pk)
    assert exc.value.code == "session_closed"
    assert len(_lecture_entries()) == 5
    assert AuditEvent.objects.filter(action="session.close").count() == 1


def test_close_sets_quota_and_link_flags(frozen: Any, lect: LectureWorld) -> None:
    AdoptionLink.objects.create(
        speaker=lect.leader, town=lect.tree.town_a, village=lect.tree.village_a1, enterprise=lect.enterprise,
        term_start=dt.date(2026, 1, 1), term_end=dt.date(2028, 12, 31), created_at=clock.now(),
    )  # fmt: skip
    s = new_session(lect, speaker_ids=[lect.head.pk, lect.leader.pk], audience_count=30)
    outside = new_session(lect, speaker_ids=[lect.head.pk], region_code=lect.tree.village_b1.code, audience_count=9)
    frozen.move_to(at("2026-03-03 09:00"))
    session_close(actor=lect.admin, session_id=s.pk)
    session_close(actor=lect.admin, session_id=outside.pk)
    flags = {(x.session_id, x.speaker_id): (x.counts_for_quota, x.at_link) for x in SessionSpeaker.objects.all()}
    assert flags == {
        (s.pk, lect.head.pk): (True, False),
        (s.pk, lect.leader.pk): (False, True),
        (outside.pk, lect.head.pk): (False, False),
    }


def test_yearly_caps_are_honoured(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect, audience_count=10)
    (listener,) = _listeners(s, 1)
    earlier = clock.now() - dt.timedelta(days=10)
    awards_record(
        awards=[
            Award(
                subject_id=listener,
                rule_code="P-PRA-01",
                points=1,
                occurred_at=earlier,
                evidence=f"旧{i}",
                source_key=f"old:{i}",
            )
            for i in range(24)
        ],
        department_code="civilization_office",
        source=Entry.Source.LECTURE,
    )
    frozen.move_to(at("2026-03-02 11:00"))
    result = session_close(actor=lect.admin, session_id=s.pk)
    assert (result.listeners, result.capped, result.speakers) == (0, 1, 1)
    assert not Entry.objects.filter(source_key=f"lecture:{s.pk}:listener:{listener}").exists()


def test_close_moves_the_accepted_order_to_held(frozen: Any, lect: LectureWorld) -> None:
    order = accepted_order(lect, speaker=lect.head)
    s = new_session(lect, actor=lect.head_user, order_id=order.pk, speaker_ids=[], audience_count=50)
    frozen.move_to(at("2026-03-02 12:00"))
    result = session_close(actor=lect.head_user, session_id=s.pk)
    order.refresh_from_db()
    assert (result.order_held, order.state) == (True, Order.State.HELD)
    event = OrderEvent.objects.filter(order=order).order_by("-id").first()
    assert event is not None
    assert (event.action, event.from_state, event.to_state, event.actor_id) == (
        "hold",
        "accepted",
        "held",
        lect.head_user.pk,
    )
    # The head closed a session they spoke at: their own award waits for the credit office.
    assert Entry.objects.get(source_key=f"lecture:{s.pk}:speaker:{lect.head.pk}").status == "pending_review"


def test_close_refusals(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    with pytest.raises(Conflict) as exc:
        session_close(actor=lect.admin, session_id=s.pk)
    assert exc.value.code == "not_finished"
    frozen.move_to(at("2026-03-02 11:00"))
    for outsider in (lect.town_b, lect.village_a1, lect.auditor, lect.leader_user, lect.team_leader):
        with pytest.raises(NotFound):
            session_close(actor=outsider, session_id=s.pk)
    with pytest.raises(InvalidInput) as bad:
        session_close(actor=lect.admin, session_id=s.pk)
    assert bad.value.code == "audience_required"
    with pytest.raises(InvalidInput) as bad:
        session_close(actor=lect.admin, session_id=s.pk, audience_count=-3)
    assert bad.value.code == "audience_out_of_range"
    cancelled = new_session(lect, starts_at=at("2026-03-02 10:40"), ends_at=at("2026-03-02 10:50"))
    session_cancel(actor=lect.admin, session_id=cancelled.pk, reason="取消")
    with pytest.raises(Conflict) as exc:
        session_close(actor=lect.admin, session_id=cancelled.pk, audience_count=1)
    assert exc.value.code == "session_cancelled"
    assert session_close(actor=lect.admin, session_id=s.pk, audience_count=12).session.audience_count == 12
    assert Entry.objects.filter(source="lecture").count() == 1  # the head's


def test_closing_does_not_query_per_listener(frozen: Any, lect: LectureWorld) -> None:
    small = new_session(lect, audience_count=3)
    big = new_session(lect, title="大型宣讲", audience_count=60)
    _listeners(small, 3)
    _listeners(big, 60)
    frozen.move_to(at("2026-03-02 11:00"))
    counts = []
    for s in (small, big):
        with CaptureQueriesContext(connection) as ctx:
            session_close(actor=lect.admin, session_id=s.pk)
        counts.append(len(ctx.captured_queries))
    assert counts[1] <= counts[0] + 2
    assert Entry.objects.filter(source="lecture", rule__code="P-PRA-01").count() == 63
