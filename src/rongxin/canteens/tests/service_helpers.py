"""A small canteen world for the elders and daily-service tests: an open canteen in village A1
and one in village B1, their staff, the town and county, and elders of village A1.

Made with the ORM (the canteens themselves are the sites area's to create); import the
``svc`` fixture of each test module yields from :func:`service_world`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Canteen, Elder
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.subjects.models import Subject

# A Wednesday in Beijing; the canteens serve lunch Monday to Friday.
TODAY = dt.date(2026, 3, 11)
NOW = "2026-03-11 10:00 +0800"
PASSWORD = "pw-for-tests-only"


def make_canteen(
    village: Any, *, name: str = "东山暖心食堂", status: str = Canteen.Status.OPEN, seats: int = 20
) -> Canteen:
    return Canteen.objects.create(
        name=name,
        village=village,
        town=village.parent,
        operator=Canteen.Operator.VILLAGE_COMMITTEE,
        status=status,
        opened_on=dt.date(2025, 1, 6),
        seats=seats,
        meal_weekdays=[0, 1, 2, 3, 4],
        created_at=clock.now(),
    )


def birth_for_age(age: int, *, on: dt.date = TODAY) -> str:
    """``YYYYMMDD`` of someone who turns ``age`` on ``on``."""
    return f"{on.year - age:04d}{on.month:02d}{on.day:02d}"


def elder_person(village: Any, name: str, *, age: int = 75, on: dt.date = TODAY) -> Subject:
    """A person of ``village`` who turns ``age`` on ``on``."""
    return make_person(village, name=name, id_number=make_id_number(birth=birth_for_age(age, on=on))).subject


def enrolled(canteen: Canteen, subject: Subject, *, on: dt.date = dt.date(2026, 1, 5), **extra: Any) -> Elder:
    """An enrolment made with the ORM (the services are what the tests test)."""
    elder = Elder.objects.create(
        canteen=canteen,
        subject=subject,
        village=canteen.village,
        enrolled_on=on,
        consent_by=Elder.ConsentBy.SELF,
        consent_at=clock.now(),
        recorded_at=clock.now(),
        **extra,
    )
    Canteen.objects.filter(pk=canteen.pk).update(
        elder_count=Elder.objects.filter(canteen=canteen, left_on__isnull=True).count()
    )
    return elder


@dataclass
class ServiceWorld:
    tree: Tree
    canteen: Canteen  # village A1, open
    other: Canteen  # village B1, open
    manager: User  # canteen manager of village A1
    officer: User  # village officer of A1
    manager_b: User  # canteen manager of village B1
    town: User  # town officer of town A
    admin: User  # civil affairs, county
    auditor: User
    resident: User  # a plain resident of A1, no grant
    elders: list[Subject]  # five elders of A1, enrolled in ``canteen``


def build_world(tree: Tree) -> ServiceWorld:
    civil = Department.objects.get_or_create(code="civil_affairs", defaults={"name": "民政局"})[0]
    canteen = make_canteen(tree.village_a1)
    other = make_canteen(tree.village_b1, name="烟墩角暖心食堂")
    resident = make_user("resident_a1")
    link(resident, make_person(tree.village_a1, name="王小明", id_number=make_id_number(birth="19900101")).subject)
    names = ["张大爷", "李奶奶", "王爷爷", "赵奶奶", "刘大爷"]
    elders = [elder_person(tree.village_a1, n, age=70 + i) for i, n in enumerate(names)]
    for s in elders:
        enrolled(canteen, s)
    return ServiceWorld(
        tree=tree,
        canteen=Canteen.objects.get(pk=canteen.pk),
        other=other,
        manager=make_user("canteen_a1", Role.CANTEEN_MANAGER, tree.village_a1),
        officer=make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1),
        manager_b=make_user("canteen_b1", Role.CANTEEN_MANAGER, tree.village_b1),
        town=make_user("town_a", Role.TOWN_OFFICER, tree.town_a),
        admin=make_user("civil", Role.DEPARTMENT_RECORDER, tree.county, department=civil),
        auditor=make_user("auditor", Role.AUDITOR, tree.county),
        resident=resident,
        elders=elders,
    )


def service_world(tree: Tree) -> Iterator[ServiceWorld]:
    """The world, with the clock stopped at :data:`NOW` for the test (a test module's ``svc``
    fixture yields from it)."""
    with time_machine.travel(NOW, tick=False):
        yield build_world(tree)


def who(world: ServiceWorld, name: str) -> User | None:
    """The actor of a permission matrix row by name (``anonymous`` is None)."""
    return None if name == "anonymous" else getattr(world, name)
