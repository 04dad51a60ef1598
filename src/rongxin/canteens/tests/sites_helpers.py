"""A small canteen world for the sites tests: the county tree of ``rongxin.conftest`` (towns A and
B, two villages each), a canteen administrator (civil affairs, county), officers, village staff,
an auditor and an account without a role; canteens made directly in a given state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Canteen, CanteenEvent
from rongxin.conftest import Tree, make_user
from rongxin.core import clock
from rongxin.regions.models import Region

TODAY = dt.date(2026, 3, 10)  # a Tuesday
NOW = "2026-03-10 10:00 +0800"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class SitesWorld:
    tree: Tree
    admin: User
    town_a: User
    town_b: User
    village_a1: User
    manager_a1: User
    village_b1: User
    auditor: User
    nobody: User

    def users(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "nobody": self.nobody,
            "auditor": self.auditor,
            "admin": self.admin,
            "town_a": self.town_a,
            "town_b": self.town_b,
            "village_a1": self.village_a1,
            "manager_a1": self.manager_a1,
            "village_b1": self.village_b1,
        }


@pytest.fixture
def world(tree: Tree, frozen: Any) -> SitesWorld:
    civil = Department.objects.get(code="civil_affairs")
    return SitesWorld(
        tree=tree,
        admin=make_user("civil_affairs", Role.DEPARTMENT_RECORDER, tree.county, department=civil),
        town_a=make_user("town_a", Role.TOWN_OFFICER, tree.town_a),
        town_b=make_user("town_b", Role.TOWN_OFFICER, tree.town_b),
        village_a1=make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1),
        manager_a1=make_user("manager_a1", Role.CANTEEN_MANAGER, tree.village_a1),
        village_b1=make_user("village_b1", Role.VILLAGE_OFFICER, tree.village_b1),
        auditor=make_user("auditor", Role.AUDITOR, tree.county),
        nobody=make_user("nobody"),
    )


def make_canteen(
    village: Region,
    *,
    name: str = "",
    status: str = "open",
    opened_on: dt.date | None = dt.date(2025, 6, 1),
    days: list[int] | None = None,
    history: list[tuple[str, dt.date]] | None = None,
) -> Canteen:
    """A canteen in ``village`` with its status history (default: opened on ``opened_on``)."""
    canteen = Canteen.objects.create(
        name=name or f"{village.name}暖心食堂",
        village=village,
        town=village.parent,
        operator="committee",
        status=status,
        opened_on=opened_on if status in ("open", "paused", "closed") else None,
        seats=30,
        meal_weekdays=days if days is not None else [0, 1, 2, 3, 4],
        created_at=clock.now(),
    )
    steps = history or ([(status, opened_on)] if opened_on and status != "planned" else [(status, TODAY)])
    for step, on in steps:
        CanteenEvent.objects.create(canteen=canteen, status=step, on=on, at=clock.now())
    return canteen
