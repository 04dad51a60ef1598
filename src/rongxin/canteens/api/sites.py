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
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Query, Router, Schema, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest, grants_with_roles
from rongxin.canteens.domain.weekdays import format_weekdays
from rongxin.canteens.models import BuildPlan, Canteen, Cost, CoveragePolicy
from rongxin.canteens.permissions.common import access_canteen, admin_grants, figure_regions, require_canteen_admin
from rongxin.canteens.selectors import figures as figure_reads
from rongxin.canteens.selectors import plan as plan_reads
from rongxin.canteens.selectors import sites as site_reads
from rongxin.canteens.services import sites as services
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region

router = Router(tags=["canteens"])

Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
Status_ = Literal["planned", "building", "open", "paused", "closed"]
Operator = Literal["committee", "party_branch"]


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
    plan_region(user)


def admin_only(user: Any, **_path: Any) -> None:
    require_canteen_admin(user)


def plan_region(user: Any) -> tuple[Region, Region | None]:
    """The county whose plan the user reads and the town they are limited to (None: all of it)."""
    admin = admin_grants(user)
    if admin:
        return admin[0].region, None
    auditors = grants_with_roles(user, [Role.AUDITOR])
    if auditors:
        return auditors[0].region, None
    towns = [g.region for g in grants_with_roles(user, [Role.TOWN_OFFICER]) if g.region.level == Region.Level.TOWN]
    if towns and towns[0].parent is not None:
        return towns[0].parent, towns[0]
    raise NotFound()


# --- Schemas -----------------------------------------------------------------------------------------
class CanteenSiteRegion(Schema):
    code: str
    name: str


class CanteenSiteVenue(Schema):
    id: int
    name: str
    latitude: Decimal
    longitude: Decimal


class CanteenSiteOut(Schema):
    id: int
    name: str
    village: CanteenSiteRegion
    town: CanteenSiteRegion
    status: Status_
    operator: Operator
    seats: int
    meal_weekdays: list[int] = Field(description="Monday = 0 … Sunday = 6.")
    meal_days: str = Field(description="The meal days in words (Chinese).")
    five_day_rule: bool = Field(description="True when lunch is served at least five days a week.")
    address: str
    venue: CanteenSiteVenue | None
    team_id: int | None
    planned_year: int | None
    opened_on: dt.date | None
    note: str
    elders: int = Field(description="Elders enrolled now.")


class CanteenSiteEventOut(Schema):
    status: str
    on: dt.date
    note: str


class CanteenSiteCostOut(Schema):
    id: int
    kind: str = Field(description="build or running.")
    year: int
    source: str = Field(description="county, town, village, donation or other.")
    amount: Decimal
    note: str


class CanteenSiteDetailOut(CanteenSiteOut):
    events: list[CanteenSiteEventOut]
    costs: list[CanteenSiteCostOut]
    build_total: Decimal
    running_total: Decimal


class CanteenSitePage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CanteenSiteOut]


class CanteenSiteQuery(Schema):
    town: str | None = Field(None, max_length=12, description="A town's code.")
    status: Status_ | None = None
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


class CanteenSiteIn(Schema):
    village_code: str = Field(max_length=12)
    name: str = Field(max_length=200)
    operator: Operator
    seats: int = Field(ge=1, le=services.MAX_SEATS)
    meal_weekdays: list[int] = Field(max_length=7, description="Monday = 0 … Sunday = 6.")
    address: str = Field("", max_length=400)
    status: Literal["planned", "building", "open"] = "planned"
    opened_on: Day | None = Field(None, description="Required for an open canteen.")
    planned_year: int | None = Field(None, ge=services.FIRST_YEAR, le=2100)
    venue_id: int | None = Field(None, ge=1, description="A canteen site (venue) of the village.")
    latitude: Decimal | None = Field(None, ge=-90, le=90, description="With longitude and no venue: a new site.")
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    team_id: int | None = Field(None, ge=1, description="A canteen team of the village or its town.")
    note: str = Field("", max_length=600)


class CanteenSitePatch(Schema):
    name: str | None = Field(None, max_length=200)
    operator: Operator | None = None
    seats: int | None = Field(None, ge=1, le=services.MAX_SEATS)
    meal_weekdays: list[int] | None = Field(None, max_length=7)
    address: str | None = Field(None, max_length=400)
    note: str | None = Field(None, max_length=600)
    planned_year: int | None = Field(None, ge=services.FIRST_YEAR, le=2100, description="null clears it.")
    team_id: int | None = Field(None, ge=1, description="null clears it.")
    venue_id: int | None = Field(None, ge=1, description="null with coordinates: a new site; null alone clears it.")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)


class CanteenSiteStatusIn(Schema):
    status: Status_
    on: Day | None = Field(None, description="Default: today (Beijing time).")
    note: str = Field("", max_length=600)


class CanteenSiteCostIn(Schema):
    kind: Literal["build", "running"]
    year: int = Field(ge=services.FIRST_YEAR, le=2100)
    source: Literal["county", "town", "village", "donation", "other"]
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2, description="Yuan.")
    note: str = Field("", max_length=400)


