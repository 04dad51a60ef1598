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
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from rongxin.accounts.api.auth import gated_roles
from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import field_error
from rongxin.incentives import selectors
from rongxin.incentives.api import presenters
from rongxin.incentives.api.schemas import (
    AccountIn,
    AccountOut,
    CredentialIn,
    CredentialOut,
    ExportOut,
    HolderActivityOut,
    HolderOut,
    IssuedOut,
    KeysOut,
    OfferDecisionIn,
    OfferOut,
    ProposeIn,
    ProviderIn,
    ProviderOfferOut,
    ProviderOffersOut,
    ProviderOut,
    RedemptionIn,
    RedemptionOut,
    StatisticsRowOut,
    StatusOut,
    VerifyIn,
    VerifyOut,
)
from rongxin.incentives.services.allowance import allowance_take
from rongxin.incentives.services.credentials import credential_issue as issue_credential
from rongxin.incentives.services.credentials import credential_revoke as revoke_credential
from rongxin.incentives.services.keys import keys_document
from rongxin.incentives.services.offers import IncentiveInput, incentive_decide, incentive_propose
from rongxin.incentives.services.providers import provider_account_link
from rongxin.incentives.services.providers import provider_create as create_provider
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.incentives.services.status import status_list_of
from rongxin.incentives.services.verification import credentials_check

router = Router(tags=["incentives"])
# The county credit office's operations on providers and offers: refused before the body is read.
CREDIT_OFFICE = gated_roles([Role.COUNTY_CREDIT_OFFICE])

PUBLIC_MAX_AGE = 300  # seconds; a rotated key reaches cached verifiers within this
# The API's wording of a refusal by the rate allowance (the pages say "attempts").
TOO_MANY = _("Too many requests. Wait a minute and try again.")


def incentive_id_of(payload: CredentialIn) -> int:
    """The incentive a credential request names, by id or by code. NotFound for an unknown code."""
    if payload.incentive_id is not None:
        return payload.incentive_id
    code = (payload.incentive or "").strip().lower()
    if not code:
        raise field_error("incentive", _("Name the incentive by its id or its code."), code="required")
    return selectors.incentive_id_by_code(code=code)


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
    return [presenters.offer_out(i) for i in selectors.incentives_open(category=category, for_kind=for_kind)]


# --- Holders ---------------------------------------------------------------------------------
@router.get("/me", response=HolderOut, operation_id="incentives_holder")
def me(request: SignedInRequest, subject_id: int | None = None) -> HolderOut:
    """Your score and grade and every offer in force for your kind of subject, with whether
    you may use it now (persons need consent to scoring)."""
    return presenters.holder_out(selectors.holder_view(actor=request.user, subject_id=subject_id))


@router.post("/me/credentials", response={201: IssuedOut}, operation_id="incentives_credential_issue")
def credential_issue(
    request: SignedInRequest, payload: CredentialIn, subject_id: int | None = None
) -> Status[IssuedOut]:
    """Create a credential for an offer you qualify for now: a live code (5 minutes) or a
    printed card (30 days). Show ``qr_payload`` as a QR code. 422 ``not_eligible`` or
    ``no_consent``; 404 for an unknown or closed offer."""
    issued = issue_credential(
        actor=request.user, incentive_id=incentive_id_of(payload), kind=payload.kind, subject_id=subject_id
    )
    return Status(201, presenters.issued_out(issued))


@router.delete("/me/credentials/{jti}", response=CredentialOut, operation_id="incentives_credential_revoke")
def credential_revoke(request: SignedInRequest, jti: str) -> CredentialOut:
    """Withdraw one of your credentials (e.g. a lost card); checks answer ``revoked`` from now."""
    return presenters.credential_out(revoke_credential(actor=request.user, jti=jti), "revoked")


@router.get("/me/activity", response=HolderActivityOut, operation_id="incentives_holder_activity")
def activity(request: SignedInRequest, subject_id: int | None = None) -> HolderActivityOut:
    """Who checked your credit: every check of your credentials (provider, offer, time,
    channel, result) and every redemption, newest first, and your recent credentials."""
    return presenters.activity_out(selectors.holder_activity(actor=request.user, subject_id=subject_id))


# --- Providers -------------------------------------------------------------------------------
@router.post("/verify", response=VerifyOut, operation_id="incentives_verify")
def verify(request: SignedInRequest, payload: VerifyIn) -> VerifyOut:
    """Check 1 to 1,000 credentials: one ``{eligible, reason}`` per token, in order, and
    nothing else. ``reason``: eligible, not_eligible, expired, invalid (forged, altered,
    malformed or unknown), wrong_provider (another provider's offer) or revoked. Every check
    is recorded and shown to the holder. 422 ``batch_size``; 429 ``rate_limited``."""
    distinct = len({str(t).strip() for t in payload.tokens}) or 1
    allowance_take(actor=request.user, credentials=distinct, message=TOO_MANY)
    return presenters.verify_out(credentials_check(actor=request.user, tokens=payload.tokens))


