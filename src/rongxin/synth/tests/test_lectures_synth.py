"""The synthetic lectures: the shape of the county's lectures at a small scale, order histories
along the state machine, attendance that never doubles or overlaps, flags as the selectors
compute them, and the same rows for the same seed."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db.models import Count

from rongxin.conftest import module_transaction
from rongxin.core import clock
from rongxin.lectures.domain.orders import TRANSITIONS
from rongxin.lectures.domain.periods import periods_between
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
from rongxin.lectures.selectors.common import speaker_session_flags
from rongxin.regions.models import Region
from rongxin.synth import lectures_shape as shape
from rongxin.synth.generator import generate_county
from rongxin.synth.lectures import generate_lectures
from rongxin.volunteering.models import Team

SCALE = 0.01
SEED = 7
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The county and its lectures, once for the module (rolled back after it)."""
    with module_transaction(django_db_blocker, NOW):
        generate_county(scale=SCALE, seed=SEED, as_of=TODAY, workers=0)
        yield generate_lectures(seed=SEED, now=NOW, scale=SCALE)


@pytest.fixture
def lectures(loaded: Any, db: Any) -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False):
        yield loaded


def test_the_county_has_its_lectures(lectures: Any) -> None:
    counts = lectures.counts
    # Speakers: the floors hold at a small scale; the Party secretary and the mayor come first.
    leaders = list(Speaker.objects.filter(kind="leader").order_by("id"))
    assert len(leaders) == max(2, round(shape.LEADERS * SCALE)) == counts["leaders"]
    assert [s.position for s in leaders[:2]] == ["市委书记", "市长"]
    heads = Speaker.objects.filter(kind="head")
    assert heads.count() == max(4, round(shape.HEADS * SCALE))
    assert not heads.filter(quota_since__isnull=True).exists()
    # One adoption link per leader: a town, a village inside it, an enterprise of the town.
    for link in AdoptionLink.objects.select_related("town", "village", "enterprise"):
        assert link.town.contains(link.village)
        assert link.enterprise.kind == "enterprise"
        assert link.enterprise.town_id == link.town_id
    assert AdoptionLink.objects.values("speaker").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert AdoptionLink.objects.count() == len(leaders)
    # Teams of kind lecture with a brand, in the three tiers.
    teams = Team.objects.filter(kind="lecture")
    towns = Region.objects.filter(level="town").count()
    expected_teams = (
        max(1, round(shape.DEPARTMENT_TEAMS * SCALE))
        + max(1, round(shape.URBAN_TEAMS * SCALE))
        + towns
        + max(1, round(shape.VILLAGE_TEAMS * SCALE))
    )
    assert teams.count() == expected_teams == TeamBrand.objects.count()
    assert set(teams.values_list("tier", flat=True)) == {"department_expert", "urban_professional", "town_village"}
    # A published book of about fifty sayings.
    book = Book.objects.get()
    assert book.status == "published"
    assert book.content_hash
    assert book.sayings.count() == counts["sayings"] >= 10
    # Sessions: closed ones over three years, a few planned, a few cancelled; every village but
    # the handful left out has a session in the last six months.
    closed = Session.objects.filter(status="closed")
    assert closed.count() == counts["sessions_closed"] >= round(shape.SESSIONS * SCALE)
    assert Session.objects.filter(status="planned", starts_at__gt=NOW).count() == counts["sessions_planned"] >= 2
    assert Session.objects.count() == counts["sessions"]
    villages = set(Region.objects.filter(level="village").values_list("id", flat=True))
    assert set(closed.values_list("region_id", flat=True)) == villages
    recent = set(
        closed.filter(starts_at__gte=NOW - dt.timedelta(days=shape.UNCOVERED_DAYS)).values_list("region_id", flat=True)
    )
    assert len(villages - recent) == counts["villages_uncovered_recently"] == 1
    assert not closed.filter(starts_at__gt=NOW).exists()
    # Listeners: about sixty a session, QR and a share assisted; the cached count matches.
    n = Attendance.objects.count()
    assert n == counts["attendances"] == counts["attendances_qr"] + counts["attendances_assisted"]
    assert 0.1 < counts["attendances_assisted"] / n < 0.25
    assert not Attendance.objects.filter(session__status__in=["planned", "cancelled"]).exists()
    for s in closed.annotate(n=Count("attendances")):
        assert s.listener_count == s.n
        assert s.audience_count >= s.n
    assert SessionSaying.objects.filter(session__in=closed).values("session").distinct().count() == closed.count()


