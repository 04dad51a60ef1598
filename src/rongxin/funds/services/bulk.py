"""The books' set-based append, for synthetic history only.

:func:`entries_bulk_append` writes many journal entries of many funds in one go with exactly what
:func:`rongxin.funds.services.books.entry_post` would have written one at a time: the same numbers
(each fund's entries in date order, after its existing ones), the same hash chain
(:func:`rongxin.funds.domain.chain.entry_hash` over the same canonical facts, memo and notes
cleaned the same way), the same lines, and the same cached balances, fund heads and counts. It
refuses (:class:`BulkRefused`, nothing written) what ``entry_post`` refuses for the books' sake: lines
that do not balance or carry more than two decimals, an account the fund does not have, a date
outside the fund's open period or in the future, a ``no_overdraft`` account below zero or the bank
account below the fund's minimum after spending. It writes no audit rows and does no permission
check: it is for generators, never for people.

Rows go in with :class:`~rongxin.core.bulk.BulkWriter` (``COPY`` on PostgreSQL, ``executemany``
on SQLite) under explicit ids, the sequences moved past them afterwards; balances and heads with
``bulk_update``. Run it inside the caller's transaction (the funds' rows are locked for it).

:func:`vouchers_bulk_create` stores many vouchers (checked by content like ``voucher_store``) and
:func:`periods_bulk_close` closes every month of many funds up to a month, with the balances and
chain head each month ended on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.core.text import clean_text
from rongxin.funds.domain.accounts import BANK, signed_for_balance
from rongxin.funds.domain.chain import GENESIS, EntryFact, LineFact, entry_hash
from rongxin.funds.domain.money import FEN, MAX_AMOUNT, ZERO
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose, Voucher
from rongxin.funds.services.books import LineIn, voucher_content_type

ENTRY_FIELDS = (
    "id", "fund", "number", "kind", "date", "memo", "voucher", "budget_line", "reverses", "created_at", "created_by",
    "prev_hash", "hash",
)  # fmt: skip
LINE_FIELDS = ("id", "entry", "account", "amount", "note")


class BulkRefused(ValueError):
    """What the bulk append refuses (see the module); nothing is written."""


@dataclass
class BulkEntry:
    """One entry to append: like :func:`entry_post`'s arguments, with the voucher by id and digest."""

    fund_id: int
    kind: str
    on: dt.date
    memo: str
    voucher_id: int
    voucher_sha256: str
    lines: list[LineIn]
    budget_line_id: int | None = None
    created_at: dt.datetime | None = None  # default: ``now``


@dataclass
class BulkResult:
    ids: list[int] = field(default_factory=list)  # the new entries' ids, in the order given
    entries: int = 0
    lines: int = 0
    funds: int = 0


