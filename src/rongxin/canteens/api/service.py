"""JSON endpoints of a canteen's elders and daily lunch (the pages call the same services and
selectors): list and enrol elders, change one or record their leave; read and record a day
(a second record appends a revision); the days of a range with the missing ones marked.

Operations that name a canteen or an elder in their path are gated: the right to it is asked
before the request is read (missing and forbidden are the same 404). Elders' names reach village
staff of the canteen's village only; ID numbers only masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.models import Elder, ServiceDay
from rongxin.canteens.permissions.common import access_canteen
from rongxin.canteens.permissions.elders import access_canteen_staff, access_elder
from rongxin.canteens.selectors.elders import elder_row, elders_of
from rongxin.canteens.selectors.service_days import service_day_detail, service_days
from rongxin.canteens.services.elders import elder_enrol, elder_leave, elder_update
from rongxin.canteens.services.service_days import service_day_record
from rongxin.core import clock

router = Router(tags=["canteens"])


def _staff_gate(user: Any, canteen_id: int, **_: Any) -> None:
    access_canteen_staff(user, canteen_id)


def _runs_gate(user: Any, canteen_id: int, **_: Any) -> None:
    access_canteen(user, canteen_id)


def _elder_gate(user: Any, elder_id: int, **_: Any) -> None:
    access_elder(user, elder_id)


def _elder_or_own_gate(user: Any, elder_id: int, **_: Any) -> None:
    access_elder(user, elder_id, allow_own=True)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


# --- Schemas ------------------------------------------------------------------------------------
class CanteenElderOut(Schema):
    id: int
    canteen_id: int
    subject_id: int
    name: str
    id_number_masked: str
    enrolled_on: dt.date
    consent_by: str
    consent_name: str
    consent_relation: str
    dietary_note: str
    needs_delivery: bool
    left_on: dt.date | None
    left_reason: str


class CanteenElderList(Schema):
    canteen_id: int
    elder_count: int
    items: list[CanteenElderOut]


class CanteenElderIn(Schema):
    subject_id: int | None = Field(None, description="The resident's credit file; or give ``id_number``.")
    id_number: str | None = Field(None, max_length=40, description="The resident's ID number (looked up, not stored).")
    consent_by: str = Field(description="self | family")
    consent_name: str = Field("", max_length=200, description="The family member who consents.")
    consent_relation: str = Field("", max_length=100)
    dietary_note: str = Field("", max_length=1000)
    needs_delivery: bool = False


class CanteenElderPatch(Schema):
    dietary_note: str | None = Field(None, max_length=1000)
    needs_delivery: bool | None = None


class CanteenElderLeaveIn(Schema):
    reason: str = Field("", max_length=1000, description="Required from staff; the elder may leave without one.")


class CanteenDayOut(Schema):
    canteen_id: int
    date: dt.date
    revision: int
    current: bool
    eat_in: int
    delivered: int
    walk_ins: int
    note: str
    recorded_at: dt.datetime
    recorded_by: str


class CanteenDayMealOut(Schema):
    subject_id: int
    name: str
    kind: str = Field(description="eat_in | delivered")


class CanteenDayDetailOut(Schema):
    canteen_id: int
    date: dt.date
    state: str = Field(description="recorded | missing (nothing recorded yet)")
    current: CanteenDayOut | None
    meals: list[CanteenDayMealOut] = Field(description="The current revision's meals.")
    revisions: list[CanteenDayOut] = Field(description="Every revision, latest first.")


class CanteenDayIn(Schema):
    eat_in: list[int] = Field(default_factory=list, max_length=1000, description="Subject ids of elders who ate in.")
    delivered: list[int] = Field(
        default_factory=list, max_length=1000, description="Subject ids of elders who got a delivery."
    )
    walk_ins: int = Field(0, description="0 … three times the seats.")
    note: str = Field("", max_length=1000)


class CanteenDayLineOut(Schema):
    date: dt.date
    state: str = Field(description="recorded | missing (a meal day without a record) | no_meal")
    current: CanteenDayOut | None


class CanteenDaysOut(Schema):
    canteen_id: int
    date_from: dt.date
    date_to: dt.date
    missing: int
    items: list[CanteenDayLineOut]


class CanteenDaysQuery(Schema):
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")


# --- Presenters ---------------------------------------------------------------------------------
def elder_out(e: Elder) -> CanteenElderOut:
    return CanteenElderOut(
        id=e.pk,
        canteen_id=e.canteen_id,
        subject_id=e.subject_id,
        name=e.subject.name,
        id_number_masked=e.subject.person.id_number_masked,
        enrolled_on=e.enrolled_on,
        consent_by=e.consent_by,
        consent_name=e.consent_name,
        consent_relation=e.consent_relation,
        dietary_note=e.dietary_note,
        needs_delivery=e.needs_delivery,
        left_on=e.left_on,
        left_reason=e.left_reason,
    )


def day_out(d: ServiceDay) -> CanteenDayOut:
    return CanteenDayOut(
        canteen_id=d.canteen_id,
        date=d.date,
        revision=d.revision,
        current=d.current,
        eat_in=d.eat_in,
        delivered=d.delivered,
        walk_ins=d.walk_ins,
        note=d.note,
        recorded_at=_local(d.recorded_at),
        recorded_by=d.recorded_by.display_name if d.recorded_by else "",
    )


# --- Operations ---------------------------------------------------------------------------------
@router.get(
    "/{int:canteen_id}/elders",
    response=CanteenElderList,
    operation_id="canteens_elders",
    auth=gated(_staff_gate),
)
def elders(request: SignedInRequest, canteen_id: int) -> CanteenElderList:
    """The canteen's current elders by name (village staff of its village only; audited)."""
    listing = elders_of(actor=request.user, canteen_id=canteen_id)
    return CanteenElderList(
        canteen_id=canteen_id, elder_count=len(listing.current), items=[elder_out(e) for e in listing.current]
    )


