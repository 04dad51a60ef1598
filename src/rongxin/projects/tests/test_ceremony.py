"""The charity ceremony's writes: set up, change, batch, launch (by hand and by the clock, once),
who may do them, and what its screen shows on a known set of pledges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Ceremony, Pledge, Project
from rongxin.projects.selectors.ceremony import ceremony_live, ceremony_running
from rongxin.projects.services.ceremonies import (
    ceremony_attach,
    ceremony_create,
    ceremony_launch,
    ceremony_update,
)
from rongxin.projects.tasks import ceremony_launch as ceremony_launch_job
from rongxin.projects.tests.ceremony_helpers import ENDS, STARTS, ceremony, payment, pledge
from rongxin.projects.tests.helpers import MarketWorld

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[Any, ...]]:
    return [
        *Ceremony.objects.order_by("pk").values_list("pk", "title", "venue", "starts_at", "ends_at", "launched_at"),
        *Project.objects.order_by("pk").values_list("pk", "state", "ceremony_id", "published_at"),
        ("audit", AuditEvent.objects.count()),
    ]


def test_create_attach_launch_publishes_exactly_the_batch(world: MarketWorld) -> None:
    # given a ceremony and four projects: two drafts and a published one in the batch, a draft outside
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    c = ceremony_create(
        actor=world.centre, year=2026, title="2026年公益典礼", venue="县文化中心", starts_at=STARTS, ends_at=ENDS
    )
    d1 = world.project(state=Project.State.DRAFT)
    d2 = world.project(state=Project.State.DRAFT, title="留守儿童课后托管")
    pub = world.project()
    outside = world.project(state=Project.State.DRAFT)
    assert ceremony_attach(actor=world.centre, year=2026, project_ids=[d1.pk, d2.pk, pub.pk], attach=True) == 3
    assert ceremony_attach(actor=world.centre, year=2026, project_ids=[d2.pk], attach=False) == 1
    assert ceremony_attach(actor=world.centre, year=2026, project_ids=[d2.pk], attach=True) == 1
    # when the centre launches it, then a second time
    with time_machine.travel(STARTS + dt.timedelta(minutes=1), tick=False):
        first = ceremony_launch(actor=world.centre, year=2026)
        second = ceremony_launch(actor=world.centre, year=2026)
    # then exactly the batch's drafts are published, at the launch
    assert (first, second) == (2, 0)
    launched_at = STARTS + dt.timedelta(minutes=1)
    rows = dict(Project.objects.values_list("pk", "state"))
    assert rows == {d1.pk: "published", d2.pk: "published", pub.pk: "published", outside.pk: "draft"}
    assert set(Project.objects.filter(pk__in=[d1.pk, d2.pk]).values_list("published_at", flat=True)) == {launched_at}
    c.refresh_from_db()
    assert c.launched_at == launched_at
    actions = list(AuditEvent.objects.filter(pk__gt=since).order_by("pk").values_list("action", "object_id"))
    assert actions == [
        ("ceremony.create", str(c.pk)),
        ("ceremony.attach", str(c.pk)),
        ("ceremony.attach", str(c.pk)),
        ("ceremony.attach", str(c.pk)),
        ("project.publish", str(d1.pk)),
        ("project.publish", str(d2.pk)),
        ("ceremony.launch", str(c.pk)),
    ]


def test_the_clock_launches_a_started_ceremony_once(world: MarketWorld) -> None:
    # given a ceremony with a draft in its batch, not started yet
    c = ceremony()
    draft = world.project(state=Project.State.DRAFT, ceremony=c)
    # when the job runs before the start
    assert ceremony_launch_job() == "launched 0 ceremonies"
    assert Project.objects.get(pk=draft.pk).state == "draft"
    # and twice after it
    with time_machine.travel(STARTS + dt.timedelta(seconds=30), tick=False):
        first = ceremony_launch_job()
        second = ceremony_launch_job()
    # then it launched once
    assert (first, second) == ("launched 1 ceremonies", "launched 0 ceremonies")
    assert Project.objects.get(pk=draft.pk).state == "published"
    assert AuditEvent.objects.filter(action="ceremony.launch").count() == 1
    assert AuditEvent.objects.filter(action="project.publish", object_id=str(draft.pk)).count() == 1


def test_no_change_once_started(world: MarketWorld) -> None:
    # given a ceremony that has started
    ceremony()
    p = world.project(state=Project.State.DRAFT)
    with time_machine.travel(STARTS + dt.timedelta(minutes=5), tick=False):
        before = _state()
        # when the centre changes it or its batch, then it is refused
        with pytest.raises(Conflict) as e1:
            ceremony_update(actor=world.centre, year=2026, title="新名称")
        with pytest.raises(Conflict) as e2:
            ceremony_attach(actor=world.centre, year=2026, project_ids=[p.pk], attach=True)
        assert (e1.value.code, e2.value.code) == ("started", "started")
        assert str(e1.value.message) == "典礼已经开始，时间和项目批次不能再改。"
        assert _state() == before


def test_bad_input_is_refused_in_chinese(world: MarketWorld) -> None:
    # given the centre
    before = _state()
    cases = [
        ({"starts_at": STARTS, "ends_at": STARTS}, "ends_before_start", "典礼的结束时间必须晚于开始时间。"),
        (
            {"starts_at": dt.datetime(2026, 5, 1, 9, tzinfo=STARTS.tzinfo), "ends_at": ENDS},
            "in_the_past",
            "典礼的开始时间必须在将来。",
        ),
        ({"year": 2027}, "wrong_year", "典礼须在本年度内开始。"),
        ({"title": " "}, "required", "此项为必填项。"),
    ]
    for change, code, message in cases:
        args: dict[str, Any] = {
            "year": 2026,
            "title": "典礼",
            "venue": "县文化中心",
            "starts_at": STARTS,
            "ends_at": ENDS,
        } | change
        # when it sets one up with that input
        with pytest.raises(InvalidInput) as e:
            ceremony_create(actor=world.centre, **args)
        # then it is refused with the reason
        assert (e.value.code, str(e.value.message)) == (code, message)
    assert _state() == before
    # and a second ceremony in one year is refused
    ceremony()
    with pytest.raises(Conflict) as dup:
        ceremony_create(actor=world.centre, year=2026, title="又一个", venue="某地", starts_at=STARTS, ends_at=ENDS)
    assert dup.value.code == "duplicate_ceremony"


def test_only_drafts_and_published_projects_join_one_batch(world: MarketWorld) -> None:
    # given two ceremonies, a claimed project and a draft in the 2027 batch
    ceremony()
    other = ceremony(2027)
    claimed = world.project(state=Project.State.CLAIMED)
    elsewhere = world.project(state=Project.State.DRAFT, ceremony=other)
    fine = world.project(state=Project.State.DRAFT)
    before = _state()
    # when the centre attaches them with a good one, then nothing is attached
    with pytest.raises(Conflict) as e1:
        ceremony_attach(actor=world.centre, year=2026, project_ids=[fine.pk, claimed.pk], attach=True)
    with pytest.raises(Conflict) as e2:
        ceremony_attach(actor=world.centre, year=2026, project_ids=[fine.pk, elsewhere.pk], attach=True)
    with pytest.raises(Conflict) as e3:
        ceremony_attach(actor=world.centre, year=2026, project_ids=[fine.pk], attach=False)
    with pytest.raises(NotFound):
        ceremony_attach(actor=world.centre, year=2026, project_ids=[fine.pk, 999_999], attach=True)
    assert (e1.value.code, e2.value.code, e3.value.code) == ("not_attachable", "other_ceremony", "not_in_batch")
    assert str(e1.value.message) == f"项目{claimed.number}既不是草稿也不是已发布状态，不能加入批次。"
    assert _state() == before


@pytest.mark.parametrize(
    "who",
    ["anonymous", "nobody", "auditor", "town_a", "village_a1", "traffic_rec", "firm_rep", "resident", "leader"],
)
def test_only_the_centre_runs_the_ceremony(world: MarketWorld, who: str) -> None:
    # given a ceremony with a draft in its batch, and a draft outside
    ceremony()
    inside = world.project(state=Project.State.DRAFT, ceremony=Ceremony.objects.get(year=2026))
    outside = world.project(state=Project.State.DRAFT)
    actor = world.users()[who]
    before = _state()
    # when anyone but the centre tries each write, then it is not found and nothing changed
    calls = [
        lambda: ceremony_create(actor=actor, year=2027, title="x", venue="y", starts_at=STARTS, ends_at=ENDS),
        lambda: ceremony_update(actor=actor, year=2026, title="新名称"),
        lambda: ceremony_attach(actor=actor, year=2026, project_ids=[outside.pk], attach=True),
        lambda: ceremony_attach(actor=actor, year=2026, project_ids=[inside.pk], attach=False),
        lambda: ceremony_launch(actor=actor, year=2026),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert _state() == before


def test_the_centre_changes_the_ceremony_before_it_starts(world: MarketWorld) -> None:
    # given a ceremony
    ceremony()
    # when the centre moves it by an hour and renames it
    c = ceremony_update(
        actor=world.centre, year=2026, title="2026年度公益典礼", starts_at=STARTS + dt.timedelta(hours=1)
    )
    # then it is saved and audited
    assert (c.title, c.starts_at, c.ends_at) == ("2026年度公益典礼", STARTS + dt.timedelta(hours=1), ENDS)
    stored = Ceremony.objects.get(year=2026)
    assert (stored.title, stored.starts_at) == ("2026年度公益典礼", STARTS + dt.timedelta(hours=1))
    assert AuditEvent.objects.filter(action="ceremony.update").count() == 1


def test_the_screen_shows_exact_figures_of_the_ceremony(world: MarketWorld) -> None:
    # given a launched batch of three projects, pledges during the ceremony and one before it
    c = ceremony(launched_at=STARTS)
    a = world.project(ceremony=c, title="夕阳红助浴", budget=Decimal("10000.00"))
    b = world.project(ceremony=c, title="留守儿童课后托管", budget=Decimal("5000.00"))
    world.project(ceremony=c, state=Project.State.DRAFT, title="草稿不显示")
    late = world.project(ceremony=c, title="爱心书屋", budget=Decimal("3000.00"))
    outside = world.project(title="不在批次")
    at = STARTS + dt.timedelta(minutes=10)
    p1 = pledge(a, world.firm, "10000.00", title=True, ceremony=c, pledged_at=at, state=Pledge.State.PAID)
    Project.objects.filter(pk=a.pk).update(
        pledged=Decimal("10000.00"), state="claimed", title_name="荣信海洋食品有限公司·夕阳红助浴"
    )
    pledge(b, world.resident_subject, "2000.00", anonymous=True, ceremony=c, pledged_at=at + dt.timedelta(minutes=1))
    pledge(b, world.other_firm, "1000.00", ceremony=c, pledged_at=at + dt.timedelta(minutes=2))
    Project.objects.filter(pk=b.pk).update(pledged=Decimal("3000.00"))
    pledge(
        late,
        world.other_firm,
        "500.00",
        ceremony=c,
        pledged_at=at + dt.timedelta(minutes=3),
        state=Pledge.State.WITHDRAWN,
    )
    pledge(outside, world.firm, "700.00", pledged_at=at)
    payment(world.fund, p1, "6000.00", dt.date(2026, 6, 1))
    Pledge.objects.filter(pk=p1.pk).update(paid=Decimal("6000.00"))
    # when the screen is read
    with CaptureQueriesContext(connection) as queries:
        live = ceremony_live(ceremony=c)
    # then its figures are exact
    assert len(queries) == 3
    assert (live.launched, live.claimed, live.pledges) == (3, 1, 3)
    assert (live.pledged, live.paid) == (Decimal("13000.00"), Decimal("6000.00"))
    assert [(x.sponsor, x.project, x.amount, x.at, x.title) for x in live.latest] == [
        ("石岛渔具商行", "留守儿童课后托管", Decimal("1000.00"), at + dt.timedelta(minutes=2), False),
        ("爱心人士（匿名）", "留守儿童课后托管", Decimal("2000.00"), at + dt.timedelta(minutes=1), False),
        (
            "荣信海洋食品有限公司",
            "荣信海洋食品有限公司·夕阳红助浴",
            Decimal("10000.00"),
            at,
            True,
        ),
    ]
    assert [(r.title, r.budget, r.pledged, r.claimed) for r in live.board] == [
        ("荣信海洋食品有限公司·夕阳红助浴", Decimal("10000.00"), Decimal("10000.00"), True),
        ("留守儿童课后托管", Decimal("5000.00"), Decimal("3000.00"), False),
        ("爱心书屋", Decimal("3000.00"), Decimal("0.00"), False),
    ]


def test_the_running_ceremony_is_the_one_under_way(world: MarketWorld) -> None:
    # given the 2026 ceremony
    c = ceremony()
    # when asked before, during, at the end and after it
    asked = [ceremony_running(at=STARTS - dt.timedelta(seconds=1)), ceremony_running(at=STARTS)]
    asked += [ceremony_running(at=ENDS - dt.timedelta(seconds=1)), ceremony_running(at=ENDS)]
    # then only a time within it finds it
    assert [x.pk if x else None for x in asked] == [None, c.pk, c.pk, None]
