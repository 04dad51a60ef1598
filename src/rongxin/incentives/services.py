"""Writes in incentives: providers and their offers (approved by the county credit office),
credentials created by holders, checks and redemptions recorded by providers, and the signed
eligibility exports the worker refreshes.

Privacy: a provider-facing answer is "eligible or not" (and why not, as a code), for a
pseudonymous holder id that differs per provider; never a score, name, ID number or phone.
Every check and redemption is stored with the subject so the holder can see it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, When
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles, require_role
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, adapt_datetime
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.models import SubjectCredit
from rongxin.incentives import signing
from rongxin.incentives.keys import pseudonym_key, public_keys, signing_key
from rongxin.incentives.models import (
    GRADES,
    Check,
    Credential,
    EligibilityExport,
    Incentive,
    Provider,
    ProviderAccount,
    Redemption,
)
from rongxin.subjects.models import Person, Subject, SubjectAccount

LIVE_MINUTES = 5
CARD_DAYS = 30
MAX_BATCH = 1000
DEFAULT_MAX_CARDS = 3


# --- Who ----------------------------------------------------------------------------------
def provider_of(actor: Any) -> Provider:
    """The provider the actor acts for (an incentive-provider grant and a provider account).
    NotFound otherwise."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    if not grants_with_roles(actor, [Role.INCENTIVE_PROVIDER]):
        raise NotFound()
    account = ProviderAccount.objects.select_related("provider").filter(user=actor, provider__active=True).first()
    if account is None:
        raise NotFound()
    return account.provider


