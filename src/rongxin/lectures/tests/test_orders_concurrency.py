"""Races on PostgreSQL, each caller on its own connection, released together:

- The two leaders of a team accept the same order at the same moment: one wins, the other is
  refused as a second accept is (409), and the history has one acceptance.
- Five rating requests of the orderer at once: one rating, the others 409.
- An accept and a decline at once: exactly one of them happens."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import GrantSpec, grant_add
from rongxin.core import clock
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.lectures.models import Order, OrderEvent
from rongxin.lectures.services.orders import order_accept, order_decline, order_dispatch, order_rate
from rongxin.lectures.tests.conftest import LectureWorld, resident_user
from rongxin.lectures.tests.test_orders_services import hold, new_order
from rongxin.volunteering.services import volunteer_register
from rongxin.volunteering.services.people import leader_set, membership_apply, membership_decide

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def seeded(transactional_db: Any) -> None:
    """The rows that migrations seed (departments, activity types), which an earlier
    transactional test may have flushed."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    publicity = importlib.import_module("rongxin.lectures.migrations.0002_publicity_department")
    Department.objects.get_or_create(code=publicity.PUBLICITY[0], defaults={"name": publicity.PUBLICITY[1]})
    from django.apps import apps

    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)


def second_leader(lect: LectureWorld) -> User:
    user, _subject = resident_user("team_leader_2", lect.tree.village_a2, birth="19850101")
    grant_add(actor=None, user=user, spec=GrantSpec(role=Role.TEAM_LEADER, region=lect.tree.town_a))
    volunteer = volunteer_register(actor=user, agree=True)
    membership_decide(
        actor=lect.town_a, membership_id=membership_apply(actor=user, team_id=lect.team.pk).pk, accept=True
    )
    leader_set(actor=lect.town_a, team_id=lect.team.pk, volunteer_number=volunteer.number)
    return user


def fresh_order(lect: LectureWorld) -> Order:
    today = clock.today_local()
    return new_order(lect, preferred_from=today + dt.timedelta(days=1), preferred_to=today + dt.timedelta(days=10))


def as_user(pk: int, call: Any) -> Any:
    def run() -> Any:
        return call(User.objects.get(pk=pk))  # each "request" loads its own user

    return run


def test_two_leaders_accept_at_once_and_one_wins(lect: LectureWorld) -> None:
    other = second_leader(lect)
    order = fresh_order(lect)
    order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)
    results = in_threads(
        [as_user(u.pk, lambda actor: order_accept(actor=actor, order_id=order.pk)) for u in (lect.team_leader, other)],
        workers=2,
    )
    wins = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(wins), len(refused)) == (1, 1), results
    assert refused[0].code == "order_state"
    assert Order.objects.get(pk=order.pk).state == "accepted"
    assert OrderEvent.objects.filter(order=order, action="accept").count() == 1


def test_an_accept_and_a_decline_at_once_one_happens(lect: LectureWorld) -> None:
    other = second_leader(lect)
    order = fresh_order(lect)
    order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)
    results = in_threads(
        [
            as_user(lect.team_leader.pk, lambda actor: order_accept(actor=actor, order_id=order.pk)),
            as_user(other.pk, lambda actor: order_decline(actor=actor, order_id=order.pk, reason="没空")),
        ],
        workers=2,
    )
    assert sum(isinstance(r, Order) for r in results) == 1, results
    events = list(OrderEvent.objects.filter(order=order).order_by("id").values_list("action", flat=True))
    assert events[:2] == ["create", "dispatch"]
    assert len(events) == 3
    assert Order.objects.get(pk=order.pk).state == {"accept": "accepted", "decline": "ordered"}[events[2]]


def test_five_ratings_at_once_make_one(lect: LectureWorld) -> None:
    order = fresh_order(lect)
    order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    hold(order.pk)
    results = in_threads(
        [
            as_user(
                lect.village_a1.pk, lambda actor, n=n: order_rate(actor=actor, order_id=order.pk, rating=n, comment="")
            )
            for n in range(1, 6)
        ],
        workers=5,
    )
    assert sum(isinstance(r, Order) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 4
    assert OrderEvent.objects.filter(order=order, action="rate").count() == 1
