"""The incentives JSON API: exact bodies per group, every bad credential answered with its
documented code and recorded, a permission matrix per write endpoint where every denied call
changes nothing, the privacy of everything a provider receives, and the rate limit."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.services import api_key_create
from rongxin.conftest import client_for, link, make_organisation, make_user
from rongxin.core import clock, pii
from rongxin.core.models import AuditEvent
from rongxin.credit.models import SubjectCredit
from rongxin.incentives.domain import signing
from rongxin.incentives.models import Check, Credential, Incentive, Provider, ProviderAccount, Redemption, SigningKey
from rongxin.incentives.selectors import pseudonym_key, public_keys
from rongxin.incentives.services.credentials import credential_issue
from rongxin.incentives.services.offers import IncentiveInput, incentive_propose
from rongxin.incentives.services.status import export_build
from rongxin.incentives.tests.conftest import World, provider_user, resident
from rongxin.subjects.models import Person, Subject, SubjectAccount

API = "/api/v1/incentives"
PROBLEM = "application/problem+json"
NOW = "2026-03-01T10:00:00+08:00"
LATER = "2026-03-01T10:01:00+08:00"
BUS = "荣成市公共交通有限公司"
_names = itertools.count(1)


def send(user: User | None, method: str, url: str, body: Any = None, **extra: Any) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {}, **extra)
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **extra)


def problem(response: Any) -> tuple[int, str, str]:
    return response.status_code, response["Content-Type"], response.json()["code"]


def subject_of(user: User) -> int:
    """The user's own person record."""
    return SubjectAccount.objects.get(user=user, relation="self").subject_id


def card(world: World, code: str = "bus-half-aa", user: User | None = None) -> str:
    """A printed-card credential (30 days) of ``user`` (default: the AA resident)."""
    return credential_issue(actor=user or world.aa, incentive_id=world.incentive(code).pk, kind="card").token


def live(world: World, code: str = "bus-half-aa") -> str:
    return credential_issue(actor=world.aa, incentive_id=world.incentive(code).pk).token


def altered(token: str, **changes: Any) -> str:
    """The token with claims changed and the original signature kept."""
    prefix, payload, signature = token.split(".")
    raw = json.loads(signing.unb64u(payload)) | changes
    encoded = signing.b64u(json.dumps(raw, sort_keys=True, separators=(",", ":")).encode())
    return f"{prefix}.{encoded}.{signature}"


def forged(token: str) -> str:
    """The same claims (same key id) signed with a key that is not the county's."""
    claims = signing.verify_token(token, public_keys(), now=clock.now()).claims
    assert claims is not None
    return signing.sign_token(Ed25519PrivateKey.generate(), claims)


def checks() -> list[tuple[str, str, int | None]]:
    return list(Check.objects.order_by("id").values_list("channel", "result", "subject_id"))


def proposal(world: World, code: str | None = None) -> Incentive:
    data = IncentiveInput(
        code=code or f"offer-{next(_names)}", title_zh="夜班公交免费", title_en="Free night buses", category="transit",
        min_grade="A", benefit_zh="夜班公交免费乘车", valid_from=dt.date(2026, 3, 1),
    )  # fmt: skip
    return incentive_propose(actor=world.bus, data=data)


# ============================================================================================
# Public: keys and offers
# ============================================================================================
def test_the_key_document_is_public_and_cacheable(world: World) -> None:
    # when
    response = send(None, "get", f"{API}/keys")
    # then
    key = SigningKey.objects.get()
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.json() == {
        "format": "rongxin-incentive-keys/1",
        "keys": [
            {
                "kid": key.kid,
                "alg": "Ed25519",
                "public_key": signing.b64u(bytes(key.public_key)),
                "created_at": "2026-03-01T02:00:00+00:00",
                "retired_at": None,
            }
        ],
    }
    token = card(world)
    keys = signing.public_keys_from_document(response.json())
    assert signing.verify_token(token, keys, now=clock.now()).status == "ok"


