"""Meal days: the weekdays a canteen serves lunch, Monday = 0 … Sunday = 6, and the programme's
five-day rule (lunch at least five days a week)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

FIVE_DAY_RULE = 5  # meal days a week the programme asks of every canteen
WEEKDAY_NAMES = ("一", "二", "三", "四", "五", "六", "日")  # 周一 … 周日


class WeekdaysError(ValueError):
    """Meal days that cannot be read: ``code`` says why (``invalid``, ``empty``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_weekdays(value: Any) -> list[int]:
    """Meal days as stored: sorted, each once. Accepts a list of numbers (or of the digit strings
    ``"0"`` … ``"6"``), or a string ``"0,1,2"``. Only the ASCII digits count (``"１"`` is refused).
    Raises :class:`WeekdaysError`."""
    if isinstance(value, str):
        items: Iterable[Any] = [part for part in value.replace("，", ",").split(",") if part.strip()]
    elif isinstance(value, Iterable):
        items = value
    else:
        raise WeekdaysError("invalid")
    days: set[int] = set()
    for item in items:
        if isinstance(item, bool):
            raise WeekdaysError("invalid")
        if isinstance(item, int):
            day = item
        else:
            text = str(item).strip()
            if len(text) != 1 or not (text.isascii() and text.isdigit()):
                raise WeekdaysError("invalid")
            day = int(text)
        if not 0 <= day <= 6:
            raise WeekdaysError("invalid")
        days.add(day)
    if not days:
        raise WeekdaysError("empty")
    return sorted(days)


def format_weekdays(days: Iterable[int]) -> str:
    """``[0, 1, 2, 3, 4]`` → ``周一至周五`` for a run, ``周一、周三、周五`` otherwise."""
    ordered = sorted(set(days))
    if not ordered:
        return ""
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"周{WEEKDAY_NAMES[ordered[0]]}至周{WEEKDAY_NAMES[ordered[-1]]}"
    return "、".join(f"周{WEEKDAY_NAMES[d]}" for d in ordered)


def meets_five_day_rule(days: Iterable[int]) -> bool:
    return len(set(days)) >= FIVE_DAY_RULE


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def committed_days(days: Iterable[int], first: dt.date, last: dt.date) -> int:
    """How many of the days from ``first`` to ``last`` (included) fall on a meal day."""
    wanted = set(days)
    count, day = 0, first
    while day <= last:
        if day.weekday() in wanted:
            count += 1
        day += dt.timedelta(days=1)
    return count
