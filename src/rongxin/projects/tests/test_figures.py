"""The marketplace's figures per year, town and category, and the sponsors' roll, exact on a known
set of projects, payments and spendings (rows made straight into the database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongxin.core import clock
from rongxin.core.errors import InvalidInput
from rongxin.projects.models import Pledge, Project
from rongxin.projects.selectors.figures import FigureRow, projects_figures, sponsors_roll
from rongxin.projects.tests.ceremony_helpers import payment, pledge, spending
from rongxin.projects.tests.helpers import MarketWorld

pytestmark = pytest.mark.django_db


def _at(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, tzinfo=clock.LOCAL_TZ)


def _known(world: MarketWorld) -> dict[str, Project]:
    t = world.tree
    p1 = world.project(
        state=Project.State.ACCEPTED,
        published_at=_at(2025, 3, 1),
        claimed_at=_at(2025, 4, 1),
        completed_at=_at(2026, 2, 1),
        pledged=Decimal("10000.00"),
    )
    p2 = world.project(region=t.village_b1, category=Project.Category.CHILDREN, published_at=_at(2026, 3, 1))
    # withdrawn after publication: closed, never completed
    p5 = world.project(
        region=t.town_b,
        category=Project.Category.CHILDREN,
        state=Project.State.CLOSED,
        published_at=_at(2026, 1, 1),
        closed_at=_at(2026, 1, 2),
    )
    world.project(state=Project.State.DRAFT)
    f = world.fund
    title = pledge(p1, world.firm, "10000.00", title=True, paid=Decimal("10000.00"), pledged_at=_at(2025, 4, 1))
    payment(f, title, "6000.00", dt.date(2025, 4, 10))
    payment(f, title, "4000.00", dt.date(2026, 1, 5))
    named = pledge(p2, world.other_firm, "1000.00", paid=Decimal("1000.00"), pledged_at=_at(2026, 3, 2))
    payment(f, named, "1000.00", dt.date(2026, 3, 10))
    pledge(p5, world.other_firm, "500.00", state=Pledge.State.WITHDRAWN, pledged_at=_at(2026, 1, 1))
    anon = pledge(p2, world.resident_subject, "500.00", anonymous=True, paid=Decimal("500.00"))
    payment(f, anon, "500.00", dt.date(2026, 5, 1))
    pledge(p2, world.neighbour_subject, "300.00")
    spending(f, p1, "3000.00", dt.date(2025, 9, 1))
    spending(f, p1, "2000.00", dt.date(2026, 1, 20), reversed_=True)
    spending(f, p1, "500.00", dt.date(2026, 2, 1))
    return {"p1": p1, "p2": p2, "p5": p5}


def _rows(rows: list[FigureRow]) -> list[tuple[object, ...]]:
    return [(r.key, r.published, r.claimed, r.completed, r.raised, r.spent) for r in rows]


def test_figures_per_year_town_and_category_are_exact(world: MarketWorld) -> None:
    # given a known set
    _known(world)
    a, b = world.tree.town_a.code, world.tree.town_b.code
    # when the figures are read without a filter
    with CaptureQueriesContext(connection) as queries:
        f = projects_figures()
    # then each table is exact, from a fixed number of grouped queries
    assert len(queries) == 12
    assert _rows(f.by_year) == [
        ("2025", 1, 1, 0, Decimal("6000.00"), Decimal("3000.00")),
        ("2026", 2, 0, 1, Decimal("5500.00"), Decimal("500.00")),
    ]
    assert _rows(f.by_town) == [
        (a, 1, 1, 1, Decimal("10000.00"), Decimal("3500.00")),
        (b, 2, 0, 0, Decimal("1500.00"), Decimal("0.00")),
    ]
    by_category = {r.key: r for r in f.by_category}
    assert list(by_category) == [c for c, _label in Project.Category.choices]
    assert _rows([by_category["elderly"], by_category["children"], by_category["health"]]) == [
        ("elderly", 1, 1, 1, Decimal("10000.00"), Decimal("3500.00")),
        ("children", 2, 0, 0, Decimal("1500.00"), Decimal("0.00")),
        ("health", 0, 0, 0, Decimal("0.00"), Decimal("0.00")),
    ]
    assert _rows([f.total]) == [("total", 3, 1, 1, Decimal("11500.00"), Decimal("3500.00"))]
    assert f.total.label == "合计"


def test_figures_filtered_by_year_town_and_category(world: MarketWorld) -> None:
    # given a known set
    _known(world)
    a, b = world.tree.town_a.code, world.tree.town_b.code
    # when the figures are read for 2026, for town B, and for the elderly
    in_2026 = projects_figures(year=2026)
    town_b = projects_figures(town_code=b)
    elderly = projects_figures(category="elderly", year=2025)
    # then each counts what the filter keeps
    assert _rows(in_2026.by_year) == [("2026", 2, 0, 1, Decimal("5500.00"), Decimal("500.00"))]
    assert _rows(in_2026.by_town) == [
        (a, 0, 0, 1, Decimal("4000.00"), Decimal("500.00")),
        (b, 2, 0, 0, Decimal("1500.00"), Decimal("0.00")),
    ]
    assert _rows(town_b.by_year) == [("2026", 2, 0, 0, Decimal("1500.00"), Decimal("0.00"))]
    assert _rows(town_b.by_town) == [(b, 2, 0, 0, Decimal("1500.00"), Decimal("0.00"))]
    assert _rows(elderly.by_category) == [("elderly", 1, 1, 0, Decimal("6000.00"), Decimal("3000.00"))]
    with pytest.raises(InvalidInput) as e:
        projects_figures(town_code=world.tree.village_a1.code)
    assert e.value.code == "unknown_town"


def test_the_sponsors_roll_ranks_by_paid_and_hides_anonymous_names(world: MarketWorld) -> None:
    # given a known set
    _known(world)
    # when the roll is read
    roll = sponsors_roll()
    # then the named sponsors are ranked by what they paid, the anonymous one is a nameless line
    assert [(r.rank, r.name, r.kind, r.pledged, r.paid, r.projects, r.titles) for r in roll.rows] == [
        (1, "荣信海洋食品有限公司", "enterprise", Decimal("10000.00"), Decimal("10000.00"), 1, 1),
        (2, "石岛渔具商行", "enterprise", Decimal("1000.00"), Decimal("1000.00"), 1, 0),
        (3, "王五", "person", Decimal("300.00"), Decimal("0.00"), 1, 0),
    ]
    assert roll.total == 3
    a = roll.anonymous
    assert (a.name, a.pledges, a.projects, a.pledged, a.paid) == (
        "爱心人士（匿名）",
        1,
        1,
        Decimal("500.00"),
        Decimal("500.00"),
    )
    assert "李四" not in [r.name for r in roll.rows]
    # and a page, and a year, keep to themselves
    assert [r.rank for r in sponsors_roll(offset=1, limit=1).rows] == [2]
    assert [r.name for r in sponsors_roll(year=2025).rows] == ["荣信海洋食品有限公司"]


def test_the_api_gives_the_same_figures_and_roll(world: MarketWorld) -> None:
    # given a known set
    _known(world)
    client = Client()
    # when anyone asks the API
    figures = client.get("/api/v1/projects/figures", {"year": 2025}).json()
    roll = client.get("/api/v1/projects/sponsors").json()
    bad = client.get("/api/v1/projects/figures", {"category": "nope"})
    # then they match the selectors
    assert figures["by_year"] == [
        {
            "key": "2025",
            "label": "2025",
            "published": 1,
            "claimed": 1,
            "completed": 0,
            "raised": "6000.00",
            "spent": "3000.00",
        }
    ]
    assert [x["name"] for x in roll["items"]] == ["荣信海洋食品有限公司", "石岛渔具商行", "王五"]
    assert roll["anonymous"]["name"] == "爱心人士（匿名）"
    assert "李四" not in str(roll)
    assert bad.status_code == 422
