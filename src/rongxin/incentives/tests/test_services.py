"""Incentives end to end through the services: who qualifies, credentials, online checks,
redemptions with quotas, exports, and what the holder sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.core import clock
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.credit.models import SubjectCredit
from rongxin.incentives.domain import signing
from rongxin.incentives.models import Check, Credential, Incentive, Provider, Redemption
from rongxin.incentives.selectors import pseudonym_key
from rongxin.incentives.services.credentials import credential_issue, credential_revoke
from rongxin.incentives.services.keys import key_rotate, keys_document
from rongxin.incentives.services.offers import IncentiveInput, incentive_decide, incentive_propose
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.incentives.services.status import export_build, status_list_build
from rongxin.incentives.services.verification import credentials_check
from rongxin.incentives.tests.conftest import World
from rongxin.subjects.models import SubjectAccount


def subject_of(user: Any) -> int:
    return SubjectAccount.objects.get(user=user).subject_id


def test_grades_come_from_the_credit_file(world: World) -> None:
    assert SubjectCredit.objects.get(pk=subject_of(world.aa)).grade == "AA"
    assert SubjectCredit.objects.get(pk=subject_of(world.a)).grade == "A"


def test_a_holder_creates_credentials_only_for_what_they_qualify_for(world: World) -> None:
    half = world.incentive("bus-half-aa")
    issued = credential_issue(actor=world.aa, incentive_id=half.pk)
    claims = signing.verify_token(
        issued.token, {issued.credential.kid: _public(issued.credential.kid)}, now=issued.credential.issued_at
    )
    assert claims.status == "ok"
    assert claims.claims is not None
    assert claims.claims.holder == issued.credential.holder
    assert (issued.credential.expires_at - issued.credential.issued_at) == dt.timedelta(minutes=5)
    card = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card")
    assert (card.credential.expires_at - card.credential.issued_at) == dt.timedelta(days=30)
    with pytest.raises(InvalidInput) as e:
        credential_issue(actor=world.a, incentive_id=half.pk)
    assert e.value.code == "not_eligible"
    with pytest.raises(InvalidInput) as e:
        credential_issue(actor=world.no_consent, incentive_id=half.pk)
    assert e.value.code == "no_consent"
    with pytest.raises(NotFound):
        credential_issue(actor=world.bus, incentive_id=half.pk)  # a provider holds nothing
    org_only = world.incentive("loan-enterprise-aa")
    with pytest.raises(InvalidInput):
        credential_issue(actor=world.aa, incentive_id=org_only.pk)
    assert Credential.objects.count() == 2


def _public(kid: str) -> Any:
    return signing.public_keys_from_document(keys_document())[kid]


def test_online_checks_answer_only_yes_or_no_and_are_recorded(world: World, frozen: Any) -> None:
    half = world.incentive("bus-half-aa")
    good = credential_issue(actor=world.aa, incentive_id=half.pk).token
    loan = credential_issue(actor=world.aa, incentive_id=world.incentive("loan-rate-aa").pk, kind="card").token
    stale = credential_issue(actor=world.aa, incentive_id=half.pk).token
    frozen.shift(dt.timedelta(minutes=4))
    fresh = credential_issue(actor=world.aa, incentive_id=half.pk).token
    frozen.shift(dt.timedelta(minutes=2))  # ``good`` and ``stale`` have expired, ``fresh`` has not
    tampered = fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")
    answers = credentials_check(actor=world.bus, tokens=[fresh, good, tampered, loan, "nonsense"])
    assert [(a.eligible, a.reason) for a in answers] == [
        (True, "eligible"),
        (False, "expired"),
        (False, "invalid"),
        (False, "wrong_provider"),
        (False, "invalid"),
    ]
    rows = list(Check.objects.order_by("id").values_list("result", "subject_id"))
    sid = subject_of(world.aa)
    assert rows == [("eligible", sid), ("expired", sid), ("invalid", None), ("wrong_provider", sid), ("invalid", None)]
    assert stale != fresh
    with pytest.raises(InvalidInput):
        credentials_check(actor=world.bus, tokens=["x"] * 1001)
    with pytest.raises(NotFound):
        credentials_check(actor=world.aa, tokens=[fresh])


def test_eligibility_ends_when_the_grade_falls(world: World) -> None:
    half = world.incentive("bus-half-aa")
    card = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card").token
    assert credentials_check(actor=world.bus, tokens=[card])[0].eligible
    SubjectCredit.objects.filter(pk=subject_of(world.aa)).update(grade="A", score=1010)
    assert credentials_check(actor=world.bus, tokens=[card])[0].reason == "not_eligible"


def test_a_card_of_a_downgraded_holder_stops_verifying_offline_within_a_day(world: World, frozen: Any) -> None:
    # given an AA holder's card, a live code already redeemed, a withdrawn card, and the bus
    # company's status list made now, and a clean card of another holder
    half = world.incentive("bus-half-aa")
    card = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card").token
    used = credential_issue(actor=world.aa, incentive_id=half.pk).token
    redemption_record(actor=world.bus, token=used, reference="OFF-1")
    lost = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card")
    credential_revoke(actor=world.aa, jti=lost.credential.jti)
    keys = signing.public_keys_from_document(keys_document())
    bus = Provider.objects.get(code="rc_bus")
    before = status_list_build(provider=bus)
    now = clock.now()
    assert signing.read_status(before.text, keys) == before.status
    assert signing.verify_offline(card, keys, before.status, now=now).status == "ok"
    assert signing.verify_offline(used, keys, before.status, now=now).status == "revoked"
    assert signing.verify_offline(lost.token, keys, before.status, now=now).status == "revoked"
    # when the holder's grade falls below the floor
    SubjectCredit.objects.filter(pk=subject_of(world.aa)).update(grade="A", score=1010)
    after = status_list_build(provider=bus)
    # then the next list refuses the card; the earlier one admits it only until it runs out
    assert after.status.revoked == {_jti(card, keys), _jti(used, keys), lost.credential.jti}
    assert signing.verify_offline(card, keys, after.status, now=now).status == "revoked"
    assert (
        signing.verify_offline(card, keys, before.status, now=now + dt.timedelta(hours=23, minutes=59)).status == "ok"
    )
    assert signing.verify_offline(card, keys, before.status, now=now + dt.timedelta(hours=24)).status == "stale"
    # without a list, or with another provider's, nothing verifies offline
    assert signing.verify_offline(card, keys, None, now=now).status == "stale"
    bank = status_list_build(provider=Provider.objects.get(code="rc_rural_bank"))
    assert signing.verify_offline(card, keys, bank.status, now=now).status == "not_covered"
    # and a list altered after signing is refused
    tampered = before.text.split(".")
    with pytest.raises(ValueError, match="signature"):
        signing.read_status(
            f"{tampered[0]}.{signing.b64u(signing.unb64u(after.text.split('.')[1]))}.{tampered[2]}", keys
        )
    # when the grade is restored the card verifies again with the next list
    SubjectCredit.objects.filter(pk=subject_of(world.aa)).update(grade="AA", score=1035)
    assert signing.verify_offline(card, keys, status_list_build(provider=bus).status, now=now).status == "ok"


def _jti(token: str, keys: Any) -> str:
    claims = signing.verify_token(token, keys, now=clock.now()).claims
    assert claims is not None
    return claims.jti


def test_redemptions_are_idempotent_and_enforce_quotas(world: World, frozen: Any) -> None:
    park = world.incentive("parking-first-hour")  # once a day per holder
    parking = world.bus  # the bus account is not the parking company's
    card = credential_issue(actor=world.aa, incentive_id=park.pk, kind="card").token
    with pytest.raises(InvalidInput) as e:
        redemption_record(actor=parking, token=card, reference="P-1")
    assert e.value.code == "wrong_provider"
    from rongxin.incentives.tests.conftest import provider_user

    parker = provider_user("parker", world.tree, world.office, "rc_parking")
    first = redemption_record(actor=parker, token=card, reference="P-1")
    assert first.created
    again = redemption_record(actor=parker, token=card, reference="P-1")
    assert (again.created, again.redemption.pk) == (False, first.redemption.pk)
    with pytest.raises(Conflict) as e:
        redemption_record(actor=parker, token=card, reference="P-2")
    assert e.value.code == "quota_exhausted"
    frozen.shift(dt.timedelta(days=1))
    assert redemption_record(actor=parker, token=card, reference="P-3").created
    park.refresh_from_db()
    assert park.redeemed_total == 2
    assert Redemption.objects.filter(incentive=park).count() == 2
    assert list(Check.objects.filter(channel="redemption").values_list("result", flat=True)) == [
        "wrong_provider", "eligible", "quota_exhausted", "eligible",
    ]  # fmt: skip


def test_a_live_code_backs_one_redemption_and_a_revoked_card_none(world: World) -> None:
    half = world.incentive("bus-half-aa")
    live = credential_issue(actor=world.aa, incentive_id=half.pk).token
    redemption_record(actor=world.bus, token=live, reference="B-1")
    with pytest.raises(Conflict) as e:
        redemption_record(actor=world.bus, token=live, reference="B-2")
    assert e.value.code == "replayed"
    card = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card")
    credential_revoke(actor=world.aa, jti=card.credential.jti)
    with pytest.raises(InvalidInput) as e:
        redemption_record(actor=world.bus, token=card.token, reference="B-3")
    assert e.value.code == "revoked"


def test_total_quota_is_never_overspent(world: World) -> None:
    half = world.incentive("bus-half-aa")
    Incentive.objects.filter(pk=half.pk).update(quota_total=1)
    card = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card").token
    redemption_record(actor=world.bus, token=card, reference="T-1")
    with pytest.raises(Conflict):
        redemption_record(actor=world.bus, token=card, reference="T-2")
    assert Redemption.objects.filter(incentive=half).count() == 1


def test_the_export_lists_exactly_the_eligible_holders(world: World) -> None:
    half = world.incentive("bus-half-aa")
    export = export_build(incentive_id=half.pk)
    expected = signing.holder_bytes(
        signing.holder_id(pseudonym_key(), provider_id=half.provider_id, subject_id=subject_of(world.aa))
    )
    assert (export.holders, bytes(export.content)) == (1, expected)
    message = signing.export_message(incentive=half.code, generated_at=export.generated_at, content=expected)
    _public(export.kid).verify(signing.unb64u(export.signature), message)
    SubjectCredit.objects.filter(pk=subject_of(world.aa)).update(grade="A")
    assert export_build(incentive_id=half.pk).holders == 0


def test_offers_need_the_county_offices_approval(world: World) -> None:
    data = IncentiveInput(
        code="night-bus", title_zh="夜班公交免费", title_en="Free night buses", category="transit", min_grade="A",
        benefit_zh="夜班公交免费", valid_from=dt.date(2026, 3, 1), quota_per_holder=2, quota_period="day",
    )  # fmt: skip
    offer = incentive_propose(actor=world.bus, data=data)
    assert (offer.status, offer.provider.code) == ("proposed", "rc_bus")
    with pytest.raises(NotFound):
        credential_issue(actor=world.a, incentive_id=offer.pk)
    with pytest.raises(NotFound):
        incentive_decide(actor=world.bus, incentive_id=offer.pk, approve=True)
    incentive_decide(actor=world.office, incentive_id=offer.pk, approve=True)
    assert credential_issue(actor=world.a, incentive_id=offer.pk).credential.incentive_id == offer.pk
    with pytest.raises(InvalidInput):
        incentive_decide(actor=world.office, incentive_id=offer.pk, approve=False)  # needs a reason
    assert (
        incentive_decide(actor=world.office, incentive_id=offer.pk, approve=False, reason="停运").status == "suspended"
    )


def test_rotation_keeps_old_credentials_valid(world: World) -> None:
    half = world.incentive("bus-half-aa")
    before = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card")
    new = key_rotate(actor=world.office)
    after = credential_issue(actor=world.aa, incentive_id=half.pk, kind="card")
    assert (before.credential.kid != new.kid, after.credential.kid) == (True, new.kid)
    assert [a.eligible for a in credentials_check(actor=world.bus, tokens=[before.token, after.token])] == [True, True]
    assert [k["retired_at"] is None for k in keys_document()["keys"]] == [False, True]


def test_the_holder_sees_offers_and_every_check(world: World) -> None:
    from rongxin.incentives.selectors import holder_activity, holder_view

    view = holder_view(actor=world.aa)
    assert (view.grade, view.score, view.consent) == ("AA", 1035, True)
    eligible = {o.incentive.code for o in view.offers if o.eligible}
    assert "bus-half-aa" in eligible
    assert "bus-free-aaa" not in eligible
    assert all(o.incentive.for_persons for o in view.offers)
    assert len(view.offers) == Incentive.objects.filter(for_persons=True).count() == 27
    card = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card").token
    credentials_check(actor=world.bus, tokens=[card])
    redemption_record(actor=world.bus, token=card, reference="R-1")
    seen = holder_activity(actor=world.aa)
    assert [(c.provider.code, c.channel, c.result) for c in seen.checks] == [
        ("rc_bus", "redemption", "eligible"),
        ("rc_bus", "online", "eligible"),
    ]
    assert [r.reference for r in seen.redemptions] == ["R-1"]
    assert holder_view(actor=world.no_consent).consent is False


def test_statistics_by_month_provider_and_incentive(world: World) -> None:
    from rongxin.incentives.selectors import redemption_statistics

    card = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card").token
    redemption_record(actor=world.bus, token=card, reference="S-1")
    redemption_record(actor=world.bus, token=card, reference="S-2")
    rows = redemption_statistics(actor=world.office)
    assert [(r.month, r.incentive, r.redemptions, r.holders) for r in rows] == [
        (dt.date(2026, 3, 1), "bus-half-aa", 2, 1)
    ]
    assert redemption_statistics(actor=world.bank) == []
    with pytest.raises(NotFound):
        redemption_statistics(actor=world.aa)


def test_verify_token_command_exits_zero_only_for_valid_tokens(world: World, tmp_path: Any) -> None:
    from django.core.management import call_command

    card = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card").token
    keys, status = tmp_path / "keys.json", tmp_path / "status.json"
    call_command("incentives", "keys", "--out", str(keys))
    call_command("incentives", "status", "rc_bus", "--out", str(status))
    call_command("incentives", "verify-token", card, "--keys", str(keys), "--status", str(status))
    call_command("incentives", "verify-token", card)  # with this platform's keys and data
    for bad in ([card[:-4] + "AAAA", "--status", str(status)], [card]):  # an altered card; no status list
        with pytest.raises(SystemExit) as e:
            call_command("incentives", "verify-token", *bad, "--keys", str(keys))
        assert e.value.code == 1
