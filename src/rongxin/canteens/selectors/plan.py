"""The coverage plan: the share of the county's villages with an open canteen against the
target, the villages still needed, the villages without one ranked by residents aged 80+ (from
the credit file's birth dates: person subjects whose village it is), and the build plan's
progress per year (canteens planned against canteens opened that year, by ``opened_on``).

A canteen counts as open on a day when its last status change up to that day (its
:class:`CanteenEvent` rows) made it open. A handful of queries whatever the county's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import ExtractYear

from rongxin.canteens.domain.coverage import (
    DEFAULT_TARGET_PERCENT,
    OLD_AGE,
    latest_birth_date,
    share_percent,
    villages_for_target,
    villages_needed,
)
from rongxin.canteens.models import BuildPlan, Canteen, CanteenEvent, CoveragePolicy
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject


@dataclass(frozen=True)
class VillageNeed:
    region: Region
    town: Region
    residents_80: int  # person subjects of the village aged 80 or more on the day
    canteen_status: str  # "" (none), planned, building, paused, closed: the best it has


@dataclass(frozen=True)
class TownCoverage:
    region: Region
    villages: int
    covered: int

    @property
    def share(self) -> Decimal:
        return share_percent(self.covered, self.villages)


@dataclass(frozen=True)
class YearProgress:
    year: int
    planned: int | None  # no plan set for the year: None
    opened: int


@dataclass(frozen=True)
class Coverage:
    county: Region
    on: dt.date
    target_percent: int
    villages: int
    covered: int
    share: Decimal  # percent, one decimal
    target_villages: int  # villages that reach the target
    needed: int  # villages still to cover
    towns: list[TownCoverage]
    uncovered: list[VillageNeed]  # most residents aged 80+ first, then by code
    years: list[YearProgress]


def target_percent(county: Region) -> int:
    policy = CoveragePolicy.objects.filter(county=county).first()
    return policy.target_percent if policy is not None else DEFAULT_TARGET_PERCENT


def status_on(on: dt.date) -> Subquery:
    """The status of the canteen (``OuterRef("pk")``) after its last change up to ``on``."""
    return Subquery(
        CanteenEvent.objects.filter(canteen_id=OuterRef("pk"), on__lte=on)
        .order_by("-on", "-at", "-id")
        .values("status")[:1]
    )


RANK = {"paused": 4, "building": 3, "planned": 2, "closed": 1}


def coverage(*, county: Region, on: dt.date) -> Coverage:
    """The coverage plan of ``county`` on ``on`` (see the module)."""
    villages = list(
        Region.objects.filter(level=Region.Level.VILLAGE, prefix__startswith=county.prefix)
        .select_related("parent")
        .order_by("code")
    )
    canteens = (
        Canteen.objects.filter(village__prefix__startswith=county.prefix)
        .annotate(then=status_on(on))
        .exclude(then=None)
        .values_list("village_id", "then")
    )
    best: dict[int, str] = {}
    for village_id, then in canteens:  # one row per canteen (hundreds), not per person
        held = best.get(village_id, "")
        if held != Canteen.Status.OPEN and (then == Canteen.Status.OPEN or RANK.get(then, 0) > RANK.get(held, 0)):
            best[village_id] = then
    covered_ids = {v for v, s in best.items() if s == Canteen.Status.OPEN}
    cutoff = latest_birth_date(on, OLD_AGE)
    old = dict(
        Person.objects.filter(
            subject__kind=Subject.Kind.PERSON,
            subject__village__prefix__startswith=county.prefix,
            birth_date__lte=cutoff,
        )
        .values("subject__village_id")
        .annotate(n=Count("subject_id"))
        .values_list("subject__village_id", "n")
    )
    towns: dict[int, list[int]] = {}
    town_regions: dict[int, Region] = {}
    for v in villages:
        if v.parent is None:
            continue
        town_regions[v.parent.pk] = v.parent
        counts = towns.setdefault(v.parent.pk, [0, 0])
        counts[0] += 1
        counts[1] += v.pk in covered_ids
    uncovered = sorted(
        (
            VillageNeed(region=v, town=v.parent, residents_80=old.get(v.pk, 0), canteen_status=best.get(v.pk, ""))
            for v in villages
            if v.pk not in covered_ids and v.parent is not None
        ),
        key=lambda n: (-n.residents_80, n.region.code),
    )
    total, covered = len(villages), len(covered_ids)
    target = target_percent(county)
    return Coverage(
        county=county,
        on=on,
        target_percent=target,
        villages=total,
        covered=covered,
        share=share_percent(covered, total),
        target_villages=villages_for_target(total, target),
        needed=villages_needed(total, covered, target),
        towns=[
            TownCoverage(region=town_regions[pk], villages=c[0], covered=c[1])
            for pk, c in sorted(towns.items(), key=lambda kv: town_regions[kv[0]].code)
        ],
        uncovered=uncovered,
        years=plan_progress(county=county),
    )


def plan_progress(*, county: Region) -> list[YearProgress]:
    """Each year with a plan or an opening: canteens planned and canteens opened that year."""
    planned = dict(BuildPlan.objects.filter(county=county).values_list("year", "planned"))
    opened = dict(
        Canteen.objects.filter(village__prefix__startswith=county.prefix, opened_on__isnull=False)
        .annotate(year=ExtractYear("opened_on"))
        .values("year")
        .annotate(n=Count("id"))
        .values_list("year", "n")
    )
    years = sorted(set(planned) | set(opened))
    return [YearProgress(year=y, planned=planned.get(y), opened=opened.get(y, 0)) for y in years]


def build_plans(*, county: Region) -> list[BuildPlan]:
    return list(BuildPlan.objects.filter(county=county).order_by("year"))
