"""Coverage (全覆盖) and figures: the selectors on both engines, with sessions, books and orders
written by the ORM (the services that write them are other areas'). The helpers here are shared
with the page and API tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.core import clock
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.lectures.models import Book, Order, Saying, Session, SessionSaying
from rongxin.lectures.selectors.figures import (
    Breakdown,
    Coverage,
    Figures,
    MonthFigure,
    Ratings,
    SayingUse,
    TownCoverage,
    VillageCoverage,
    add_months,
    coverage,
    lecture_figures,
)
from rongxin.lectures.tests.conftest import at
from rongxin.regions.models import Region


def held(
    region: Region,
    starts_at: dt.datetime,
    *,
    status: str = Session.Status.CLOSED,
    listeners: int = 0,
    team: Any = None,
    fmt: str = Session.Format.TALK,
    place_kind: str = Session.PlaceKind.SITE,
    sayings: Sequence[Saying] = (),
    title: str = "讲诚信",
) -> Session:
    """A session in ``region`` (a village or a town) starting at ``starts_at``, closed by default."""
    town = region if region.level == Region.Level.TOWN else region.parent
    assert town is not None
    session = Session.objects.create(
        title=title,
        team=team,
        region=region,
        town=town,
        place_kind=place_kind,
        place="村文化广场",
        format=fmt,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
        qr_secret=b"s" * 32,
        listener_count=listeners,
        created_at=clock.now(),
        closed_at=clock.now() if status == Session.Status.CLOSED else None,
    )
    for saying in sayings:
        SessionSaying.objects.create(session=session, saying=saying, saying_key=saying.key)
    return session


def book(version: int, texts: dict[str, str], *, status: str = Book.Status.PUBLISHED) -> list[Saying]:
    """A book version with one saying per ``{key: text}``."""
    published = status == Book.Status.PUBLISHED
    b = Book.objects.create(
        title="荣成金句",
        version=version,
        status=status,
        created_at=clock.now(),
        published_at=clock.now() if published else None,
        content_hash=f"{version:064d}" if published else "",
    )
    return [
        Saying.objects.create(book=b, key=key, number=n, text=text, interpretation="释义")
        for n, (key, text) in enumerate(texts.items(), start=1)
    ]


def rated_order(session: Session, rating: int, user: Any) -> Order:
    """A rated order that ``session`` was held for."""
    now = clock.now()
    order = Order.objects.create(
        region=session.region,
        orderer_kind=Order.Orderer.VILLAGE,
        orderer_name=session.region.name,
        ordered_by=user,
        ordered_at=now,
        topic="讲讲诚信",
        preferred_from=now.date(),
        preferred_to=now.date(),
        audience="村民",
        audience_size=50,
        place="村文化广场",
        state=Order.State.RATED,
        dispatch_by=now,
        rating=rating,
        rated_by=user,
        rated_at=now,
    )
    Session.objects.filter(pk=session.pk).update(order=order)
    return order


def village(town: Region, suffix: str, name: str) -> Region:
    code = town.prefix + suffix
    return Region.objects.create(code=code, prefix=code, name=name, level="village", parent=town)


def row(v: Region, last: str | None, sessions: int, listeners: int) -> VillageCoverage:
    return VillageCoverage(
        region_id=v.pk,
        code=v.code,
        name=v.name,
        last_session=dt.date.fromisoformat(last) if last else None,
        sessions=sessions,
        listeners=listeners,
        covered=sessions > 0,
    )


# --- Calendar ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-03-01", -3, "2025-12-01"),
        ("2026-05-31", -3, "2026-02-28"),
        ("2024-05-31", -3, "2024-02-29"),
        ("2026-01-15", -24, "2024-01-15"),
        ("2026-12-31", 2, "2027-02-28"),
        ("2026-03-01", 36, "2029-03-01"),
    ],
)
def test_months_are_added_on_the_calendar_with_the_day_clamped(day, months, expected):
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


# --- Coverage ----------------------------------------------------------------------------------
def test_a_village_is_covered_by_a_lecture_89_days_ago_and_not_by_one_4_months_ago(lect, frozen):
    t = lect.tree
    held(t.village_a1, clock.now() - dt.timedelta(days=89), listeners=40)  # 2025-12-02 10:00
    held(t.village_a2, at("2025-11-01 10:00"), listeners=25)
    held(t.village_b1, at("2026-02-27 15:00"), listeners=12)
    held(t.village_b1, at("2026-01-05 09:00"), listeners=8)

    c = coverage(actor=lect.admin, on=dt.date(2026, 3, 1))

    assert c == Coverage(
        on=dt.date(2026, 3, 1),
        months=3,
        since=dt.date(2025, 12, 1),
        towns=[
            TownCoverage(
                region_id=t.town_a.pk,
                code=t.town_a.code,
                name="崖头街道",
                villages=[row(t.village_a2, "2025-11-01", 0, 0), row(t.village_a1, "2025-12-02", 1, 40)],
            ),
            TownCoverage(
                region_id=t.town_b.pk,
                code=t.town_b.code,
                name="俚岛镇",
                villages=[row(t.village_b2, None, 0, 0), row(t.village_b1, "2026-02-27", 2, 20)],
            ),
        ],
    )
    assert (c.villages, c.covered, c.not_covered) == (4, 2, 2)
    assert [(x.covered, x.not_covered) for x in c.towns] == [(1, 1), (1, 1)]

    # Two days later the lecture of 2 December is 91 days old: out of the three months.
    frozen.move_to("2026-03-03 10:00 +0800")
    later = coverage(actor=lect.admin, on=clock.today_local())
    assert later.since == dt.date(2025, 12, 3)
    assert later.towns[0].villages == [row(t.village_a1, "2025-12-02", 0, 0), row(t.village_a2, "2025-11-01", 0, 0)]
    # Six months back, both lectures of town A count.
    wide = coverage(actor=lect.admin, on=clock.today_local(), months=6)
    assert [(v.name, v.sessions) for v in wide.towns[0].villages] == [("东山社区", 1), ("西山社区", 1)]


def test_the_window_runs_from_beijing_midnight_months_back_to_the_end_of_the_day_checked(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2025-12-01 00:00"))  # the first minute of the window
    held(t.village_a2, at("2025-11-30 23:59"))  # the minute before it
    held(t.village_b1, at("2026-03-01 23:59"))  # the last minute of the day checked
    held(t.village_b2, at("2026-03-02 00:00"))  # after the day checked: neither counted nor shown

    c = coverage(actor=lect.admin, on=dt.date(2026, 3, 1))

    assert [[(v.name, v.last_session, v.sessions) for v in town.villages] for town in c.towns] == [
        [("西山社区", dt.date(2025, 11, 30), 0), ("东山社区", dt.date(2025, 12, 1), 1)],
        [("马栏湾村", None, 0), ("烟墩角村", dt.date(2026, 3, 1), 1)],
    ]


def test_planned_and_cancelled_lectures_and_lectures_in_the_town_do_not_cover_a_village(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2026-02-20 10:00"), status=Session.Status.PLANNED, listeners=5)
    held(t.village_a1, at("2026-02-21 10:00"), status=Session.Status.CANCELLED, listeners=5)
    held(t.town_a, at("2026-02-22 10:00"), listeners=100)  # held at the town's institute

    c = coverage(actor=lect.admin, on=dt.date(2026, 3, 1))

    assert c.covered == 0
    assert c.towns[0].villages == [row(t.village_a1, None, 0, 0), row(t.village_a2, None, 0, 0)]


def test_a_town_officer_sees_only_their_town_and_auditors_see_the_county(lect, frozen):
    t = lect.tree
    held(t.village_b1, at("2026-02-20 10:00"), listeners=9)

    mine = coverage(actor=lect.town_a, on=dt.date(2026, 3, 1))
    assert [x.name for x in mine.towns] == ["崖头街道"]
    assert [v.name for v in mine.towns[0].villages] == ["东山社区", "西山社区"]

    other = coverage(actor=lect.town_b, on=dt.date(2026, 3, 1))
    assert [(x.name, x.covered) for x in other.towns] == [("俚岛镇", 1)]

    audited = coverage(actor=lect.auditor, on=dt.date(2026, 3, 1))
    assert audited == coverage(actor=lect.admin, on=dt.date(2026, 3, 1))
    assert [x.name for x in audited.towns] == ["崖头街道", "俚岛镇"]


@pytest.mark.parametrize("who", ["village_a1", "village_b1", "team_leader", "head_user", "leader_user", None])
def test_nobody_else_reads_coverage_or_figures(lect, frozen, who):
    actor = getattr(lect, who) if who else None
    with pytest.raises(NotFound):
        coverage(actor=actor, on=dt.date(2026, 3, 1))
    with pytest.raises(NotFound):
        lecture_figures(actor=actor, first=dt.date(2026, 1, 1), last=dt.date(2026, 3, 1))


def test_the_right_is_asked_before_the_months_are_checked(lect, frozen):
    with pytest.raises(NotFound):
        coverage(actor=lect.village_a1, on=dt.date(2026, 3, 1), months=0)


@pytest.mark.parametrize("months", [0, -1, 25, 100])
def test_months_out_of_range_are_refused_naming_the_field(lect, frozen, months):
    with pytest.raises(InvalidInput) as caught:
        coverage(actor=lect.admin, on=dt.date(2026, 3, 1), months=months)
    assert caught.value.errors == [{"field": "months", "message": "请选择 1 到 24 个月。", "code": "months_range"}]


def test_coverage_takes_the_same_number_of_queries_for_4_or_44_villages(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2026-02-20 10:00"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            coverage(actor=lect.admin, on=dt.date(2026, 3, 1))
        return len(ctx.captured_queries)

    queries()  # the first call also reads what stays cached (the actor's grants)
    few = queries()
    for n in range(40):
        v = village(t.town_b if n % 2 else t.town_a, f"{100 + n:03d}", f"新村{n}")
        held(v, at("2026-02-01 10:00") - dt.timedelta(days=n * 3))
    assert coverage(actor=lect.admin, on=dt.date(2026, 3, 1)).villages == 44
    assert queries() == few


# --- Figures -----------------------------------------------------------------------------------
def test_months_are_bucketed_at_the_beijing_midnight(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2026-01-31 23:59"), listeners=3)  # 15:59 UTC on 31 January
    held(t.village_a1, at("2026-02-01 00:00"), listeners=5)  # 16:00 UTC on 31 January
    held(t.village_a1, at("2026-02-28 23:59"), listeners=7)
    held(t.village_a1, at("2026-03-01 00:00"), listeners=11)

    f = lecture_figures(actor=lect.admin, first=dt.date(2026, 1, 1), last=dt.date(2026, 3, 1))

    assert f.months == [
        MonthFigure(month=dt.date(2026, 1, 1), sessions=1, listeners=3),
        MonthFigure(month=dt.date(2026, 2, 1), sessions=2, listeners=12),
        MonthFigure(month=dt.date(2026, 3, 1), sessions=1, listeners=11),
    ]
    # The range is Beijing days too: 1 February alone is the lecture at midnight.
    one_day = lecture_figures(actor=lect.admin, first=dt.date(2026, 2, 1), last=dt.date(2026, 2, 1))
    assert (one_day.sessions, one_day.listeners) == (1, 5)


def test_figures_count_closed_lectures_per_town_team_saying_format_and_place(lect, frozen):
    t = lect.tree
    s01_v1, s02_v1 = book(1, {"S01": "诚信是金", "S02": "邻里和睦"})
    book(2, {"S01": "诚信为本，守信为荣", "S02": "邻里和睦", "S03": "孝老爱亲"})
    (old_only,) = book(3, {"S09": "旧金句"}, status=Book.Status.DRAFT)
    a = held(t.village_a1, at("2026-01-10 09:00"), listeners=30, team=lect.team, sayings=[s01_v1, s02_v1])
    b = held(
        t.village_a2,
        at("2026-02-10 09:00"),
        listeners=20,
        team=lect.team,
        fmt=Session.Format.THEATRE,
        place_kind=Session.PlaceKind.MARKET,
        sayings=[s01_v1],
    )
    c = held(
        t.village_b1,
        at("2026-02-11 11:30"),
        listeners=15,
        fmt=Session.Format.PRE_MEAL,
        place_kind=Session.PlaceKind.FISHING_FARM,
        sayings=[old_only],
    )
    held(t.village_b1, at("2026-02-12 09:00"), status=Session.Status.CANCELLED, listeners=99, sayings=[s02_v1])
    held(t.village_b2, at("2026-02-13 09:00"), status=Session.Status.PLANNED, team=lect.team)
    rated_order(a, 5, lect.village_a1)
    rated_order(b, 4, lect.village_a1)
    rated_order(c, 4, lect.village_b1)

    f = lecture_figures(actor=lect.admin, first=dt.date(2026, 1, 1), last=dt.date(2026, 2, 28))

    team = lect.team
    assert f == Figures(
        first=dt.date(2026, 1, 1),
        last=dt.date(2026, 2, 28),
        sessions=3,
        listeners=65,
        months=[
            MonthFigure(month=dt.date(2026, 1, 1), sessions=1, listeners=30),
            MonthFigure(month=dt.date(2026, 2, 1), sessions=2, listeners=35),
        ],
        towns=[
            Breakdown(key=t.town_a.code, label="崖头街道", sessions=2, listeners=50),
            Breakdown(key=t.town_b.code, label="俚岛镇", sessions=1, listeners=15),
        ],
        teams=[Breakdown(key=str(team.pk), label="崖头百姓名嘴宣讲队", sessions=2, listeners=50)],
        sayings=[
            SayingUse(key="S01", text="诚信为本，守信为荣", sessions=2),
            SayingUse(key="S02", text="邻里和睦", sessions=1),
            SayingUse(key="S09", text="旧金句", sessions=1),
        ],
        ratings=Ratings(count=3, average=4.3, distribution={1: 0, 2: 0, 3: 0, 4: 2, 5: 1}),
        formats=[
            Breakdown(key="pre_meal", label="餐前一刻钟", sessions=1, listeners=15),
            Breakdown(key="talk", label="讲座", sessions=1, listeners=30),
            Breakdown(key="theatre", label="文艺演出", sessions=1, listeners=20),
        ],
        place_kinds=[
            Breakdown(key="fishing_farm", label="渔场（海洋牧场）", sessions=1, listeners=15),
            Breakdown(key="market", label="农村集市", sessions=1, listeners=20),
            Breakdown(key="site", label="实践阵地", sessions=1, listeners=30),
        ],
    )

    # A town officer's figures are their town's.
    mine = lecture_figures(actor=lect.town_b, first=dt.date(2026, 1, 1), last=dt.date(2026, 2, 28))
    assert (mine.sessions, mine.listeners, [x.label for x in mine.towns], mine.teams) == (1, 15, ["俚岛镇"], [])
    assert mine.ratings == Ratings(count=1, average=4.0, distribution={1: 0, 2: 0, 3: 0, 4: 1, 5: 0})
    assert mine.sayings == [SayingUse(key="S09", text="旧金句", sessions=1)]


def test_empty_figures_have_every_month_at_zero_and_no_average(lect, frozen):
    f = lecture_figures(actor=lect.auditor, first=dt.date(2025, 12, 15), last=dt.date(2026, 2, 1))
    assert [(m.month, m.sessions, m.listeners) for m in f.months] == [
        (dt.date(2025, 12, 1), 0, 0),
        (dt.date(2026, 1, 1), 0, 0),
        (dt.date(2026, 2, 1), 0, 0),
    ]
    assert (f.sessions, f.listeners, f.towns, f.teams, f.sayings, f.formats, f.place_kinds) == (
        0,
        0,
        [],
        [],
        [],
        [],
        [],
    )
    assert f.ratings == Ratings(count=0, average=None, distribution={1: 0, 2: 0, 3: 0, 4: 0, 5: 0})


@pytest.mark.parametrize(
    ("first", "last", "code", "message"),
    [
        ("2026-03-01", "2026-02-28", "range_reversed", "最后一天不能早于第一天。"),
        ("2023-01-01", "2026-01-02", "range_too_long", "最多选择三年。"),
    ],
)
def test_a_reversed_or_too_long_range_is_refused(lect, frozen, first, last, code, message):
    with pytest.raises(InvalidInput) as caught:
        lecture_figures(actor=lect.admin, first=dt.date.fromisoformat(first), last=dt.date.fromisoformat(last))
    assert caught.value.errors == [{"field": "last", "message": message, "code": code}]


def test_three_years_exactly_are_allowed(lect, frozen):
    f = lecture_figures(actor=lect.admin, first=dt.date(2023, 1, 1), last=dt.date(2026, 1, 1))
    assert (len(f.months), f.months[0].month, f.months[-1].month) == (37, dt.date(2023, 1, 1), dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda lect: coverage(actor=lect.admin, on=dt.date(1, 1, 1)), "on"),
        (lambda lect: coverage(actor=lect.admin, on=dt.date(9999, 12, 31), months=1), "on"),
        (lambda lect: lecture_figures(actor=lect.admin, first=dt.date(1, 1, 1), last=dt.date(1, 2, 1)), "first"),
        (lambda lect: lecture_figures(actor=lect.admin, first=dt.date(2026, 1, 1), last=dt.date(9999, 12, 31)), "last"),
    ],
)
def test_days_outside_the_calendar_we_keep_are_refused(lect, frozen, call, field):
    with pytest.raises(InvalidInput) as caught:
        call(lect)
    assert caught.value.errors == [
        {"field": field, "message": "请选择 1900-01-01 至 2100-12-31 之间的日期。", "code": "date_range"}
    ]
