"""JSON endpoints of a canteen's cooks (certificates, trainings), rota, clinics and pre-meal
sessions; the pages call the same services. Operations that name a canteen or a clinic in their
path are gated: the right to it is asked before the request is read (missing and forbidden are
the same 404)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.domain.cooks import week_label, week_monday
from rongxin.canteens.models import ClinicVisit, HealthCertificate, RotaSlot, Training
from rongxin.canteens.permissions.cooks import (
    access_canteen_for_cooks,
    access_canteen_for_reading_cooks,
    access_clinic,
    clinic_list_regions,
)
from rongxin.canteens.selectors.clinics import clinics_of, premeal_sessions, upcoming_clinics
from rongxin.canteens.selectors.cooks import cooks_of, rota_week
from rongxin.canteens.services.clinics import clinic_cancel, clinic_record, clinic_schedule
from rongxin.canteens.services.cooks import health_certificate_record, training_record
from rongxin.canteens.services.premeal import premeal_schedule
from rongxin.canteens.services.rota import rota_place, rota_remove
from rongxin.core import clock
from rongxin.core.errors import field_error
from rongxin.lectures.models import Session

router = Router(tags=["canteens"])


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


Instant = Annotated[dt.datetime, AfterValidator(_local)]


def _reads(user: Any, canteen_id: int, **_: Any) -> None:
    access_canteen_for_reading_cooks(user, canteen_id)


def _keeps(user: Any, canteen_id: int, **_: Any) -> None:
    access_canteen_for_cooks(user, canteen_id)


def _clinic(user: Any, clinic_id: int, **_: Any) -> None:
    access_clinic(user, clinic_id)


# --- Schemas ------------------------------------------------------------------------------------
class CanteenCookCertificateIn(Schema):
    volunteer_number: str = Field(max_length=40)
    number: str = Field(max_length=80)
    issuer: str = Field(max_length=200)
    issued_on: str = Field(max_length=20, description="YYYY-MM-DD")
    expires_on: str = Field(max_length=20, description="YYYY-MM-DD, after the issue date")


class CanteenCookCertificateOut(Schema):
    id: int
    volunteer_number: str
    number: str
    issuer: str
    issued_on: dt.date
    expires_on: dt.date
    reminded_at: Instant | None


class CanteenCookTrainingIn(Schema):
    volunteer_number: str = Field(max_length=40)
    course: str = Field(max_length=200)
    provider: str = Field(max_length=200)
    on: str = Field(max_length=20, description="YYYY-MM-DD")
    hours: str = Field(max_length=10, description="More than 0, at most 99.9")


class CanteenCookTrainingOut(Schema):
    id: int
    volunteer_number: str
    course: str
    provider: str
    on: dt.date
    hours: Decimal


class CanteenCookOut(Schema):
    volunteer_number: str
    name: str
    certificate_state: str = Field(description="valid | expiring | expired | none")
    certificate: CanteenCookCertificateOut | None
    trainings: list[CanteenCookTrainingOut]


class CanteenRotaPlaceIn(Schema):
    on: str = Field(max_length=20, description="YYYY-MM-DD, a meal day not past")
    duty: str = Field(max_length=10, description="cook | serve | deliver")
    volunteer_number: str = Field(max_length=40)
    insured: bool = Field(False, description="Accident insurance arranged (delivering needs it).")


class CanteenRotaRemoveIn(Schema):
    on: str = Field(max_length=20)
    volunteer_number: str = Field(max_length=40)


class CanteenRotaSlotOut(Schema):
    id: int
    date: dt.date
    duty: str
    volunteer_number: str
    name: str
    activity_id: int
    removed_at: Instant | None


class CanteenRotaDayOut(Schema):
    date: dt.date
    meal_day: bool
    places: list[CanteenRotaSlotOut]


class CanteenRotaWeekOut(Schema):
    week: str
    days: list[CanteenRotaDayOut]


class CanteenRotaQuery(Schema):
    week: str = Field("", max_length=10, description="YYYY-Www; this week when empty")


class CanteenClinicIn(Schema):
    provider_kind: str = Field(max_length=20, description="hospital | health | civil_affairs | other")
    provider_name: str = Field(max_length=200)
    services: str = Field(max_length=400)
    starts_at: dt.datetime = Field(description="Needs a time zone.")
    ends_at: dt.datetime


class CanteenClinicRecordIn(Schema):
    staff: str = Field(max_length=600)
    elders_seen: int
    note: str = Field("", max_length=400)


class CanteenClinicCancelIn(Schema):
    reason: str = Field(max_length=400)


class CanteenClinicOut(Schema):
    id: int
    canteen_id: int
    canteen_name: str
    provider_kind: str
    provider_name: str
    services: str
    starts_at: Instant
    ends_at: Instant
    status: str
    staff: str
    elders_seen: int | None
    note: str


class CanteenClinicListOut(Schema):
    upcoming: list[CanteenClinicOut]
    past: list[CanteenClinicOut]


class CanteenPreMealIn(Schema):
    title: str = Field(max_length=240)
    starts_at: dt.datetime = Field(description="Needs a time zone.")
    ends_at: dt.datetime = Field(description="At most an hour after the start.")
    team_id: int | None = None
    speaker_ids: list[int] = Field(default_factory=list, max_length=20)


class CanteenPreMealOut(Schema):
    id: int
    title: str
    status: str
    starts_at: Instant
    ends_at: Instant


class CanteenPreMealListOut(Schema):
    upcoming: list[CanteenPreMealOut]
    recent: list[CanteenPreMealOut]


# --- Presenters ---------------------------------------------------------------------------------
def certificate_out(c: HealthCertificate) -> CanteenCookCertificateOut:
    return CanteenCookCertificateOut(
        id=c.pk,
        volunteer_number=c.volunteer.number,
        number=c.number,
        issuer=c.issuer,
        issued_on=c.issued_on,
        expires_on=c.expires_on,
        reminded_at=c.reminded_at,
    )


def training_out(t: Training) -> CanteenCookTrainingOut:
    return CanteenCookTrainingOut(
        id=t.pk,
        volunteer_number=t.volunteer.number,
        course=t.course,
        provider=t.provider,
        on=t.on,
        hours=t.hours,
    )


def slot_out(s: RotaSlot) -> CanteenRotaSlotOut:
    return CanteenRotaSlotOut(
        id=s.pk,
        date=s.date,
        duty=s.duty,
        volunteer_number=s.volunteer.number,
        name=s.volunteer.subject.name,
        activity_id=s.activity_id,
        removed_at=s.removed_at,
    )


def clinic_out(c: ClinicVisit) -> CanteenClinicOut:
    return CanteenClinicOut(
        id=c.pk,
        canteen_id=c.canteen_id,
        canteen_name=c.canteen.name,
        provider_kind=c.provider_kind,
        provider_name=c.provider_name,
        services=c.services,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        status=c.status,
        staff=c.staff,
        elders_seen=c.elders_seen,
        note=c.note,
    )


def premeal_out(s: Session) -> CanteenPreMealOut:
    return CanteenPreMealOut(id=s.pk, title=s.title, status=s.status, starts_at=s.starts_at, ends_at=s.ends_at)


# --- Operations ---------------------------------------------------------------------------------
@router.get(
    "/{int:canteen_id}/cooks",
    response=list[CanteenCookOut],
    operation_id="canteens_cooks",
    auth=gated(_reads),
)
def cooks(request: SignedInRequest, canteen_id: int) -> list[CanteenCookOut]:
    """The canteen's cooks with the state of their latest health certificate and their trainings."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    return [
        CanteenCookOut(
            volunteer_number=r.volunteer.number,
            name=r.name,
            certificate_state=r.state,
            certificate=certificate_out(r.certificate) if r.certificate else None,
            trainings=[training_out(t) for t in r.trainings],
        )
        for r in cooks_of(canteen, today=clock.today_local())
    ]


