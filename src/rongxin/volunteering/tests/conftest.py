"""A small volunteering world: the starter catalogues, a town team with a leader, volunteers
with their own accounts, and a published activity tomorrow morning."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.apps import apps

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.volunteering.models import Activity, Membership, Team, Volunteer
from rongxin.volunteering.services import (
    ActivityInput,
    activity_create,
    activity_publish,
    membership_apply,
    membership_decide,
    team_create,
    volunteer_register,
)
from rongxin.volunteering.services.people import leader_set

START = "2026-03-01 10:00 +0800"
TZ = clock.LOCAL_TZ


def at(text: str) -> dt.datetime:
    """``"2026-03-02 09:00"`` in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def volunteer_user(
    username: str, village: Any, *, consent: bool = True, birth: str = "19900101"
) -> tuple[User, Volunteer]:
    user = make_user(username)
    person = make_person(village, name=username, id_number=make_id_number(birth=birth), consent=consent)
    link(user, person.subject)
    return user, volunteer_register(actor=user, agree=True, skills=["cooking"])


@dataclass
class World:
    tree: Tree
    office: User
    town_a: User
    leader: User
    leader_volunteer: Volunteer
    team: Team
    users: list[User] = field(default_factory=list)
    volunteers: list[Volunteer] = field(default_factory=list)

    def activity(self, **overrides: Any) -> Activity:
        data = ActivityInput(
            type_code=overrides.pop("type_code", "elderly_care"),
            title=overrides.pop("title", "敬老院陪伴"),
            region_code=overrides.pop("region_code", self.tree.village_a1.code),
            place=overrides.pop("place", "东山社区敬老院"),
            starts_at=overrides.pop("starts_at", at("2026-03-02 09:00")),
            ends_at=overrides.pop("ends_at", at("2026-03-02 12:00")),
            capacity=overrides.pop("capacity", 10),
            **overrides,
        )
        a = activity_create(actor=self.leader, team_id=self.team.pk, data=data)
        return activity_publish(actor=self.leader, activity_id=a.pk)


@pytest.fixture
def world(tree: Tree, frozen: Any) -> World:
    catalogue_load_starters()
    office = make_user("office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    town_a = make_user("town_a", Role.TOWN_OFFICER, tree.town_a)
    team = team_create(
        actor=town_a, name="东山社区志愿服务队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
        region_code=tree.town_a.code,
    )  # fmt: skip
    leader = make_user("leader", Role.TEAM_LEADER, tree.town_a)
    person = make_person(tree.village_a1, name="队长", id_number=make_id_number(birth="19800101"), consent=True)
    link(leader, person.subject)
    leader_volunteer = volunteer_register(actor=leader, agree=True)
    m = membership_apply(actor=leader, team_id=team.pk)
    membership_decide(actor=town_a, membership_id=m.pk, accept=True)
    leader_set(actor=town_a, team_id=team.pk, volunteer_number=leader_volunteer.number)
    w = World(tree=tree, office=office, town_a=town_a, leader=leader, leader_volunteer=leader_volunteer, team=team)
    for i in range(3):
        user, v = volunteer_user(f"v{i}", tree.village_a1, birth=f"19{70 + i}0101")
        w.users.append(user)
        w.volunteers.append(v)
    assert Membership.objects.filter(team=team, role="leader").count() == 1
    return w


@pytest.fixture
def migration_rows(transactional_db: Any) -> None:
    """The rows that migrations seed (departments, activity types, the conversion policy),
    again: a transactional test empties every table when it ends."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)