def holder_subject(actor: Any, subject_id: int | None = None) -> Subject:
    """The subject the actor holds credentials for: their own person record, or the
    organisation they represent (``subject_id`` picks one when there are several)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotFound()
    links = SubjectAccount.objects.filter(user=actor).select_related("subject")
    if subject_id is not None:
        links = links.filter(subject_id=subject_id)
    # Their own record first; an enterprise they represent only when asked for.
    link = links.order_by(Case(When(relation=SubjectAccount.Relation.SELF, then=0), default=1), "subject_id").first()
    if link is None:
        raise NotFound()
    return link.subject


def grade_allows(grade: str, minimum: str) -> bool:
    return bool(grade) and grade in GRADES and GRADES.index(grade) <= GRADES.index(minimum)


def incentive_open(incentive: Incentive, today: dt.date) -> bool:
    return (
        incentive.status == Incentive.Status.APPROVED
        and incentive.valid_from <= today
        and (incentive.valid_until is None or today <= incentive.valid_until)
    )


def kind_allowed(incentive: Incentive, kind: str) -> bool:
    return incentive.for_persons if kind == Subject.Kind.PERSON else incentive.for_organisations


def eligible_now(*, incentive: Incentive, subject_id: int, kind: str, grade: str, today: dt.date) -> bool:
    """Eligible: the incentive is open, for this kind of subject, and the subject's current
    grade reaches the floor (persons without consent have no grade, so never)."""
    return (
        incentive_open(incentive, today) and kind_allowed(incentive, kind) and grade_allows(grade, incentive.min_grade)
    )


# --- Providers and offers (county credit office approves) ------------------------------------
@transaction.atomic
def provider_create(
    *, actor: Any, code: str, name: str, contact: str = "", organisation_id: int | None = None
) -> Provider:
    grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    code = (code or "").strip().lower()
    if not code or len(code) > 30 or not code.replace("_", "").isalnum():
        raise field_error("code", _("A code is 1–30 lowercase letters, digits or underscores."), code="code_format")
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise field_error("name", _("A name is required."), code="required")
    if Provider.objects.filter(code=code).exists():
        raise field_error("code", _("This code is taken."), code="duplicate")
    if (
        organisation_id is not None
        and not Subject.objects.filter(pk=organisation_id).exclude(kind=Subject.Kind.PERSON).exists()
    ):
        raise field_error("organisation_id", _("Not an enterprise or individual business."), code="not_organisation")
    provider = Provider.objects.create(
        code=code, name=name, contact=(contact or "")[:100], organisation_id=organisation_id, created_at=clock.now()
    )
    audit_record(actor=actor, role=grant.role, kind=AuditEvent.Kind.WRITE, action="provider.create",
                 object_type="provider", object_id=code)  # fmt: skip
    return provider


@transaction.atomic
def provider_account_add(*, actor: Any, provider_id: int, user: Any) -> ProviderAccount:
    grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise NotFound()
    if not grants_with_roles(user, [Role.INCENTIVE_PROVIDER]):
        raise InvalidInput(_("The account needs an incentive-provider grant first."), code="no_provider_grant")
    try:
        with transaction.atomic():
            account = ProviderAccount.objects.create(provider=provider, user=user, created_at=clock.now())
    except IntegrityError:
        raise Conflict(_("This account already acts for a provider."), code="duplicate") from None
    audit_record(actor=actor, role=grant.role, kind=AuditEvent.Kind.WRITE, action="provider.account",
                 object_type="provider", object_id=provider.code, details={"user": user.get_username()})  # fmt: skip
    return account


def provider_account_link(*, actor: Any, provider_id: int, username: str) -> ProviderAccount:
    """``provider_account_add`` for the account the county credit office names by username
    (only the office learns whether it exists: anyone else gets NotFound first)."""
    require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    user = User.objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise field_error("username", _("There is no account with this username."), code="unknown_user")
    return provider_account_add(actor=actor, provider_id=provider_id, user=user)


@dataclass
class IncentiveInput:
    code: str
    title_zh: str
    title_en: str
    category: str
    min_grade: str
    benefit_zh: str
    valid_from: dt.date
    benefit_en: str = ""
    valid_until: dt.date | None = None
    for_persons: bool = True
    for_organisations: bool = False
    quota_per_holder: int | None = None
    quota_period: str = ""
    quota_total: int | None = None


def _clean_incentive(data: IncentiveInput) -> dict[str, Any]:
    code = (data.code or "").strip().lower()
    if not code or len(code) > 30 or not code.replace("_", "").replace("-", "").isalnum():
        raise field_error(
            "code", _("A code is 1–30 lowercase letters, digits, hyphens or underscores."), code="code_format"
        )
    for f, n in (("title_zh", 100), ("title_en", 140), ("benefit_zh", 2000)):
        text = " ".join(str(getattr(data, f) or "").split())
        if not text:
            raise field_error(f, _("Required."), code="required")
        if len(text) > n:
            raise field_error(f, _("At most %(n)d characters.") % {"n": n}, code="too_long")
    if data.category not in Incentive.Category.values:
        raise field_error("category", _("Choose a category."), code="invalid_choice")
    if data.min_grade not in GRADES:
        raise field_error("min_grade", _("Choose a grade."), code="invalid_choice")
    if not (data.for_persons or data.for_organisations):
        raise field_error("for_persons", _("Choose who the incentive is for."), code="required")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise field_error("valid_until", _("The end must not be before the start."), code="dates")
    if data.quota_per_holder is not None:
        if data.quota_per_holder < 1:
            raise field_error("quota_per_holder", _("At least 1."), code="quota")
        if data.quota_period not in Incentive.Period.values:
            raise field_error("quota_period", _("Choose the period of the quota."), code="invalid_choice")
    if data.quota_total is not None and data.quota_total < 1:
        raise field_error("quota_total", _("At least 1."), code="quota")
    return {
        "code": code,
        "title_zh": " ".join(data.title_zh.split()),
        "title_en": " ".join(data.title_en.split()),
        "category": data.category,
        "min_grade": data.min_grade,
        "benefit_zh": data.benefit_zh.strip(),
        "benefit_en": (data.benefit_en or "").strip()[:2000],
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "for_persons": bool(data.for_persons),
        "for_organisations": bool(data.for_organisations),
        "quota_per_holder": data.quota_per_holder,
        "quota_period": data.quota_period if data.quota_per_holder is not None else "",
        "quota_total": data.quota_total,
    }


@transaction.atomic
def incentive_propose(*, actor: Any, data: IncentiveInput, provider_id: int | None = None) -> Incentive:
    """A provider proposes an offer (the county credit office may enter one for a provider).
    It applies once the county credit office approves it."""
    if provider_id is not None:
        grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
        provider = Provider.objects.filter(pk=provider_id).first()
        if provider is None:
            raise NotFound()
        role = grant.role
    else:
        provider, role = provider_of(actor), Role.INCENTIVE_PROVIDER
    values = _clean_incentive(data)
    if Incentive.objects.filter(code=values["code"]).exists():
        raise field_error("code", _("This code is taken."), code="duplicate")
    incentive = Incentive.objects.create(provider=provider, proposed_by=actor, proposed_at=clock.now(), **values)
    audit_record(actor=actor, role=role, kind=AuditEvent.Kind.WRITE, action="incentive.propose",
                 object_type="incentive", object_id=incentive.code)  # fmt: skip
    return incentive


@transaction.atomic
def incentive_decide(*, actor: Any, incentive_id: int, approve: bool, reason: str = "") -> Incentive:
    """The county credit office approves or rejects a proposal, or suspends an approved offer."""
    grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    incentive = Incentive.objects.select_for_update().filter(pk=incentive_id).first()
    if incentive is None:
        raise NotFound()
    reason = " ".join((reason or "").split())[:300]
    if not approve and not reason:
        raise field_error("reason", _("Say why."), code="required")
    if approve and incentive.status == Incentive.Status.APPROVED:
        raise Conflict(_("This incentive is already approved."), code="already_decided")
    if approve:
        incentive.status = Incentive.Status.APPROVED
    else:
        incentive.status = (
            Incentive.Status.SUSPENDED if incentive.status == Incentive.Status.APPROVED else Incentive.Status.REJECTED
        )
    incentive.decided_by, incentive.decided_at, incentive.decision_reason = actor, clock.now(), reason
    incentive.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(actor=actor, role=grant.role, kind=AuditEvent.Kind.WRITE, action=f"incentive.{incentive.status}",
                 object_type="incentive", object_id=incentive.code, details={"reason": reason})  # fmt: skip
    return incentive


# --- Holders --------------------------------------------------------------------------------
def _grade_of(subject: Subject) -> str:
    return SubjectCredit.objects.filter(pk=subject.pk).values_list("grade", flat=True).first() or ""


@dataclass(frozen=True)
class Issued:
    credential: Credential
    token: str


@transaction.atomic
def credential_issue(
    *, actor: Any, incentive_id: int, kind: str = Credential.Kind.LIVE, subject_id: int | None = None
) -> Issued:
    """The holder creates a credential for an incentive they qualify for now: a live code (5
    minutes) or a printed card (30 days; at most ``max_cards()`` in force per offer). Raises
    NotFound, InvalidInput (not eligible), Conflict ``card_limit``."""
    subject = holder_subject(actor, subject_id)
    if kind not in Credential.Kind.values:
        raise field_error("kind", _("Choose a live code or a printed card."), code="invalid_choice")
    incentive = Incentive.objects.select_related("provider").filter(pk=incentive_id).first()
    now = clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    if incentive is None or not incentive_open(incentive, today) or not incentive.provider.active:
        raise NotFound()
    if subject.kind == Subject.Kind.PERSON and not Person.objects.filter(pk=subject.pk, consent_given=True).exists():
        raise InvalidInput(
            _("Incentives depend on your credit grade, which needs your consent to scoring."), code="no_consent"
        )
    if not eligible_now(
        incentive=incentive, subject_id=subject.pk, kind=subject.kind, grade=_grade_of(subject), today=today
    ):
        raise InvalidInput(
            _("This incentive needs grade %(g)s or better.") % {"g": incentive.min_grade}, code="not_eligible"
        )
    if kind == Credential.Kind.CARD:
        _card_room(subject=subject, incentive=incentive, now=now)
    kid, private = signing_key()
    holder = signing.holder_id(pseudonym_key(), provider_id=incentive.provider_id, subject_id=subject.pk)
    expires = now + (
        dt.timedelta(minutes=LIVE_MINUTES) if kind == Credential.Kind.LIVE else dt.timedelta(days=CARD_DAYS)
    )
    jti = signing.b64u(secrets.token_bytes(12))
    claims = signing.Claims(
        kid=kid, holder=holder, incentive=incentive.code, issued_at=int(now.timestamp()),
        expires_at=int(expires.timestamp()), jti=jti,
    )  # fmt: skip
    credential = Credential.objects.create(
        jti=jti, subject=subject, incentive=incentive, holder=holder, kind=kind, kid=kid, issued_at=now,
        expires_at=dt.datetime.fromtimestamp(claims.expires_at, tz=dt.UTC),
    )  # fmt: skip
    return Issued(credential=credential, token=signing.sign_token(private, claims))


def max_cards() -> int:
    """Printed cards a holder may have in force per offer (``RONGXIN_INCENTIVE_MAX_CARDS``)."""
    return int(getattr(settings, "RONGXIN_INCENTIVE_MAX_CARDS", DEFAULT_MAX_CARDS))


def _card_room(*, subject: Subject, incentive: Incentive, now: dt.datetime) -> None:
    """Conflict ``card_limit`` when the holder already has the most printed cards in force
    (neither withdrawn nor expired) for this offer. The subject's row is locked so that two
    requests at once cannot both take the last place."""
    list(Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True))
    in_force = Credential.objects.filter(
        subject=subject, incentive=incentive, kind=Credential.Kind.CARD, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    limit = max_cards()
    if in_force >= limit:
        raise Conflict(
            _(
                "You already have %(n)d printed cards for this offer in force. Withdraw one (a lost card, for "
                "example) before printing another."
            )
            % {"n": limit},
            code="card_limit",
        )


@transaction.atomic
def credential_revoke(*, actor: Any, jti: str) -> Credential:
    """The holder withdraws a credential (e.g. a lost card)."""
    credential = Credential.objects.select_for_update().filter(jti=jti).first()
    if credential is None:
        raise NotFound()
    holder_subject(actor, credential.subject_id)
    if credential.revoked_at is None:
        credential.revoked_at = clock.now()
        credential.save(update_fields=["revoked_at"])
    return credential


# --- Checks ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    eligible: bool
    reason: str  # "eligible" or a Check.Result code


@dataclass(frozen=True)
class _Cred:
    """The columns of a credential a check needs, read as a plain row (a batch reads up to
    1,000 of them; model instances with their incentive, provider and subject cost several times
    the signatures)."""

    jti: str
    holder: str
    kind: str
    subject_id: int
    subject_kind: str
    incentive_id: int
    revoked_at: dt.datetime | None
    grade: str


@dataclass
class _Resolved:
    answer: Answer
    credential: _Cred | None = None
    incentive: Incentive | None = None


CRED_COLUMNS = (
    "jti",
    "holder",
    "kind",
    "subject_id",
    "subject__kind",
    "incentive_id",
    "revoked_at",
    "subject__credit__grade",
)


def _resolve(provider: Provider, tokens: list[str], *, now: dt.datetime) -> list[_Resolved]:
    keys = public_keys(cached=True)
    verified = [signing.verify_token(t, keys, now=now) for t in tokens]
    if any(v.status == "unknown_key" for v in verified):  # a key added since this process read them
        keys = public_keys()
        verified = [
            signing.verify_token(t, keys, now=now) if v.status == "unknown_key" else v
            for t, v in zip(tokens, verified, strict=True)
        ]
    jtis = [v.claims.jti for v in verified if v.status in ("ok", "expired") and v.claims is not None]
    creds: dict[str, _Cred] = {}
    if jtis:
        for jti, holder, kind, subject_id, subject_kind, incentive_id, revoked_at, grade in Credential.objects.filter(
            jti__in=jtis
        ).values_list(*CRED_COLUMNS):
            creds[jti] = _Cred(jti, holder, kind, subject_id, subject_kind, incentive_id, revoked_at, grade or "")
    incentives = Incentive.objects.in_bulk({c.incentive_id for c in creds.values()})
    # A live code backs one redemption: once redeemed, a check says so instead of "eligible".
    live = [c.jti for c in creds.values() if c.kind == Credential.Kind.LIVE]
    used = (
        set(Redemption.objects.filter(credential_jti__in=live).values_list("credential_jti", flat=True))
        if live
        else set()
    )
    today = now.astimezone(clock.LOCAL_TZ).date()
    out = []
    for v in verified:
        if v.status == "expired":
            # The signature held, so the holder is known: they see this check too.
            known = creds.get(v.claims.jti) if v.claims is not None else None
            if known is None or v.claims is None or known.holder != v.claims.holder:
                known = None
            elif incentives[known.incentive_id].provider_id != provider.pk:
                known = None  # another provider's credential: not this provider's to log against
            out.append(
                _Resolved(Answer(False, Check.Result.EXPIRED), known, incentives[known.incentive_id] if known else None)
            )
            continue
        if v.status != "ok" or v.claims is None:
            out.append(_Resolved(Answer(False, Check.Result.INVALID)))
            continue
        c = creds.get(v.claims.jti)
        incentive = incentives[c.incentive_id] if c is not None else None
        if c is None or incentive is None or c.holder != v.claims.holder or incentive.code != v.claims.incentive:
            out.append(_Resolved(Answer(False, Check.Result.INVALID)))
            continue
        if incentive.provider_id != provider.pk:
            out.append(_Resolved(Answer(False, Check.Result.WRONG_PROVIDER), c, incentive))
            continue
        if c.revoked_at is not None:
            out.append(_Resolved(Answer(False, Check.Result.REVOKED), c, incentive))
            continue
        if c.jti in used:
            out.append(_Resolved(Answer(False, Check.Result.USED), c, incentive))
            continue
        ok = eligible_now(incentive=incentive, subject_id=c.subject_id, kind=c.subject_kind, grade=c.grade, today=today)
        out.append(_Resolved(Answer(ok, Check.Result.ELIGIBLE if ok else Check.Result.NOT_ELIGIBLE), c, incentive))
    return out


CHECK_SPEC = TableSpec.of(Check, ("provider", "subject", "incentive", "credential_jti", "at", "channel", "result"))


def credentials_check(*, actor: Any, tokens: list[str], channel: str = Check.Channel.ONLINE) -> list[Answer]:
    """A provider checks up to 1,000 credentials: eligible or not, per item, in order. Each
    distinct credential is checked and recorded once (the holder sees it), however often the
    batch repeats it. A credential for another provider's incentive is
    answered "wrong_provider" and recorded for that holder too. Raises NotFound, InvalidInput."""
    provider = provider_of(actor)
    if not isinstance(tokens, list) or not tokens:
        raise field_error("tokens", _("Send between 1 and %(n)d credentials.") % {"n": MAX_BATCH}, code="batch_size")
    if len(tokens) > MAX_BATCH:
        raise field_error("tokens", _("Send between 1 and %(n)d credentials.") % {"n": MAX_BATCH}, code="batch_size")
    now = clock.now()
    # One check per distinct credential: the same token sent 1,000 times is checked and shown to
    # its holder once, and every position of the batch gets that one answer.
    texts = [str(t).strip() for t in tokens]
    distinct = list(dict.fromkeys(texts))
    resolved = _resolve(provider, distinct, now=now)
    at = adapt_datetime(connection, now)
    rows = [
        (
            provider.pk,
            r.credential.subject_id if r.credential else None,
            r.incentive.pk if r.incentive else None,
            r.credential.jti if r.credential else "",
            at,
            channel,
            r.answer.reason,
        )
        for r in resolved
    ]
    # One raw write (COPY on PostgreSQL for a batch): plain values, all checked above.
    with transaction.atomic():
        writer = BulkWriter(connection, method="auto" if len(rows) > 20 else "executemany")
        try:
            writer.write(CHECK_SPEC, rows)
        finally:
            writer.close()
    answers = dict(zip(distinct, (r.answer for r in resolved), strict=True))
    return [answers[t] for t in texts]


# --- Redemptions ----------------------------------------------------------------------------
def _period_start(period: str, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(clock.LOCAL_TZ)
    day = dt.datetime(local.year, local.month, local.day, tzinfo=clock.LOCAL_TZ)
    if period == Incentive.Period.DAY:
        return day
    if period == Incentive.Period.WEEK:
        return day - dt.timedelta(days=local.weekday())
    if period == Incentive.Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    created: bool


def redemption_record(*, actor: Any, token: str, reference: str) -> RedemptionResult:
    """The provider records that it gave the benefit, with its own reference (a retry with the
    same reference and credential returns the first record). Checks the credential and the
    quotas under the incentive's lock. Raises NotFound, InvalidInput (credential not valid or
    not eligible), Conflict (reference reused, live code used twice, quota exhausted). A
    refused attempt is recorded as a check."""
    provider = provider_of(actor)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise field_error("reference", _("Give your own reference (1–64 characters)."), code="reference")
    error: Exception | None = None
    redemption: Redemption | None = None
    with transaction.atomic():
        now = clock.now()
        resolved = _resolve(provider, [str(token or "")], now=now)[0]
        existing = Redemption.objects.filter(provider=provider, reference=reference).first()
        if existing is not None:
            if resolved.credential is not None and existing.credential_jti == resolved.credential.jti:
                return RedemptionResult(existing, False)
            raise Conflict(_("This reference was already used for another redemption."), code="reference_reused")
        c, answer = resolved.credential, resolved.answer
        result = answer.reason
        if answer.reason == Check.Result.USED:
            result, error = (
                Check.Result.REPLAYED,
                Conflict(_("This live code was already used; ask the holder to show a new one."), code="replayed"),
            )
        elif answer.eligible and c is not None:
            incentive = Incentive.objects.select_for_update().get(pk=c.incentive_id)
            existing = Redemption.objects.filter(provider=provider, reference=reference).first()
            if existing is not None:  # a concurrent retry committed while we waited for the lock
                if existing.credential_jti == c.jti:
                    return RedemptionResult(existing, False)
                raise Conflict(_("This reference was already used for another redemption."), code="reference_reused")
            if c.kind == Credential.Kind.LIVE and Redemption.objects.filter(credential_jti=c.jti).exists():
                result, error = (
                    Check.Result.REPLAYED,
                    Conflict(_("This live code was already used; ask the holder to show a new one."), code="replayed"),
                )
            elif incentive.quota_total is not None and incentive.redeemed_total >= incentive.quota_total:
                result, error = (
                    Check.Result.QUOTA,
                    Conflict(_("This incentive has been used up."), code="quota_exhausted"),
                )
            elif incentive.quota_per_holder is not None:
                used = Redemption.objects.filter(
                    incentive=incentive, subject_id=c.subject_id, at__gte=_period_start(incentive.quota_period, now)
                ).count()
                if used >= incentive.quota_per_holder:
                    result, error = (
                        Check.Result.QUOTA,
                        Conflict(
                            _("The holder has used this incentive %(n)d times %(per)s already.")
                            % {"n": used, "per": incentive.get_quota_period_display()},
                            code="quota_exhausted",
                        ),
                    )
            if error is None:
                try:
                    with transaction.atomic():
                        redemption = Redemption.objects.create(
                            provider=provider, incentive=incentive, subject_id=c.subject_id, holder=c.holder,
                            reference=reference, credential_jti=c.jti, at=now, recorded_by=actor,
                        )  # fmt: skip
                except IntegrityError:  # the same reference on another offer, committed meanwhile
                    raise Conflict(
                        _("This reference was already used for another redemption."), code="reference_reused"
                    ) from None
                incentive.redeemed_total += 1
                incentive.save(update_fields=["redeemed_total"])
        Check.objects.create(
            provider=provider,
            subject_id=c.subject_id if c else None,
            incentive=resolved.incentive,
            credential_jti=c.jti if c else "",
            at=now,
            channel=Check.Channel.REDEMPTION,
            result=result,
        )
        audit_record(
            actor=actor,
            role=Role.INCENTIVE_PROVIDER,
            kind=AuditEvent.Kind.WRITE,
            action="incentive.redeem" if answer.eligible and error is None else "incentive.redeem_refused",
            object_type="incentive",
            object_id=resolved.incentive.code if resolved.incentive else "",
            subject_id=c.subject_id if c else None,
            details={"reference": reference, "result": result},
        )
    if error is not None:
        raise error
    if not answer.eligible or redemption is None:
        raise InvalidInput(_NOT_OK.get(answer.reason, _NOT_OK["invalid"]), code=answer.reason)
    return RedemptionResult(redemption, True)


_NOT_OK = {
    "invalid": _("This is not a valid credential (forged, altered or unknown)."),
    "expired": _("This credential has expired; ask the holder to show a new one."),
    "wrong_provider": _("This credential is for another provider's incentive."),
    "revoked": _("The holder has withdrawn this credential."),
    "not_eligible": _("The holder is not eligible for this incentive now."),
}


# --- The status list for offline verifiers ---------------------------------------------------
STATUS_HOURS = 24  # how long an offline verifier may use one status list


@dataclass(frozen=True)
class OfflineStatus:
    status: signing.StatusList
    text: str  # the signed RXS1 text


def status_list_build(*, provider: Provider, now: dt.datetime | None = None) -> OfflineStatus:
    """The provider's signed status list: its offers open now and the ids of its unexpired
    credentials an online check would refuse (withdrawn; the holder's grade below the floor or
    gone; a live code already redeemed). Offline verifiers refuse every credential without a
    list that is still good (``STATUS_HOURS``), so a fallen grade reaches them within that time.
    One query per open offer, for the refused rows only."""
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    open_offers = [i for i in provider.incentives.order_by("code") if provider.active and incentive_open(i, today)]
    revoked: set[str] = set()
    for incentive in open_offers:
        allowed = [g for g in GRADES if grade_allows(g, incentive.min_grade)]
        used = Redemption.objects.filter(incentive=incentive, credential_jti__gt="").values("credential_jti")
        revoked.update(
            Credential.objects.filter(incentive=incentive, expires_at__gt=now)
            .filter(
                Q(revoked_at__isnull=False)
                | Q(subject__credit__isnull=True)
                | ~Q(subject__credit__grade__in=allowed)
                | Q(kind=Credential.Kind.LIVE, jti__in=used)
            )
            .values_list("jti", flat=True)
        )
    kid, private = signing_key()
    status = signing.StatusList(
        kid=kid,
        provider=provider.code,
        generated_at=int(now.timestamp()),
        valid_until=int((now + dt.timedelta(hours=STATUS_HOURS)).timestamp()),
        incentives=frozenset(i.code for i in open_offers),
        revoked=frozenset(revoked),
    )
    return OfflineStatus(status=status, text=signing.sign_status(private, status))


def status_list_of(*, actor: Any) -> OfflineStatus:
    """The status list of the provider the actor acts for. NotFound for anyone else."""
    return status_list_build(provider=provider_of(actor))


# --- Exports for offline validators ---------------------------------------------------------
def export_build(*, incentive_id: int, now: dt.datetime | None = None) -> EligibilityExport:
    """The signed list of every subject eligible now for an incentive, as sorted pseudonymous
    holder ids (10 bytes each). One grouped read of the current grades; no per-subject query."""
    incentive = Incentive.objects.select_related("provider").filter(pk=incentive_id).first()
    if incentive is None:
        raise NotFound()
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    grades = [g for g in GRADES if grade_allows(g, incentive.min_grade)]
    kinds: list[str] = []
    if incentive.for_persons:
        kinds.append(Subject.Kind.PERSON)
    if incentive.for_organisations:
        kinds += [k for k in Subject.Kind.values if k != Subject.Kind.PERSON]
    ids: list[int] = []
    if incentive_open(incentive, today) and incentive.provider.active and grades and kinds:
        qn = connection.ops.quote_name
        credit_t, subject_t = qn(SubjectCredit._meta.db_table), qn(Subject._meta.db_table)
        g_params = ", ".join(["%s"] * len(grades))
        k_params = ", ".join(["%s"] * len(kinds))
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT c.subject_id FROM {credit_t} c JOIN {subject_t} s ON s.id = c.subject_id "  # noqa: S608
                f"WHERE c.grade IN ({g_params}) AND s.kind IN ({k_params})",
                [*grades, *kinds],
            )
            ids = [r[0] for r in cur.fetchall()]
    key = pseudonym_key()
    raw, provider_id = signing.holder_raw, incentive.provider_id
    holders = sorted(raw(key, provider_id=provider_id, subject_id=i) for i in ids)
    content = b"".join(holders)
    kid, private = signing_key()
    message = signing.export_message(incentive=incentive.code, generated_at=now, content=content)
    return EligibilityExport.objects.create(
        incentive=incentive,
        generated_at=now,
        holders=len(holders),
        kid=kid,
        content=content,
        digest=hashlib.sha256(content).hexdigest(),
        signature=signing.b64u(private.sign(message)),
    )


def exports_refresh(*, now: dt.datetime | None = None, keep: int = 3) -> int:
    """The worker's job: a fresh export for every open incentive; older exports beyond the last
    ``keep`` are deleted (they are derived data). Returns how many were built."""
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    built = 0
    for incentive in Incentive.objects.filter(status=Incentive.Status.APPROVED).select_related("provider"):
        if not incentive_open(incentive, today):
            continue
        export_build(incentive_id=incentive.pk, now=now)
        built += 1
        old = list(
            EligibilityExport.objects.filter(incentive=incentive)
            .order_by("-generated_at")
            .values_list("pk", flat=True)[keep:]
        )
        EligibilityExport.objects.filter(pk__in=old).delete()
    return built


# --- Starters -------------------------------------------------------------------------------
STARTERS = Path(__file__).resolve().parent / "data" / "starters.yaml"


@transaction.atomic
def incentives_load_starters() -> int:
    """Load the starter providers and incentives (approved, valid from the file's date) unless
    some incentives exist. Returns how many incentives were created."""
    if Incentive.objects.exists():
        return 0
    doc = yaml.safe_load(STARTERS.read_text(encoding="utf-8"))
    now = clock.now()
    providers = {
        p["code"]: Provider.objects.create(code=p["code"], name=p["name"], created_at=now) for p in doc["providers"]
    }
    valid_from = doc["valid_from"]
    created = 0
    for item in doc["incentives"]:
        values = _clean_incentive(
            IncentiveInput(
                code=item["code"],
                title_zh=item["title_zh"],
                title_en=item["title_en"],
                category=item["category"],
                min_grade=item["min_grade"],
                benefit_zh=item["benefit_zh"],
                benefit_en=item.get("benefit_en", ""),
                valid_from=valid_from,
                for_persons=item.get("for_persons", True),
                for_organisations=item.get("for_organisations", False),
                quota_per_holder=item.get("quota_per_holder"),
                quota_period=item.get("quota_period", ""),
                quota_total=item.get("quota_total"),
            )
        )
        Incentive.objects.create(
            provider=providers[item["provider"]],
            status=Incentive.Status.APPROVED,
            proposed_at=now,
            decided_at=now,
            decision_reason="starter catalogue",
            **values,
        )
        created += 1
    audit_record(actor=None, kind=AuditEvent.Kind.WRITE, action="incentives.load_starters",
                 object_type="incentive", object_id="starters", details={"incentives": created})  # fmt: skip
    return created
