"""Races on PostgreSQL, each caller on its own connection, released together:

- two sponsors claim the same open wish at once: exactly one claim, the other is refused
  「该心愿已被认领」 (``claimed``);
- a resident submits four different wishes at once with room for three: three are posted, the
  fourth is refused ``too_many_wishes``.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.projects.models import Wish
from rongxin.projects.services.wishes import wish_claim, wish_post
from rongxin.projects.tests.helpers import NOW, MarketWorld, market_world

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def race_world(transactional_db: Any) -> MarketWorld:
    """The departments the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        return market_world(Tree())


def _claim(user_pk: int, wish_id: int, subject_id: int) -> Any:
    def call() -> Wish:
        actor = User.objects.get(pk=user_pk)  # each "request" loads its own user
        return wish_claim(actor=actor, wish_id=wish_id, claimant_subject_id=subject_id, anonymous=False)

    return call


def test_two_claims_at_once_give_one_claimant(race_world: MarketWorld) -> None:
    world = race_world
    with time_machine.travel(NOW, tick=False):
        wish = wish_post(actor=world.resident, title="书包", story="上学用", category="study", ceiling="300").wish
        results = in_threads(
            [
                _claim(world.firm_rep.pk, wish.pk, world.firm.pk),
                _claim(world.other_rep.pk, wish.pk, world.other_firm.pk),
            ],
            workers=2,
        )
    won = [r for r in results if isinstance(r, Wish)]
    refused = [r for r in results if isinstance(r, Conflict)]
    with translation.override("zh-hans"):
        assert (len(won), [(r.code, str(r.message)) for r in refused]) == (1, [("claimed", "该心愿已被认领")])
    assert Wish.objects.get().claimant_id == won[0].claimant_id


def test_four_posts_at_once_respect_the_cap_of_three(race_world: MarketWorld) -> None:
    world = race_world

    def posting(i: int) -> Any:
        def call() -> Any:
            return wish_post(
                actor=User.objects.get(pk=world.resident.pk),
                title=f"心愿{i}",
                story="想要",
                category="daily",
                ceiling="50",
            )

        return call

    with time_machine.travel(NOW, tick=False):
        results = in_threads([posting(i) for i in range(4)], workers=4)
    refused = [r for r in results if isinstance(r, Conflict)]
    assert ([r.code for r in refused], Wish.objects.count()) == (["too_many_wishes"], 3)
    assert sorted(Wish.objects.values_list("number", flat=True)) == ["XY2026-0001", "XY2026-0002", "XY2026-0003"]
