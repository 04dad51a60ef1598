"""Mobilisation: a call-out (flood, epidemic checkpoint, clean-up campaign) with shifts at
places. Volunteers respond themselves; the organiser may put staff (who are not volunteers) on
a shift so the daily roster is complete and the share of volunteers on duty is true."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.selectors import region_get_by_code
from rongxin.volunteering.models import CallOut, Duty, Shift
from rongxin.volunteering.permissions import (
    access_callout_for_admin,
    access_shift_for_admin,
    admin_grant,
    own_volunteer,
)
from rongxin.volunteering.services.inputs import aware, clean_person_name, clean_text

MAX_SHIFT_HOURS = 24


@dataclass
class ShiftInput:
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    needed: int


def _clean_shift(s: ShiftInput, index: int) -> dict[str, Any]:
    field = f"shifts.{index}"
    starts, ends = aware(s.starts_at, field=f"{field}.starts_at"), aware(s.ends_at, field=f"{field}.ends_at")
    if ends <= starts:
        raise field_error(f"{field}.ends_at", _("The end must be after the start."), code="ends_before_start")
    if ends - starts > dt.timedelta(hours=MAX_SHIFT_HOURS):
        raise field_error(
            f"{field}.ends_at", _("A shift lasts at most %(n)d hours.") % {"n": MAX_SHIFT_HOURS}, code="too_long"
        )
    if not (1 <= int(s.needed) <= 10_000):
        raise field_error(f"{field}.needed", _("Between 1 and 10,000 people."), code="needed")
    return {
        "place": clean_text(s.place, field=f"{field}.place", required=True, max_length=200),
        "starts_at": starts,
        "ends_at": ends,
        "needed": int(s.needed),
    }


@transaction.atomic
def callout_create(
    *, actor: User, title: str, kind: str, region_code: str, description: str, shifts: list[ShiftInput]
) -> CallOut:
    """A team administrator calls volunteers out in a region within their grant."""
    title = clean_text(title, field="title", required=True, max_length=120)
    if kind not in CallOut.Kind.values:
        raise field_error("kind", _("Choose a kind."), code="invalid_choice")
    region = region_get_by_code(code=region_code, field="region_code")
    grant = admin_grant(actor, region)
    if not shifts:
        raise field_error("shifts", _("Add at least one shift."), code="required")
    cleaned = [_clean_shift(s, i) for i, s in enumerate(shifts)]
    callout = CallOut.objects.create(
        title=title,
        kind=kind,
        region=region,
        description=clean_text(description, field="description", required=False, max_length=4000),
        created_at=clock.now(),
        created_by=actor,
    )
    Shift.objects.bulk_create([Shift(callout=callout, **c) for c in cleaned])
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="callout.create",
        object_type="callout",
        object_id=callout.pk,
        details={"kind": kind, "region": region.code, "shifts": len(cleaned)},
    )
    return callout


def _open_shift(shift_id: int) -> Shift:
    shift = Shift.objects.select_for_update().select_related("callout__region").filter(pk=shift_id).first()
    if shift is None:
        raise NotFound()
    if shift.callout.status != CallOut.Status.OPEN:
        raise Conflict(_("This call-out is closed."), code="callout_closed")
    if clock.now() >= shift.ends_at:
        raise Conflict(_("This shift is over."), code="shift_over")
    return shift


@transaction.atomic
def duty_respond(*, actor: User, shift_id: int) -> Duty:
    """A volunteer answers a call-out by taking a shift (their own decision)."""
    volunteer = own_volunteer(actor)
    shift = _open_shift(shift_id)
    duty = Duty.objects.filter(shift=shift, volunteer=volunteer).first()
    if duty is not None and duty.status == Duty.Status.ON_DUTY:
        raise Conflict(_("You have already taken this shift."), code="already_on_duty")
    if duty is None:
        duty = Duty(shift=shift, volunteer=volunteer)
    duty.status, duty.responded_at = Duty.Status.ON_DUTY, clock.now()
    try:
        with transaction.atomic():
            duty.save()
    except IntegrityError:
        raise Conflict(_("You have already taken this shift."), code="already_on_duty") from None
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="callout.respond",
        object_type="shift",
        object_id=shift.pk,
        subject_id=volunteer.pk,
    )
    return duty


@transaction.atomic
def duty_withdraw(*, actor: User, shift_id: int) -> Duty:
    volunteer = own_volunteer(actor)
    duty = (
        Duty.objects.select_for_update()
        .filter(shift_id=shift_id, volunteer=volunteer, status=Duty.Status.ON_DUTY)
        .first()
    )
    if duty is None:
        raise NotFound()
    if clock.now() >= duty.shift.starts_at:
        raise Conflict(_("The shift has started; tell the organiser instead."), code="shift_started")
    duty.status = Duty.Status.WITHDRAWN
    duty.save(update_fields=["status"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="callout.withdraw",
        object_type="shift",
        object_id=shift_id,
        subject_id=volunteer.pk,
    )
    return duty


@transaction.atomic
def duty_add_staff(*, actor: User, shift_id: int, staff_name: str) -> Duty:
    """The organiser puts a staff member (not a volunteer) on a shift."""
    _shift, grant = access_shift_for_admin(actor, shift_id=shift_id)
    shift = _open_shift(shift_id)
    name = clean_person_name(staff_name, field="staff_name", required=True)
    duty = Duty.objects.create(shift=shift, staff_name=name, responded_at=clock.now(), recorded_by=actor)
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="callout.staff",
        object_type="shift",
        object_id=shift.pk,
        details={"staff": name},
    )
    return duty


@transaction.atomic
def callout_close(*, actor: User, callout_id: int) -> CallOut:
    callout, grant = access_callout_for_admin(actor, callout_id=callout_id, lock=True)
    if callout.status == CallOut.Status.CLOSED:
        raise Conflict(_("This call-out is closed."), code="callout_closed")
    callout.status = CallOut.Status.CLOSED
    callout.save(update_fields=["status"])
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="callout.close",
        object_type="callout",
        object_id=callout.pk,
    )
    return callout
