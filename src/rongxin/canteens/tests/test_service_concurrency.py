"""Races on PostgreSQL, each caller on its own connection, released together:

- two saves of one canteen's day at once: both are kept as revisions 1 and 2, one current;
- the same save twice at once (a double tap): one revision;
- two canteens saving one elder's lunch on one day at once: one wins, the other is refused;
- two enrolments of one resident at once: one enrolment, the other refused, the count right."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Canteen, Elder, Meal, ServiceDay
from rongxin.canteens.services.elders import elder_enrol
from rongxin.canteens.services.service_days import service_day_record
from rongxin.canteens.tests.service_helpers import (
    TODAY,
    ServiceWorld,
    elder_person,
    enrolled,
    make_canteen,
    service_world,
)
from rongxin.conftest import Tree
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
def svc(transactional_db: Any) -> Iterator[ServiceWorld]:
    """The world, after the departments that an earlier transactional test may have flushed."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    yield from service_world(Tree())


def recording(actor: User, canteen: Canteen, *, eat_in: list[int], walk_ins: int = 0) -> Any:
    def call() -> int:
        me = User.objects.get(pk=actor.pk)  # each "request" loads its own user
        day = service_day_record(
            actor=me, canteen_id=canteen.pk, on=TODAY, eat_in=eat_in, delivered=[], walk_ins=walk_ins
        )
        return day.revision

    return call


def test_two_saves_of_one_day_at_once_append_two_revisions(svc) -> None:
    ids = [s.pk for s in svc.elders]
    results = in_threads(
        [
            recording(svc.manager, svc.canteen, eat_in=ids[:3], walk_ins=1),
            recording(svc.officer, svc.canteen, eat_in=ids[:2], walk_ins=2),
        ],
        workers=2,
    )
    assert sorted(results) == [1, 2]
    rows = list(ServiceDay.objects.order_by("revision").values_list("revision", "current"))
    assert rows == [(1, False), (2, True)]
    current = ServiceDay.objects.get(current=True)
    assert Meal.objects.filter(current=True).count() == current.eat_in
    assert set(Meal.objects.filter(current=True).values_list("day_id", flat=True)) == {current.pk}


def test_a_double_tap_saves_one_revision(svc) -> None:
    ids = [s.pk for s in svc.elders]
    results = in_threads([recording(svc.manager, svc.canteen, eat_in=ids[:4]) for _ in range(4)], workers=4)
    assert results == [1, 1, 1, 1]
    assert ServiceDay.objects.count() == 1
    assert Meal.objects.count() == 4


def test_two_canteens_saving_one_elders_lunch_at_once(svc) -> None:
    # given: 张大爷 still on the A1 canteen's list today (leaving tomorrow) and already on a
    # second canteen's list
    zhang = svc.elders[0]
    Elder.objects.filter(subject=zhang).update(left_on=TODAY + dt.timedelta(days=1))
    second = make_canteen(svc.tree.village_a1, name="东山第二食堂")
    enrolled(second, zhang, on=TODAY)
    # when: both canteens save him at once
    results = in_threads(
        [
            recording(svc.manager, svc.canteen, eat_in=[zhang.pk, svc.elders[1].pk]),
            recording(svc.officer, second, eat_in=[zhang.pk]),
        ],
        workers=2,
    )
    # then: one wins; the other is refused by name and saves nothing
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    refused = next(r for r in results if isinstance(r, Conflict))
    assert refused.code == "claimed_elsewhere"
    assert ServiceDay.objects.count() == 1
    assert Meal.objects.filter(subject=zhang, current=True).count() == 1


def test_two_enrolments_of_one_resident_at_once(svc) -> None:
    person = elder_person(svc.tree.village_a1, "孙奶奶", age=81)
    second = make_canteen(svc.tree.village_a1, name="东山第二食堂")

    def enrolling(canteen: Canteen, actor: User) -> Any:
        def call() -> int:
            return elder_enrol(
                actor=User.objects.get(pk=actor.pk), canteen_id=canteen.pk, subject_id=person.pk, consent_by="self"
            ).pk

        return call

    results = in_threads([enrolling(svc.canteen, svc.manager), enrolling(second, svc.officer)], workers=2)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    assert next(r for r in results if isinstance(r, Conflict)).code == "already_enrolled"
    assert Elder.objects.filter(subject=person).count() == 1
    counts = dict(Canteen.objects.filter(pk__in=[svc.canteen.pk, second.pk]).values_list("pk", "elder_count"))
    mine = Elder.objects.get(subject=person).canteen_id
    assert counts == {svc.canteen.pk: 6 if mine == svc.canteen.pk else 5, second.pk: 1 if mine == second.pk else 0}
