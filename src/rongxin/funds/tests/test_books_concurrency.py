"""Races on PostgreSQL, each caller on its own connection, released together:

- two spendings at once that together exceed what the bank holds: exactly one is posted, the
  other refused, and the bank never goes below zero;
- the same income sent four times at once (a double tap, a retried request): one entry.
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
from rongxin.funds.models import JournalEntry
from rongxin.funds.services.verify import funds_verify
from rongxin.funds.tests.books_helpers import NOW, FundsWorld, fund_world
from rongxin.funds.tests.books_staff_helpers import balance, income, spend

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db: Any) -> FundsWorld:
    """The departments the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        return fund_world(Tree())


def test_two_spendings_that_together_exceed_the_bank_post_one(world: FundsWorld) -> None:
    # given
    fund = world.funds["village_a1"]
    keeper_pk = world.village_a1.pk
    with time_machine.travel(NOW, tick=False):
        income(world.village_a1, fund, "100.00")

    def paying(tag: str) -> Any:
        def call() -> Any:
            me = User.objects.get(pk=keeper_pk)  # each "request" loads its own user
            return spend(me, fund, "60.00", tag=tag, kind="reward")

        return call

    # when
    with time_machine.travel(NOW, tick=False):
        results = in_threads([paying("a"), paying("b")], workers=2)
    # then
    posted = [r for r in results if isinstance(r, JournalEntry)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert (len(posted), len(refused)) == (1, 1), results
    assert refused[0].code == "insufficient_funds"
    assert balance(fund, "1001") == Decimal("40.00")
    assert JournalEntry.objects.filter(fund=fund).count() == 2
    assert funds_verify().problems == []


def test_the_same_income_four_times_at_once_is_one_entry(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    keeper_pk = world.village_a1.pk

    def sending() -> Any:
        me = User.objects.get(pk=keeper_pk)
        return income(me, fund, "250.00", tag="same").pk

    with time_machine.travel(NOW, tick=False):
        results = in_threads([sending for _ in range(4)], workers=4)
    assert len(set(results)) == 1, results
    assert JournalEntry.objects.filter(fund=fund).count() == 1
    assert balance(fund, "1001") == Decimal("250.00")
