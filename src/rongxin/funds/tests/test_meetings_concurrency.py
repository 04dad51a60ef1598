"""Races on PostgreSQL, each caller on its own connection, released together: two payments of
one meeting's awards at the same moment pay (and credit) every award once."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, make_person
from rongxin.core.errors import Conflict
from rongxin.credit.models import Entry
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.funds.models import Account, JournalEntry, Meeting, Nomination
from rongxin.funds.services.awards import meeting_award
from rongxin.funds.services.books import entry_post
from rongxin.funds.services.meetings import (
    meeting_create,
    meeting_start_publicity,
    nomination_add,
    nomination_set_award,
)
from rongxin.funds.tests.books_helpers import NOW, FundsWorld, fund_world, income, pdf

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def ready(transactional_db: Any) -> tuple[FundsWorld, Meeting]:
    """Departments (a transactional test empties every table), the funds world, the starter
    catalogues, and A1's meeting with three money awards of ¥100, publicity over."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    with time_machine.travel(NOW, tick=False):
        w = fund_world(Tree())
        catalogue_load_starters()
        fund = w.funds["village_a1"]
        entry_post(
            actor=None, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 2, 1), memo="福利归集",
            voucher=w.voucher(fund, "fill"), lines=income("1000.00"),
        )  # fmt: skip
        m = meeting_create(actor=w.village_a1, region_id=w.tree.village_a1.pk, year=2026, quarter=2)
        for name in ("甲", "乙", "丙"):
            s = make_person(w.tree.village_a1, name=name, consent=True).subject
            n = nomination_add(actor=w.village_a1, meeting_id=m.pk, subject_id=s.pk, category="doer", reason="组织活动")
            nomination_set_award(actor=w.village_a1, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount="100")
        meeting_start_publicity(actor=w.village_a1, meeting_id=m.pk, days=1)
    return w, m


def test_two_payments_at_once_pay_each_award_once(ready: tuple[FundsWorld, Meeting]) -> None:
    # given
    w, m = ready
    user_pk = w.village_a1.pk
    # when
    with time_machine.travel("2026-05-21 10:00 +0800", tick=False):
        results = in_threads(
            [
                lambda: (
                    meeting_award(
                        actor=User.objects.get(pk=user_pk),
                        meeting_id=m.pk,
                        voucher_data=pdf("list"),
                        voucher_name="签收表.pdf",
                    ).awarded
                )
            ]
            * 2,
            workers=2,
        )
    # then
    outcomes = sorted(str(r.code) if isinstance(r, Conflict) else repr(r) for r in results)
    assert outcomes == ["3", "already_awarded"]
    assert JournalEntry.objects.filter(kind="award").count() == 3
    assert Account.objects.get(fund=w.funds["village_a1"], code="1001").balance == Decimal("700.00")
    assert Entry.objects.filter(source="funds").count() == 3
    assert Nomination.objects.filter(status="awarded").count() == 3
