"""Races on PostgreSQL, each caller on its own connection, released together:

- eight submits of the same donation at the same moment (a double tap, a resent form): one
  donation, one credit entry, the score raised once;
- five uses of 20 kg of rice at once when 50 kg were received: two are recorded, three refused,
  and the stock never goes below zero.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Donation, StockUse
from rongxin.canteens.services.donations import donation_record, stock_use_record
from rongxin.canteens.tests.donations_helpers import START, DonationWorld, donation_world, money, rice
from rongxin.conftest import Tree
from rongxin.core.errors import InvalidInput
from rongxin.credit.models import Entry, SubjectCredit
from rongxin.credit.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db: Any) -> DonationWorld:
    """The departments the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(START, tick=False):
        return donation_world(Tree())


def test_eight_submits_at_once_make_one_donation_and_one_award(world: DonationWorld) -> None:
    # given
    manager_pk = world.users["manager_a1"].pk
    data = money(donor_name="王大海", donor_identifier=world.giver_id_number, value="700")
    before = (
        SubjectCredit.objects.get(subject=world.giver).score
        if SubjectCredit.objects.filter(subject=world.giver).exists()
        else 1000
    )
    # when
    with time_machine.travel(START, tick=False):
        results = in_threads(
            [
                lambda: (
                    donation_record(actor=User.objects.get(pk=manager_pk), canteen_id=world.canteen.pk, **data).created
                )
            ]
            * 8,
            workers=8,
        )
    # then
    assert sorted(results) == [False] * 7 + [True]
    assert Donation.objects.count() == 1
    assert Entry.objects.filter(subject=world.giver, source="canteen").count() == 1
    assert SubjectCredit.objects.get(subject=world.giver).score == before + 7


def test_five_uses_at_once_never_use_more_than_was_received(world: DonationWorld) -> None:
    # given
    manager_pk = world.users["manager_a1"].pk
    with time_machine.travel(START, tick=False):
        donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice())
        # when
        results = in_threads(
            [
                lambda: (
                    stock_use_record(
                        actor=User.objects.get(pk=manager_pk),
                        canteen_id=world.canteen.pk,
                        item="大米",
                        quantity="20",
                        unit="公斤",
                        used_on="2026-03-10",
                    ).pk
                )
            ]
            * 5,
            workers=5,
        )
    # then
    assert len([r for r in results if isinstance(r, int)]) == 2
    assert sorted(r.code for r in results if isinstance(r, InvalidInput)) == ["more_than_received"] * 3
    assert StockUse.objects.count() == 2
