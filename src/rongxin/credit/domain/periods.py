"""Default periods by severity (the NDRC credit-repair measures) and for awards.

- minor: not publicly listed; counts at most 3 months; repair any time after the objection window
- general: listed; counts at most 1 year; repair after 3 months
- serious: listed; counts at most 3 years; repair after 1 year
- awards: count for 3 years unless the rule says otherwise
"""

from __future__ import annotations

from dataclasses import dataclass

OBJECTION_DAYS = 15


@dataclass(frozen=True)
class Periods:
    counting_days: int
    repair_after_days: int | None
    published: bool


DEFAULTS = {
    "minor": Periods(counting_days=90, repair_after_days=0, published=False),
    "general": Periods(counting_days=365, repair_after_days=90, published=True),
    "serious": Periods(counting_days=3 * 365, repair_after_days=365, published=True),
    "award": Periods(counting_days=3 * 365, repair_after_days=None, published=True),
}


def defaults_for(*, direction: str, severity: str) -> Periods:
    return DEFAULTS["award" if direction == "award" else severity]
