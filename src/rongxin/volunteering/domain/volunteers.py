"""Volunteer numbers and ages."""

from __future__ import annotations

import datetime as dt

ADULT_AGE = 18


def volunteer_number(subject_id: int) -> str:
    """The public volunteer number: ``RX``, nine digits, and a Luhn check digit (so a mistyped
    number is caught before it is looked up)."""
    body = f"{subject_id:09d}"
    if len(body) > 9:
        raise ValueError("subject id too large for a volunteer number")
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return f"RX{body}{(10 - total % 10) % 10}"


def normalise_volunteer_number(number: str) -> str:
    return (number or "").strip().upper()


def number_is_valid(number: str) -> bool:
    number = normalise_volunteer_number(number)
    if len(number) != 12 or not number.startswith("RX") or not number[2:].isdigit():
        return False
    return volunteer_number(int(number[2:11])) == number


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
