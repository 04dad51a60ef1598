"""The books' core: opening a fund, storing a voucher, posting a balanced entry, reversing one,
closing a month.

Every write to a fund's journal goes through :func:`entry_post`, in the caller's transaction,
under the fund's row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so
entry numbers, the hash chain and the account balances never race. An entry is refused whole, with
a Chinese message and nothing written, when its lines do not sum to zero, an amount has more than
two decimals, an account is not the fund's, the date is in a closed month, in the future or before
the fund opened, or a ``no_overdraft`` account (or the bank account below the fund's minimum
balance) would go below zero.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.domain.accounts import BANK, ChartAccount, chart_for, signed_for_balance
from rongxin.funds.domain.chain import GENESIS, EntryFact, LineFact, entry_hash
from rongxin.funds.domain.money import FEN, MAX_AMOUNT, ZERO, yuan
from rongxin.funds.models import Account, BudgetLine, Fund, JournalEntry, JournalLine, PeriodClose, Voucher
from rongxin.regions.models import Region

VOUCHER_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class LineIn:
    """One line to post: ``amount`` is signed (a debit > 0, a credit < 0)."""

    account_code: str
    amount: Decimal
    note: str = ""


# --- Funds ----------------------------------------------------------------------------------------
def fund_open(
    *, actor: User | None, kind: str, region: Region, name: str, opened_on: dt.date, minimum_balance: Decimal = ZERO
) -> Fund:
    """Open a fund for ``region`` with its starting chart of accounts (idempotent by kind and region:
    an existing fund is returned unchanged)."""
    existing = Fund.objects.filter(kind=kind, region=region).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        fund = Fund.objects.create(
            kind=kind,
            region=region,
            name=name,
            opened_on=opened_on,
            minimum_balance=minimum_balance,
            created_at=clock.now(),
        )
        Account.objects.bulk_create(
            Account(fund=fund, code=a.code, name=a.name, type=a.type, no_overdraft=a.no_overdraft)
            for a in chart_for(kind)
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="fund.open",
            object_type="fund",
            object_id=fund.pk,
            details={"kind": kind, "region": region.code},
        )
    return fund


def accounts_open(*, fund: Fund, chart: tuple[ChartAccount, ...]) -> list[Account]:
    """Add ``chart``'s accounts to ``fund`` where the fund has no account of that code yet (a
    project's own accounts in the project marketplace fund) and return the fund's accounts of
    those codes. Idempotent; an existing account keeps its name and balance."""
    codes = [a.code for a in chart]
    Account.objects.bulk_create(
        (Account(fund=fund, code=a.code, name=a.name, type=a.type, no_overdraft=a.no_overdraft) for a in chart),
        ignore_conflicts=True,
    )
    return list(Account.objects.filter(fund=fund, code__in=codes).order_by("code"))


def fund_locked(fund_id: int) -> Fund:
    """The fund's row, locked for the rest of the caller's transaction."""
    fund = Fund.objects.select_for_update().filter(pk=fund_id).first()
    if fund is None:
        raise NotFound()
    return fund


# --- Vouchers -------------------------------------------------------------------------------------
def voucher_max_bytes() -> int:
    return int(settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES)


def voucher_content_type(data: bytes) -> str | None:
    """The voucher's type by its content (never its name): a PDF, JPEG or PNG, else None."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]:
        return "image/png"
    return None


def read_voucher_upload(upload: Any) -> bytes:
    """The upload's bytes, refused as soon as it is known to pass the size limit."""
    limit = voucher_max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _voucher_too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _voucher_too_large()
    if not data:
        raise field_error("voucher", _("The file is empty."), code="empty_file")
    return bytes(data)


def _voucher_too_large() -> InvalidInput:
    return field_error(
        "voucher",
        _("The voucher is larger than %(mb)s MB; scan it at a lower resolution.")
        % {"mb": f"{voucher_max_bytes() / 1048576:g}"},
        code="voucher_too_large",
    )


def voucher_store(*, actor: User | None, fund: Fund, data: bytes, file_name: str) -> Voucher:
    """Keep a voucher for ``fund`` (the same file twice is stored once). Raises InvalidInput when
    it is too large, empty, or not a PDF, JPEG or PNG by its content."""
    if len(data) > voucher_max_bytes():
        raise _voucher_too_large()
    if not data:
        raise field_error("voucher", _("The file is empty."), code="empty_file")
    content_type = voucher_content_type(data)
    if content_type is None:
        raise field_error("voucher", _("Upload the voucher as a PDF, JPEG or PNG file."), code="voucher_type")
    name = clean_text(file_name or "", field="voucher", required=False, max_length=400, multiline=False)[-120:]
    name = name or f"voucher{VOUCHER_TYPES[content_type]}"
    digest = hashlib.sha256(data).hexdigest()
    existing = Voucher.objects.filter(fund=fund, sha256=digest).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        return Voucher.objects.create(
            fund=fund,
            file_name=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            data=data,
            uploaded_at=clock.now(),
            uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        )


