"""The lectures hub (/lectures/): each role sees the doors that are theirs, with what waits there
(orders to dispatch or answer, lectures coming up, a head's quota this period); anonymous
visitors are sent to sign in."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from rongxin.conftest import client_for
from rongxin.core import clock
from rongxin.lectures.models import Order, Session, SessionSpeaker
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user

pytestmark = pytest.mark.django_db

SECTIONS = re.compile(r'<section class="card" id="([a-z-]+)">')


def _sections(user: Any) -> list[str]:
    response = client_for(user).get("/lectures/")
    assert response.status_code == 200
    return SECTIONS.findall(response.content.decode())


def _order(lect: LectureWorld, **over: Any) -> Order:
    fields: dict[str, Any] = {
        "region": lect.tree.village_a1,
        "orderer_kind": "village",
        "orderer_name": "东山社区",
        "ordered_by": lect.village_a1,
        "ordered_at": clock.now(),
        "topic": "诚信建设",
        "preferred_from": dt.date(2026, 3, 5),
        "preferred_to": dt.date(2026, 3, 20),
        "audience": "村民",
        "audience_size": 40,
        "place": "文化广场",
        "dispatch_by": clock.now() + dt.timedelta(days=3),
    }
    fields.update(over)
    return Order.objects.create(**fields)


def _session(lect: LectureWorld, *, starts: str, status: str = Session.Status.PLANNED) -> Session:
    begin = at(starts)
    return Session.objects.create(
        title="讲座",
        region=lect.tree.village_a1,
        town=lect.tree.town_a,
        place_kind=Session.PlaceKind.OTHER,
        place="文化广场",
        starts_at=begin,
        ends_at=begin + dt.timedelta(hours=1),
        status=status,
        qr_secret=b"0" * 32,
        created_at=clock.now(),
    )


def test_each_role_sees_the_sections_that_are_theirs(lect: LectureWorld, frozen: Any) -> None:
    resident, _subject = resident_user("listener", lect.tree.village_a1)
    assert _sections(lect.admin) == ["book", "ordering", "programme"]
    assert _sections(lect.town_a) == ["book", "ordering", "programme"]
    assert _sections(lect.village_a1) == ["book", "ordering"]
    assert _sections(lect.auditor) == ["book", "programme"]
    assert _sections(lect.head_user) == ["book", "speaking"]
    assert _sections(lect.team_leader) == ["book", "speaking"]
    assert _sections(resident) == ["book"]


def test_anonymous_visitors_are_sent_to_sign_in(lect: LectureWorld) -> None:
    response = client_for(None).get("/lectures/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/lectures/")


def test_the_counts_are_the_viewers_own(lect: LectureWorld, frozen: Any) -> None:
    # given: two orders awaiting dispatch in town A, one in town B, one dispatched to the team
    _order(lect)
    _order(lect)
    _order(lect, region=lect.tree.village_b1, ordered_by=lect.village_b1)
    _order(lect, state=Order.State.DISPATCHED, team=lect.team)
    # and: lectures in the listener's town in the next two weeks (one too late, one cancelled)
    _session(lect, starts="2026-03-02 09:00")
    _session(lect, starts="2026-03-14 09:00")
    _session(lect, starts="2026-03-20 09:00")
    _session(lect, starts="2026-03-03 09:00", status=Session.Status.CANCELLED)
    resident, _subject = resident_user("listener", lect.tree.village_a1)
    # when
    town = client_for(lect.town_a).get("/lectures/").content.decode()
    admin = client_for(lect.admin).get("/lectures/").content.decode()
    leader = client_for(lect.team_leader).get("/lectures/").content.decode()
    own = client_for(resident).get("/lectures/").content.decode()
    # then
    assert '<span id="to-dispatch">2 单待派单</span>' in town
    assert '<span id="to-dispatch">3 单待派单</span>' in admin
    assert '<span id="to-answer">1 单待我接单</span>' in leader
    assert "未来 14 天内有 2 场宣讲" in own
    assert 'href="/lectures/me/"' in own
    assert 'href="/lectures/me/"' not in admin  # staff without a file of their own


def test_a_head_sees_their_quota_this_period(lect: LectureWorld, frozen: Any) -> None:
    # given: one closed lecture counting for the head's quota in March–April
    session = _session(lect, starts="2026-03-01 08:00", status=Session.Status.CLOSED)
    SessionSpeaker.objects.create(session=session, speaker=lect.head, counts_for_quota=True)
    # when
    page = client_for(lect.head_user).get("/lectures/").content.decode()
    # then
    assert "宣讲任务 2026-03-01 至 2026-04-30：应讲 1 场，已讲 1 场。" in page
    assert f'href="/lectures/quota/{lect.head.pk}/"' in page
