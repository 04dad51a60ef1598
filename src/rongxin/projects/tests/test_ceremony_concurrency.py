"""Races on PostgreSQL, each caller on its own connection, released together: the clock on two
workers and the centre's "launch now" at the same moment launch the ceremony once (one
``ceremony.launch`` row, each draft published once)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.core.models import AuditEvent
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.projects.models import Ceremony, Project
from rongxin.projects.services.ceremonies import ceremonies_launch_due, ceremony_launch
from rongxin.projects.tests.ceremony_helpers import STARTS, ceremony
from rongxin.projects.tests.helpers import NOW, MarketWorld, market_world

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db: Any) -> MarketWorld:
    """The departments the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        return market_world(Tree())


def test_the_clock_on_two_workers_and_the_button_launch_once(world: MarketWorld) -> None:
    # given a ceremony with three drafts in its batch
    with time_machine.travel(NOW, tick=False):
        c = ceremony()
        drafts = [world.project(state=Project.State.DRAFT, ceremony=c) for _ in range(3)]
    centre_pk = world.centre.pk

    def button() -> int:
        return ceremony_launch(actor=User.objects.get(pk=centre_pk), year=2026)

    # when two workers' clocks and two clicks run at once after the start
    with time_machine.travel(STARTS + dt.timedelta(seconds=5), tick=False):
        results = in_threads([ceremonies_launch_due, ceremonies_launch_due, button, button], workers=4)
    # then exactly one of them launched it, publishing the three drafts once
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results[:2]) in ([0, 0], [0, 1]), results
    launched_by_clock = sum(results[:2])
    published_by_button = sorted(results[2:])
    assert (launched_by_clock, published_by_button) in ((1, [0, 0]), (0, [0, 3])), results
    assert AuditEvent.objects.filter(action="ceremony.launch").count() == 1
    assert AuditEvent.objects.filter(action="project.publish").count() == 3
    assert set(Project.objects.filter(pk__in=[d.pk for d in drafts]).values_list("state", flat=True)) == {"published"}
    assert Ceremony.objects.get(pk=c.pk).launched_at == STARTS + dt.timedelta(seconds=5)
