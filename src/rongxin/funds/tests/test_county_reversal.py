"""Reversing an allocation as a pair: both funds' entries, the line gets its money back."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Allocation, JournalEntry
from rongxin.funds.selectors.budget import budget_overview
from rongxin.funds.services.allocations import allocation_create, allocation_reverse
from rongxin.funds.services.books import LineIn, entry_post
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.county_helpers import DAY, balance, bank, funded, voucher

pytestmark = pytest.mark.django_db

LATER = dt.date(2026, 4, 10)


def _allocated(world: FundsWorld, amount: str = "30000") -> Allocation:
    lines = funded(world)
    return allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount=amount, purpose="实践站建设",
        recipient_fund_id=world.funds["village_a1"].pk, **voucher("r"),
    )  # fmt: skip


def test_reversal_undoes_both_sides_and_frees_the_line(world: FundsWorld) -> None:
    # given
    a = _allocated(world)
    # when
    allocation_reverse(actor=world.keeper, allocation_id=a.pk, on=LATER, reason="重复拨付")
    # then
    assert bank(world.county_fund) == Decimal("1000000.00")
    assert bank(world.funds["village_a1"]) == Decimal("0.00")
    assert balance(world.funds["village_a1"], "4002") == Decimal("0.00")
    reversals = JournalEntry.objects.filter(kind="reversal").order_by("fund_id")
    assert [(e.fund_id, e.reverses_id) for e in reversals] == [
        (world.county_fund.pk, a.out_entry_id),
        (world.funds["village_a1"].pk, a.in_entry_id),
    ]
    building = next(f for f in budget_overview(fund=world.county_fund, year=2026).lines if f.code == "building")
    assert (building.allocated, building.left) == (Decimal("0.00"), Decimal("400000.00"))
    assert AuditEvent.objects.filter(action="allocation.reverse", object_id=str(a.pk)).count() == 1


def test_a_second_reversal_is_a_conflict(world: FundsWorld) -> None:
    a = _allocated(world)
    allocation_reverse(actor=world.keeper, allocation_id=a.pk, on=LATER, reason="重复拨付")
    with pytest.raises(Conflict) as caught:
        allocation_reverse(actor=world.keeper, allocation_id=a.pk, on=LATER, reason="重复拨付")
    assert caught.value.code == "already_reversed"
    assert JournalEntry.objects.filter(kind="reversal").count() == 2


def test_money_already_spent_by_the_village_cannot_be_taken_back(world: FundsWorld) -> None:
    # given: the village spent most of the transfer
    a = _allocated(world, amount="1000")
    village = world.funds["village_a1"]
    entry_post(
        actor=world.village_a1, fund_id=village.pk, kind="award", on=DAY, memo="表彰奖金",
        voucher=world.voucher(village, "aw"), lines=[LineIn("5101", Decimal("600")), LineIn("1001", Decimal("-600"))],
    )  # fmt: skip
    # when
    with pytest.raises(InvalidInput) as caught:
        allocation_reverse(actor=world.keeper, allocation_id=a.pk, on=LATER, reason="撤回")
    # then: neither side is reversed
    assert caught.value.code == "insufficient_funds"
    assert JournalEntry.objects.filter(kind="reversal").count() == 0
    assert bank(world.county_fund) == Decimal("999000.00")


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "village_a1"])
def test_only_the_keeper_reverses(world: FundsWorld, who: str) -> None:
    a = _allocated(world)
    with pytest.raises(NotFound):
        allocation_reverse(actor=world.users()[who], allocation_id=a.pk, on=LATER, reason="x")  # type: ignore[arg-type]
    assert JournalEntry.objects.filter(kind="reversal").count() == 0


def test_reversal_over_the_page_and_the_api(world: FundsWorld) -> None:
    a = _allocated(world)
    c = Client()
    c.force_login(world.keeper)
    r = c.post(f"/funds/county/2026/allocations/{a.pk}/reverse/", {"on": "2026-04-10", "reason": "重复拨付"})
    assert r.status_code == 302
    page = c.get("/funds/county/2026/")
    assert [rev for _a, _amount, rev in page.context["allocations"]] == [True]
    again = c.post(
        f"/api/v1/funds/county/allocations/{a.pk}/reverse",
        {"on": "2026-04-11", "reason": "再次"},
        content_type="application/json",
    )
    assert (again.status_code, again.json()["code"]) == (409, "already_reversed")
    listed = c.get("/api/v1/funds/county/2026/allocations").json()
    assert [x["reversed"] for x in listed["items"]] == [True]
