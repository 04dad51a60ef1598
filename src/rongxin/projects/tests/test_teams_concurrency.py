"""Two publishers pick two teams for one project at the same moment (PostgreSQL row locks)."""

from __future__ import annotations

import importlib
import threading
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.core.errors import Conflict
from rongxin.projects.models import Project, TeamApplication
from rongxin.projects.services.teams import application_create, application_pick
from rongxin.projects.tests.helpers import NOW, MarketWorld, market_world

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

PLAN = "每月第一个周六上门助浴。"


@pytest.fixture
def race_world(transactional_db: Any) -> MarketWorld:
    """What the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)
    with time_machine.travel(NOW, tick=False):
        return market_world(Tree())


def test_two_picks_at_once_one_wins(race_world: MarketWorld) -> None:
    # given
    world = race_world
    with time_machine.travel(NOW, tick=False):
        project = world.project()
        a = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
        b = application_create(actor=world.leader_b, project_id=project.pk, team_id=world.team_b.pk, plan=PLAN)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def pick(actor: User, app_id: int) -> None:
        barrier.wait()
        try:
            application_pick(actor=actor, application_id=app_id)
            outcomes.append("picked")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=pick, args=(world.town_a, a.pk)),
        threading.Thread(target=pick, args=(world.centre, b.pk)),
    ]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then
    assert sorted(outcomes) == ["picked", "team_picked"]
    picked = TeamApplication.objects.get(project=project, state="picked")
    assert TeamApplication.objects.filter(project=project, state="declined").count() == 1
    assert Project.objects.get(pk=project.pk).team_id == picked.team_id
