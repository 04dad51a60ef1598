"""Yearly caps of a rule, per subject: the one place of the rule.

A rule may cap, per subject and calendar year (Beijing time, by when the behaviour occurred), the
number of its entries (``yearly_cap_count``) and the sum of their points (``yearly_cap_points``).
Rejected and revoked entries do not use the caps. A recorder's entry (one record, an import row)
that would pass a cap is refused (:func:`cap_breach`, :func:`breach_error`); a programme's award is
trimmed to what is left (:func:`award_within_caps`). The synthetic generator follows the same rule.

Pure: callers read what the subjects already used (``rongxin.credit.selectors.caps``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from rongxin.core.clock import LOCAL_TZ


class CappedRule(Protocol):
    code: str
    points_max: int
    yearly_cap_count: int | None
    yearly_cap_points: int | None


def is_capped(rule: CappedRule) -> bool:
    return rule.yearly_cap_count is not None or rule.yearly_cap_points is not None


def cap_year(occurred_at: dt.datetime) -> int:
    """The calendar year (in the county) whose caps an entry uses."""
    return occurred_at.astimezone(LOCAL_TZ).year


def years_span(years: Iterable[int]) -> tuple[dt.datetime, dt.datetime]:
    """From the first instant of the earliest year to the first instant after the latest."""
    chosen = list(years)
    return (
        dt.datetime(min(chosen), 1, 1, tzinfo=LOCAL_TZ),
        dt.datetime(max(chosen) + 1, 1, 1, tzinfo=LOCAL_TZ),
    )


@dataclass(frozen=True)
class CapBreach:
    """Why one more entry of ``points`` does not fit: the entries cap (``kind="count"``) or the
    points cap (``kind="points"``, with the points ``left``)."""

    kind: str
    cap: int
    left: int = 0


def cap_breach(rule: CappedRule, *, entries: int, points_used: int, points: int) -> CapBreach | None:
    """Whether one more entry of ``points`` (unsigned) passes the rule's caps, when the subject's
    year already has ``entries`` entries of it worth ``points_used`` points (unsigned)."""
    if rule.yearly_cap_count is not None and entries + 1 > rule.yearly_cap_count:
        return CapBreach("count", rule.yearly_cap_count)
    if rule.yearly_cap_points is not None and points_used + points > rule.yearly_cap_points:
        return CapBreach("points", rule.yearly_cap_points, max(rule.yearly_cap_points - points_used, 0))
    return None


@dataclass(frozen=True)
class BreachMessage:
    field: str  # the input the breach is about: the rule (entries cap) or the points (points cap)
    message: Any
    code: str


def breach_message(rule: CappedRule, breach: CapBreach, *, year: int) -> BreachMessage:
    """The refusal of a recorded entry (a form, the API, an import row) that passes a cap."""
    if breach.kind == "count":
        return BreachMessage(
            "rule_code",
            _("Rule %(code)s allows %(n)d entries per year for one subject; %(year)d has them all.")
            % {"code": rule.code, "n": breach.cap, "year": year},
            "yearly_cap_count",
        )
    return BreachMessage(
        "points",
        _("Rule %(code)s allows %(cap)d points per year for one subject; %(left)d are left for %(year)d.")
        % {"code": rule.code, "cap": breach.cap, "left": breach.left, "year": year},
        "yearly_cap_points",
    )


def award_within_caps(rule: CappedRule, *, entries: int, points_used: int, points: int) -> tuple[int, str]:
    """A programme's award of ``points`` trimmed to the rule's maximum and to what its yearly
    caps leave, with a note saying which limit trimmed it ('' when none did). The caller drops an
    award trimmed below the rule's minimum."""
    granted, note = min(points, rule.points_max), ""
    if granted < points:
        note = f"rule maximum {rule.points_max}"
    if rule.yearly_cap_points is not None and points_used + granted > rule.yearly_cap_points:
        granted, note = max(rule.yearly_cap_points - points_used, 0), f"yearly cap {rule.yearly_cap_points}"
    if rule.yearly_cap_count is not None and entries + 1 > rule.yearly_cap_count:
        granted, note = 0, f"yearly cap {rule.yearly_cap_count} entries"
    return granted, note