def test_offers_are_public_filtered_and_in_the_callers_language(world: World) -> None:
    # when
    everything = send(None, "get", f"{API}/offers")
    # then
    assert (everything.status_code, everything["Cache-Control"]) == (200, "public, max-age=300")
    assert len(everything.json()) == 32
    assert everything.json()[0] == {
        "id": world.incentive("library-double").pk,
        "code": "library-double",
        "title": "免押金借阅、借阅册数翻倍",
        "title_zh": "免押金借阅、借阅册数翻倍",
        "title_en": world.incentive("library-double").title_en,
        "provider": "荣成市图书馆",
        "provider_code": "rc_library",
        "category": "education",
        "for_persons": True,
        "for_organisations": False,
        "min_grade": "A",
        "benefit": "办理借阅证免押金，可借册数由5册增至10册",
        "valid_from": "2023-01-01",
        "valid_until": None,
        "quota_per_holder": 1,
        "quota_period": "year",
        "quota_total": None,
    }
    transit = send(None, "get", f"{API}/offers", {"category": "transit"}).json()
    assert [o["code"] for o in transit] == ["bus-half-aa", "parking-first-hour", "bus-free-aaa"]
    organisations = send(None, "get", f"{API}/offers", {"for_kind": "organisation"}).json()
    assert [o["code"] for o in organisations] == [
        "tax-green-channel", "procurement-bonus", "fewer-inspections", "loan-enterprise-aa", "power-install-priority",
    ]  # fmt: skip
    english = Client().get(f"{API}/offers", {"category": "transit"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [(o["title"], o["benefit"]) for o in english][:1] == [
        ("Half-price bus rides", "AA级信用居民乘坐城乡公交享受五折票价")
    ]
    Incentive.objects.filter(code="parking-first-hour").update(valid_until=dt.date(2026, 2, 28))
    Incentive.objects.filter(code="bus-free-aaa").update(status=Incentive.Status.SUSPENDED)
    assert [o["code"] for o in send(None, "get", f"{API}/offers", {"category": "transit"}).json()] == ["bus-half-aa"]


# ============================================================================================
# Holders
# ============================================================================================
def test_a_holder_sees_their_grade_and_what_they_may_use(world: World) -> None:
    # when
    response = send(world.aa, "get", f"{API}/me")
    # then
    body = response.json()
    assert response.status_code == 200
    assert {k: v for k, v in body.items() if k != "offers"} == {
        "subject_id": subject_of(world.aa),
        "kind": "person",
        "consent": True,
        "score": 1035,
        "grade": "AA",
    }
    assert len(body["offers"]) == 27
    assert body["offers"][0]["code"] == "library-double"
    assert body["offers"][0]["eligible"] is True
    assert [o["code"] for o in body["offers"] if not o["eligible"]] == [
        "loan-credit-aaa", "bus-free-aaa", "chengshantou-free",
    ]  # fmt: skip
    nobody = send(world.no_consent, "get", f"{API}/me").json()
    assert (nobody["consent"], nobody["score"], nobody["grade"], [o for o in nobody["offers"] if o["eligible"]]) == (
        False,
        None,
        "",
        [],
    )
    assert problem(send(world.bus, "get", f"{API}/me")) == (404, PROBLEM, "not_found")
    assert problem(send(None, "get", f"{API}/me")) == (401, PROBLEM, "unauthenticated")
    assert problem(send(world.aa, "get", f"{API}/me", {"subject_id": subject_of(world.a)})) == (
        404,
        PROBLEM,
        "not_found",
    )


def test_a_holder_creates_withdraws_and_sees_every_check(world: World, frozen: Any) -> None:
    # when a live code by code, and a minute later a card by id
    created = send(world.aa, "post", f"{API}/me/credentials", {"incentive": "bus-half-aa"})
    frozen.shift(dt.timedelta(minutes=1))
    half = world.incentive("bus-half-aa").pk
    by_id = send(world.aa, "post", f"{API}/me/credentials", {"incentive_id": half, "kind": "card"})
    # then
    assert (created.status_code, by_id.status_code) == (201, 201)
    first, second = Credential.objects.get(kind="live"), Credential.objects.get(kind="card")
    body = created.json()
    assert body == {
        "jti": first.jti,
        "incentive": "bus-half-aa",
        "kind": "live",
        "token": body["token"],
        "qr_payload": body["token"],
        "issued_at": NOW,
        "expires_at": "2026-03-01T10:05:00+08:00",
    }
    verified = signing.verify_token(body["token"], public_keys(), now=clock.now())
    assert (verified.status, verified.claims.incentive if verified.claims else None) == ("ok", "bus-half-aa")
    token = by_id.json()["token"]
    assert by_id.json() == {
        "jti": second.jti,
        "incentive": "bus-half-aa",
        "kind": "card",
        "token": token,
        "qr_payload": token,
        "issued_at": LATER,
        "expires_at": "2026-03-31T10:01:00+08:00",
    }

    # when the bus company checks the card and redeems it, and the holder withdraws the live code
    send(world.bus, "post", f"{API}/verify", {"tokens": [token]})
    send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "BUS-0001"})
    withdrawn = send(world.aa, "delete", f"{API}/me/credentials/{first.jti}")
    assert withdrawn.json() == {
        "jti": first.jti,
        "incentive": "bus-half-aa",
        "title": "城乡公交半价乘车",
        "kind": "live",
        "issued_at": NOW,
        "expires_at": "2026-03-01T10:05:00+08:00",
        "revoked_at": LATER,
        "state": "revoked",
    }

    # then the holder sees their credentials, every check and the redemption, newest first
    seen = send(world.aa, "get", f"{API}/me/activity").json()
    half_price = {"incentive": "bus-half-aa", "title": "城乡公交半价乘车"}
    check = {"provider": BUS, **half_price, "at": LATER}
    assert seen == {
        "subject_id": subject_of(world.aa),
        "credentials": [
            {"jti": second.jti, **half_price, "kind": "card", "issued_at": LATER,
             "expires_at": "2026-03-31T10:01:00+08:00", "revoked_at": None, "state": "valid"},
            {"jti": first.jti, **half_price, "kind": "live", "issued_at": NOW,
             "expires_at": "2026-03-01T10:05:00+08:00", "revoked_at": LATER, "state": "revoked"},
        ],
        "checks": [
            check | {"channel": "redemption", "result": "eligible"},
            check | {"channel": "online", "result": "eligible"},
        ],
        "redemptions": [{"provider": BUS, **half_price, "reference": "BUS-0001", "at": LATER}],
    }  # fmt: skip
    assert send(world.a, "get", f"{API}/me/activity").json() == {
        "subject_id": subject_of(world.a),
        "credentials": [],
        "checks": [],
        "redemptions": [],
    }


def test_printed_cards_in_force_are_capped_per_holder_and_offer(world: World, settings: Any) -> None:
    # given a cap of two cards, both printed
    settings.RONGXIN_INCENTIVE_MAX_CARDS = 2
    card(world)
    card(world)
    # when a third is asked for
    refused = send(world.aa, "post", f"{API}/me/credentials", {"incentive": "bus-half-aa", "kind": "card"})
    # then 409 problem+json, in Chinese, and nothing saved
    assert problem(refused) == (409, PROBLEM, "card_limit")
    assert (
        refused.json()["title"]
        == "您已有 2 张该激励措施的打印卡片在有效期内。请先撤回一张（例如遗失的卡片），再打印新卡片。"
    )
    assert Credential.objects.count() == 2
    # an expired card no longer counts
    oldest = Credential.objects.order_by("pk").values_list("pk", flat=True)[0]
    Credential.objects.filter(pk=oldest).update(expires_at=clock.now())
    again = send(world.aa, "post", f"{API}/me/credentials", {"incentive": "bus-half-aa", "kind": "card"})
    assert again.status_code == 201
    assert Credential.objects.count() == 3


def test_credential_requests_that_cannot_be_granted(world: World) -> None:
    def ask(user: User, body: dict[str, Any]) -> tuple[int, str, str]:
        return problem(send(user, "post", f"{API}/me/credentials", body))

    assert ask(world.a, {"incentive": "bus-half-aa"}) == (422, PROBLEM, "not_eligible")
    assert ask(world.no_consent, {"incentive": "bus-half-aa"}) == (422, PROBLEM, "no_consent")
    assert ask(world.aa, {"incentive": "loan-enterprise-aa"}) == (422, PROBLEM, "not_eligible")
    assert ask(world.aa, {"incentive": "no-such-offer"}) == (404, PROBLEM, "not_found")
    assert ask(world.aa, {"incentive_id": 999999}) == (404, PROBLEM, "not_found")
    neither = send(world.aa, "post", f"{API}/me/credentials", {})
    assert (problem(neither), [(e["field"], e["code"]) for e in neither.json()["errors"]]) == (
        (422, PROBLEM, "required"),
        [("incentive", "required")],
    )
    odd = send(world.aa, "post", f"{API}/me/credentials", {"incentive": "bus-half-aa", "kind": "tattoo"})
    assert (problem(odd), [e["field"] for e in odd.json()["errors"]]) == ((422, PROBLEM, "invalid"), ["kind"])
    assert Credential.objects.count() == 0
    jti = credential_issue(actor=world.aa, incentive_id=world.incentive("library-double").pk).credential.jti
    assert problem(send(world.a, "delete", f"{API}/me/credentials/{jti}")) == (404, PROBLEM, "not_found")
    assert problem(send(world.aa, "delete", f"{API}/me/credentials/nope")) == (404, PROBLEM, "not_found")
    assert Credential.objects.get().revoked_at is None


