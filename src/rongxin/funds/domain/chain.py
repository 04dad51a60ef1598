"""The hash chain of a fund's journal.

Each entry's hash covers the previous entry's hash and the entry's content in a canonical text:
number, kind, date, memo, voucher digest, budget line, the entry it reverses, and every line
(account code, amount to the fen, note) in a fixed order. Changing any of them in the database,
or deleting or inserting an entry, breaks the chain from that point, which ``rongxin funds
verify`` reports. Pure: no database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

GENESIS = "0" * 64

_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


@dataclass(frozen=True)
class LineFact:
    account_code: str
    amount: Decimal
    note: str = ""


@dataclass(frozen=True)
class EntryFact:
    fund_id: int
    number: int
    kind: str
    date: str  # ISO date
    memo: str
    voucher_sha256: str
    budget_line_id: int | None
    reverses_number: int | None
    lines: tuple[LineFact, ...]


def entry_payload(fact: EntryFact) -> str:
    """The canonical text of an entry (lines sorted by account code, amount and note, so the order
    they were typed in does not matter)."""
    lines = sorted(
        ([ln.account_code, f"{Decimal(ln.amount):.2f}", ln.note] for ln in fact.lines),
        key=lambda x: (x[0], Decimal(x[1]), x[2]),
    )
    return _encode(
        {
            "fund": fact.fund_id,
            "number": fact.number,
            "kind": fact.kind,
            "date": fact.date,
            "memo": fact.memo,
            "voucher": fact.voucher_sha256,
            "budget_line": fact.budget_line_id,
            "reverses": fact.reverses_number,
            "lines": lines,
        }
    )


def entry_hash(prev_hash: str, fact: EntryFact) -> str:
    return hashlib.sha256((prev_hash + "\n" + entry_payload(fact)).encode()).hexdigest()
