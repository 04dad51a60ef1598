"""Ages from the credit file's birth date (pure)."""

from __future__ import annotations

import datetime as dt

# A resident may be enrolled as an elder of a canteen from this age on.
ELDER_MIN_AGE = 60


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` of someone born on ``birth_date`` (a 29 February birthday
    counts from 1 March in common years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
