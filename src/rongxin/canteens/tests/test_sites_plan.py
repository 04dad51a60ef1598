"""The coverage plan on a small known county: five villages, two open canteens, a paused and a
planned one; residents aged 80+ from birth dates, the boundary exactly 80 on the day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.canteens.domain.coverage import latest_birth_date, share_percent, villages_for_target, villages_needed
from rongxin.canteens.models import BuildPlan, CoveragePolicy
from rongxin.canteens.selectors.plan import coverage
from rongxin.canteens.tests.sites_helpers import TODAY, SitesWorld, frozen, make_canteen, world  # noqa: F401
from rongxin.conftest import make_id_number, make_organisation, make_person
from rongxin.core import clock
from rongxin.regions.models import Region


@pytest.fixture
def county(world: SitesWorld) -> dict[str, Any]:
    t = world.tree
    a3 = Region.objects.create(
        code="371082001003", prefix="371082001003", name="北山社区", level="village", parent=t.town_a
    )
    make_canteen(t.village_a1, opened_on=dt.date(2025, 6, 1))
    make_canteen(
        t.village_a2,
        status="paused",
        opened_on=dt.date(2025, 9, 1),
        history=[("open", dt.date(2025, 9, 1)), ("paused", dt.date(2026, 2, 1))],
    )
    make_canteen(t.village_b1, opened_on=dt.date(2026, 1, 5))
    make_canteen(t.village_b2, status="planned", history=[("planned", dt.date(2025, 12, 1))])
    # residents: exactly 80 today, 81, and 79 (80 tomorrow) in 北山; one of 90 in 西山
    make_person(a3, name="甲", id_number=make_id_number(birth="19460310"))
    make_person(a3, name="乙", id_number=make_id_number(birth="19450101"))
    make_person(a3, name="丙", id_number=make_id_number(birth="19460311"))
    make_person(t.village_a2, name="丁", id_number=make_id_number(birth="19360310"))
    make_person(t.village_b2, name="戊", id_number=make_id_number(birth="19900101"))
    make_organisation(t.village_b2)
    BuildPlan.objects.create(county=t.county, year=2025, planned=3, changed_at=clock.now())
    BuildPlan.objects.create(county=t.county, year=2026, planned=2, changed_at=clock.now())
    return {"a3": a3}


def test_coverage_exact_figures(world: SitesWorld, county: dict[str, Any]) -> None:
    # when
    c = coverage(county=world.tree.county, on=TODAY)
    # then
    assert (c.villages, c.covered, c.share, c.target_percent, c.target_villages, c.needed) == (
        5,
        2,
        Decimal("40.0"),
        80,
        4,
        2,
    )
    assert [(t.region.name, t.villages, t.covered, t.share) for t in c.towns] == [
        ("崖头街道", 3, 1, Decimal("33.3")),
        ("俚岛镇", 2, 1, Decimal("50.0")),
    ]
    assert [(v.region.name, v.residents_80, v.canteen_status) for v in c.uncovered] == [
        ("北山社区", 2, ""),
        ("西山社区", 1, "paused"),
        ("马栏湾村", 0, "planned"),
    ]
    assert [(y.year, y.planned, y.opened) for y in c.years] == [(2025, 3, 2), (2026, 2, 1)]


def test_coverage_on_an_earlier_day_reads_the_status_history(world: SitesWorld, county: dict[str, Any]) -> None:
    # when
    c = coverage(county=world.tree.county, on=dt.date(2025, 12, 31))
    # then: 东山 and 西山 were open, 烟墩角 not yet
    assert (c.covered, c.share, c.needed) == (2, Decimal("40.0"), 2)
    assert [v.region.name for v in c.uncovered] == ["北山社区", "烟墩角村", "马栏湾村"]
    assert [v.residents_80 for v in c.uncovered] == [1, 0, 0]  # 甲 turns 80 only on 2026-03-10


def test_coverage_target_from_the_policy(world: SitesWorld, county: dict[str, Any]) -> None:
    # given
    CoveragePolicy.objects.create(county=world.tree.county, target_percent=60, changed_at=clock.now())
    # when
    c = coverage(county=world.tree.county, on=TODAY)
    # then
    assert (c.target_percent, c.target_villages, c.needed) == (60, 3, 1)


def test_coverage_of_an_empty_county(world: SitesWorld) -> None:
    # given
    empty = Region.objects.create(code="371083000000", prefix="371083", name="空县", level="county")
    # when
    c = coverage(county=empty, on=TODAY)
    # then
    assert (c.villages, c.covered, c.share, c.needed, c.uncovered, c.years) == (0, 0, Decimal("0.0"), 0, [], [])


@pytest.mark.parametrize(
    ("covered", "total", "target", "share", "needed"),
    [(2, 5, 80, "40.0", 2), (4, 5, 80, "80.0", 0), (5, 6, 80, "83.3", 0), (4, 6, 80, "66.7", 1), (0, 0, 80, "0.0", 0)],
)
def test_coverage_arithmetic(covered: int, total: int, target: int, share: str, needed: int) -> None:
    # when / then
    assert share_percent(covered, total) == Decimal(share)
    assert villages_needed(total, covered, target) == needed
    assert villages_for_target(910, 80) == 728


@pytest.mark.parametrize(
    ("on", "latest"),
    [
        (dt.date(2026, 3, 10), dt.date(1946, 3, 10)),
        (dt.date(2024, 2, 29), dt.date(1944, 2, 29)),
        (dt.date(2025, 2, 28), dt.date(1945, 2, 28)),
        (dt.date(2027, 2, 28), dt.date(1947, 2, 28)),
    ],
)
def test_latest_birth_date_of_an_80_year_old(on: dt.date, latest: dt.date) -> None:
    assert latest_birth_date(on, 80) == latest
    assert latest_birth_date(dt.date(2024, 2, 29), 81) == dt.date(1943, 2, 28)
