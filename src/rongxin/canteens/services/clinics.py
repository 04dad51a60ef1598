"""Clinics at canteens: visits by hospitals and the health and civil-affairs departments,
scheduled ahead, then recorded (who came, how many elders were seen) or cancelled.

Scheduled, recorded and cancelled by the canteen's town officer, canteen administrators and the
canteen's village staff (:func:`rongxin.canteens.permissions.common.runs_canteen`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen, ClinicVisit
from rongxin.canteens.permissions.common import access_canteen, acting_role
from rongxin.canteens.permissions.cooks import access_clinic
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text

MAX_HOURS = 12
MAX_DAYS_AHEAD = 366
# Elders seen may include village elders not enrolled at the canteen, but not many more.
SEEN_MARGIN = 100


def _aware(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise field_error(field, _("Enter a date and time."), code="required")
    if value.tzinfo is None:
        raise field_error(field, _("The time needs a time zone."), code="naive_time")
    return value


def _count(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None or value == "":
        raise field_error(field, _("Enter a whole number."), code="required")
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise field_error(field, _("Enter a whole number."), code="invalid_number")
    return int(text)


@transaction.atomic
def clinic_schedule(
    *,
    actor: User,
    canteen_id: int,
    provider_kind: str,
    provider_name: str,
    services: str,
    starts_at: Any,
    ends_at: Any,
) -> ClinicVisit:
    """Schedule a clinic at the canteen. Writes the visit and an audit row. Raises NotFound (no
    right), InvalidInput (bad provider or times), Conflict (a closed canteen, the same visit
    twice)."""
    canteen = access_canteen(actor, canteen_id)
    if provider_kind not in ClinicVisit.ProviderKind.values:
        raise field_error("provider_kind", _("Choose who holds the clinic."), code="invalid_choice")
    name = clean_text(provider_name, field="provider_name", required=True, max_length=100, multiline=False)
    what = clean_text(services, field="services", required=True, max_length=200, multiline=False)
    starts, ends = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if ends <= starts:
        raise field_error("ends_at", _("The end must be after the start."), code="ends_before_start")
    if ends - starts > dt.timedelta(hours=MAX_HOURS):
        raise field_error("ends_at", _("A clinic lasts at most %(n)d hours.") % {"n": MAX_HOURS}, code="too_long")
    now = clock.now()
    if starts <= now:
        raise field_error("starts_at", _("The clinic must start in the future."), code="start_in_past")
    if starts > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise field_error("starts_at", _("A clinic is scheduled at most a year ahead."), code="start_too_far")
    if canteen.status == Canteen.Status.CLOSED:
        raise Conflict(_("This canteen is closed."), code="canteen_closed")
    # The canteen's row lock serialises two submits of the same visit, so the second finds the first.
    Canteen.objects.select_for_update().filter(pk=canteen.pk).first()
    if ClinicVisit.objects.filter(
        canteen=canteen, provider_name=name, starts_at=starts, status=ClinicVisit.Status.SCHEDULED
    ).exists():
        raise Conflict(_("This clinic is scheduled already."), code="duplicate_clinic")
    clinic = ClinicVisit.objects.create(
        canteen=canteen,
        provider_kind=provider_kind,
        provider_name=name,
        services=what,
        starts_at=starts,
        ends_at=ends,
        created_at=now,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        role=acting_role(actor, canteen.village),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_clinic.schedule",
        object_type="clinic_visit",
        object_id=clinic.pk,
        details={"canteen": canteen.pk, "provider": provider_kind},
    )
    return clinic


@transaction.atomic
def clinic_record(*, actor: User, clinic_id: int, staff: str, elders_seen: Any, note: str = "") -> ClinicVisit:
    """Record a clinic once it has started: who came and how many elders were seen (at most the
    canteen's enrolled elders and a margin for other village elders). Writes the outcome and an
    audit row. Raises NotFound (no right), InvalidInput, Conflict (not started yet, recorded or
    cancelled already)."""
    clinic = access_clinic(actor, clinic_id, lock=True)
    came = clean_text(staff, field="staff", required=True, max_length=300, multiline=False)
    text = clean_text(note, field="note", required=False, max_length=200, multiline=False)
    seen = _count(elders_seen, "elders_seen")
    limit = clinic.canteen.elder_count + SEEN_MARGIN
    if not (0 <= seen <= limit):
        raise field_error(
            "elders_seen",
            _("Elders seen is a whole number from 0 to %(n)d (the enrolled elders and %(m)d more).")
            % {"n": limit, "m": SEEN_MARGIN},
            code="elders_seen_range",
        )
    if clinic.status != ClinicVisit.Status.SCHEDULED:
        raise Conflict(_("This clinic is recorded or cancelled already."), code="clinic_done")
    now = clock.now()
    if now < clinic.starts_at:
        raise Conflict(_("The clinic has not started yet."), code="clinic_not_started")
    clinic.status, clinic.staff, clinic.elders_seen, clinic.note = ClinicVisit.Status.HELD, came, seen, text
    clinic.recorded_at, clinic.recorded_by = now, actor
    clinic.save(update_fields=["status", "staff", "elders_seen", "note", "recorded_at", "recorded_by"])
    audit_record(
        actor=actor,
        role=acting_role(actor, clinic.canteen.village),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_clinic.record",
        object_type="clinic_visit",
        object_id=clinic.pk,
        details={"elders_seen": seen},
    )
    return clinic


@transaction.atomic
def clinic_cancel(*, actor: User, clinic_id: int, reason: str) -> ClinicVisit:
    """Cancel a scheduled clinic, with a reason (kept in the note). Raises NotFound (no right),
    InvalidInput (no reason), Conflict (recorded or cancelled already)."""
    clinic = access_clinic(actor, clinic_id, lock=True)
    why = clean_text(reason, field="reason", required=True, max_length=200, multiline=False)
    if clinic.status != ClinicVisit.Status.SCHEDULED:
        raise Conflict(_("This clinic is recorded or cancelled already."), code="clinic_done")
    clinic.status, clinic.note = ClinicVisit.Status.CANCELLED, why
    clinic.save(update_fields=["status", "note"])
    audit_record(
        actor=actor,
        role=acting_role(actor, clinic.canteen.village),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_clinic.cancel",
        object_type="clinic_visit",
        object_id=clinic.pk,
        details={"reason": why},
    )
    return clinic
