"""Public reads of the books: a fund's quarterly statement (村务公开) and the quarters it has.

Every figure comes from the journal lines themselves (never the cached balances), summed in the
database as exact decimals. A reversal is an entry whose lines negate the ones it corrects, so it
nets against the same accounts in the quarter of its own date. The closing balance of a quarter
equals the trial balance (:func:`rongxin.funds.selectors.books.trial_balance`) of the lines dated
up to the quarter's end.

Nothing here names an account holder, a voucher or an entry's memo: the public sees sums by
account, by budget line, and the donations with their donors (anonymous ones as
:data:`~rongxin.funds.domain.public.ANONYMOUS_DONOR`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, Max, Min, OuterRef, Q, Sum

from rongxin.core.errors import NotFound
from rongxin.funds.domain.accounts import BANK, GOODS, signed_for_balance
from rongxin.funds.domain.money import FEN, ZERO
from rongxin.funds.domain.public import (
    ANONYMOUS_DONOR,
    BudgetRow,
    Quarter,
    Statement,
    StatementDonation,
    StatementLine,
    quarter_of,
    quarters_between,
)
from rongxin.funds.models import Account, BudgetLine, Donation, Fund, JournalEntry, JournalLine
from rongxin.regions.models import Region


def statement_quarters(*, fund_id: int) -> list[Quarter]:
    """The quarters the fund has a statement for: from the quarter of its first entry to the
    quarter of its last, oldest first (a quarter without entries in between still has its
    balance); ``[]`` for a fund without entries."""
    span = JournalEntry.objects.filter(fund_id=fund_id).aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return []
    return quarters_between(quarter_of(span["first"]), quarter_of(span["last"]))


def latest_quarters(*, fund_ids: list[int]) -> dict[int, Quarter]:
    """The latest statement's quarter of each of the funds that has entries (one query)."""
    rows = (
        JournalEntry.objects.filter(fund_id__in=fund_ids)
        .values("fund_id")
        .annotate(last=Max("date"))
        .values_list("fund_id", "last")
    )
    return {fund_id: quarter_of(last) for fund_id, last in rows}


def _fen(value: Decimal | None) -> Decimal:
    """A sum from the database to the fen (SQLite drops trailing zeros: 12000.5)."""
    return ZERO if value is None else Decimal(value).quantize(FEN)


