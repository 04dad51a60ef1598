"""Reads of volunteers and teams: a volunteer by number, their profile and records, the
service summary on a person's file, the team list and a team's page.

A volunteer's profile and records are for the volunteer; a team's applications, drafts and
pending corrections are for its organisers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.errors import NotFound, field_error
from rongxin.regions.models import Region
from rongxin.volunteering.domain.hours import hours_text, next_star_hours, star_level
from rongxin.volunteering.domain.signups import signup_state
from rongxin.volunteering.domain.volunteers import normalise_volunteer_number, number_is_valid
from rongxin.volunteering.models import (
    Activity,
    Certificate,
    Correction,
    HoursAward,
    Membership,
    ServiceRecord,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.permissions import TEAM_ADMINS, can_organise, own_volunteer_or_none, signed_in

FILE_RECORDS = 5


def volunteer_by_number(number: str, *, field: str = "volunteer") -> Volunteer:
    """The active volunteer with this public number. Raises InvalidInput naming ``field`` (a
    mistyped number, or nobody active has it)."""
    number = normalise_volunteer_number(number)
    if not number_is_valid(number):
        raise field_error(field, _("This is not a valid volunteer number."), code="volunteer_number")
    volunteer = (
        Volunteer.objects.select_related("subject__person", "subject__village")
        .filter(number=number, status=Volunteer.Status.ACTIVE)
        .first()
    )
    if volunteer is None:
        raise field_error(field, _("No active volunteer has this number."), code="unknown_volunteer")
    return volunteer


def own_records(*, volunteer: Volunteer, offset: int, limit: int) -> tuple[list[ServiceRecord], int]:
    """The volunteer's current service records, latest first, and how many there are."""
    qs = ServiceRecord.objects.filter(volunteer=volunteer, current=True)
    rows = list(
        qs.select_related("activity", "team", "recorder", "award", "volunteer").order_by("-service_date", "-id")[
            offset : offset + limit
        ]
    )
    return rows, qs.count()


@dataclass(frozen=True)
class SignupLine:
    """A sign-up under "my sign-ups" with the state the volunteer reads (domain/signups.py)."""

    signup: Signup
    state: str


@dataclass
class Profile:
    volunteer: Volunteer
    hours: str
    stars: int
    next_star_hours: int | None
    records: list[ServiceRecord]
    signups: list[SignupLine]
    memberships: list[Membership]
    certificates: list[Certificate]
    corrections: list[Correction]
    points_this_year: int
    hours_this_year: str


def _signup_lines(v: Volunteer, now: dt.datetime) -> list[SignupLine]:
    """The volunteer's sign-ups to activities ending from yesterday on, each with its state."""
    signups = list(
        Signup.objects.filter(volunteer=v, activity__ends_at__gt=now - dt.timedelta(days=1))
        .exclude(status__in=[Signup.Status.CANCELLED, Signup.Status.DECLINED])
        .select_related("activity__type")
        .order_by("activity__starts_at")
    )
    recorded = set(
        ServiceRecord.objects.filter(
            volunteer=v, current=True, activity_id__in=[s.activity_id for s in signups]
        ).values_list("activity_id", flat=True)
    )
    return [SignupLine(signup=s, state=state_of(s, now, recorded=s.activity_id in recorded)) for s in signups]


def state_of(signup: Signup, now: dt.datetime, *, recorded: bool) -> str:
    """What the volunteer reads for ``signup`` (its activity loaded) at ``now``."""
    a = signup.activity
    return signup_state(status=signup.status, activity_status=a.status, ends_at=a.ends_at, now=now, recorded=recorded)


def volunteer_profile(*, volunteer: Volunteer) -> Profile:
    """The volunteer's own profile: hours, stars, records, sign-ups, teams, certificates (the
    caller has found the actor's own record: :func:`~rongxin.volunteering.permissions.own_volunteer`)."""
    v = volunteer
    stars = star_level(v.total_minutes)
    now = clock.now()
    year = now.astimezone(clock.LOCAL_TZ).year
    awards = HoursAward.objects.filter(volunteer=v, year=year, superseded_at__isnull=True)
    return Profile(
        volunteer=v,
        hours=hours_text(v.total_minutes),
        stars=stars,
        next_star_hours=next_star_hours(stars),
        records=list(
            ServiceRecord.objects.filter(volunteer=v, current=True)
            .select_related("activity", "team", "award", "recorder")
            .order_by("-service_date", "-id")[:100]
        ),
        signups=_signup_lines(v, now),
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


def team_view(*, actor: User | AnonymousUser, team_id: int) -> TeamView:
    """A team's page: leaders, members and activities for anyone; applications, drafts and
    pending corrections for its organisers; the actor's own membership."""
    team = Team.objects.select_related("region").filter(pk=team_id, active=True).first()
    if team is None:
        raise NotFound()
    organiser = signed_in(actor) and can_organise(actor, team)
    me = own_volunteer_or_none(actor) if signed_in(actor) else None
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


def teams_i_organise(*, actor: User) -> list[Team]:
    """Teams the actor leads (with a team-leader grant) or administers."""
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
    q = Q(pk__in=[])
    for g in grants_with_roles(actor, TEAM_ADMINS):
        q |= Q(region__prefix__startswith=g.region.prefix)
    administered = list(Team.objects.filter(q, active=True)[:200])
    out = {t.pk: t for t in [*led, *administered] if can_organise(actor, t)}
    return sorted(out.values(), key=lambda t: t.name)


@dataclass(frozen=True)
class ServiceSummary:
    """A person's volunteer service as their file shows it."""

    volunteer: Volunteer
    minutes: int  # verified, all years
    minutes_this_year: int
    records: list[ServiceRecord]  # the latest current ones


def service_summary(*, subject_id: int) -> ServiceSummary | None:
    """The verified service of the person ``subject_id`` for their file page: hours in total and
    in this calendar year (Beijing time), and the latest service records. None when the person
    never registered as a volunteer. The caller has checked that the viewer may read the file."""
    volunteer = Volunteer.objects.filter(pk=subject_id).first()
    if volunteer is None:
        return None
    year = clock.today_local().year
    this_year = HoursAward.objects.filter(volunteer=volunteer, year=year, superseded_at__isnull=True).aggregate(
        m=Sum("minutes")
    )["m"]
    return ServiceSummary(
        volunteer=volunteer,
        minutes=volunteer.total_minutes,
        minutes_this_year=int(this_year or 0),
        records=list(
            ServiceRecord.objects.filter(volunteer=volunteer, current=True)
            .select_related("activity", "team")
            .order_by("-service_date", "-id")[:FILE_RECORDS]
        ),
    )
