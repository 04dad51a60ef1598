"""The books as staff use them: income and spending of a fund with its voucher, a reversal, a
month's close. Each service asks the actor's right first (the fund's keeper, else
:class:`~rongxin.core.errors.NotFound`, whatever the input), then checks the input, then writes in
one transaction through :func:`rongxin.funds.services.books.entry_post` and leaves an audit row
naming the keeper's role.

**A double submit posts once.** The same movement (fund, kind, date, amount, memo, voucher and
budget line) recorded by the same person within :data:`DUPLICATE_WINDOW` is the same movement
sent twice (a double tap, a resent form, a retried request): the entry already posted is
returned and nothing is added. The check runs under the fund's row lock, so two copies arriving
at once are serialised and the second finds the first. Someone who really means two identical
movements changes the memo (e.g. names the payee) — an identical memo, voucher and amount a
minute apart is far more often a mistake than intent. (A per-form token would need a column the
foundation's models do not have, and would not help API clients that retry.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.domain import accounts as chart
from rongxin.funds.domain.money import AmountError, parse_yuan
from rongxin.funds.models import Allocation, BudgetLine, Donation, Fund, JournalEntry, Nomination, PeriodClose
from rongxin.funds.permissions.common import keeper_role
from rongxin.funds.services.books import (
    LineIn,
    entry_post,
    entry_reverse,
    fund_locked,
    period_close,
    voucher_store,
)

DUPLICATE_WINDOW = dt.timedelta(minutes=2)

# Income kinds a keeper records here, and the income account each credits (the county fund's
# appropriations, allocations and donations have services of their own).
INCOME_ACCOUNTS = {
    JournalEntry.Kind.WELFARE: chart.WELFARE,
    JournalEntry.Kind.TRANSFER_IN: chart.TRANSFER_IN,
    "other": chart.OTHER_INCOME,
}
# The kind each is posted with: other income (interest, a refund, money brought over when the
# fund opened) is its own kind, on account 4009 其他收入.
INCOME_ENTRY_KIND = {
    JournalEntry.Kind.WELFARE: JournalEntry.Kind.WELFARE,
    JournalEntry.Kind.TRANSFER_IN: JournalEntry.Kind.TRANSFER_IN,
    "other": JournalEntry.Kind.OTHER_INCOME,
}
SPENDING_KINDS = (JournalEntry.Kind.REWARD, JournalEntry.Kind.SPENDING)

AMOUNT_MESSAGES = {
    "required": _("Enter the amount."),
    "not_a_number": _("Enter the amount in yuan, e.g. 1200.50."),
    "too_many_decimals": _("An amount has at most two decimals (fen)."),
    "not_positive": _("The amount must be more than zero."),
    "too_large": _("The amount is too large."),
}


def amount_parse(raw: Any, *, field: str = "amount") -> Decimal:
    """``raw`` as yuan to the fen, or InvalidInput on ``field`` with the Chinese reason."""
    try:
        return parse_yuan(raw)
    except AmountError as exc:
        raise field_error(field, AMOUNT_MESSAGES[exc.code], code=exc.code) from None


# The posting core names the fields of an entry; a movement's form has these instead.
_FIELDS = {"date": "on", "lines": "amount"}


@contextmanager
def _movement_fields() -> Iterator[None]:
    """Errors of the posting core on the movement's own fields (a closed month on ``on``, a bank
    that cannot pay on ``amount``), so a form shows them beside what was typed."""
    try:
        yield
    except InvalidInput as exc:
        exc.errors = [e | {"field": _FIELDS.get(e.get("field", ""), e.get("field"))} for e in exc.errors]
        raise


def _keeper(actor: User | None, fund_id: int, *, moves: bool = True) -> tuple[Fund, str]:
    """The fund and the actor's keeper role, before anything else is looked at (``moves``: the
    call moves money, which the project marketplace fund refuses here)."""
    if actor is None or not actor.is_authenticated:
        raise NotFound()
    fund = Fund.objects.select_related("region").filter(pk=fund_id).first()
    if fund is None:
        raise NotFound()
    role = keeper_role(actor, fund)
    if not role:
        raise NotFound()
    if moves and fund.kind == Fund.Kind.PROJECTS:
        # Each yuan there belongs to one project; it moves only on the project's page.
        raise Conflict(
            _("The project marketplace fund's money moves on each project's page, not here."),
            code="project_fund",
        )
    return fund, role


def _day(raw: Any, *, field: str = "on") -> dt.date:
    if isinstance(raw, dt.datetime):
        raise field_error(field, _("Enter a date."), code="invalid_date")
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise field_error(field, _("Enter a date."), code="invalid_date") from None


def _repeat(
    *,
    fund: Fund,
    actor: User,
    kind: str,
    on: dt.date,
    memo: str,
    voucher_id: int,
    amount: Decimal,
    budget_line_id: int | None,
) -> JournalEntry | None:
    """The same movement recorded by ``actor`` within the window, if any (run under the lock)."""
    candidates = JournalEntry.objects.filter(
        fund=fund,
        kind=kind,
        date=on,
        memo=memo,
        voucher_id=voucher_id,
        budget_line_id=budget_line_id,
        created_by=actor,
        created_at__gte=clock.now() - DUPLICATE_WINDOW,
        lines__amount=amount,
    ).order_by("number")
    return candidates.first()


def _movement(
    *,
    actor: User,
    fund: Fund,
    role: str,
    kind: str,
    on: Any,
    amount: Any,
    memo: Any,
    voucher_data: bytes | None,
    voucher_name: str,
    lines: Any,
    budget_line: BudgetLine | None,
    action: str,
) -> JournalEntry:
    day = _day(on)
    value = amount_parse(amount)
    text = clean_text(memo, field="memo", required=True, max_length=200, multiline=False)
    if not voucher_data:
        raise field_error("voucher", _("Attach the voucher (a scan or PDF)."), code="voucher_required")
    with transaction.atomic():
        locked = fund_locked(fund.pk)
        voucher = voucher_store(actor=actor, fund=locked, data=voucher_data, file_name=voucher_name)
        same = _repeat(
            fund=locked,
            actor=actor,
            kind=kind,
            on=day,
            memo=text,
            voucher_id=voucher.pk,
            amount=value,
            budget_line_id=budget_line.pk if budget_line is not None else None,
        )
        if same is not None:
            return same
        with _movement_fields():
            entry = entry_post(
                actor=actor,
                fund_id=fund.pk,
                kind=kind,
                on=day,
                memo=text,
                voucher=voucher,
                lines=lines(value),
                budget_line=budget_line,
                role=role,
                audit=False,
            )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action=action,
            role=role,
            object_type="journal_entry",
            object_id=entry.pk,
            details={"fund": fund.pk, "number": entry.number, "kind": kind, "amount": str(value)},
        )
    return entry


def fund_income_record(
    *,
    actor: User,
    fund_id: int,
    kind: str,
    on: dt.date,
    amount: Any,
    memo: str,
    voucher_data: bytes | None,
    voucher_name: str,
) -> JournalEntry:
    """Record money received into the fund's bank account: Dr 1001 银行存款 / Cr the income
    account of ``kind`` (``welfare`` → 4003, ``transfer_in`` → 4002, ``other`` → 4009), backed by
    the voucher. Keeper only (else NotFound). Returns the entry (the one already posted for a
    double submit, see the module). Raises InvalidInput (amount, date, memo, voucher, kind) and
    whatever :func:`entry_post` refuses. Audit: ``fund_income.record``."""
    fund, role = _keeper(actor, fund_id)
    if kind not in INCOME_ACCOUNTS:
        raise field_error("kind", _("Choose the kind of income."), code="unknown_kind")
    if kind == JournalEntry.Kind.TRANSFER_IN and fund.kind == Fund.Kind.COUNTY_SPECIAL:
        raise field_error("kind", _("The county fund receives appropriations, not transfers."), code="unknown_kind")
    if kind == JournalEntry.Kind.WELFARE and fund.kind == Fund.Kind.COUNTY_SPECIAL:
        raise field_error("kind", _("Welfare payments are merged into a credit fund."), code="unknown_kind")
    code = INCOME_ACCOUNTS[kind]

    def lines(value: Decimal) -> list[LineIn]:
        return [LineIn(chart.BANK, value), LineIn(code, -value)]

    return _movement(
        actor=actor,
        fund=fund,
        role=role,
        kind=INCOME_ENTRY_KIND[kind],
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=voucher_data,
        voucher_name=voucher_name,
        lines=lines,
        budget_line=None,
        action="fund_income.record",
    )


def fund_spending_record(
    *,
    actor: User,
    fund_id: int,
    kind: str,
    on: dt.date,
    amount: Any,
    memo: str,
    voucher_data: bytes | None,
    voucher_name: str,
    budget_line_id: int | None = None,
) -> JournalEntry:
    """Record money paid out of the fund's bank account: Dr 5103 (``reward``, a credit reward) or
    5109 (``spending``; for the county fund with ``budget_line_id``, the line's expense account)
    / Cr 1001. Keeper only (else NotFound). Refused (422) when the bank account would go below
    zero or below the fund's minimum. Returns the entry (the one already posted for a double
    submit). Audit: ``fund_spending.record``."""
    fund, role = _keeper(actor, fund_id)
    if kind not in SPENDING_KINDS:
        raise field_error("kind", _("Choose the kind of spending."), code="unknown_kind")
    if kind == JournalEntry.Kind.REWARD and fund.kind == Fund.Kind.COUNTY_SPECIAL:
        raise field_error("kind", _("Credit rewards are paid from a credit fund."), code="unknown_kind")
    budget_line: BudgetLine | None = None
    debit = chart.CREDIT_REWARDS if kind == JournalEntry.Kind.REWARD else chart.OTHER_SPENDING
    if budget_line_id is not None:
        if kind != JournalEntry.Kind.SPENDING or fund.kind != Fund.Kind.COUNTY_SPECIAL:
            raise field_error(
                "budget_line_id",
                _("Only the county fund's spending is booked against a budget line."),
                code="no_budget",
            )
        budget_line = BudgetLine.objects.select_related("account").filter(pk=budget_line_id, fund=fund).first()
        if budget_line is None:
            raise field_error("budget_line_id", _("Choose a budget line of this fund."), code="unknown_budget_line")
        debit = budget_line.account.code

    def lines(value: Decimal) -> list[LineIn]:
        return [LineIn(debit, value), LineIn(chart.BANK, -value)]

    return _movement(
        actor=actor,
        fund=fund,
        role=role,
        kind=kind,
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=voucher_data,
        voucher_name=voucher_name,
        lines=lines,
        budget_line=budget_line,
        action="fund_spending.record",
    )


# Entries that belong to a record of their own are corrected there, never one side alone: an
# allocation posts in two funds (``allocation_reverse`` undoes both), a donation carries its
# donor's credit, an award its nominee's commendation.
def _linked_record(entry: JournalEntry) -> Any:
    """Why ``entry`` cannot be reversed on its own, or None."""
    if Allocation.objects.filter(Q(out_entry=entry) | Q(in_entry=entry)).exists():
        return _("This entry is one side of an allocation; reverse the allocation on the county fund's budget page.")
    if Donation.objects.filter(entry=entry).exists():
        return _("This entry records a donation with its donor's credit; it cannot be reversed here.")
    if Nomination.objects.filter(award_entry=entry).exists():
        return _("This entry pays a commendation award; it cannot be reversed here.")
    return None


def fund_entry_reverse(*, actor: User, fund_id: int, entry_id: int, on: Any, reason: str) -> JournalEntry:
    """Post the reversal of one of the fund's entries (every line negated, the same voucher) on
    ``on`` with ``reason``. Keeper only; an entry of another fund is NotFound. Raises Conflict
    (already reversed, or a reversal) and InvalidInput (closed month, the bank would go below
    zero, empty reason). Audit: ``fund_entry.reverse``."""
    fund, role = _keeper(actor, fund_id)
    entry = JournalEntry.objects.filter(pk=entry_id, fund=fund).first()
    if entry is None:
        raise NotFound()
    linked = _linked_record(entry)
    if linked is not None:
        raise Conflict(linked, code="reverse_elsewhere")
    day = _day(on)
    with transaction.atomic(), _movement_fields():
        reversal = entry_reverse(actor=actor, fund_id=fund.pk, entry_id=entry_id, on=day, reason=reason, role=role)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="fund_entry.reverse",
            role=role,
            object_type="journal_entry",
            object_id=entry_id,
            details={"fund": fund.pk, "reversal": reversal.pk, "number": reversal.number},
        )
    return reversal


def _month(raw: Any) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.replace(day=1)
    text = str(raw or "").strip()
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01")
        return dt.date.fromisoformat(text).replace(day=1)
    except ValueError:
        raise field_error("month", _("Enter a month as YYYY-MM."), code="invalid_month") from None


def fund_period_close(*, actor: User, fund_id: int, month: Any) -> PeriodClose:
    """Close ``month`` (a date in it, or ``YYYY-MM``) of the fund: nothing may be posted on or
    before its last day afterwards. Keeper only. Months close in order, once each, after they
    end (InvalidInput / Conflict otherwise). Audit: ``fund_period.close``."""
    fund, role = _keeper(actor, fund_id, moves=False)
    first = _month(month)
    return period_close(actor=actor, fund_id=fund.pk, month=first, role=role)
