"""Activities and sign-up.

Sign-up is the volunteer's own act: :func:`signup_create` is called by the volunteer, and an
organiser's invitation only becomes a sign-up when the volunteer accepts it through the same
function. Places are counted under the activity's row lock (``SELECT ... FOR UPDATE`` on
PostgreSQL, the database write lock on SQLite), so parallel sign-ups never overfill an activity;
the rest queue on a waiting list that moves up automatically when someone cancels or places are
added.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, adapt_datetime
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.regions.selectors import region_get_by_code
from rongxin.subjects.models import Notice
from rongxin.subjects.services import notice_send
from rongxin.volunteering.domain.days import local_date
from rongxin.volunteering.domain.volunteers import age_on
from rongxin.volunteering.models import Activity, ActivityType, Signup, Skill, Team, Volunteer
from rongxin.volunteering.permissions import access_activity_for_organising, access_team_for_organising, own_volunteer
from rongxin.volunteering.selectors.people import volunteer_by_number
from rongxin.volunteering.services.inputs import aware, clean_skills, clean_text

MAX_HOURS = 24
MAX_CAPACITY = 10_000
HOLDING = (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED)


@dataclass
class ActivityInput:
    type_code: str
    title: str
    region_code: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    description: str = ""
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    min_age: int = 0
    skills: list[str] = field(default_factory=list)
    insured: bool = False
    venue_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    geofence_m: int | None = None


def _clean(data: ActivityInput, *, team: Team, now: dt.datetime, creating: bool) -> dict[str, Any]:
    activity_type = ActivityType.objects.filter(code=(data.type_code or "").strip(), active=True).first()
    if activity_type is None:
        raise field_error("type_code", _("Choose an activity type."), code="unknown_type")
    region = region_get_by_code(code=data.region_code, field="region_code")
    if team.tier == Team.Tier.TOWN_VILLAGE and not team.region.contains(region):
        raise field_error(
            "region_code",
            _("A town and village team serves its own area; choose a region inside %(r)s.") % {"r": team.region.name},
            code="region_outside_team",
        )
    starts, ends = aware(data.starts_at, field="starts_at"), aware(data.ends_at, field="ends_at")
    if ends <= starts:
        raise field_error("ends_at", _("The end must be after the start."), code="ends_before_start")
    if ends - starts > dt.timedelta(hours=MAX_HOURS):
        raise field_error(
            "ends_at",
            _("One activity lasts at most %(n)d hours; split longer ones.") % {"n": MAX_HOURS},
            code="too_long",
        )
    if creating and starts <= now:
        raise field_error("starts_at", _("The activity must start in the future."), code="start_in_past")
    opens = aware(data.signup_opens_at, field="signup_opens_at") if data.signup_opens_at else now
    closes = aware(data.signup_closes_at, field="signup_closes_at") if data.signup_closes_at else starts
    if closes <= opens:
        raise field_error("signup_closes_at", _("Sign-up must close after it opens."), code="signup_window")
    if closes > starts:
        raise field_error("signup_closes_at", _("Sign-up must close by the start."), code="signup_after_start")
    if not (1 <= int(data.capacity) <= MAX_CAPACITY):
        raise field_error("capacity", _("Places must be between 1 and %(n)d.") % {"n": MAX_CAPACITY}, code="capacity")
    if not (0 <= int(data.min_age) <= 80):
        raise field_error("min_age", _("The minimum age must be between 0 and 80."), code="min_age")
    venue = None
    lat, lon = data.latitude, data.longitude
    if data.venue_id:
        venue = Venue.objects.filter(pk=data.venue_id).first()
        if venue is None or (not team.region.contains(venue.region) and team.tier == Team.Tier.TOWN_VILLAGE):
            raise field_error("venue_id", _("Choose a venue in the team's area."), code="unknown_venue")
        lat, lon = venue.latitude, venue.longitude
    if (lat is None) != (lon is None):
        raise field_error("latitude", _("Give both latitude and longitude, or neither."), code="coordinates")
    if lat is not None and lon is not None and not (-90 <= Decimal(lat) <= 90 and -180 <= Decimal(lon) <= 180):
        raise field_error("latitude", _("These are not valid coordinates."), code="coordinates")
    if data.geofence_m is not None and lat is None:
        raise field_error("geofence_m", _("A check-in radius needs the venue's coordinates."), code="geofence")
    if data.geofence_m is not None and not (20 <= data.geofence_m <= 20_000):
        raise field_error("geofence_m", _("The radius must be between 20 and 20,000 metres."), code="geofence")
    site = PracticeSite.objects.filter(region=region).first() if region.level == Region.Level.VILLAGE else None
    return {
        "type": activity_type,
        "title": clean_text(data.title, field="title", required=True, max_length=120),
        "description": clean_text(data.description, field="description", required=False, max_length=4000),
        "region": region,
        "site": site,
        "venue": venue,
        "place": clean_text(data.place or (venue.name if venue else ""), field="place", required=True, max_length=200),
        "latitude": lat,
        "longitude": lon,
        "geofence_m": data.geofence_m,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": int(data.capacity),
        "signup_opens_at": opens,
        "signup_closes_at": closes,
        "min_age": int(data.min_age),
        "skills": clean_skills(data.skills),
        "insured": bool(data.insured),
    }


@transaction.atomic
def activity_create(*, actor: User, team_id: int, data: ActivityInput) -> Activity:
    """A draft activity of a team the actor organises for."""
    access = access_team_for_organising(actor, team_id=team_id)
    now = clock.now()
    values = _clean(data, team=access.team, now=now, creating=True)
    activity = Activity.objects.create(
        team=access.team, qr_secret=secrets.token_bytes(32), created_at=now, created_by=actor, **values
    )
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity.create",
        object_type="activity",
        object_id=activity.pk,
        details={"team": access.team.pk, "type": activity.type.code},
    )
    return activity


def _editable(activity: Activity, now: dt.datetime) -> None:
    if activity.status in (Activity.Status.CLOSED, Activity.Status.CANCELLED):
        raise Conflict(_("A closed or cancelled activity cannot be changed."), code="activity_closed")
    if now >= activity.starts_at:
        raise Conflict(_("The activity has started; it can no longer be changed."), code="activity_started")


@transaction.atomic
def activity_update(*, actor: User, activity_id: int, data: ActivityInput) -> Activity:
    """Change a draft or published activity before it starts. Fewer places than confirmed
    sign-ups is refused; more places move the waiting list up."""
    activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True)
    now = clock.now()
    _editable(activity, now)
    values = _clean(data, team=access.team, now=now, creating=activity.status == Activity.Status.DRAFT)
    if values["capacity"] < activity.confirmed_count:
        raise field_error(
            "capacity",
            _("%(n)d volunteers are confirmed; places cannot be fewer.") % {"n": activity.confirmed_count},
            code="capacity_below_confirmed",
        )
    for k, v in values.items():
        setattr(activity, k, v)
    activity.save()
    promoted = _promote(activity, now)
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity.update",
        object_type="activity",
        object_id=activity.pk,
        details={"promoted": promoted},
    )
    return activity


@transaction.atomic
def activity_publish(*, actor: User, activity_id: int) -> Activity:
    activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True)
    now = clock.now()
    if activity.status != Activity.Status.DRAFT:
        raise Conflict(_("Only a draft can be published."), code="not_draft")
    if activity.starts_at <= now:
        raise Conflict(_("The start time has passed; change it before publishing."), code="activity_started")
    if activity.type.risky and not activity.insured:
        raise InvalidInput(
            _("%(type)s activities need accident insurance for the volunteers; arrange it and tick the box first.")
            % {"type": activity.type.name_zh},
            code="insurance_required",
        )
    activity.status, activity.published_at = Activity.Status.PUBLISHED, now
    activity.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity.publish",
        object_type="activity",
        object_id=activity.pk,
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor: User, activity_id: int, reason: str) -> Activity:
    """Cancel a draft or published activity that has not finished; everyone signed up, waiting
    or invited gets a notice."""
    activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True)
    reason = clean_text(reason, field="reason", required=True, max_length=200)
    now = clock.now()
    if activity.status in (Activity.Status.CLOSED, Activity.Status.CANCELLED):
        raise Conflict(_("A closed or cancelled activity cannot be changed."), code="activity_closed")
    if now >= activity.ends_at:
        raise Conflict(_("The activity has ended; verify its roster instead."), code="activity_ended")
    affected = list(
        Signup.objects.filter(activity=activity, status__in=[*HOLDING, Signup.Status.INVITED]).values_list(
            "volunteer_id", flat=True
        )
    )
    Signup.objects.filter(activity=activity, status__in=[*HOLDING, Signup.Status.INVITED]).update(
        status=Signup.Status.DROPPED, changed_at=now
    )
    activity.status, activity.cancelled_at, activity.cancel_reason = Activity.Status.CANCELLED, now, reason
    activity.confirmed_count = activity.waitlist_count = 0
    activity.save(update_fields=["status", "cancelled_at", "cancel_reason", "confirmed_count", "waitlist_count"])
    title = gettext("Activity cancelled: %(title)s") % {"title": activity.title}
    body = gettext("Planned for %(when)s. Reason: %(reason)s") % {
        "when": f"{activity.starts_at.astimezone(clock.LOCAL_TZ):%Y-%m-%d %H:%M}",
        "reason": reason,
    }
    writer = BulkWriter(connection)
    try:
        at = adapt_datetime(connection, now)
        writer.write(
            TableSpec.of(Notice, ("subject", "at", "kind", "title", "body")),
            [(vid, at, "volunteering.cancelled", title, body) for vid in affected],
        )
    finally:
        writer.close()
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity.cancel",
        object_type="activity",
        object_id=activity.pk,
        details={"reason": reason, "notified": len(affected)},
    )
    return activity


# --- Sign-up --------------------------------------------------------------------------------
@dataclass
class SignupResult:
    signup: Signup
    warnings: list[str]


def _promote(activity: Activity, now: dt.datetime) -> int:
    """Move the waiting list up into free places (caller holds the activity lock)."""
    free = activity.capacity - activity.confirmed_count
    if free <= 0 or activity.waitlist_count == 0:
        return 0
    ids = list(
        Signup.objects.filter(activity=activity, status=Signup.Status.WAITLISTED)
        .order_by("queued_at", "id")
        .values_list("id", "volunteer_id")[:free]
    )
    if not ids:
        return 0
    Signup.objects.filter(pk__in=[i for i, _v in ids]).update(status=Signup.Status.CONFIRMED, changed_at=now)
    activity.confirmed_count += len(ids)
    activity.waitlist_count -= len(ids)
    activity.save(update_fields=["confirmed_count", "waitlist_count"])
    for _i, vid in ids:
        notice_send(
            subject_id=vid,
            kind="volunteering.promoted",
            title=gettext("A place came free: you are confirmed for %(title)s.") % {"title": activity.title},
        )
    return len(ids)


def _overlapping(volunteer: Volunteer, activity: Activity) -> list[str]:
    others = (
        Signup.objects.filter(volunteer=volunteer, status__in=HOLDING)
        .exclude(activity=activity)
        .filter(activity__starts_at__lt=activity.ends_at, activity__ends_at__gt=activity.starts_at)
        .select_related("activity")
    )
    return [
        gettext("This overlaps with %(title)s (%(when)s), which you have also signed up for.")
        % {"title": s.activity.title, "when": f"{s.activity.starts_at.astimezone(clock.LOCAL_TZ):%m-%d %H:%M}"}
        for s in others
    ]


@transaction.atomic
def signup_create(*, actor: User, activity_id: int) -> SignupResult:
    """The volunteer signs up (or accepts an invitation): a place if one is free, otherwise the
    waiting list. Raises NotFound (no such published activity, not a volunteer), InvalidInput
    (window closed, too young, skills missing), Conflict (already signed up)."""
    volunteer = own_volunteer(actor)
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("type")
        .filter(pk=activity_id, status=Activity.Status.PUBLISHED)
        .first()
    )
    if activity is None:
        raise NotFound()
    now = clock.now()
    if now < activity.signup_opens_at:
        raise InvalidInput(
            _("Sign-up opens at %(when)s.")
            % {"when": f"{activity.signup_opens_at.astimezone(clock.LOCAL_TZ):%Y-%m-%d %H:%M}"},
            code="signup_not_open",
        )
    if now >= activity.signup_closes_at or now >= activity.starts_at:
        raise InvalidInput(_("Sign-up for this activity has closed."), code="signup_closed")
    person = volunteer.subject.person
    if age_on(person.birth_date, local_date(activity.starts_at)) < activity.min_age:
        raise InvalidInput(
            _("This activity is for volunteers aged %(n)d and over.") % {"n": activity.min_age}, code="too_young"
        )
    missing = sorted(set(activity.skills) - set(volunteer.skills))
    if missing:
        raise InvalidInput(
            _("This activity needs these skills in your profile: %(s)s")
            % {"s": "、".join(str(Skill(m).label) for m in missing)},
            code="skills_missing",
        )
    signup = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.status in HOLDING:
        raise Conflict(_("You have already signed up for this activity."), code="already_signed_up")
    if signup is None:
        signup = Signup(activity=activity, volunteer=volunteer, created_at=now)
    if activity.confirmed_count < activity.capacity:
        signup.status, signup.queued_at = Signup.Status.CONFIRMED, None
        activity.confirmed_count += 1
    else:
        signup.status, signup.queued_at = Signup.Status.WAITLISTED, now
        activity.waitlist_count += 1
    signup.changed_at = now
    signup.save()
    activity.save(update_fields=["confirmed_count", "waitlist_count"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="signup.create",
        object_type="activity",
        object_id=activity.pk,
        subject_id=volunteer.pk,
        details={"status": signup.status},
    )
    return SignupResult(signup=signup, warnings=_overlapping(volunteer, activity))


def signup_release(signup: Signup, activity: Activity, now: dt.datetime) -> None:
    """Cancel ``signup`` (invited, confirmed or waiting) and move the first on the waiting list up,
    keeping the activity's counts. The caller holds the activity's row lock, writes the audit row
    and decides who may (the volunteer withdrawing, an organiser such as a canteen's rota)."""
    was = signup.status
    signup.status, signup.changed_at = Signup.Status.CANCELLED, now
    signup.save(update_fields=["status", "changed_at"])
    if was == Signup.Status.CONFIRMED:
        activity.confirmed_count -= 1
    elif was == Signup.Status.WAITLISTED:
        activity.waitlist_count -= 1
    activity.save(update_fields=["confirmed_count", "waitlist_count"])
    _promote(activity, now)


@transaction.atomic
def signup_cancel(*, actor: User, activity_id: int) -> Signup:
    """The volunteer withdraws before the start; the first on the waiting list moves up."""
    volunteer = own_volunteer(actor)
    activity = Activity.objects.select_for_update(of=("self",)).filter(pk=activity_id).first()
    signup = Signup.objects.filter(activity_id=activity_id, volunteer=volunteer, status__in=HOLDING).first()
    if activity is None or signup is None:
        raise NotFound()
    now = clock.now()
    if now >= activity.starts_at:
        raise Conflict(_("The activity has started; tell the organiser instead."), code="activity_started")
    signup_release(signup, activity, now)
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="signup.cancel",
        object_type="activity",
        object_id=activity.pk,
        subject_id=volunteer.pk,
    )
    return signup


