"""The weekly rota of a canteen: cooks placed on a day and a duty.

Each rota day is volunteering's own: one :class:`~rongxin.volunteering.models.Activity` of the
canteen's team per day and type (``canteen_cooking`` for cooking and serving, ``meal_delivery``
for delivering), created and published by the first placement of that day through
volunteering's services, and each placed cook gets volunteering's invitation. Sign-up stays
voluntary: the cook accepts in the volunteering pages, and hours and credit (rule ``P-PRA-03``)
flow when the activity is closed, as for any activity.

Volunteering asks its own question of the actor (they organise the canteen's team: the village
officer administers the village's teams; a canteen manager organises as the team's leader), so
the rota is kept by village staff who organise the team; the others get a clear refusal.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.cooks import covers
from rongxin.canteens.models import Canteen, RotaSlot
from rongxin.canteens.permissions.common import staff_role
from rongxin.canteens.permissions.cooks import access_canteen_for_cooks
from rongxin.canteens.selectors.cooks import cook_by_number, latest_certificate
from rongxin.canteens.services.inputs import day_value
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, Forbidden, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.subjects.services import notice_send
from rongxin.volunteering.models import Activity, ActivityType, Signup
from rongxin.volunteering.permissions import can_organise
from rongxin.volunteering.services import (
    ActivityInput,
    activity_cancel,
    activity_create,
    activity_publish,
    invitation_send,
    signup_release,
)
from rongxin.volunteering.services.activities import HOLDING

# Places on one day's activity (an invitation reserves nothing; only sign-ups take places).
PLACES = 20
# How far ahead a rota may be made.
MAX_DAYS_AHEAD = 62
NOT_ORGANISER = _(
    "Putting cooks on the rota invites them to the team's activity: "
    "ask the village officer to make you a leader of the cook team."
)
# Local working hours of a rota day by activity type: (start hour, minute), minutes.
HOURS = {"canteen_cooking": ((9, 0), 180), "meal_delivery": ((11, 0), 120)}


def activity_type_of(duty: str) -> str:
    return "meal_delivery" if duty == RotaSlot.Duty.DELIVER else "canteen_cooking"


def _times(day: dt.date, type_code: str) -> tuple[dt.datetime, dt.datetime]:
    (h, m), minutes = HOURS[type_code]
    starts = dt.datetime.combine(day, dt.time(h, m), tzinfo=clock.LOCAL_TZ)
    return starts, starts + dt.timedelta(minutes=minutes)


def _locked_canteen(canteen_id: int) -> Canteen:
    return (
        Canteen.objects.select_for_update(of=("self",))
        .select_related("village", "team__region", "venue")
        .get(pk=canteen_id)
    )


def _day_activity(canteen: Canteen, day: dt.date, type_code: str) -> Activity | None:
    """The published activity of this canteen's rota day and type, if a placement made it."""
    ids = (
        RotaSlot.objects.filter(canteen=canteen, date=day, activity__type__code=type_code)
        .values_list("activity_id", flat=True)
        .order_by("-activity_id")
    )
    return Activity.objects.filter(pk__in=list(ids), status=Activity.Status.PUBLISHED).order_by("-id").first()


