"""Service time as people read it, and the star levels it earns.

Service time is stored as whole minutes. :func:`hours_text` is the one way it is written for
people: on pages, in the API's ``hours`` fields, in notices, in credit evidence and on
certificates (``90`` minutes → ``1.5``; ``120`` → ``2``; ``20`` → ``0.3``).
"""

from __future__ import annotations

STAR_HOURS = (100, 300, 600, 1000, 1500)  # one to five stars


def hours_text(minutes: int) -> str:
    """Minutes as hours with at most one decimal, without trailing zeros."""
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".")


def star_level(minutes: int) -> int:
    """Stars by cumulative verified hours: 100, 300, 600, 1,000 and 1,500 hours."""
    hours = minutes // 60
    return sum(1 for h in STAR_HOURS if hours >= h)


def next_star_hours(stars: int) -> int | None:
    """The cumulative hours of the next star after ``stars``, or None at five stars."""
    return STAR_HOURS[stars] if stars < len(STAR_HOURS) else None
