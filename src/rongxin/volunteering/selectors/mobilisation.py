"""Reads of call-outs: the list, and a call-out with its shifts, duty roster and daily counts.
Call-outs are public; who is on duty is for their administrators (the presenters decide)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.volunteering.models import CallOut, Duty, Shift
from rongxin.volunteering.permissions import own_volunteer_or_none, signed_in


def callout_list(*, status: str = "") -> list[CallOut]:
    qs = CallOut.objects.select_related("region").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return list(qs[:200])


@dataclass
class DayCount:
    day: dt.date
    people: int
    volunteers: int

    @property
    def volunteer_share(self) -> Decimal:
        return (Decimal(self.volunteers) / self.people * 100).quantize(Decimal("0.1")) if self.people else Decimal(0)


@dataclass
class CallOutView:
    callout: CallOut
    shifts: list[Shift]
    on_duty: dict[int, list[Duty]] = field(default_factory=dict)
    days: list[DayCount] = field(default_factory=list)
    my_shifts: set[int] = field(default_factory=set)


def callout_view(*, actor: User | AnonymousUser, callout_id: int) -> CallOutView:
    """A call-out with its shifts, the daily duty roster, and per day the people on duty and
    the share who are volunteers (a person on two shifts in a day counts once)."""
    callout = CallOut.objects.select_related("region").filter(pk=callout_id).first()
    if callout is None:
        raise NotFound()
    shifts = list(callout.shifts.all())
    duties = list(
        Duty.objects.filter(shift__callout=callout, status=Duty.Status.ON_DUTY).select_related("volunteer__subject")
    )
    by_shift: dict[int, list[Duty]] = defaultdict(list)
    for d in duties:
        by_shift[d.shift_id].append(d)
    shift_day = {s.pk: s.starts_at.astimezone(clock.LOCAL_TZ).date() for s in shifts}
    people: dict[dt.date, set[str]] = defaultdict(set)
    vols: Counter[dt.date] = Counter()
    for d in duties:
        day = shift_day[d.shift_id]
        key = f"v{d.volunteer_id}" if d.volunteer_id else f"s{d.staff_name}"
        if key not in people[day] and d.volunteer_id:
            vols[day] += 1
        people[day].add(key)
    me = own_volunteer_or_none(actor) if signed_in(actor) else None
    return CallOutView(
        callout=callout,
        shifts=shifts,
        on_duty=dict(by_shift),
        days=[DayCount(day=d, people=len(people[d]), volunteers=vols[d]) for d in sorted(people)],
        my_shifts={d.shift_id for d in duties if me and d.volunteer_id == me.pk},
    )
