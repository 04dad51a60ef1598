"""What the incentives API answers, built from what the services and selectors return: one
function per shape in :mod:`rongxin.incentives.api.schemas`. Titles and benefits follow the
request's language (Chinese unless the client asks for English)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import get_language

from rongxin.incentives.api.schemas import (
    AccountOut,
    AnswerOut,
    CredentialOut,
    ExportOut,
    HolderActivityOut,
    HolderCheckOut,
    HolderOfferOut,
    HolderOut,
    HolderRedemptionOut,
    IssuedOut,
    OfferOut,
    ProviderOfferOut,
    ProviderOffersOut,
    ProviderOut,
    ProviderRef,
    RedemptionOut,
    StatisticsRowOut,
    StatusOut,
    VerifyOut,
)
from rongxin.incentives.domain.signing import HOLDER_BYTES, STATUS_FORMAT, b64u
from rongxin.incentives.models import (
    Check,
    Credential,
    EligibilityExport,
    Incentive,
    Provider,
    ProviderAccount,
    Redemption,
)
from rongxin.incentives.selectors import Answer, HolderActivity, HolderView, StatRow
from rongxin.incentives.services.credentials import Issued
from rongxin.incentives.services.redemptions import RedemptionResult
from rongxin.incentives.services.status import OfflineStatus

EXPORT_FORMAT = "rongxin-incentive-export/1"


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _title(i: Incentive | None) -> str:
    if i is None:
        return ""
    return i.title_en if _english() else i.title_zh


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


def offer_out(i: Incentive) -> OfferOut:
    return OfferOut(**offer_fields(i))


# --- Holders ---------------------------------------------------------------------------------
def holder_out(view: HolderView) -> HolderOut:
    return HolderOut(
        subject_id=view.subject.pk,
        kind=view.subject.kind,
        consent=view.consent,
        score=view.score,
        grade=view.grade,
        offers=[HolderOfferOut(**offer_fields(o.incentive), eligible=o.eligible) for o in view.offers],
    )


def issued_out(issued: Issued) -> IssuedOut:
    c = issued.credential
    return IssuedOut(
        jti=c.jti,
        incentive=c.incentive.code,
        kind=c.kind,
        token=issued.token,
        qr_payload=issued.token,
        issued_at=c.issued_at,
        expires_at=c.expires_at,
    )


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


def activity_out(a: HolderActivity) -> HolderActivityOut:
    return HolderActivityOut(
        subject_id=a.subject.pk,
        credentials=[credential_out(c, a.states[c.jti]) for c in a.credentials],
        checks=[check_out(c) for c in a.checks],
        redemptions=[redemption_out(r) for r in a.redemptions],
    )


# --- Providers -------------------------------------------------------------------------------
def verify_out(answers: list[Answer]) -> VerifyOut:
    return VerifyOut(results=[AnswerOut(eligible=a.eligible, reason=a.reason) for a in answers])


def recorded_out(result: RedemptionResult) -> RedemptionOut:
    r = result.redemption
    return RedemptionOut(reference=r.reference, incentive=r.incentive.code, at=r.at, created=result.created)


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


def provider_offers_out(provider: Provider, incentives: list[Incentive]) -> ProviderOffersOut:
    return ProviderOffersOut(
        provider=ProviderRef(code=provider.code, name=provider.name),
        offers=[provider_offer_out(i) for i in incentives],
    )


def statistics_row_out(r: StatRow) -> StatisticsRowOut:
    return StatisticsRowOut(
        month=r.month,
        provider=r.provider,
        incentive=r.incentive,
        title=r.title,
        redemptions=r.redemptions,
        holders=r.holders,
    )


def status_out(built: OfflineStatus) -> StatusOut:
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


def export_out(e: EligibilityExport, *, code: str) -> ExportOut:
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


def account_out(account: ProviderAccount) -> AccountOut:
    return AccountOut(
        provider=account.provider.code, username=account.user.get_username(), created_at=account.created_at
    )
