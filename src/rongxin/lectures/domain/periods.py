"""Quota periods: calendar-aligned blocks of ``months`` months (months divides 12), so with the
default of two months the periods are Jan–Feb, Mar–Apr, ..., Nov–Dec. Dates are local
(Asia/Shanghai) calendar dates; ``end`` is the last day inside the period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def key(self) -> str:
        """``2026-03`` for the period starting in March 2026."""
        return f"{self.start:%Y-%m}"


def _check(months: int) -> None:
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError("months must divide 12")


def period_containing(day: dt.date, months: int) -> Period:
    _check(months)
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return Period(start, _next_start(start, months) - dt.timedelta(days=1))


def _next_start(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def periods_between(first: dt.date, last: dt.date, months: int) -> Iterator[Period]:
    """Every period that overlaps ``[first, last]``, oldest first."""
    period = period_containing(first, months)
    while period.start <= last:
        yield period
        period = period_containing(_next_start(period.start, months), months)


def reminder_day(period: Period, notice_days: int) -> dt.date:
    """The day the reminder goes out: ``notice_days`` before the period's last day ends."""
    return period.end + dt.timedelta(days=1) - dt.timedelta(days=notice_days)
