"""Shapes of the incentives JSON API.

Privacy: a provider-facing shape (verification, redemption, the provider's offers, exports,
statistics) carries no score, name, ID number or phone; a holder appears to a provider only as
the pseudonymous holder id inside an export. Only the holder's own reads (``/me``) show their
score and grade. Times go out as ISO 8601 in Beijing time with the offset
(``2026-03-01T10:00:00+08:00``); dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel

from rongxin.core import clock


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


# An aware time shown in Beijing time (output only).
Instant = Annotated[dt.datetime, AfterValidator(_local)]


# --- Public ----------------------------------------------------------------------------------
class KeyOut(Schema):
    kid: str
    alg: str
    public_key: str = Field(description="base64url (no padding) of the 32-byte Ed25519 public key.")
    created_at: str
    retired_at: str | None = Field(description="Retired keys still verify credentials issued before.")


class KeysOut(Schema):
    format: str = Field(description="rongxin-incentive-keys/1")
    keys: list[KeyOut]


class OfferOut(Schema):
    id: int
    code: str
    title: str = Field(description="In the caller's language.")
    title_zh: str
    title_en: str
    provider: str = Field(description="The provider's name.")
    provider_code: str
    category: str
    for_persons: bool
    for_organisations: bool
    min_grade: str
    benefit: str = Field(description="In the caller's language (Chinese when no English text exists).")
    valid_from: dt.date
    valid_until: dt.date | None
    quota_per_holder: int | None = Field(description="Times per holder per ``quota_period``; null: no limit.")
    quota_period: str = Field(description="day | week | month | year, or empty without a per-holder quota.")
    quota_total: int | None = Field(description="Times in all; null: no limit.")


# --- Holders ---------------------------------------------------------------------------------
class HolderOfferOut(OfferOut):
    eligible: bool = Field(description="The holder may create a credential for it now.")


class HolderOut(Schema):
    subject_id: int
    kind: str
    consent: bool = Field(description="Persons without consent to scoring have no grade and no incentives.")
    score: int | None
    grade: str
    offers: list[HolderOfferOut]


class CredentialIn(Schema):
    incentive_id: int | None = Field(None, description="The incentive's id, or give ``incentive`` (its code).")
    incentive: str | None = Field(None, description="The incentive's code, e.g. bus-half-aa.")
    kind: Literal["live", "card"] = Field("live", description="live: 5 minutes; card: a printed card, 30 days.")


class IssuedOut(Schema):
    jti: str
    incentive: str
    kind: str
    token: str = Field(description="The signed credential (format in rongxin.incentives.signing).")
    qr_payload: str = Field(description="What the QR code holds: the token itself.")
    issued_at: Instant
    expires_at: Instant


class CredentialOut(Schema):
    jti: str
    incentive: str
    title: str
    kind: str
    issued_at: Instant
    expires_at: Instant
    revoked_at: Instant | None
    state: str = Field(
        description="valid | used (a live code that backed a redemption) | expired | revoked (withdrawn)."
    )


class HolderCheckOut(Schema):
    provider: str = Field(description="The provider's name.")
    incentive: str | None
    title: str
    at: Instant
    channel: str = Field(description="online | page | redemption")
    result: str = Field(description="eligible, or why not (a check result code).")


class HolderRedemptionOut(Schema):
    provider: str
    incentive: str
    title: str
    reference: str
    at: Instant


class HolderActivityOut(Schema):
    subject_id: int
    credentials: list[CredentialOut]
    checks: list[HolderCheckOut]
    redemptions: list[HolderRedemptionOut]


# --- Providers -------------------------------------------------------------------------------
class VerifyIn(Schema):
    tokens: list[str] = Field(
        description="1 to 1,000 credential tokens. A token repeated in the batch is checked and recorded once "
        "(each position still gets its answer); the distinct tokens count against the rate limit."
    )


# The answers of a batch are plain pydantic models: a ninja Schema validates every item through
# its Django-attribute wrapper, which cost as much as the 1,000 signature checks of a batch.
class AnswerOut(BaseModel):
    eligible: bool
    reason: str = Field(
        description="eligible | not_eligible | expired | invalid | wrong_provider | revoked | used (a live code "
        "already redeemed); never anything else."
    )


class VerifyOut(BaseModel):
    results: list[AnswerOut] = Field(description="One answer per token, in the order sent.")


class RedemptionIn(Schema):
    token: str
    reference: str = Field(description="Your own reference (1–64 characters); a retry with it is idempotent.")


class RedemptionOut(Schema):
    reference: str
    incentive: str
    at: Instant
    created: bool = Field(description="false: a retry that returned the first record.")


class ProviderOfferOut(Schema):
    id: int
    code: str
    title_zh: str
    title_en: str
    category: str
    for_persons: bool
    for_organisations: bool
    min_grade: str
    benefit_zh: str
    benefit_en: str
    valid_from: dt.date
    valid_until: dt.date | None
    quota_per_holder: int | None
    quota_period: str
    quota_total: int | None
    redeemed_total: int
    status: str = Field(description="proposed | approved | rejected | suspended")
    proposed_at: Instant
    decided_at: Instant | None
    decision_reason: str


class ProviderRef(Schema):
    code: str
    name: str


class ProviderOffersOut(Schema):
    provider: ProviderRef
    offers: list[ProviderOfferOut]


class ProposeIn(Schema):
    code: str
    title_zh: str
    title_en: str
    category: str = Field(description="transit | loans | medical | travel | shopping | government | ...")
    min_grade: str = Field(description="AAA | AA | A | B | C | D")
    benefit_zh: str
    benefit_en: str = ""
    valid_from: dt.date
    valid_until: dt.date | None = None
    for_persons: bool = True
    for_organisations: bool = False
    quota_per_holder: int | None = None
    quota_period: str = Field("", description="day | week | month | year; required with quota_per_holder.")
    quota_total: int | None = None
    provider_id: int | None = Field(None, description="The county credit office enters an offer for a provider.")


class StatisticsRowOut(Schema):
    month: dt.date = Field(description="The first day of the month (Beijing time).")
    provider: str
    incentive: str
    title: str
    redemptions: int = Field(description="Person-times benefited.")
    holders: int = Field(description="Distinct holders.")


class ExportOut(Schema):
    format: str = Field(description="rongxin-incentive-export/1")
    incentive: str
    generated_at: Instant
    timestamp: int = Field(description="generated_at in Unix seconds, as signed.")
    holders: int
    holder_bytes: int = Field(description="Bytes per holder id (10).")
    kid: str
    sha256: str = Field(description="Hex SHA-256 of the decoded content.")
    signature: str = Field(description="base64url Ed25519 signature (see the endpoint).")
    content: str = Field(description="base64url (no padding) of the sorted holder ids, concatenated.")


# --- County credit office --------------------------------------------------------------------
class ProviderIn(Schema):
    code: str
    name: str
    contact: str = ""
    organisation_id: int | None = Field(None, description="The provider's own credit subject, if any.")


class ProviderOut(Schema):
    id: int
    code: str
    name: str
    contact: str
    active: bool
    organisation_id: int | None
    created_at: Instant


class AccountIn(Schema):
    username: str = Field(description="An account that already holds an incentive-provider grant.")


class AccountOut(Schema):
    provider: str
    username: str
    created_at: Instant


class OfferDecisionIn(Schema):
    approve: bool
    reason: str = Field("", description="Required to reject or suspend.")


class StatusOut(Schema):
    format: str = Field(description="rongxin-incentive-status/1")
    provider: str = Field(description="Your provider code.")
    generated_at: Instant
    valid_until: Instant = Field(
        description="Offline verifiers refuse every credential after this without a newer list."
    )
    incentives: list[str] = Field(description="Your offers open when the list was made.")
    revoked: list[str] = Field(
        description="Ids (``n``) of your unexpired credentials an online check would refuse: withdrawn, the holder "
        "no longer qualifies, or a live code already used."
    )
    status: str = Field(
        description="The same, signed: RXS1.<base64url JSON>.<base64url Ed25519 signature over 'RXS1.<payload>'>, "
        "JSON keys v, k (key id), p (provider), t (made at), e (valid until), i (offers), r (revoked ids)."
    )
