"""Schemas of the public funds API (statements, honour rolls, the list of funds). Names are
prefixed ``FundPublic`` to stay unique across the whole API. Amounts are exact decimals in yuan
(sent as strings, two places)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

MAX_OFFSET = 10_000_000


class FundPublicQuarterOut(Schema):
    year: int
    quarter: int


class FundPublicRowOut(Schema):
    id: int
    name: str
    kind: str = Field(description="county_special | town_credit | village_credit")
    region: str
    region_code: str
    town: str = Field(description="The town a credit fund belongs to; empty for the county fund.")
    latest: FundPublicQuarterOut | None = Field(description="The latest statement; null before the first entry.")


class FundPublicListOut(Schema):
    county: list[FundPublicRowOut]
    total: int = Field(description="Credit funds matching the filter.")
    offset: int
    limit: int
    items: list[FundPublicRowOut]


class FundPublicListQuery(Schema):
    town: int | None = Field(None, description="A town's region id: its own fund and its villages'.")
    q: str = Field("", max_length=30, description="Part of the name of a village, community or town.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class FundPublicQuartersOut(Schema):
    fund_id: int
    quarters: list[FundPublicQuarterOut] = Field(description="Oldest first.")


class FundPublicLineOut(Schema):
    code: str
    name: str
    amount: Decimal


class FundPublicBudgetOut(Schema):
    line: str
    name: str
    budget: Decimal
    spent_quarter: Decimal
    spent_year: Decimal
    left: Decimal


class FundPublicDonationOut(Schema):
    received_on: dt.date
    donor: str = Field(description="The donor's name, or 爱心人士（匿名） for a donor who asked for anonymity.")
    anonymous: bool
    kind: str = Field(description="money | goods")
    goods: str
    amount: Decimal
    reversed: bool


class FundPublicStatementOut(Schema):
    fund_id: int
    fund_name: str
    fund_kind: str
    region: str
    town: str
    year: int
    quarter: int
    starts_on: dt.date
    ends_on: dt.date
    opening_bank: Decimal
    opening_goods: Decimal
    income: list[FundPublicLineOut]
    income_total: Decimal
    spending: list[FundPublicLineOut]
    spending_total: Decimal
    other: list[FundPublicLineOut] = Field(description="Net-asset movements (opening balances brought in).")
    closing_bank: Decimal
    closing_goods: Decimal
    entries: int
    budget: list[FundPublicBudgetOut] = Field(description="The county fund's budget lines of the year.")
    donations: list[FundPublicDonationOut]
    previous: FundPublicQuarterOut | None
    next: FundPublicQuarterOut | None


class FundPublicHonourNameOut(Schema):
    name: str
    village: str
    reason: str
    award_kind: str = Field(description="money | goods | certificate")
    award_amount: Decimal | None = Field(description="Only where the region's rules publish amounts.")
    award_goods: str


class FundPublicHonourGroupOut(Schema):
    category: str = Field(description="honest | volunteer | doer")
    title: str
    names: list[FundPublicHonourNameOut]


class FundPublicHonourRollOut(Schema):
    meeting_id: int
    title: str
    region: str
    town: str
    year: int
    quarter: int
    held_on: dt.date | None
    published_at: dt.datetime | None
    shows_amounts: bool
    groups: list[FundPublicHonourGroupOut]


class FundPublicRollRowOut(Schema):
    meeting_id: int
    region: str
    region_code: str
    year: int
    quarter: int
    names: int


class FundPublicRollListOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[FundPublicRollRowOut]


class FundPublicRollQuery(Schema):
    region: int | None = Field(None, description="A town's or village's region id (a town includes its villages).")
    year: int | None = Field(None, ge=2000, le=2100)
    quarter: int | None = Field(None, ge=1, le=4)
    q: str = Field("", max_length=30)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)