@router.post(
    "/{int:canteen_id}/cooks/certificates",
    response={201: CanteenCookCertificateOut},
    operation_id="canteens_cook_certificate_create",
    auth=gated(_keeps),
)
def certificate_new(
    request: SignedInRequest, canteen_id: int, payload: CanteenCookCertificateIn
) -> Status[CanteenCookCertificateOut]:
    """Record a cook's health certificate (village staff). 409 for the same number twice."""
    cert = health_certificate_record(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return Status(201, certificate_out(cert))


@router.post(
    "/{int:canteen_id}/cooks/trainings",
    response={201: CanteenCookTrainingOut},
    operation_id="canteens_cook_training_create",
    auth=gated(_keeps),
)
def training_new(
    request: SignedInRequest, canteen_id: int, payload: CanteenCookTrainingIn
) -> Status[CanteenCookTrainingOut]:
    """Record a food-safety training a cook attended (village staff)."""
    return Status(201, training_out(training_record(actor=request.user, canteen_id=canteen_id, **payload.dict())))


@router.get(
    "/{int:canteen_id}/rota",
    response=CanteenRotaWeekOut,
    operation_id="canteens_rota",
    auth=gated(_reads),
)
def rota(request: SignedInRequest, canteen_id: int, filters: Query[CanteenRotaQuery]) -> CanteenRotaWeekOut:
    """One week of the rota, Monday to Sunday, with the cooks placed by duty."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    today = clock.today_local()
    monday = today - dt.timedelta(days=today.weekday())
    if filters.week:
        monday_or_none = week_monday(filters.week)
        if monday_or_none is None:
            raise field_error("week", _("Enter a week as YYYY-Www, e.g. 2026-W10."), code="invalid_week")
        monday = monday_or_none
    return CanteenRotaWeekOut(
        week=week_label(monday),
        days=[
            CanteenRotaDayOut(date=d.day, meal_day=d.meal_day, places=[slot_out(s) for cell in d.cells for s in cell])
            for d in rota_week(canteen, monday)
        ],
    )


@router.post(
    "/{int:canteen_id}/rota",
    response={201: CanteenRotaSlotOut},
    operation_id="canteens_rota_place",
    auth=gated(_keeps),
)
def rota_new(request: SignedInRequest, canteen_id: int, payload: CanteenRotaPlaceIn) -> Status[CanteenRotaSlotOut]:
    """Put a cook on the rota: they are invited to the day's activity. 422 when their latest
    health certificate has expired by the day; 403 when you do not organise the cook team."""
    return Status(201, slot_out(rota_place(actor=request.user, canteen_id=canteen_id, **payload.dict())))


@router.post(
    "/{int:canteen_id}/rota/remove",
    response=CanteenRotaSlotOut,
    operation_id="canteens_rota_remove",
    auth=gated(_keeps),
)
def rota_off(request: SignedInRequest, canteen_id: int, payload: CanteenRotaRemoveIn) -> CanteenRotaSlotOut:
    """Take a cook off a day's rota before the work starts; their invitation or sign-up is cancelled."""
    return slot_out(rota_remove(actor=request.user, canteen_id=canteen_id, **payload.dict()))


@router.get(
    "/{int:canteen_id}/clinics",
    response=CanteenClinicListOut,
    operation_id="canteens_clinics",
    auth=gated(_reads),
)
def clinics(request: SignedInRequest, canteen_id: int) -> CanteenClinicListOut:
    """The canteen's clinics to come and past ones."""
    upcoming, past = clinics_of(access_canteen_for_reading_cooks(request.user, canteen_id))
    return CanteenClinicListOut(upcoming=[clinic_out(c) for c in upcoming], past=[clinic_out(c) for c in past])


@router.post(
    "/{int:canteen_id}/clinics",
    response={201: CanteenClinicOut},
    operation_id="canteens_clinic_schedule",
    auth=gated(_reads),
)
def clinic_new(request: SignedInRequest, canteen_id: int, payload: CanteenClinicIn) -> Status[CanteenClinicOut]:
    """Schedule a clinic (town officer, administrators, village staff)."""
    return Status(201, clinic_out(clinic_schedule(actor=request.user, canteen_id=canteen_id, **payload.dict())))


@router.post(
    "/clinics/{int:clinic_id}/record",
    response=CanteenClinicOut,
    operation_id="canteens_clinic_record",
    auth=gated(_clinic),
)
def clinic_done(request: SignedInRequest, clinic_id: int, payload: CanteenClinicRecordIn) -> CanteenClinicOut:
    """Record who came and how many elders were seen, once the clinic has started."""
    return clinic_out(clinic_record(actor=request.user, clinic_id=clinic_id, **payload.dict()))


@router.post(
    "/clinics/{int:clinic_id}/cancel",
    response=CanteenClinicOut,
    operation_id="canteens_clinic_cancel",
    auth=gated(_clinic),
)
def clinic_off(request: SignedInRequest, clinic_id: int, payload: CanteenClinicCancelIn) -> CanteenClinicOut:
    """Cancel a scheduled clinic, with a reason."""
    return clinic_out(clinic_cancel(actor=request.user, clinic_id=clinic_id, reason=payload.reason))


@router.get("/clinics/upcoming", response=list[CanteenClinicOut], operation_id="canteens_clinics_upcoming")
def clinics_coming(request: SignedInRequest) -> list[CanteenClinicOut]:
    """Upcoming clinics at canteens of the county (administrators) or your town (town officers)."""
    return [clinic_out(c) for c in upcoming_clinics(clinic_list_regions(request.user))]


@router.get(
    "/{int:canteen_id}/pre-meal",
    response=CanteenPreMealListOut,
    operation_id="canteens_premeal",
    auth=gated(_reads),
)
def premeal(request: SignedInRequest, canteen_id: int) -> CanteenPreMealListOut:
    """The canteen's pre-meal sessions (lecture sessions of format ``pre_meal`` at its venue)."""
    upcoming, recent = premeal_sessions(access_canteen_for_reading_cooks(request.user, canteen_id))
    return CanteenPreMealListOut(upcoming=[premeal_out(s) for s in upcoming], recent=[premeal_out(s) for s in recent])


@router.post(
    "/{int:canteen_id}/pre-meal",
    response={201: CanteenPreMealOut},
    operation_id="canteens_premeal_schedule",
    auth=gated(_reads),
)
def premeal_new(request: SignedInRequest, canteen_id: int, payload: CanteenPreMealIn) -> Status[CanteenPreMealOut]:
    """Schedule a pre-meal session through the lectures service (town officers, lecture
    administrators, lecture team leaders and speakers, under lectures' rules)."""
    return Status(201, premeal_out(premeal_schedule(actor=request.user, canteen_id=canteen_id, **payload.dict())))
