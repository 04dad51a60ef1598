"""Reads in volunteering, for the pages and the API alike.

Published, cancelled and closed activities are public (a shareable page per activity);
drafts, rosters and scans are for the team's organisers; a volunteer's profile, records and
sign-ups are for the volunteer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region
from rongxin.volunteering.models import (
    Activity,
    ActivityType,
    CallOut,
    Certificate,
    Correction,
    Duty,
    HoursAward,
    Membership,
    ServiceRecord,
    Shift,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.permissions import (
    TEAM_ADMINS,
    access_activity_for_organising,
    access_team_for_organising,
    can_organise,
    own_volunteer,
    own_volunteer_or_none,
)

STAR_HOURS = (100, 300, 600, 1000, 1500)  # one to five stars
PUBLIC = (Activity.Status.PUBLISHED, Activity.Status.CANCELLED, Activity.Status.CLOSED)
PAGE = 50


def star_level(minutes: int) -> int:
    """Stars by cumulative verified hours: 100, 300, 600, 1,000 and 1,500 hours."""
    hours = minutes // 60
    return sum(1 for h in STAR_HOURS if hours >= h)


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".")


def activity_types() -> list[ActivityType]:
    return list(ActivityType.objects.filter(active=True))


@dataclass
class ActivityFilters:
    region_code: str = ""
    type_code: str = ""
    team_id: int | None = None
    phase: str = ""  # "open" (sign-up open), "upcoming", "ongoing", "finished", "closed", "cancelled"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    near_village_code: str = ""  # the village, then its town


def _local_start(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=clock.LOCAL_TZ)


def activity_list(*, filters: ActivityFilters, offset: int = 0, limit: int = PAGE) -> tuple[list[Activity], int]:
    """Public activities matching ``filters``, soonest first (upcoming) or latest first
    (finished). Returns (page, total)."""
    now = clock.now()
    qs: QuerySet[Activity] = Activity.objects.filter(status__in=PUBLIC).select_related("type", "team", "region")
    if filters.region_code:
        region = Region.objects.filter(code=filters.region_code).first()
        qs = qs.filter(region__prefix__startswith=region.prefix) if region else qs.none()
    if filters.near_village_code:
        village = Region.objects.filter(code=filters.near_village_code).select_related("parent").first()
        if village is None:
            qs = qs.none()
        else:
            town = village.parent if village.level == Region.Level.VILLAGE and village.parent else village
            qs = qs.filter(region__prefix__startswith=town.prefix)
    if filters.type_code:
        qs = qs.filter(type__code=filters.type_code)
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.date_from:
        qs = qs.filter(starts_at__gte=_local_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(starts_at__lt=_local_start(filters.date_to) + dt.timedelta(days=1))
    order = ["starts_at", "id"]
    p = filters.phase
    if p == "open":
        qs = qs.filter(status=Activity.Status.PUBLISHED, signup_opens_at__lte=now, signup_closes_at__gt=now)
    elif p == "upcoming":
        qs = qs.filter(status=Activity.Status.PUBLISHED, starts_at__gt=now)
    elif p == "ongoing":
        qs = qs.filter(status=Activity.Status.PUBLISHED, starts_at__lte=now, ends_at__gt=now)
    elif p == "finished":
        qs = qs.filter(status=Activity.Status.PUBLISHED, ends_at__lte=now)
        order = ["-starts_at", "-id"]
    elif p in ("closed", "cancelled"):
        qs = qs.filter(status=p)
        order = ["-starts_at", "-id"]
    elif not p:
        qs = qs.filter(ends_at__gt=now, status=Activity.Status.PUBLISHED)
    total = qs.count()
    return list(qs.order_by(*order)[offset : offset + limit]), total


@dataclass
class ActivityView:
    activity: Activity
    phase: str
    places_left: int
    my_signup: Signup | None
    organiser: bool
    can_sign_up: bool


def activity_view(*, actor: Any, activity_id: int) -> ActivityView:
    """One activity for its page: public unless a draft (drafts only for organisers)."""
    activity = Activity.objects.select_related("type", "team__region", "region", "venue").filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    organiser = bool(
        actor is not None and getattr(actor, "is_authenticated", False) and can_organise(actor, activity.team)
    )
    if activity.status == Activity.Status.DRAFT and not organiser:
        raise NotFound()
    now = clock.now()
    me = own_volunteer_or_none(actor) if actor is not None and getattr(actor, "is_authenticated", False) else None
    mine = Signup.objects.filter(activity=activity, volunteer=me).first() if me else None
    open_now = (
        activity.status == Activity.Status.PUBLISHED
        and activity.signup_opens_at <= now < activity.signup_closes_at
        and now < activity.starts_at
    )
    return ActivityView(
        activity=activity,
        phase=activity.phase(now),
        places_left=max(activity.capacity - activity.confirmed_count, 0),
        my_signup=mine,
        organiser=organiser,
        can_sign_up=open_now and (mine is None or mine.status not in ("confirmed", "waitlisted")),
    )


@dataclass
class Profile:
    volunteer: Volunteer
    hours: str
    stars: int
    next_star_hours: int | None
    records: list[ServiceRecord]
    signups: list[Signup]
    memberships: list[Membership]
    certificates: list[Certificate]
    corrections: list[Correction]
    points_this_year: int
    hours_this_year: str


def volunteer_profile(*, actor: Any) -> Profile:
    """The volunteer's own profile: hours, stars, records, sign-ups, teams, certificates."""
    v = own_volunteer(actor)
    stars = star_level(v.total_minutes)
    now = clock.now()
    year = now.astimezone(clock.LOCAL_TZ).year
    awards = HoursAward.objects.filter(volunteer=v, year=year, superseded_at__isnull=True)
    return Profile(
        volunteer=v,
        hours=hours_text(v.total_minutes),
        stars=stars,
        next_star_hours=STAR_HOURS[stars] if stars < len(STAR_HOURS) else None,
        records=list(
            ServiceRecord.objects.filter(volunteer=v, current=True)
            .select_related("activity", "team", "award", "recorder")
            .order_by("-service_date", "-id")[:100]
        ),
        signups=list(
            Signup.objects.filter(volunteer=v, activity__ends_at__gt=now - dt.timedelta(days=1))
            .exclude(status__in=[Signup.Status.CANCELLED, Signup.Status.DECLINED])
            .select_related("activity__type")
            .order_by("activity__starts_at")
        ),
        memberships=list(
            Membership.objects.filter(volunteer=v, status__in=[Membership.Status.APPLIED, Membership.Status.ACCEPTED])
            .select_related("team")
            .order_by("team__name")
        ),
        certificates=list(Certificate.objects.filter(volunteer=v).order_by("-issued_at")),
        corrections=list(
            Correction.objects.filter(volunteer=v).select_related("record__activity").order_by("-id")[:20]
        ),
        points_this_year=sum(a.points for a in awards),
        hours_this_year=hours_text(sum(a.minutes for a in awards)),
    )


