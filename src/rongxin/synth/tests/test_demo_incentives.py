"""The demo prepares the starter offers and the provider account for the bus company."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from rongxin.accounts.models import User
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.incentives.models import Incentive, ProviderAccount
from rongxin.synth.demo import demo_accounts_ensure
from rongxin.synth.generator import generate_county

NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_the_demo_provider_acts_for_the_bus_company(db: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=0.001, seed=5, as_of=NOW.date(), workers=0)
        catalogue_load_starters()
        accounts = {a.username: a for a in demo_accounts_ensure()}
        demo_accounts_ensure()  # twice: nothing more
    account = ProviderAccount.objects.select_related("provider").get(user=User.objects.get(username="provider"))
    assert account.provider.code == "rc_bus"
    assert ProviderAccount.objects.count() == 1
    assert Incentive.objects.filter(status="approved").count() == 32
    assert accounts["provider"].note == "荣成市公共交通有限公司 · 核验与兑现"
