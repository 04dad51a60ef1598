"""The county special fund's budget: setting a line, the county's appropriations into the fund,
and direct spending against a line. Only the county fund keeper writes here.

Every write takes the county fund's row lock first (``entry_post`` takes it again, in the same
transaction), so what a line has used is read after any other write to the fund has committed:
two spendings or allocations at once never together pass a line's budget.

The input helpers (:func:`amount_in`, :func:`day_in`, :func:`id_in`) are shared by the county's
services (allocations, donations): amounts in yuan with at most two decimals (never a float),
ISO dates.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import field_error
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.accounts import APPROPRIATION, BANK, LINE_ACCOUNTS
from rongxin.funds.domain.money import AmountError, parse_yuan, yuan
from rongxin.funds.models import Account, BudgetLine, Fund, JournalEntry, Voucher
from rongxin.funds.permissions.county import keeper_county_fund
from rongxin.funds.selectors.budget import line_used
from rongxin.funds.services.books import LineIn, entry_post, fund_locked, voucher_store

# The same movement submitted twice by the same keeper within this window (a double tap, a
# resent form) is one movement: the second returns the first.
DUPLICATE_WINDOW = dt.timedelta(minutes=2)
FIRST_YEAR = 2020
KEEPER_ROLE = str(Role.DEPARTMENT_RECORDER)

AMOUNT_MESSAGES = {
    "required": _("Enter an amount in yuan."),
    "not_a_number": _("Enter an amount such as 1200 or 1200.50."),
    "too_many_decimals": _("An amount has at most two decimals (fen)."),
    "not_positive": _("Enter an amount above zero."),
    "too_large": _("The amount is too large."),
}


# --- Input ----------------------------------------------------------------------------------------
def amount_in(raw: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """``raw`` as yuan (see :func:`~rongxin.funds.domain.money.parse_yuan`) or a field error."""
    try:
        return parse_yuan(raw, allow_zero=allow_zero)
    except AmountError as exc:
        raise field_error(field, AMOUNT_MESSAGES[exc.code], code=exc.code) from None


def day_in(raw: Any, *, field: str = "on") -> dt.date:
    if isinstance(raw, dt.datetime):
        raise field_error(field, _("Enter a date."), code="bad_date")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and raw.strip():
        text = raw.strip()
        if text.isascii():
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        raise field_error(field, _("Enter a date such as 2026-03-01."), code="bad_date")
    raise field_error(field, _("This field is required."), code="required")


def id_in(raw: Any, *, field: str) -> int:
    """A row id as typed (an int, or ASCII digits); a field error otherwise."""
    if isinstance(raw, bool):
        raise field_error(field, _("Choose one from the list."), code="bad_choice")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) < 12:
        return int(raw.strip())
    raise field_error(field, _("Choose one from the list."), code="bad_choice")


def year_in(raw: Any, *, field: str = "year") -> int:
    year = id_in(raw, field=field) if not isinstance(raw, int) else raw
    if isinstance(year, bool) or not FIRST_YEAR <= year <= clock.today_local().year + 1:
        raise field_error(
            field,
            _("Enter a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": clock.today_local().year + 1},
            code="bad_year",
        )
    return year


def voucher_in(*, actor: User, fund: Fund, data: Any, name: Any) -> Voucher:
    if not isinstance(data, bytes | bytearray) or not data:
        raise field_error("voucher", _("Attach the voucher (PDF, JPEG or PNG)."), code="voucher_required")
    return voucher_store(actor=actor, fund=fund, data=bytes(data), file_name=str(name or ""))


def recent_same_entry(
    *, actor: User, fund: Fund, kind: str, on: dt.date, voucher: Voucher, amount: Decimal
) -> JournalEntry | None:
    """The same movement (kind, day, voucher, gross amount) posted by ``actor`` within
    :data:`DUPLICATE_WINDOW`; read under the fund's lock."""
    for entry in JournalEntry.objects.filter(
        fund=fund,
        kind=kind,
        date=on,
        voucher=voucher,
        created_by=actor,
        created_at__gte=clock.now() - DUPLICATE_WINDOW,
        lines__amount=amount,
    ).order_by("id")[:1]:
        return entry
    return None


def line_of_fund(*, fund: Fund, budget_line_id: Any) -> BudgetLine:
    """The fund's budget line ``budget_line_id`` (with its account); NotFound otherwise."""
    line_id = id_in(budget_line_id, field="budget_line_id")
    line = BudgetLine.objects.select_related("account").filter(pk=line_id, fund=fund).first()
    if line is None:
        raise field_error("budget_line_id", _("Choose a line of the county fund's budget."), code="unknown_line")
    return line


def check_within_line(*, line: BudgetLine, amount: Decimal, on: dt.date) -> None:
    """Refuse a movement dated outside the line's year or larger than what the line has left;
    call under the county fund's lock."""
    if on.year != line.year:
        raise field_error(
            "on",
            _("A movement of the %(year)s budget is dated in %(year)s.") % {"year": line.year},
            code="outside_budget_year",
        )
    left = line.amount - line_used(line)
    if amount > left:
        raise field_error(
            "amount",
            _("The budget line %(line)s has %(left)s left; %(amount)s is more than that.")
            % {"line": line.get_line_display(), "left": yuan(left), "amount": yuan(amount)},
            code="beyond_line",
        )


