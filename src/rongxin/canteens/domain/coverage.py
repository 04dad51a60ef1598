"""The coverage plan's arithmetic: the share of villages with an open canteen, the villages still
needed to reach the target, and the birth date that makes a resident 80 on a day."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_TARGET_PERCENT = 80
OLD_AGE = 80  # the coverage plan ranks villages by residents of 80 and over


def share_percent(covered: int, total: int) -> Decimal:
    """``covered`` of ``total`` in percent, one decimal place (half up); 0.0 for no villages."""
    if total <= 0:
        return Decimal("0.0")
    return (Decimal(covered) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def villages_for_target(total: int, target_percent: int) -> int:
    """The fewest villages whose share reaches ``target_percent`` (rounded up: 80 % of 5 is 4,
    80 % of 6 is 5)."""
    return -(-total * target_percent // 100)


def villages_needed(total: int, covered: int, target_percent: int) -> int:
    """Villages still to cover to reach the target (never negative)."""
    return max(0, villages_for_target(total, target_percent) - covered)


def latest_birth_date(on: dt.date, age: int) -> dt.date:
    """The latest birth date of someone who is ``age`` or older on ``on`` (their birthday that
    day counts; someone born on 29 February turns a year older on 28 February in other years)."""
    year = on.year - age
    try:
        return on.replace(year=year)
    except ValueError:  # 29 February in a year without one
        return dt.date(year, 2, 28)
