"""Pure rules: service time from attendance scans, and hours into credit points.

**Service time.** Check-ins and check-outs pair in time order; each pair's interval is clipped to
the activity window (travel before or after is not service); the clipped minutes add up and
round *down* to the policy's step (default 30 minutes). A check-in with no check-out earns
nothing until the organiser enters the time with a reason.

**Points.** A volunteer's verified hours in a calendar year (Beijing time) earn points along
brackets of the year's cumulative hours: by default hours 1–20 one point per hour, 21–80 one per
2 hours, 81–200 one per 3 hours, beyond 200 one per 4 hours, and at most 100 points a year. A
record that brings the year's hours from ``before`` to ``before + h`` earns
``floor(P(before + h)) − floor(P(before))`` where ``P`` is the piecewise-linear points curve, so
fractions carry over between records and the points of a year never depend on how its hours
were split; the yearly cap then trims.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DEFAULT_BRACKETS: list[list[int | None]] = [[20, 1], [80, 2], [200, 3], [None, 4]]
DEFAULT_YEARLY_CAP = 100
DEFAULT_ROUNDING = 30


@dataclass(frozen=True)
class Policy:
    brackets: Sequence[Sequence[int | None]] = field(default_factory=lambda: DEFAULT_BRACKETS)
    yearly_cap: int = DEFAULT_YEARLY_CAP
    rounding_minutes: int = DEFAULT_ROUNDING

    def curve(self, minutes: int) -> Fraction:
        """P: the (fractional) points that ``minutes`` of verified service in one year earn
        before the cap."""
        hours = Fraction(minutes, 60)
        total, lower = Fraction(0), Fraction(0)
        for upper, per_point in self.brackets:
            assert per_point is not None
            assert per_point > 0
            top = hours if upper is None else min(hours, Fraction(upper))
            if top > lower:
                total += (top - lower) / per_point
            if upper is None or hours <= upper:
                break
            lower = Fraction(upper)
        return total

    def points(self, *, minutes_before: int, minutes: int, points_before: int) -> int:
        """Points for ``minutes`` more service after ``minutes_before`` in the year, when
        ``points_before`` were already awarded that year."""
        raw = math.floor(self.curve(minutes_before + minutes)) - math.floor(self.curve(minutes_before))
        return max(0, min(raw, self.yearly_cap - points_before))

    def round(self, minutes: int) -> int:
        step = max(1, self.rounding_minutes)
        return (minutes // step) * step


def validate_brackets(brackets: Any) -> list[list[int | None]]:
    """Check the shape of a brackets list (rising upper bounds, the last open). ValueError."""
    if not isinstance(brackets, list) or not brackets:
        raise ValueError("brackets must be a non-empty list")
    last = 0
    out: list[list[int | None]] = []
    for i, b in enumerate(brackets):
        if not isinstance(b, list | tuple) or len(b) != 2:
            raise ValueError(f"bracket {i + 1}: [upper hours or null, hours per point]")
        upper, per = b
        if not isinstance(per, int) or per < 1:
            raise ValueError(f"bracket {i + 1}: hours per point must be a whole number ≥ 1")
        if upper is None:
            if i != len(brackets) - 1:
                raise ValueError("only the last bracket may be open")
        elif not isinstance(upper, int) or upper <= last:
            raise ValueError(f"bracket {i + 1}: upper bounds must rise")
        else:
            last = upper
        out.append([upper, per])
    if out[-1][0] is not None:
        raise ValueError("the last bracket must be open (null upper bound)")
    return out


@dataclass
class Attendance:
    """Service time and flags of one volunteer at one activity, from their accepted scans."""

    minutes: int = 0  # rounded
    raw_minutes: int = 0
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    flags: list[str] = field(default_factory=list)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


def attendance_from_scans(
    scans: Iterable[Any],
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    policy: Policy,
    early_grace: dt.timedelta = dt.timedelta(0),
) -> Attendance:
    """``scans``: objects with ``kind`` ("in"/"out"), ``at``, ``accepted``, ``problem`` and
    ``flags``. Refused scans only raise flags (duplicates); accepted ones make the intervals.
    Only time inside the activity counts; a check-in before the start is flagged as outside the
    activity's time only when it is earlier than ``early_grace`` before the start (volunteers
    arrive a little early to get ready)."""
    out = Attendance()
    open_in: dt.datetime | None = None
    seconds = 0
    for s in sorted(scans, key=lambda s: s.at):
        if not s.accepted:
            if s.problem in ("duplicate", "already_in", "not_in", "replayed"):
                out.flag("duplicate_scans")
            continue
        for f in s.flags or []:
            out.flag(f)
        if s.kind == "in":
            if open_in is None:
                open_in = s.at
            continue
        if open_in is None:
            continue
        if open_in < starts_at - early_grace or s.at > ends_at:
            out.flag("beyond_window")
        a, b = max(open_in, starts_at), min(s.at, ends_at)
        if b > a:
            seconds += int((b - a).total_seconds())
            out.started_at = a if out.started_at is None else min(out.started_at, a)
            out.ended_at = b if out.ended_at is None else max(out.ended_at, b)
        open_in = None
    if open_in is not None:
        out.flag("missing_checkout")
    out.raw_minutes = seconds // 60
    out.minutes = policy.round(out.raw_minutes)
    return out


def overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
