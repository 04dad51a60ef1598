"""Schemas and presenters of the books' JSON endpoints (``/api/v1/funds``). Names start with
``Fund`` and are unique across the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.funds.domain.money import FEN
from rongxin.funds.models import Fund, PeriodClose
from rongxin.funds.selectors.books import TrialRow
from rongxin.funds.selectors.journal import JournalRow

MAX_OFFSET = 10_000_000


class FundListQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class FundJournalQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)
    month: str = Field("", max_length=7, description="YYYY-MM: entries dated in that month")
    kind: str = Field("", max_length=14, description="an entry kind (welfare, spending, reversal, …)")
    account: str = Field("", max_length=8, description="an account code: entries with a line on it")


class FundSummaryOut(Schema):
    id: int
    kind: str
    name: str
    region_code: str
    opened_on: dt.date
    closed_through: dt.date | None
    entry_count: int
    keeps: bool = Field(description="The caller keeps the fund (may post, reverse and close).")


class FundListOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[FundSummaryOut]


class FundTrialRowOut(Schema):
    code: str
    name: str
    type: str
    debits: Decimal
    credits: Decimal
    balance: Decimal = Field(description="From the lines, in the account's normal direction.")


class FundBooksOut(Schema):
    fund: FundSummaryOut
    minimum_balance: Decimal
    chain_head: str
    debits: Decimal
    credits: Decimal
    accounts: list[FundTrialRowOut]


class FundEntryLineOut(Schema):
    account: str
    account_name: str
    amount: Decimal = Field(description="Signed: a debit is positive, a credit negative.")
    note: str


class FundEntryOut(Schema):
    id: int
    fund_id: int
    number: int
    kind: str
    date: dt.date
    memo: str
    amount: Decimal = Field(description="The entry's debits (its size).")
    voucher_id: int
    voucher_name: str
    budget_line_id: int | None
    reverses_number: int | None
    reversed_by_number: int | None
    created_at: dt.datetime
    hash: str
    lines: list[FundEntryLineOut]


class FundEntryPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[FundEntryOut]


class FundReverseIn(Schema):
    on: dt.date
    reason: str = Field(max_length=500)


class FundCloseIn(Schema):
    month: str = Field(max_length=10, description="YYYY-MM")


class FundCloseOut(Schema):
    fund_id: int
    month: str
    closed_through: dt.date
    balances: dict[str, str]
    chain_head: str


def fund_summary_out(fund: Fund, *, keeps: bool) -> FundSummaryOut:
    return FundSummaryOut(
        id=fund.pk,
        kind=fund.kind,
        name=fund.name,
        region_code=fund.region.code,
        opened_on=fund.opened_on,
        closed_through=fund.closed_through,
        entry_count=fund.entry_count,
        keeps=keeps,
    )


def trial_row_out(r: TrialRow) -> FundTrialRowOut:
    a = r.account
    return FundTrialRowOut(
        code=a.code,
        name=a.name,
        type=a.type,
        debits=r.debits.quantize(FEN),
        credits=r.credits.quantize(FEN),
        balance=r.balance.quantize(FEN),
    )


def entry_out(r: JournalRow) -> FundEntryOut:
    e = r.entry
    return FundEntryOut(
        id=e.pk,
        fund_id=e.fund_id,
        number=e.number,
        kind=e.kind,
        date=e.date,
        memo=e.memo,
        amount=r.amount,
        voucher_id=e.voucher_id,
        voucher_name=e.voucher.file_name,
        budget_line_id=e.budget_line_id,
        reverses_number=e.reverses.number if e.reverses is not None else None,
        reversed_by_number=r.reversed_by_number,
        created_at=e.created_at,
        hash=e.hash,
        lines=[
            FundEntryLineOut(account=ln.account.code, account_name=ln.account.name, amount=ln.amount, note=ln.note)
            for ln in r.lines
        ],
    )


def close_out(c: PeriodClose) -> FundCloseOut:
    following = (c.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return FundCloseOut(
        fund_id=c.fund_id,
        month=c.month.strftime("%Y-%m"),
        closed_through=following - dt.timedelta(days=1),
        balances=dict(c.balances),
        chain_head=c.chain_head,
    )
