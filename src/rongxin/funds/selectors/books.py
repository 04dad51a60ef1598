"""Reads of the books: the trial balance of one fund or of every fund, from the journal lines
themselves (never from the cached balances, which the trial balance checks)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from rongxin.funds.domain.accounts import signed_for_balance
from rongxin.funds.domain.money import ZERO
from rongxin.funds.models import Account, JournalLine


@dataclass(frozen=True)
class TrialRow:
    account: Account
    debits: Decimal  # the sum of the account's debit lines (positive)
    credits: Decimal  # the sum of its credit lines (positive)
    balance: Decimal  # in the account's normal direction, from the lines
    cached: Decimal  # Account.balance, which must equal ``balance``


def trial_balance(*, fund_id: int) -> list[TrialRow]:
    """Every account of the fund with its debits, credits and balance from the lines, in code
    order. Total debits equal total credits when every entry balanced."""
    sums = {
        row["account_id"]: (row["debits"] or ZERO, row["credits"] or ZERO)
        for row in JournalLine.objects.filter(account__fund_id=fund_id)
        .values("account_id")
        .annotate(debits=Sum("amount", filter=Q(amount__gt=0)), credits=Sum("amount", filter=Q(amount__lt=0)))
    }
    rows = []
    for account in Account.objects.filter(fund_id=fund_id).order_by("code"):
        debits, credits = sums.get(account.pk, (ZERO, ZERO))
        rows.append(
            TrialRow(
                account=account,
                debits=debits,
                credits=-credits,
                balance=signed_for_balance(account.type, debits + credits),
                cached=account.balance,
            )
        )
    return rows


@dataclass(frozen=True)
class FundTotals:
    fund_id: int
    debits: Decimal
    credits: Decimal
    mismatched_accounts: int  # accounts whose cached balance differs from their lines


def trial_balance_all() -> list[FundTotals]:
    """The trial balance totals of every fund in two grouped queries (the lines per account, the
    accounts' cached balances), in fund order."""
    per_account = {
        row["account_id"]: (row["debits"] or ZERO, row["credits"] or ZERO)
        for row in JournalLine.objects.values("account_id").annotate(
            debits=Sum("amount", filter=Q(amount__gt=0)), credits=Sum("amount", filter=Q(amount__lt=0))
        )
    }
    totals: dict[int, list[Decimal | int]] = {}
    for account_id, fund_id, account_type, cached in Account.objects.values_list("id", "fund_id", "type", "balance"):
        debits, credits = per_account.get(account_id, (ZERO, ZERO))
        t = totals.setdefault(fund_id, [ZERO, ZERO, 0])
        t[0] += debits
        t[1] -= credits
        if signed_for_balance(account_type, debits + credits) != cached:
            t[2] += 1
    return [
        FundTotals(fund_id=fid, debits=Decimal(t[0]), credits=Decimal(t[1]), mismatched_accounts=int(t[2]))
        for fid, t in sorted(totals.items())
    ]