def test_heads_quota_mostly_met_and_a_few_overdue(lectures: Any) -> None:
    # Every head gives their lectures in their area; a realistic few past periods were missed.
    missing = 0
    past = [p for p in periods_between(dt.date(2023, 6, 1), TODAY, 2) if p.end < TODAY]
    for head in Speaker.objects.filter(kind="head"):
        days = {
            s.session.starts_at.astimezone(clock.LOCAL_TZ).date()
            for s in SessionSpeaker.objects.filter(
                speaker=head, counts_for_quota=True, session__status="closed"
            ).select_related("session")
        }
        for period in past:
            if period.start >= head.quota_since and not any(period.contains(d) for d in days):
                missing += 1
                # reminded two weeks before the period ended
                reminder = QuotaReminder.objects.get(speaker=head, period_start=period.start)
                assert reminder.sent_at.astimezone(clock.LOCAL_TZ).date() == period.end - dt.timedelta(days=13)
    assert missing == lectures.counts["head_periods_overdue"]
    heads = Speaker.objects.filter(kind="head").count()
    assert 0 < missing < 0.1 * heads * len(past)
    assert QuotaReminder.objects.count() == lectures.counts["quota_reminders"] >= missing
    assert not QuotaReminder.objects.filter(sent_at__gt=NOW).exists()


def test_speaker_flags_are_what_the_selector_says(lectures: Any) -> None:
    links = SessionSpeaker.objects.select_related("speaker__area", "session__region", "session__order").order_by("id")
    assert links.filter(counts_for_quota=True).exists()
    assert links.filter(at_link=True).exists()
    for link in links:
        session = link.session
        order = session.order if session.order_id else None
        expected = speaker_session_flags(
            link.speaker,
            day=session.starts_at.astimezone(clock.LOCAL_TZ).date(),
            region=session.region,
            enterprise_id=order.enterprise_id if order is not None else None,
        )
        assert (link.counts_for_quota, link.at_link) == expected, link.pk


def test_orders_in_every_state_with_valid_histories(lectures: Any) -> None:
    states = set(Order.objects.values_list("state", flat=True))
    assert states == {"ordered", "dispatched", "accepted", "held", "rated", "cancelled", "expired"}
    events: dict[int, list[OrderEvent]] = defaultdict(list)
    for e in OrderEvent.objects.order_by("order_id", "at", "id"):
        events[e.order_id].append(e)
    for order in Order.objects.all():
        history = events[order.pk]
        state = ""
        for e in history:
            assert e.from_state == state, (order.pk, [x.action for x in history])
            assert TRANSITIONS[e.action][state] == e.to_state
            state = e.to_state
            assert e.at <= NOW
        assert state == order.state
        assert history[0].action == "create"
        assert history[0].at == order.ordered_at
        if order.state == "rated":
            assert 1 <= (order.rating or 0) <= 5
            assert order.rated_at == history[-1].at
        else:
            assert order.rating is None
        if order.state in ("held", "rated"):
            assert order.session.status == "closed"
            hold = next(e for e in history if e.action == "hold")
            assert hold.at == order.session.closed_at
    assert OrderEvent.objects.filter(action="decline").exists() or OrderEvent.objects.filter(action="timeout").exists()


def test_attendance_unique_and_never_at_two_sessions_at_once(lectures: Any) -> None:
    assert Attendance.objects.values("session", "subject").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    spans: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for subject, starts, ends in Attendance.objects.values_list("subject_id", "session__starts_at", "session__ends_at"):
        spans[subject].append((starts, ends))
    for subject, xs in spans.items():
        xs.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(xs):
            assert e1 <= s2, subject
    # Listeners are people of the session's village.
    assert not Attendance.objects.exclude(subject__village_id=models_f("session__region_id")).exists()
    # Speakers do not sit among the listeners.
    speakers = set(Speaker.objects.exclude(subject=None).values_list("subject_id", flat=True))
    assert not Attendance.objects.filter(subject_id__in=speakers).exists()


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)
