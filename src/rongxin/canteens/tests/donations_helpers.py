"""A small canteen world for the donations tests: the starter catalogues, an open canteen in
village A1 with its staff, the town's officers, a canteen administrator, and donors (a consenting
person, a person without consent, an enterprise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.canteens.models import Canteen
from rongxin.conftest import Tree, make_id_number, make_organisation, make_person, make_user
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.subjects.models import Subject

START = "2026-03-10 10:00 +0800"


def today() -> dt.date:
    return dt.date(2026, 3, 10)


def frozen_clock() -> Iterator[Any]:
    """For a test module's ``frozen`` fixture: the clock stopped at :data:`START`."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def make_canteen(
    tree: Tree, *, village: Any = None, status: str = Canteen.Status.OPEN, name: str = "东山暖心食堂"
) -> Canteen:
    village = village or tree.village_a1
    return Canteen.objects.create(
        name=name,
        village=village,
        town=village.parent,
        operator=Canteen.Operator.VILLAGE_COMMITTEE,
        status=status,
        opened_on=dt.date(2025, 6, 1) if status != Canteen.Status.PLANNED else None,
        seats=40,
        meal_weekdays=[0, 1, 2, 3, 4],
        created_at=dt.datetime(2025, 5, 1, 9, tzinfo=clock.LOCAL_TZ),
    )


@dataclass
class DonationWorld:
    tree: Tree
    canteen: Canteen
    users: dict[str, User]
    giver: Subject  # a person who consents to scoring
    giver_id_number: str
    shy: Subject  # a person without consent
    shy_id_number: str
    firm: Subject  # an enterprise


def donation_world(tree: Tree) -> DonationWorld:
    catalogue_load_starters(actor=None)
    civil = Department.objects.get(code="civil_affairs")
    users = {
        "anonymous": None,
        "resident": make_user("resident", Role.RESIDENT, tree.village_a1),
        "auditor": make_user("auditor", Role.AUDITOR, tree.county),
        "village_a2_officer": make_user("village_a2_officer", Role.VILLAGE_OFFICER, tree.village_a2),
        "town_b_officer": make_user("town_b_officer", Role.TOWN_OFFICER, tree.town_b),
        "village_a1_officer": make_user("village_a1_officer", Role.VILLAGE_OFFICER, tree.village_a1),
        "manager_a1": make_user("manager_a1", Role.CANTEEN_MANAGER, tree.village_a1),
        "town_a_officer": make_user("town_a_officer", Role.TOWN_OFFICER, tree.town_a),
        "admin": make_user("civil_affairs", Role.DEPARTMENT_RECORDER, tree.county, department=civil),
    }
    giver_number = make_id_number(birth="19700101")
    giver = make_person(tree.village_a1, name="王大海", id_number=giver_number, consent=True).subject
    shy_number = make_id_number(birth="19750101")
    shy = make_person(tree.village_a1, name="李小梅", id_number=shy_number, consent=False).subject
    firm = make_organisation(tree.village_a1, name="荣成市海洋食品有限公司").subject
    return DonationWorld(
        tree=tree,
        canteen=make_canteen(tree),
        users=users,  # type: ignore[arg-type]
        giver=giver,
        giver_id_number=giver_number,
        shy=shy,
        shy_id_number=shy_number,
        firm=firm,
    )


def rice(**extra: Any) -> dict[str, Any]:
    """A gift of 50 kg of rice worth ¥250 from an outsider."""
    return {
        "kind": "goods",
        "donor_kind": "person",
        "donor_name": "赵爱心",
        "item": "大米",
        "quantity": "50",
        "unit": "公斤",
        "value": "250",
        "received_on": "2026-03-09",
    } | extra


def money(**extra: Any) -> dict[str, Any]:
    """¥500 from an outsider."""
    return {
        "kind": "money",
        "donor_kind": "person",
        "donor_name": "赵爱心",
        "value": "500",
        "received_on": "2026-03-09",
    } | extra
