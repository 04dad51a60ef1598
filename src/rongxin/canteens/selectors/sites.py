"""Reads of canteens as places: the list a viewer may see, one canteen with its history and costs,
the choices a form offers, and the hub's overview (counts only; elders are never named here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.canteens.domain.coverage import OLD_AGE, latest_birth_date
from rongxin.canteens.models import Canteen, CanteenEvent, Cost, Elder
from rongxin.canteens.permissions.common import (
    VILLAGE_STAFF_ROLES,
    admin_grants,
    figure_regions,
    is_auditor,
    is_village_staff,
    manages_region,
)
from rongxin.canteens.selectors.scope import canteen_filter
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region, Venue
from rongxin.volunteering.models import Team

STATUSES = [s.value for s in Canteen.Status]


def visible_canteens(actor: User | AnonymousUser | None) -> QuerySet[Canteen]:
    """The canteens whose page the actor may open: those under any region they read figures of."""
    regions = figure_regions(actor)
    if not regions:
        return Canteen.objects.none()
    q = Q()
    for region in regions:
        q |= canteen_filter(region)
    return Canteen.objects.filter(q).select_related("village", "town", "venue", "team")


def canteen_list(*, actor: User | AnonymousUser | None, town_code: str = "", status: str = "") -> QuerySet[Canteen]:
    """The canteens the actor sees, optionally of one town or status, by village code and name."""
    rows = visible_canteens(actor)
    if town_code:
        rows = rows.filter(town__code=town_code)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("village__code", "name", "pk")


def canteen_visible(actor: User | AnonymousUser | None, canteen_id: int) -> Canteen:
    """The canteen if the actor reads it (its village staff, its town, the county's administrators
    and auditors); NotFound otherwise."""
    canteen = visible_canteens(actor).filter(pk=canteen_id).first()
    if canteen is None:
        raise NotFound()
    return canteen


@dataclass
class CanteenRights:
    manage: bool  # its town officer or an administrator: everything
    staff: bool  # village staff: day-to-day details, pause and reopen


def canteen_row(canteen_id: int) -> Canteen:
    """The canteen as its pages and the API show it (village, town, venue and team joined); the
    caller has checked access already (e.g. a write just returned it)."""
    return Canteen.objects.select_related("village", "town", "venue", "team").get(pk=canteen_id)


def canteen_rights(actor: User | AnonymousUser | None, canteen: Canteen) -> CanteenRights:
    return CanteenRights(manage=manages_region(actor, canteen.village), staff=is_village_staff(actor, canteen))


def canteen_events(canteen: Canteen) -> list[CanteenEvent]:
    return list(CanteenEvent.objects.filter(canteen=canteen).order_by("on", "at", "id"))


@dataclass
class CostTotals:
    rows: list[Cost]
    build: Decimal
    running: Decimal
    county_build: Decimal  # what the county fund paid towards building


def canteen_costs(canteen: Canteen) -> CostTotals:
    rows = list(Cost.objects.filter(canteen=canteen).order_by("year", "kind", "id"))
    build = sum((c.amount for c in rows if c.kind == Cost.Kind.BUILD), Decimal("0.00"))
    running = sum((c.amount for c in rows if c.kind == Cost.Kind.RUNNING), Decimal("0.00"))
    county = sum(
        (c.amount for c in rows if c.kind == Cost.Kind.BUILD and c.source == Cost.Source.COUNTY), Decimal("0.00")
    )
    return CostTotals(rows=rows, build=build, running=running, county_build=county)


def elder_counts(canteen_ids: list[int], on: dt.date) -> dict[int, tuple[int, int]]:
    """Enrolled elders (still enrolled) and those aged 80 or more on ``on``, per canteen."""
    cutoff = latest_birth_date(on, OLD_AGE)
    rows = (
        Elder.objects.filter(canteen_id__in=canteen_ids, left_on__isnull=True)
        .values("canteen_id")
        .annotate(n=Count("id"), old=Count("id", filter=Q(subject__person__birth_date__lte=cutoff)))
    )
    return {r["canteen_id"]: (r["n"], r["old"]) for r in rows}


# --- Choices for forms -------------------------------------------------------------------------------
def planner_villages(actor: User | AnonymousUser | None) -> QuerySet[Region]:
    """The villages the actor may put a canteen in."""
    admin = admin_grants(actor)
    if admin:
        prefixes = [admin[0].region.prefix]
    else:
        prefixes = [g.region.prefix for g in grants_with_roles(actor, [Role.TOWN_OFFICER])]
    if not prefixes:
        return Region.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(prefix__startswith=prefix)
    return Region.objects.filter(q, level=Region.Level.VILLAGE).select_related("parent").order_by("code")


def canteen_venues(village: Region) -> QuerySet[Venue]:
    return Venue.objects.filter(region=village, kind=Venue.Kind.CANTEEN).order_by("name", "pk")


def canteen_teams(village: Region) -> QuerySet[Team]:
    """Active canteen teams of the village or its town (a canteen's cook team)."""
    return Team.objects.filter(
        kind=Team.Kind.CANTEEN, active=True, region__in=[village.pk, village.parent_id]
    ).order_by("name", "pk")


# --- The hub -----------------------------------------------------------------------------------------
@dataclass
class TownRow:
    region: Region
    by_status: dict[str, int]
    villages: int
    covered: int  # villages with an open canteen
    elders: int
    elders_80: int

    @property
    def canteens(self) -> int:
        return sum(self.by_status.values())


@dataclass
class Overview:
    region: Region
    towns: list[TownRow]
    total: TownRow
    own: list[Canteen] = field(default_factory=list)  # village staff: their canteens
    can_create: bool = False
    can_plan: bool = False
    reads_plan: bool = False


def canteens_overview(*, actor: User | AnonymousUser | None, on: dt.date) -> Overview | None:
    """The hub's overview for the actor's region (the county for administrators and auditors,
    the town for town officers, the village for village staff): canteens per town by status,
    villages covered, elders enrolled and enrolled elders aged 80+. None for anyone else.
    Four queries, whatever the number of canteens."""
    regions = figure_regions(actor)
    if not regions:
        return None
    region = regions[0]
    towns = (
        [region]
        if region.level == Region.Level.TOWN
        else [region.parent]
        if region.level == Region.Level.VILLAGE and region.parent
        else list(Region.objects.filter(level=Region.Level.TOWN, prefix__startswith=region.prefix).order_by("code"))
    )
    in_scope = Canteen.objects.filter(canteen_filter(region))
    by_status: dict[int, dict[str, int]] = {t.pk: dict.fromkeys(STATUSES, 0) for t in towns}
    for row in in_scope.values("town_id", "status").annotate(n=Count("id")):
        by_status.setdefault(row["town_id"], dict.fromkeys(STATUSES, 0))[row["status"]] = row["n"]
    covered: dict[int, int] = {
        r["town_id"]: r["n"]
        for r in in_scope.filter(status=Canteen.Status.OPEN)
        .values("town_id")
        .annotate(n=Count("village_id", distinct=True))
    }
    village_q = Region.objects.filter(level=Region.Level.VILLAGE)
    village_q = (
        village_q.filter(pk=region.pk)
        if region.level == Region.Level.VILLAGE
        else village_q.filter(prefix__startswith=region.prefix)
    )
    villages = {r["parent_id"]: r["n"] for r in village_q.values("parent_id").annotate(n=Count("id"))}
    cutoff = latest_birth_date(on, OLD_AGE)
    elders = {
        r["canteen__town_id"]: (r["n"], r["old"])
        for r in Elder.objects.filter(canteen_filter(region, "canteen__"), left_on__isnull=True)
        .values("canteen__town_id")
        .annotate(n=Count("id"), old=Count("id", filter=Q(subject__person__birth_date__lte=cutoff)))
    }
    rows = [
        TownRow(
            region=t,
            by_status=by_status.get(t.pk, dict.fromkeys(STATUSES, 0)),
            villages=villages.get(t.pk, 0),
            covered=covered.get(t.pk, 0),
            elders=elders.get(t.pk, (0, 0))[0],
            elders_80=elders.get(t.pk, (0, 0))[1],
        )
        for t in towns
    ]
    total = TownRow(
        region=region,
        by_status={s: sum(r.by_status[s] for r in rows) for s in STATUSES},
        villages=sum(r.villages for r in rows),
        covered=sum(r.covered for r in rows),
        elders=sum(r.elders for r in rows),
        elders_80=sum(r.elders_80 for r in rows),
    )
    own: list[Canteen] = []
    staff_regions = [g.region for g in grants_with_roles(actor, VILLAGE_STAFF_ROLES)]
    if staff_regions:
        q = Q()
        for r in staff_regions:
            q |= canteen_filter(r)
        own = list(Canteen.objects.filter(q).select_related("village").order_by("village__code", "name"))
    planner = bool(admin_grants(actor)) or bool(grants_with_roles(actor, [Role.TOWN_OFFICER]))
    return Overview(
        region=region,
        towns=rows,
        total=total,
        own=own,
        can_create=planner,
        can_plan=bool(admin_grants(actor)),
        reads_plan=planner or is_auditor(actor),
    )