def test_a_representative_acts_for_their_enterprise_by_subject_id(world: World) -> None:
    # given a resident (grade A) who also represents an enterprise with grade AA
    rep = resident(world.tree, "rep", points=0, birth="19830101")
    firm = make_organisation(world.tree.village_a1).subject
    link(rep, firm, relation="representative")
    SubjectCredit.objects.update_or_create(
        subject=firm, defaults={"score": 1040, "grade": "AA", "updated_at": clock.now()}
    )
    own = {"subject_id": firm.pk}
    # when
    view = send(rep, "get", f"{API}/me", own).json()
    issued = send(rep, "post", f"{API}/me/credentials?subject_id={firm.pk}", {"incentive": "loan-enterprise-aa"})
    checked = send(world.bank, "post", f"{API}/verify", {"tokens": [issued.json()["token"]]})
    # then
    assert {k: v for k, v in view.items() if k != "offers"} == {
        "subject_id": firm.pk, "kind": "enterprise", "consent": True, "score": 1040, "grade": "AA",
    }  # fmt: skip
    assert [(o["code"], o["eligible"]) for o in view["offers"]] == [
        ("procurement-bonus", True), ("tax-green-channel", True), ("loan-enterprise-aa", True),
        ("power-install-priority", True), ("fewer-inspections", False),
    ]  # fmt: skip
    assert issued.status_code == 201
    assert Credential.objects.get().subject_id == firm.pk
    assert checked.json() == {"results": [{"eligible": True, "reason": "eligible"}]}
    assert [(c["provider"], c["result"]) for c in send(rep, "get", f"{API}/me/activity", own).json()["checks"]] == [
        ("荣成农村商业银行", "eligible")
    ]
    assert send(rep, "get", f"{API}/me/activity", {"subject_id": subject_of(rep)}).json()["checks"] == []
    assert problem(send(world.aa, "get", f"{API}/me", own)) == (404, PROBLEM, "not_found")
    denied = send(world.aa, "post", f"{API}/me/credentials?subject_id={firm.pk}", {"incentive": "loan-enterprise-aa"})
    assert problem(denied) == (404, PROBLEM, "not_found")
    assert Credential.objects.count() == 1


# ============================================================================================
# Providers
# ============================================================================================
def test_online_verification_answers_yes_or_no_per_item_in_order(world: World) -> None:
    # given
    good = card(world)
    loan = card(world, "loan-rate-aa")
    # when
    response = send(world.bus, "post", f"{API}/verify", {"tokens": [good, "nonsense", loan, good]})
    # then
    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"eligible": True, "reason": "eligible"},
            {"eligible": False, "reason": "invalid"},
            {"eligible": False, "reason": "wrong_provider"},
            {"eligible": True, "reason": "eligible"},
        ]
    }
    sid = subject_of(world.aa)
    # the card sent twice is checked (and shown to its holder) once
    assert checks() == [("online", "eligible", sid), ("online", "invalid", None), ("online", "wrong_provider", sid)]


def test_a_batch_holds_one_to_a_thousand_credentials(world: World) -> None:
    holders = [resident(world.tree, f"holder{i}", points=35, birth=f"197001{i + 1:02d}") for i in range(3)]
    tokens = [card(world, "bus-half-aa", h) for h in holders]
    batch = [tokens[i % 3] for i in range(1000)]
    full = send(world.bus, "post", f"{API}/verify", {"tokens": batch})
    assert (full.status_code, len(full.json()["results"]), Check.objects.count()) == (200, 1000, 3)
    assert {(r["eligible"], r["reason"]) for r in full.json()["results"]} == {(True, "eligible")}
    for bad in ([tokens[0]] * 1001, []):
        refused = send(world.bus, "post", f"{API}/verify", {"tokens": bad})
        assert (problem(refused), [(e["field"], e["code"]) for e in refused.json()["errors"]]) == (
            (422, PROBLEM, "batch_size"),
            [("tokens", "batch_size")],
        )
    assert Check.objects.count() == 3


def test_one_token_sent_a_thousand_times_is_one_check_on_the_holders_list(world: World) -> None:
    # given a card and a live code already redeemed
    token = card(world)
    used = live(world)
    send(world.bus, "post", f"{API}/redemptions", {"token": used, "reference": "BUS-USED"})
    Check.objects.all().delete()
    # when the bus company sends the card 998 times in one batch, between the used code and junk
    batch = [used, *([token] * 998), "nonsense"]
    response = send(world.bus, "post", f"{API}/verify", {"tokens": batch})
    # then every position is answered, and the holder's list shows one check per credential
    answers = response.json()["results"]
    assert (response.status_code, len(answers)) == (200, 1000)
    assert answers[0] == {"eligible": False, "reason": "used"}
    assert answers[1:999] == [{"eligible": True, "reason": "eligible"}] * 998
    assert answers[999] == {"eligible": False, "reason": "invalid"}
    sid = subject_of(world.aa)
    assert checks() == [("online", "used", sid), ("online", "eligible", sid), ("online", "invalid", None)]
    assert [c["result"] for c in send(world.aa, "get", f"{API}/me/activity").json()["checks"]] == ["eligible", "used"]


def test_a_used_live_code_is_answered_used_and_listed_used_for_its_holder(world: World) -> None:
    # given a live code redeemed by the bus company
    token = live(world)
    first = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "BUS-9"})
    # when it is checked again, and redeemed again under a new reference
    again = send(world.bus, "post", f"{API}/verify", {"tokens": [token]})
    replayed = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "BUS-10"})
    # then the check says "used" and the redemption is refused as before
    assert first.status_code == 201
    assert again.json() == {"results": [{"eligible": False, "reason": "used"}]}
    assert problem(replayed) == (409, PROBLEM, "replayed")
    sid = subject_of(world.aa)
    assert checks() == [("redemption", "eligible", sid), ("online", "used", sid), ("redemption", "replayed", sid)]
    assert Redemption.objects.count() == 1
    # and the holder sees the code as used
    credentials = send(world.aa, "get", f"{API}/me/activity").json()["credentials"]
    assert [(c["kind"], c["state"]) for c in credentials] == [("live", "used")]


