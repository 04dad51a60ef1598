"""JSON endpoints of canteens as places, the coverage plan and the figures (the pages call the
same services and selectors).

Reading: a canteen's page and the list for those who read canteen figures (village staff their
village, town officers their town, administrators and auditors the county); the coverage plan
for administrators, auditors (the county) and town officers (their town's part); figures for
every figure reader over their region. Writing: see :mod:`rongxin.canteens.services.sites`.
Missing and forbidden look the same (404), and the right is asked before the body is read.
Counts only: no elder is named here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Query, Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest, grants_with_roles
from rongxin.canteens.api.sites_schemas import (
    CanteenCoverageOut,
    CanteenFiguresCooksOut,
    CanteenFiguresDayOut,
    CanteenFiguresDonationOut,
    CanteenFiguresOut,
    CanteenFiguresQuery,
    CanteenFiguresTotalOut,
    CanteenFiguresWeekOut,
    CanteenPlanQuery,
    CanteenPlanTargetIn,
    CanteenPlanTargetOut,
    CanteenPlanTownOut,
    CanteenPlanVillageOut,
    CanteenPlanYearIn,
    CanteenPlanYearOut,
    CanteenSiteCostIn,
    CanteenSiteCostOut,
    CanteenSiteDetailOut,
    CanteenSiteEventOut,
    CanteenSiteIn,
    CanteenSiteOut,
    CanteenSitePage,
    CanteenSitePatch,
    CanteenSiteQuery,
    CanteenSiteRegion,
    CanteenSiteStatusIn,
    CanteenSiteVenue,
)
from rongxin.canteens.domain.weekdays import format_weekdays
from rongxin.canteens.models import BuildPlan, Canteen, Cost, CoveragePolicy
from rongxin.canteens.permissions.common import access_canteen, admin_grants, figure_regions, require_canteen_admin
from rongxin.canteens.selectors import figures as figure_reads
from rongxin.canteens.selectors import plan as plan_reads
from rongxin.canteens.selectors import sites as site_reads
from rongxin.canteens.services import plan as plan_services
from rongxin.canteens.services import sites as services
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region

router = Router(tags=["canteens"])


# --- Gates -------------------------------------------------------------------------------------------
def figure_reader(user: Any, **_path: Any) -> None:
    if not figure_regions(user):
        raise NotFound()


def planner(user: Any, **_path: Any) -> None:
    if not (admin_grants(user) or grants_with_roles(user, [Role.TOWN_OFFICER])):
        raise NotFound()


def canteen_reader(user: Any, canteen_id: int, **_path: Any) -> None:
    site_reads.canteen_visible(user, canteen_id)


def canteen_runner(user: Any, canteen_id: int, **_path: Any) -> None:
    access_canteen(user, canteen_id)


def plan_reader(user: Any, **_path: Any) -> None:
    plan_reads.plan_scope(user)


def admin_only(user: Any, **_path: Any) -> None:
    require_canteen_admin(user)


# --- Presenters --------------------------------------------------------------------------------------
def _region(r: Region) -> CanteenSiteRegion:
    return CanteenSiteRegion(code=r.code, name=r.name)


def _fields(c: Canteen) -> dict[str, Any]:
    days = list(c.meal_weekdays or [])
    venue = c.venue
    return {
        "id": c.pk,
        "name": c.name,
        "village": _region(c.village),
        "town": _region(c.town),
        "status": c.status,
        "operator": c.operator,
        "seats": c.seats,
        "meal_weekdays": days,
        "meal_days": format_weekdays(days),
        "five_day_rule": len(set(days)) >= 5,
        "address": c.address,
        "venue": CanteenSiteVenue(id=venue.pk, name=venue.name, latitude=venue.latitude, longitude=venue.longitude)
        if venue
        else None,
        "team_id": c.team_id,
        "planned_year": c.planned_year,
        "opened_on": c.opened_on,
        "note": c.note,
        "elders": c.elder_count,
    }


def canteen_out(c: Canteen) -> CanteenSiteOut:
    return CanteenSiteOut(**_fields(c))


def canteen_detail_out(c: Canteen) -> CanteenSiteDetailOut:
    costs = site_reads.canteen_costs(c)
    return CanteenSiteDetailOut(
        **_fields(c),
        events=[CanteenSiteEventOut(status=e.status, on=e.on, note=e.note) for e in site_reads.canteen_events(c)],
        costs=[
            CanteenSiteCostOut(id=x.pk, kind=x.kind, year=x.year, source=x.source, amount=x.amount, note=x.note)
            for x in costs.rows
        ],
        build_total=costs.build,
        running_total=costs.running,
    )


def coverage_out(c: plan_reads.Coverage, town: Region | None) -> CanteenCoverageOut:
    towns = [t for t in c.towns if town is None or t.region.pk == town.pk]
    uncovered = [v for v in c.uncovered if town is None or v.town.pk == town.pk]
    return CanteenCoverageOut(
        on=c.on,
        target_percent=c.target_percent,
        villages=c.villages,
        covered=c.covered,
        share=c.share,
        target_villages=c.target_villages,
        needed=c.needed,
        towns=[
            CanteenPlanTownOut(
                code=t.region.code, name=t.region.name, villages=t.villages, covered=t.covered, share=t.share
            )
            for t in towns
        ],
        uncovered=[
            CanteenPlanVillageOut(
                code=v.region.code,
                name=v.region.name,
                town=v.town.name,
                residents_80=v.residents_80,
                canteen_status=v.canteen_status,
            )
            for v in uncovered
        ],
        years=[CanteenPlanYearOut(year=y.year, planned=y.planned, opened=y.opened) for y in c.years],
    )


def _total(t: figure_reads.PeriodTotals) -> CanteenFiguresTotalOut:
    return CanteenFiguresTotalOut(
        id=t.key, name=t.label, days=t.days, eat_in=t.eat_in, delivered=t.delivered, walk_ins=t.walk_ins
    )


# --- Canteens ----------------------------------------------------------------------------------------
@router.get("/sites", response=CanteenSitePage, operation_id="canteens_sites", auth=gated(figure_reader))
def sites(request: SignedInRequest, filters: Query[CanteenSiteQuery]) -> CanteenSitePage:
    """The canteens the caller reads (their village, town or the county), by village code."""
    rows = site_reads.canteen_list(actor=request.user, town_code=filters.town or "", status=filters.status or "")
    total = rows.count()
    items = rows[filters.offset : filters.offset + filters.limit]
    return CanteenSitePage(
        total=total, offset=filters.offset, limit=filters.limit, items=[canteen_out(c) for c in items]
    )


@router.get(
    "/sites/{int:canteen_id}",
    response=CanteenSiteDetailOut,
    operation_id="canteens_site",
    auth=gated(canteen_reader),
)
def site(request: SignedInRequest, canteen_id: int) -> CanteenSiteDetailOut:
    """One canteen: its details, status history and costs."""
    return canteen_detail_out(site_reads.canteen_visible(request.user, canteen_id))


@router.post("/sites", response={201: CanteenSiteOut}, operation_id="canteens_site_create", auth=gated(planner))
def site_create(request: SignedInRequest, payload: CanteenSiteIn) -> Status[CanteenSiteOut]:
    """An administrator (anywhere) or a town officer (their town) adds a canteen."""
    canteen = services.canteen_create(actor=request.user, **payload.dict())
    return Status(201, canteen_out(site_reads.canteen_row(canteen.pk)))


@router.patch(
    "/sites/{int:canteen_id}",
    response=CanteenSiteOut,
    operation_id="canteens_site_update",
    auth=gated(canteen_runner),
)
def site_update(request: SignedInRequest, canteen_id: int, payload: CanteenSitePatch) -> CanteenSiteOut:
    """Change a canteen; fields left out stay as they are (village staff: seats, meal days,
    venue, address, operator and note)."""
    changes = payload.dict(exclude_unset=True)
    for field in ("name", "operator", "seats", "meal_weekdays", "address", "note"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    if "latitude" in changes or "longitude" in changes:
        changes.setdefault("venue_id", None)
    services.canteen_update(actor=request.user, canteen_id=canteen_id, **changes)
    return canteen_out(site_reads.canteen_row(canteen_id))


@router.post(
    "/sites/{int:canteen_id}/status",
    response=CanteenSiteDetailOut,
    operation_id="canteens_site_status",
    auth=gated(canteen_runner),
)
def site_status(request: SignedInRequest, canteen_id: int, payload: CanteenSiteStatusIn) -> CanteenSiteDetailOut:
    """Move a canteen to another status (planned → building → open ⇄ paused → closed)."""
    services.canteen_status_change(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return canteen_detail_out(site_reads.canteen_row(canteen_id))


@router.post(
    "/sites/{int:canteen_id}/costs",
    response={201: CanteenSiteCostOut},
    operation_id="canteens_site_cost_add",
    auth=gated(canteen_runner),
)
def site_cost_add(request: SignedInRequest, canteen_id: int, payload: CanteenSiteCostIn) -> Status[CanteenSiteCostOut]:
    """Record money that built or runs the canteen (its town officer or an administrator)."""
    cost: Cost = services.canteen_cost_add(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return Status(
        201,
        CanteenSiteCostOut(
            id=cost.pk, kind=cost.kind, year=cost.year, source=cost.source, amount=cost.amount, note=cost.note
        ),
    )


# --- The coverage plan -------------------------------------------------------------------------------
@router.get("/coverage", response=CanteenCoverageOut, operation_id="canteens_coverage", auth=gated(plan_reader))
def coverage(request: SignedInRequest, query: Query[CanteenPlanQuery]) -> CanteenCoverageOut:
    """The share of villages with an open canteen against the target, the villages without one
    ranked by residents aged 80+, the build plan per year (town officers: their town's part)."""
    county, town = plan_reads.plan_scope(request.user)
    return coverage_out(plan_reads.coverage(county=county, on=query.on or clock.today_local()), town)


@router.put(
    "/plan/target", response=CanteenPlanTargetOut, operation_id="canteens_plan_target_set", auth=gated(admin_only)
)
def plan_target_set(request: SignedInRequest, payload: CanteenPlanTargetIn) -> CanteenPlanTargetOut:
    """A canteen administrator sets the coverage target (percent of villages)."""
    policy: CoveragePolicy = plan_services.coverage_policy_set(
        actor=request.user, target_percent=payload.target_percent
    )
    return CanteenPlanTargetOut(target_percent=policy.target_percent)


@router.put(
    "/plan/years/{int:year}",
    response=CanteenPlanYearOut,
    operation_id="canteens_plan_year_set",
    auth=gated(admin_only),
)
def plan_year_set(request: SignedInRequest, year: int, payload: CanteenPlanYearIn) -> CanteenPlanYearOut:
    """A canteen administrator sets how many canteens to open in ``year``."""
    plan: BuildPlan = plan_services.build_plan_set(actor=request.user, year=year, planned=payload.planned)
    opened = next((y.opened for y in plan_reads.plan_progress(county=plan.county) if y.year == plan.year), 0)
    return CanteenPlanYearOut(year=plan.year, planned=plan.planned, opened=opened)


# --- Figures -----------------------------------------------------------------------------------------
def figures_period(query: CanteenFiguresQuery) -> tuple[dt.date, dt.date, dt.date]:
    today = clock.today_local()
    date_to = query.date_to or today
    date_from = query.date_from or date_to - dt.timedelta(days=29)
    week = query.week or today - dt.timedelta(days=7)
    return date_from, date_to, week


@router.get(
    "/figures/series",
    response=list[CanteenFiguresDayOut],
    operation_id="canteens_figures_series",
    auth=gated(figure_reader),
)
def figures_series(request: SignedInRequest, query: Query[CanteenFiguresQuery]) -> list[CanteenFiguresDayOut]:
    """Lunches per day (eaten in, delivered, walk-ins) and canteens reporting over the caller's
    region; days no canteen recorded are left out (missing, not zero)."""
    date_from, date_to, _week = figures_period(query)
    region = figure_regions(request.user)[0]
    return [
        CanteenFiguresDayOut(
            date=d.date, eat_in=d.eat_in, delivered=d.delivered, walk_ins=d.walk_ins, canteens=d.canteens
        )
        for d in figure_reads.service_series(region=region, date_from=date_from, date_to=date_to)
    ]


@router.get("/figures", response=CanteenFiguresOut, operation_id="canteens_figures", auth=gated(figure_reader))
def figures(request: SignedInRequest, query: Query[CanteenFiguresQuery]) -> CanteenFiguresOut:
    """The canteens' figures over the caller's region for a period (at most three years): days,
    totals per town and canteen, meal days in a week against commitments, cooks and hours,
    donations per month."""
    date_from, date_to, week = figures_period(query)
    region = figure_regions(request.user)[0]
    f = figure_reads.canteen_figures(region=region, date_from=date_from, date_to=date_to, week=week)
    return CanteenFiguresOut(
        region=_region(region),
        date_from=date_from,
        date_to=date_to,
        week=f.week,
        days=[
            CanteenFiguresDayOut(
                date=d.date, eat_in=d.eat_in, delivered=d.delivered, walk_ins=d.walk_ins, canteens=d.canteens
            )
            for d in f.days
        ],
        region_total=_total(f.region_total),
        towns=[_total(t) for t in f.towns],
        canteens=[_total(t) for t in f.canteens],
        meal_days=[
            CanteenFiguresWeekOut(
                canteen_id=w.canteen.pk,
                canteen=w.canteen.name,
                village=w.canteen.village.name,
                committed=w.committed,
                served=w.served,
                missing=w.missing,
                meets_commitment=w.meets_commitment,
                meets_five_day_rule=w.meets_five_day_rule,
            )
            for w in f.weeks
        ],
        cooks=[
            CanteenFiguresCooksOut(month=f"{m.month:%Y-%m}", cooks=m.cooks, records=m.records, minutes=m.minutes)
            for m in f.cooks
        ],
        donations=[
            CanteenFiguresDonationOut(month=f"{m.month:%Y-%m}", kind=m.kind, donations=m.donations, value=m.value)
            for m in f.donations
        ],
    )