# --- Posting --------------------------------------------------------------------------------------
def _check_amount(value: Decimal, index: int) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise field_error(f"lines.{index}.amount", _("Enter an amount in yuan."), code="not_a_number")
    if value != value.quantize(FEN):
        raise field_error(
            f"lines.{index}.amount", _("An amount has at most two decimals (fen)."), code="too_many_decimals"
        )
    if value == 0:
        raise field_error(f"lines.{index}.amount", _("A line's amount cannot be zero."), code="zero_line")
    if abs(value) > MAX_AMOUNT:
        raise field_error(f"lines.{index}.amount", _("The amount is too large."), code="too_large")
    return value.quantize(FEN)


def check_posting_date(fund: Fund, on: dt.date) -> None:
    """Refuse a date in a closed month, in the future, or before the fund opened."""
    if fund.closed_through is not None and on <= fund.closed_through:
        raise field_error(
            "date",
            _("The books are closed through %(day)s; post the movement in an open month.")
            % {"day": fund.closed_through.isoformat()},
            code="period_closed",
        )
    if on > clock.today_local():
        raise field_error("date", _("The date cannot be in the future."), code="future_date")
    if on < fund.opened_on:
        raise field_error(
            "date", _("The fund opened on %(day)s.") % {"day": fund.opened_on.isoformat()}, code="before_opening"
        )


def entry_post(
    *,
    actor: User | None,
    fund_id: int,
    kind: str,
    on: dt.date,
    memo: str,
    voucher: Voucher,
    lines: list[LineIn],
    budget_line: BudgetLine | None = None,
    reverses: JournalEntry | None = None,
    role: str = "",
    audit: bool = True,
) -> JournalEntry:
    """Append one balanced entry to the fund's journal and return it. See the module's text for
    what is refused. Runs in (and opens, if needed) a transaction; the caller's transaction makes
    it part of a larger change (an allocation's two entries, an award and its nomination)."""
    memo = clean_text(memo, field="memo", required=True, max_length=200, multiline=False)
    if kind not in JournalEntry.Kind.values:
        raise field_error("kind", _("Unknown kind of movement."), code="unknown_kind")
    if len(lines) < 2:
        raise field_error("lines", _("An entry has at least two lines."), code="too_few_lines")
    if len(lines) > 200:
        raise field_error("lines", _("An entry has at most 200 lines."), code="too_many_lines")
    amounts = [_check_amount(line.amount, i) for i, line in enumerate(lines)]
    notes = [
        clean_text(line.note, field=f"lines.{i}.note", required=False, max_length=100, multiline=False)
        for i, line in enumerate(lines)
    ]
    total = sum(amounts, ZERO)
    if total != 0:
        raise field_error(
            "lines",
            _("Debits and credits do not balance: they differ by %(diff)s.") % {"diff": yuan(total)},
            code="unbalanced",
        )
    with transaction.atomic():
        fund = fund_locked(fund_id)
        if voucher.fund_id != fund.pk:
            raise NotFound()
        if budget_line is not None and budget_line.fund_id != fund.pk:
            raise NotFound()
        check_posting_date(fund, on)
        accounts = {a.code: a for a in Account.objects.filter(fund=fund, code__in={ln.account_code for ln in lines})}
        changes: dict[str, Decimal] = {}
        for i, line in enumerate(lines):
            account = accounts.get(line.account_code)
            if account is None:
                raise field_error(
                    f"lines.{i}.account",
                    _("The fund has no account %(code)s.") % {"code": str(line.account_code)[:8]},
                    code="unknown_account",
                )
            changes[account.code] = changes.get(account.code, ZERO) + signed_for_balance(account.type, amounts[i])
        for code, change in changes.items():
            account = accounts[code]
            after = account.balance + change
            if account.no_overdraft and after < 0:
                raise field_error(
                    "lines",
                    _("%(account)s holds %(balance)s; this movement would take it below zero.")
                    % {"account": account.name, "balance": yuan(account.balance)},
                    code="insufficient_funds",
                )
            if code == BANK and change < 0 and after < fund.minimum_balance:
                raise field_error(
                    "lines",
                    _("The fund must keep at least %(minimum)s; it holds %(balance)s.")
                    % {"minimum": yuan(fund.minimum_balance), "balance": yuan(account.balance)},
                    code="below_minimum",
                )
        number = fund.entry_count + 1
        fact = EntryFact(
            fund_id=fund.pk,
            number=number,
            kind=kind,
            date=on.isoformat(),
            memo=memo,
            voucher_sha256=voucher.sha256,
            budget_line_id=budget_line.pk if budget_line is not None else None,
            reverses_number=reverses.number if reverses is not None else None,
            lines=tuple(LineFact(line.account_code, amounts[i], notes[i]) for i, line in enumerate(lines)),
        )
        prev = fund.chain_head or GENESIS
        digest = entry_hash(prev, fact)
        entry = JournalEntry.objects.create(
            fund=fund,
            number=number,
            kind=kind,
            date=on,
            memo=memo,
            voucher=voucher,
            budget_line=budget_line,
            reverses=reverses,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.is_authenticated else None,
            prev_hash=prev,
            hash=digest,
        )
        JournalLine.objects.bulk_create(
            JournalLine(entry=entry, account=accounts[line.account_code], amount=amounts[i], note=notes[i])
            for i, line in enumerate(lines)
        )
        for code, change in changes.items():
            if change:
                Account.objects.filter(pk=accounts[code].pk).update(balance=F("balance") + change)
        Fund.objects.filter(pk=fund.pk).update(entry_count=number, chain_head=digest)
        if audit:
            audit_record(
                actor=actor,
                kind=AuditEvent.Kind.WRITE,
                action="fund_entry.post",
                role=role,
                object_type="journal_entry",
                object_id=entry.pk,
                details={"fund": fund.pk, "number": number, "kind": kind, "amount": str(_gross(amounts))},
            )
    return entry


