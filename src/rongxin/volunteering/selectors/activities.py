"""Reads of activities: the public list and page, the organiser's scans, and where a volunteer
stands at an activity's check-in.

Published, cancelled and closed activities are public (a shareable page per activity); drafts
and scans are for the team's organisers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region
from rongxin.volunteering.domain.signups import signup_state
from rongxin.volunteering.models import Activity, ActivityType, Scan, ServiceRecord, Signup, Volunteer
from rongxin.volunteering.permissions import (
    access_activity_for_organising,
    can_organise,
    own_volunteer_or_none,
    signed_in,
)

PUBLIC = (Activity.Status.PUBLISHED, Activity.Status.CANCELLED, Activity.Status.CLOSED)
PAGE = 50


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
    my_signup_state: str  # what the volunteer reads for it (domain/signups.py); "" without one
    organiser: bool
    can_sign_up: bool


def _my_state(mine: Signup | None, activity: Activity, now: dt.datetime) -> str:
    if mine is None:
        return ""
    recorded = ServiceRecord.objects.filter(activity=activity, volunteer_id=mine.volunteer_id, current=True).exists()
    return signup_state(
        status=mine.status, activity_status=activity.status, ends_at=activity.ends_at, now=now, recorded=recorded
    )


def activity_view(*, actor: User | AnonymousUser, activity_id: int) -> ActivityView:
    """One activity for its page: public unless a draft (drafts only for organisers)."""
    activity = Activity.objects.select_related("type", "team__region", "region", "venue").filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    organiser = signed_in(actor) and can_organise(actor, activity.team)
    if activity.status == Activity.Status.DRAFT and not organiser:
        raise NotFound()
    now = clock.now()
    me = own_volunteer_or_none(actor) if signed_in(actor) else None
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
        my_signup_state=_my_state(mine, activity, now),
        organiser=organiser,
        can_sign_up=open_now and (mine is None or mine.status not in ("confirmed", "waitlisted")),
    )


def activity_scans(*, actor: User, activity_id: int) -> list[Scan]:
    """The latest scans of an activity, refused ones too, for its organisers."""
    activity, _access = access_activity_for_organising(actor, activity_id=activity_id)
    return list(activity.scans.select_related("volunteer__subject").order_by("-at", "-id")[:500])


def volunteer_state(*, activity: Activity, volunteer: Volunteer | None) -> str:
    """ "none", "in" (checked in, not out) or "out" for the scan page."""
    if volunteer is None:
        return "none"
    last = Scan.objects.filter(activity=activity, volunteer=volunteer, accepted=True).order_by("-at", "-id").first()
    if last is None:
        return "none"
    return "in" if last.kind == Scan.Kind.IN else "out"
