"""Activities (type, time, place, capacity, sign-up window, status) and the participations:
who signs up for each and how it ends, in start order."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from array import array

from rongxin.core import clock
from rongxin.synth.volunteering.plan import ActivityPlan, County, People, TeamPlan, local_midnight, seeded
from rongxin.synth.volunteering.shape import (
    ACTIVITIES_PER_MONTH,
    ADULT_TYPES,
    ATTENDED,
    CANCEL_REASONS,
    CANCELLED,
    CANCELLED_SHARE,
    CORRECTED,
    CORRECTION_MIN_AGE,
    DAYS,
    DURATIONS,
    EVENING_TYPES,
    FULL_SHARE,
    GEOFENCE_SHARE,
    MONTHS,
    OUTCOME_BITS,
    OUTCOME_CUM,
    OUTCOMES,
    OUTSIDE,
    PARTICIPANTS,
    PROFESSIONAL,
    REFUSED,
    START_SLOTS,
    START_WEIGHTS,
    UPCOMING_DAYS,
    VOLUNTEER_SHIFT,
    WAITLISTED,
)
from rongxin.volunteering.models import Activity, Team


def plan_activities(
    seed: int, scale: float, teams: list[TeamPlan], members: list[list[int]], county: County,
    types: dict[str, tuple[bool, str]], today: dt.date, now_ts: int, open_days: float, first_id: int,
) -> list[ActivityPlan]:  # fmt: skip
    """3,000 × scale activities a month over the past 36 months and the next two weeks, each
    run by a team chosen in proportion to its members; in start order."""
    rng = seeded(seed, "activities")
    monthly = max(1, round(ACTIVITIES_PER_MONTH * scale))
    n_past, n_future = monthly * MONTHS, round(monthly * UPCOMING_DAYS / 30)
    active = [ti for ti, vs in enumerate(members) if vs]
    cum = list(itertools.accumulate(len(members[ti]) for ti in active))
    first_day = today - dt.timedelta(days=DAYS)
    starts: list[tuple[int, int]] = []
    for k in range(n_past + n_future):
        offset = rng.randrange(DAYS) if k < n_past else DAYS + rng.randrange(UPCOMING_DAYS)
        ti = active[bisect.bisect_right(cum, rng.random() * cum[-1])]
        starts.append((local_midnight(first_day + dt.timedelta(days=offset)), ti))
    starts.sort()
    out = [
        _activity(rng, first_id + k, ti, teams[ti], midnight, county, types, now_ts, open_days)
        for k, (midnight, ti) in enumerate(starts)
    ]
    out.sort(key=lambda a: (a.starts, a.id))
    return [a._replace(id=first_id + k) for k, a in enumerate(out)]


def _activity(
    rng: random.Random,
    activity_id: int,
    ti: int,
    team: TeamPlan,
    midnight: int,
    county: County,
    types: dict[str, tuple[bool, str]],
    now_ts: int,
    open_days: float,
) -> ActivityPlan:
    code = rng.choice(team.types)
    risky, type_name = types[code]
    length = rng.choice(DURATIONS.get(code, (90, 120, 150)))
    if code == "canteen_cooking":
        start_min = 9 * 60
    elif code == "meal_delivery":
        start_min = rng.choice((10 * 60 + 30, 11 * 60))
    elif length >= 240:
        start_min = rng.choice((8 * 60, 14 * 60))
    elif code in EVENING_TYPES and rng.random() < 0.25:
        start_min = 19 * 60  # after supper in the village square
    else:
        start_min = rng.choices(START_SLOTS, START_WEIGHTS)[0]
    starts = midnight + start_min * 60
    ends = starts + length * 60
    # Where: a team's own village; a town team in one of its villages or the town; county
    # teams are sent down to a village anywhere.
    if team.tier == Team.Tier.TOWN_VILLAGE and team.region_id in county.village_town:
        region = team.region_id
    elif team.tier == Team.Tier.TOWN_VILLAGE:
        vs = county.villages.get(team.region_id) or []
        region = rng.choice(vs)[0] if vs and rng.random() < 0.7 else team.region_id
    else:
        tid = rng.choice(county.towns)[0]
        vs = county.villages.get(tid) or []
        region = rng.choice(vs)[0] if vs else tid
    home = county.sites.get(region)  # the village's practice station or the town's institute
    venues = county.venues.get(region) or []
    venue = rng.choice(venues) if venues and rng.random() < 0.6 else None
    spot = venue or home
    place = spot[1] if spot is not None else county.names[region]
    lat, lon = (spot[2], spot[3]) if spot is not None else (None, None)
    site = home if region in county.village_town else None
    geofence = rng.choice((200, 300, 500)) if lat is not None and rng.random() < GEOFENCE_SHARE else None
    region_name = county.names[region]
    title = rng.choice(("{r}{t}", "{t}进{r}", "{r}{t}志愿服务", "走进{r}：{t}")).format(r=region_name, t=type_name)
    opens = starts - int(rng.uniform(3, 14) * 86400)
    closes = starts - rng.choice((0, 3600, 12 * 3600, 86400))
    created = opens - int(rng.uniform(1, 48) * 3600)
    published = min(opens, now_ts - 60)
    created = min(created, published - 60)
    capacity = rng.randint(*PARTICIPANTS) + rng.randint(0, 15)
    status: str = Activity.Status.PUBLISHED
    cancelled: int | None = None
    reason = ""
    closed: int | None = None
    if rng.random() < CANCELLED_SHARE:
        at = opens + int((starts - opens) * rng.uniform(0.3, 0.95))
        if at <= now_ts:
            status, cancelled, reason = Activity.Status.CANCELLED, at, rng.choice(CANCEL_REASONS)
    if status == Activity.Status.PUBLISHED:
        at = ends + int(rng.uniform(1, 48) * 3600)
        if at <= now_ts and ends <= now_ts - open_days * 86400:
            status, closed = Activity.Status.CLOSED, at
    min_age = 18 if code in ADULT_TYPES else 14 if risky else 0
    need = PROFESSIONAL.get(code)
    skills = (need,) if team.tier == Team.Tier.DEPARTMENT_EXPERT and need and team.skill == need else ()
    return ActivityPlan(
        id=activity_id,
        team=ti,
        type_code=code,
        title=title[:120],
        region_id=region,
        site_id=site[0] if site is not None else None,
        venue_id=venue[0] if venue is not None else None,
        place=place,
        latitude=lat,
        longitude=lon,
        geofence_m=geofence,
        starts=starts,
        ends=ends,
        capacity=capacity,
        opens=opens,
        closes=closes,
        min_age=min_age,
        skills=skills,
        status=status,
        created=created,
        published=published,
        cancelled=cancelled,
        cancel_reason=reason,
        closed=closed,
        qr_secret=rng.randbytes(32),
    )


def plan_participations(
    seed: int, people: People, members: list[list[int]], ready: list[int], activities: list[ActivityPlan],
    now_ts: int,
) -> tuple[array, list[int], list[int]]:  # fmt: skip
    """Who signs up for what and how it ends, in start order, so that nobody is at two
    activities at once, signs up before joining the team, or is too young. Returns the packed
    participations (sorted) and the confirmed and waiting sign-ups per activity (the capacity of
    an activity is raised to its sign-ups unless it is one of the full ones)."""
    rng = seeded(seed, "participations")
    pools = [(vs, list(itertools.accumulate(people.propensity[vi] for vi in vs))) for vs in members]
    busy_until = [0] * len(people.subject_ids)
    packed = array("q")
    confirmed = [0] * len(activities)
    waiting = [0] * len(activities)
    for ai, a in enumerate(activities):
        vs, cum = pools[a.team]
        if not vs or a.opens >= now_ts:
            continue
        until = min(a.closes, now_ts, a.cancelled or a.closes)
        share = 1.0 if until >= a.closes else max(0.0, (until - a.opens) / (a.closes - a.opens))
        want = min(round(rng.randint(*PARTICIPANTS) * share), len(vs))
        full = want > 0 and rng.random() < FULL_SHARE
        capacity = a.capacity
        if full:
            capacity = max(1, want - rng.randint(1, max(1, want // 5)))
        elif capacity < want:
            capacity = want + rng.randint(0, 10)
        if capacity != a.capacity:
            activities[ai] = a = a._replace(capacity=capacity)
        picked: list[int] = []
        seen: set[int] = set()
        start_day = dt.datetime.fromtimestamp(a.starts, clock.LOCAL_TZ).date()
        for _attempt in range(3):
            for vi in rng.choices(vs, cum_weights=cum, k=2 * want + 4):
                if vi in seen:
                    continue
                seen.add(vi)
                if busy_until[vi] > a.starts or ready[vi] > a.opens:
                    continue
                if a.min_age and people.age(vi, start_day) < a.min_age:
                    continue
                picked.append(vi)
                if len(picked) == want:
                    break
            if len(picked) == want or len(seen) >= len(vs):
                break
        corrigible = a.closed is not None and a.closed <= now_ts - CORRECTION_MIN_AGE.total_seconds()
        for pos, vi in enumerate(picked):
            if full and pos >= capacity:
                outcome = WAITLISTED
            else:
                outcome = OUTCOMES[bisect.bisect(OUTCOME_CUM, rng.random() * OUTCOME_CUM[-1])]
                if (
                    (outcome == CANCELLED and full)  # a cancellation would have let the waiting list up
                    or (outcome == OUTSIDE and a.geofence_m is None)
                    or (outcome in (CORRECTED, REFUSED) and not corrigible)
                ):
                    outcome = ATTENDED
            if a.cancelled is None:
                if outcome == WAITLISTED:
                    waiting[ai] += 1
                elif outcome != CANCELLED:
                    confirmed[ai] += 1
                    busy_until[vi] = a.ends
            packed.append((vi << VOLUNTEER_SHIFT) | (ai << OUTCOME_BITS) | outcome)
    return array("q", sorted(packed)), confirmed, waiting