def check_bank(*, fund: Fund, amount: Decimal) -> None:
    """Refuse paying more than the fund's bank account holds; call under the fund's lock."""
    bank = Account.objects.filter(fund=fund, code=BANK).values_list("balance", flat=True).first()
    if bank is None or amount > bank:
        raise field_error(
            "amount",
            _("The fund's bank account holds %(balance)s; %(amount)s is more than that.")
            % {"balance": yuan(bank or 0), "amount": yuan(amount)},
            code="insufficient_funds",
        )


# --- Budget lines -----------------------------------------------------------------------------------
def budget_line_set(*, actor: User, year: Any, line: Any, amount: Any) -> BudgetLine:
    """Create or revise the ``line`` of the county fund's ``year`` budget to ``amount`` yuan (zero
    or more); its account is the county chart's account for the line. A revision below what the
    line has already allocated and spent is refused.

    Writes the line and the audit row ``budget_line.set`` (old and new amounts). Raises NotFound
    (not the county fund keeper), InvalidInput (year, line, amount, ``below_used``)."""
    fund = keeper_county_fund(actor)
    year = year_in(year)
    if line not in BudgetLine.Line.values:
        raise field_error("line", _("Choose a line of the budget."), code="unknown_line")
    value = amount_in(amount, allow_zero=True)
    with transaction.atomic():
        fund_locked(fund.pk)
        existing = BudgetLine.objects.filter(fund=fund, year=year, line=line).first()
        now = clock.now()
        if existing is None:
            account = Account.objects.get(fund=fund, code=LINE_ACCOUNTS[line])
            budget_line = BudgetLine.objects.create(
                fund=fund, year=year, line=line, amount=value, account=account, set_at=now, set_by=actor
            )
            old = None
        else:
            used = line_used(existing)
            if value < used:
                raise field_error(
                    "amount",
                    _("The line has already allocated and spent %(used)s; its budget cannot be less.")
                    % {"used": yuan(used)},
                    code="below_used",
                )
            old = existing.amount
            existing.amount, existing.set_at, existing.set_by = value, now, actor
            existing.save(update_fields=["amount", "set_at", "set_by"])
            budget_line = existing
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="budget_line.set",
            role=KEEPER_ROLE,
            object_type="budget_line",
            object_id=budget_line.pk,
            details={
                "fund": fund.pk,
                "year": year,
                "line": line,
                "old": None if old is None else str(old),
                "new": str(value),
            },
        )
    return budget_line


# --- Money in and out -------------------------------------------------------------------------------
def appropriation_record(
    *, actor: User, on: Any, amount: Any, memo: Any, voucher_data: Any, voucher_name: Any
) -> JournalEntry:
    """The county's money paid into the county special fund (Dr 1001 bank / Cr 4001
    appropriations), backed by a voucher. The same submission again within
    :data:`DUPLICATE_WINDOW` returns the first entry.

    Writes the voucher, the entry and its audit row (``fund_entry.post``). Raises NotFound (not
    the county fund keeper), InvalidInput (amount, date, memo, voucher, closed month)."""
    fund = keeper_county_fund(actor)
    value = amount_in(amount)
    day = day_in(on)
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        voucher = voucher_in(actor=actor, fund=fund, data=voucher_data, name=voucher_name)
        same = recent_same_entry(
            actor=actor, fund=fund, kind=JournalEntry.Kind.APPROPRIATION, on=day, voucher=voucher, amount=value
        )
        if same is not None:
            return same
        return entry_post(
            actor=actor,
            fund_id=fund.pk,
            kind=JournalEntry.Kind.APPROPRIATION,
            on=day,
            memo=str(memo if memo is not None else ""),
            voucher=voucher,
            lines=[LineIn(BANK, value), LineIn(APPROPRIATION, -value)],
            role=KEEPER_ROLE,
        )


def line_spending_record(
    *,
    actor: User,
    budget_line_id: Any,
    on: Any,
    amount: Any,
    memo: Any,
    voucher_data: Any,
    voucher_name: Any,
) -> JournalEntry:
    """Spending straight from a budget line (Dr the line's account / Cr 1001 bank, the entry names
    the line), e.g. a county-wide activity the county pays itself. Refused beyond what the line
    has left, outside the line's year, or beyond the bank balance. The same submission again
    within :data:`DUPLICATE_WINDOW` returns the first entry.

    Writes the voucher, the entry and its audit row (``fund_entry.post``). Raises NotFound (not
    the county fund keeper), InvalidInput (each field; ``beyond_line``, ``insufficient_funds``,
    ``period_closed``)."""
    fund = keeper_county_fund(actor)
    line = line_of_fund(fund=fund, budget_line_id=budget_line_id)
    value = amount_in(amount)
    day = day_in(on)
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        voucher = voucher_in(actor=actor, fund=fund, data=voucher_data, name=voucher_name)
        same = recent_same_entry(
            actor=actor, fund=fund, kind=JournalEntry.Kind.SPENDING, on=day, voucher=voucher, amount=value
        )
        if same is not None and same.budget_line_id == line.pk:
            return same
        check_within_line(line=line, amount=value, on=day)
        check_bank(fund=fund, amount=value)
        return entry_post(
            actor=actor,
            fund_id=fund.pk,
            kind=JournalEntry.Kind.SPENDING,
            on=day,
            memo=str(memo if memo is not None else ""),
            voucher=voucher,
            lines=[LineIn(line.account.code, value), LineIn(BANK, -value)],
            budget_line=line,
            role=KEEPER_ROLE,
        )
