"""The plan: the county as the planners read it, then volunteers, teams, memberships,
activities and participations drawn in that fixed order from seeded streams."""

from __future__ import annotations

import datetime as dt

from rongxin.core import clock
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.synth.volunteering.activities import plan_activities, plan_participations
from rongxin.synth.volunteering.plan import County, VolunteeringPlan, plan_counts, unix
from rongxin.synth.volunteering.teams import plan_memberships, plan_teams
from rongxin.synth.volunteering.volunteers import choose_volunteers
from rongxin.volunteering.models import ActivityType


def read_county() -> County:
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    if county is None:
        raise RuntimeError("no county: run generate_county first")
    towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code").values_list("id", "name"))
    villages: dict[int, list[tuple[int, str]]] = {t: [] for t, _ in towns}
    village_town: dict[int, int] = {}
    for vid, name, parent in (
        Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").values_list("id", "name", "parent_id")
    ):
        villages.setdefault(parent, []).append((vid, name))
        village_town[vid] = parent
    sites = {
        r: (i, n, float(lat) if lat is not None else None, float(lon) if lon is not None else None)
        for i, r, n, lat, lon in PracticeSite.objects.values_list("id", "region_id", "name", "latitude", "longitude")
    }
    venues: dict[int, list[tuple[int, str, float, float]]] = {}
    for i, r, n, lat, lon in Venue.objects.order_by("id").values_list(
        "id", "region_id", "name", "latitude", "longitude"
    ):
        venues.setdefault(r, []).append((i, n, float(lat), float(lon)))
    return County(
        county_id=county.pk,
        towns=towns,
        villages=villages,
        village_town=village_town,
        names=dict(Region.objects.values_list("id", "name")),
        sites=sites,
        venues=venues,
        subdistricts={t for t, n in towns if n.endswith("街道")},
    )


def plan_volunteering(
    *, scale: float, seed: int, now: dt.datetime, open_days: float = 0.0, first_team_id: int = 1,
    first_activity_id: int = 1,
) -> VolunteeringPlan:  # fmt: skip
    """Choose volunteers, teams, memberships, activities and participations (see the package
    docstring) from the county in the database. ``open_days``: activities that ended within
    that many days before ``now`` stay finished but not closed (awaiting the organiser's
    verification, with their scans)."""
    now = now.replace(microsecond=0)
    now_ts = unix(now)
    today = now.astimezone(clock.LOCAL_TZ).date()
    county = read_county()
    types = {
        code: (risky, name)
        for code, risky, name in ActivityType.objects.filter(active=True).values_list("code", "risky", "name_zh")
    }
    if not types:
        raise RuntimeError("no activity types: migrate the volunteering app first")
    people = choose_volunteers(seed, scale, today, now_ts)
    teams, town_teams, village_teams = plan_teams(seed, scale, county, types, first_team_id)
    memberships, members, ready = plan_memberships(seed, people, teams, town_teams, village_teams, today, now_ts)
    activities = plan_activities(
        seed, scale, teams, members, county, types, today, now_ts, open_days, first_activity_id
    )
    packed, confirmed, waiting = plan_participations(seed, people, members, ready, activities, now_ts)
    plan = VolunteeringPlan(
        seed=seed,
        scale=scale,
        now=now,
        subject_ids=people.subject_ids,
        birth=people.birth,
        registered=people.registered,
        minor=people.minor,
        skills=people.skills,
        teams=teams,
        memberships=memberships,
        activities=activities,
        participations=packed,
        confirmed=confirmed,
        waiting=waiting,
    )
    plan.counts = plan_counts(plan, now_ts)
    return plan
