"""Cooks' health certificates (健康证) and food-safety trainings, recorded by the canteen's
village staff for cooks of the canteen's team.

The latest certificate (the one that expires last) is what counts: a cook whose latest
certificate has expired on a day cannot be put on the rota for that day
(:func:`rongxin.canteens.services.rota.rota_place`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.cooks import normalise_number
from rongxin.canteens.models import HealthCertificate, Training
from rongxin.canteens.permissions.common import staff_role
from rongxin.canteens.permissions.cooks import access_canteen_for_cooks
from rongxin.canteens.selectors.cooks import certificates_to_remind, cook_by_number, manager_subject_ids
from rongxin.canteens.services.inputs import day_value, decimal_value
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.subjects.models import Subject
from rongxin.subjects.services import notice_send
from rongxin.volunteering.models import Volunteer

# A health certificate is issued for a year; anything beyond five is a typing error.
MAX_VALID_YEARS = 5
# Records older than this are not worth keeping (and catch a mistyped year).
MAX_AGE_YEARS = 10
MAX_TRAINING_HOURS = Decimal("99.9")


def _past_day(value: Any, *, field: str, today: dt.date) -> dt.date:
    day = day_value(value, field=field)
    if day > today:
        raise field_error(field, _("The date cannot be in the future."), code="future_date")
    if day < today.replace(year=today.year - MAX_AGE_YEARS):
        raise field_error(
            field, _("The date is more than %(n)d years ago.") % {"n": MAX_AGE_YEARS}, code="date_too_old"
        )
    return day


@transaction.atomic
def health_certificate_record(
    *,
    actor: User,
    canteen_id: int,
    volunteer_number: str,
    number: str,
    issuer: str,
    issued_on: Any,
    expires_on: Any,
) -> HealthCertificate:
    """Record a cook's health certificate (village staff of the canteen). The number is folded
    to ASCII upper case. Writes one certificate and an audit row. Raises NotFound (no right),
    InvalidInput (not a cook, a bad number or dates), Conflict (this number is recorded for the
    cook already)."""
    canteen = access_canteen_for_cooks(actor, canteen_id)
    today = clock.today_local()
    cook = cook_by_number(canteen, volunteer_number)
    # One writer per cook at a time, so a double submit finds the first row instead of a second.
    Volunteer.objects.select_for_update().filter(pk=cook.pk).first()
    text = clean_text(number, field="number", required=True, max_length=40, multiline=False)
    folded = normalise_number(text)
    if folded is None:
        raise field_error(
            "number", _("A certificate number has letters, digits and hyphens only."), code="invalid_number"
        )
    by = clean_text(issuer, field="issuer", required=True, max_length=100, multiline=False)
    issued = _past_day(issued_on, field="issued_on", today=today)
    expires = day_value(expires_on, field="expires_on")
    if expires <= issued:
        raise field_error("expires_on", _("The expiry date must be after the issue date."), code="expires_before_issue")
    if (expires - issued).days > 366 * MAX_VALID_YEARS:
        raise field_error(
            "expires_on",
            _("A health certificate is valid for at most %(n)d years; check the expiry date.") % {"n": MAX_VALID_YEARS},
            code="expiry_too_far",
        )
    if HealthCertificate.objects.filter(volunteer=cook, number=folded).exists():
        raise Conflict(_("This certificate is recorded for the cook already."), code="duplicate_certificate")
    cert = HealthCertificate.objects.create(
        volunteer=cook,
        number=folded,
        issuer=by,
        issued_on=issued,
        expires_on=expires,
        recorded_at=clock.now(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        role=staff_role(actor, canteen),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_cook.certificate",
        object_type="health_certificate",
        object_id=cert.pk,
        subject_id=cook.pk,
        details={"canteen": canteen.pk, "expires_on": expires.isoformat()},
    )
    return cert


@transaction.atomic
def training_record(
    *,
    actor: User,
    canteen_id: int,
    volunteer_number: str,
    course: str,
    provider: str,
    on: Any,
    hours: Any,
) -> Training:
    """Record a food-safety training a cook attended (village staff of the canteen). Writes one
    training and an audit row. Raises NotFound (no right), InvalidInput (not a cook, bad date or
    hours), Conflict (the same course on the same day recorded already)."""
    canteen = access_canteen_for_cooks(actor, canteen_id)
    today = clock.today_local()
    cook = cook_by_number(canteen, volunteer_number)
    # One writer per cook at a time, so a double submit finds the first row instead of a second.
    Volunteer.objects.select_for_update().filter(pk=cook.pk).first()
    course_text = clean_text(course, field="course", required=True, max_length=100, multiline=False)
    provider_text = clean_text(provider, field="provider", required=True, max_length=100, multiline=False)
    day = _past_day(on, field="on", today=today)
    h = decimal_value(hours, field="hours", places=1)
    if not (Decimal("0") < h <= MAX_TRAINING_HOURS):
        raise field_error(
            "hours", _("Hours are more than 0 and at most %(n)s.") % {"n": MAX_TRAINING_HOURS}, code="hours_range"
        )
    if Training.objects.filter(volunteer=cook, course=course_text, on=day).exists():
        raise Conflict(_("This training is recorded for the cook already."), code="duplicate_training")
    training = Training.objects.create(
        volunteer=cook,
        course=course_text,
        provider=provider_text,
        on=day,
        hours=h,
        recorded_at=clock.now(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        role=staff_role(actor, canteen),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_cook.training",
        object_type="food_safety_training",
        object_id=training.pk,
        subject_id=cook.pk,
        details={"canteen": canteen.pk},
    )
    return training


def certificate_reminders_send() -> int:
    """For each latest certificate of an active cook that expires within the notice period and
    has not been reminded: one notice to the cook and one to each canteen manager's own file
    (staff get notices through their person file), then ``reminded_at`` is set. Each
    certificate is handled in its own transaction under its row lock, so two runs at once
    never send twice. Returns the number of certificates reminded."""
    today = clock.today_local()
    sent = 0
    for cert, canteens in certificates_to_remind(today=today):
        with transaction.atomic():
            locked = HealthCertificate.objects.select_for_update().filter(pk=cert.pk, reminded_at__isnull=True).first()
            if locked is None:
                continue
            expires = f"{locked.expires_on:%Y-%m-%d}"
            notice_send(
                subject_id=locked.volunteer_id,
                kind="canteens.certificate_expiring",
                title=gettext("Your health certificate expires on %(day)s; renew it to stay on the canteen's rota.")
                % {"day": expires},
            )
            name = Subject.objects.filter(pk=locked.volunteer_id).values_list("name", flat=True).first() or ""
            managers: set[int] = set()
            for canteen in canteens:
                managers.update(manager_subject_ids(canteen))
            managers.discard(locked.volunteer_id)
            for subject_id in sorted(managers):
                notice_send(
                    subject_id=subject_id,
                    kind="canteens.cook_certificate_expiring",
                    title=gettext("The health certificate of cook %(name)s expires on %(day)s.")
                    % {"name": name, "day": expires},
                )
            locked.reminded_at = clock.now()
            locked.save(update_fields=["reminded_at"])
            audit_record(
                actor=None,
                kind=AuditEvent.Kind.WRITE,
                action="canteen_cook.certificate_remind",
                object_type="health_certificate",
                object_id=locked.pk,
                subject_id=locked.volunteer_id,
                details={"managers": len(managers)},
            )
            sent += 1
    return sent
