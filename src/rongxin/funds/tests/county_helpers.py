"""Helpers of the county tests: a voucher's bytes, a county fund with money and a budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rongxin.funds.models import Account, BudgetLine, Fund
from rongxin.funds.services.budget import appropriation_record, budget_line_set
from rongxin.funds.tests.books_helpers import FundsWorld, pdf

DAY = dt.date(2026, 3, 2)


def voucher(tag: str) -> dict[str, Any]:
    return {"voucher_data": pdf(tag), "voucher_name": f"{tag}.pdf"}


def bank(fund: Fund) -> Decimal:
    return Account.objects.get(fund=fund, code="1001").balance


def balance(fund: Fund, code: str) -> Decimal:
    return Account.objects.get(fund=fund, code=code).balance


def funded(
    world: FundsWorld, *, money: str = "1000000.00", lines: dict[str, str] | None = None
) -> dict[str, BudgetLine]:
    """The county's ``money`` paid into the county fund on 2026-01-05 and the 2026 budget
    ``lines`` (building ¥400,000 and canteens ¥100,000 unless told)."""
    appropriation_record(
        actor=world.keeper, on=dt.date(2026, 1, 5), amount=money, memo="2026年县级专项资金拨款", **voucher("approp")
    )
    out = {}
    for line, amount in (lines or {"building": "400000.00", "canteens": "100000.00"}).items():
        out[line] = budget_line_set(actor=world.keeper, year=2026, line=line, amount=amount)
    return out