def test_a_signature_spelt_another_way_is_invalid(world: World) -> None:
    # given a card, and its signature with the last character changed to one that decodes to
    # the same bytes (base64url leaves the low bits of the last character unused)
    token = card(world)
    prefix, payload, signature = token.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    twin = signature[:-1] + alphabet[last ^ 1]  # 86 characters for 64 bytes: 4 bits unused
    assert base64.urlsafe_b64decode(twin + "==") == base64.urlsafe_b64decode(signature + "==")
    # when
    response = send(world.bus, "post", f"{API}/verify", {"tokens": [f"{prefix}.{payload}.{twin}", token]})
    # then
    assert response.json() == {
        "results": [{"eligible": False, "reason": "invalid"}, {"eligible": True, "reason": "eligible"}]
    }
    assert checks() == [("online", "invalid", None), ("online", "eligible", subject_of(world.aa))]


def test_a_provider_downloads_its_signed_status_list(world: World, frozen: Any) -> None:
    # given a withdrawn card of the bus offer, and a card of a holder whose grade then fell
    lost = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card").credential
    send(world.aa, "delete", f"{API}/me/credentials/{lost.jti}")
    fallen = resident(world.tree, "fallen", points=35, birth="19750101")
    kept = credential_issue(actor=fallen, incentive_id=world.incentive("bus-half-aa").pk, kind="card")
    SubjectCredit.objects.filter(pk=subject_of(fallen)).update(grade="A", score=1000)
    good = card(world)
    # when the bus company downloads its status list
    response = send(world.bus, "get", f"{API}/status")
    # then it names the bus company's open offers and exactly the two refused cards, signed
    body = response.json()
    keys = public_keys()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    bus_offers = sorted(Incentive.objects.filter(provider__code="rc_bus").values_list("code", flat=True))
    assert {k: v for k, v in body.items() if k != "status"} == {
        "format": "rongxin-incentive-status/1",
        "provider": "rc_bus",
        "generated_at": NOW,
        "valid_until": "2026-03-02T10:00:00+08:00",
        "incentives": bus_offers,
        "revoked": sorted([lost.jti, kept.credential.jti]),
    }
    status = signing.read_status(body["status"], keys)
    assert (sorted(status.revoked), sorted(status.incentives)) == (body["revoked"], bus_offers)
    now = clock.now()
    assert [signing.verify_offline(t, keys, status, now=now).status for t in (good, kept.token)] == ["ok", "revoked"]
    # only providers get one, each its own
    assert send(world.bank, "get", f"{API}/status").json()["provider"] == "rc_rural_bank"
    assert problem(send(world.aa, "get", f"{API}/status")) == (404, PROBLEM, "not_found")
    assert problem(send(None, "get", f"{API}/status")) == (401, PROBLEM, "unauthenticated")


def test_api_keys_act_for_the_provider(world: World) -> None:
    _row, key = api_key_create(actor=world.office, user=world.bus, name="车载验码机")
    token = card(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    checked = client.post(f"{API}/verify", data={"tokens": [token]}, content_type="application/json")
    assert checked.json() == {"results": [{"eligible": True, "reason": "eligible"}]}
    redeemed = client.post(
        f"{API}/redemptions", data={"token": token, "reference": "K-1"}, content_type="application/json"
    )
    assert (redeemed.status_code, Redemption.objects.get().recorded_by_id) == (201, world.bus.pk)
    forged_key = Client(HTTP_AUTHORIZATION="Bearer rx_not-a-key").post(
        f"{API}/verify", data={"tokens": [token]}, content_type="application/json"
    )
    assert problem(forged_key) == (401, PROBLEM, "unauthenticated")
    assert Check.objects.count() == 2


def test_redemptions_are_idempotent_by_the_providers_reference(world: World) -> None:
    # given
    token = card(world)
    # when
    first = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "BUS-0001"})
    again = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "BUS-0001"})
    # then
    assert (first.status_code, first.json()) == (
        201,
        {"reference": "BUS-0001", "incentive": "bus-half-aa", "at": NOW, "created": True},
    )
    assert (again.status_code, again.json()) == (
        200,
        {"reference": "BUS-0001", "incentive": "bus-half-aa", "at": NOW, "created": False},
    )
    assert Redemption.objects.count() == 1
    assert Incentive.objects.get(code="bus-half-aa").redeemed_total == 1
    other = card(world, "library-double")
    reused = send(world.bus, "post", f"{API}/redemptions", {"token": other, "reference": "BUS-0001"})
    assert problem(reused) == (409, PROBLEM, "reference_reused")
    blank = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "  "})
    assert (problem(blank), [e["field"] for e in blank.json()["errors"]]) == (
        (422, PROBLEM, "reference"),
        ["reference"],
    )
    assert Redemption.objects.count() == 1


@pytest.fixture
def parker(world: World) -> User:
    return provider_user("parker", world.tree, world.office, "rc_parking")


