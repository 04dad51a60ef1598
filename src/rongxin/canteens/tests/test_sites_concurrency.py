"""Races on canteens, on PostgreSQL, each caller on its own connection, released together:

- A form submitted five times at once adds one canteen; the others get a clear conflict.
- Five status changes from open to paused at once: one change, four clear conflicts (the
  canteen's row lock orders them; the later ones see a paused canteen).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Canteen, CanteenEvent
from rongxin.canteens.services.sites import canteen_create, canteen_status_change
from rongxin.conftest import Tree, make_user
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def setup(transactional_db: Any) -> tuple[int, str]:
    """A canteen administrator and a village (departments seeded again: a transactional test
    empties every table when it ends)."""
    civil, _ = Department.objects.get_or_create(code="civil_affairs", defaults={"name": "民政局"})
    tree = Tree()
    admin = make_user("civil_affairs", Role.DEPARTMENT_RECORDER, tree.county, department=civil)
    return admin.pk, tree.village_a1.code


def test_a_double_submit_adds_one_canteen(setup: tuple[int, str]) -> None:
    # given
    admin_pk, village = setup

    def adding() -> Any:
        return canteen_create(
            actor=User.objects.get(pk=admin_pk),
            village_code=village,
            name="东山暖心食堂",
            operator="committee",
            seats=30,
            meal_weekdays=[0, 1, 2, 3, 4],
        ).pk

    # when
    results = in_threads([adding for _ in range(5)], workers=5)
    # then
    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(made), len(refused)) == (1, 4)
    assert {r.code for r in refused} == {"duplicate_canteen"}
    assert Canteen.objects.count() == 1


def test_parallel_pauses_make_one_change(setup: tuple[int, str]) -> None:
    # given
    admin_pk, village = setup
    canteen = canteen_create(
        actor=User.objects.get(pk=admin_pk),
        village_code=village,
        name="东山暖心食堂",
        operator="committee",
        seats=30,
        meal_weekdays=[0, 1, 2, 3, 4],
        status="open",
        opened_on=dt.date(2026, 1, 5),
    )

    def pausing() -> Any:
        return canteen_status_change(actor=User.objects.get(pk=admin_pk), canteen_id=canteen.pk, status="paused").pk

    # when
    results = in_threads([pausing for _ in range(5)], workers=5)
    # then
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert {r.code for r in results if isinstance(r, Conflict)} == {"status_transition"}
    assert list(CanteenEvent.objects.filter(canteen=canteen).values_list("status", flat=True)) == ["open", "paused"]
