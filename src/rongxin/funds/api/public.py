"""Public JSON endpoints of the funds (村务公开) and the honour rolls (光荣榜); no sign-in:

- ``GET /funds/public/funds``: the county fund and the credit funds with their latest statement;
- ``GET /funds/public/funds/{fund_id}/quarters``: the quarters a fund has a statement for;
- ``GET /funds/public/funds/{fund_id}/statements/{year}/{quarter}``: one quarterly statement;
- ``GET /funds/public/honours``: the published honour rolls;
- ``GET /funds/public/honours/{meeting_id}``: one published roll.

An unknown fund, a quarter without a statement, and a meeting that is unknown or not published
are the same problem+json 404. The pages call the same selectors.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from rongxin.funds.api.public_schemas import (
    FundPublicBudgetOut,
    FundPublicDonationOut,
    FundPublicHonourGroupOut,
    FundPublicHonourNameOut,
    FundPublicHonourRollOut,
    FundPublicLineOut,
    FundPublicListOut,
    FundPublicListQuery,
    FundPublicQuarterOut,
    FundPublicQuartersOut,
    FundPublicRollListOut,
    FundPublicRollQuery,
    FundPublicRollRowOut,
    FundPublicRowOut,
    FundPublicStatementOut,
)
from rongxin.funds.domain.public import Quarter, StatementLine
from rongxin.funds.selectors.honour_roll import honour_roll, honour_rolls
from rongxin.funds.selectors.public import PublicFundRow, public_funds
from rongxin.funds.selectors.statements import public_fund, quarter_statement, statement_quarters

router = Router(tags=["funds"])


def _quarter(q: Quarter | None) -> FundPublicQuarterOut | None:
    return FundPublicQuarterOut(year=q.year, quarter=q.quarter) if q is not None else None


def _row(r: PublicFundRow) -> FundPublicRowOut:
    return FundPublicRowOut(
        id=r.fund.pk,
        name=r.fund.name,
        kind=r.fund.kind,
        region=r.fund.region.name,
        region_code=r.fund.region.code,
        town=r.town.name if r.town is not None else "",
        latest=_quarter(r.latest),
    )


def _lines(lines: list[StatementLine]) -> list[FundPublicLineOut]:
    return [FundPublicLineOut(code=x.code, name=x.name, amount=x.amount) for x in lines]


@router.get("/public/funds", response=FundPublicListOut, auth=None, operation_id="funds_public_funds")
def funds_list(request: HttpRequest, filters: Query[FundPublicListQuery]) -> FundPublicListOut:
    """The county special fund and a page of the towns' and villages' credit funds (by region
    code), each with its latest statement's quarter."""
    page = public_funds(town_id=filters.town, q=filters.q, offset=filters.offset, limit=filters.limit)
    return FundPublicListOut(
        county=[_row(r) for r in page.county],
        total=page.total,
        offset=page.offset,
        limit=page.limit,
        items=[_row(r) for r in page.rows],
    )


@router.get(
    "/public/funds/{int:fund_id}/quarters",
    response=FundPublicQuartersOut,
    auth=None,
    operation_id="funds_public_quarters",
)
def quarters(request: HttpRequest, fund_id: int) -> FundPublicQuartersOut:
    """The quarters the fund has a statement for, oldest first."""
    fund = public_fund(fund_id=fund_id)
    return FundPublicQuartersOut(
        fund_id=fund.pk,
        quarters=[FundPublicQuarterOut(year=q.year, quarter=q.quarter) for q in statement_quarters(fund_id=fund.pk)],
    )


@router.get(
    "/public/funds/{int:fund_id}/statements/{int:year}/{int:quarter}",
    response=FundPublicStatementOut,
    auth=None,
    operation_id="funds_public_statement",
)
def statement(request: HttpRequest, fund_id: int, year: int, quarter: int) -> FundPublicStatementOut:
    """A fund's quarterly statement: balances, income and spending by account, the county fund's
    budget lines, the quarter's donations (anonymous donors as 爱心人士（匿名）)."""
    s = quarter_statement(fund_id=fund_id, year=year, quarter=quarter)
    return FundPublicStatementOut(
        fund_id=s.fund_id,
        fund_name=s.fund_name,
        fund_kind=s.fund_kind,
        region=s.region_name,
        town=s.town_name,
        year=s.period.year,
        quarter=s.period.quarter,
        starts_on=s.period.starts_on,
        ends_on=s.period.ends_on,
        opening_bank=s.opening_bank,
        opening_goods=s.opening_goods,
        income=_lines(s.income),
        income_total=s.income_total,
        spending=_lines(s.spending),
        spending_total=s.spending_total,
        other=_lines(s.other),
        closing_bank=s.closing_bank,
        closing_goods=s.closing_goods,
        entries=s.entries,
        budget=[
            FundPublicBudgetOut(
                line=b.line,
                name=b.name,
                budget=b.budget,
                spent_quarter=b.spent_quarter,
                spent_year=b.spent_year,
                left=b.left,
            )
            for b in s.budget
        ],
        donations=[
            FundPublicDonationOut(
                received_on=d.received_on,
                donor=d.donor,
                anonymous=d.anonymous,
                kind=d.kind,
                goods=d.goods,
                amount=d.amount,
                reversed=d.reversed,
            )
            for d in s.donations
        ],
        previous=_quarter(s.previous),
        next=_quarter(s.next),
    )


@router.get("/public/honours", response=FundPublicRollListOut, auth=None, operation_id="funds_public_honours")
def rolls(request: HttpRequest, filters: Query[FundPublicRollQuery]) -> FundPublicRollListOut:
    """The published honour rolls, newest quarter first."""
    page = honour_rolls(
        region_id=filters.region,
        year=filters.year,
        quarter=filters.quarter,
        q=filters.q,
        offset=filters.offset,
        limit=filters.limit,
    )
    return FundPublicRollListOut(
        total=page.total,
        offset=page.offset,
        limit=page.limit,
        items=[
            FundPublicRollRowOut(
                meeting_id=r.meeting.pk,
                region=r.meeting.region.name,
                region_code=r.meeting.region.code,
                year=r.meeting.year,
                quarter=r.meeting.quarter,
                names=r.names,
            )
            for r in page.rows
        ],
    )


@router.get(
    "/public/honours/{int:meeting_id}",
    response=FundPublicHonourRollOut,
    auth=None,
    operation_id="funds_public_honour_roll",
)
def roll(request: HttpRequest, meeting_id: int) -> FundPublicHonourRollOut:
    """One published honour roll: the awarded names by category. 404 for a meeting that is
    unknown or not published."""
    r = honour_roll(meeting_id=meeting_id)
    return FundPublicHonourRollOut(
        meeting_id=r.meeting_id,
        title=r.poster_title,
        region=r.region_name,
        town=r.town_name,
        year=r.period.year,
        quarter=r.period.quarter,
        held_on=r.held_on,
        published_at=r.published_at,
        shows_amounts=r.shows_amounts,
        groups=[
            FundPublicHonourGroupOut(
                category=g.category,
                title=g.title,
                names=[
                    FundPublicHonourNameOut(
                        name=n.name,
                        village=n.village,
                        reason=n.reason,
                        award_kind=n.award_kind,
                        award_amount=n.award_amount,
                        award_goods=n.award_goods,
                    )
                    for n in g.names
                ],
            )
            for g in r.groups
        ],
    )
