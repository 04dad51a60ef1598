"""Synthetic warm-heart canteens (暖心食堂) for a generated county, after its volunteering.

At scale 1.0 (figures in :mod:`rongxin.synth.canteens_shape`): one canteen per ``canteen`` venue
the county plan put in about half of the villages (487 for seed 1), 472 of them open (opened over
the past five years) and the rest planned, being built or paused; seats from the venue, lunch on
five to seven weekdays (a few on four, below the rule); the town's canteen volunteer team as the
cook team; build costs (about ¥90,000: ¥20,000 from the county, the rest from the town, the
village and donations) and yearly running costs; the 80% coverage target and a build plan of
about 100 a year; about 15,000 enrolled elders (residents aged 60 and over, mostly 70+, of the
canteen's village; some left since); three years of daily counts (revision 1, current) on each
canteen's meal days with a few days missing, and the last 90 days of per-elder meals that add up
to those counts (:mod:`rongxin.synth.canteens_days`); cooks with health certificates and
food-safety trainings, donations, stock used and clinic visits
(:mod:`rongxin.synth.canteens_support`).

Small tables go through ``bulk_create``; the days and meals through
:class:`~rongxin.core.bulk.BulkWriter` (``COPY`` on PostgreSQL), all in one transaction.
Deterministic for ``(seed, now, scale)`` and the county. No credit entries are written.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from rongxin.canteens.models import BuildPlan, Canteen, CanteenEvent, Cost, CoveragePolicy, Elder
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.regions.models import Region, Venue
from rongxin.subjects.models import Person, Subject
from rongxin.synth import canteens_shape as shape
from rongxin.synth.canteens_days import write_days
from rongxin.synth.canteens_support import write_support, years_before
from rongxin.synth.county import largest_remainder
from rongxin.synth.lectures_records import local_at
from rongxin.volunteering.models import Team


class CanteensRefused(RuntimeError):
    pass


@dataclass
class CanteensResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "seconds": round(self.seconds, 2)}


@dataclass
class ElderPlan:
    subject_id: int
    birth: dt.date
    enrolled_on: dt.date
    left_on: dt.date | None
    needs_delivery: bool
    appetite: float  # the chance of eating on a meal day


@dataclass
class CanteenPlan:
    row: Canteen
    town_name: str
    paused_on: dt.date | None = None
    elders: list[ElderPlan] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)


def _day_between(rng: Any, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def generate_canteens(*, seed: int, now: dt.datetime | None = None, scale: float = 1.0) -> CanteensResult:
    """Write the synthetic canteens of the generated county in one transaction (see the module
    docstring). Refuses a database that already has canteens or one without villages."""
    started = time.perf_counter()
    if Canteen.objects.exists():
        raise CanteensRefused("the database already has canteens; synthetic canteens go into none")
    now = (now or clock.now()).astimezone(dt.UTC).replace(microsecond=0)
    with transaction.atomic():
        gen = _Generator(seed=seed, now=now, scale=scale)
        counts = gen.run()
        audit_record(
            actor=None,
            kind="write",
            action="synth.canteens",
            object_type="synth.syntheticload",
            object_id="",
            details={"scale": scale, "seed": seed, "counts": counts},
        )
    return CanteensResult(counts=counts, seconds=time.perf_counter() - started)


class _Generator:
    def __init__(self, *, seed: int, now: dt.datetime, scale: float):
        self.seed, self.now, self.scale = seed, now, scale
        self.today = now.astimezone(clock.LOCAL_TZ).date()
        self.counts: Counter[str] = Counter()

    def run(self) -> dict[str, int]:
        self.county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
        if self.county is None:
            raise CanteensRefused("no county: run generate_county first")
        self.towns = {t.pk: t for t in Region.objects.filter(level=Region.Level.TOWN)}
        self.villages = dict(Region.objects.filter(level=Region.Level.VILLAGE).values_list("id", "parent_id"))
        self.plans = self._canteens()
        self._events_and_costs()
        self._plan()
        self._elders()
        self.counts.update(write_days(self))
        self.counts.update(write_support(self))
        return dict(sorted(self.counts.items()))

    # Canteens ------------------------------------------------------------------------------------
    def _canteens(self) -> list[CanteenPlan]:
        rng = shape.seeded(self.seed, "canteens")
        venues = list(
            Venue.objects.filter(kind=Venue.Kind.CANTEEN, region__level=Region.Level.VILLAGE)
            .order_by("id")
            .values_list("id", "region_id", "name", "address", "capacity")
        )
        teams: dict[int, int] = {}
        for tid, region in (
            Team.objects.filter(kind=Team.Kind.CANTEEN, active=True).order_by("-id").values_list("id", "region_id")
        ):
            teams[region] = tid  # the lowest id of each region wins
        n_open = min(len(venues), round(shape.OPEN_CANTEENS / shape.BASE_VILLAGES * len(self.villages)))
        n_not_open = min(len(venues), max(shape.MIN_NOT_OPEN, len(venues) - n_open))
        not_open = rng.sample(range(len(venues)), n_not_open)
        status_of: dict[int, str] = {}
        for k, i in enumerate(not_open):
            status_of[i] = (Canteen.Status.PAUSED, Canteen.Status.BUILDING, Canteen.Status.PLANNED)[k % 3]
        weekdays = [w for w, _ in shape.MEAL_WEEKDAYS]
        weights = [n for _, n in shape.MEAL_WEEKDAYS]
        plans: list[CanteenPlan] = []
        for i, (venue_id, village_id, name, address, capacity) in enumerate(venues):
            town_id = self.villages[village_id]
            status = status_of.get(i, Canteen.Status.OPEN)
            opened_on: dt.date | None = None
            planned_year: int | None = None
            paused_on: dt.date | None = None
            if status in (Canteen.Status.OPEN, Canteen.Status.PAUSED):
                # Opened over the past five years, more of them lately (about 100 a year).
                opened_on = self.today - dt.timedelta(days=int(5 * 365 * rng.random() ** 1.3) + 20)
                if status == Canteen.Status.PAUSED:
                    paused_on = _day_between(rng, max(opened_on, self.today - dt.timedelta(days=150)), self.today)
            else:
                planned_year = self.today.year + (rng.random() < 0.4 and status == Canteen.Status.PLANNED)
            created = opened_on - dt.timedelta(days=rng.randint(120, 300)) if opened_on else None
            if created is None:
                created = self.today - dt.timedelta(days=rng.randint(20, 200))
            row = Canteen(
                name=name,
                village_id=village_id,
                town_id=town_id,
                venue_id=venue_id,
                address=address,
                operator=Canteen.Operator.PARTY_BRANCH if rng.random() < 0.3 else Canteen.Operator.VILLAGE_COMMITTEE,
                status=status,
                planned_year=planned_year or (opened_on.year if opened_on else None),
                opened_on=opened_on,
                seats=capacity or rng.randint(20, 60),
                meal_weekdays=list(rng.choices(weekdays, weights=weights)[0]),
                team_id=teams.get(village_id) or teams.get(town_id),
                created_at=local_at(created, 9, rng.randint(0, 59)),
            )
            plans.append(CanteenPlan(row=row, town_name=self.towns[town_id].name, paused_on=paused_on))
        created_rows = Canteen.objects.bulk_create([p.row for p in plans], batch_size=500)
        for p, row in zip(plans, created_rows, strict=True):
            p.row = row
        self.counts["canteens"] = len(plans)
        for p in plans:
            self.counts[f"canteens_{p.row.status}"] += 1
        return plans

    def _events_and_costs(self) -> None:
        rng = shape.seeded(self.seed, "costs")
        events: list[CanteenEvent] = []
        costs: list[Cost] = []
        for p in self.plans:
            c = p.row
            created_day = c.created_at.astimezone(clock.LOCAL_TZ).date()
            events.append(CanteenEvent(canteen=c, status=Canteen.Status.PLANNED, on=created_day, at=c.created_at))
            building_on: dt.date | None = None
            if c.status != Canteen.Status.PLANNED:
                end = c.opened_on - dt.timedelta(days=20) if c.opened_on else self.today - dt.timedelta(days=1)
                building_on = _day_between(rng, created_day + dt.timedelta(days=1), end)
                events.append(
                    CanteenEvent(
                        canteen=c, status=Canteen.Status.BUILDING, on=building_on, at=local_at(building_on, 10, 0)
                    )
                )
            if c.opened_on:
                events.append(
                    CanteenEvent(canteen=c, status=Canteen.Status.OPEN, on=c.opened_on, at=local_at(c.opened_on, 11, 0))
                )
            if p.paused_on:
                events.append(
                    CanteenEvent(
                        canteen=c, status=Canteen.Status.PAUSED, on=p.paused_on, at=local_at(p.paused_on, 15, 0),
                        note="厨房改造，暂停供餐",
                    )
                )  # fmt: skip
            if building_on is None:
                continue
            # Building: about ¥90,000, of which the county ¥20,000; the rest town, village, donations.
            total = shape.BUILD_COST + rng.randint(-15, 15) * 1000
            town = rng.randint(10, 20) * 1000
            donated = rng.randint(0, 15) * 1000
            village = total - shape.COUNTY_SHARE - town - donated
            at = local_at(building_on, 16, 0)
            for source, amount in (
                (Cost.Source.COUNTY, shape.COUNTY_SHARE),
                (Cost.Source.TOWN, town),
                (Cost.Source.VILLAGE, village),
                (Cost.Source.DONATION, donated),
            ):
                if amount > 0:
                    costs.append(
                        Cost(
                            canteen=c, kind=Cost.Kind.BUILD, year=building_on.year, source=source,
                            amount=Decimal(amount).quantize(Decimal("0.01")), note="食堂建设", recorded_at=at,
                        )
                    )  # fmt: skip
            if not c.opened_on:
                continue
            # Running: each year open, village collective and donations (and the county's subsidy).
            for year in range(c.opened_on.year, self.today.year + 1):
                months = 12 if year > c.opened_on.year else 13 - c.opened_on.month
                if year == self.today.year:
                    months = min(months, self.today.month)
                recorded = local_at(dt.date(year, 12, 31) if year < self.today.year else self.today, 9, 0)
                recorded = min(recorded, self.now)
                for source, monthly in (
                    (Cost.Source.VILLAGE, rng.randint(15, 30) * 100),
                    (Cost.Source.COUNTY, 1000),
                    (Cost.Source.DONATION, rng.randint(5, 15) * 100),
                ):
                    costs.append(
                        Cost(
                            canteen=c, kind=Cost.Kind.RUNNING, year=year, source=source,
                            amount=Decimal(monthly * months).quantize(Decimal("0.01")),
                            note=f"{months} 个月运营（食材、水电燃气）", recorded_at=recorded,
                        )
                    )  # fmt: skip
        CanteenEvent.objects.bulk_create(events, batch_size=1000)
        Cost.objects.bulk_create(costs, batch_size=1000)
        self.counts["canteen_events"] = len(events)
        self.counts["costs"] = len(costs)

    def _plan(self) -> None:
        assert self.county is not None
        at = local_at(dt.date(self.today.year - 3, 1, 5), 9, 0)
        if not CoveragePolicy.objects.filter(county=self.county).exists():
            CoveragePolicy.objects.create(county=self.county, target_percent=shape.TARGET_PERCENT, changed_at=at)
            self.counts["coverage_policies"] += 1
        have = set(BuildPlan.objects.filter(county=self.county).values_list("year", flat=True))
        planned = max(1, round(shape.BUILD_PLAN * self.scale))
        rows = [
            BuildPlan(county=self.county, year=y, planned=planned, changed_at=local_at(dt.date(y - 1, 12, 20), 9, 0))
            for y in range(self.today.year - 2, self.today.year + 2)
            if y not in have
        ]
        BuildPlan.objects.bulk_create(rows)
        self.counts["build_plans"] = len(rows)

    # Elders --------------------------------------------------------------------------------------
    def _elders(self) -> None:
        rng = shape.seeded(self.seed, "elders")
        serving = [p for p in self.plans if p.row.opened_on is not None]
        by_village: dict[int, CanteenPlan] = {p.row.village_id: p for p in serving}
        cutoff = years_before(self.today, shape.ELDER_MIN_AGE)
        pools: dict[int, list[tuple[int, dt.date, str]]] = {}
        for sid, village, name, birth in (
            Subject.objects.filter(
                kind=Subject.Kind.PERSON,
                village_id__in=list(by_village),
                person__residency=Person.Residency.RESIDENT,
                person__birth_date__lte=cutoff,
            )
            .order_by("id")
            .values_list("id", "village_id", "name", "person__birth_date")
            .iterator(chunk_size=20_000)
        ):
            pools.setdefault(village, []).append((sid, birth, name))

        def weight(birth: dt.date) -> float:
            age = self.today.year - birth.year
            return 1.0 if age < 70 else 4.0 if age < 80 else 6.0

        enrolments = round(shape.ELDERS * self.scale / (1 - shape.LEFT_SHARE))
        sizes = largest_remainder(
            enrolments, [sum(weight(b) for _s, b, _n in pools.get(p.row.village_id, [])) for p in serving]
        )
        rows: list[Elder] = []
        for p, size in zip(serving, sizes, strict=True):
            pool = pools.get(p.row.village_id, [])
            if not pool or size <= 0:
                continue
            keyed = sorted(pool, key=lambda e: rng.random() ** (1 / weight(e[1])), reverse=True)
            opened = p.row.opened_on
            assert opened is not None
            last = (p.paused_on or self.today) - dt.timedelta(days=1)
            for sid, birth, name in sorted(keyed[:size]):
                sixty = years_before(birth, -shape.ELDER_MIN_AGE)
                first = max(opened, sixty)
                if first > last:
                    continue
                enrolled = first if rng.random() < 0.45 and first == opened else _day_between(rng, first, last)
                left: dt.date | None = None
                if rng.random() < shape.LEFT_SHARE and (last - enrolled).days > 60:
                    left = _day_between(rng, enrolled + dt.timedelta(days=30), last)
                family = rng.random() < shape.FAMILY_CONSENT_SHARE
                delivery = rng.random() < shape.DELIVERY_SHARE
                p.elders.append(
                    ElderPlan(sid, birth, enrolled, left, delivery, rng.uniform(0.65, 0.98) if not delivery else 0.97)
                )
                p.names[sid] = name
                consent_at = local_at(enrolled, 10, rng.randint(0, 59))
                rows.append(
                    Elder(
                        canteen=p.row, subject_id=sid, village_id=p.row.village_id, enrolled_on=enrolled,
                        consent_by=Elder.ConsentBy.FAMILY if family else Elder.ConsentBy.SELF,
                        consent_name=f"{name[:1]}{rng.choice(shape.GIVEN)}" if family else "",
                        consent_relation=rng.choice(shape.RELATIONS) if family else "",
                        consent_at=consent_at,
                        dietary_note=rng.choice(shape.DIETS) if rng.random() < shape.DIET_SHARE else "",
                        needs_delivery=delivery, left_on=left,
                        left_reason=rng.choice(shape.LEFT_REASONS) if left else "", recorded_at=consent_at,
                    )
                )  # fmt: skip
            p.row.elder_count = sum(1 for e in p.elders if e.left_on is None)
        Elder.objects.bulk_create(rows, batch_size=2000)
        Canteen.objects.bulk_update([p.row for p in serving], ["elder_count"], batch_size=500)
        self.counts["elders"] = len(rows)
        self.counts["elders_current"] = sum(1 for r in rows if r.left_on is None)
        self.counts["elders_left"] = len(rows) - self.counts["elders_current"]
