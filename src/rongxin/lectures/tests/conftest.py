"""A small lecture world: the starter catalogues, a lecture administrator of the publicity
department, officers, a lecture team with a leader, a head with a quota and a county leader,
each speaker with their own account and credit file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import GrantSpec, grant_add
from rongxin.conftest import Tree, link, make_id_number, make_organisation, make_person, make_user
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.lectures.models import Speaker, TeamBrand
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team
from rongxin.volunteering.services import team_create, volunteer_register
from rongxin.volunteering.services.people import leader_set, membership_apply, membership_decide

START = "2026-03-01 10:00 +0800"
TZ = clock.LOCAL_TZ


def at(text: str) -> dt.datetime:
    """``"2026-03-02 09:00"`` in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def resident_user(
    username: str, village: Any, *, consent: bool = True, birth: str = "19900101"
) -> tuple[User, Subject]:
    """An account linked to its own consenting person's credit file."""
    user = make_user(username)
    person = make_person(village, name=username, id_number=make_id_number(birth=birth), consent=consent)
    link(user, person.subject)
    return user, person.subject


@dataclass
class LectureWorld:
    tree: Tree
    admin: User  # publicity department, county: the lecture administrator
    town_a: User
    town_b: User
    village_a1: User
    village_b1: User
    auditor: User
    team: Team  # a town-and-village lecture team in town A
    team_leader: User
    head: Speaker  # head of town A with the bimonthly quota
    head_user: User
    leader: Speaker  # a county leader (adoption links)
    leader_user: User
    enterprise: Subject


@pytest.fixture
def lect(tree: Tree) -> LectureWorld:
    catalogue_load_starters(actor=None)
    publicity = Department.objects.get(code="publicity")
    admin = make_user("publicity", Role.DEPARTMENT_RECORDER, tree.county, department=publicity)
    town_a = make_user("town_a", Role.TOWN_OFFICER, tree.town_a)
    town_b = make_user("town_b", Role.TOWN_OFFICER, tree.town_b)
    village_a1 = make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1)
    village_b1 = make_user("village_b1", Role.VILLAGE_OFFICER, tree.village_b1)
    auditor = make_user("auditor", Role.AUDITOR, tree.county)
    team = team_create(
        actor=town_a, name="崖头百姓名嘴宣讲队", tier="town_village", kind="lecture", region_code=tree.town_a.code
    )
    TeamBrand.objects.create(team=team, brand="百姓名嘴", audience="村民", created_at=clock.now())
    team_leader, _leader_subject = resident_user("team_leader", tree.village_a1)
    grant_add(actor=None, user=team_leader, spec=GrantSpec(role=Role.TEAM_LEADER, region=tree.town_a))
    volunteer = volunteer_register(actor=team_leader, agree=True, skills=["lecturing"])
    membership = membership_apply(actor=team_leader, team_id=team.pk)
    membership_decide(actor=town_a, membership_id=membership.pk, accept=True)
    leader_set(actor=town_a, team_id=team.pk, volunteer_number=volunteer.number)
    head_user, head_subject = resident_user("head_a", tree.village_a2, birth="19750101")
    grant_add(actor=None, user=head_user, spec=GrantSpec(role=Role.LECTURER, region=tree.town_a))
    head = Speaker.objects.create(
        kind=Speaker.Kind.HEAD,
        name="王镇长",
        position="崖头街道办事处主任",
        subject=head_subject,
        user=head_user,
        area=tree.town_a,
        quota_since=dt.date(2026, 1, 1),
        created_at=clock.now(),
    )
    leader_user, leader_subject = resident_user("leader", tree.village_b2, birth="19700101")
    grant_add(actor=None, user=leader_user, spec=GrantSpec(role=Role.LECTURER, region=tree.county))
    leader = Speaker.objects.create(
        kind=Speaker.Kind.LEADER,
        name="李副市长",
        position="副县长",
        subject=leader_subject,
        user=leader_user,
        area=tree.county,
        created_at=clock.now(),
    )
    enterprise = make_organisation(tree.village_b1).subject
    return LectureWorld(
        tree=tree,
        admin=admin,
        town_a=town_a,
        town_b=town_b,
        village_a1=village_a1,
        village_b1=village_b1,
        auditor=auditor,
        team=team,
        team_leader=team_leader,
        head=head,
        head_user=head_user,
        leader=leader,
        leader_user=leader_user,
        enterprise=enterprise,
    )