def team_list(*, region_code: str = "", tier: str = "", kind: str = "") -> list[Team]:
    qs = Team.objects.filter(active=True).select_related("region")
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        qs = qs.filter(region__prefix__startswith=region.prefix) if region else qs.none()
    if tier:
        qs = qs.filter(tier=tier)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("tier", "region__code", "name")[:500])


@dataclass
class TeamView:
    team: Team
    leaders: list[Membership]
    members: int
    organiser: bool
    applications: list[Membership]
    my_membership: Membership | None
    upcoming: list[Activity]
    drafts: list[Activity]
    corrections: list[Correction]


def team_view(*, actor: Any, team_id: int) -> TeamView:
    team = Team.objects.select_related("region").filter(pk=team_id, active=True).first()
    if team is None:
        raise NotFound()
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    organiser = bool(signed_in and can_organise(actor, team))
    me = own_volunteer_or_none(actor) if signed_in else None
    accepted = Membership.objects.filter(team=team, status=Membership.Status.ACCEPTED)
    now = clock.now()
    return TeamView(
        team=team,
        leaders=list(accepted.filter(role=Membership.Role.LEADER).select_related("volunteer__subject")),
        members=accepted.count(),
        organiser=organiser,
        applications=list(
            Membership.objects.filter(team=team, status=Membership.Status.APPLIED).select_related("volunteer__subject")
        )
        if organiser
        else [],
        my_membership=Membership.objects.filter(team=team, volunteer=me).first() if me else None,
        upcoming=list(
            Activity.objects.filter(team=team, status=Activity.Status.PUBLISHED, ends_at__gt=now - dt.timedelta(days=7))
            .select_related("type")
            .order_by("starts_at")[:50]
        ),
        drafts=list(Activity.objects.filter(team=team, status=Activity.Status.DRAFT).order_by("starts_at"))
        if organiser
        else [],
        corrections=list(
            Correction.objects.filter(record__team=team, status=Correction.Status.PENDING).select_related(
                "record__activity", "volunteer"
            )
        )
        if organiser
        else [],
    )


def teams_i_organise(*, actor: Any) -> list[Team]:
    """Teams the actor leads (with a team-leader grant) or administers."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    me = own_volunteer_or_none(actor)
    led = (
        list(
            Team.objects.filter(
                active=True,
                memberships__volunteer=me,
                memberships__role=Membership.Role.LEADER,
                memberships__status=Membership.Status.ACCEPTED,
            )
        )
        if me
        else []
    )
    from rongxin.accounts.permissions import grants_with_roles

    q = Q(pk__in=[])
    for g in grants_with_roles(actor, TEAM_ADMINS):
        q |= Q(region__prefix__startswith=g.region.prefix)
    administered = list(Team.objects.filter(q, active=True)[:200])
    out = {t.pk: t for t in [*led, *administered] if can_organise(actor, t)}
    return sorted(out.values(), key=lambda t: t.name)


def activity_scans(*, actor: Any, activity_id: int) -> list[Any]:
    activity, _access = access_activity_for_organising(actor=actor, activity_id=activity_id)
    return list(activity.scans.select_related("volunteer__subject").order_by("-at", "-id")[:500])


def signups_of(*, actor: Any, activity_id: int) -> list[Signup]:
    activity, _access = access_activity_for_organising(actor=actor, activity_id=activity_id)
    return list(
        Signup.objects.filter(activity=activity)
        .select_related("volunteer__subject")
        .order_by("status", "queued_at", "created_at")
    )


def records_of_team(*, actor: Any, team_id: int, limit: int = 200) -> list[ServiceRecord]:
    access = access_team_for_organising(actor=actor, team_id=team_id)
    return list(
        ServiceRecord.objects.filter(team=access.team, current=True)
        .select_related("activity", "volunteer__subject")
        .order_by("-service_date", "-id")[:limit]
    )


# --- Mobilisation ---------------------------------------------------------------------------
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


def callout_view(*, actor: Any, callout_id: int) -> CallOutView:
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
    me = own_volunteer_or_none(actor) if actor is not None and getattr(actor, "is_authenticated", False) else None
    return CallOutView(
        callout=callout,
        shifts=shifts,
        on_duty=dict(by_shift),
        days=[DayCount(day=d, people=len(people[d]), volunteers=vols[d]) for d in sorted(people)],
        my_shifts={d.shift_id for d in duties if me and d.volunteer_id == me.pk},
    )
