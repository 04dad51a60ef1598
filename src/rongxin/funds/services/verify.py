"""``rongxin funds verify``: re-walk every fund's books from the stored rows and report each
thing that is not as the posting service left it.

Per fund, in entry order: the numbers run 1, 2, … without a gap; each entry's ``prev_hash`` is the
previous entry's hash and its ``hash`` is recomputed from the stored entry and lines
(:mod:`rongxin.funds.domain.chain`); ``Fund.entry_count`` and ``chain_head`` are the last
entry's; every entry has two or more non-zero lines on the fund's own accounts that sum to zero;
a reversal negates the entry it reverses line for line; no entry was recorded into a month after
that month was closed. Then every account's cached balance equals its lines, and every voucher's
``sha256`` is the digest of its stored file.

Set-based: funds are read in batches of about :data:`BATCH_LINES` lines, each batch's entries
and lines in two ordered queries (a fixed number of queries per batch, never one per entry), and
vouchers' files are streamed in chunks. It reads only; the one row it writes is nothing — this is
a check, safe to run at any time (it does not lock the funds, so an entry posted while it runs
may be reported once as a head mismatch; run it again).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DateField, Exists, OuterRef
from django.db.models.functions import TruncMonth

from rongxin.funds.domain.accounts import signed_for_balance
from rongxin.funds.domain.chain import GENESIS, EntryFact, LineFact, entry_hash
from rongxin.funds.domain.money import ZERO
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose, Voucher

BATCH_LINES = 50_000
VOUCHER_CHUNK = 20


@dataclass(frozen=True)
class Problem:
    fund_id: int
    number: int | None  # the entry's number, when the problem is an entry's
    code: str  # stable, for scripts: broken_hash, broken_link, gap, head, count, unbalanced, ...
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"fund": self.fund_id, "number": self.number, "code": self.code, "detail": self.detail}


@dataclass
class VerifyReport:
    funds: int = 0
    entries: int = 0
    lines: int = 0
    accounts: int = 0
    vouchers: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "funds": self.funds,
            "entries": self.entries,
            "lines": self.lines,
            "accounts": self.accounts,
            "vouchers": self.vouchers,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class _Account:
    fund_id: int
    code: str
    type: str
    balance: Decimal


def _batches(funds: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """Funds grouped so a batch holds about BATCH_LINES lines (by the entry counts, ~2 lines each)."""
    batch: list[tuple[Any, ...]] = []
    size = 0
    for row in funds:
        batch.append(row)
        size += 2 * int(row[1] or 0)
        if size >= BATCH_LINES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def funds_verify() -> VerifyReport:
    """Check every fund's books (see the module). Returns the report; writes nothing."""
    report = VerifyReport()
    accounts = {
        pk: _Account(fund_id, code, kind, balance)
        for pk, fund_id, code, kind, balance in Account.objects.values_list("id", "fund_id", "code", "type", "balance")
    }
    report.accounts = len(accounts)
    voucher_sha = dict(Voucher.objects.values_list("id", "sha256"))
    voucher_fund = dict(Voucher.objects.values_list("id", "fund_id"))
    sums: dict[int, Decimal] = defaultdict(lambda: ZERO)  # account id → signed sum of its lines
    funds = list(Fund.objects.order_by("pk").values_list("id", "entry_count", "chain_head"))
    report.funds = len(funds)
    for batch in _batches(funds):
        _verify_batch(batch, report, accounts, voucher_sha, voucher_fund, sums)
    for pk, acc in sorted(accounts.items(), key=lambda x: (x[1].fund_id, x[1].code)):
        from_lines = signed_for_balance(acc.type, sums.get(pk, ZERO))
        if from_lines != acc.balance:
            report.problems.append(
                Problem(
                    acc.fund_id,
                    None,
                    "balance",
                    f"account {acc.code}: cached {acc.balance:.2f}, lines {from_lines:.2f}",
                )
            )
    _verify_closed_months(report)
    _verify_vouchers(report)
    return report


def _verify_closed_months(report: VerifyReport) -> None:
    """Entries recorded into a month after that month's close: one query over the entries of
    closed months (a semi-join on the unique (fund, month) of the closes)."""
    late_close = PeriodClose.objects.filter(
        fund_id=OuterRef("fund_id"),
        month=OuterRef("month"),
        closed_at__lt=OuterRef("created_at"),
    )
    late = (
        JournalEntry.objects.annotate(month=TruncMonth("date", output_field=DateField()))
        .filter(Exists(late_close))
        .order_by("fund_id", "number")
        .values_list("fund_id", "number", "date")
    )
    for fund_id, number, day in late.iterator(chunk_size=5000):
        report.problems.append(
            Problem(fund_id, number, "closed_period", f"recorded into {day:%Y-%m} after the month was closed")
        )


def _verify_vouchers(report: VerifyReport) -> None:
    rows = (
        Voucher.objects.order_by("pk").values_list("id", "fund_id", "sha256", "data").iterator(chunk_size=VOUCHER_CHUNK)
    )
    for pk, fund_id, sha, data in rows:
        report.vouchers += 1
        if hashlib.sha256(bytes(data)).hexdigest() != sha:
            report.problems.append(
                Problem(fund_id, None, "voucher", f"voucher {pk}: the file does not match its sha256")
            )


