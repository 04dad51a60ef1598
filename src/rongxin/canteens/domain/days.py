"""Which days a canteen's lunch may be recorded for, and which days are meal days (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# A day's lunch is recorded on the day or corrected up to this many days later.
RECORD_WINDOW_DAYS = 7


def record_problem(on: dt.date, today: dt.date) -> str:
    """``"future"`` for a day after ``today``, ``"too_old"`` for a day more than
    :data:`RECORD_WINDOW_DAYS` before it, else ``""``."""
    if on > today:
        return "future"
    if on < today - dt.timedelta(days=RECORD_WINDOW_DAYS):
        return "too_old"
    return ""


def is_meal_day(day: dt.date, *, weekdays: Iterable[int], opened_on: dt.date | None) -> bool:
    """Whether the canteen serves lunch on ``day``: one of its meal weekdays (Monday = 0), on or
    after the day it opened."""
    if opened_on is not None and day < opened_on:
        return False
    return day.weekday() in set(weekdays)


def days_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    """Every day from ``date_from`` to ``date_to``, both included, latest first."""
    n = (date_to - date_from).days
    return [date_to - dt.timedelta(days=i) for i in range(n + 1)]
