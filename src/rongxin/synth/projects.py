"""Synthetic project marketplace (项目超市), small wishes (微心愿) and charity ceremonies (公益典礼)
for a generated county.

At scale 1.0 (figures in :mod:`rongxin.synth.projects_shape`), over the three years up to ``now``:
about 1,200 service projects (≈ 350, 400 and 450 a year) published by the county centre, the
towns' institutes, the villages' stations and the departments, all over the county, budgets from
¥2,000 to ¥300,000 (most ¥5,000–¥50,000); each year's ceremony in late March launches a batch of
about 60 of them, with pledges made during it; sponsors are the county's enterprises (most of the
money, some title sponsorships of a whole budget) and consenting adult residents (small shares),
some anonymous; every state, the old ones mostly closed and the recent ones earlier in their life
(:mod:`rongxin.synth.projects_plan`). The money is journal entries of the project marketplace
fund on each project's own accounts (payments, spending with a monthly voucher, left-overs
returned to the sponsor, moved to another project or to the village's credit fund with that
fund's transfer-in entry), all through :func:`rongxin.funds.services.bulk.entries_bulk_append`, so
numbers, hash chains and balances are what ``entry_post`` writes, and every month before the
current one is closed; the projects' caches are read back from their accounts. Teams come from
volunteering (one service team per town is made when a town has none), with a few of their
activities linked; sponsors' and wish claimants' credit goes through the credit ledger's bulk
append (:mod:`rongxin.synth.projects_credit`); about 3,000 small wishes
(:mod:`rongxin.synth.projects_wishes`).

The demo town (the county's first town) has a project in every state, one title-sponsored by the
demo enterprise; the demo resident posted a wish and fulfilled another. Deterministic for
``(seed, now, scale)`` and the county; one transaction.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.funds.models import Fund
from rongxin.projects.models import Ceremony, Project
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject
from rongxin.synth import projects_shape as shape
from rongxin.synth.canteens_support import years_before
from rongxin.synth.lectures_records import local_at
from rongxin.synth.projects_plan import (
    Place,
    PlannedProject,
    Sponsor,
    budget_draw,
    forced_timeline,
    milestones_plan,
    money_plan,
    state_at,
    timeline_draw,
    weighted,
)
from rongxin.volunteering.models import Team


class ProjectsRefused(RuntimeError):
    pass


@dataclass
class ProjectsResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "seconds": round(self.seconds, 2)}


def generate_projects(*, seed: int, now: dt.datetime | None = None, scale: float = 1.0) -> ProjectsResult:
    """Write the synthetic project marketplace of the generated county in one transaction (see
    the module docstring). Refuses a database that already has projects or one without villages."""
    started = time.perf_counter()
    if Project.objects.exists() or Fund.objects.filter(kind=Fund.Kind.PROJECTS).exists():
        raise ProjectsRefused("the database already has projects; synthetic projects go into none")
    now = (now or clock.now()).astimezone(dt.UTC).replace(microsecond=0)
    with transaction.atomic():
        counts = ProjectsGenerator(seed=seed, now=now, scale=scale).run()
        audit_record(
            actor=None,
            kind="write",
            action="synth.projects",
            object_type="synth.syntheticload",
            object_id="",
            details={"scale": scale, "seed": seed, "counts": counts},
        )
    return ProjectsResult(counts=counts, seconds=time.perf_counter() - started)


class ProjectsGenerator:
    def __init__(self, *, seed: int, now: dt.datetime, scale: float):
        self.seed, self.now, self.scale = seed, now, scale
        self.today = now.astimezone(clock.LOCAL_TZ).date()
        self.first_year = self.today.year - shape.YEARS + 1
        self.opened_on = dt.date(self.first_year, 1, 1)
        self.counts: Counter[str] = Counter()
        self.plans: list[PlannedProject] = []

    def run(self) -> dict[str, int]:
        from rongxin.synth.projects_wishes import generate_wishes
        from rongxin.synth.projects_write import write_projects

        self._places()
        self._teams()
        self._ceremonies()
        self._plan()
        write_projects(self)
        self.counts.update(generate_wishes(self))
        return dict(sorted(self.counts.items()))

    # Places, people, enterprises -------------------------------------------------------------------
    def _places(self) -> None:
        county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
        if county is None:
            raise ProjectsRefused("no county: run generate_county first")
        self.county: Region = county
        self.towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))
        self.villages = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code"))
        if not self.villages or not self.towns:
            raise ProjectsRefused("no villages: run generate_county first")
        self.villages_of: dict[int, list[Region]] = defaultdict(list)
        for v in self.villages:
            self.villages_of[v.parent_id or 0].append(v)
        self.region_names = {r.pk: r.name for r in [county, *self.towns, *self.villages]}
        self.town_of = {v.pk: v.parent_id or 0 for v in self.villages} | {t.pk: t.pk for t in self.towns}
        self.departments = list(Department.objects.order_by("code").values_list("id", "name"))
        cutoff = years_before(self.today, shape.ADULT_AGE)
        adults = Subject.objects.filter(
            kind=Subject.Kind.PERSON,
            person__consent_given=True,
            person__residency=Person.Residency.RESIDENT,
            person__birth_date__lte=cutoff,
        )
        self.people: dict[int, list[Sponsor]] = {}
        for v in self.villages:
            self.people[v.pk] = [
                Sponsor(sid, name, True)
                for sid, name in adults.filter(village_id=v.pk)
                .order_by("id")
                .values_list("id", "name")[: shape.CANDIDATES]
            ]
        for t in self.towns:
            self.people[t.pk] = [p for v in self.villages_of[t.pk] for p in self.people[v.pk][:30]]
        self.enterprises: dict[int, list[Sponsor]] = defaultdict(list)
        self.businesses: dict[int, list[Sponsor]] = defaultdict(list)
        for sid, name, kind, town in (
            Subject.objects.filter(kind__in=[Subject.Kind.ENTERPRISE, Subject.Kind.INDIVIDUAL_BUSINESS])
            .order_by("id")
            .values_list("id", "name", "kind", "town_id")
        ):
            target = self.enterprises if kind == Subject.Kind.ENTERPRISE else self.businesses
            if len(target[town]) < shape.CANDIDATES:
                target[town].append(Sponsor(sid, name, False))
        self.all_enterprises = [e for t in self.towns for e in self.enterprises[t.pk][:20]]
        self._demo_subjects()

    def _demo_subjects(self) -> None:
        """The demo's resident and enterprise, chosen as ``rongxin demo`` will choose them."""
        from rongxin.synth.demo import _resident_subject

        self.demo_town = self.towns[0]
        self.demo_village = self.villages_of[self.demo_town.pk][0] if self.villages_of[self.demo_town.pk] else None
        resident = _resident_subject(self.demo_village) if self.demo_village is not None else None
        self.demo_resident = Sponsor(resident.pk, resident.name, True) if resident is not None else None
        enterprise = (
            Subject.objects.filter(town=self.demo_town, kind=Subject.Kind.ENTERPRISE)
            .exclude(account_links__isnull=False)
            .order_by("id")
            .first()
        )
        self.demo_enterprise = Sponsor(enterprise.pk, enterprise.name, False) if enterprise is not None else None

    def people_of(self, p: PlannedProject) -> list[Sponsor]:
        own = self.people.get(p.place.region_id) or self.people.get(p.place.town_id) or []
        return [s for s in own if self.demo_resident is None or s.subject_id != self.demo_resident.subject_id]

    def enterprises_of(self, p: PlannedProject) -> list[Sponsor]:
        own = self.enterprises.get(p.place.town_id) or []
        return own[:40] + self.all_enterprises[:20] if own else self.all_enterprises

    def title_sponsor(self, p: PlannedProject, rng: Any) -> Sponsor | None:
        if p.demo in ("in_progress", "closed") and self.demo_enterprise is not None:
            return self.demo_enterprise
        share = 0.8 if p.flagship else shape.TITLE_SHARE
        pool = self.enterprises_of(p)
        if pool and rng.random() < share:
            return pool[rng.randrange(len(pool))]
        return None

    def ceremony_of(self, p: PlannedProject) -> tuple[dt.datetime, dt.datetime, int] | None:
        c = self.ceremonies.get(p.ceremony_year or 0)
        if c is None or c.starts_at > self.now:
            return None
        return c.starts_at, c.ends_at, c.year

    # Teams -------------------------------------------------------------------------------------------
    def _teams(self) -> None:
        """The active teams of each town (by the town of their home region); a service team is made
        for each town that has none."""
        self.teams: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for tid, kind, region in (
            Team.objects.filter(active=True)
            .exclude(kind=Team.Kind.LECTURE)
            .order_by("id")
            .values_list("id", "kind", "region_id")
        ):
            town = self.town_of.get(region)
            if town:
                self.teams[town].append((tid, kind))
        missing = [t for t in self.towns if not self.teams[t.pk]]
        if missing:
            created = local_at(self.opened_on - dt.timedelta(days=10), 9, 0)
            rows = Team.objects.bulk_create(
                [
                    Team(
                        name=f"{t.name}项目超市志愿服务队",
                        tier=Team.Tier.TOWN_VILLAGE,
                        kind=Team.Kind.SERVICE,
                        region=t,
                        description="承接项目超市公益项目的志愿服务队",
                        created_at=created,
                    )
                    for t in missing
                ]
            )
            for row in rows:
                self.teams[row.region_id].append((row.pk, row.kind))
            self.counts["teams_created"] = len(rows)

    # Ceremonies --------------------------------------------------------------------------------------
    def _ceremonies(self) -> None:
        rows = []
        for year in range(self.first_year, self.today.year + 1):
            day = dt.date(year, *shape.CEREMONY_DAY)
            starts = local_at(day, 9, 30)
            rows.append(
                Ceremony(
                    year=year,
                    title=f"{year}年{self.county.name}“志愿+信用”公益项目认领典礼",
                    venue=f"{self.county.name}新时代文明实践中心",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    launched_at=starts if starts <= self.now else None,
                    created_at=min(local_at(dt.date(year, 3, 1), 10, 0), self.now),
                )
            )
        self.ceremonies = {c.year: c for c in Ceremony.objects.bulk_create(rows)}
        self.counts["ceremonies"] = len(rows)

    # Planning ----------------------------------------------------------------------------------------
    def _plan(self) -> None:
        index = 0
        for k, year in enumerate(range(self.first_year, self.today.year + 1)):
            n = shape.scaled(shape.PROJECTS_A_YEAR[k], self.scale)
            batch = min(n, shape.scaled(shape.CEREMONY_BATCH, self.scale))
            year_plans = []
            for j in range(n):
                index += 1
                rng = shape.seeded(self.seed, "project", index)
                year_plans.append(self._project(rng, index, year, ceremony=j < batch))
            self.plans += year_plans
        for state in ("draft", "published", "claimed", "in_progress", "completed", "accepted", "closed"):
            index += 1
            rng = shape.seeded(self.seed, "demo", index)
            self.plans.append(self._project(rng, index, self.today.year, demo=state))
        for p in self.plans:
            rng = shape.seeded(self.seed, "money", p.index)
            money_plan(p, rng, self.now, self.today, self)
            self._team_plan(p, rng)
            milestones_plan(p, rng, self.now)
        by_year: dict[int, list[PlannedProject]] = defaultdict(list)
        for p in self.plans:
            by_year[p.timeline.created.year].append(p)
        for year, plans in by_year.items():
            plans.sort(key=lambda p: (p.timeline.created, p.index))
            for n, p in enumerate(plans, start=1):
                p.number = f"XM{year}-{n:04d}"

    def _place(self, rng: Any) -> Place:
        publisher = weighted(rng, shape.PUBLISHERS)
        town = self.towns[rng.randrange(len(self.towns))]
        villages = self.villages_of[town.pk]
        if publisher == "station" and villages:
            village = villages[rng.randrange(len(villages))]
            return Place(village.pk, town.pk, village.pk, village.name, publisher, village.pk, None)
        if publisher == "department" and self.departments:
            department = self.departments[rng.randrange(len(self.departments))]
            return Place(town.pk, town.pk, None, town.name, publisher, self.county.pk, department[0])
        if publisher == "institute":
            return Place(town.pk, town.pk, None, town.name, publisher, town.pk, None)
        return Place(town.pk, town.pk, None, town.name, "centre", self.county.pk, None)

    def _project(self, rng: Any, index: int, year: int, *, ceremony: bool = False, demo: str = "") -> PlannedProject:
        place = self._place(rng)
        if demo:
            village = self.demo_village
            if village is not None and demo in ("published", "closed", "in_progress"):
                place = Place(village.pk, self.demo_town.pk, village.pk, village.name, "station", village.pk, None)
            else:
                town = self.demo_town
                place = Place(town.pk, town.pk, None, town.name, "institute", town.pk, None)
        category = weighted(rng, shape.CATEGORIES)
        title = rng.choice(shape.TITLES[category]).format(place=place.name)
        budget, flagship = budget_draw(rng)
        if demo:
            budget, flagship = Decimal(rng.randint(80, 300) * 100), False
        year_start = dt.date(year, 1, 1)
        year_end = min(dt.date(year, 12, 31), self.today)
        ceremony_day = dt.date(year, *shape.CEREMONY_DAY)
        if demo:
            timeline = forced_timeline(demo, self.today)
        elif ceremony:
            created = ceremony_day - dt.timedelta(days=rng.randint(6, 25))
            created = min(created, self.today - dt.timedelta(days=1))
            published = ceremony_day if local_at(ceremony_day, 9, 30) <= self.now else None
            timeline = timeline_draw(rng, created, published)
        else:
            created = year_start + dt.timedelta(days=rng.randint(0, max(0, (year_end - year_start).days)))
            timeline = timeline_draw(rng, created, created + dt.timedelta(days=rng.randint(*shape.PUBLISH_AFTER)))
            recent = (self.today - created).days <= shape.DRAFT_DAYS
            if recent and rng.random() < shape.DRAFT_SHARE:
                timeline.published = None
        claimed = True
        if not demo and rng.random() < shape.UNCLAIMED_SHARE:
            claimed = False
            t = timeline
            t.claimed = t.started = t.completed = t.accepted = t.closed = None
            if t.published is not None and (self.today - t.published).days > shape.WITHDRAW_AFTER:
                t.withdrawn = t.published + dt.timedelta(days=shape.WITHDRAW_AFTER - rng.randint(0, 30))
        if demo == "published":
            claimed = False
        state = state_at(timeline, self.now, claimed=claimed)
        low, high = shape.BENEFICIARIES[category][1]
        return PlannedProject(
            index=index,
            year=year,
            place=place,
            category=category,
            title=title[:120],
            budget=budget,
            timeline=timeline,
            state=state,
            ceremony_year=year if ceremony else None,
            beneficiary_count=rng.randint(low, high),
            flagship=flagship,
            demo=demo,
        )

    def _team_plan(self, p: PlannedProject, rng: Any) -> None:
        """The teams that applied (the picked one first) once the project was published."""
        if p.state in ("draft",) or p.timeline.withdrawn is not None:
            return
        teams = self.teams.get(p.place.town_id) or []
        if not teams:
            return
        wanted = shape.TEAM_KINDS[p.category]
        ordered = [t for t, kind in teams if kind == wanted] + [t for t, kind in teams if kind != wanted]
        k = min(len(ordered), rng.randint(1, 3))
        picks = ordered[: max(k, 1) + 2]
        rng.shuffle(picks)
        p.team_candidates = picks[:k]
        t = p.timeline
        if p.state in ("in_progress", "completed", "accepted", "closed"):
            p.picked = True
            p.picked_on = t.started - dt.timedelta(days=1) if t.started else None
        elif p.state == "claimed" and rng.random() < 0.6:
            p.picked = True
            p.picked_on = min(self.today, (t.claimed or self.today))
        elif p.state == "published" and rng.random() < 0.5:
            p.team_candidates = p.team_candidates[:1]
        else:
            p.team_candidates = []
