"""Recording, changing and cancelling lecture sessions: who may, and the checks on the place,
the times, the speakers and the sayings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.conftest import make_user
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Session, SessionSaying, SessionSpeaker
from rongxin.lectures.services.sessions import session_cancel, session_create, session_update
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import accepted_order, new_session, published_book
from rongxin.regions.models import PracticeSite, Venue

pytestmark = pytest.mark.django_db


def _error(exc: Any) -> tuple[str, str]:
    return exc.code, exc.errors[0]["field"] if exc.errors else ""


def test_admin_records_a_session_with_speakers_and_sayings(frozen: Any, lect: LectureWorld) -> None:
    sayings = published_book()
    s = new_session(lect, saying_ids=[sayings[1].pk, sayings[0].pk], speaker_ids=[lect.head.pk, lect.leader.pk])
    assert (s.status, s.region_id, s.town_id, s.listener_count) == (
        "planned",
        lect.tree.village_a1.pk,
        lect.tree.town_a.pk,
        0,
    )
    assert len(bytes(s.qr_secret)) == 32
    assert sorted(SessionSpeaker.objects.filter(session=s).values_list("speaker_id", flat=True)) == sorted(
        [lect.head.pk, lect.leader.pk]
    )
    assert sorted(SessionSaying.objects.filter(session=s).values_list("saying_key", flat=True)) == ["S01", "S02"]
    event = AuditEvent.objects.get(action="session.create")
    assert (event.object_id, event.actor_role) == (str(s.pk), "department_recorder")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("town_a", True),
        ("town_b", False),
        ("village_a1", False),
        ("auditor", False),
        ("head_user", True),  # a speaker of the session
        ("leader_user", False),  # a speaker, but not of this session
        ("team_leader", False),  # no team named
    ],
)
def test_who_records_a_session(frozen: Any, lect: LectureWorld, who: str, allowed: bool) -> None:
    actor = getattr(lect, who)
    if allowed:
        assert new_session(lect, actor=actor).pk
    else:
        with pytest.raises(NotFound):
            new_session(lect, actor=actor)


def test_team_leader_records_for_their_team_in_its_region(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect, actor=lect.team_leader, team_id=lect.team.pk, speaker_ids=[])
    assert s.team_id == lect.team.pk
    with pytest.raises(NotFound):  # outside the team's home region
        new_session(
            lect, actor=lect.team_leader, team_id=lect.team.pk, speaker_ids=[], region_code=lect.tree.village_b1.code
        )


def test_nobody_without_a_role_learns_whether_a_region_exists(frozen: Any, lect: LectureWorld) -> None:
    user, _subject = resident_user("plain", lect.tree.village_a1)
    with pytest.raises(NotFound):
        new_session(lect, actor=user, region_code="999999999999")


def test_town_officer_cannot_record_outside_their_town(frozen: Any, lect: LectureWorld) -> None:
    with pytest.raises(NotFound):
        new_session(lect, actor=lect.town_a, region_code=lect.tree.village_b1.code)


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"title": "  "}, "required", "title"),
        ({"title": "宣讲\x07"}, "invalid_text", "title"),
        ({"title": "长" * 121}, "too_long", "title"),
        ({"ends_at": at("2026-03-02 09:00")}, "ends_before_start", "ends_at"),
        ({"ends_at": at("2026-03-02 21:01")}, "too_long_session", "ends_at"),
        ({"starts_at": dt.datetime(2026, 3, 2, 9)}, "naive_time", "starts_at"),
        ({"format": "party"}, "invalid_choice", "format"),
        ({"place_kind": "moon"}, "invalid_choice", "place_kind"),
        ({"place": ""}, "required", "place"),
        ({"place_kind": "field"}, "coordinates_required", "latitude"),
        ({"place_kind": "market", "latitude": "91", "longitude": "122.4"}, "coordinates", "latitude"),
        ({"place_kind": "fishing_farm", "latitude": "0", "longitude": "0"}, "coordinates", "latitude"),
        ({"place_kind": "field", "latitude": "37.1", "longitude": "NaN"}, "coordinates", "longitude"),
        ({"place_kind": "field", "latitude": "٣٧", "longitude": "122.4"}, "coordinates", "latitude"),
        ({"audience_count": -1}, "audience_out_of_range", "audience_count"),
        ({"audience_count": 100_001}, "audience_out_of_range", "audience_count"),
        ({"speaker_ids": [999999]}, "unknown_speaker", "speaker_ids"),
        ({"speaker_ids": []}, "no_speaker", "speaker_ids"),
        ({"saying_ids": [999999]}, "unknown_saying", "saying_ids"),
        ({"region_code": "371082000000"}, "region_level", "region_code"),
        ({"team_id": 999999}, "unknown_team", "team_id"),
    ],
)
def test_bad_input_saves_nothing(
    frozen: Any, lect: LectureWorld, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        new_session(lect, **overrides)
    assert _error(exc.value) == (code, field)
    assert Session.objects.count() == 0


def test_mobile_place_keeps_its_coordinates(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(
        lect, place_kind="fishing_farm", place="海带养殖场", latitude="37.165432", longitude=Decimal("122.4")
    )
    assert (s.latitude, s.longitude) == (Decimal("37.165432"), Decimal("122.400000"))


def test_site_and_venue_must_lie_in_the_region(frozen: Any, lect: LectureWorld) -> None:
    station_b = PracticeSite.objects.create(region=lect.tree.village_b1, kind="station", name="烟墩角村实践站")
    station_a = PracticeSite.objects.create(region=lect.tree.village_a1, kind="station", name="东山社区实践站")
    with pytest.raises(InvalidInput) as exc:
        new_session(lect, place_kind="site", site_id=station_b.pk, place="")
    assert _error(exc.value) == ("site_outside", "site_id")
    s = new_session(lect, place_kind="site", site_id=station_a.pk, place="")
    assert (s.site_id, s.place) == (station_a.pk, "东山社区实践站")
    hall = Venue.objects.create(
        region=lect.tree.village_b1, kind="lecture_hall", name="烟墩角礼堂", latitude="37.1", longitude="122.4"
    )
    with pytest.raises(InvalidInput) as exc:
        new_session(lect, place_kind="venue", venue_id=hall.pk)
    assert _error(exc.value) == ("venue_outside", "venue_id")


def test_sayings_come_from_a_published_book(frozen: Any, lect: LectureWorld) -> None:
    sayings = published_book()
    from rongxin.lectures.models import Book

    Book.objects.filter(pk=sayings[0].book_id).update(status="draft")
    with pytest.raises(InvalidInput) as exc:
        new_session(lect, saying_ids=[sayings[0].pk])
    assert _error(exc.value) == ("unknown_saying", "saying_ids")


def test_the_dispatched_speaker_records_the_session_of_an_accepted_order(frozen: Any, lect: LectureWorld) -> None:
    order = accepted_order(lect, speaker=lect.leader, region=lect.tree.village_b1)
    s = session_create(
        actor=lect.leader_user, title="移风易俗", region_code="ignored", place_kind="other", place="村委会",
        starts_at=at("2026-03-05 09:00"), ends_at=at("2026-03-05 10:00"), format="talk", order_id=order.pk,
    )  # fmt: skip
    assert (s.order_id, s.region_id, s.town_id) == (order.pk, lect.tree.village_b1.pk, lect.tree.town_b.pk)
    assert list(SessionSpeaker.objects.filter(session=s).values_list("speaker_id", flat=True)) == [lect.leader.pk]
    with pytest.raises(Conflict) as exc:  # one session per order
        session_create(
            actor=lect.leader_user, title="再来一次", region_code="", place_kind="other", place="村委会",
            starts_at=at("2026-03-06 09:00"), ends_at=at("2026-03-06 10:00"), format="talk", order_id=order.pk,
        )  # fmt: skip
    assert exc.value.code == "order_has_session"


def test_an_order_session_is_for_its_dispatched_speaker_or_team(frozen: Any, lect: LectureWorld) -> None:
    order = accepted_order(lect, team=lect.team)
    args = {
        "title": "移风易俗", "region_code": "", "place_kind": "other", "place": "礼堂",
        "starts_at": at("2026-03-05 09:00"), "ends_at": at("2026-03-05 10:00"), "format": "talk",
    }  # fmt: skip
    for outsider in (lect.head_user, lect.leader_user, lect.town_b, lect.village_a1):
        with pytest.raises(NotFound):
            session_create(actor=outsider, order_id=order.pk, **args)
    with pytest.raises(NotFound):
        session_create(actor=lect.team_leader, order_id=999999, **args)
    s = session_create(actor=lect.team_leader, order_id=order.pk, **args)
    assert s.team_id == lect.team.pk


def test_only_an_accepted_order_gets_a_session(frozen: Any, lect: LectureWorld) -> None:
    order = accepted_order(lect, speaker=lect.head)
    order.state = "held"
    order.save()
    with pytest.raises(Conflict) as exc:
        session_create(
            actor=lect.head_user, title="宣讲", region_code="", place_kind="other", place="礼堂",
            starts_at=at("2026-03-05 09:00"), ends_at=at("2026-03-05 10:00"), format="talk", order_id=order.pk,
        )  # fmt: skip
    assert exc.value.code == "order_not_accepted"


def test_update_changes_a_planned_session(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    sayings = published_book()
    changed = session_update(
        actor=lect.head_user, session_id=s.pk, title="新标题", audience_count=40, saying_ids=[sayings[2].pk],
        starts_at=at("2026-03-02 14:00"), ends_at=at("2026-03-02 15:00"),
    )  # fmt: skip
    assert (changed.title, changed.audience_count, changed.starts_at) == ("新标题", 40, at("2026-03-02 14:00"))
    assert list(SessionSaying.objects.filter(session=s).values_list("saying_key", flat=True)) == ["S03"]
    with pytest.raises(NotFound):
        session_update(actor=lect.town_b, session_id=s.pk, title="别人的")


def test_cancel_needs_a_reason_and_is_final(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    with pytest.raises(InvalidInput):
        session_cancel(actor=lect.town_a, session_id=s.pk, reason=" ")
    with pytest.raises(NotFound):
        session_cancel(actor=lect.town_b, session_id=s.pk, reason="下雨")
    cancelled = session_cancel(actor=lect.town_a, session_id=s.pk, reason="下雨")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "下雨")
    with pytest.raises(Conflict) as exc:
        session_cancel(actor=lect.town_a, session_id=s.pk, reason="再取消")
    assert exc.value.code == "session_closed"
    with pytest.raises(Conflict):
        session_update(actor=lect.town_a, session_id=s.pk, title="改")


def test_a_user_without_grants_is_not_a_speaker(frozen: Any, lect: LectureWorld) -> None:
    nobody = make_user("nobody")
    with pytest.raises(NotFound):
        new_session(lect, actor=nobody)


def test_a_form_sent_twice_records_one_session(frozen: Any, lect: LectureWorld) -> None:
    new_session(lect)
    with pytest.raises(Conflict) as exc:
        new_session(lect)
    assert exc.value.code == "duplicate_session"
    assert Session.objects.count() == 1
    assert new_session(lect, actor=lect.town_a).pk  # another organiser may record their own
