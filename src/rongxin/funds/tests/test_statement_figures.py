"""The quarterly statement's figures: exact, from the journal lines, a reversal netting against the
account it reverses, goods donations in the goods balance, and equal to the trial balance at the
quarter's end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.funds.domain.public import ANONYMOUS_DONOR, Quarter, Statement
from rongxin.funds.models import Account, BudgetLine, Fund
from rongxin.funds.selectors.books import trial_balance
from rongxin.funds.selectors.statements import quarter_statement, statement_quarters
from rongxin.funds.services.books import LineIn, entry_reverse
from rongxin.funds.tests.books_helpers import FundsWorld, income, spending
from rongxin.funds.tests.public_helpers import D, donate, post

pytestmark = pytest.mark.django_db


def _lines(lines: list) -> list[tuple[str, str, Decimal]]:
    return [(x.code, x.name, x.amount) for x in lines]


def _q1_village(world: FundsWorld) -> Fund:
    fund = world.funds["village_a1"]
    post(world, fund, "opening", "2026-01-05", [LineIn("1001", D("1000.00")), LineIn("3001", D("-1000.00"))])
    post(world, fund, "welfare", "2026-02-03", income("12000.50"))
    donate(world, fund, "2026-02-10", "500.00", "王五")
    donate(world, fund, "2026-03-01", "300.00", "赵六", anonymous=True, goods="大米 20 袋")
    wrong = post(world, fund, "welfare", "2026-03-05", income("100.00"))
    entry_reverse(actor=None, fund_id=fund.pk, entry_id=wrong.pk, on=dt.date(2026, 3, 6), reason="重复录入")
    post(world, fund, "award", "2026-03-20", spending("200.00"))
    post(world, fund, "award", "2026-03-25", [LineIn("5102", D("120.00")), LineIn("1002", D("-120.00"))])
    return fund


def _balances(fund: Fund) -> dict[str, Decimal]:
    return {row.account.code: row.balance for row in trial_balance(fund_id=fund.pk)}


def _assert_equals_trial_balance(s: Statement, tb: dict[str, Decimal]) -> None:
    assert (s.closing_bank, s.closing_goods) == (tb["1001"], tb["1002"])


def test_quarter_statement_is_exact_and_nets_reversals(world: FundsWorld) -> None:
    # given: a first quarter with an opening balance, welfare, a money and a goods donation, an
    # entry reversed within the quarter, a money and a goods award
    fund = _q1_village(world)
    # when
    s = quarter_statement(fund_id=fund.pk, year=2026, quarter=1)
    # then
    assert (s.opening_bank, s.opening_goods) == (D("0.00"), D("0.00"))
    assert _lines(s.income) == [
        ("4003", "福利资金归集", D("12000.50")),
        ("4004", "捐赠收入（资金）", D("500.00")),
        ("4005", "捐赠收入（物资）", D("300.00")),
    ]
    assert _lines(s.spending) == [("5101", "表彰奖金支出", D("200.00")), ("5102", "表彰奖品支出", D("120.00"))]
    assert _lines(s.other) == [("3001", "基金结余", D("1000.00"))]
    assert (s.income_total, s.spending_total) == (D("12800.50"), D("320.00"))
    assert (s.closing_bank, s.closing_goods, s.closing_total) == (D("13300.50"), D("180.00"), D("13480.50"))
    assert s.entries == 8
    assert (s.previous, s.next) == (None, None)
    assert s.budget == []
    assert [(d.received_on, d.donor, d.anonymous, d.kind, d.goods, d.amount, d.reversed) for d in s.donations] == [
        (dt.date(2026, 2, 10), "王五", False, "money", "", D("500.00"), False),
        (dt.date(2026, 3, 1), ANONYMOUS_DONOR, True, "goods", "大米 20 袋", D("300.00"), False),
    ]
    assert (s.fund_name, s.region_name, s.town_name) == ("东山社区信用基金", "东山社区", "崖头街道")
    # and: it agrees with the trial balance at the quarter's end
    _assert_equals_trial_balance(s, _balances(fund))


def test_later_quarter_carries_the_balance_and_nets_a_late_reversal(world: FundsWorld) -> None:
    # given: the first quarter, its trial balance, then a second quarter that reverses the Q1
    # money donation and pays an award
    fund = _q1_village(world)
    q1_end = _balances(fund)
    gift = fund.donations.get(kind="money")
    entry_reverse(actor=None, fund_id=fund.pk, entry_id=gift.entry_id, on=dt.date(2026, 4, 2), reason="退回捐赠")
    post(world, fund, "award", "2026-04-10", spending("50.25"))
    # when
    q1 = quarter_statement(fund_id=fund.pk, year=2026, quarter=1)
    q2 = quarter_statement(fund_id=fund.pk, year=2026, quarter=2)
    # then: Q1 still ends where its trial balance ended; Q2 starts there
    _assert_equals_trial_balance(q1, q1_end)
    assert (q2.opening_bank, q2.opening_goods) == (D("13300.50"), D("180.00"))
    assert _lines(q2.income) == [("4004", "捐赠收入（资金）", D("-500.00"))]
    assert _lines(q2.spending) == [("5101", "表彰奖金支出", D("50.25"))]
    assert q2.other == []
    assert (q2.closing_bank, q2.closing_goods) == (D("12750.25"), D("180.00"))
    assert q2.entries == 2
    assert q2.donations == []
    _assert_equals_trial_balance(q2, _balances(fund))
    # the reversed donation is marked on its own quarter's list
    assert [d.reversed for d in q1.donations] == [True, False]
    assert (q1.previous, q1.next, q2.previous, q2.next) == (None, Quarter(2026, 2), Quarter(2026, 1), None)


def test_every_account_over_the_quarters_sums_to_the_trial_balance(world: FundsWorld) -> None:
    fund = _q1_village(world)
    post(world, fund, "transfer_in", "2026-05-02", income("2500.00", code="4002"))
    post(world, fund, "reward", "2026-05-03", spending("33.33", code="5103"))
    moved: dict[str, Decimal] = {}
    for q in statement_quarters(fund_id=fund.pk):
        s = quarter_statement(fund_id=fund.pk, year=q.year, quarter=q.quarter)
        for line in [*s.income, *s.spending, *s.other]:
            moved[line.code] = moved.get(line.code, D("0.00")) + line.amount
        last = s
    tb = _balances(fund)
    assert moved == {code: balance for code, balance in tb.items() if balance and code not in ("1001", "1002")}
    _assert_equals_trial_balance(last, tb)


def test_county_fund_budget_lines(world: FundsWorld) -> None:
    # given: the county fund's appropriation, two budget lines, spending against each, one
    # spending reversed
    fund = world.county_fund
    accounts = {a.code: a for a in Account.objects.filter(fund=fund)}
    building, activities = (
        BudgetLine.objects.create(
            fund=fund, year=2026, line=line, amount=D(amount), account=accounts[code], set_at=clock.now()
        )
        for line, amount, code in (("building", "100000.00", "5201"), ("activities", "50000.00", "5202"))
    )
    post(world, fund, "appropriation", "2026-01-10", income("1000000.00", code="4001"))
    post(world, fund, "spending", "2026-02-01", spending("20000.00", code="5201"), budget_line=building)
    wrong = post(world, fund, "spending", "2026-04-01", spending("999.99", code="5202"), budget_line=activities)
    entry_reverse(actor=None, fund_id=fund.pk, entry_id=wrong.pk, on=dt.date(2026, 4, 2), reason="错记")
    post(world, fund, "spending", "2026-04-05", spending("5000.00", code="5202"), budget_line=activities)
    # when
    q2 = quarter_statement(fund_id=fund.pk, year=2026, quarter=2)
    # then
    assert [(b.line, b.name, b.budget, b.spent_quarter, b.spent_year, b.left) for b in q2.budget] == [
        ("building", "实践所站建设支出", D("100000.00"), D("0.00"), D("20000.00"), D("80000.00")),
        ("activities", "文明实践活动支出", D("50000.00"), D("5000.00"), D("5000.00"), D("45000.00")),
    ]
    assert _lines(q2.spending) == [("5202", "文明实践活动支出", D("5000.00"))]
    assert (q2.opening_bank, q2.closing_bank) == (D("980000.00"), D("975000.00"))
    assert q2.town_name == ""
    _assert_equals_trial_balance(q2, _balances(fund))


def test_quarters_and_not_found(world: FundsWorld) -> None:
    fund = world.funds["village_a2"]
    assert statement_quarters(fund_id=fund.pk) == []
    with pytest.raises(NotFound):
        quarter_statement(fund_id=fund.pk, year=2026, quarter=1)
    post(world, fund, "welfare", "2026-01-02", income("10.00"))
    post(world, fund, "welfare", "2026-05-02", income("10.00"))
    assert statement_quarters(fund_id=fund.pk) == [Quarter(2026, 1), Quarter(2026, 2)]
    for year, quarter in ((2026, 3), (2025, 4), (2026, 0), (2026, 5)):
        with pytest.raises(NotFound):
            quarter_statement(fund_id=fund.pk, year=year, quarter=quarter)
    with pytest.raises(NotFound):
        quarter_statement(fund_id=999999, year=2026, quarter=1)