@router.post(
    "/{int:canteen_id}/elders",
    response={201: CanteenElderOut},
    operation_id="canteens_elder_enrol",
    auth=gated(_staff_gate),
)
def elder_new(request: SignedInRequest, canteen_id: int, payload: CanteenElderIn) -> Status[CanteenElderOut]:
    """Enrol a resident of the canteen's village aged 60 or more (by credit file or ID number),
    with their own or a family member's consent. 409 when enrolled in a canteen already or the
    canteen is not open or paused; 422 for a resident too young or not of the village."""
    e = elder_enrol(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return Status(201, elder_out(elder_row(e.pk)))


@router.patch(
    "/elders/{int:elder_id}",
    response=CanteenElderOut,
    operation_id="canteens_elder_update",
    auth=gated(_elder_gate),
)
def elder_patch(request: SignedInRequest, elder_id: int, payload: CanteenElderPatch) -> CanteenElderOut:
    """Change a current elder's dietary note or delivery (the fields sent; village staff)."""
    elder_update(actor=request.user, elder_id=elder_id, **payload.dict(exclude_unset=True, exclude_none=True))
    return elder_out(elder_row(elder_id))


@router.post(
    "/elders/{int:elder_id}/leave",
    response=CanteenElderOut,
    operation_id="canteens_elder_leave",
    auth=gated(_elder_or_own_gate),
)
def elder_leave_op(request: SignedInRequest, elder_id: int, payload: CanteenElderLeaveIn) -> CanteenElderOut:
    """Record that the elder leaves today: by village staff (with a reason) or by the elder
    themself. 409 when they have left already."""
    elder_leave(actor=request.user, elder_id=elder_id, reason=payload.reason)
    return elder_out(elder_row(elder_id))


@router.get(
    "/{int:canteen_id}/days",
    response=CanteenDaysOut,
    operation_id="canteens_days",
    auth=gated(_runs_gate),
)
def days(request: SignedInRequest, canteen_id: int, filters: Query[CanteenDaysQuery]) -> CanteenDaysOut:
    """The canteen's days from ``from`` to ``to`` (at most 366 days, up to today), latest first;
    a meal day without a record is ``missing``, not zero. Counts only."""
    _canteen, lines = service_days(
        actor=request.user, canteen_id=canteen_id, date_from=filters.date_from, date_to=filters.date_to
    )
    return CanteenDaysOut(
        canteen_id=canteen_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
        missing=sum(1 for x in lines if x.missing),
        items=[CanteenDayLineOut(date=x.date, state=x.state, current=day_out(x.day) if x.day else None) for x in lines],
    )


def _detail(request: SignedInRequest, canteen_id: int, on: dt.date) -> CanteenDayDetailOut:
    d = service_day_detail(actor=request.user, canteen_id=canteen_id, on=on)
    return CanteenDayDetailOut(
        canteen_id=canteen_id,
        date=on,
        state="recorded" if d.current is not None else "missing",
        current=day_out(d.current) if d.current else None,
        meals=[CanteenDayMealOut(subject_id=sid, name=name, kind=kind) for sid, name, kind in d.meals],
        revisions=[day_out(x) for x in d.revisions],
    )


@router.get(
    "/{int:canteen_id}/days/{on}",
    response=CanteenDayDetailOut,
    operation_id="canteens_day",
    auth=gated(_staff_gate),
)
def day(request: SignedInRequest, canteen_id: int, on: dt.date) -> CanteenDayDetailOut:
    """One day: its current record with the meals by elder, and every revision (village staff)."""
    return _detail(request, canteen_id, on)


@router.put(
    "/{int:canteen_id}/days/{on}",
    response=CanteenDayDetailOut,
    operation_id="canteens_day_record",
    auth=gated(_staff_gate),
)
def day_record(request: SignedInRequest, canteen_id: int, on: dt.date, payload: CanteenDayIn) -> CanteenDayDetailOut:
    """Record the day's lunch (today or up to 7 days back): elders who ate in and who got a
    delivery (subject ids of elders enrolled that day; each in one list) and the walk-ins. A
    second record appends the next revision; the same record twice returns the current one.
    409 when an elder's lunch that day is recorded at another canteen."""
    service_day_record(actor=request.user, canteen_id=canteen_id, on=on, **payload.dict())
    return _detail(request, canteen_id, on)
