"""Allocations from the county fund: both entries, the balances, the refusals, the canteen cost."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongxin.canteens.models import Canteen, Cost
from rongxin.canteens.tests.donations_helpers import make_canteen
from rongxin.conftest import Tree
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Allocation, Fund, JournalEntry, Voucher
from rongxin.funds.services.allocations import allocation_create
from rongxin.funds.services.books import fund_open, period_close
from rongxin.funds.services.budget import line_spending_record
from rongxin.funds.tests.books_helpers import OPENED, FundsWorld
from rongxin.funds.tests.county_helpers import DAY, balance, bank, funded, voucher
from rongxin.regions.models import Region

pytestmark = pytest.mark.django_db


def test_allocation_to_a_village_posts_both_entries(world: FundsWorld) -> None:
    # given
    lines = funded(world)
    village = world.funds["village_a1"]
    # when
    a = allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="30000.50",
        purpose="东山社区实践站建设", recipient_fund_id=village.pk, **voucher("a"),
    )  # fmt: skip
    # then
    assert (a.amount, a.recipient_fund_id, a.canteen_id, a.budget_line_id) == (
        Decimal("30000.50"), village.pk, None, lines["building"].pk,
    )  # fmt: skip
    assert a.out_entry.fund_id == world.county_fund.pk
    assert (a.out_entry.kind, a.out_entry.budget_line_id) == (JournalEntry.Kind.ALLOCATION, lines["building"].pk)
    assert sorted(a.out_entry.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("-30000.50")),
        ("5201", Decimal("30000.50")),
    ]
    assert a.in_entry is not None
    assert (a.in_entry.fund_id, a.in_entry.kind) == (village.pk, JournalEntry.Kind.TRANSFER_IN)
    assert sorted(a.in_entry.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("30000.50")),
        ("4002", Decimal("-30000.50")),
    ]
    # each fund holds its own copy of the voucher
    assert a.in_entry.voucher.fund_id == village.pk
    assert a.in_entry.voucher.sha256 == a.out_entry.voucher.sha256
    assert bank(world.county_fund) == Decimal("969999.50")
    assert bank(village) == Decimal("30000.50")
    assert balance(village, "4002") == Decimal("30000.50")
    assert AuditEvent.objects.filter(action="allocation.create", object_id=str(a.pk)).count() == 1


def test_allocation_beyond_the_line_is_refused_and_nothing_is_written(world: FundsWorld) -> None:
    lines = funded(world, lines={"activities": "5000.00"})
    with pytest.raises(InvalidInput) as caught:
        allocation_create(
            actor=world.keeper, budget_line_id=lines["activities"].pk, on=DAY, amount="5000.01", purpose="活动",
            recipient_fund_id=world.funds["town_b"].pk, **voucher("x"),
        )  # fmt: skip
    assert caught.value.code == "beyond_line"
    assert Allocation.objects.count() == 0
    assert JournalEntry.objects.exclude(kind="appropriation").count() == 0
    assert Voucher.objects.filter(fund=world.funds["town_b"]).count() == 0


def test_allocation_beyond_the_bank_is_refused(world: FundsWorld) -> None:
    lines = funded(world, money="1000.00", lines={"activities": "5000.00"})
    with pytest.raises(InvalidInput) as caught:
        allocation_create(
            actor=world.keeper, budget_line_id=lines["activities"].pk, on=DAY, amount="1000.01", purpose="活动",
            recipient_fund_id=world.funds["town_b"].pk, **voucher("x"),
        )  # fmt: skip
    assert caught.value.code == "insufficient_funds"
    assert Allocation.objects.count() == 0


def test_allocation_to_a_fund_outside_the_county_is_refused(world: FundsWorld, tree: Tree) -> None:
    # given: a village of another county with its credit fund
    other = Region.objects.create(code="371083000000", prefix="371083", name="乳山市", level="county")
    far = Region.objects.create(code="371083001001", prefix="371083001001", name="远村", level="village", parent=other)
    far_fund = fund_open(actor=None, kind=Fund.Kind.VILLAGE_CREDIT, region=far, name="远村信用基金", opened_on=OPENED)
    lines = funded(world)
    # when / then: another county's fund, the county fund itself, and no such fund look alike
    for target in (far_fund.pk, world.county_fund.pk, 999999):
        with pytest.raises(InvalidInput) as caught:
            allocation_create(
                actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="1", purpose="x",
                recipient_fund_id=target, **voucher("o"),
            )  # fmt: skip
        assert caught.value.code == "unknown_recipient"
    assert Allocation.objects.count() == 0
    assert bank(far_fund) == Decimal("0.00")


def test_allocation_into_a_closed_month_is_refused(world: FundsWorld) -> None:
    # given: the village closed February
    lines = funded(world)
    village = world.funds["village_a2"]
    period_close(actor=world.village_a2, fund_id=village.pk, month=dt.date(2026, 1, 1))
    period_close(actor=world.village_a2, fund_id=village.pk, month=dt.date(2026, 2, 1))
    # when
    with pytest.raises(InvalidInput) as caught:
        allocation_create(
            actor=world.keeper, budget_line_id=lines["building"].pk, on=dt.date(2026, 2, 20), amount="100",
            purpose="x", recipient_fund_id=village.pk, **voucher("c"),
        )  # fmt: skip
    # then: the county's entry is rolled back with the village's
    assert caught.value.code == "period_closed"
    assert Allocation.objects.count() == 0
    assert JournalEntry.objects.filter(kind="allocation").count() == 0
    assert bank(world.county_fund) == Decimal("1000000.00")


def test_double_submit_makes_one_allocation(world: FundsWorld) -> None:
    lines = funded(world)
    data = {
        "actor": world.keeper, "budget_line_id": lines["building"].pk, "on": DAY, "amount": "700",
        "purpose": "实践站", "recipient_fund_id": world.funds["village_b1"].pk, **voucher("d"),
    }  # fmt: skip
    first = allocation_create(**data)
    second = allocation_create(**data)
    assert first.pk == second.pk
    assert Allocation.objects.count() == 1
    assert bank(world.funds["village_b1"]) == Decimal("700.00")


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"amount": "10.001"}, "amount", "too_many_decimals"),
        ({"amount": "0"}, "amount", "not_positive"),
        ({"purpose": "建设\u0000"}, "purpose", "invalid_text"),
        ({"purpose": ""}, "purpose", "required"),
        ({"on": "2026-13-01"}, "on", "bad_date"),
        ({"on": "２０２６-03-02"}, "on", "bad_date"),
        ({"voucher_data": b"not a pdf"}, "voucher", "voucher_type"),
        ({"voucher_data": b""}, "voucher", "voucher_required"),
        ({"budget_line_id": 999999}, "budget_line_id", "unknown_line"),
        ({"canteen_id": 1}, "recipient_fund_id", "one_recipient"),
    ],
)
def test_bad_allocations_are_refused(world: FundsWorld, change: dict[str, object], field: str, code: str) -> None:
    lines = funded(world)
    data: dict[str, object] = {
        "actor": world.keeper, "budget_line_id": lines["building"].pk, "on": DAY, "amount": "700",
        "purpose": "实践站", "recipient_fund_id": world.funds["village_b1"].pk, **voucher("d"),
    }  # fmt: skip
    data.update(change)
    with pytest.raises(InvalidInput) as caught:
        allocation_create(**data)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)
    assert Allocation.objects.count() == 0


def test_oversized_voucher_is_refused(world: FundsWorld, settings: object) -> None:
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 100  # type: ignore[attr-defined]
    lines = funded(world)
    with pytest.raises(InvalidInput) as caught:
        allocation_create(
            actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="1", purpose="x",
            recipient_fund_id=world.funds["village_b1"].pk, voucher_data=b"%PDF-" + b"0" * 200 + b"%%EOF",
            voucher_name="big.pdf",
        )  # fmt: skip
    assert caught.value.code == "voucher_too_large"


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "town_b", "village_a1", "village_b1"])
def test_only_the_keeper_allocates(world: FundsWorld, who: str) -> None:
    lines = funded(world)
    with pytest.raises(NotFound):
        allocation_create(
            actor=world.users()[who], budget_line_id=lines["building"].pk, on=DAY, amount="1",  # type: ignore[arg-type]
            purpose="x", recipient_fund_id=world.funds["village_a1"].pk, **voucher("n"),
        )  # fmt: skip
    assert Allocation.objects.count() == 0
    assert bank(world.funds["village_a1"]) == Decimal("0.00")


def test_allocation_to_a_canteen_posts_the_county_entry_only(world: FundsWorld, tree: Tree) -> None:
    lines = funded(world)
    canteen = make_canteen(tree)
    a = allocation_create(
        actor=world.keeper, budget_line_id=lines["canteens"].pk, on=DAY, amount="20000", purpose="暖心食堂建设补助",
        canteen_id=canteen.pk, **voucher("k"),
    )  # fmt: skip
    assert (a.canteen_id, a.recipient_fund_id, a.in_entry_id) == (canteen.pk, None, None)
    assert balance(world.county_fund, "5203") == Decimal("20000.00")
    # the keeper does not manage canteens: the canteen's own cost record is left to the canteens office
    assert Cost.objects.count() == 0
    assert AuditEvent.objects.get(action="allocation.create").details["canteen_cost"] is None


def test_allocation_to_a_closed_canteen_is_refused(world: FundsWorld, tree: Tree) -> None:
    lines = funded(world)
    canteen = make_canteen(tree, status=Canteen.Status.CLOSED)
    with pytest.raises(InvalidInput) as caught:
        allocation_create(
            actor=world.keeper, budget_line_id=lines["canteens"].pk, on=DAY, amount="1", purpose="x",
            canteen_id=canteen.pk, **voucher("k"),
        )  # fmt: skip
    assert caught.value.code == "canteen_closed"


RECIPIENTS = ["town_a", "town_b", "village_a1", "village_a2", "village_b1", "village_b2"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(
            st.sampled_from(["alloc", "spend"]),
            st.sampled_from(RECIPIENTS),
            st.decimals(min_value=Decimal("0.01"), max_value=Decimal("90000"), places=2),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_county_bank_plus_transfers_equal_appropriations_less_spending(world: FundsWorld, moves: list) -> None:
    # given
    from rongxin.funds.models import Allocation as A
    from rongxin.funds.models import BudgetLine, JournalLine

    JournalLine.objects.filter(entry__fund__in=[world.county_fund, *world.funds.values()]).delete()
    A.objects.all().delete()
    JournalEntry.objects.all().delete()
    BudgetLine.objects.all().delete()
    Voucher.objects.all().delete()
    Fund.objects.update(entry_count=0, chain_head="")
    from rongxin.funds.models import Account

    Account.objects.update(balance=0)
    lines = funded(world, money="300000.00", lines={"building": "250000.00"})
    spent = Decimal("0.00")
    # when
    for i, (what, to, amount) in enumerate(moves):
        try:
            if what == "alloc":
                allocation_create(
                    actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount=amount, purpose="建设",
                    recipient_fund_id=world.funds[to].pk, **voucher(f"m{i}"),
                )  # fmt: skip
            else:
                line_spending_record(
                    actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount=amount, memo="支出",
                    **voucher(f"m{i}"),
                )  # fmt: skip
                spent += amount
        except InvalidInput as exc:
            assert exc.code == "beyond_line"
    # then
    transfers = sum((balance(world.funds[k], "4002") for k in RECIPIENTS), Decimal("0.00"))
    assert bank(world.county_fund) + transfers == Decimal("300000.00") - spent
    assert transfers == sum((a.amount for a in A.objects.all()), Decimal("0.00"))
    assert transfers + spent <= Decimal("250000.00")