def signup_cancel_all_future(*, volunteer: Volunteer, actor: User) -> int:
    """Cancel the volunteer's sign-ups for activities that have not started (on withdrawal)."""
    now = clock.now()
    n = 0
    for signup in Signup.objects.filter(
        volunteer=volunteer, status__in=[*HOLDING, Signup.Status.INVITED], activity__starts_at__gt=now
    ).order_by("activity_id"):
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=signup.activity_id)
        if signup.status == Signup.Status.INVITED:
            signup.status, signup.changed_at = Signup.Status.DECLINED, now
            signup.save(update_fields=["status", "changed_at"])
        else:
            signup_release(signup, activity, now)
        n += 1
    return n


@transaction.atomic
def invitation_send(*, actor: User, activity_id: int, volunteer_number: str) -> Signup:
    """An organiser invites a volunteer. Nothing is reserved: the volunteer decides, and only
    their acceptance (a sign-up) takes a place."""
    activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True)
    volunteer = volunteer_by_number(volunteer_number)
    now = clock.now()
    if activity.status != Activity.Status.PUBLISHED or now >= activity.signup_closes_at:
        raise Conflict(_("Invitations can be sent while sign-up is open."), code="signup_closed")
    signup = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.status in (*HOLDING, Signup.Status.INVITED):
        raise Conflict(_("This volunteer is already invited or signed up."), code="already_signed_up")
    if signup is None:
        signup = Signup(activity=activity, volunteer=volunteer, created_at=now)
    signup.status, signup.changed_at, signup.invited_by, signup.queued_at = Signup.Status.INVITED, now, actor, None
    signup.save()
    notice_send(
        subject_id=volunteer.pk,
        kind="volunteering.invitation",
        title=gettext("You are invited to %(title)s; sign up if you would like to take part.")
        % {"title": activity.title},
    )
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="signup.invite",
        object_type="activity",
        object_id=activity.pk,
        subject_id=volunteer.pk,
    )
    return signup


@transaction.atomic
def invitation_decline(*, actor: User, activity_id: int) -> Signup:
    volunteer = own_volunteer(actor)
    signup = Signup.objects.filter(activity_id=activity_id, volunteer=volunteer, status=Signup.Status.INVITED).first()
    if signup is None:
        raise NotFound()
    signup.status, signup.changed_at = Signup.Status.DECLINED, clock.now()
    signup.save(update_fields=["status", "changed_at"])
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="signup.decline",
        object_type="activity",
        object_id=activity_id,
        subject_id=volunteer.pk,
    )
    return signup
