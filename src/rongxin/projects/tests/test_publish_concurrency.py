"""Races on PostgreSQL, each caller on its own connection, released together:

- the same project sent four times at once (a double tap, a retried request): one draft;
- four publishers creating at once: four drafts under four numbers, each with its accounts.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.funds.models import Account
from rongxin.projects.models import Project
from rongxin.projects.services.projects import project_create
from rongxin.projects.tests.helpers import NOW, MarketWorld, market_world
from rongxin.projects.tests.publish_helpers import facts

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db: Any) -> MarketWorld:
    """The rows the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        return market_world(Tree())


def _creating(user_pk: int, **kw: Any) -> Any:
    def call() -> Any:
        me = User.objects.get(pk=user_pk)  # each "request" loads its own user
        with time_machine.travel(NOW, tick=False):
            return project_create(actor=me, **kw).pk

    return call


def test_the_same_project_four_times_at_once_is_one_draft(world: MarketWorld) -> None:
    # when
    results = in_threads([_creating(world.town_a.pk, **facts(world)) for _ in range(4)], workers=4)
    # then
    assert len(set(results)) == 1, results
    assert Project.objects.count() == 1


def test_four_publishers_at_once_get_four_numbers(world: MarketWorld) -> None:
    # given
    t = world.tree
    calls = [
        _creating(world.town_a.pk, **facts(world)),
        _creating(world.town_b.pk, **facts(world, region_code=t.village_b1.code)),
        _creating(world.centre.pk, **facts(world, region_code=t.county.code)),
        _creating(world.village_a1.pk, **facts(world)),
    ]
    # when
    results = in_threads(calls, workers=4)
    # then
    assert all(isinstance(r, int) for r in results), results
    numbers = sorted(Project.objects.values_list("number", flat=True))
    assert numbers == ["XM2026-0001", "XM2026-0002", "XM2026-0003", "XM2026-0004"]
    assert Account.objects.filter(fund=world.fund, code__startswith="41").count() == 4
