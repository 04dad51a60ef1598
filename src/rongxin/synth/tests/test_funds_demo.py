"""The demo stages funds: the ``funds`` account (county civilization office, department
recorder), the demo village's fund with money, a meeting in publicity with names, and a published
meeting in which the demo resident was awarded (with the commendation's credit); with or without
the synthetic funds, and twice without adding anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.credit.models import Entry
from rongxin.funds.domain.accounts import BANK
from rongxin.funds.models import Account, Fund, JournalEntry, Meeting, Nomination
from rongxin.funds.selectors.books import trial_balance_all
from rongxin.funds.selectors.honours import subject_commendations
from rongxin.regions.models import Region
from rongxin.subjects.models import SubjectAccount
from rongxin.synth.demo import demo_accounts_ensure

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.LOCAL_TZ)  # Monday morning in the county
TODAY = NOW.date()


def _snapshot() -> tuple[int, ...]:
    return (Fund.objects.count(), JournalEntry.objects.count(), Meeting.objects.count(), Nomination.objects.count())


@pytest.mark.parametrize("with_funds", [True, False])
def test_the_demo_stages_funds_and_the_residents_award(db: Any, with_funds: bool) -> None:
    # given a county with volunteering and credit history, with or without its synthetic funds
    with time_machine.travel(NOW, tick=False):
        call_command(
            "generate", scale=0.002, seed=3, no_progress=True, no_canteens=True, no_funds=not with_funds,
            workers=0, as_of=TODAY,
        )  # fmt: skip
        # when the demo prepares its accounts, twice
        accounts = {a.username: a for a in demo_accounts_ensure()}
        before = _snapshot()
        demo_accounts_ensure()
        assert _snapshot() == before
    # then the funds account is the county civilization office's recorder, with a note
    funds = accounts["funds"]
    assert funds.display_name == "县文明办 资金管理员"
    assert funds.region == Region.objects.get(level=Region.Level.COUNTY).name
    user = User.objects.get(username="funds")
    grant = user.grants.get()
    assert (grant.role, grant.department.code) == (Role.DEPARTMENT_RECORDER, "civilization_office")
    village = Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").first()
    assert village is not None
    assert f"{village.name}信用基金" in funds.note
    # the demo village's fund holds money above its minimum, and every fund balances
    fund = Fund.objects.get(kind=Fund.Kind.VILLAGE_CREDIT, region=village)
    assert Account.objects.get(fund=fund, code=BANK).balance >= 15_000
    assert all(t.debits == t.credits and t.mismatched_accounts == 0 for t in trial_balance_all())
    # a meeting of the village is in publicity, with names proposed and dates around today
    publicity = Meeting.objects.get(region=village, status=Meeting.Status.PUBLICITY)
    assert publicity.publicity_starts_on <= TODAY <= publicity.publicity_ends_on
    assert publicity.nominations.filter(status=Nomination.Status.PROPOSED).count() >= 1
    # the resident was awarded in a published meeting of the village, and their file shows it
    resident = SubjectAccount.objects.get(user__username="resident").subject_id
    shown = subject_commendations(subject_id=resident)
    assert len(shown) >= 1
    award = shown[0]
    assert award.meeting.region_id == village.pk
    assert award.meeting.status == Meeting.Status.PUBLISHED
    assert not publicity.nominations.filter(subject_id=resident).exists()
    # with its commendation credit, once
    if award.credit_status == "created":
        assert Entry.objects.filter(subject_id=resident, source="funds", source_key=award.credit_key).count() == 1
    else:
        assert award.credit_status == "capped"
