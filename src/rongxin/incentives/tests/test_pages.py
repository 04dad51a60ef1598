"""Incentive pages: each renders for the right role and is 404 for the others; forms with bad
input come back with the Chinese error, keep what was typed and save nothing; a provider's page
never shows a score, name, ID number or phone.

Texts are compared with the Chinese catalogue through :func:`zh`, so a test reads the page the
way a user does (Chinese by default) and keeps passing when a wording is improved.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, link, make_organisation, make_user
from rongxin.core import pii
from rongxin.incentives.domain import signing
from rongxin.incentives.models import Check, Credential, Incentive, Provider, Redemption
from rongxin.incentives.selectors import public_keys
from rongxin.incentives.services.credentials import credential_issue
from rongxin.incentives.services.providers import provider_create
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.incentives.services.verification import credentials_check
from rongxin.incentives.tests.conftest import World, resident
from rongxin.subjects.models import Person, Subject, SubjectAccount

pytestmark = pytest.mark.django_db

BUS = "荣成市公共交通有限公司"


def zh(msgid: str, **values: Any) -> str:
    """``msgid`` as the page shows it: in Chinese (the default page language), HTML-escaped."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def zh_tag(msgid: str) -> str:
    """``msgid`` as a {% translate %} tag writes it: in Chinese, not escaped."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def html(response: Any) -> str:
    return response.content.decode()


def offer_codes(page: str) -> list[str]:
    """The incentives of the offer cards, in page order (by their credential forms or titles)."""
    return re.findall(r'<article class="card inc-offer( inc-eligible)?">', page)


def buttons(page: str, label: str) -> int:
    """How many submit buttons carry exactly this label."""
    return len(re.findall(r'<button type="submit"[^>]*>' + re.escape(label) + "</button>", page))


def subject_of(user: Any) -> int:
    return SubjectAccount.objects.get(user=user).subject_id


def subject_of_self(user: Any) -> int:
    return SubjectAccount.objects.get(user=user, relation="self").subject_id


def half(world: World) -> Incentive:
    return world.incentive("bus-half-aa")


# --- Public list ------------------------------------------------------------------------------
def test_the_public_list_shows_every_open_offer_and_filters_by_category(world: World) -> None:
    page = html(Client().get("/incentives/"))
    assert len(offer_codes(page)) == 32
    assert "城乡公交半价乘车" in page
    assert "免担保信用贷款（最高30万元）" in page

    transit = html(Client().get("/incentives/", {"category": "transit"}))
    assert len(offer_codes(transit)) == 3
    assert ["城乡公交免费乘车" in transit, "公共停车场首小时免费" in transit, "个人贷款利率下浮" in transit] == [
        True,
        True,
        False,
    ]


def test_an_unknown_category_shows_the_error_and_every_offer(world: World) -> None:
    response = Client().get("/incentives/", {"category": "casino"})
    page = html(response)
    assert response.status_code == 200
    with translation.override("zh-hans"):
        message = gettext("Select a valid choice. %(value)s is not one of the available choices.")
    assert escape(message % {"value": "casino"}) in page
    assert len(offer_codes(page)) == 32


# --- The holder's page ------------------------------------------------------------------------
def test_the_holder_sees_their_grade_and_eligible_offers_first(world: World) -> None:
    page = html(client_for(world.aa).get("/incentives/me/"))
    assert '<span class="grade grade-AA">AA</span>' in page
    cards = offer_codes(page)
    # 27 offers for persons; grade AA reaches the 24 with floor AA or A, listed first
    assert len(cards) == 27
    assert [c == " inc-eligible" for c in cards] == [True] * 24 + [False] * 3
    assert buttons(page, zh("Show credit code")) == 24
    assert buttons(page, zh("Print credit card")) == 24
    assert zh("Not yet: this offer needs grade %(g)s or better.", g="AAA") in page
    # who checked my credit is loaded with the page (htmx) and linked without JavaScript
    assert 'hx-get="/incentives/me/activity/"' in page


def test_without_consent_there_are_no_credentials_to_show(world: World) -> None:
    page = html(client_for(world.no_consent).get("/incentives/me/"))
    assert zh("Incentives depend on your credit grade, which needs your consent to scoring.") in page
    assert buttons(page, zh("Show credit code")) == 0
    assert len(offer_codes(page)) == 27


def test_a_representative_switches_between_their_own_file_and_the_enterprise(world: World) -> None:
    # given: the resident also represents an enterprise
    enterprise = make_organisation(world.tree.village_a1)
    link(world.aa, enterprise.subject, relation="representative")
    own_id = subject_of_self(world.aa)
    client = client_for(world.aa)

    # when
    own = html(client.get("/incentives/me/", {"subject": own_id}))
    business = html(client.get("/incentives/me/", {"subject": enterprise.pk}))

    # then: each subject's offers, a switch between the two, and the activity of the one shown
    assert (len(offer_codes(own)), len(offer_codes(business))) == (27, 5)
    assert ("城乡公交半价乘车" in own, "企业信用贷款免抵押" in own) == (True, False)
    assert ("城乡公交半价乘车" in business, "企业信用贷款免抵押" in business) == (False, True)
    switch = re.findall(r'<a href="\?subject=(\d+)"( aria-current="page")?>', business)
    assert sorted(switch) == sorted([(str(own_id), ""), (str(enterprise.pk), ' aria-current="page"')])
    assert f'hx-get="/incentives/me/activity/?subject={enterprise.pk}"' in business
    assert f'<input type="hidden" name="subject" value="{enterprise.pk}">' not in business  # no grade, no codes
    assert f'<input type="hidden" name="subject" value="{own_id}">' in own
    # a subject the account does not speak for is not found
    other = make_organisation(world.tree.village_a2, name="别家公司")
    assert client.get("/incentives/me/", {"subject": other.pk}).status_code == 404


@pytest.mark.parametrize("who", ["bus", "office"])
def test_the_holder_page_is_not_found_for_someone_without_a_file(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    assert client.get("/incentives/me/").status_code == 404
    assert client.get("/incentives/me/activity/").status_code == 404


def test_the_holder_pages_ask_anonymous_visitors_to_sign_in(world: World) -> None:
    assert Client().get("/incentives/me/")["Location"] == "/login/?next=/incentives/me/"
    response = Client().post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "live"})
    assert response["Location"] == "/login/?next=/incentives/me/credentials/"
    assert Credential.objects.count() == 0


def test_showing_a_credit_code_draws_the_token_as_a_qr_code(world: World) -> None:
    # when
    response = client_for(world.aa).post(
        "/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "live"}
    )

    # then: one live credential; the page shows its QR code, its text and the countdown
    page = html(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    credential = Credential.objects.get()
    assert (credential.kind, credential.incentive.code, credential.subject_id) == (
        "live",
        "bus-half-aa",
        subject_of(world.aa),
    )
    token = re.search(r'<textarea id="token"[^>]*>([^<]+)</textarea>', page)
    assert token is not None
    verified = signing.verify_token(token.group(1), public_keys(), now=credential.issued_at)
    assert (verified.status, verified.claims.jti if verified.claims else "") == ("ok", credential.jti)
    assert re.search(r'<svg viewBox="0 0 (\d+) \1" class="inc-qr-svg"><title>' + zh("Credit code"), page)
    assert 'data-countdown="300"' in page
    assert "城乡公交半价乘车" in page
    assert zh("Valid until %(at)s", at="10:05:00") in page


def test_printing_a_credit_card_gives_a_printable_card(world: World) -> None:
    response = client_for(world.aa).post(
        "/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "card"}
    )
    page = html(response)
    credential = Credential.objects.get()
    assert credential.kind == "card"
    assert zh("Rongxin credit card") in page
    assert f'<dd class="mono">{credential.jti}</dd>' in page
    assert "<dd>2026-03-31 10:00</dd>" in page  # 30 days
    assert "data-countdown" not in page


def test_a_holder_prints_at_most_three_cards_per_offer_in_force(world: World) -> None:
    # given three printed cards of the half-price bus offer, and one of them withdrawn
    client = client_for(world.aa)
    for _ in range(3):
        client.post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "card"})
    # when a fourth is asked for
    response = client.post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "card"})
    # then it is refused with the reason in Chinese and nothing is saved
    assert response["Location"] == "/incentives/me/"
    message = zh(
        "You already have %(n)d printed cards for this offer in force. Withdraw one (a lost card, for example) "
        "before printing another.",
        n=3,
    )
    assert message in html(client.get("/incentives/me/"))
    assert Credential.objects.filter(kind="card").count() == 3
    # a live code, and a card of another offer, are still possible; and withdrawing a card frees a place
    client.post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "live"})
    client.post("/incentives/me/credentials/", {"incentive_id": world.incentive("loan-rate-aa").pk, "kind": "card"})
    client.post(f"/incentives/me/credentials/{Credential.objects.filter(kind='card').first().jti}/withdraw/")
    again = client.post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "card"})
    assert again.status_code == 200
    assert Credential.objects.filter(kind="card", incentive=half(world), revoked_at__isnull=True).count() == 3
    assert Credential.objects.count() == 6


def test_an_offer_beyond_the_grade_is_refused_with_the_reason_and_nothing_saved(world: World) -> None:
    client = client_for(world.a)
    response = client.post("/incentives/me/credentials/", {"incentive_id": half(world).pk, "kind": "live"})
    assert response["Location"] == "/incentives/me/"
    assert zh("This incentive needs grade %(g)s or better.", g="AA") in html(client.get("/incentives/me/"))
    assert Credential.objects.count() == 0


@pytest.mark.parametrize(
    "data", [{"kind": "live"}, {"incentive_id": "x", "kind": "live"}, {"incentive_id": "1", "kind": "forever"}]
)
def test_a_tampered_credential_form_is_not_found(world: World, data: dict[str, str]) -> None:
    assert client_for(world.aa).post("/incentives/me/credentials/", data).status_code == 404
    assert Credential.objects.count() == 0


def test_the_holder_withdraws_a_credential_and_nobody_else_can(world: World) -> None:
    card = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").credential
    url = f"/incentives/me/credentials/{card.jti}/withdraw/"

    assert client_for(world.a).post(url).status_code == 404
    assert client_for(world.bus).post(url).status_code == 404
    card.refresh_from_db()
    assert card.revoked_at is None

    response = client_for(world.aa).post(url)
    assert response["Location"] == f"/incentives/me/?subject={subject_of(world.aa)}#activity"
    card.refresh_from_db()
    assert card.revoked_at is not None


def test_who_checked_my_credit_lists_every_check_and_redemption(world: World) -> None:
    # given: the bus company checks a live code on its page and records a redemption with a card
    live = credential_issue(actor=world.aa, incentive_id=half(world).pk).token
    card = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    credentials_check(actor=world.bus, tokens=[live], channel=Check.Channel.PAGE)
    redemption_record(actor=world.bus, token=card, reference="T-0001")

    # when
    client = client_for(world.aa)
    page = html(client.get("/incentives/me/activity/"))
    fragment = html(client.get("/incentives/me/activity/", HTTP_HX_REQUEST="true"))

    # then: two checks (page, at redemption) and one redemption, each with provider and offer
    checks = page[page.index('id="checks"') : page.index('id="redemptions"')]
    assert checks.count('class="inc-log-item result-eligible"') == 2
    assert checks.count(BUS) == 2
    assert checks.count("城乡公交半价乘车") == 2
    assert (zh("Provider page") in checks, zh("At redemption") in checks) == (True, True)
    assert checks.count(f'<span class="badge ok">{zh("Eligible")}</span>') == 2
    assert zh("Reference %(ref)s", ref="T-0001") in page
    assert buttons(page, zh("Withdraw")) == 2  # both credentials still valid
    assert fragment.startswith('<section class="card" id="activity">')
    assert "<html" not in fragment
    # nobody else's checks: another resident sees none
    assert zh("Nobody has checked your credit yet.") in html(client_for(world.a).get("/incentives/me/activity/"))


# --- The provider's page ----------------------------------------------------------------------
def test_the_provider_page_shows_the_forms_and_own_offers_only(world: World) -> None:
    response = client_for(world.bus).get("/incentives/provider/")
    page = html(response)
    assert response.status_code == 200
    assert zh("Check a credential") in page
    assert zh("Record a redemption") in page
    offers = page[page.index('id="offers"') :]
    assert re.findall(r'<td class="mono">([^<]+)</td>', offers) == ["bus-free-aaa", "bus-half-aa"]
    assert 'href="/incentives/verify-offline/"' in page
    assert 'href="/incentives/provider/propose/"' in page


@pytest.mark.parametrize("who", ["aa", "office"])
def test_provider_pages_are_not_found_for_others(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    token = credential_issue(actor=world.aa, incentive_id=half(world).pk).token
    assert client.get("/incentives/provider/").status_code == 404
    assert client.post("/incentives/provider/check/", {"token": token}).status_code == 404
    assert client.post("/incentives/provider/redeem/", {"token": token, "reference": "R1"}).status_code == 404
    assert client.get("/incentives/provider/propose/").status_code == 404
    assert (Check.objects.count(), Redemption.objects.count()) == (0, 0)


def _private_resident(world: World) -> tuple[Any, str, str]:
    """A resident of grade AA (1035) with a name, ID number and phone a page could leak."""
    user = resident(world.tree, "wang", points=35, birth="19850505")
    subject = Subject.objects.get(pk=subject_of(user))
    Subject.objects.filter(pk=subject.pk).update(name="王秀英")
    Person.objects.filter(pk=subject.pk).update(phone_encrypted=pii.encrypt("13812345678"), phone_masked="138****5678")
    person = Person.objects.get(pk=subject.pk)
    return user, pii.decrypt(bytes(person.id_number_encrypted)), person.id_number_masked


def _without_secrets(page: str, token: str) -> str:
    """The page without the credential text and CSRF tokens (random characters)."""
    page = page.replace(token, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_a_check_answers_only_yes_or_no_and_never_shows_who(world: World) -> None:
    # given
    user, id_number, masked = _private_resident(world)
    token = credential_issue(actor=user, incentive_id=half(world).pk).token

    # when
    response = client_for(world.bus).post("/incentives/provider/check/", {"token": token})

    # then: eligible, recorded as a page check, and nothing about the holder on the page
    page = html(response)
    assert response.status_code == 200
    verdict = page[page.index('id="verdict"') : page.index("</section>", page.index('id="verdict"'))]
    assert zh("Eligible") in verdict
    assert zh("The holder qualifies for this offer now. Give the benefit.") in verdict
    check = Check.objects.get()
    assert (check.channel, check.result, check.subject_id) == ("page", "eligible", subject_of(user))
    visible = _without_secrets(page, token)
    for secret in ("王秀英", "1035", id_number, masked, "13812345678", "138****5678", "城乡公交半价乘车"):
        assert secret not in visible
    # the redemption form is ready with the same credential
    assert re.search(r'<textarea name="token"[^>]*id="redeem_token"[^>]*>\s*' + re.escape(token), page)


def test_a_used_live_code_is_checked_as_used_and_shown_used_to_its_holder(world: World) -> None:
    # given a live code the bus company has redeemed
    token = credential_issue(actor=world.aa, incentive_id=half(world).pk).token
    client = client_for(world.bus)
    client.post("/incentives/provider/redeem/", {"token": token, "reference": "T-USED"})
    # when the bus company checks it again
    response = client.post("/incentives/provider/check/", {"token": token})
    # then the page says "already used", not "eligible", and offers no redemption form for it
    page = html(response)
    verdict = page[page.index('id="verdict"') : page.index("</section>", page.index('id="verdict"'))]
    assert response.status_code == 200
    assert '<span aria-hidden="true">✗</span> ' + zh("Already used") in verdict
    assert zh("This live code was already used; ask the holder to show a new one.") in verdict
    assert zh("Eligible") not in verdict
    assert token not in page
    assert list(Check.objects.order_by("id").values_list("channel", "result")) == [
        ("redemption", "eligible"),
        ("page", "used"),
    ]
    # and the holder's page lists the code as used, with no way to withdraw it
    mine = html(client_for(world.aa).get("/incentives/me/activity/"))
    credentials = mine[mine.index('id="credentials"') :]
    assert f'<span class="badge">{zh("Used")}</span>' in credentials
    assert f'<span class="badge ok">{zh("Valid")}</span>' not in credentials
    assert buttons(mine, zh("Withdraw")) == 0
    assert f'<span class="badge">{zh("Already used")}</span>' in mine  # the check, in "who checked my credit"


def test_a_check_of_a_bad_credential_says_why_in_chinese(world: World) -> None:
    loan = credential_issue(actor=world.aa, incentive_id=world.incentive("loan-rate-aa").pk).token
    client = client_for(world.bus)

    forged = html(client.post("/incentives/provider/check/", {"token": "RXI1.e30.AAAA"}))
    other = html(client.post("/incentives/provider/check/", {"token": loan}))

    assert zh("This is not a valid credential (forged, altered or unknown).") in forged
    assert zh("This credential is for another provider's incentive.") in other
    assert (zh("Eligible") in other, 'inc-verdict inc-no"' in other) == (False, True)
    assert list(Check.objects.order_by("id").values_list("result", flat=True)) == ["invalid", "wrong_provider"]


def test_an_empty_check_comes_back_with_the_error_and_records_nothing(world: World) -> None:
    response = client_for(world.bus).post("/incentives/provider/check/", {"token": "  "})
    assert response.status_code == 422
    assert zh("Scan the holder's code or paste the text under it.") in html(response)
    assert Check.objects.count() == 0


def test_a_redemption_is_recorded_once_per_reference(world: World) -> None:
    token = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    client = client_for(world.bus)

    first = client.post("/incentives/provider/redeem/", {"token": token, "reference": "T-0001"}, follow=True)
    again = client.post("/incentives/provider/redeem/", {"token": token, "reference": "T-0001"}, follow=True)

    assert first.redirect_chain == [("/incentives/provider/", 302)]
    assert zh(
        "Redemption recorded: %(title)s, your reference %(reference)s.", title="城乡公交半价乘车", reference="T-0001"
    ) in html(first)
    assert zh("This redemption was already recorded; nothing was added.") in html(again)
    r = Redemption.objects.get()
    assert (r.reference, r.incentive.code, r.subject_id) == ("T-0001", "bus-half-aa", subject_of(world.aa))


def test_a_refused_redemption_keeps_the_input_and_saves_nothing(world: World, frozen: Any) -> None:
    token = credential_issue(actor=world.aa, incentive_id=half(world).pk).token
    frozen.shift(dt.timedelta(minutes=6))  # the live code has expired
    client = client_for(world.bus)

    expired = client.post("/incentives/provider/redeem/", {"token": token, "reference": "T-0002"})
    missing = client.post("/incentives/provider/redeem/", {"token": token, "reference": ""})

    assert expired.status_code == 422
    assert zh("This credential has expired; ask the holder to show a new one.") in html(expired)
    assert 'value="T-0002"' in html(expired)
    assert token in html(expired)
    assert missing.status_code == 422
    assert zh("Give your own reference (1–64 characters).") in html(missing)
    assert token in html(missing)
    assert Redemption.objects.count() == 0
    assert list(Check.objects.values_list("result", flat=True)) == ["expired"]  # the refused attempt


def test_a_reused_reference_is_a_conflict(world: World) -> None:
    first = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    second = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    client = client_for(world.bus)
    client.post("/incentives/provider/redeem/", {"token": first, "reference": "T-0003"})

    response = client.post("/incentives/provider/redeem/", {"token": second, "reference": "T-0003"})

    assert response.status_code == 409
    assert zh("This reference was already used for another redemption.") in html(response)
    assert Redemption.objects.count() == 1


def test_checks_and_redemptions_on_the_page_share_the_rate_limit(world: World, settings: Any) -> None:
    settings.RONGXIN_INCENTIVE_RATE = "2/m"
    token = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    client = client_for(world.bus)

    statuses = [
        client.post("/incentives/provider/check/", {"token": token}).status_code,
        client.post("/incentives/provider/redeem/", {"token": token, "reference": "RL-1"}).status_code,
        client.post("/incentives/provider/check/", {"token": token}).status_code,
        client.post("/incentives/provider/redeem/", {"token": token, "reference": "RL-2"}).status_code,
    ]

    assert statuses == [200, 302, 429, 429]
    assert (Check.objects.count(), Redemption.objects.count()) == (2, 1)


PROPOSAL = {
    "code": "bus-night-aa",
    "title_zh": "夜班公交免费",
    "title_en": "Free night buses",
    "category": "transit",
    "min_grade": "AA",
    "benefit_zh": "AA级信用居民免费乘坐夜班公交",
    "valid_from": "2026-04-01",
    "for_persons": "on",
    "quota_per_holder": "2",
    "quota_period": "day",
}


def test_a_provider_proposes_an_offer(world: World) -> None:
    client = client_for(world.bus)
    assert client.get("/incentives/provider/propose/").status_code == 200

    response = client.post("/incentives/provider/propose/", PROPOSAL)

    assert response["Location"] == "/incentives/provider/"
    offer = Incentive.objects.get(code="bus-night-aa")
    assert (offer.status, offer.provider.code, offer.quota_per_holder, offer.quota_period) == (
        "proposed",
        "rc_bus",
        2,
        "day",
    )
    page = html(client.get("/incentives/provider/"))
    assert '<td class="mono">bus-night-aa</td>' in page
    assert zh("Proposed") in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"code": "bus-half-aa"}, "code", "This code is taken."),
        ({"title_zh": ""}, "title_zh", "This field is required."),
        ({"valid_until": "2026-03-01"}, "valid_until", "The end must not be before the start."),
        ({"quota_period": ""}, "quota_period", "Choose the period of the quota."),
        ({"for_persons": ""}, "for_persons", "Choose who the incentive is for."),
    ],
)
def test_a_bad_proposal_comes_back_with_the_error_and_saves_nothing(
    world: World, change: dict[str, str], field: str, message: str
) -> None:
    data = {**PROPOSAL, **change}
    response = client_for(world.bus).post("/incentives/provider/propose/", data)
    page = html(response)
    assert response.status_code == 422
    assert zh(message) in page
    assert 'value="夜班公交免费"' in page or field == "title_zh"
    assert "AA级信用居民免费乘坐夜班公交" in page
    assert Incentive.objects.count() == 32


# --- Offline check ----------------------------------------------------------------------------
def test_the_offline_check_page_explains_itself_and_names_the_key_document(world: World) -> None:
    page = html(Client().get("/incentives/verify-offline/"))
    assert zh("Offline check of a credential") in page
    assert (
        zh_tag(
            "This is the offline check. This page checks a credential inside this browser and sends nothing to the "
            "server: it verifies the county's Ed25519 signature with the published public keys and compares the "
            "expiry time with this device's clock."
        )
        in page
    )
    assert 'data-keys-url="/api/v1/incentives/keys"' in page
    assert 'data-status-url="/api/v1/incentives/status"' in page
    assert (
        zh_tag(
            "So a holder whose grade fell is refused here at the latest 24 hours after the last list was fetched. "
            "Use the online check on the provider page whenever the network is available; it always knows the "
            "current grade."
        )
        in page
    )
    assert "/static/web/vendor/jsQR-1.4.0.js" in page


# --- The county credit office -----------------------------------------------------------------
def test_the_office_page_shows_providers_proposals_offers_and_statistics(world: World) -> None:
    client_for(world.bus).post("/incentives/provider/propose/", PROPOSAL)
    card = credential_issue(actor=world.aa, incentive_id=half(world).pk, kind="card").token
    redemption_record(actor=world.bus, token=card, reference="T-0001")

    response = client_for(world.office).get("/incentives/manage/")

    page = html(response)
    assert response.status_code == 200
    proposals = page[page.index('id="proposals"') : page.index('id="offers"')]
    assert proposals.count('class="review-item"') == 1
    assert "夜班公交免费" in proposals
    statistics = page[page.index('id="statistics"') : page.index('id="providers"')]
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td>([^<]+)</td>.*?<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td></tr>",
        statistics,
    )
    assert rows == [("2026-03", BUS, "1", "1")]
    providers = page[page.index('id="providers"') :]
    assert providers.count('<tr><td class="mono">') == 24
    assert (
        '<tr><td class="mono">rc_bus</td><td>荣成市公共交通有限公司</td><td class="num">3</td><td class="num">'
        f'<a href="/incentives/manage/providers/{Provider.objects.get(code="rc_bus").pk}/accounts/" '
        'aria-label="荣成市公共交通有限公司的账号：1">1</a></td>' in providers
    )


@pytest.mark.parametrize("who", ["aa", "bus"])
def test_the_office_pages_are_not_found_for_others(world: World, who: str) -> None:
    client = client_for(getattr(world, who))
    offer = half(world)
    assert client.get("/incentives/manage/").status_code == 404
    assert (
        client.post(f"/incentives/manage/{offer.pk}/decide/", {"decision": "reject", "reason": "x"}).status_code == 404
    )
    assert client.post("/incentives/manage/providers/new/", {"code": "x", "name": "X"}).status_code == 404
    offer.refresh_from_db()
    assert offer.status == "approved"
    assert Provider.objects.count() == 24


def test_the_office_approves_a_proposal_and_suspends_an_offer_with_a_reason(world: World) -> None:
    client_for(world.bus).post("/incentives/provider/propose/", PROPOSAL)
    proposal = Incentive.objects.get(code="bus-night-aa")
    office = client_for(world.office)

    approved = office.post(f"/incentives/manage/{proposal.pk}/decide/", {"decision": "approve"})
    suspended = office.post(
        f"/incentives/manage/{half(world).pk}/decide/", {"decision": "reject", "reason": "线路调整"}
    )

    assert (approved["Location"], suspended["Location"]) == ("/incentives/manage/#offers", "/incentives/manage/#offers")
    proposal.refresh_from_db()
    offer = half(world)
    assert (proposal.status, offer.status, offer.decision_reason) == ("approved", "suspended", "线路调整")


def test_a_rejection_without_a_reason_comes_back_with_the_error(world: World) -> None:
    client_for(world.bus).post("/incentives/provider/propose/", PROPOSAL)
    proposal = Incentive.objects.get(code="bus-night-aa")

    response = client_for(world.office).post(f"/incentives/manage/{proposal.pk}/decide/", {"decision": "reject"})

    assert response.status_code == 422
    assert zh("Say why.") in html(response)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_at) == ("proposed", None)


def test_approving_an_approved_offer_is_refused(world: World) -> None:
    response = client_for(world.office).post(f"/incentives/manage/{half(world).pk}/decide/", {"decision": "approve"})
    assert response.status_code == 422  # "approve" is not a choice for an approved offer
    assert half(world).decided_by is None


def test_the_office_adds_a_provider(world: World) -> None:
    office = client_for(world.office)
    bad = office.post("/incentives/manage/providers/new/", {"code": "rc_bus", "name": "另一家公交公司"})
    assert bad.status_code == 422
    assert zh("This code is taken.") in html(bad)
    assert 'value="另一家公交公司"' in html(bad)

    good = office.post("/incentives/manage/providers/new/", {"code": "rc_taxi", "name": "荣成出租汽车公司"})

    assert good["Location"] == "/incentives/manage/#providers"
    assert Provider.objects.get(code="rc_taxi").name == "荣成出租汽车公司"
    assert Provider.objects.count() == 25


def test_the_office_links_an_account_to_a_provider(world: World) -> None:
    office = client_for(world.office)
    taxi = provider_create(actor=world.office, code="rc_taxi", name="荣成出租汽车公司", contact="")
    make_user("taxi_desk", Role.INCENTIVE_PROVIDER, world.tree.county)
    make_user("plain_clerk", Role.VILLAGE_OFFICER, world.tree.village_a1)
    url = f"/incentives/manage/providers/{taxi.pk}/accounts/"

    empty = office.get(url)
    unknown = office.post(url, {"username": "nobody"})
    no_grant = office.post(url, {"username": "plain_clerk"})
    taken = office.post(url, {"username": world.bus.username})
    linked = office.post(url, {"username": " taxi_desk "})
    page = office.get(url)

    assert empty.status_code == 200
    assert zh("No account acts for this provider yet.") in html(empty)
    assert (unknown.status_code, no_grant.status_code, taken.status_code) == (422, 422, 409)
    assert zh("There is no account with this username.") in html(unknown)
    assert 'value="nobody"' in html(unknown)
    assert zh("The account needs an incentive-provider grant first.") in html(no_grant)
    assert zh("This account already acts for a provider.") in html(taken)
    assert linked["Location"] == url
    assert list(taxi.accounts.values_list("user__username", flat=True)) == ["taxi_desk"]
    assert '<td class="mono">taxi_desk</td>' in html(page)
    assert zh("%(user)s now acts for %(provider)s.") % {"user": "taxi_desk", "provider": "荣成出租汽车公司"} in html(
        page
    )


@pytest.mark.parametrize("who", ["aa", "bus"])
def test_only_the_office_links_accounts(world: World, who: str) -> None:
    provider_pk = Provider.objects.get(code="rc_bus").pk
    client = client_for(getattr(world, who))
    url = f"/incentives/manage/providers/{provider_pk}/accounts/"
    before = list(Provider.objects.get(pk=provider_pk).accounts.values_list("user_id", flat=True))

    assert client.get(url).status_code == 404
    assert client.post(url, {"username": world.bus.username}).status_code == 404
    assert client_for(world.office).get("/incentives/manage/providers/999999/accounts/").status_code == 404
    assert list(Provider.objects.get(pk=provider_pk).accounts.values_list("user_id", flat=True)) == before


def test_an_auditor_is_not_the_office(world: World) -> None:
    auditor = make_user("auditor", Role.AUDITOR, world.tree.county)
    assert client_for(auditor).get("/incentives/manage/").status_code == 404
