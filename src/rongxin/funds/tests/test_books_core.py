"""The posting core: balanced entries, exact amounts, the chain, balances, reversal, closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.funds.domain.chain import GENESIS
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose
from rongxin.funds.services.books import LineIn, entry_post, entry_reverse, period_close
from rongxin.funds.tests.books_helpers import FundsWorld, income, spending

pytestmark = pytest.mark.django_db


def _balance(fund: Fund, code: str) -> Decimal:
    return Account.objects.get(fund=fund, code=code).balance


def test_post_updates_balances_and_chain(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    v = world.voucher(fund)
    first = entry_post(
        actor=world.village_a1, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 2, 3), memo="福利归集",
        voucher=v, lines=income("12000.50"),
    )  # fmt: skip
    second = entry_post(
        actor=world.village_a1, fund_id=fund.pk, kind="award", on=dt.date(2026, 4, 1), memo="表彰奖金",
        voucher=v, lines=spending("200.00"),
    )  # fmt: skip
    assert (first.number, second.number) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert _balance(fund, "1001") == Decimal("11800.50")
    assert _balance(fund, "4003") == Decimal("12000.50")
    assert _balance(fund, "5101") == Decimal("200.00")
    fund.refresh_from_db()
    assert (fund.entry_count, fund.chain_head) == (2, second.hash)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([LineIn("1001", Decimal("10.00")), LineIn("4003", Decimal("-9.99"))], "unbalanced"),
        ([LineIn("1001", Decimal("10.001")), LineIn("4003", Decimal("-10.001"))], "too_many_decimals"),
        ([LineIn("1001", Decimal("10.00"))], "too_few_lines"),
        ([LineIn("1001", Decimal("0")), LineIn("4003", Decimal("0"))], "zero_line"),
        ([LineIn("9999", Decimal("10.00")), LineIn("4003", Decimal("-10.00"))], "unknown_account"),
        ([LineIn("5101", Decimal("10.00")), LineIn("1001", Decimal("-10.00"))], "insufficient_funds"),
    ],
)
def test_bad_entries_are_refused_whole(world: FundsWorld, lines: list[LineIn], code: str) -> None:
    fund = world.funds["village_a1"]
    with pytest.raises(InvalidInput) as caught:
        entry_post(
            actor=None, fund_id=fund.pk, kind="spending", on=dt.date(2026, 2, 3), memo="x",
            voucher=world.voucher(fund), lines=lines,
        )  # fmt: skip
    assert caught.value.code == code
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0
    assert set(Account.objects.values_list("balance", flat=True)) == {Decimal("0.00")}


def test_voucher_of_another_fund_is_not_found(world: FundsWorld) -> None:
    with pytest.raises(NotFound):
        entry_post(
            actor=None, fund_id=world.funds["village_a1"].pk, kind="welfare", on=dt.date(2026, 2, 3), memo="x",
            voucher=world.voucher(world.funds["village_a2"]), lines=income("1.00"),
        )  # fmt: skip


def test_reversal_negates_once(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    entry = entry_post(
        actor=None, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 2, 3), memo="福利归集",
        voucher=world.voucher(fund), lines=income("300.00"),
    )  # fmt: skip
    reversal = entry_reverse(actor=None, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 2, 4), reason="金额录错")
    assert reversal.reverses_id == entry.pk
    assert reversal.memo == "冲销第1号：金额录错"
    assert sorted(reversal.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("-300.00")),
        ("4003", Decimal("300.00")),
    ]
    assert _balance(fund, "1001") == Decimal("0.00")
    with pytest.raises(Conflict) as again:
        entry_reverse(actor=None, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 2, 4), reason="再次")
    assert again.value.code == "already_reversed"


def test_close_in_order_then_refuse_posting(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    with pytest.raises(InvalidInput) as out_of_order:
        period_close(actor=None, fund_id=fund.pk, month=dt.date(2026, 2, 1))
    assert out_of_order.value.code == "close_in_order"
    period_close(actor=None, fund_id=fund.pk, month=dt.date(2026, 1, 15))
    with pytest.raises(InvalidInput) as not_over:
        period_close(actor=None, fund_id=fund.pk, month=dt.date(2026, 5, 1))
    assert not_over.value.code == "close_in_order"
    with pytest.raises(InvalidInput) as closed:
        entry_post(
            actor=None, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 1, 31), memo="补记",
            voucher=world.voucher(fund), lines=income("5.00"),
        )  # fmt: skip
    assert closed.value.code == "period_closed"
    assert PeriodClose.objects.get(fund=fund).month == dt.date(2026, 1, 1)


def test_trial_balance_from_lines(world: FundsWorld) -> None:
    from rongxin.funds.selectors.books import trial_balance, trial_balance_all

    fund = world.funds["village_a1"]
    v = world.voucher(fund)
    entry_post(
        actor=None, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 2, 3), memo="a", voucher=v, lines=income("100.00")
    )
    entry_post(
        actor=None, fund_id=fund.pk, kind="award", on=dt.date(2026, 2, 4), memo="b", voucher=v, lines=spending("30.25")
    )
    rows = {r.account.code: (r.debits, r.credits, r.balance, r.cached) for r in trial_balance(fund_id=fund.pk)}
    assert rows["1001"] == (Decimal("100.00"), Decimal("30.25"), Decimal("69.75"), Decimal("69.75"))
    assert rows["4003"] == (Decimal("0.00"), Decimal("100.00"), Decimal("100.00"), Decimal("100.00"))
    assert rows["5101"] == (Decimal("30.25"), Decimal("0.00"), Decimal("30.25"), Decimal("30.25"))
    totals = {t.fund_id: (t.debits, t.credits, t.mismatched_accounts) for t in trial_balance_all()}
    assert totals[fund.pk] == (Decimal("130.25"), Decimal("130.25"), 0)
    Account.objects.filter(fund=fund, code="1001").update(balance=Decimal("1.00"))
    assert {t.fund_id: t.mismatched_accounts for t in trial_balance_all()}[fund.pk] == 1
