"""Helpers of the books' staff tests: who keeps which fund of the world, a snapshot of the books
to assert that a refused call changed nothing, and movements posted through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rongxin.accounts.models import User
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose, Voucher
from rongxin.funds.services.movements import fund_income_record, fund_spending_record
from rongxin.funds.tests.books_helpers import FundsWorld, pdf

# The one role in world.users() that keeps each fund of the world (by the world's fund key).
KEEPERS = {"county": "keeper", "town_a": "town_a", "village_a1": "village_a1", "village_a2": "village_a2"}
# Who reads the books of village A1's fund: its keeper, town A's officer, the county keeper, the auditor.
READERS_A1 = {"village_a1", "town_a", "keeper", "auditor"}


def fund_of(world: FundsWorld, key: str) -> Fund:
    return world.county_fund if key == "county" else world.funds[key]


def snapshot() -> tuple[Any, ...]:
    """Everything a write could change in the books."""
    return (
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        Voucher.objects.count(),
        PeriodClose.objects.count(),
        tuple(Account.objects.order_by("pk").values_list("balance", flat=True)),
        tuple(Fund.objects.order_by("pk").values_list("entry_count", "chain_head", "closed_through")),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count(),
    )


def income(
    actor: User, fund: Fund, amount: str = "1000.00", *, on: dt.date = dt.date(2026, 2, 3), tag: str = "in", **kw: Any
) -> JournalEntry:
    args: dict[str, Any] = {
        "kind": "welfare" if fund.kind != Fund.Kind.COUNTY_SPECIAL else "other",
        "memo": f"收入{tag}",
        "voucher_data": pdf(tag),
        "voucher_name": f"{tag}.pdf",
    } | kw
    return fund_income_record(actor=actor, fund_id=fund.pk, on=on, amount=amount, **args)


def spend(
    actor: User, fund: Fund, amount: str = "100.00", *, on: dt.date = dt.date(2026, 2, 4), tag: str = "out", **kw: Any
) -> JournalEntry:
    args: dict[str, Any] = {
        "kind": "spending",
        "memo": f"支出{tag}",
        "voucher_data": pdf(tag),
        "voucher_name": f"{tag}.pdf",
    } | kw
    return fund_spending_record(actor=actor, fund_id=fund.pk, on=on, amount=amount, **args)


def balance(fund: Fund, code: str) -> Decimal:
    return Account.objects.get(fund=fund, code=code).balance