def _sums(fund_id: int, q: Quarter) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Per account: the sum of the lines before the quarter, and within it (signed, debit > 0)."""
    before: dict[int, Decimal] = {}
    within: dict[int, Decimal] = {}
    rows = (
        JournalLine.objects.filter(entry__fund_id=fund_id, entry__date__lte=q.ends_on)
        .values("account_id")
        .annotate(
            before=Sum("amount", filter=Q(entry__date__lt=q.starts_on)),
            within=Sum("amount", filter=Q(entry__date__gte=q.starts_on)),
        )
    )
    for row in rows:
        before[row["account_id"]] = _fen(row["before"])
        within[row["account_id"]] = _fen(row["within"])
    return before, within


def _budget_rows(fund: Fund, q: Quarter) -> list[BudgetRow]:
    """The county fund's budget lines of the quarter's year with what was spent through each
    (expense lines of the entries charged to the line) in the quarter and in the year so far."""
    lines = list(BudgetLine.objects.filter(fund=fund, year=q.year).select_related("account").order_by("account__code"))
    if not lines:
        return []
    spent = {
        row["entry__budget_line_id"]: (_fen(row["quarter"]), _fen(row["year"]))
        for row in JournalLine.objects.filter(
            entry__fund_id=fund.pk,
            entry__budget_line__in=[b.pk for b in lines],
            entry__date__lte=q.ends_on,
            account__type=Account.Type.EXPENSE,
        )
        .values("entry__budget_line_id")
        .annotate(quarter=Sum("amount", filter=Q(entry__date__gte=q.starts_on)), year=Sum("amount"))
    }
    rows = []
    for b in lines:
        in_quarter, in_year = spent.get(b.pk, (ZERO, ZERO))
        rows.append(
            BudgetRow(
                line=b.line,
                name=b.account.name,
                budget=b.amount,
                spent_quarter=in_quarter,
                spent_year=in_year,
                left=b.amount - in_year,
            )
        )
    return rows


def _donations(fund_id: int, q: Quarter) -> list[StatementDonation]:
    rows = (
        Donation.objects.filter(fund_id=fund_id, entry__date__gte=q.starts_on, entry__date__lte=q.ends_on)
        .annotate(is_reversed=Exists(JournalEntry.objects.filter(reverses_id=OuterRef("entry_id"))))
        .order_by("received_on", "id")
    )
    return [
        StatementDonation(
            received_on=d.received_on,
            donor=ANONYMOUS_DONOR if d.anonymous else d.donor_name,
            anonymous=d.anonymous,
            kind=d.kind,
            goods=d.goods,
            amount=d.amount,
            reversed=bool(d.is_reversed),
        )
        for d in rows
    ]


def public_fund(*, fund_id: int) -> Fund:
    """The fund with its region (and the region's parent); NotFound for an unknown id."""
    fund = Fund.objects.select_related("region", "region__parent").filter(pk=fund_id).first()
    if fund is None:
        raise NotFound()
    return fund


def quarter_statement(*, fund_id: int, year: int, quarter: int) -> Statement:
    """The fund's statement for the quarter: opening and closing balances of the bank account and
    the goods in store, income and spending by account, other movements (opening balances
    brought in), the number of entries, the county fund's budget lines, the quarter's donations,
    and the neighbouring quarters that have statements. Raises NotFound for an unknown fund or a
    quarter outside :func:`statement_quarters`."""
    fund = public_fund(fund_id=fund_id)
    if not 1 <= quarter <= 4:
        raise NotFound()
    q = Quarter(year, quarter)
    quarters = statement_quarters(fund_id=fund.pk)
    if q not in quarters:
        raise NotFound()
    before, within = _sums(fund.pk, q)
    accounts = list(Account.objects.filter(fund=fund).order_by("code"))
    income, spending, other = [], [], []
    opening = {BANK: ZERO, GOODS: ZERO}
    closing = {BANK: ZERO, GOODS: ZERO}
    for a in accounts:
        moved = within.get(a.pk, ZERO)
        if a.code in opening:
            opening[a.code] = signed_for_balance(a.type, before.get(a.pk, ZERO))
            closing[a.code] = opening[a.code] + signed_for_balance(a.type, moved)
            continue
        if not moved:
            continue
        line = StatementLine(code=a.code, name=a.name, amount=signed_for_balance(a.type, moved))
        if a.type == Account.Type.INCOME:
            income.append(line)
        elif a.type == Account.Type.EXPENSE:
            spending.append(line)
        else:
            other.append(line)
    index = quarters.index(q)
    region = fund.region
    town = region.parent if region.level == Region.Level.VILLAGE else None
    return Statement(
        fund_id=fund.pk,
        fund_name=fund.name,
        fund_kind=fund.kind,
        region_name=region.name,
        town_name=town.name if town is not None else "",
        period=q,
        opening_bank=opening[BANK],
        opening_goods=opening[GOODS],
        income=income,
        spending=spending,
        other=other,
        closing_bank=closing[BANK],
        closing_goods=closing[GOODS],
        entries=JournalEntry.objects.filter(fund=fund, date__gte=q.starts_on, date__lte=q.ends_on).count(),
        budget=_budget_rows(fund, q) if fund.kind == Fund.Kind.COUNTY_SPECIAL else [],
        donations=_donations(fund.pk, q),
        previous=quarters[index - 1] if index > 0 else None,
        next=quarters[index + 1] if index + 1 < len(quarters) else None,
    )
