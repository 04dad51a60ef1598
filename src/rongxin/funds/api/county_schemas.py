"""Schemas and presenters of the county fund and donations endpoints (names unique across the
API: ``County…`` and ``FundDonation…``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.funds.domain.donation_points import CREDIT_STATES
from rongxin.funds.models import Allocation, BudgetLine, Donation, JournalEntry
from rongxin.funds.selectors.budget import BudgetOverview

MAX_OFFSET = 10_000_000
Amount = str | int


class CountyLineIn(Schema):
    amount: Amount = Field(description='Yuan, zero or more, at most two decimals (a string such as "400000.00").')


class CountyLineOut(Schema):
    id: int
    year: int
    line: str
    amount: Decimal
    account: str


class CountyLineFiguresOut(Schema):
    line: str
    budget_line_id: int | None = Field(description="None while the line is not set.")
    budget: Decimal
    allocated: Decimal
    spent: Decimal
    left: Decimal


class CountyBudgetOut(Schema):
    fund_id: int
    year: int
    lines: list[CountyLineFiguresOut]
    budget: Decimal
    allocated: Decimal
    spent: Decimal
    left: Decimal
    appropriated: Decimal
    bank: Decimal


class CountyEntryOut(Schema):
    id: int
    fund_id: int
    number: int
    kind: str
    date: dt.date
    memo: str
    amount: Decimal
    budget_line_id: int | None
    voucher_id: int


class CountyAllocationOut(Schema):
    id: int
    budget_line_id: int
    line: str
    recipient_fund_id: int | None
    canteen_id: int | None
    to: str
    amount: Decimal
    date: dt.date
    purpose: str
    out_entry_id: int
    in_entry_id: int | None
    reversed: bool


class CountyAllocationReverseIn(Schema):
    on: dt.date
    reason: str = Field(max_length=500)


class CountyAllocationPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CountyAllocationOut]


class CountyAllocationQuery(Schema):
    line: str = Field("", description="A budget line code.")
    town: str = Field("", max_length=12, description="A town's region code: allocations into that town.")
    since: dt.date | None = None
    until: dt.date | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class FundDonationOut(Schema):
    id: int
    fund_id: int
    entry_id: int
    kind: str
    donor_subject_id: int | None
    donor_name: str
    anonymous: bool
    goods: str
    amount: Decimal
    received_on: dt.date
    credit_status: str = Field(description=" | ".join(s or '""' for s in CREDIT_STATES))
    credit_points: int | None


class FundDonationPage(Schema):
    total: int
    offset: int
    limit: int
    money: Decimal
    goods: Decimal
    items: list[FundDonationOut]


class FundDonationQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


def line_out(b: BudgetLine) -> CountyLineOut:
    return CountyLineOut(id=b.pk, year=b.year, line=b.line, amount=b.amount, account=b.account.code)


def budget_out(o: BudgetOverview) -> CountyBudgetOut:
    return CountyBudgetOut(
        fund_id=o.fund.pk,
        year=o.year,
        lines=[
            CountyLineFiguresOut(
                line=f.code,
                budget_line_id=f.line.pk if f.line is not None else None,
                budget=f.budget,
                allocated=f.allocated,
                spent=f.spent,
                left=f.left,
            )
            for f in o.lines
        ],
        budget=o.budget,
        allocated=o.allocated,
        spent=o.spent,
        left=o.left,
        appropriated=o.appropriated,
        bank=o.bank,
    )


def entry_out(e: JournalEntry) -> CountyEntryOut:
    gross = sum((ln.amount for ln in e.lines.all() if ln.amount > 0), Decimal("0.00"))
    return CountyEntryOut(
        id=e.pk,
        fund_id=e.fund_id,
        number=e.number,
        kind=e.kind,
        date=e.date,
        memo=e.memo,
        amount=gross,
        budget_line_id=e.budget_line_id,
        voucher_id=e.voucher_id,
    )


def allocation_out(a: Allocation) -> CountyAllocationOut:
    to = a.recipient_fund.name if a.recipient_fund is not None else a.canteen.name if a.canteen is not None else ""
    return CountyAllocationOut(
        id=a.pk,
        budget_line_id=a.budget_line_id,
        line=a.budget_line.line,
        recipient_fund_id=a.recipient_fund_id,
        canteen_id=a.canteen_id,
        to=to,
        amount=a.amount,
        date=a.date,
        purpose=a.purpose,
        out_entry_id=a.out_entry_id,
        in_entry_id=a.in_entry_id,
        reversed=bool(getattr(a, "is_reversed", False)),
    )


def donation_out(d: Donation) -> FundDonationOut:
    return FundDonationOut(
        id=d.pk,
        fund_id=d.fund_id,
        entry_id=d.entry_id,
        kind=d.kind,
        donor_subject_id=d.donor_id,
        donor_name=d.donor_name,
        anonymous=d.anonymous,
        goods=d.goods,
        amount=d.amount,
        received_on=d.received_on,
        credit_status=d.credit_status,
        credit_points=d.credit_points,
    )
