"""JSON endpoints of incentives, under ``/api/v1/incentives`` (the pages call the same services).

Thin: each endpoint calls one service or selector, which authorises; missing and forbidden look
the same (404). Who calls what:

- Anyone: ``GET /keys`` (the public key document for offline verification) and ``GET /offers``
  (the offers in force). Both may be cached for five minutes.
- Holders (a resident, or a representative of an enterprise; ``subject_id`` picks which subject
  when an account holds several): ``GET /me``, ``POST /me/credentials``,
  ``DELETE /me/credentials/{jti}``, ``GET /me/activity`` ("who checked my credit").
- Providers (an API key or a session of an account with an incentive-provider grant and a
  provider account): ``POST /verify``, ``POST /redemptions``, ``GET|POST /provider/offers``,
  ``GET /statistics``, ``GET /exports/{code}``, ``GET /status`` (the signed status list that
  offline verifiers need). Verification and redemptions are rate-limited
  per account in credentials, not requests (``RONGXIN_INCENTIVE_RATE``, default 3,000 a
  minute; a batch of N distinct tokens counts N): beyond it, 429 ``rate_limited``.
- The county credit office: ``POST /providers``, ``POST /providers/{id}/accounts``,
  ``POST /offers/{id}/decision`` (and ``GET /statistics`` of every provider, as auditors).

Nothing a provider receives carries a score, name, ID number or phone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import user_or_ip
from ninja import Router, Status

from rongxin.accounts.api.auth import gated_roles
from rongxin.accounts.domain.roles import Role
from rongxin.core.errors import NotFound, TooManyRequests, field_error
from rongxin.incentives import selectors, services
from rongxin.incentives.api.schemas import (
    AccountIn,
    AccountOut,
    AnswerOut,
    CredentialIn,
    CredentialOut,
    ExportOut,
    HolderActivityOut,
    HolderCheckOut,
    HolderOfferOut,
    HolderOut,
    HolderRedemptionOut,
    IssuedOut,
    KeysOut,
    OfferDecisionIn,
    OfferOut,
    ProposeIn,
    ProviderIn,
    ProviderOfferOut,
    ProviderOffersOut,
    ProviderOut,
    ProviderRef,
    RedemptionIn,
    RedemptionOut,
    StatisticsRowOut,
    StatusOut,
    VerifyIn,
    VerifyOut,
)
from rongxin.incentives.keys import keys_document
from rongxin.incentives.models import Check, Credential, EligibilityExport, Incentive, Provider, Redemption
from rongxin.incentives.signing import HOLDER_BYTES, STATUS_FORMAT, b64u

router = Router(tags=["incentives"])
# The county credit office's operations on providers and offers: refused before the body is read.
CREDIT_OFFICE = gated_roles([Role.COUNTY_CREDIT_OFFICE])

EXPORT_FORMAT = "rongxin-incentive-export/1"
PUBLIC_MAX_AGE = 300  # seconds; a rotated key reaches cached verifiers within this
RATE_GROUP = "incentives.provider"
DEFAULT_RATE = "3000/m"  # credentials; at least one full batch (services.MAX_BATCH)


def provider_rate(group: str = "", request: Any = None) -> str:
    """Credentials checked or redeemed per provider account (django-ratelimit's rate syntax)."""
    return str(getattr(settings, "RONGXIN_INCENTIVE_RATE", DEFAULT_RATE))


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(text: str) -> tuple[int, int]:
    """``"3000/m"`` → (3000, 60); django-ratelimit's syntax (``N/[multiplier]s|m|h|d``)."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])?", text.strip())
    if match is None:
        raise ImproperlyConfigured(f"RONGXIN_INCENTIVE_RATE {text!r} is not like 3000/m")
    count, multiplier, unit = match.groups()
    return int(count), _PERIODS[unit or "s"] * int(multiplier or 1)


def allowance_take(request: HttpRequest, *, credentials: int) -> bool:
    """Count ``credentials`` against the account's allowance (``RONGXIN_INCENTIVE_RATE``) and
    say whether they fit. Counted in credentials, not requests, so a batch of N distinct tokens
    costs N; per account (every API key and the pages share it), in fixed windows of the rate's
    period, in the rate-limit counter store. A refusal costs nothing, so a batch that does not
    fit leaves the allowance to smaller ones."""
    limit, period = _rate(provider_rate())
    who = user_or_ip(request)
    window = int(time.time()) // period
    key = f"{RATE_GROUP}:{hashlib.sha256(who.encode()).hexdigest()}:{period}:{window}"
    counters = caches[settings.RATELIMIT_USE_CACHE]
    count = credentials if counters.add(key, credentials, period + 1) else counters.incr(key, credentials)
    if count > limit:
        counters.incr(key, -credentials)
        return False
    return True


def _throttle(request: HttpRequest, *, credentials: int = 1) -> None:
    if not allowance_take(request, credentials=credentials):
        raise TooManyRequests(_("Too many requests. Wait a minute and try again."))


def _english() -> bool:
    return (get_language() or "").startswith("en")


# --- Shapes ----------------------------------------------------------------------------------
def offer_fields(i: Incentive) -> dict[str, Any]:
    english = _english()
    return {
        "id": i.pk,
        "code": i.code,
        "title": i.title_en if english else i.title_zh,
        "title_zh": i.title_zh,
        "title_en": i.title_en,
        "provider": i.provider.name,
        "provider_code": i.provider.code,
        "category": i.category,
        "for_persons": i.for_persons,
        "for_organisations": i.for_organisations,
        "min_grade": i.min_grade,
        "benefit": i.benefit_en if english and i.benefit_en else i.benefit_zh,
        "valid_from": i.valid_from,
        "valid_until": i.valid_until,
        "quota_per_holder": i.quota_per_holder,
        "quota_period": i.quota_period,
        "quota_total": i.quota_total,
    }


def _title(i: Incentive | None) -> str:
    if i is None:
        return ""
    return i.title_en if _english() else i.title_zh


def credential_out(c: Credential, state: str) -> CredentialOut:
    return CredentialOut(
        jti=c.jti,
        incentive=c.incentive.code,
        title=_title(c.incentive),
        kind=c.kind,
        issued_at=c.issued_at,
        expires_at=c.expires_at,
        revoked_at=c.revoked_at,
        state=state,
    )


def provider_offer_out(i: Incentive) -> ProviderOfferOut:
    return ProviderOfferOut(
        id=i.pk,
        code=i.code,
        title_zh=i.title_zh,
        title_en=i.title_en,
        category=i.category,
        for_persons=i.for_persons,
        for_organisations=i.for_organisations,
        min_grade=i.min_grade,
        benefit_zh=i.benefit_zh,
        benefit_en=i.benefit_en,
        valid_from=i.valid_from,
        valid_until=i.valid_until,
        quota_per_holder=i.quota_per_holder,
        quota_period=i.quota_period,
        quota_total=i.quota_total,
        redeemed_total=i.redeemed_total,
        status=i.status,
        proposed_at=i.proposed_at,
        decided_at=i.decided_at,
        decision_reason=i.decision_reason,
    )


# --- Small reads -----------------------------------------------------------------------------
def incentive_id_of(payload: CredentialIn) -> int:
    """The incentive a credential request names, by id or by code. NotFound for an unknown code."""
    if payload.incentive_id is not None:
        return payload.incentive_id
    code = (payload.incentive or "").strip().lower()
    if not code:
        raise field_error("incentive", _("Name the incentive by its id or its code."), code="required")
    pk = Incentive.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound()
    return pk


def latest_export(*, actor: Any, code: str) -> EligibilityExport:
    """The newest export of one of the actor's own incentives. NotFound for another provider's
    incentive, and (code ``no_export``) before the worker has built the first one."""
    provider = services.provider_of(actor)
    incentive = Incentive.objects.filter(provider=provider, code=code).first()
    if incentive is None:
        raise NotFound()
    export = EligibilityExport.objects.filter(incentive=incentive).order_by("-generated_at", "-id").first()
    if export is None:
        raise NotFound(_("No export yet: the worker builds one every 15 minutes."), code="no_export")
    return export


# --- Public ----------------------------------------------------------------------------------
@router.get("/keys", auth=None, response=KeysOut, operation_id="incentives_keys")
def keys(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    """The county's public keys (Ed25519) for verifying credentials and exports offline,
    including retired keys that still verify credentials issued before a rotation. Cacheable
    for five minutes."""
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return keys_document()


@router.get("/offers", auth=None, response=list[OfferOut], operation_id="incentives_offers")
def offers(request: HttpRequest, response: HttpResponse, category: str = "", for_kind: str = "") -> list[OfferOut]:
    """The offers in force today, with their provider, floor grade, benefit, validity and
    quotas. ``for_kind``: person | organisation. Cacheable for five minutes."""
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return [OfferOut(**offer_fields(i)) for i in selectors.incentives_open(category=category, for_kind=for_kind)]


# --- Holders ---------------------------------------------------------------------------------
@router.get("/me", response=HolderOut, operation_id="incentives_holder")
def me(request: HttpRequest, subject_id: int | None = None) -> HolderOut:
    """Your score and grade and every offer in force for your kind of subject, with whether
    you may use it now (persons need consent to scoring)."""
    view = selectors.holder_view(actor=request.user, subject_id=subject_id)
    return HolderOut(
        subject_id=view.subject.pk,
        kind=view.subject.kind,
        consent=view.consent,
        score=view.score,
        grade=view.grade,
        offers=[HolderOfferOut(**offer_fields(o.incentive), eligible=o.eligible) for o in view.offers],
    )


@router.post("/me/credentials", response={201: IssuedOut}, operation_id="incentives_credential_issue")
def credential_issue(request: HttpRequest, payload: CredentialIn, subject_id: int | None = None) -> Status[IssuedOut]:
    """Create a credential for an offer you qualify for now: a live code (5 minutes) or a
    printed card (30 days). Show ``qr_payload`` as a QR code. 422 ``not_eligible`` or
    ``no_consent``; 404 for an unknown or closed offer."""
    issued = services.credential_issue(
        actor=request.user, incentive_id=incentive_id_of(payload), kind=payload.kind, subject_id=subject_id
    )
    c = issued.credential
    return Status(
        201,
        IssuedOut(
            jti=c.jti,
            incentive=c.incentive.code,
            kind=c.kind,
            token=issued.token,
            qr_payload=issued.token,
            issued_at=c.issued_at,
            expires_at=c.expires_at,
        ),
    )


@router.delete("/me/credentials/{jti}", response=CredentialOut, operation_id="incentives_credential_revoke")
def credential_revoke(request: HttpRequest, jti: str) -> CredentialOut:
    """Withdraw one of your credentials (e.g. a lost card); checks answer ``revoked`` from now."""
    return credential_out(services.credential_revoke(actor=request.user, jti=jti), "revoked")


@router.get("/me/activity", response=HolderActivityOut, operation_id="incentives_holder_activity")
def activity(request: HttpRequest, subject_id: int | None = None) -> HolderActivityOut:
    """Who checked your credit: every check of your credentials (provider, offer, time,
    channel, result) and every redemption, newest first, and your recent credentials."""
    a = selectors.holder_activity(actor=request.user, subject_id=subject_id)
    return HolderActivityOut(
        subject_id=a.subject.pk,
        credentials=[credential_out(c, a.states[c.jti]) for c in a.credentials],
        checks=[check_out(c) for c in a.checks],
        redemptions=[redemption_out(r) for r in a.redemptions],
    )


def check_out(c: Check) -> HolderCheckOut:
    return HolderCheckOut(
        provider=c.provider.name,
        incentive=c.incentive.code if c.incentive else None,
        title=_title(c.incentive),
        at=c.at,
        channel=c.channel,
        result=c.result,
    )


def redemption_out(r: Redemption) -> HolderRedemptionOut:
    return HolderRedemptionOut(
        provider=r.provider.name, incentive=r.incentive.code, title=_title(r.incentive), reference=r.reference, at=r.at
    )


# --- Providers -------------------------------------------------------------------------------
@router.post("/verify", response=VerifyOut, operation_id="incentives_verify")
def verify(request: HttpRequest, payload: VerifyIn) -> VerifyOut:
    """Check 1 to 1,000 credentials: one ``{eligible, reason}`` per token, in order, and
    nothing else. ``reason``: eligible, not_eligible, expired, invalid (forged, altered,
    malformed or unknown), wrong_provider (another provider's offer) or revoked. Every check
    is recorded and shown to the holder. 422 ``batch_size``; 429 ``rate_limited``."""
    _throttle(request, credentials=len({str(t).strip() for t in payload.tokens}) or 1)
    answers = services.credentials_check(actor=request.user, tokens=payload.tokens)
    return VerifyOut(results=[AnswerOut(eligible=a.eligible, reason=a.reason) for a in answers])


@router.post(
    "/redemptions", response={201: RedemptionOut, 200: RedemptionOut}, operation_id="incentives_redemption_record"
)
def redemption(request: HttpRequest, payload: RedemptionIn) -> Status[RedemptionOut]:
    """Record that you gave the benefit, under your own ``reference``: 201, or 200 with
    ``created: false`` when retrying the same reference with the same credential. Refusals,
    each recorded as a check: 422 ``invalid``, ``expired``, ``wrong_provider``, ``revoked`` or
    ``not_eligible``; 409 ``replayed`` (a live code used again), ``quota_exhausted`` or
    ``reference_reused``; 429 ``rate_limited``."""
    _throttle(request)
    result = services.redemption_record(actor=request.user, token=payload.token, reference=payload.reference)
    r = result.redemption
    return Status(
        201 if result.created else 200,
        RedemptionOut(reference=r.reference, incentive=r.incentive.code, at=r.at, created=result.created),
    )


@router.get("/provider/offers", response=ProviderOffersOut, operation_id="incentives_provider_offers")
def provider_offers(request: HttpRequest) -> ProviderOffersOut:
    """Your organisation's offers in every status, with how often each was redeemed."""
    provider, incentives = selectors.provider_offers(actor=request.user)
    return ProviderOffersOut(
        provider=ProviderRef(code=provider.code, name=provider.name),
        offers=[provider_offer_out(i) for i in incentives],
    )


@router.post("/provider/offers", response={201: ProviderOfferOut}, operation_id="incentives_offer_propose")
def propose(request: HttpRequest, payload: ProposeIn) -> Status[ProviderOfferOut]:
    """Propose an offer for your organisation; it applies once the county credit office
    approves it. The county credit office may enter one for a provider (``provider_id``)."""
    data = payload.dict()
    provider_id = data.pop("provider_id")
    incentive = services.incentive_propose(
        actor=request.user, data=services.IncentiveInput(**data), provider_id=provider_id
    )
    return Status(201, provider_offer_out(incentive))


@router.get("/statistics", response=list[StatisticsRowOut], operation_id="incentives_statistics")
def statistics(request: HttpRequest, since: dt.date | None = None) -> list[StatisticsRowOut]:
    """Person-times benefited per month (Beijing time), provider and offer, newest month first:
    a provider sees its own; the county credit office and auditors see all. ``since``: a date."""
    return [
        StatisticsRowOut(
            month=r.month,
            provider=r.provider,
            incentive=r.incentive,
            title=r.title,
            redemptions=r.redemptions,
            holders=r.holders,
        )
        for r in selectors.redemption_statistics(actor=request.user, since=since)
    ]


@router.get("/status", response=StatusOut, operation_id="incentives_status")
def status(request: HttpRequest, response: HttpResponse) -> StatusOut:
    """The signed status list of your offers for offline verification: your open offers and the
    ids of your unexpired credentials an online check would refuse (withdrawn, the holder no
    longer qualifies, a live code already used). Offline verifiers accept a credential only with
    a list still good (``valid_until``, 24 hours after it was made) that names its offer and not
    its id: fetch it whenever you can, at least daily. Verify ``status`` with ``GET /keys``."""
    patch_cache_control(response, private=True, no_cache=True)
    built = services.status_list_of(actor=request.user)
    s = built.status
    return StatusOut(
        format=STATUS_FORMAT,
        provider=s.provider,
        generated_at=dt.datetime.fromtimestamp(s.generated_at, tz=dt.UTC),
        valid_until=dt.datetime.fromtimestamp(s.valid_until, tz=dt.UTC),
        incentives=sorted(s.incentives),
        revoked=sorted(s.revoked),
        status=built.text,
    )


@router.get("/exports/{code}", response=ExportOut, operation_id="incentives_export")
def export(request: HttpRequest, code: str) -> ExportOut:
    """The latest signed eligibility export of one of your offers, for offline validators
    (the worker refreshes it every 15 minutes).

    JSON: ``content`` is base64url (no padding) of the sorted 10-byte pseudonymous holder ids,
    concatenated (``holders`` of them). The ids are those inside your holders' credential
    tokens (``h``, base32) as bytes. To verify: decode ``content``; check that its hex SHA-256
    equals ``sha256``; then verify ``signature`` (base64url Ed25519, key ``kid`` from
    ``GET /keys``) over the ASCII bytes ``RXE1.<incentive>.<timestamp>.<sha256>``. 404
    ``not_found`` for another provider's offer; 404 ``no_export`` before the first export."""
    e = latest_export(actor=request.user, code=code)
    return ExportOut(
        format=EXPORT_FORMAT,
        incentive=code,
        generated_at=e.generated_at,
        timestamp=int(e.generated_at.timestamp()),
        holders=e.holders,
        holder_bytes=HOLDER_BYTES,
        kid=e.kid,
        sha256=e.digest,
        signature=e.signature,
        content=b64u(bytes(e.content)),
    )


# --- County credit office --------------------------------------------------------------------
def provider_out(p: Provider) -> ProviderOut:
    return ProviderOut(
        id=p.pk, code=p.code, name=p.name, contact=p.contact, active=p.active, organisation_id=p.organisation_id,
        created_at=p.created_at,
    )  # fmt: skip


@router.post("/providers", response={201: ProviderOut}, operation_id="incentives_provider_create")
def provider_create(request: HttpRequest, payload: ProviderIn) -> Status[ProviderOut]:
    """Register a provider (the county credit office). 422 ``duplicate`` for a taken code."""
    return Status(201, provider_out(services.provider_create(actor=request.user, **payload.dict())))


@router.post(
    "/providers/{int:provider_id}/accounts",
    response={201: AccountOut},
    operation_id="incentives_provider_account_add",
    auth=CREDIT_OFFICE,
)
def provider_account(request: HttpRequest, provider_id: int, payload: AccountIn) -> Status[AccountOut]:
    """Let an account act for a provider (the county credit office). The account needs an
    incentive-provider grant first (422 ``no_provider_grant``); 409 ``duplicate`` if it acts
    for a provider already."""
    account = services.provider_account_link(actor=request.user, provider_id=provider_id, username=payload.username)
    return Status(
        201,
        AccountOut(provider=account.provider.code, username=account.user.get_username(), created_at=account.created_at),
    )


@router.post(
    "/offers/{int:incentive_id}/decision",
    response=ProviderOfferOut,
    operation_id="incentives_offer_decide",
    auth=CREDIT_OFFICE,
)
def decide(request: HttpRequest, incentive_id: int, payload: OfferDecisionIn) -> ProviderOfferOut:
    """Approve a proposed offer, or reject it (suspend it once approved) with a reason (the
    county credit office). 409 ``already_decided`` to approve an approved offer."""
    return provider_offer_out(
        services.incentive_decide(
            actor=request.user, incentive_id=incentive_id, approve=payload.approve, reason=payload.reason
        )
    )


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/incentives", router),)
