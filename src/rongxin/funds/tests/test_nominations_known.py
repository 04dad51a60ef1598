"""Nominations on a small known county: exact names, categories, reasons and exclusions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.funds.domain.nominations import Facts, hours_text, within_caps
from rongxin.funds.selectors.nominations import nominations_for_county, nominations_for_region
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.commend_helpers import known_county

pytestmark = pytest.mark.django_db


def _rows(proposals: list[Any]) -> list[tuple[str, str, list[str], str]]:
    return [(p.name, p.category, [r.text for r in p.reasons], p.exclusion) for p in proposals]


A1 = [
    ("王诚实", "honest", ["本季度信用等级由 B 级升至 A 级"], ""),
    ("李好人", "honest", ["本季度好人好事记录 2 条（加 4 分）"], ""),
    ("赵志愿", "volunteer", ["本季度志愿服务 32.5 小时"], ""),
    ("孙食堂", "doer", ["本季度暖心食堂服务 12 小时"], ""),
    ("钱宣讲", "doer", ["本季度参与宣讲 3 场", "本季度志愿服务 25 小时"], ""),
    ("周未同意", "volunteer", ["本季度志愿服务 40 小时"], "no_consent"),
    ("吴失信", "volunteer", ["本季度志愿服务 30 小时"], "serious_deduction"),
]


def test_village_list_names_reasons_and_exclusions(world: FundsWorld, frozen: Any) -> None:
    # given
    known_county(world, frozen)
    # when
    proposals = nominations_for_region(region=world.tree.village_a1, year=2026, quarter=2)
    # then
    assert _rows(proposals) == A1
    assert [p.exclusion_text for p in proposals[-2:]] == [
        "本人未同意信用评价，不予提名",
        "有正在计分的严重失信扣分记录，不予提名",
    ]


def test_town_list_includes_its_villages_and_county_splits_by_region(world: FundsWorld, frozen: Any) -> None:
    # given
    known_county(world, frozen)
    tree = world.tree
    # when
    town = nominations_for_region(region=tree.town_a, year=2026, quarter=2)
    county = nominations_for_county(county=tree.county, year=2026, quarter=2)
    # then
    assert [p.name for p in town if p.category == "volunteer" and not p.exclusion] == ["郑西山", "赵志愿"]
    assert _rows(county[tree.village_a1.pk]) == A1
    assert _rows(county[tree.village_a2.pk]) == [("郑西山", "volunteer", ["本季度志愿服务 50 小时"], "")]
    assert _rows(county[tree.town_a.pk]) == _rows(town)
    assert set(county) == {tree.village_a1.pk, tree.village_a2.pk, tree.town_a.pk}


def test_previous_quarter_gives_its_own_facts(world: FundsWorld, frozen: Any) -> None:
    known_county(world, frozen)
    # Q1: 赵志愿's grade rose (B → A) and 10 hours only.
    proposals = nominations_for_region(region=world.tree.village_a1, year=2026, quarter=1)
    assert _rows(proposals) == [("赵志愿", "honest", ["本季度信用等级由 B 级升至 A 级"], "")]


def test_county_reads_take_a_fixed_number_of_queries(world: FundsWorld, frozen: Any) -> None:
    known_county(world, frozen)
    with CaptureQueriesContext(connection) as few:
        nominations_for_county(county=world.tree.county, year=2026, quarter=2)
    with CaptureQueriesContext(connection) as one:
        nominations_for_region(region=world.tree.village_a1, year=2026, quarter=2)
    assert len(few) == 7
    assert len(one) == 6


def test_hours_text_and_caps() -> None:
    assert [hours_text(m) for m in (1950, 1200, 61, 0)] == ["32.5", "20", "1", "0"]
    from rongxin.funds.domain.nominations import Proposal

    many = [
        Proposal(subject_id=i, name=f"n{i}", village_id=1, village_name="v", category="volunteer", weight=i)
        for i in range(1, 9)
    ]
    kept = within_caps(many, "village")
    assert [p.subject_id for p in kept] == [8, 7, 6, 5, 4]
    assert len(within_caps(many, "town")) == 8
    assert Facts(subject_id=1, old_grade="B", new_grade="B").grade_rose is False
