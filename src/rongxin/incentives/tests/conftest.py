"""Incentive fixtures: the starter offers, the bus company's account, and residents whose
grades come from real credit entries under the starter catalogue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.credit.services.awards import Award, awards_record
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.scores import credit_on_consent_change
from rongxin.incentives.models import Incentive, Provider
from rongxin.incentives.services.offers import incentives_load_starters
from rongxin.incentives.services.providers import provider_account_add

START = "2026-03-01 10:00 +0800"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def resident(tree: Tree, username: str, *, points: int, consent: bool = True, birth: str = "19900101") -> User:
    """A resident with an account whose score is 1000 + ``points`` (volunteer-hour awards)."""
    user = make_user(username)
    person = make_person(tree.village_a1, name=username, id_number=make_id_number(birth=birth), consent=consent)
    link(user, person.subject)
    if consent:
        with transaction.atomic():  # as the consent service does, inside its transaction
            credit_on_consent_change(subject_id=person.pk, consent=True)
    if points:
        with transaction.atomic():  # the bulk append runs in its caller's transaction
            awards_record(
                awards=[
                    Award(
                        subject_id=person.pk, rule_code="P-VOL-01", points=points,
                        occurred_at=clock.now() - dt.timedelta(days=1), evidence="志愿服务记录", source_key=f"fixture:{username}",
                    )
                ],
                department_code="volunteer_federation",
            )  # fmt: skip
    return user


@dataclass
class World:
    tree: Tree
    office: User
    bus: User  # the bus company's account
    bank: User
    aa: User  # grade AA (1035)
    a: User  # grade A (1000)
    no_consent: User

    def incentive(self, code: str) -> Incentive:
        return Incentive.objects.get(code=code)


def provider_user(username: str, tree: Tree, office: User, code: str) -> User:
    user = make_user(username, Role.INCENTIVE_PROVIDER, tree.county)
    provider_account_add(actor=office, provider_id=Provider.objects.get(code=code).pk, user=user)
    return user


@pytest.fixture
def world(tree: Tree, frozen: Any) -> World:
    catalogue_load_starters()
    assert incentives_load_starters() == 32
    office = make_user("office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    return World(
        tree=tree,
        office=office,
        bus=provider_user("bus", tree, office, "rc_bus"),
        bank=provider_user("bank", tree, office, "rc_rural_bank"),
        aa=resident(tree, "aa", points=35, birth="19800101"),
        a=resident(tree, "a", points=0, birth="19810101"),
        no_consent=resident(tree, "nc", points=40, consent=False, birth="19820101"),
    )