def _amount(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value != value.quantize(FEN):
        raise BulkRefused(f"an amount in yuan with at most two decimals, not {value!r}")
    if value == 0 or abs(value) > MAX_AMOUNT:
        raise BulkRefused(f"a line's amount cannot be {value}")
    return value.quantize(FEN)


def _next_id(model: type[JournalEntry] | type[JournalLine]) -> int:
    return int(model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def entries_bulk_append(*, entries: list[BulkEntry], now: dt.datetime | None = None) -> BulkResult:
    """Append ``entries`` to their funds' journals (see the module). Each fund's new entries are
    numbered in date order (stable: entries of one day keep the order given)."""
    result = BulkResult()
    if not entries:
        return result
    now = now or clock.now()
    today = clock.today_local()
    stamp = datetime_adapter(connection)
    with transaction.atomic():
        fund_ids = sorted({e.fund_id for e in entries})
        funds = {f.pk: f for f in Fund.objects.select_for_update().filter(pk__in=fund_ids).order_by("pk")}
        if len(funds) != len(fund_ids):
            raise BulkRefused("an entry names a fund that does not exist")
        accounts: dict[tuple[int, str], Account] = {
            (a.fund_id, a.code): a for a in Account.objects.filter(fund_id__in=fund_ids)
        }
        balances = {key: a.balance for key, a in accounts.items()}
        order = sorted(range(len(entries)), key=lambda i: (entries[i].fund_id, entries[i].on))
        next_entry, next_line = _next_id(JournalEntry), _next_id(JournalLine)
        ids = [0] * len(entries)
        entry_rows: list[tuple] = []
        line_rows: list[tuple] = []
        for i in order:
            e = entries[i]
            fund = funds[e.fund_id]
            if fund.closed_through is not None and e.on <= fund.closed_through:
                raise BulkRefused(f"fund {fund.pk}: {e.on} is in a closed month")
            if e.on > today or e.on < fund.opened_on:
                raise BulkRefused(f"fund {fund.pk}: {e.on} is in the future or before the fund opened")
            if e.kind not in JournalEntry.Kind.values or len(e.lines) < 2:
                raise BulkRefused(f"fund {fund.pk}: kind {e.kind!r} or fewer than two lines")
            memo = clean_text(e.memo, field="memo", required=True, max_length=200, multiline=False)
            amounts = [_amount(line.amount) for line in e.lines]
            if sum(amounts, ZERO) != 0:
                raise BulkRefused(f"fund {fund.pk}: an entry that does not balance ({memo})")
            notes = [
                clean_text(line.note, field="note", required=False, max_length=100, multiline=False) for line in e.lines
            ]
            changes: dict[str, Decimal] = {}
            for line, amount in zip(e.lines, amounts, strict=True):
                account = accounts.get((fund.pk, line.account_code))
                if account is None:
                    raise BulkRefused(f"fund {fund.pk} has no account {line.account_code}")
                changes[account.code] = changes.get(account.code, ZERO) + signed_for_balance(account.type, amount)
            for code, change in changes.items():
                account = accounts[(fund.pk, code)]
                after = balances[(fund.pk, code)] + change
                if account.no_overdraft and after < 0:
                    raise BulkRefused(f"fund {fund.pk}: {code} would go below zero on {e.on} ({memo})")
                if code == BANK and change < 0 and after < fund.minimum_balance:
                    raise BulkRefused(f"fund {fund.pk}: the bank would go below the minimum on {e.on} ({memo})")
                balances[(fund.pk, code)] = after
            number = fund.entry_count + 1
            fact = EntryFact(
                fund_id=fund.pk,
                number=number,
                kind=e.kind,
                date=e.on.isoformat(),
                memo=memo,
                voucher_sha256=e.voucher_sha256,
                budget_line_id=e.budget_line_id,
                reverses_number=None,
                lines=tuple(LineFact(ln.account_code, a, n) for ln, a, n in zip(e.lines, amounts, notes, strict=True)),
            )
            prev = fund.chain_head or GENESIS
            digest = entry_hash(prev, fact)
            fund.entry_count, fund.chain_head = number, digest
            ids[i] = entry_id = next_entry
            next_entry += 1
            entry_rows.append(
                (
                    entry_id, fund.pk, number, e.kind, e.on.isoformat(), memo, e.voucher_id, e.budget_line_id, None,
                    stamp(e.created_at or now), None, prev, digest,
                )
            )  # fmt: skip
            for line, amount, note in zip(e.lines, amounts, notes, strict=True):
                line_rows.append((next_line, entry_id, accounts[(fund.pk, line.account_code)].pk, amount, note))
                next_line += 1
        writer = BulkWriter(connection)
        writer.write(TableSpec.of(JournalEntry, ENTRY_FIELDS), entry_rows)
        writer.write(TableSpec.of(JournalLine, LINE_FIELDS), line_rows)
        writer.reset_sequences([JournalEntry, JournalLine])
        writer.close()
        qn = connection.ops.quote_name
        changed = [(balances[key], a.pk) for key, a in accounts.items() if balances[key] != a.balance]
        heads = [(f.entry_count, f.chain_head, f.pk) for f in funds.values()]
        with connection.cursor() as cur:
            # Table and column names come from the models' _meta; values are parameters.
            cur.executemany(
                f"UPDATE {qn(Account._meta.db_table)} SET {qn('balance')} = %s WHERE {qn('id')} = %s",  # noqa: S608
                changed,
            )
            cur.executemany(
                f"UPDATE {qn(Fund._meta.db_table)} SET {qn('entry_count')} = %s, {qn('chain_head')} = %s "  # noqa: S608
                f"WHERE {qn('id')} = %s",
                heads,
            )
    result.ids, result.entries, result.lines, result.funds = ids, len(entry_rows), len(line_rows), len(funds)
    return result


def vouchers_bulk_create(*, items: list[tuple[int, bytes, str]], now: dt.datetime | None = None) -> list[Voucher]:
    """Store ``(fund id, data, file name)`` vouchers at once (each a PDF, JPEG or PNG by content,
    distinct within its fund) and return them in the order given."""
    now = now or clock.now()
    rows = []
    for fund_id, data, name in items:
        content_type = voucher_content_type(data)
        if content_type is None:
            raise BulkRefused(f"voucher {name!r} is not a PDF, JPEG or PNG")
        rows.append(
            Voucher(
                fund_id=fund_id,
                file_name=name[-120:],
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                data=data,
                uploaded_at=now,
            )
        )
    return Voucher.objects.bulk_create(rows, batch_size=1000)


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = _month_end(month) + dt.timedelta(days=1)
    return out


def periods_bulk_close(*, fund_ids: list[int], through: dt.date, now: dt.datetime | None = None) -> int:
    """Close, for each fund, every month from the next one it would close up to the month of
    ``through`` (which must have ended): a :class:`PeriodClose` per month with the balances and
    chain head as they stood at the month's end (from the lines), and ``closed_through`` moved.
    Returns the number of months closed."""
    now = now or clock.now()
    last_month = through.replace(day=1)
    if _month_end(last_month) >= clock.today_local():
        raise BulkRefused("a month can be closed only after it has ended")
    with transaction.atomic():
        funds = list(Fund.objects.select_for_update().filter(pk__in=fund_ids).order_by("pk"))
        accounts = list(Account.objects.filter(fund_id__in=fund_ids).values_list("id", "fund_id", "code", "type"))
        moves: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
        for row in (
            JournalLine.objects.filter(entry__fund_id__in=fund_ids)
            .annotate(month=TruncMonth("entry__date"))
            .values("account_id", "month")
            .annotate(total=Sum("amount"))
        ):
            month = row["month"]
            month = month.date() if isinstance(month, dt.datetime) else month
            moves[row["account_id"]][month] = row["total"]
        heads: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for fund_id, day, digest in (
            JournalEntry.objects.filter(fund_id__in=fund_ids)
            .order_by("fund_id", "number")
            .values_list("fund_id", "date", "hash")
        ):
            heads[fund_id].append((day, digest))
        by_fund: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
        for account_id, fund_id, code, kind in accounts:
            by_fund[fund_id].append((account_id, code, kind))
        closes: list[PeriodClose] = []
        for fund in funds:
            first = fund.closed_through + dt.timedelta(days=1) if fund.closed_through else fund.opened_on.replace(day=1)
            months = _months(first, last_month)
            if not months:
                continue
            running = {
                account_id: sum((t for m, t in moves[account_id].items() if m < first), ZERO)
                for account_id, _c, _t in by_fund[fund.pk]
            }
            chain = heads[fund.pk]
            k, head = 0, ""
            for month in months:
                end = _month_end(month)
                for account_id in running:
                    running[account_id] += moves[account_id].get(month, ZERO)
                while k < len(chain) and chain[k][0] <= end:
                    head = chain[k][1]
                    k += 1
                balances = {
                    code: f"{signed_for_balance(kind, running[account_id]):.2f}"
                    for account_id, code, kind in sorted(by_fund[fund.pk], key=lambda a: a[1])
                }
                closes.append(PeriodClose(fund=fund, month=month, closed_at=now, balances=balances, chain_head=head))
            fund.closed_through = _month_end(last_month)
        PeriodClose.objects.bulk_create(closes, batch_size=1000)
        Fund.objects.bulk_update(funds, ["closed_through"], batch_size=1000)
    return len(closes)
