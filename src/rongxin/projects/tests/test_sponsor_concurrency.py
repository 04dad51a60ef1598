"""Races on PostgreSQL, each caller on its own connection, released together:

- two pledges at once that together exceed what the project still needs: exactly one is made,
  the other refused with what is still needed, and ``pledged`` never passes the budget;
- two payments at once that together exceed what a pledge still owes: exactly one is posted.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree
from rongxin.core.errors import InvalidInput
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.funds.services.verify import funds_verify
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.services.payments import PaymentResult, payment_record
from rongxin.projects.services.pledges import PledgeResult, pledge_create
from rongxin.projects.tests.helpers import NOW, TODAY, MarketWorld, market_world, pdf
from rongxin.projects.tests.sponsor_helpers import income_lines

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def race(transactional_db: Any) -> MarketWorld:
    """What the migrations seed (a transactional test empties every table), then the world."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)
    with time_machine.travel(NOW, tick=False):
        return market_world(Tree())


def test_two_pledges_that_together_exceed_the_need_make_one(race: MarketWorld) -> None:
    # given a project of ¥10,000 with ¥4,000 pledged
    with time_machine.travel(NOW, tick=False):
        project = race.project()
        pledge_create(
            actor=race.resident, project_id=project.pk, sponsor_subject_id=race.resident_subject.pk, amount="4000",
            title=False, anonymous=False,
        )  # fmt: skip

    def pledging(user_pk: int, subject_pk: int) -> Any:
        def call() -> Any:
            me = User.objects.get(pk=user_pk)  # each "request" loads its own user
            return pledge_create(
                actor=me, project_id=project.pk, sponsor_subject_id=subject_pk, amount="5000", title=False,
                anonymous=False,
            )  # fmt: skip

        return call

    # when
    with time_machine.travel(NOW, tick=False):
        results = in_threads(
            [pledging(race.firm_rep.pk, race.firm.pk), pledging(race.other_rep.pk, race.other_firm.pk)], workers=2
        )
    # then
    made = [r for r in results if isinstance(r, PledgeResult)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert (len(made), len(refused)) == (1, 1), results
    assert str(refused[0].message) == "该项目还需 ¥1,000.00，认捐金额不能超过此数。"
    project.refresh_from_db()
    assert (project.pledged, project.state) == (Decimal("9000.00"), "published")
    assert Pledge.objects.filter(project=project).count() == 2


def test_two_payments_that_together_exceed_the_pledge_post_one(race: MarketWorld) -> None:
    with time_machine.travel(NOW, tick=False):
        project = race.project()
        p = pledge_create(
            actor=race.firm_rep, project_id=project.pk, sponsor_subject_id=race.firm.pk, amount="3000",
            title=False, anonymous=False,
        ).pledge  # fmt: skip
    keeper_pk = race.centre.pk

    def paying(tag: str) -> Any:
        def call() -> Any:
            me = User.objects.get(pk=keeper_pk)
            return payment_record(
                actor=me, pledge_id=p.pk, amount="2000", received_on=TODAY, voucher_data=pdf(tag),
                voucher_name="slip.pdf",
            )  # fmt: skip

        return call

    with time_machine.travel(NOW, tick=False):
        results = in_threads([paying("a"), paying("b")], workers=2)
    made = [r for r in results if isinstance(r, PaymentResult)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert (len(made), len(refused)) == (1, 1), results
    assert refused[0].code == "over_pledge"
    project = Project.objects.get(pk=project.pk)
    assert income_lines(race, project) == project.raised == Decimal("2000.00")
    assert Payment.objects.count() == 1
    assert funds_verify().problems == []