def test_every_bad_credential_is_refused_with_its_code_and_recorded(world: World, frozen: Any, parker: User) -> None:
    # given one credential of each kind of trouble
    sid = subject_of(world.aa)
    good = card(world)
    expiring = live(world)
    replay = live(world)
    withdrawn = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk, kind="card")
    send(world.aa, "delete", f"{API}/me/credentials/{withdrawn.credential.jti}")
    parking = card(world, "parking-first-hour")  # once a day per holder
    unknown_key = altered(good, k="19990101-000000")
    cases = {
        "forged": forged(good),
        "altered": altered(good, i="bus-free-aaa"),
        "unknown_key": unknown_key,
        "garbage": "RXI1.bm90IGpzb24.c2ln",
        "withdrawn": withdrawn.token,
        "other_provider": card(world, "loan-rate-aa"),
    }
    expected = {
        "forged": (422, "invalid", None),
        "altered": (422, "invalid", None),
        "unknown_key": (422, "invalid", None),
        "garbage": (422, "invalid", None),
        "withdrawn": (422, "revoked", sid),
        "other_provider": (422, "wrong_provider", sid),
    }
    # when each is presented for redemption
    for name, token in cases.items():
        before = Check.objects.count()
        response = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": f"R-{name}"})
        status, code, subject = expected[name]
        # then the documented error, and the attempt is recorded for the holder where known
        assert problem(response) == (status, PROBLEM, code), name
        assert list(Check.objects.order_by("-id").values_list("channel", "result", "subject_id")[:1]) == [
            ("redemption", code, subject)
        ], name
        assert Check.objects.count() == before + 1
    # and online verification gives the same reasons
    answers = send(world.bus, "post", f"{API}/verify", {"tokens": list(cases.values())}).json()["results"]
    assert [a["reason"] for a in answers] == [code for _, code, _ in expected.values()]
    assert {a["eligible"] for a in answers} == {False}

    # a live code is good for one redemption; presented again it is a replay
    assert send(world.bus, "post", f"{API}/redemptions", {"token": replay, "reference": "L-1"}).status_code == 201
    replayed = send(world.bus, "post", f"{API}/redemptions", {"token": replay, "reference": "L-2"})
    assert problem(replayed) == (409, PROBLEM, "replayed")
    # the holder's quota of one a day
    assert send(parker, "post", f"{API}/redemptions", {"token": parking, "reference": "P-1"}).status_code == 201
    assert problem(send(parker, "post", f"{API}/redemptions", {"token": parking, "reference": "P-2"})) == (
        409,
        PROBLEM,
        "quota_exhausted",
    )
    # the offer's total quota
    Incentive.objects.filter(code="bus-half-aa").update(quota_total=2)
    assert send(world.bus, "post", f"{API}/redemptions", {"token": good, "reference": "T-1"}).status_code == 201
    assert problem(send(world.bus, "post", f"{API}/redemptions", {"token": good, "reference": "T-2"})) == (
        409,
        PROBLEM,
        "quota_exhausted",
    )
    # a live code past its five minutes
    frozen.shift(dt.timedelta(minutes=6))
    late = send(world.bus, "post", f"{API}/redemptions", {"token": expiring, "reference": "E-1"})
    assert problem(late) == (422, PROBLEM, "expired")
    assert send(world.bus, "post", f"{API}/verify", {"tokens": [expiring]}).json() == {
        "results": [{"eligible": False, "reason": "expired"}]
    }

    assert list(Check.objects.filter(channel="redemption").order_by("id").values_list("result", flat=True))[6:] == [
        "eligible", "replayed", "eligible", "quota_exhausted", "eligible", "quota_exhausted", "expired",
    ]  # fmt: skip
    assert sorted(Redemption.objects.values_list("reference", flat=True)) == ["L-1", "P-1", "T-1"]
    assert Incentive.objects.get(code="bus-half-aa").redeemed_total == 2
    assert AuditEvent.objects.filter(action="incentive.redeem_refused").count() == 10
    # and the holder sees every attempt that names them
    seen = send(world.aa, "get", f"{API}/me/activity").json()["checks"]
    assert len(seen) == Check.objects.filter(subject_id=sid).count() == 12  # expired codes too: signed, so known


def test_a_grade_below_the_floor_ends_eligibility_at_the_next_check(world: World) -> None:
    token = card(world)
    SubjectCredit.objects.filter(pk=subject_of(world.aa)).update(grade="A", score=1010)
    assert send(world.bus, "post", f"{API}/verify", {"tokens": [token]}).json() == {
        "results": [{"eligible": False, "reason": "not_eligible"}]
    }
    refused = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "G-1"})
    assert problem(refused) == (422, PROBLEM, "not_eligible")
    assert Redemption.objects.count() == 0


def test_providers_read_and_propose_their_own_offers(world: World) -> None:
    # when
    own = send(world.bus, "get", f"{API}/provider/offers").json()
    # then
    assert own["provider"] == {"code": "rc_bus", "name": BUS}
    assert [o["code"] for o in own["offers"]] == ["bus-free-aaa", "bus-half-aa"]
    assert own["offers"][1] == {
        "id": world.incentive("bus-half-aa").pk,
        "code": "bus-half-aa",
        "title_zh": "城乡公交半价乘车",
        "title_en": "Half-price bus rides",
        "category": "transit",
        "for_persons": True,
        "for_organisations": False,
        "min_grade": "AA",
        "benefit_zh": "AA级信用居民乘坐城乡公交享受五折票价",
        "benefit_en": "",
        "valid_from": "2023-01-01",
        "valid_until": None,
        "quota_per_holder": 4,
        "quota_period": "day",
        "quota_total": None,
        "redeemed_total": 0,
        "status": "approved",
        "proposed_at": NOW,
        "decided_at": NOW,
        "decision_reason": "初始激励措施目录",
    }
    body = {
        "code": "night-bus", "title_zh": "夜班公交免费", "title_en": "Free night buses", "category": "transit",
        "min_grade": "A", "benefit_zh": "夜班公交免费乘车", "valid_from": "2026-03-01", "quota_per_holder": 2,
        "quota_period": "day",
    }  # fmt: skip
    proposed = send(world.bus, "post", f"{API}/provider/offers", body)
    assert proposed.status_code == 201
    assert proposed.json() == {
        "id": Incentive.objects.get(code="night-bus").pk,
        "code": "night-bus",
        "title_zh": "夜班公交免费",
        "title_en": "Free night buses",
        "category": "transit",
        "for_persons": True,
        "for_organisations": False,
        "min_grade": "A",
        "benefit_zh": "夜班公交免费乘车",
        "benefit_en": "",
        "valid_from": "2026-03-01",
        "valid_until": None,
        "quota_per_holder": 2,
        "quota_period": "day",
        "quota_total": None,
        "redeemed_total": 0,
        "status": "proposed",
        "proposed_at": NOW,
        "decided_at": None,
        "decision_reason": "",
    }
    assert "night-bus" not in [o["code"] for o in send(None, "get", f"{API}/offers").json()]
    assert [o["code"] for o in send(world.bus, "get", f"{API}/provider/offers").json()["offers"]] == [
        "bus-free-aaa", "bus-half-aa", "night-bus",
    ]  # fmt: skip
    bad = send(world.bus, "post", f"{API}/provider/offers", body | {"code": "moon-bus", "category": "space"})
    assert (problem(bad), [(e["field"], e["code"]) for e in bad.json()["errors"]]) == (
        (422, PROBLEM, "invalid_choice"),
        [("category", "invalid_choice")],
    )
    taken = send(world.bus, "post", f"{API}/provider/offers", body)
    assert [(e["field"], e["code"]) for e in taken.json()["errors"]] == [("code", "duplicate")]
    assert Incentive.objects.count() == 33