def _gross(amounts: list[Decimal]) -> Decimal:
    return sum((a for a in amounts if a > 0), ZERO)


def entry_reverse(
    *, actor: User | None, fund_id: int, entry_id: int, on: dt.date, reason: str, role: str = ""
) -> JournalEntry:
    """Post the reversing entry of ``entry_id`` (every line negated) on ``on``, backed by the same
    voucher. An entry is reversed once; a reversal is not reversed again (post the movement anew).
    Raises NotFound (not this fund's), Conflict (already reversed, or a reversal)."""
    reason = clean_text(reason, field="reason", required=True, max_length=150, multiline=False)
    with transaction.atomic():
        fund_locked(fund_id)
        entry = JournalEntry.objects.select_related("voucher").filter(pk=entry_id, fund_id=fund_id).first()
        if entry is None:
            raise NotFound()
        if entry.kind == JournalEntry.Kind.REVERSAL:
            raise Conflict(_("A reversal cannot be reversed; post the movement again instead."), code="is_reversal")
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise Conflict(_("This entry has already been reversed."), code="already_reversed")
        lines = [
            LineIn(account_code=code, amount=-amount, note=note)
            for code, amount, note in entry.lines.order_by("id").values_list("account__code", "amount", "note")
        ]
        return entry_post(
            actor=actor,
            fund_id=fund_id,
            kind=JournalEntry.Kind.REVERSAL,
            on=on,
            memo=f"冲销第{entry.number}号：{reason}",
            voucher=entry.voucher,
            lines=lines,
            budget_line=entry.budget_line,
            reverses=entry,
            role=role,
        )


# --- Closing months -------------------------------------------------------------------------------
def _month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def next_month_to_close(fund: Fund) -> dt.date:
    """The first day of the month the fund closes next."""
    if fund.closed_through is None:
        return fund.opened_on.replace(day=1)
    return fund.closed_through + dt.timedelta(days=1)


def period_close(*, actor: User | None, fund_id: int, month: dt.date, role: str = "") -> PeriodClose:
    """Close ``month`` (any day in it) of the fund: nothing may be posted on or before its last day
    afterwards. Months close in order, once each, and only after they have ended. The close keeps
    the balances it closed on and the chain head."""
    with transaction.atomic():
        fund = fund_locked(fund_id)
        first = month.replace(day=1)
        expected = next_month_to_close(fund)
        if first < expected:
            raise Conflict(
                _("%(month)s is already closed.") % {"month": first.strftime("%Y-%m")}, code="already_closed"
            )
        if first > expected:
            raise field_error(
                "month",
                _("Close %(month)s first: months close in order.") % {"month": expected.strftime("%Y-%m")},
                code="close_in_order",
            )
        last = _month_end(first)
        if last >= clock.today_local():
            raise field_error("month", _("A month can be closed only after it has ended."), code="month_not_over")
        rows = Account.objects.filter(fund=fund).values_list("code", "balance")
        balances = {code: f"{balance:.2f}" for code, balance in rows}
        close = PeriodClose.objects.create(
            fund=fund,
            month=first,
            closed_at=clock.now(),
            closed_by=actor if actor is not None and actor.is_authenticated else None,
            balances=balances,
            chain_head=fund.chain_head,
        )
        Fund.objects.filter(pk=fund.pk).update(closed_through=last)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="fund_period.close",
            role=role,
            object_type="fund",
            object_id=fund.pk,
            details={"month": first.strftime("%Y-%m")},
        )
    return close