@transaction.atomic
def rota_place(
    *,
    actor: User,
    canteen_id: int,
    on: Any,
    duty: str,
    volunteer_number: str,
    insured: bool = False,
) -> RotaSlot:
    """Put a cook of the canteen's team on the rota for a day and a duty, and invite them to the
    day's activity (created and published on the day's first placement; ``insured``: accident
    insurance is arranged, which delivering needs). Writes the place, volunteering's activity and
    invitation (a notice to the cook) and an audit row. Raises NotFound (no right), Forbidden
    (the actor does not organise the team), InvalidInput (not a cook, a certificate that has
    expired by the day or none, a past or non-meal day, a bad duty), Conflict (already on the
    rota that day, the day full, no cook team)."""
    canteen = access_canteen_for_cooks(actor, canteen_id)
    if duty not in RotaSlot.Duty.values:
        raise field_error("duty", _("Choose cooking, serving or delivering."), code="invalid_choice")
    day = day_value(on, field="on")
    canteen = _locked_canteen(canteen.pk)  # one placement at a time per canteen: one activity a day
    team = canteen.team
    if team is None or not team.active:
        raise Conflict(_("This canteen has no cook team yet."), code="no_team")
    if not can_organise(actor, team):
        raise Forbidden(NOT_ORGANISER, code="not_team_organiser")
    if canteen.status != Canteen.Status.OPEN:
        raise Conflict(_("Only an open canteen has a rota."), code="canteen_not_open")
    now = clock.now()
    today = clock.today_local()
    type_code = activity_type_of(duty)
    starts, ends = _times(day, type_code)
    if starts <= now:
        raise field_error("on", _("This day's work has started or is past; choose a later day."), code="day_past")
    if (day - today).days > MAX_DAYS_AHEAD:
        raise field_error(
            "on", _("The rota goes at most %(n)d days ahead.") % {"n": MAX_DAYS_AHEAD}, code="day_too_far"
        )
    if day.weekday() not in (canteen.meal_weekdays or []):
        raise field_error("on", _("Lunch is not served on this day of the week."), code="not_meal_day")
    cook = cook_by_number(canteen, volunteer_number)
    cert = latest_certificate(cook.pk)
    if not covers(cert.expires_on if cert else None, day):
        message = (
            _("%(name)s has no health certificate; record one before putting them on the rota.")
            if cert is None
            else _("%(name)s's health certificate expired on %(expired)s, before this day; record the new one first.")
        )
        raise field_error(
            "volunteer_number",
            message % {"name": cook.subject.name, "expired": f"{cert.expires_on:%Y-%m-%d}" if cert else ""},
            code="certificate_expired",
        )
    if RotaSlot.objects.filter(canteen=canteen, date=day, volunteer=cook, removed_at__isnull=True).exists():
        raise Conflict(_("This cook is on the rota for this day already."), code="already_on_rota")
    activity = _day_activity(canteen, day, type_code)
    if activity is None:
        if ActivityType.objects.filter(code=type_code, risky=True).exists() and not insured:
            raise field_error(
                "insured",
                _("Delivering meals needs accident insurance for the volunteers; arrange it and tick the box."),
                code="insurance_required",
            )
        kind = ActivityType.objects.get(code=type_code)
        venue = canteen.venue if canteen.venue is not None and team.region.contains(canteen.venue.region) else None
        activity = activity_create(
            actor=actor,
            team_id=team.pk,
            data=ActivityInput(
                type_code=type_code,
                title=f"{canteen.name} {day:%Y-%m-%d} {kind.name_zh}"[:120],
                region_code=canteen.village.code,
                place=(canteen.address or canteen.name)[:200],
                starts_at=starts,
                ends_at=ends,
                capacity=PLACES,
                skills=[],
                insured=insured,
                venue_id=venue.pk if venue else None,
            ),
        )
        activity = activity_publish(actor=actor, activity_id=activity.pk)
    placed = RotaSlot.objects.filter(activity=activity, removed_at__isnull=True).count()
    if placed >= activity.capacity:
        raise Conflict(
            _("%(n)d cooks are on this day's rota already; that is the most.") % {"n": activity.capacity},
            code="rota_day_full",
        )
    held = Signup.objects.filter(
        activity=activity, volunteer=cook, status__in=[Signup.Status.INVITED, *HOLDING]
    ).exists()
    if not held:  # a cook who signed up for the day on their own is not invited again
        invitation_send(actor=actor, activity_id=activity.pk, volunteer_number=cook.number)
    slot = RotaSlot.objects.create(
        canteen=canteen, date=day, duty=duty, volunteer=cook, activity=activity, created_at=now, created_by=actor
    )
    audit_record(
        actor=actor,
        role=staff_role(actor, canteen),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_rota.place",
        object_type="canteen",
        object_id=canteen.pk,
        subject_id=cook.pk,
        details={"date": day.isoformat(), "duty": duty, "activity": activity.pk},
    )
    return slot


@transaction.atomic
def rota_remove(*, actor: User, canteen_id: int, on: Any, volunteer_number: str) -> RotaSlot:
    """Take a cook off a day's rota before the day's work starts: their invitation or sign-up on
    the day's activity is cancelled (a confirmed place goes to the first on the waiting list)
    and they get a notice; a day's activity left with nobody on the rota is cancelled. Raises
    NotFound (no right, not on the rota that day), Forbidden (the actor does not organise the
    team), Conflict (the work has started)."""
    canteen = access_canteen_for_cooks(actor, canteen_id)
    day = day_value(on, field="on")
    canteen = _locked_canteen(canteen.pk)
    if canteen.team is None or not can_organise(actor, canteen.team):
        raise Forbidden(NOT_ORGANISER, code="not_team_organiser")
    slot = (
        RotaSlot.objects.select_related("volunteer__subject")
        .filter(
            canteen=canteen,
            date=day,
            volunteer__number=unicodedata.normalize("NFKC", str(volunteer_number or "")).strip().upper(),
            removed_at__isnull=True,
        )
        .first()
    )
    if slot is None:
        raise NotFound()
    activity = Activity.objects.select_for_update(of=("self",)).get(pk=slot.activity_id)
    now = clock.now()
    if now >= activity.starts_at:
        raise Conflict(
            _("This day's work has started; record who came on the activity instead."), code="rota_day_started"
        )
    slot.removed_at = now
    slot.save(update_fields=["removed_at"])
    signup = Signup.objects.filter(activity=activity, volunteer_id=slot.volunteer_id).first()
    released = ""
    if signup is not None and signup.status == Signup.Status.INVITED:
        signup.status, signup.changed_at = Signup.Status.CANCELLED, now
        signup.save(update_fields=["status", "changed_at"])
        released = "invited"
    elif signup is not None and signup.status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED):
        released = str(signup.status)
        signup_release(signup, activity, now)  # volunteering's own counts and waiting list
    notice_send(
        subject_id=slot.volunteer_id,
        kind="canteens.rota_removed",
        title=gettext("You are off the rota of %(canteen)s on %(day)s.")
        % {"canteen": canteen.name, "day": f"{day:%Y-%m-%d}"},
    )
    if (
        activity.status == Activity.Status.PUBLISHED
        and not RotaSlot.objects.filter(activity=activity, removed_at__isnull=True).exists()
    ):
        activity_cancel(actor=actor, activity_id=activity.pk, reason=gettext("Nobody is on the rota for this day."))
    audit_record(
        actor=actor,
        role=staff_role(actor, canteen),
        kind=AuditEvent.Kind.WRITE,
        action="canteen_rota.remove",
        object_type="canteen",
        object_id=canteen.pk,
        subject_id=slot.volunteer_id,
        details={"date": day.isoformat(), "duty": slot.duty, "activity": activity.pk, "released": released},
    )
    return slot
