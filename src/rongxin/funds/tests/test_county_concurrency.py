"""Races on PostgreSQL, each caller on its own connection, released together:

- two allocations at once that together exceed the line's budget: exactly one succeeds, the
  other is refused ``beyond_line``, and the line never passes its budget;
- the same allocation submitted four times at once (a double tap): one allocation.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.core.errors import InvalidInput
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.funds.models import Allocation
from rongxin.funds.services.allocations import allocation_create
from rongxin.funds.tests.books_helpers import NOW, FundsWorld, fund_world
from rongxin.funds.tests.county_helpers import DAY, balance, bank, funded, voucher

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def race_world(transactional_db: Any) -> FundsWorld:
    """The departments the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        return fund_world(Tree())


def _allocate(keeper_pk: int, line_id: int, fund_id: int, tag: str, amount: str) -> Any:
    def call() -> Allocation:
        return allocation_create(
            actor=User.objects.get(pk=keeper_pk), budget_line_id=line_id, on=DAY, amount=amount, purpose="实践站建设",
            recipient_fund_id=fund_id, **voucher(tag),
        )  # fmt: skip

    return call


def test_two_allocations_at_once_never_pass_the_line(race_world: FundsWorld) -> None:
    # given: a line of ¥10,000; two allocations of ¥6,000 to two villages
    world = race_world
    with time_machine.travel(NOW, tick=False):
        lines = funded(world, lines={"building": "10000.00"})
        line_id = lines["building"].pk
        a1, b1 = world.funds["village_a1"], world.funds["village_b1"]
        # when
        results = in_threads(
            [
                _allocate(world.keeper.pk, line_id, a1.pk, "r1", "6000.00"),
                _allocate(world.keeper.pk, line_id, b1.pk, "r2", "6000.00"),
            ],
            workers=2,
        )
    # then
    made = [r for r in results if isinstance(r, Allocation)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert (len(made), [r.code for r in refused]) == (1, ["beyond_line"])
    assert Allocation.objects.count() == 1
    assert balance(world.county_fund, "5201") == Decimal("6000.00")
    assert bank(world.county_fund) == Decimal("994000.00")
    assert bank(a1) + bank(b1) == Decimal("6000.00")


def test_the_same_allocation_four_times_at_once_is_one(race_world: FundsWorld) -> None:
    world = race_world
    with time_machine.travel(NOW, tick=False):
        lines = funded(world)
        call = _allocate(world.keeper.pk, lines["building"].pk, world.funds["town_a"].pk, "same", "700.00")
        results = in_threads([call] * 4, workers=4)
    assert {r.pk for r in results if isinstance(r, Allocation)} == {Allocation.objects.get().pk}
    assert bank(world.funds["town_a"]) == Decimal("700.00")
