"""The pure rules: the score and grade, and the yearly caps (no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from rongxin.credit.domain.caps import CapBreach, award_within_caps, cap_breach, cap_year, is_capped, years_span
from rongxin.credit.domain.scoring import RuleTerms, Scale, grade_for, points_under, standing, standing_after

BANDS: list[tuple[str, int | None]] = [("AAA", 1050), ("AA", 1030), ("A", 960), ("B", 850), ("C", 600), ("D", None)]
SCALE = Scale(base=1000, bands=BANDS)


@dataclass(frozen=True)
class CapRule:
    code: str = "R"
    points_max: int = 5
    yearly_cap_count: int | None = None
    yearly_cap_points: int | None = None


@pytest.mark.parametrize(
    ("points", "scored", "expected"),
    [(0, True, (1000, "A")), (50, True, (1050, "AAA")), (-41, True, (959, "B")), (-500, True, (500, "D"))],
)
def test_a_scored_subject_has_the_base_plus_what_counts_and_its_band(points, scored, expected):
    assert standing(SCALE, points, scored=scored) == expected


def test_no_score_and_no_grade_without_consent_or_without_a_catalogue():
    assert standing(SCALE, 30, scored=False) == (None, "")
    assert standing(None, 30, scored=True) == (None, "")


def test_the_incremental_form_adds_to_a_current_score_only():
    assert standing_after(SCALE, 1020, 10) == (1030, "AA")
    assert standing_after(SCALE, None, 10) == (None, "")
    assert standing_after(None, 1020, 10) == (1030, "")


def test_a_grade_below_every_minimum_is_the_last_band():
    assert grade_for(100, [("A", 960), ("B", 850)]) == "B"
    assert grade_for(None, BANDS) == ""


def test_points_under_another_catalogue():
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    effective = at - dt.timedelta(days=100)
    fixed, ranged = RuleTerms(-1, 10, 10, 365), RuleTerms(-1, 10, 20, 365)
    assert points_under(fixed, -15, effective, at) == -10
    assert (points_under(ranged, -25, effective, at), points_under(ranged, -5, effective, at)) == (-20, -10)
    assert points_under(RuleTerms(-1, 10, 20, 100), -15, effective, at) == 0  # its period is over
    assert points_under(None, -15, effective, at) == 0  # no such rule in that catalogue


def test_one_more_entry_passes_the_entries_cap_first_then_the_points_cap():
    rule = CapRule(yearly_cap_count=2, yearly_cap_points=10)
    assert cap_breach(rule, entries=1, points_used=4, points=6) is None
    assert cap_breach(rule, entries=2, points_used=4, points=1) == CapBreach("count", 2)
    assert cap_breach(rule, entries=1, points_used=7, points=4) == CapBreach("points", 10, 3)
    assert cap_breach(CapRule(), entries=99, points_used=999, points=5) is None
    assert (is_capped(rule), is_capped(CapRule())) == (True, False)


def test_an_award_is_trimmed_to_the_rule_maximum_and_to_what_the_caps_leave():
    assert award_within_caps(CapRule(points_max=5), entries=0, points_used=0, points=8) == (5, "rule maximum 5")
    capped = CapRule(points_max=5, yearly_cap_points=12)
    assert award_within_caps(capped, entries=2, points_used=9, points=4) == (3, "yearly cap 12")
    assert award_within_caps(capped, entries=3, points_used=12, points=4) == (0, "yearly cap 12")
    once = CapRule(points_max=20, yearly_cap_count=1)
    assert award_within_caps(once, entries=1, points_used=20, points=20) == (0, "yearly cap 1 entries")
    assert award_within_caps(once, entries=0, points_used=0, points=20) == (20, "")


def test_the_caps_year_is_the_countys_calendar_year():
    # 2025-12-31 17:00 UTC is 2026-01-01 01:00 in Beijing
    assert cap_year(dt.datetime(2025, 12, 31, 17, 0, tzinfo=dt.UTC)) == 2026
    since, until = years_span([2026, 2025])
    assert (since.isoformat(), until.isoformat()) == ("2025-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
