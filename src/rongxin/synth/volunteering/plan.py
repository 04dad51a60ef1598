"""The plan's records (teams, activities, the packed participations), what the planners read of
the county and its people, the seeded streams and Unix-second helpers, and the counts the load
must write, derived from the plan alone."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from rongxin.core import clock
from rongxin.synth.volunteering.shape import (
    ACTIVITY_BITS,
    ATTENDING,
    CANCELLED,
    CORRECTED,
    OUTCOME_BITS,
    REFUSED,
    SCANS,
    VOLUNTEER_SHIFT,
    WAITLISTED,
)
from rongxin.volunteering.domain.volunteers import age_on
from rongxin.volunteering.models import Activity, Membership


def seeded(seed: int, part: str) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:volunteering:{part}")


def unix(d: dt.datetime) -> int:
    return int(d.timestamp())


def utc(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


def local_midnight(day: dt.date) -> int:
    return unix(dt.datetime(day.year, day.month, day.day, tzinfo=clock.LOCAL_TZ))


class TeamPlan(NamedTuple):
    id: int
    name: str
    tier: str
    kind: str
    region_id: int
    town_id: int | None  # home town (None for county-level teams)
    skill: str  # what every member has ("" for none)
    types: tuple[str, ...]


class ActivityPlan(NamedTuple):
    id: int
    team: int  # index into plan.teams
    type_code: str
    title: str
    region_id: int
    site_id: int | None
    venue_id: int | None
    place: str
    latitude: float | None
    longitude: float | None
    geofence_m: int | None
    starts: int  # Unix seconds
    ends: int
    capacity: int
    opens: int
    closes: int
    min_age: int
    skills: tuple[str, ...]
    status: str  # published, cancelled or closed
    created: int
    published: int
    cancelled: int | None
    cancel_reason: str
    closed: int | None
    qr_secret: bytes


@dataclass
class VolunteeringPlan:
    seed: int
    scale: float
    now: dt.datetime
    subject_ids: list[int]  # volunteers, in subject order (a volunteer's index is their place here)
    birth: list[int]  # birth date ordinals
    registered: list[int]  # Unix seconds
    minor: list[bool]  # under 18 when registering (a guardian consented)
    skills: list[tuple[str, ...]]
    teams: list[TeamPlan]
    memberships: list[tuple[int, int, str, str, int, int | None]]  # team index, volunteer index, role, status, ...
    activities: list[ActivityPlan]
    participations: array  # packed (volunteer index, activity index, outcome), sorted
    confirmed: list[int]  # confirmed sign-ups per activity
    waiting: list[int]  # waiting-list sign-ups per activity
    counts: dict[str, int] = field(default_factory=dict)

    def volunteer_of(self, packed: int) -> int:
        return packed >> VOLUNTEER_SHIFT

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        """Participation positions of volunteers ``lo`` to ``hi - 1``."""
        p = self.participations
        return bisect.bisect_left(p, lo << VOLUNTEER_SHIFT), bisect.bisect_left(p, hi << VOLUNTEER_SHIFT)


def unpack(packed: int) -> tuple[int, int, int]:
    """(volunteer index, activity index, outcome) of a packed participation."""
    return packed >> VOLUNTEER_SHIFT, (packed >> OUTCOME_BITS) & ((1 << ACTIVITY_BITS) - 1), packed & 15


@dataclass
class County:
    county_id: int
    towns: list[tuple[int, str]]  # (id, name), in code order
    villages: dict[int, list[tuple[int, str]]]  # town id → [(village id, name)]
    village_town: dict[int, int]
    names: dict[int, str]  # region id → name
    sites: dict[int, tuple[int, str, float | None, float | None]]  # region id → site
    venues: dict[int, list[tuple[int, str, float, float]]]  # region id → venues
    subdistricts: set[int]


@dataclass
class People:
    subject_ids: list[int]
    birth: list[int]
    village: list[int]
    town: list[int]
    registered: list[int]
    minor: list[bool]
    skills: list[tuple[str, ...]]
    propensity: list[float]  # how often they take part, relative to others

    def age(self, vi: int, on: dt.date) -> int:
        return age_on(dt.date.fromordinal(self.birth[vi]), on)


def plan_counts(plan: VolunteeringPlan, now_ts: int) -> dict[str, int]:
    """What the load must write, from the plan alone."""
    c: Counter[str] = Counter()
    c["volunteers"] = len(plan.subject_ids)
    c["minors"] = sum(plan.minor)
    for t in plan.teams:
        c[f"teams_{t.tier}"] += 1
    c["teams"] = len(plan.teams)
    for _ti, _vi, role, status, _a, _d in plan.memberships:
        c[f"memberships_{status}"] += 1
        c["leaders"] += role == Membership.Role.LEADER
    c["memberships"] = len(plan.memberships)
    acts = plan.activities
    for a in acts:
        c[f"activities_{a.status}"] += 1
    c["activities"] = len(acts)
    c["activities_past"] = sum(1 for a in acts if a.starts < now_ts)
    for p in plan.participations:
        _vi, ai, outcome = unpack(p)
        a = acts[ai]
        c["participations"] += 1
        if a.status == Activity.Status.CANCELLED:
            c["signups_cancelled" if outcome == CANCELLED else "signups_dropped"] += 1
            continue
        c[
            "signups_cancelled"
            if outcome == CANCELLED
            else "signups_waitlisted"
            if outcome == WAITLISTED
            else "signups_confirmed"
        ] += 1
        if a.ends <= now_ts:
            c["scans_finished"] += SCANS.get(outcome, 0)
        if a.closed is not None and outcome in ATTENDING:
            c["records_r1"] += 1
            c["awards"] += 1
            if outcome == CORRECTED:
                c["records_r2"] += 1
                c["awards"] += 1
            if outcome in (CORRECTED, REFUSED):
                c["corrections"] += 1
    c["signups"] = c["signups_confirmed"] + c["signups_waitlisted"] + c["signups_cancelled"] + c["signups_dropped"]
    c["records"] = c["records_r1"] + c["records_r2"]
    return dict(c)
