"""What the public sees of the funds (村务公开) and of the commendations (光荣榜), as plain data.

The selectors fill these from the books and the meetings; the pages, the API and the PDF renderers
(:mod:`rongxin.funds.domain.statement_pdf`, :mod:`rongxin.funds.domain.honour_pdf`) only show them.
Nothing here holds an ID number, a credit score, a voucher or the name of anyone other than a donor
who did not ask for anonymity and the people commended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from rongxin.funds.domain.money import yuan

# How a donor who asked for anonymity is listed, everywhere (page, PDF, JSON).
ANONYMOUS_DONOR = "爱心人士（匿名）"

CATEGORY_ORDER = ("honest", "volunteer", "doer")
CATEGORY_TITLES = {"honest": "诚信者", "volunteer": "志愿者", "doer": "干事者"}
AWARD_TITLES = {"money": "奖金", "goods": "奖品", "certificate": "荣誉证书"}
# Reasons whose code speaks of a credit score or grade are never shown in public.
PRIVATE_REASON_MARKERS = ("score", "grade", "point")
REASON_MAX = 60
# The reason shown when a name has no public reason of its own.
CATEGORY_REASONS = {
    "honest": "诚实守信，表现突出",
    "volunteer": "热心志愿服务",
    "doer": "干事创业，服务群众",
}


# --- Quarters -------------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @property
    def starts_on(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def ends_on(self) -> dt.date:
        return self.next().starts_on - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"


def quarter_of(day: dt.date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last``, both included, oldest first."""
    out = []
    q = first
    while q <= last:
        out.append(q)
        q = q.next()
    return out


# --- Statements -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StatementLine:
    code: str
    name: str
    amount: Decimal  # in the account's normal direction (income and spending positive)

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount)


@dataclass(frozen=True)
class BudgetRow:
    line: str  # BudgetLine.Line value
    name: str  # Chinese
    budget: Decimal  # the year's budget
    spent_quarter: Decimal
    spent_year: Decimal  # from 1 January through the quarter's end
    left: Decimal

    @property
    def budget_yuan(self) -> str:
        return yuan(self.budget)

    @property
    def spent_quarter_yuan(self) -> str:
        return yuan(self.spent_quarter)

    @property
    def spent_year_yuan(self) -> str:
        return yuan(self.spent_year)

    @property
    def left_yuan(self) -> str:
        return yuan(self.left)


@dataclass(frozen=True)
class StatementDonation:
    received_on: dt.date
    donor: str  # ANONYMOUS_DONOR when the donor asked
    anonymous: bool
    kind: str  # money | goods
    goods: str
    amount: Decimal
    reversed: bool  # corrected by a reversing entry

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount)


@dataclass(frozen=True)
class Statement:
    fund_id: int
    fund_name: str
    fund_kind: str
    region_name: str
    town_name: str  # "" for the county fund and a town's own fund
    period: Quarter
    opening_bank: Decimal
    opening_goods: Decimal
    income: list[StatementLine]
    spending: list[StatementLine]
    other: list[StatementLine]  # net-asset and liability movements (opening balances brought in)
    closing_bank: Decimal
    closing_goods: Decimal
    entries: int
    budget: list[BudgetRow] = field(default_factory=list)  # the county fund only
    donations: list[StatementDonation] = field(default_factory=list)
    previous: Quarter | None = None
    next: Quarter | None = None

    @property
    def income_total(self) -> Decimal:
        return sum((x.amount for x in self.income), Decimal("0.00"))

    @property
    def spending_total(self) -> Decimal:
        return sum((x.amount for x in self.spending), Decimal("0.00"))

    @property
    def other_total(self) -> Decimal:
        return sum((x.amount for x in self.other), Decimal("0.00"))

    @property
    def opening_total(self) -> Decimal:
        return self.opening_bank + self.opening_goods

    @property
    def closing_total(self) -> Decimal:
        return self.closing_bank + self.closing_goods

    # As text (¥1,234.50), for the pages.
    @property
    def opening_bank_yuan(self) -> str:
        return yuan(self.opening_bank)

    @property
    def opening_goods_yuan(self) -> str:
        return yuan(self.opening_goods)

    @property
    def opening_total_yuan(self) -> str:
        return yuan(self.opening_total)

    @property
    def closing_bank_yuan(self) -> str:
        return yuan(self.closing_bank)

    @property
    def closing_goods_yuan(self) -> str:
        return yuan(self.closing_goods)

    @property
    def closing_total_yuan(self) -> str:
        return yuan(self.closing_total)

    @property
    def income_total_yuan(self) -> str:
        return yuan(self.income_total)

    @property
    def spending_total_yuan(self) -> str:
        return yuan(self.spending_total)

    @property
    def other_total_yuan(self) -> str:
        return yuan(self.other_total)


# --- Honour rolls ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class HonourName:
    name: str
    village: str
    reason: str
    award_kind: str  # money | goods | certificate | ""
    award_amount: Decimal | None  # None unless the region shows amounts
    award_goods: str

    @property
    def award_amount_yuan(self) -> str:
        return yuan(self.award_amount)


@dataclass(frozen=True)
class HonourGroup:
    category: str
    title: str  # Chinese
    names: list[HonourName]


@dataclass(frozen=True)
class HonourRoll:
    meeting_id: int
    region_name: str
    region_level: str
    town_name: str
    period: Quarter
    title: str
    held_on: dt.date | None
    published_at: dt.datetime | None
    groups: list[HonourGroup]
    shows_amounts: bool

    @property
    def poster_title(self) -> str:
        return f"{self.region_name}季度表彰光荣榜"

    @property
    def count(self) -> int:
        return sum(len(g.names) for g in self.groups)


def public_reason(category: str, reasons: object) -> str:
    """The short reason shown in public: the nomination's reason texts, leaving out any about a
    credit score or grade, cut to ``REASON_MAX`` characters; the category's phrase when none is left."""
    texts = []
    if isinstance(reasons, list):
        for r in reasons:
            if not isinstance(r, dict):
                continue
            code = str(r.get("code", "")).lower()
            text = str(r.get("text", "")).strip()
            if text and not any(m in code for m in PRIVATE_REASON_MARKERS):
                texts.append(text)
    joined = "；".join(texts) or CATEGORY_REASONS.get(category, "")
    return joined if len(joined) <= REASON_MAX else joined[: REASON_MAX - 1] + "…"
