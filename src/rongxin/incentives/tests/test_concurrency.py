"""Quota races on PostgreSQL: real threads, each with its own connection, recording redemptions
through ``redemption_record``. However the requests interleave, an offer's total quota and a
holder's quota per period are never overspent, and a live code backs one redemption."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import Tree, make_user
from rongxin.core.errors import Conflict
from rongxin.credit.models import SubjectCredit
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.tests.test_concurrency import departments, in_threads  # noqa: F401 (``departments`` is a fixture)
from rongxin.incentives.models import Check, Credential, Incentive, Redemption
from rongxin.incentives.services.credentials import credential_issue
from rongxin.incentives.services.offers import incentives_load_starters
from rongxin.incentives.services.redemptions import RedemptionResult, redemption_record
from rongxin.incentives.tests.conftest import provider_user, resident
from rongxin.subjects.models import SubjectAccount

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks "
        "(SQLite serialises all writers, so there is no race to test)",
    ),
    pytest.mark.django_db(transaction=True),
]

OFFER = "bus-half-aa"


@dataclass
class Market:
    bus: User
    holder: User
    offer: Incentive


@pytest.fixture
def market(tree: Tree, departments: None) -> Market:  # noqa: F811 (the imported fixture)
    """The starter offers, the bus company's account and a grade-AA resident (no frozen clock:
    time_machine is not for threads)."""
    catalogue_load_starters()
    incentives_load_starters()
    office = make_user("office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    with transaction.atomic():  # as the consent service, which locks the credit row
        holder = resident(tree, "aa", points=35)
    assert SubjectCredit.objects.get(pk=SubjectAccount.objects.get(user=holder).subject_id).grade == "AA"
    return Market(
        bus=provider_user("bus", tree, office, "rc_bus"), holder=holder, offer=Incentive.objects.get(code=OFFER)
    )


def redeeming(*, actor_pk: int, token: str, reference: str) -> Callable[[], RedemptionResult]:
    def call() -> RedemptionResult:
        actor = User.objects.get(pk=actor_pk)  # each "request" loads its own user
        return redemption_record(actor=actor, token=token, reference=reference)

    return call


def outcomes(results: list[Any]) -> list[str]:
    """``created`` or the error code of each result, sorted."""
    out = []
    for r in results:
        if isinstance(r, RedemptionResult):
            out.append("created" if r.created else "retried")
        elif isinstance(r, Conflict):
            out.append(r.code)
        else:
            out.append(repr(r))
    return sorted(out)


def card(m: Market) -> str:
    return credential_issue(actor=m.holder, incentive_id=m.offer.pk, kind=Credential.Kind.CARD).token


def test_twenty_redemptions_of_an_offer_with_five_left_make_exactly_five(market: Market) -> None:
    # given an offer that may be given five times in all, and no limit per holder
    Incentive.objects.filter(pk=market.offer.pk).update(quota_total=5, quota_per_holder=None, quota_period="")
    token = card(market)
    calls = [redeeming(actor_pk=market.bus.pk, token=token, reference=f"Q-{i}") for i in range(20)]

    # when
    results = in_threads(calls, workers=20)

    # then
    assert outcomes(results) == ["created"] * 5 + ["quota_exhausted"] * 15
    assert Redemption.objects.filter(incentive=market.offer).count() == 5
    assert Incentive.objects.get(pk=market.offer.pk).redeemed_total == 5
    assert sorted(Check.objects.values_list("channel", "result")) == sorted(
        [("redemption", "eligible")] * 5 + [("redemption", "quota_exhausted")] * 15
    )


def test_ten_redemptions_by_one_holder_with_one_a_day_make_exactly_one(market: Market) -> None:
    # given once a day per holder, and no total
    Incentive.objects.filter(pk=market.offer.pk).update(quota_total=None, quota_per_holder=1, quota_period="day")
    token = card(market)
    calls = [redeeming(actor_pk=market.bus.pk, token=token, reference=f"H-{i}") for i in range(10)]

    # when
    results = in_threads(calls, workers=10)

    # then
    assert outcomes(results) == ["created"] + ["quota_exhausted"] * 9
    assert Redemption.objects.filter(incentive=market.offer).count() == 1
    assert Incentive.objects.get(pk=market.offer.pk).redeemed_total == 1


def test_a_live_code_presented_ten_times_at_once_backs_one_redemption(market: Market) -> None:
    # given a live code and room for four rides a day
    token = credential_issue(actor=market.holder, incentive_id=market.offer.pk).token
    calls = [redeeming(actor_pk=market.bus.pk, token=token, reference=f"L-{i}") for i in range(10)]

    # when
    results = in_threads(calls, workers=10)

    # then
    assert outcomes(results) == ["created"] + ["replayed"] * 9
    assert Redemption.objects.filter(incentive=market.offer).count() == 1
    assert Incentive.objects.get(pk=market.offer.pk).redeemed_total == 1


def test_ten_retries_of_one_redemption_at_once_make_one(market: Market) -> None:
    # given a card and a provider whose terminal retries the same redemption ten times at once
    token = card(market)
    calls = [redeeming(actor_pk=market.bus.pk, token=token, reference="SAME") for _ in range(10)]

    # when
    results = in_threads(calls, workers=10)

    # then one is created and the others get it back
    assert outcomes(results) == ["created"] + ["retried"] * 9
    assert Redemption.objects.filter(incentive=market.offer).count() == 1
    assert Incentive.objects.get(pk=market.offer.pk).redeemed_total == 1


def test_ten_cards_asked_for_at_once_make_exactly_the_cap(market: Market) -> None:
    # given a holder with no card yet and the default cap of three cards in force per offer
    def issuing() -> Any:
        actor = User.objects.get(pk=market.holder.pk)
        return credential_issue(actor=actor, incentive_id=market.offer.pk, kind=Credential.Kind.CARD)

    # when ten requests for a card arrive at once
    results = in_threads([issuing] * 10, workers=10)

    # then three are issued and seven refused
    codes = sorted("issued" if not isinstance(r, Exception) else getattr(r, "code", repr(r)) for r in results)
    assert codes == ["card_limit"] * 7 + ["issued"] * 3
    assert Credential.objects.filter(kind=Credential.Kind.CARD).count() == 3
