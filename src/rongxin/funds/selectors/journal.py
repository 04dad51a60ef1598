"""Reads of a fund's journal for the people who keep or read its books: the journal paged and
filtered (month, kind, account), one entry with its lines, an account's ledger with the running
balance, a voucher's file. Each asks the actor's right first (:func:`access_fund`, NotFound for
everyone else) and leaves an audit row: the journal and an entry are ``fund.read``, a voucher
``fund_voucher.read``, each naming the reader's role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q, Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.accounts import signed_for_balance
from rongxin.funds.domain.money import ZERO
from rongxin.funds.models import Account, BudgetLine, Fund, JournalEntry, JournalLine, Voucher
from rongxin.funds.permissions.common import access_fund, keeper_role, reader_role
from rongxin.funds.selectors.books import TrialRow, trial_balance
from rongxin.funds.selectors.scope import funds_in_scope

MAX_LIMIT = 200

Actor = User | AnonymousUser | None


def _audit_read(actor: Actor, fund: Fund, *, action: str, object_type: str, object_id: object, **details: Any) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action=action,
        role=reader_role(actor, fund),
        object_type=object_type,
        object_id=object_id,
        details={"fund": fund.pk, **details},
    )


@dataclass(frozen=True)
class JournalFilter:
    month: dt.date | None = None  # any day of the month
    kind: str = ""
    account: str = ""  # an account code of the fund


@dataclass(frozen=True)
class JournalRow:
    entry: JournalEntry
    amount: Decimal  # the entry's debits (its size)
    lines: list[JournalLine]
    reversed_by_number: int | None

    @property
    def sides(self) -> list[tuple[JournalLine, Decimal | None, Decimal | None]]:
        """Each line with its debit or its credit (both positive), for a two-column view."""
        return [(ln, ln.amount if ln.amount > 0 else None, -ln.amount if ln.amount < 0 else None) for ln in self.lines]


@dataclass(frozen=True)
class JournalPage:
    fund: Fund
    keeps: bool  # the reader keeps the fund (may post, reverse, close)
    rows: list[JournalRow]
    total: int
    offset: int
    limit: int


def _month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following


def _with_lines(qs: Any) -> Any:
    return qs.select_related("voucher", "reverses").prefetch_related(
        Prefetch("lines", queryset=JournalLine.objects.select_related("account").order_by("id")),
        Prefetch("reversed_by", queryset=JournalEntry.objects.only("id", "number", "reverses_id")),
    )


def _row(entry: JournalEntry) -> JournalRow:
    lines = list(entry.lines.all())
    reversed_by = getattr(entry, "reversed_by", None)
    return JournalRow(
        entry=entry,
        amount=sum((ln.amount for ln in lines if ln.amount > 0), ZERO),
        lines=lines,
        reversed_by_number=reversed_by.number if reversed_by is not None else None,
    )


def fund_journal(
    *, actor: Actor, fund_id: int, filters: JournalFilter | None = None, offset: int = 0, limit: int = 50
) -> JournalPage:
    """The fund's entries, newest first, with their lines (a fixed number of queries per page),
    filtered by month, kind and account. NotFound unless the actor reads the fund; audited as
    ``fund.read``."""
    fund = access_fund(actor, fund_id)
    f = filters or JournalFilter()
    qs = JournalEntry.objects.filter(fund=fund)
    if f.month is not None:
        first, following = _month_range(f.month)
        qs = qs.filter(date__gte=first, date__lt=following)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.account:
        qs = qs.filter(
            Q(pk__in=JournalLine.objects.filter(account__fund=fund, account__code=f.account).values("entry_id"))
        )
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    total = qs.count()
    entries = list(_with_lines(qs.order_by("-number"))[offset : offset + limit])
    _audit_read(
        actor,
        fund,
        action="fund.read",
        object_type="fund",
        object_id=fund.pk,
        what="journal",
        offset=offset,
        month=f.month.strftime("%Y-%m") if f.month else "",
        kind=f.kind,
        account=f.account,
    )
    return JournalPage(
        fund=fund,
        keeps=bool(keeper_role(actor, fund)),
        rows=[_row(e) for e in entries],
        total=total,
        offset=offset,
        limit=limit,
    )


@dataclass(frozen=True)
class FundBooks:
    fund: Fund
    keeps: bool
    trial: list[TrialRow]
    debits: Decimal
    credits: Decimal


def fund_books(*, actor: Actor, fund_id: int, audit: bool = True) -> FundBooks:
    """The fund with its trial balance from the lines (NotFound unless the actor reads it).
    Audited as ``fund.read`` (``audit=False`` when the same page also reads the journal, which
    is audited)."""
    fund = access_fund(actor, fund_id)
    rows = trial_balance(fund_id=fund.pk)
    if audit:
        _audit_read(actor, fund, action="fund.read", object_type="fund", object_id=fund.pk, what="trial_balance")
    return FundBooks(
        fund=fund,
        keeps=bool(keeper_role(actor, fund)),
        trial=rows,
        debits=sum((r.debits for r in rows), ZERO),
        credits=sum((r.credits for r in rows), ZERO),
    )


def fund_entry(*, actor: Actor, fund_id: int, entry_id: int) -> tuple[JournalRow, bool]:
    """One entry of the fund with its lines, and whether the actor keeps the fund. NotFound for
    an entry of another fund or a fund the actor does not read. Audited as ``fund.read``."""
    fund = access_fund(actor, fund_id)
    entry = _with_lines(JournalEntry.objects.filter(pk=entry_id, fund=fund)).first()
    if entry is None:
        raise NotFound()
    entry.fund = fund
    _audit_read(actor, fund, action="fund.read", object_type="journal_entry", object_id=entry.pk, number=entry.number)
    return _row(entry), bool(keeper_role(actor, fund))


@dataclass(frozen=True)
class LedgerRow:
    entry_id: int
    number: int
    date: dt.date
    kind: str
    memo: str
    amount: Decimal  # the line's signed amount (debit > 0)
    balance: Decimal  # the account's balance after the line, in its normal direction


@dataclass(frozen=True)
class AccountLedger:
    fund: Fund
    account: Account
    rows: list[LedgerRow]
    opening: Decimal  # the balance before the first row shown
    total: int
    offset: int
    limit: int


def account_ledger(*, actor: Actor, fund_id: int, code: str, offset: int = 0, limit: int = 100) -> AccountLedger:
    """An account's lines in posting order with the running balance (the balance before the page
    is one sum over the earlier lines, so any page costs the same). NotFound unless the actor
    reads the fund or the account is not its. Audited as ``fund.read``."""
    fund = access_fund(actor, fund_id)
    account = Account.objects.filter(fund=fund, code=str(code)[:8]).first()
    if account is None:
        raise NotFound()
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    qs = JournalLine.objects.filter(account=account).order_by("entry__number", "id")
    total = qs.count()
    page = list(
        qs.values_list("entry_id", "entry__number", "entry__date", "entry__kind", "entry__memo", "amount")[
            offset : offset + limit
        ]
    )
    opening = ZERO
    if offset and page:
        before = JournalLine.objects.filter(account=account).filter(
            Q(entry__number__lt=page[0][1]) | Q(entry__number=page[0][1], id__lt=_first_line_id(account, page[0][0]))
        )
        opening = signed_for_balance(account.type, before.aggregate(s=Sum("amount"))["s"] or ZERO)
    running = opening
    rows = []
    for entry_id, number, day, kind, memo, amount in page:
        running += signed_for_balance(account.type, amount)
        rows.append(LedgerRow(entry_id, number, day, kind, memo, amount, running))
    _audit_read(
        actor, fund, action="fund.read", object_type="fund", object_id=fund.pk, what="ledger", account=account.code
    )
    return AccountLedger(
        fund=fund, account=account, rows=rows, opening=opening, total=total, offset=offset, limit=limit
    )


def _first_line_id(account: Account, entry_id: int) -> int:
    first = JournalLine.objects.filter(account=account, entry_id=entry_id).order_by("id").values_list("id", flat=True)
    return first.first() or 0


def fund_voucher(*, actor: Actor, fund_id: int, voucher_id: int) -> Voucher:
    """A voucher of the fund, with its file (NotFound unless the actor reads the fund's books).
    Audited as ``fund_voucher.read``."""
    fund = access_fund(actor, fund_id)
    voucher = Voucher.objects.filter(pk=voucher_id, fund=fund).first()
    if voucher is None:
        raise NotFound()
    _audit_read(actor, fund, action="fund_voucher.read", object_type="voucher", object_id=voucher.pk)
    return voucher


def journal_filter(*, month: str = "", kind: str = "", account: str = "") -> JournalFilter:
    """The filter from what was typed (``month`` as YYYY-MM); InvalidInput on a malformed month
    or an unknown kind."""
    day = None
    month = (month or "").strip()
    if month:
        try:
            day = dt.date.fromisoformat(month[:7] + "-01")
        except ValueError:
            raise field_error("month", _("Enter a month as YYYY-MM."), code="invalid_month") from None
    kind = (kind or "").strip()
    if kind and kind not in JournalEntry.Kind.values:
        raise field_error("kind", _("Unknown kind of movement."), code="unknown_kind")
    return JournalFilter(month=day, kind=kind, account=(account or "").strip()[:8])


@dataclass(frozen=True)
class FundList:
    funds: list[Fund]
    kept: set[int]  # ids of the listed funds the actor keeps
    total: int


def funds_list(*, actor: Actor, offset: int = 0, limit: int = 50) -> FundList:
    """The funds whose books the actor reads (county, towns, villages, then region code), a page,
    with those they keep. Names of funds are not personal: not audited."""
    qs = funds_in_scope(actor)
    total = qs.count()
    funds = list(qs[max(0, offset) : max(0, offset) + max(1, min(limit, MAX_LIMIT))])
    return FundList(funds=funds, kept={f.pk for f in funds if keeper_role(actor, f)}, total=total)


def fund_budget_lines(*, fund: Fund, year: int) -> list[BudgetLine]:
    """The fund's budget lines of ``year`` (the county fund's spending may be booked against one)."""
    return list(BudgetLine.objects.filter(fund=fund, year=year).select_related("account").order_by("line"))