def test_statistics_per_month_provider_and_offer(world: World, frozen: Any) -> None:
    # given two redemptions in March and one in April
    token = card(world)
    send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "S-1"})
    send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "S-2"})
    frozen.move_to("2026-04-02 09:00 +0800")
    send(world.bus, "post", f"{API}/redemptions", {"token": card(world), "reference": "S-3"})
    auditor = make_user("auditor", Role.AUDITOR, world.tree.county)
    # when / then
    rows = [
        {"month": "2026-04-01", "provider": BUS, "incentive": "bus-half-aa", "title": "城乡公交半价乘车",
         "redemptions": 1, "holders": 1},
        {"month": "2026-03-01", "provider": BUS, "incentive": "bus-half-aa", "title": "城乡公交半价乘车",
         "redemptions": 2, "holders": 1},
    ]  # fmt: skip
    assert send(world.bus, "get", f"{API}/statistics").json() == rows
    assert send(world.office, "get", f"{API}/statistics").json() == rows
    assert send(auditor, "get", f"{API}/statistics").json() == rows
    assert send(world.office, "get", f"{API}/statistics", {"since": "2026-04-01"}).json() == rows[:1]
    assert send(world.office, "get", f"{API}/statistics", {"since": "0001-01-01"}).json() == rows
    assert send(world.bank, "get", f"{API}/statistics").json() == []
    assert problem(send(world.aa, "get", f"{API}/statistics")) == (404, PROBLEM, "not_found")
    assert problem(send(None, "get", f"{API}/statistics")) == (401, PROBLEM, "unauthenticated")


def test_the_export_is_signed_and_lists_the_eligible_pseudonyms(world: World) -> None:
    # given no export yet
    assert problem(send(world.bus, "get", f"{API}/exports/bus-half-aa")) == (404, PROBLEM, "no_export")
    # when the worker has built one
    export_build(incentive_id=world.incentive("bus-half-aa").pk)
    export_build(incentive_id=world.incentive("loan-rate-aa").pk)
    response = send(world.bus, "get", f"{API}/exports/bus-half-aa")
    # then
    holder = signing.holder_id(pseudonym_key(), provider_id=world.incentive("bus-half-aa").provider_id,
                               subject_id=subject_of(world.aa))  # fmt: skip
    content = signing.holder_bytes(holder)
    digest = hashlib.sha256(content).hexdigest()
    body = response.json()
    assert response.status_code == 200
    assert body == {
        "format": "rongxin-incentive-export/1",
        "incentive": "bus-half-aa",
        "generated_at": NOW,
        "timestamp": 1772330400,
        "holders": 1,
        "holder_bytes": 10,
        "kid": SigningKey.objects.get().kid,
        "sha256": digest,
        "signature": body["signature"],
        "content": signing.b64u(content),
    }
    # and anyone holding the published keys can check it offline
    keys = signing.public_keys_from_document(send(None, "get", f"{API}/keys").json())
    decoded = signing.unb64u(body["content"])
    assert hashlib.sha256(decoded).hexdigest() == body["sha256"]
    message = f"RXE1.{body['incentive']}.{body['timestamp']}.{body['sha256']}".encode()
    keys[body["kid"]].verify(signing.unb64u(body["signature"]), message)  # raises if not genuine
    # the holder id is the one in the holder's credentials for this provider
    claims = signing.verify_token(card(world), public_keys(), now=clock.now()).claims
    assert claims is not None
    assert signing.holder_bytes(claims.holder) == decoded
    # another provider's offer, or none, looks missing
    assert problem(send(world.bus, "get", f"{API}/exports/loan-rate-aa")) == (404, PROBLEM, "not_found")
    assert problem(send(world.bus, "get", f"{API}/exports/no-such-offer")) == (404, PROBLEM, "not_found")
    assert problem(send(world.office, "get", f"{API}/exports/bus-half-aa")) == (404, PROBLEM, "not_found")


# ============================================================================================
# County credit office
# ============================================================================================
def test_the_county_office_registers_providers_and_decides_offers(world: World) -> None:
    # when a provider is registered
    created = send(world.office, "post", f"{API}/providers", {"code": "rc_ferry", "name": "荣成市客运轮渡公司"})
    # then
    ferry = Provider.objects.get(code="rc_ferry")
    assert (created.status_code, created.json()) == (
        201,
        {
            "id": ferry.pk, "code": "rc_ferry", "name": "荣成市客运轮渡公司", "contact": "", "active": True,
            "organisation_id": None, "created_at": NOW,
        },
    )  # fmt: skip
    taken = send(world.office, "post", f"{API}/providers", {"code": "rc_ferry", "name": "重复"})
    assert [(e["field"], e["code"]) for e in taken.json()["errors"]] == [("code", "duplicate")]

    # when an account is linked
    clerk = make_user("ferry_clerk", Role.INCENTIVE_PROVIDER, world.tree.county)
    linked = send(world.office, "post", f"{API}/providers/{ferry.pk}/accounts", {"username": "ferry_clerk"})
    assert (linked.status_code, linked.json()) == (
        201,
        {"provider": "rc_ferry", "username": "ferry_clerk", "created_at": NOW},
    )
    again = send(world.office, "post", f"{API}/providers/{ferry.pk}/accounts", {"username": "ferry_clerk"})
    assert problem(again) == (409, PROBLEM, "duplicate")
    unknown = send(world.office, "post", f"{API}/providers/{ferry.pk}/accounts", {"username": "nobody"})
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [("username", "unknown_user")]
    make_user("plain")
    no_grant = send(world.office, "post", f"{API}/providers/{ferry.pk}/accounts", {"username": "plain"})
    assert problem(no_grant) == (422, PROBLEM, "no_provider_grant")
    missing = send(world.office, "post", f"{API}/providers/999999/accounts", {"username": "plain"})
    assert problem(missing) == (404, PROBLEM, "not_found")
    assert ProviderAccount.objects.filter(provider=ferry).count() == 1

    # when the new provider proposes and the office decides
    body = {
        "code": "ferry-half", "title_zh": "轮渡半价", "title_en": "Half-price ferry", "category": "transit",
        "min_grade": "AA", "benefit_zh": "往返石岛轮渡半价", "valid_from": "2026-03-01",
    }  # fmt: skip
    offer = send(clerk, "post", f"{API}/provider/offers", body).json()
    approved = send(world.office, "post", f"{API}/offers/{offer['id']}/decision", {"approve": True})
    assert (approved.status_code, approved.json()) == (
        200,
        offer | {"status": "approved", "decided_at": NOW, "decision_reason": ""},
    )
    assert "ferry-half" in [o["code"] for o in send(None, "get", f"{API}/offers").json()]
    twice = send(world.office, "post", f"{API}/offers/{offer['id']}/decision", {"approve": True})
    assert problem(twice) == (409, PROBLEM, "already_decided")
    no_reason = send(world.office, "post", f"{API}/offers/{offer['id']}/decision", {"approve": False})
    assert [(e["field"], e["code"]) for e in no_reason.json()["errors"]] == [("reason", "required")]
    suspended = send(world.office, "post", f"{API}/offers/{offer['id']}/decision", {"approve": False, "reason": "停航"})
    assert (suspended.json()["status"], suspended.json()["decision_reason"]) == ("suspended", "停航")
    assert problem(send(world.office, "post", f"{API}/offers/999999/decision", {"approve": True})) == (
        404,
        PROBLEM,
        "not_found",
    )


