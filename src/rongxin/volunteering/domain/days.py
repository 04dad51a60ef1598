"""Service days: a day of service is a calendar day in Beijing time."""

from __future__ import annotations

import datetime as dt

from rongxin.core.clock import LOCAL_TZ


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(LOCAL_TZ).date()


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)
