"""A small canteen world for the cooks, rota, clinic and pre-meal tests: a canteen in village A1
with its venue and cook team, its village officer, a canteen manager who leads the cook team,
cooks with their own accounts, a second canteen in village B1, and the officers of both towns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.accounts.services import GrantSpec, grant_add
from rongxin.canteens.models import Canteen, HealthCertificate
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.regions.models import Region, Venue
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team, Volunteer
from rongxin.volunteering.services import team_create, volunteer_register
from rongxin.volunteering.services.people import leader_set, membership_apply, membership_decide

# A Monday morning in Beijing: 2026-03-02 is a Monday.
START = "2026-03-02 08:00 +0800"
TZ = clock.LOCAL_TZ


def at(text: str) -> dt.datetime:
    """``"2026-03-02 09:00"`` in Beijing time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def person_user(username: str, village: Region, *, birth: str = "19700101") -> tuple[User, Subject]:
    user = make_user(username)
    person = make_person(village, name=username, id_number=make_id_number(birth=birth), consent=True)
    link(user, person.subject)
    return user, person.subject


def make_canteen(tree: Tree, village: Region, officer: User, *, name: str) -> Canteen:
    venue = Venue.objects.create(
        region=village,
        kind=Venue.Kind.CANTEEN,
        name=f"{name}餐厅",
        latitude=Decimal("37.160000"),
        longitude=Decimal("122.420000"),
    )
    team = team_create(
        actor=officer, name=f"{name}巧厨娘志愿服务队", tier="town_village", kind="canteen", region_code=village.code
    )
    assert village.parent is not None
    return Canteen.objects.create(
        name=name,
        village=village,
        town=village.parent,
        venue=venue,
        operator=Canteen.Operator.VILLAGE_COMMITTEE,
        status=Canteen.Status.OPEN,
        seats=40,
        meal_weekdays=[0, 1, 2, 3, 4],
        team=team,
        created_at=clock.now(),
    )


def join(user: User, team: Team, decider: User) -> Volunteer:
    """The user registers as a volunteer (if not yet) and is accepted into ``team``."""
    volunteer = Volunteer.objects.filter(subject__account_links__user=user).first() or volunteer_register(
        actor=user, agree=True, skills=["cooking"]
    )
    m = membership_apply(actor=user, team_id=team.pk)
    membership_decide(actor=decider, membership_id=m.pk, accept=True)
    return volunteer


def certificate(volunteer: Volunteer, *, number: str, issued: str, expires: str) -> HealthCertificate:
    return HealthCertificate.objects.create(
        volunteer=volunteer,
        number=number,
        issuer="荣成市疾控中心",
        issued_on=dt.date.fromisoformat(issued),
        expires_on=dt.date.fromisoformat(expires),
        recorded_at=clock.now(),
    )


@dataclass
class CookWorld:
    tree: Tree
    canteen: Canteen  # in village A1, open Monday to Friday
    other: Canteen  # in village B1
    village_officer: User  # village A1
    manager: User  # canteen manager of village A1, leads the cook team
    manager_subject: Subject
    manager_b: User  # canteen manager of village B1, leads that team
    plain_manager: User  # canteen manager of village A1 who leads no team
    village_b_officer: User
    town_a: User
    town_b: User
    admin: User  # civil affairs, county: canteen administrator
    auditor: User
    cook: Volunteer
    cook_user: User
    cook2: Volunteer
    cook2_user: User
    stranger: Volunteer  # a volunteer on no canteen team
    resident: User  # a person with no grant


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def cooks(tree: Tree, frozen: Any) -> CookWorld:
    village_officer = make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1)
    village_b_officer = make_user("village_b1", Role.VILLAGE_OFFICER, tree.village_b1)
    canteen = make_canteen(tree, tree.village_a1, village_officer, name="东山暖心食堂")
    other = make_canteen(tree, tree.village_b1, village_b_officer, name="烟墩角暖心食堂")
    assert canteen.team is not None
    assert other.team is not None
    manager, manager_subject = person_user("manager", tree.village_a1)
    grant_add(actor=None, user=manager, spec=GrantSpec(role=Role.CANTEEN_MANAGER, region=tree.village_a1))
    grant_add(actor=None, user=manager, spec=GrantSpec(role=Role.TEAM_LEADER, region=tree.village_a1))
    manager_volunteer = join(manager, canteen.team, village_officer)
    leader_set(actor=village_officer, team_id=canteen.team.pk, volunteer_number=manager_volunteer.number)
    manager_b, _s = person_user("manager_b", tree.village_b1)
    grant_add(actor=None, user=manager_b, spec=GrantSpec(role=Role.CANTEEN_MANAGER, region=tree.village_b1))
    grant_add(actor=None, user=manager_b, spec=GrantSpec(role=Role.TEAM_LEADER, region=tree.village_b1))
    mb = join(manager_b, other.team, village_b_officer)
    leader_set(actor=village_b_officer, team_id=other.team.pk, volunteer_number=mb.number)
    plain_manager = make_user("plain_manager", Role.CANTEEN_MANAGER, tree.village_a1)
    cook_user, _c = person_user("cook_wang", tree.village_a1)
    cook = join(cook_user, canteen.team, village_officer)
    cook2_user, _c2 = person_user("cook_li", tree.village_a1)
    cook2 = join(cook2_user, canteen.team, village_officer)
    stranger_user, _st = person_user("stranger", tree.village_a1)
    stranger = volunteer_register(actor=stranger_user, agree=True)
    civil = Department.objects.get(code="civil_affairs")
    resident, _r = person_user("resident", tree.village_a1)
    return CookWorld(
        tree=tree,
        canteen=canteen,
        other=other,
        village_officer=village_officer,
        manager=manager,
        manager_subject=manager_subject,
        manager_b=manager_b,
        plain_manager=plain_manager,
        village_b_officer=village_b_officer,
        town_a=make_user("town_a", Role.TOWN_OFFICER, tree.town_a),
        town_b=make_user("town_b", Role.TOWN_OFFICER, tree.town_b),
        admin=make_user("civil", Role.DEPARTMENT_RECORDER, tree.county, department=civil),
        auditor=make_user("auditor", Role.AUDITOR, tree.county),
        cook=cook,
        cook_user=cook_user,
        cook2=cook2,
        cook2_user=cook2_user,
        stranger=stranger,
        resident=resident,
    )


def actor(world: CookWorld, who: str) -> Any:
    """The user a permission matrix names (None: anonymous)."""
    return None if who == "anonymous" else getattr(world, who)