@router.post(
    "/redemptions", response={201: RedemptionOut, 200: RedemptionOut}, operation_id="incentives_redemption_record"
)
def redemption(request: SignedInRequest, payload: RedemptionIn) -> Status[RedemptionOut]:
    """Record that you gave the benefit, under your own ``reference``: 201, or 200 with
    ``created: false`` when retrying the same reference with the same credential. Refusals,
    each recorded as a check: 422 ``invalid``, ``expired``, ``wrong_provider``, ``revoked`` or
    ``not_eligible``; 409 ``replayed`` (a live code used again), ``quota_exhausted`` or
    ``reference_reused``; 429 ``rate_limited``."""
    allowance_take(actor=request.user, credentials=1, message=TOO_MANY)
    result = redemption_record(actor=request.user, token=payload.token, reference=payload.reference)
    return Status(201 if result.created else 200, presenters.recorded_out(result))


@router.get("/provider/offers", response=ProviderOffersOut, operation_id="incentives_provider_offers")
def provider_offers(request: SignedInRequest) -> ProviderOffersOut:
    """Your organisation's offers in every status, with how often each was redeemed."""
    return presenters.provider_offers_out(*selectors.provider_offers(actor=request.user))


@router.post("/provider/offers", response={201: ProviderOfferOut}, operation_id="incentives_offer_propose")
def propose(request: SignedInRequest, payload: ProposeIn) -> Status[ProviderOfferOut]:
    """Propose an offer for your organisation; it applies once the county credit office
    approves it. The county credit office may enter one for a provider (``provider_id``)."""
    data = payload.dict()
    provider_id = data.pop("provider_id")
    incentive = incentive_propose(actor=request.user, data=IncentiveInput(**data), provider_id=provider_id)
    return Status(201, presenters.provider_offer_out(incentive))


@router.get("/statistics", response=list[StatisticsRowOut], operation_id="incentives_statistics")
def statistics(request: SignedInRequest, since: dt.date | None = None) -> list[StatisticsRowOut]:
    """Person-times benefited per month (Beijing time), provider and offer, newest month first:
    a provider sees its own; the county credit office and auditors see all. ``since``: a date."""
    return [presenters.statistics_row_out(r) for r in selectors.redemption_statistics(actor=request.user, since=since)]


@router.get("/status", response=StatusOut, operation_id="incentives_status")
def status(request: SignedInRequest, response: HttpResponse) -> StatusOut:
    """The signed status list of your offers for offline verification: your open offers and the
    ids of your unexpired credentials an online check would refuse (withdrawn, the holder no
    longer qualifies, a live code already used). Offline verifiers accept a credential only with
    a list still good (``valid_until``, 24 hours after it was made) that names its offer and not
    its id: fetch it whenever you can, at least daily. Verify ``status`` with ``GET /keys``."""
    patch_cache_control(response, private=True, no_cache=True)
    return presenters.status_out(status_list_of(actor=request.user))


@router.get("/exports/{code}", response=ExportOut, operation_id="incentives_export")
def export(request: SignedInRequest, code: str) -> ExportOut:
    """The latest signed eligibility export of one of your offers, for offline validators
    (the worker refreshes it every 15 minutes).

    JSON: ``content`` is base64url (no padding) of the sorted 10-byte pseudonymous holder ids,
    concatenated (``holders`` of them). The ids are those inside your holders' credential
    tokens (``h``, base32) as bytes. To verify: decode ``content``; check that its hex SHA-256
    equals ``sha256``; then verify ``signature`` (base64url Ed25519, key ``kid`` from
    ``GET /keys``) over the ASCII bytes ``RXE1.<incentive>.<timestamp>.<sha256>``. 404
    ``not_found`` for another provider's offer; 404 ``no_export`` before the first export."""
    return presenters.export_out(selectors.export_latest(actor=request.user, code=code), code=code)


# --- County credit office --------------------------------------------------------------------
@router.post("/providers", response={201: ProviderOut}, operation_id="incentives_provider_create")
def provider_create(request: SignedInRequest, payload: ProviderIn) -> Status[ProviderOut]:
    """Register a provider (the county credit office). 422 ``duplicate`` for a taken code."""
    return Status(201, presenters.provider_out(create_provider(actor=request.user, **payload.dict())))


@router.post(
    "/providers/{int:provider_id}/accounts",
    response={201: AccountOut},
    operation_id="incentives_provider_account_add",
    auth=CREDIT_OFFICE,
)
def provider_account(request: SignedInRequest, provider_id: int, payload: AccountIn) -> Status[AccountOut]:
    """Let an account act for a provider (the county credit office). The account needs an
    incentive-provider grant first (422 ``no_provider_grant``); 409 ``duplicate`` if it acts
    for a provider already."""
    account = provider_account_link(actor=request.user, provider_id=provider_id, username=payload.username)
    return Status(201, presenters.account_out(account))


@router.post(
    "/offers/{int:incentive_id}/decision",
    response=ProviderOfferOut,
    operation_id="incentives_offer_decide",
    auth=CREDIT_OFFICE,
)
def decide(request: SignedInRequest, incentive_id: int, payload: OfferDecisionIn) -> ProviderOfferOut:
    """Approve a proposed offer, or reject it (suspend it once approved) with a reason (the
    county credit office). 409 ``already_decided`` to approve an approved offer."""
    decided = incentive_decide(
        actor=request.user, incentive_id=incentive_id, approve=payload.approve, reason=payload.reason
    )
    return presenters.provider_offer_out(decided)


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/incentives", router),)