class CanteenPlanQuery(Schema):
    on: Day | None = Field(None, description="Default: today (Beijing time).")


class CanteenPlanTownOut(Schema):
    code: str
    name: str
    villages: int
    covered: int
    share: Decimal = Field(description="Percent, one decimal.")


class CanteenPlanVillageOut(Schema):
    code: str
    name: str
    town: str
    residents_80: int = Field(description="Residents aged 80 or more on the day (from the credit file).")
    canteen_status: str = Field(description="Empty: no canteen; else the status of its canteen on the day.")


class CanteenPlanYearOut(Schema):
    year: int
    planned: int | None
    opened: int


class CanteenCoverageOut(Schema):
    on: dt.date
    target_percent: int
    villages: int
    covered: int
    share: Decimal
    target_villages: int
    needed: int
    towns: list[CanteenPlanTownOut]
    uncovered: list[CanteenPlanVillageOut] = Field(description="Most residents aged 80+ first.")
    years: list[CanteenPlanYearOut]


class CanteenPlanTargetIn(Schema):
    target_percent: int = Field(ge=1, le=100)


class CanteenPlanTargetOut(Schema):
    target_percent: int


class CanteenPlanYearIn(Schema):
    planned: int = Field(ge=0, le=100_000)


class CanteenFiguresQuery(Schema):
    date_from: Day | None = Field(None, description="Default: 29 days before date_to.")
    date_to: Day | None = Field(None, description="Default: today.")
    week: Day | None = Field(None, description="A day of the week checked for meal days (default: last week).")


class CanteenFiguresDayOut(Schema):
    date: dt.date
    eat_in: int
    delivered: int
    walk_ins: int
    canteens: int = Field(description="Canteens that recorded the day.")


class CanteenFiguresTotalOut(Schema):
    id: int
    name: str
    days: int
    eat_in: int
    delivered: int
    walk_ins: int


class CanteenFiguresWeekOut(Schema):
    canteen_id: int
    canteen: str
    village: str
    committed: int
    served: int
    missing: int
    meets_commitment: bool
    meets_five_day_rule: bool


class CanteenFiguresCooksOut(Schema):
    month: str = Field(description="YYYY-MM.")
    cooks: int
    records: int
    minutes: int


class CanteenFiguresDonationOut(Schema):
    month: str
    kind: str = Field(description="money or goods.")
    donations: int
    value: Decimal


class CanteenFiguresOut(Schema):
    region: CanteenSiteRegion
    date_from: dt.date
    date_to: dt.date
    week: dt.date = Field(description="The Monday of the week checked.")
    days: list[CanteenFiguresDayOut]
    region_total: CanteenFiguresTotalOut
    towns: list[CanteenFiguresTotalOut]
    canteens: list[CanteenFiguresTotalOut]
    meal_days: list[CanteenFiguresWeekOut]
    cooks: list[CanteenFiguresCooksOut]
    donations: list[CanteenFiguresDonationOut]


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


def _reload(canteen_id: int) -> Canteen:
    return Canteen.objects.select_related("village", "town", "venue", "team").get(pk=canteen_id)


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
    return Status(201, canteen_out(_reload(canteen.pk)))


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
    return canteen_out(_reload(canteen_id))


@router.post(
    "/sites/{int:canteen_id}/status",
    response=CanteenSiteDetailOut,
    operation_id="canteens_site_status",
    auth=gated(canteen_runner),
)
def site_status(request: SignedInRequest, canteen_id: int, payload: CanteenSiteStatusIn) -> CanteenSiteDetailOut:
    """Move a canteen to another status (planned → building → open ⇄ paused → closed)."""
    services.canteen_status_change(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return canteen_detail_out(_reload(canteen_id))


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
    county, town = plan_region(request.user)
    return coverage_out(plan_reads.coverage(county=county, on=query.on or clock.today_local()), town)


@router.put(
    "/plan/target", response=CanteenPlanTargetOut, operation_id="canteens_plan_target_set", auth=gated(admin_only)
)
def plan_target_set(request: SignedInRequest, payload: CanteenPlanTargetIn) -> CanteenPlanTargetOut:
    """A canteen administrator sets the coverage target (percent of villages)."""
    policy: CoveragePolicy = services.coverage_policy_set(actor=request.user, target_percent=payload.target_percent)
    return CanteenPlanTargetOut(target_percent=policy.target_percent)


@router.put(
    "/plan/years/{int:year}",
    response=CanteenPlanYearOut,
    operation_id="canteens_plan_year_set",
    auth=gated(admin_only),
)
def plan_year_set(request: SignedInRequest, year: int, payload: CanteenPlanYearIn) -> CanteenPlanYearOut:
    """A canteen administrator sets how many canteens to open in ``year``."""
    plan: BuildPlan = services.build_plan_set(actor=request.user, year=year, planned=payload.planned)
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