# ============================================================================================
# Permission matrices: every write endpoint, every kind of caller
# ============================================================================================
def state() -> dict[str, Any]:
    """Everything a write here could touch."""
    return {
        "audit": AuditEvent.objects.count(),
        "checks": Check.objects.count(),
        "redemptions": Redemption.objects.count(),
        "credentials": Credential.objects.count(),
        "revoked": Credential.objects.filter(revoked_at__isnull=False).count(),
        "incentives": Incentive.objects.count(),
        "approved": Incentive.objects.filter(status=Incentive.Status.APPROVED).count(),
        "providers": Provider.objects.count(),
        "accounts": ProviderAccount.objects.count(),
        "offer_rows": list(Incentive.objects.order_by("pk").values_list("pk", "status", "redeemed_total")),
        "credential_rows": list(Credential.objects.order_by("pk").values_list("pk", "revoked_at")),
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, int]:
    return {k: after[k] - before[k] for k in before if not k.endswith("_rows") and after[k] != before[k]}


@pytest.fixture
def cast(world: World) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "resident": world.aa,
        "other_resident": world.a,
        "other_provider": world.bank,
        "provider": world.bus,
        "county_office": world.office,
        "town_officer": make_user("town_a_officer", Role.TOWN_OFFICER, world.tree.town_a),
    }


Call = tuple[str, str, Any]
# role → (status, the counts that change, the exact body or None)
Expect = dict[str, tuple[int, dict[str, int], Any]]


def matrix(cast: dict[str, User | None], prepare: Callable[[str], Call], expect: Expect) -> None:
    """Call once per caller (``prepare`` builds a fresh target). Expected callers get their
    status, exactly the listed changes and, where given, that body; every other caller gets 401
    (anonymous) or 404 and nothing at all changes."""
    for role, user in cast.items():
        method, url, body = prepare(role)
        before = state()
        response = send(user, method, url, body)
        after = state()
        if role in expect:
            status, changed, exact = expect[role]
            assert response.status_code == status, (role, response.content)
            assert changes(before, after) == changed, role
            if exact is not None:
                assert response.json() == exact, role
        else:
            expected = 401 if user is None else 404
            assert problem(response) == (expected, PROBLEM, "unauthenticated" if user is None else "not_found"), role
            assert after == before, role


def test_matrix_create_a_credential(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast,
        lambda role: ("post", f"{API}/me/credentials", {"incentive": "library-double"}),
        {"resident": (201, {"credentials": 1}, None), "other_resident": (201, {"credentials": 1}, None)},
    )


def test_matrix_withdraw_a_credential(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str) -> Call:
        jti = credential_issue(actor=world.aa, incentive_id=world.incentive("bus-half-aa").pk).credential.jti
        return "delete", f"{API}/me/credentials/{jti}", None

    matrix(cast, prepare, {"resident": (200, {"revoked": 1}, None)})


def test_matrix_verify(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast,
        lambda role: ("post", f"{API}/verify", {"tokens": [live(world)]}),
        {
            "provider": (200, {"checks": 1}, {"results": [{"eligible": True, "reason": "eligible"}]}),
            # another provider learns only that it is not theirs, and the holder sees that it asked
            "other_provider": (200, {"checks": 1}, {"results": [{"eligible": False, "reason": "wrong_provider"}]}),
        },
    )


def test_matrix_record_a_redemption(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast,
        lambda role: ("post", f"{API}/redemptions", {"token": live(world), "reference": f"M-{role}"}),
        {
            "provider": (201, {"redemptions": 1, "checks": 1, "audit": 1}, None),
            # a refusal is recorded (a check the holder sees, an audit event), nothing is redeemed
            "other_provider": (422, {"checks": 1, "audit": 1}, None),
        },
    )
    assert Incentive.objects.get(code="bus-half-aa").redeemed_total == 1


def test_matrix_propose_an_offer(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str) -> Call:
        body = {
            "code": f"offer-{next(_names)}", "title_zh": "夜班公交免费", "title_en": "Free night buses",
            "category": "transit", "min_grade": "A", "benefit_zh": "夜班公交免费乘车", "valid_from": "2026-03-01",
        }  # fmt: skip
        return "post", f"{API}/provider/offers", body

    own = (201, {"incentives": 1, "audit": 1}, None)
    matrix(cast, prepare, {"provider": own, "other_provider": own})
    assert sorted(Incentive.objects.filter(status="proposed").values_list("provider__code", flat=True)) == [
        "rc_bus", "rc_rural_bank",
    ]  # fmt: skip

    def for_the_bus_company(role: str) -> Call:
        method, url, body = prepare(role)
        return method, url, body | {"provider_id": world.incentive("bus-half-aa").provider_id}

    matrix(cast, for_the_bus_company, {"county_office": own})


def test_matrix_register_a_provider(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast,
        lambda role: ("post", f"{API}/providers", {"code": f"p{next(_names)}", "name": "荣成市客运轮渡公司"}),
        {"county_office": (201, {"providers": 1, "audit": 1}, None)},
    )


def test_matrix_link_a_provider_account(world: World, cast: dict[str, User | None]) -> None:
    bus_id = world.incentive("bus-half-aa").provider_id

    def prepare(role: str) -> Call:
        name = f"clerk{next(_names)}"
        make_user(name, Role.INCENTIVE_PROVIDER, world.tree.county)
        return "post", f"{API}/providers/{bus_id}/accounts", {"username": name}

    matrix(cast, prepare, {"county_office": (201, {"accounts": 1, "audit": 1}, None)})


