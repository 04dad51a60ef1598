"""Reads of the county special fund's budget: what each line was given, allocated, spent and has
left, and the allocations made from it.

What a line has *used* is read from the journal itself: the amounts posted on the line's expense
account by entries that name the line (allocations, direct spending and the reversals of either),
so a reversed allocation gives its money back to the line. *Allocated* is the part posted by
allocation entries (and their reversals), *spent* the rest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from rongxin.funds.domain.accounts import APPROPRIATION, BANK
from rongxin.funds.domain.money import FEN, ZERO
from rongxin.funds.models import Account, Allocation, BudgetLine, Fund, JournalEntry, JournalLine
from rongxin.regions.models import Region


@dataclass(frozen=True)
class LineFigures:
    line: BudgetLine | None  # None: a line of the budget not set yet
    code: str
    label: str
    budget: Decimal
    allocated: Decimal
    spent: Decimal

    @property
    def used(self) -> Decimal:
        return self.allocated + self.spent

    @property
    def left(self) -> Decimal:
        return self.budget - self.used


@dataclass(frozen=True)
class BudgetOverview:
    fund: Fund
    year: int
    lines: list[LineFigures]
    budget: Decimal
    allocated: Decimal
    spent: Decimal
    left: Decimal
    appropriated: Decimal  # what the county paid into the fund in the year
    bank: Decimal  # what the fund's bank account holds now


def _usage(line_ids: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """Line id → (allocated, spent), from the journal lines on each line's account."""
    rows = (
        JournalLine.objects.filter(entry__budget_line_id__in=line_ids, account_id=F("entry__budget_line__account_id"))
        .annotate(movement=Coalesce("entry__reverses__kind", "entry__kind"))
        .values("entry__budget_line_id", "movement")
        .annotate(total=Sum("amount"))
    )
    out: dict[int, list[Decimal]] = {}
    for row in rows:
        slot = out.setdefault(row["entry__budget_line_id"], [ZERO, ZERO])
        slot[0 if row["movement"] == JournalEntry.Kind.ALLOCATION else 1] += row["total"] or ZERO
    return {k: (v[0].quantize(FEN), v[1].quantize(FEN)) for k, v in out.items()}


def line_used(line: BudgetLine) -> Decimal:
    """What the line has allocated and spent in all (read it under the fund's lock to rely on it)."""
    allocated, spent = _usage([line.pk]).get(line.pk, (ZERO, ZERO))
    return allocated + spent


def budget_overview(*, fund: Fund, year: int) -> BudgetOverview:
    """Every line of the year's budget (unset lines at zero) with its budget, allocated, spent and
    left, the totals, the year's appropriations and the bank balance (four queries)."""
    lines = {b.line: b for b in BudgetLine.objects.filter(fund=fund, year=year)}
    usage = _usage([b.pk for b in lines.values()])
    figures = []
    for code, label in BudgetLine.Line.choices:
        b = lines.get(code)
        allocated, spent = usage.get(b.pk, (ZERO, ZERO)) if b is not None else (ZERO, ZERO)
        figures.append(
            LineFigures(
                line=b,
                code=code,
                label=str(label),
                budget=b.amount if b is not None else ZERO,
                allocated=allocated,
                spent=spent,
            )
        )
    appropriated = ZERO - (
        JournalLine.objects.filter(account__fund=fund, account__code=APPROPRIATION, entry__date__year=year).aggregate(
            n=Sum("amount")
        )["n"]
        or ZERO
    ).quantize(FEN)
    bank = Account.objects.filter(fund=fund, code=BANK).values_list("balance", flat=True).first() or ZERO
    budget = sum((f.budget for f in figures), ZERO)
    allocated = sum((f.allocated for f in figures), ZERO)
    spent = sum((f.spent for f in figures), ZERO)
    return BudgetOverview(
        fund=fund,
        year=year,
        lines=figures,
        budget=budget,
        allocated=allocated,
        spent=spent,
        left=budget - allocated - spent,
        appropriated=appropriated,
        bank=bank,
    )


@dataclass(frozen=True)
class AllocationFilters:
    line: str = ""  # a BudgetLine.Line code
    region: Region | None = None  # allocations to funds or canteens in this region
    since: dt.date | None = None
    until: dt.date | None = None


def _region_q(regions: list[Region]) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(recipient_fund__region__code__startswith=region.prefix)
        q |= Q(canteen__village__code__startswith=region.prefix)
    return q


def allocations_list(
    *, fund: Fund, year: int, filters: AllocationFilters, visible: list[Region] | None
) -> QuerySet[Allocation]:
    """The year's allocations of the county fund, latest first, narrowed by ``filters`` and, for
    an officer, to allocations into their own ``visible`` regions (None: all). Each carries
    ``is_reversed`` (its county entry has been reversed)."""
    qs = (
        Allocation.objects.filter(budget_line__fund=fund, budget_line__year=year)
        .select_related("budget_line", "recipient_fund__region", "canteen__village", "out_entry", "in_entry")
        .annotate(is_reversed=Exists(JournalEntry.objects.filter(reverses_id=OuterRef("out_entry_id"))))
    )
    if visible is not None:
        qs = qs.filter(_region_q(visible))
    if filters.line:
        qs = qs.filter(budget_line__line=filters.line)
    if filters.region is not None:
        qs = qs.filter(_region_q([filters.region]))
    if filters.since is not None:
        qs = qs.filter(date__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(date__lte=filters.until)
    return qs.order_by("-date", "-id")


def direct_spending(*, fund: Fund, year: int) -> QuerySet[JournalEntry]:
    """The year's direct spending against budget lines (not allocations), latest first."""
    return (
        JournalEntry.objects.filter(fund=fund, budget_line__year=year, kind=JournalEntry.Kind.SPENDING)
        .select_related("budget_line")
        .prefetch_related("lines")
        .order_by("-date", "-number")
    )


def allocation_regions_in(fund: Fund) -> QuerySet[Region]:
    """The towns of the county, for the allocations filter."""
    return Region.objects.filter(code__startswith=fund.region.prefix, level=Region.Level.TOWN).order_by("code")


def recipient_funds(fund: Fund) -> QuerySet[Fund]:
    """The town and village credit funds of the county (where an allocation may go)."""
    return (
        Fund.objects.filter(
            kind__in=[Fund.Kind.TOWN_CREDIT, Fund.Kind.VILLAGE_CREDIT], region__code__startswith=fund.region.prefix
        )
        .select_related("region")
        .order_by("region__code")
    )
