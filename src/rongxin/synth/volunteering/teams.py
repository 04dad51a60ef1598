"""Teams of the three tiers and who belongs to them (members, leaders, applications waiting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from rongxin.synth.volunteering.plan import County, People, TeamPlan, seeded
from rongxin.synth.volunteering.shape import (
    BASE_DEPARTMENT_TEAMS,
    BASE_URBAN_TEAMS,
    DEPARTMENT_TEAMS,
    SQUAD,
    TOWN_TEAMS,
    URBAN_TEAMS,
    VILLAGE_TEAM,
    VILLAGE_TEAM_SHARE,
)
from rongxin.volunteering.models import Membership, Team


def _squad(name: str, index: int) -> str:
    return f"{name}第{SQUAD[index - 1] if index <= len(SQUAD) else index + 1}分队" if index else name


def plan_teams(
    seed: int, scale: float, county: County, types: dict[str, tuple[bool, str]], first_id: int
) -> tuple[list[TeamPlan], dict[int, list[int]], dict[int, int]]:
    """Teams; with the indexes of each town's teams (service, canteen) and of each village's."""
    rng = seeded(seed, "teams")
    teams: list[TeamPlan] = []

    def add(name: str, tier: str, kind: str, region: int, town_id: int | None, skill: str, codes: Iterable[str]) -> int:
        usable = tuple(c for c in codes if c in types) or tuple(sorted(types))[:1]
        teams.append(TeamPlan(first_id + len(teams), name, tier, kind, region, town_id, skill, usable))
        return len(teams) - 1

    for i in range(max(2, round(BASE_DEPARTMENT_TEAMS * scale))):
        name, kind, skill, dept_codes = DEPARTMENT_TEAMS[i % len(DEPARTMENT_TEAMS)]
        squad = _squad(name, i // len(DEPARTMENT_TEAMS))
        add(squad, Team.Tier.DEPARTMENT_EXPERT, kind, county.county_id, None, skill, dept_codes)
    for i in range(max(2, round(BASE_URBAN_TEAMS * scale))):
        name, kind, codes = URBAN_TEAMS[i % len(URBAN_TEAMS)]
        squad = _squad(f"荣成市{name}", i // len(URBAN_TEAMS))
        add(squad, Team.Tier.URBAN_PROFESSIONAL, kind, county.county_id, None, "", codes)
    town_teams = {
        tid: [add(f"{tname}{sfx}", Team.Tier.TOWN_VILLAGE, k, tid, tid, "", cs) for sfx, k, cs in TOWN_TEAMS]
        for tid, tname in county.towns
    }
    villages = [(v, n, t) for t, vs in county.villages.items() for v, n in vs]
    picked = sorted(rng.sample(villages, min(max(1, round(len(villages) * VILLAGE_TEAM_SHARE)), len(villages))))
    suffix, kind, village_codes = VILLAGE_TEAM
    village_teams = {
        v: add(f"{name}{suffix}", Team.Tier.TOWN_VILLAGE, kind, v, t, "", village_codes) for v, name, t in picked
    }
    return teams, town_teams, village_teams


def plan_memberships(
    seed: int,
    people: People,
    teams: list[TeamPlan],
    town_teams: dict[int, list[int]],
    village_teams: dict[int, int],
    today: dt.date,
    now_ts: int,
) -> tuple[list[tuple[int, int, str, str, int, int | None]], list[list[int]], list[int]]:
    """Everyone joins their village's team (or their town's); some also the town canteen team,
    skilled adults a department team of their skill, a few an urban team; a few applications
    wait for a decision. Two leaders per team. Returns the memberships, each team's accepted
    members and when each volunteer's memberships were all decided."""
    rng = seeded(seed, "memberships")
    members: list[list[int]] = [[] for _ in teams]
    ready = [0] * len(people.subject_ids)
    out: list[tuple[int, int, str, str, int, int | None]] = []
    by_skill: dict[str, list[int]] = {}
    for ti, team in enumerate(teams):
        if team.tier == Team.Tier.DEPARTMENT_EXPERT:
            by_skill.setdefault(team.skill, []).append(ti)
    urban = [ti for ti, team in enumerate(teams) if team.tier == Team.Tier.URBAN_PROFESSIONAL]

    def join(ti: int, vi: int, status: str = Membership.Status.ACCEPTED) -> None:
        applied = min(people.registered[vi] + int(rng.uniform(0, 20) * 86400), now_ts - 3600)
        decided: int | None = min(applied + int(rng.uniform(1, 72) * 3600), now_ts - 60)
        if status == Membership.Status.APPLIED:
            applied, decided = now_ts - int(rng.uniform(1, 10) * 86400), None
        else:
            ready[vi] = max(ready[vi], decided or 0)
            members[ti].append(vi)
        out.append((ti, vi, Membership.Role.MEMBER, status, applied, decided))

    for vi in range(len(people.subject_ids)):
        home = village_teams.get(people.village[vi])
        service, canteen = town_teams[people.town[vi]]
        join(service if home is None else home, vi)
        if rng.random() < 0.3:
            join(canteen, vi)
        if people.age(vi, today) >= 18:
            expert = [s for s in people.skills[vi] if s in by_skill]
            if expert and rng.random() < 0.6:
                join(rng.choice(by_skill[expert[0]]), vi)
            elif "" in by_skill and rng.random() < 0.01:
                join(rng.choice(by_skill[""]), vi)
            if urban and rng.random() < 0.06:
                join(rng.choice(urban), vi)
        if home is not None and rng.random() < 0.005:
            join(service, vi, Membership.Status.APPLIED)
    leaders: set[tuple[int, int]] = set()
    for ti, vs in enumerate(members):
        prime = sorted(vi for vi in vs if 25 <= people.age(vi, today) <= 65)
        others = sorted(vi for vi in vs if people.age(vi, today) >= 18 and vi not in prime)
        leaders.update((ti, vi) for vi in (prime + others)[:2])
    out.sort(key=lambda m: (m[0], m[1]))
    out = [
        (ti, vi, Membership.Role.LEADER if (ti, vi) in leaders else role, status, applied, decided)
        for ti, vi, role, status, applied, decided in out
    ]
    return out, members, ready