def _verify_batch(
    batch: list[tuple[Any, ...]],
    report: VerifyReport,
    accounts: dict[int, _Account],
    voucher_sha: dict[int, str],
    voucher_fund: dict[int, int],
    sums: dict[int, Decimal],
) -> None:
    fund_ids = [row[0] for row in batch]
    lines: dict[int, list[tuple[int, Decimal, str]]] = defaultdict(list)
    for entry_id, account_id, amount, note in (
        # No order: the chain's payload sorts an entry's lines itself.
        JournalLine.objects.filter(entry__fund_id__in=fund_ids)
        .order_by()
        .values_list("entry_id", "account_id", "amount", "note")
        .iterator(chunk_size=20_000)
    ):
        lines[entry_id].append((account_id, amount, note))
        sums[account_id] += amount
        report.lines += 1
    entries: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in (
        JournalEntry.objects.filter(fund_id__in=fund_ids)
        .order_by("fund_id", "number")
        .values_list(
            "id",
            "fund_id",
            "number",
            "kind",
            "date",
            "memo",
            "voucher_id",
            "budget_line_id",
            "reverses_id",
            "prev_hash",
            "hash",
        )
        .iterator(chunk_size=20_000)
    ):
        entries[row[1]].append(row)
    for fund_id, entry_count, chain_head in batch:
        _verify_fund(
            fund_id,
            entry_count,
            chain_head,
            entries.get(fund_id, []),
            lines,
            report,
            accounts,
            voucher_sha,
            voucher_fund,
        )


def _verify_fund(
    fund_id: int,
    entry_count: int,
    chain_head: str,
    rows: list[tuple[Any, ...]],
    lines: dict[int, list[tuple[int, Decimal, str]]],
    report: VerifyReport,
    accounts: dict[int, _Account],
    voucher_sha: dict[int, str],
    voucher_fund: dict[int, int],
) -> None:
    problems = report.problems
    numbers = {row[0]: row[2] for row in rows}
    by_id = {row[0]: row for row in rows}
    prev = GENESIS
    for i, row in enumerate(rows):
        entry_id, _, number, kind, day, memo, voucher_id, budget_line_id, reverses_id, prev_hash, digest = row
        report.entries += 1
        if number != i + 1:
            problems.append(Problem(fund_id, number, "gap", f"entry {number} where {i + 1} was expected"))
        if prev_hash != prev:
            problems.append(Problem(fund_id, number, "broken_link", "prev_hash is not the previous entry's hash"))
        own = lines.get(entry_id, [])
        facts = []
        total = ZERO
        for account_id, amount, note in own:
            acc = accounts.get(account_id)
            if acc is None or acc.fund_id != fund_id:
                problems.append(
                    Problem(fund_id, number, "foreign_account", f"a line on account {account_id} of another fund")
                )
                code = "?"
            else:
                code = acc.code
            if amount == 0:
                problems.append(Problem(fund_id, number, "zero_line", "a line of zero"))
            total += amount
            facts.append(LineFact(code, amount, note))
        if len(own) < 2:
            problems.append(Problem(fund_id, number, "too_few_lines", f"{len(own)} line(s)"))
        if total != 0:
            problems.append(Problem(fund_id, number, "unbalanced", f"lines sum to {total:.2f}"))
        if voucher_fund.get(voucher_id) != fund_id:
            problems.append(Problem(fund_id, number, "voucher", "the voucher is not the fund's"))
        reverses_number = None
        if reverses_id is not None:
            reverses_number = numbers.get(reverses_id)
            original = by_id.get(reverses_id)
            if original is None:
                problems.append(Problem(fund_id, number, "reversal", "reverses an entry of another fund"))
            else:
                mine = sorted((a, amt) for a, amt, _n in own)
                theirs = sorted((a, -amt) for a, amt, _n in lines.get(reverses_id, []))
                if mine != theirs:
                    problems.append(
                        Problem(fund_id, number, "reversal", f"does not negate entry {original[2]} line for line")
                    )
        if (kind == JournalEntry.Kind.REVERSAL) != (reverses_id is not None):
            problems.append(Problem(fund_id, number, "reversal", "a reversal's kind and link disagree"))
        fact = EntryFact(
            fund_id=fund_id,
            number=number,
            kind=kind,
            date=day.isoformat(),
            memo=memo,
            voucher_sha256=voucher_sha.get(voucher_id, ""),
            budget_line_id=budget_line_id,
            reverses_number=reverses_number,
            lines=tuple(facts),
        )
        if entry_hash(prev_hash, fact) != digest:
            problems.append(Problem(fund_id, number, "broken_hash", "the entry's content does not match its hash"))
        prev = digest
    if entry_count != len(rows):
        problems.append(Problem(fund_id, None, "count", f"entry_count {entry_count}, entries {len(rows)}"))
    head = rows[-1][10] if rows else ""
    if (chain_head or "") != head:
        problems.append(Problem(fund_id, None, "head", "chain_head is not the last entry's hash"))