def test_matrix_decide_an_offer(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast,
        lambda role: ("post", f"{API}/offers/{proposal(world).pk}/decision", {"approve": True}),
        {"county_office": (200, {"approved": 1, "audit": 1}, None)},
    )


# ============================================================================================
# Privacy: nothing a provider receives names or scores the holder
# ============================================================================================
def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


def test_no_provider_facing_response_reveals_the_holder(world: World, frozen: Any) -> None:
    # given a holder with a name, an ID number, a phone and a score of 1035
    sid = subject_of(world.aa)
    phone = "13905311035"
    Subject.objects.filter(pk=sid).update(name="王秀英")
    Person.objects.filter(pk=sid).update(phone_encrypted=pii.encrypt(phone), phone_masked=pii.mask_phone(phone))
    person = Person.objects.get(pk=sid)
    id_number = pii.decrypt(person.id_number_encrypted)
    secrets = ["1035", "王秀英", id_number, person.id_number_masked, phone, pii.mask_phone(phone)]
    assert send(world.aa, "get", f"{API}/me").json()["score"] == 1035  # the holder sees it; providers must not

    # when a provider does everything it can
    good, other, expiring = card(world), card(world, "loan-rate-aa"), live(world)
    Incentive.objects.filter(code="bus-half-aa").update(quota_per_holder=1)
    export_build(incentive_id=world.incentive("bus-half-aa").pk)
    night_bus = {
        "code": "night-bus", "title_zh": "夜班公交免费", "title_en": "Free night buses", "category": "transit",
        "min_grade": "A", "benefit_zh": "夜班公交免费乘车", "valid_from": "2026-03-01",
    }  # fmt: skip
    calls: list[tuple[str, User | None, str, str, Any, int]] = [
        ("keys", None, "get", "/keys", None, 200),
        ("offers", None, "get", "/offers", None, 200),
        ("offers signed in", world.bus, "get", "/offers", None, 200),
        ("verify", world.bus, "post", "/verify", {"tokens": [good, other, expiring, "x"]}, 200),
        ("redeem", world.bus, "post", "/redemptions", {"token": good, "reference": "PV-1"}, 201),
        ("retry", world.bus, "post", "/redemptions", {"token": good, "reference": "PV-1"}, 200),
        ("quota", world.bus, "post", "/redemptions", {"token": good, "reference": "PV-2"}, 409),
        ("wrong provider", world.bus, "post", "/redemptions", {"token": other, "reference": "PV-3"}, 422),
        ("own offers", world.bus, "get", "/provider/offers", None, 200),
        ("propose", world.bus, "post", "/provider/offers", night_bus, 201),
        ("statistics", world.bus, "get", "/statistics", None, 200),
        ("export", world.bus, "get", "/exports/bus-half-aa", None, 200),
        ("other verify", world.bank, "post", "/verify", {"tokens": [good]}, 200),
        ("other statistics", world.bank, "get", "/statistics", None, 200),
    ]
    responses = {name: send(user, method, f"{API}{path}", body) for name, user, method, path, body, _ in calls}
    frozen.shift(dt.timedelta(minutes=6))
    responses["expired"] = send(world.bus, "post", f"{API}/redemptions", {"token": expiring, "reference": "PV-4"})

    # then none of them carries the score, the name, the ID number (full or masked) or the phone
    assert {name: r.status_code for name, r in responses.items()} == {name: status for name, *_, status in calls} | {
        "expired": 422
    }
    for name, r in responses.items():
        texts = [r.content.decode(), json.dumps(r.json(), ensure_ascii=False), json.dumps(dict(r.headers))]
        for secret in secrets:
            assert [secret in text for text in texts] == [False, False, False], (name, secret)
        assert set(_keys(r.json())) & {"score", "grade", "subject_id", "id_number", "phone"} == set(), name
    # the export lists the holder only under the pseudonym the provider sees in credentials
    assert responses["export"].json()["holders"] == 1


# ============================================================================================
# Rate limit
# ============================================================================================
def test_checks_and_redemptions_are_rate_limited_per_account(world: World, settings: Any) -> None:
    # given a small allowance
    settings.RONGXIN_INCENTIVE_RATE = "3/m"
    token = card(world)
    # when the bus company uses it up across both endpoints
    statuses = [
        send(world.bus, "post", f"{API}/verify", {"tokens": [token]}).status_code,
        send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "RL-1"}).status_code,
        send(world.bus, "post", f"{API}/verify", {"tokens": [token]}).status_code,
    ]
    blocked = send(world.bus, "post", f"{API}/verify", {"tokens": [token]})
    blocked_redemption = send(world.bus, "post", f"{API}/redemptions", {"token": token, "reference": "RL-2"})
    # then
    assert statuses == [200, 201, 200]
    assert problem(blocked) == (429, PROBLEM, "rate_limited")
    assert problem(blocked_redemption) == (429, PROBLEM, "rate_limited")
    assert (Check.objects.count(), Redemption.objects.count()) == (3, 1)
    # another account has its own allowance
    assert send(world.bank, "post", f"{API}/verify", {"tokens": [token]}).status_code == 200


def test_the_rate_limit_counts_distinct_credentials_not_requests(world: World, settings: Any) -> None:
    # given an allowance of 5 credentials a minute and three holders' cards
    settings.RONGXIN_INCENTIVE_RATE = "5/m"
    holders = [world.aa, *(resident(world.tree, f"rl{i}", points=35, birth=f"197102{i + 1:02d}") for i in range(2))]
    a, b, c = (card(world, "bus-half-aa", h) for h in holders)
    # when a batch repeats the three cards 30 times: 3 distinct credentials, 3 counted
    first = send(world.bus, "post", f"{API}/verify", {"tokens": [a, b, c] * 30})
    # and a second batch of 3 distinct credentials would pass the allowance (3 + 3 > 5)
    over = send(world.bus, "post", f"{API}/verify", {"tokens": [a, b, c]})
    # then the second is refused whole and records nothing
    assert (first.status_code, len(first.json()["results"])) == (200, 90)
    assert problem(over) == (429, PROBLEM, "rate_limited")
    assert Check.objects.count() == 3
    # and the 2 credentials left of the allowance are still there
    assert send(world.bus, "post", f"{API}/verify", {"tokens": [a, b, a]}).status_code == 200
    assert problem(send(world.bus, "post", f"{API}/verify", {"tokens": [c]})) == (429, PROBLEM, "rate_limited")
    assert Check.objects.count() == 5
