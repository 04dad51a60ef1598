"""A canteen's lunch on one day: who of the enrolled elders ate in, who got a delivery, and how
many walk-ins came. Recording the day again appends the next revision and makes it the current
one; a correction never overwrites.

Concurrency: the write takes the canteen's row lock, so two saves of one canteen's day are
judged one after the other (the second appends the next revision, or returns the first when it
says the same). An elder has one current meal a day across all canteens
(``meal_one_current_per_day``): a claim by another canteen is refused by name, and one that
races this save makes the database refuse the later insert, reported as the same Conflict.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.days import RECORD_WINDOW_DAYS, record_problem
from rongxin.canteens.models import Canteen, Elder, Meal, ServiceDay
from rongxin.canteens.permissions.elders import access_canteen_staff
from rongxin.canteens.selectors.service_days import enrolled_on_q
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text

MAX_ELDERS = 1000
WALK_IN_SEAT_FACTOR = 3  # walk-ins are at most three times the seats
RECORDING = (Canteen.Status.OPEN, Canteen.Status.PAUSED, Canteen.Status.CLOSED)


def _ids(values: Any, field: str) -> list[int]:
    if not isinstance(values, list | tuple):
        raise field_error(field, _("Give the elders as a list."), code="invalid")
    if len(values) > MAX_ELDERS:
        raise field_error(field, _("At most %(n)d elders.") % {"n": MAX_ELDERS}, code="too_many")
    out: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 2**31:
            raise field_error(field, _("This choice is not valid."), code="invalid_choice")
        if v in out:
            raise field_error(field, _("An elder is listed twice."), code="duplicate")
        out.append(v)
    return out


def _walk_ins(value: Any, canteen: Canteen) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error("walk_ins", _("Give a number."), code="invalid")
    if value < 0:
        raise field_error("walk_ins", _("Walk-ins cannot be negative."), code="negative")
    limit = canteen.seats * WALK_IN_SEAT_FACTOR
    if value > limit:
        raise field_error(
            "walk_ins",
            _("At most %(n)d walk-ins (three times the seats); check the number.") % {"n": limit},
            code="too_many",
        )
    return value


def _day(on: Any) -> dt.date:
    if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
        raise field_error("on", _("Give a date."), code="invalid")
    problem = record_problem(on, clock.today_local())
    if problem == "future":
        raise field_error("on", _("Lunch cannot be recorded for a day that has not come yet."), code="future_day")
    if problem == "too_old":
        raise field_error(
            "on",
            _("Lunch is recorded within %(n)d days; this day is too far back.") % {"n": RECORD_WINDOW_DAYS},
            code="too_old",
        )
    return on


def _same(current: ServiceDay, eat_in: list[int], delivered: list[int], walk_ins: int, note: str) -> bool:
    if (current.walk_ins, current.note) != (walk_ins, note):
        return False
    kinds = dict(Meal.objects.filter(day=current).values_list("subject_id", "kind"))
    wanted = dict.fromkeys(eat_in, Meal.Kind.EAT_IN) | dict.fromkeys(delivered, Meal.Kind.DELIVERED)
    return kinds == wanted


def _claimed_elsewhere(names: list[str]) -> Conflict:
    return Conflict(
        _("Already recorded as having lunch at another canteen that day: %(names)s.") % {"names": "、".join(names)},
        code="claimed_elsewhere",
    )


def service_day_record(
    *,
    actor: User,
    canteen_id: int,
    on: dt.date,
    eat_in: list[int],
    delivered: list[int],
    walk_ins: int,
    note: str = "",
) -> ServiceDay:
    """Village staff of the canteen record its lunch on ``on`` (today or up to seven days back):
    the subject ids of enrolled elders who ate in and who got a delivery (each in one list at
    most, each enrolled in this canteen that day) and the number of walk-ins (0 … three times
    the seats). The first record of a day is revision 1; recording it again appends the next
    revision and marks the previous one and its meals as no longer current, in one transaction
    under the canteen's row lock. A save identical to the current revision returns it without a
    new one (a double submit). Writes the ServiceDay, its Meal rows and the audit row
    ``service_day.record``. Raises NotFound (not staff there), InvalidInput (day, elders,
    walk-ins, note), Conflict (``canteen_not_open``, ``claimed_elsewhere``)."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    day = _day(on)
    eat = _ids(eat_in, "eat_in")
    out = _ids(delivered, "delivered")
    both = set(eat) & set(out)
    if both:
        raise field_error("delivered", _("An elder either ate in or got a delivery, not both."), code="both")
    clean_note = clean_text(note, field="note", required=False, max_length=200, multiline=False)
    with transaction.atomic():
        canteen = Canteen.objects.select_for_update().get(pk=canteen.pk)
        if canteen.status not in RECORDING:
            raise Conflict(_("This canteen has not opened yet."), code="canteen_not_open")
        guests = _walk_ins(walk_ins, canteen)
        wanted = eat + out
        enrolled = set(
            Elder.objects.filter(enrolled_on_q(day), canteen=canteen, subject_id__in=wanted).values_list(
                "subject_id", flat=True
            )
        )
        strangers = [pk for pk in wanted if pk not in enrolled]
        if strangers:
            raise field_error(
                "eat_in" if strangers[0] in eat else "delivered",
                _("Not an elder of this canteen on that day (file %(ids)s).")
                % {"ids": ", ".join(str(pk) for pk in strangers)},
                code="not_enrolled",
            )
        current = ServiceDay.objects.filter(canteen=canteen, date=day, current=True).first()
        if current is not None and _same(current, eat, out, guests, clean_note):
            return current
        elsewhere = (
            Meal.objects.filter(subject_id__in=wanted, date=day, current=True)
            .exclude(day__canteen=canteen)
            .order_by("subject__name", "subject_id")
            .values_list("subject__name", flat=True)
        )
        names = list(elsewhere)
        if names:
            raise _claimed_elsewhere(names)
        revision = 1
        if current is not None:
            revision = current.revision + 1
            ServiceDay.objects.filter(pk=current.pk).update(current=False)
            Meal.objects.filter(day=current, current=True).update(current=False)
        now = clock.now()
        row = ServiceDay.objects.create(
            canteen=canteen,
            town_id=canteen.town_id,
            date=day,
            revision=revision,
            eat_in=len(eat),
            delivered=len(out),
            walk_ins=guests,
            note=clean_note,
            recorded_at=now,
            recorded_by=actor,
            current=True,
        )
        meals = [Meal(day=row, subject_id=pk, date=day, kind=Meal.Kind.EAT_IN) for pk in eat] + [
            Meal(day=row, subject_id=pk, date=day, kind=Meal.Kind.DELIVERED) for pk in out
        ]
        try:
            with transaction.atomic():  # a savepoint, so the refusal below is a clean Conflict
                Meal.objects.bulk_create(meals)
        except IntegrityError:  # another canteen claimed one of them at the same moment
            raise _claimed_elsewhere(
                list(
                    Meal.objects.filter(subject_id__in=wanted, date=day, current=True)
                    .exclude(day__canteen=canteen)
                    .values_list("subject__name", flat=True)
                )
                or ["?"]
            ) from None
        audit_record(
            actor=actor,
            role=role,
            kind=AuditEvent.Kind.WRITE,
            action="service_day.record",
            object_type="canteen",
            object_id=canteen.pk,
            details={
                "date": day.isoformat(),
                "revision": revision,
                "eat_in": len(eat),
                "delivered": len(out),
                "walk_ins": guests,
            },
        )
    return row
