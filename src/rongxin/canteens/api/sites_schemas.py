"""Schemas of the sites, plan and figures endpoints (names prefixed ``CanteenSite``,
``CanteenPlan``, ``CanteenFigures``: unique in the whole API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from rongxin.canteens.services import sites as services

Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
Status_ = Literal["planned", "building", "open", "paused", "closed"]
Operator = Literal["committee", "party_branch"]


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
    create_team: bool = Field(False, description="Create the village's canteen cook team (town and village officers).")
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
