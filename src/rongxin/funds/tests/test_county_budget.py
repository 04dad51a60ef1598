"""The county special fund's budget: lines, appropriations, direct spending, and the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import BudgetLine, JournalEntry
from rongxin.funds.selectors.budget import budget_overview
from rongxin.funds.services.allocations import allocation_create
from rongxin.funds.services.books import entry_reverse
from rongxin.funds.services.budget import appropriation_record, budget_line_set, line_spending_record
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.county_helpers import DAY, balance, bank, funded, voucher

pytestmark = pytest.mark.django_db


def test_budget_line_set_creates_then_revises_with_audit(world: FundsWorld) -> None:
    # when
    first = budget_line_set(actor=world.keeper, year=2026, line="building", amount="400000")
    second = budget_line_set(actor=world.keeper, year=2026, line="building", amount="450000.50")
    # then
    assert first.pk == second.pk
    line = BudgetLine.objects.get()
    assert (line.amount, line.account.code, line.account.fund_id) == (
        Decimal("450000.50"),
        "5201",
        world.county_fund.pk,
    )
    rows = list(AuditEvent.objects.filter(action="budget_line.set").order_by("id").values_list("details", flat=True))
    assert [(r["old"], r["new"]) for r in rows] == [(None, "400000.00"), ("400000.00", "450000.50")]


def test_revision_below_what_is_used_is_refused(world: FundsWorld) -> None:
    # given
    lines = funded(world)
    allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="30000", purpose="新时代文明实践站建设",
        recipient_fund_id=world.funds["village_a1"].pk, **voucher("a1"),
    )  # fmt: skip
    line_spending_record(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="20000.00", memo="实践中心标识",
        **voucher("s1"),
    )  # fmt: skip
    # when
    with pytest.raises(InvalidInput) as caught:
        budget_line_set(actor=world.keeper, year=2026, line="building", amount="49999.99")
    # then
    assert caught.value.code == "below_used"
    assert BudgetLine.objects.get(line="building").amount == Decimal("400000.00")
    # exactly what is used is allowed
    assert budget_line_set(actor=world.keeper, year=2026, line="building", amount="50000").amount == Decimal("50000.00")


def test_appropriation_posts_bank_and_income(world: FundsWorld) -> None:
    # when
    entry = appropriation_record(
        actor=world.keeper, on=dt.date(2026, 1, 5), amount="10000000", memo="年度拨款", **voucher("ap")
    )
    # then
    assert entry.kind == JournalEntry.Kind.APPROPRIATION
    assert sorted(entry.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("10000000.00")),
        ("4001", Decimal("-10000000.00")),
    ]
    assert bank(world.county_fund) == Decimal("10000000.00")


def test_appropriation_double_submit_is_one_entry(world: FundsWorld) -> None:
    # when
    a = appropriation_record(actor=world.keeper, on=DAY, amount="500", memo="拨款", **voucher("same"))
    b = appropriation_record(actor=world.keeper, on=DAY, amount="500", memo="拨款", **voucher("same"))
    # then
    assert a.pk == b.pk
    assert JournalEntry.objects.filter(fund=world.county_fund).count() == 1
    assert bank(world.county_fund) == Decimal("500.00")


def test_spending_beyond_the_line_is_refused_in_chinese(world: FundsWorld) -> None:
    # given
    lines = funded(world, lines={"lectures": "1000.00"})
    line_spending_record(
        actor=world.keeper, budget_line_id=lines["lectures"].pk, on=DAY, amount="600", memo="宣讲", **voucher("l1")
    )
    # when
    with pytest.raises(InvalidInput) as caught:
        line_spending_record(
            actor=world.keeper, budget_line_id=lines["lectures"].pk, on=DAY, amount="400.01", memo="宣讲",
            **voucher("l2"),
        )  # fmt: skip
    # then
    assert caught.value.code == "beyond_line"
    assert "¥400.00" in str(caught.value.message)
    assert "宣讲" in str(caught.value.message)
    assert balance(world.county_fund, "5204") == Decimal("600.00")


def test_spending_outside_the_budget_year_is_refused(world: FundsWorld) -> None:
    lines = funded(world, lines={"lectures": "1000.00"})
    with pytest.raises(InvalidInput) as caught:
        line_spending_record(
            actor=world.keeper, budget_line_id=lines["lectures"].pk, on=dt.date(2025, 12, 31), amount="1",
            memo="宣讲", **voucher("y"),
        )  # fmt: skip
    assert caught.value.code == "outside_budget_year"


def test_budget_overview_exact_figures(world: FundsWorld) -> None:
    # given: ¥1,000,000 in; building ¥400,000, canteens ¥100,000
    lines = funded(world)
    allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="120000.25", purpose="实践所建设",
        recipient_fund_id=world.funds["town_a"].pk, **voucher("t1"),
    )  # fmt: skip
    allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="30000", purpose="实践站建设",
        recipient_fund_id=world.funds["village_b1"].pk, **voucher("t2"),
    )  # fmt: skip
    spent = line_spending_record(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="9999.75", memo="标识牌",
        **voucher("t3"),
    )  # fmt: skip
    line_spending_record(
        actor=world.keeper, budget_line_id=lines["canteens"].pk, on=DAY, amount="100000", memo="食堂设备",
        **voucher("t4"),
    )  # fmt: skip
    # a reversed spending gives its money back to the line
    wrong = line_spending_record(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="500", memo="误记", **voucher("t5")
    )
    entry_reverse(actor=world.keeper, fund_id=world.county_fund.pk, entry_id=wrong.pk, on=DAY, reason="误记")
    # when
    o = budget_overview(fund=world.county_fund, year=2026)
    # then
    by = {f.code: (f.budget, f.allocated, f.spent, f.left) for f in o.lines}
    assert by == {
        "building": (Decimal("400000.00"), Decimal("150000.25"), Decimal("9999.75"), Decimal("240000.00")),
        "activities": (Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0")),
        "canteens": (Decimal("100000.00"), Decimal("0"), Decimal("100000.00"), Decimal("0.00")),
        "lectures": (Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0")),
        "commendations": (Decimal("0"), Decimal("0"), Decimal("0"), Decimal("0")),
    }
    assert (o.budget, o.allocated, o.spent, o.left) == (
        Decimal("500000.00"),
        Decimal("150000.25"),
        Decimal("109999.75"),
        Decimal("240000.00"),
    )
    assert (o.appropriated, o.bank) == (Decimal("1000000.00"), Decimal("740000.00"))
    assert spent.budget_line_id == lines["building"].pk


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "town_b", "village_a1", "village_b1"])
def test_only_the_keeper_sets_lines_and_records_money(world: FundsWorld, who: str) -> None:
    actor = world.users()[who]
    with pytest.raises(NotFound):
        budget_line_set(actor=actor, year=2026, line="building", amount="1")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        appropriation_record(actor=actor, on=DAY, amount="1", memo="x", **voucher("p"))  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        line_spending_record(actor=actor, budget_line_id=1, on=DAY, amount="1", memo="x", **voucher("p"))  # type: ignore[arg-type]
    assert BudgetLine.objects.count() == 0
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("12.345", "too_many_decimals"),
        ("１２.３４５", "too_many_decimals"),
        ("-5", "not_positive"),
        ("abc", "not_a_number"),
        ("١٢", "not_a_number"),
        ("", "required"),
    ],
)
def test_bad_amounts_are_refused(world: FundsWorld, amount: str, code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        budget_line_set(actor=world.keeper, year=2026, line="building", amount=amount)
    assert caught.value.code == code
    assert BudgetLine.objects.count() == 0


def test_bad_line_year_and_memo_are_refused(world: FundsWorld) -> None:
    with pytest.raises(InvalidInput) as caught:
        budget_line_set(actor=world.keeper, year=2026, line="roads", amount="1")
    assert caught.value.code == "unknown_line"
    with pytest.raises(InvalidInput) as caught:
        budget_line_set(actor=world.keeper, year=1999, line="building", amount="1")
    assert caught.value.code == "bad_year"
    with pytest.raises(InvalidInput) as caught:
        appropriation_record(actor=world.keeper, on=DAY, amount="1", memo="拨\x07款", **voucher("c"))
    assert caught.value.code == "invalid_text"
    assert JournalEntry.objects.count() == 0


def test_budget_overview_takes_four_queries_however_many_movements(
    world: FundsWorld, django_assert_num_queries: object
) -> None:
    lines = funded(world)
    for i in range(6):
        allocation_create(
            actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount=f"{100 + i}", purpose="建设",
            recipient_fund_id=world.funds["village_a1"].pk, **voucher(f"q{i}"),
        )  # fmt: skip
    with django_assert_num_queries(4):  # type: ignore[operator]
        o = budget_overview(fund=world.county_fund, year=2026)
    assert o.allocated == Decimal("615.00")
