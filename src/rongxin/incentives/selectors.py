"""Reads in incentives: the public list of offers, what a holder qualifies for and who checked
their credit, a provider's own offers, what an online check answers, the published keys, and
statistics of person-times benefited. Each read that is not public asks
:mod:`rongxin.incentives.permissions` first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock, pii
from rongxin.core.errors import NotFound
from rongxin.credit.models import SubjectCredit
from rongxin.incentives.domain import signing
from rongxin.incentives.domain.eligibility import eligible_now, grade_allows, incentive_open, kind_allowed
from rongxin.incentives.models import (
    Check,
    Credential,
    EligibilityExport,
    Incentive,
    Provider,
    ProviderAccount,
    Redemption,
    SigningKey,
)
from rongxin.incentives.permissions import (
    access_holder_subject,
    access_provider,
    access_provider_for_office,
    require_office,
    statistics_scope,
)
from rongxin.subjects.models import Person, Subject

HOLDER_INFO = b"rongxin/incentives/holder/v1"


# --- Keys -------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def pseudonym_key() -> bytes:
    """The HMAC key of pseudonymous holder ids, derived from the configured master key
    (``RONGXIN_PII_KEY``) with HKDF."""
    return pii.derived_key(HOLDER_INFO)


_public_cache: dict[str, Ed25519PublicKey] = {}


def public_keys(*, cached: bool = False) -> dict[str, Ed25519PublicKey]:
    """Every published key (current and retired), by key id. ``cached``: the keys this process
    has read before, without a query (keys are only ever added, so a caller that meets an
    unknown key id asks again without it). Public keys are cached per process and reloaded when
    a rotation adds a key."""
    if cached and _public_cache:
        return dict(_public_cache)
    kids = set(SigningKey.objects.values_list("kid", flat=True))
    if kids != set(_public_cache):
        _public_cache.clear()
        for kid, public in SigningKey.objects.values_list("kid", "public_key"):
            _public_cache[kid] = Ed25519PublicKey.from_public_bytes(bytes(public))
    return dict(_public_cache)


def signing_keys_published() -> list[SigningKey]:
    """Every signing key, current and retired, oldest first (their public halves are published)."""
    return list(SigningKey.objects.order_by("created_at", "id"))


# --- Small reads ------------------------------------------------------------------------------
def provider_grant_choices() -> list[tuple[str, str]]:
    """The active providers an incentive-provider grant may name: (code, name), by name."""
    return [
        (code, name) for code, name in Provider.objects.filter(active=True).order_by("name").values_list("code", "name")
    ]


def user_by_username(*, username: str) -> User | None:
    return User.objects.filter(username=(username or "").strip()).first()


def credit_grade_of(*, subject_id: int) -> str:
    """The subject's current credit grade ("" without one: no consent, or never scored)."""
    return SubjectCredit.objects.filter(pk=subject_id).values_list("grade", flat=True).first() or ""


def scoring_consent(*, subject: Subject) -> bool:
    """Whether the subject's grade may count: a person needs consent to scoring; an
    enterprise or individual business needs none."""
    return subject.kind != Subject.Kind.PERSON or Person.objects.filter(pk=subject.pk, consent_given=True).exists()


def incentive_id_by_code(*, code: str) -> int:
    """The id of the offer with this code. NotFound for an unknown code."""
    pk = Incentive.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound()
    return pk


def export_latest(*, actor: User, code: str) -> EligibilityExport:
    """The newest export of one of the actor's own incentives. NotFound for another provider's
    incentive, and (code ``no_export``) before the worker has built the first one."""
    provider = access_provider(actor=actor)
    incentive = Incentive.objects.filter(provider=provider, code=code).first()
    if incentive is None:
        raise NotFound()
    export = EligibilityExport.objects.filter(incentive=incentive).order_by("-generated_at", "-id").first()
    if export is None:
        raise NotFound(_("No export yet: the worker builds one every 15 minutes."), code="no_export")
    return export


# --- Offers -----------------------------------------------------------------------------------
def incentives_open(*, category: str = "", for_kind: str = "") -> list[Incentive]:
    """Offers in force today (public information)."""
    today = clock.today_local()
    qs = Incentive.objects.filter(status=Incentive.Status.APPROVED, provider__active=True).select_related("provider")
    if category:
        qs = qs.filter(category=category)
    out = [i for i in qs.order_by("category", "min_grade", "code") if incentive_open(i, today)]
    if for_kind == "person":
        out = [i for i in out if i.for_persons]
    elif for_kind == "organisation":
        out = [i for i in out if i.for_organisations]
    return out


@dataclass
class Offer:
    incentive: Incentive
    eligible: bool


@dataclass
class HolderView:
    subject: Subject
    consent: bool
    score: int | None
    grade: str
    offers: list[Offer]


def holder_view(*, actor: User, subject_id: int | None = None) -> HolderView:
    """The holder's own grade and every open offer for their kind, eligible or not (eligible
    first). NotFound for a subject the actor does not speak for."""
    subject = access_holder_subject(actor=actor, subject_id=subject_id)
    credit = SubjectCredit.objects.filter(pk=subject.pk).values_list("score", "grade").first() or (None, "")
    consent = scoring_consent(subject=subject)
    today = clock.today_local()
    offers = [
        Offer(incentive=i, eligible=consent and grade_allows(credit[1], i.min_grade))
        for i in Incentive.objects.filter(status=Incentive.Status.APPROVED, provider__active=True)
        .select_related("provider")
        .order_by("category", "min_grade", "code")
        if incentive_open(i, today) and kind_allowed(i, person=subject.kind == Subject.Kind.PERSON)
    ]
    offers.sort(key=lambda o: (not o.eligible, o.incentive.category, o.incentive.code))
    return HolderView(subject=subject, consent=consent, score=credit[0], grade=credit[1], offers=offers)


@dataclass
class HolderActivity:
    subject: Subject
    credentials: list[Credential]
    checks: list[Check]
    redemptions: list[Redemption]
    states: dict[str, str]  # credential id → valid | used | expired | revoked


def credential_state(c: Credential, *, now: dt.datetime, used: bool) -> str:
    """What the holder is told about a credential: withdrawn, used (a live code backs one
    redemption), expired, or valid."""
    if c.revoked_at is not None:
        return "revoked"
    if used and c.kind == Credential.Kind.LIVE:
        return "used"
    return "expired" if c.expires_at <= now else "valid"


def holder_activity(*, actor: User, subject_id: int | None = None, limit: int = 200) -> HolderActivity:
    """Every check of the holder's credentials and every redemption ("who checked my credit"),
    newest first, and their recent credentials with the state of each. NotFound for a subject
    the actor does not speak for."""
    subject = access_holder_subject(actor=actor, subject_id=subject_id)
    credentials = list(
        Credential.objects.filter(subject=subject).select_related("incentive").order_by("-issued_at", "-id")[:50]
    )
    live = [c.jti for c in credentials if c.kind == Credential.Kind.LIVE]
    used = set(Redemption.objects.filter(credential_jti__in=live).values_list("credential_jti", flat=True))
    now = clock.now()
    return HolderActivity(
        subject=subject,
        credentials=credentials,
        states={c.jti: credential_state(c, now=now, used=c.jti in used) for c in credentials},
        checks=list(
            Check.objects.filter(subject=subject).select_related("provider", "incentive").order_by("-at", "-id")[:limit]
        ),
        redemptions=list(
            Redemption.objects.filter(subject=subject)
            .select_related("provider", "incentive")
            .order_by("-at", "-id")[:limit]
        ),
    )


@dataclass
class HolderPanel:
    """The incentives section of a holder's own file page."""

    subject: Subject
    consent: bool
    grade: str
    eligible: list[Incentive]  # the offers the holder qualifies for now
    redemptions: list[Redemption]  # the most recent first


def holder_panel(*, actor: User, subject_id: int, limit: int = 5) -> HolderPanel:
    """What a holder's own file shows of incentives: the offers they qualify for now and their
    latest ``limit`` redemptions. NotFound for a subject the actor does not speak for."""
    view = holder_view(actor=actor, subject_id=subject_id)
    redemptions = (
        Redemption.objects.filter(subject=view.subject).select_related("provider", "incentive").order_by("-at", "-id")
    )
    return HolderPanel(
        subject=view.subject,
        consent=view.consent,
        grade=view.grade,
        eligible=[o.incentive for o in view.offers if o.eligible],
        redemptions=list(redemptions[:limit]),
    )


def provider_offers(*, actor: User) -> tuple[Provider, list[Incentive]]:
    """The provider the actor acts for and its offers in every status. NotFound for anyone else."""
    provider = access_provider(actor=actor)
    return provider, list(provider.incentives.order_by("status", "code"))


@dataclass(frozen=True)
class StatRow:
    month: dt.date
    provider: str
    incentive: str
    title: str
    redemptions: int
    holders: int


def redemption_statistics(*, actor: User, since: dt.date | None = None) -> list[StatRow]:
    """Person-times benefited per incentive, provider and month (Beijing time): the county
    credit office and auditors see all providers; a provider sees its own."""
    qs = Redemption.objects.all()
    provider = statistics_scope(actor=actor)
    if provider is not None:
        qs = qs.filter(provider=provider)
    if since is not None and since > dt.date.min:
        # From local midnight; the first day of the calendar has no UTC midnight before it in
        # Python's range, and since then means everything.
        qs = qs.filter(at__gte=dt.datetime(since.year, since.month, since.day, tzinfo=clock.LOCAL_TZ))
    rows = (
        qs.annotate(month=TruncMonth("at", tzinfo=clock.LOCAL_TZ))
        .values("month", "provider__name", "incentive__code", "incentive__title_zh")
        .annotate(n=Count("id"), holders=Count("subject", distinct=True))
        .order_by("-month", "provider__name", "incentive__code")
    )
    return [
        StatRow(
            month=r["month"].date() if isinstance(r["month"], dt.datetime) else r["month"],
            provider=r["provider__name"],
            incentive=r["incentive__code"],
            title=r["incentive__title_zh"],
            redemptions=r["n"],
            holders=r["holders"],
        )
        for r in rows
    ]


# --- The county credit office's overview ------------------------------------------------------
@dataclass
class ProviderRow:
    provider: Provider
    offers: int
    accounts: int


@dataclass
class OfficeOverview:
    providers: list[ProviderRow]
    proposals: list[Incentive]
    offers: list[Incentive]
    statistics: list[StatRow]


def office_overview(*, actor: User, since: dt.date | None) -> OfficeOverview:
    """What the county credit office manages: providers, proposals waiting for a decision,
    approved and suspended offers, and the redemption statistics. NotFound for anyone else."""
    require_office(actor=actor)
    providers = [
        ProviderRow(provider=p, offers=p.n_offers, accounts=p.n_accounts)  # type: ignore[attr-defined]
        for p in Provider.objects.annotate(
            n_offers=Count("incentives", distinct=True), n_accounts=Count("accounts", distinct=True)
        ).order_by("code")
    ]
    incentives = list(Incentive.objects.select_related("provider").order_by("provider__code", "code"))
    return OfficeOverview(
        providers=providers,
        proposals=[i for i in incentives if i.status == Incentive.Status.PROPOSED],
        offers=[i for i in incentives if i.status != Incentive.Status.PROPOSED],
        statistics=redemption_statistics(actor=actor, since=since),
    )


def provider_accounts(*, actor: User, provider_id: int) -> tuple[Provider, list[ProviderAccount]]:
    """A provider and the accounts acting for it, for the county credit office. NotFound for
    anyone else and for an unknown provider."""
    provider = access_provider_for_office(actor=actor, provider_id=provider_id)
    return provider, list(provider.accounts.select_related("user").order_by("created_at", "id"))


# --- What an online check answers -------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    eligible: bool
    reason: str  # "eligible" or a Check.Result code


@dataclass(frozen=True)
class CredentialRow:
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
class Resolved:
    answer: Answer
    credential: CredentialRow | None = None
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


def credentials_resolve(*, provider: Provider, tokens: list[str], now: dt.datetime) -> list[Resolved]:
    """What an online check of each token answers for ``provider`` (in order), with the
    credential and offer it names when the signature holds. Reads the named credentials, their
    offers and the redemptions of live codes in three queries, whatever the batch size."""
    keys = public_keys(cached=True)
    verified = [signing.verify_token(t, keys, now=now) for t in tokens]
    if any(v.status == "unknown_key" for v in verified):  # a key added since this process read them
        keys = public_keys()
        verified = [
            signing.verify_token(t, keys, now=now) if v.status == "unknown_key" else v
            for t, v in zip(tokens, verified, strict=True)
        ]
    jtis = [v.claims.jti for v in verified if v.status in ("ok", "expired") and v.claims is not None]
    creds: dict[str, CredentialRow] = {}
    if jtis:
        for jti, holder, kind, subject_id, subject_kind, incentive_id, revoked_at, grade in Credential.objects.filter(
            jti__in=jtis
        ).values_list(*CRED_COLUMNS):
            creds[jti] = CredentialRow(
                jti, holder, kind, subject_id, subject_kind, incentive_id, revoked_at, grade or ""
            )
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
                Resolved(Answer(False, Check.Result.EXPIRED), known, incentives[known.incentive_id] if known else None)
            )
            continue
        if v.status != "ok" or v.claims is None:
            out.append(Resolved(Answer(False, Check.Result.INVALID)))
            continue
        c = creds.get(v.claims.jti)
        incentive = incentives[c.incentive_id] if c is not None else None
        if c is None or incentive is None or c.holder != v.claims.holder or incentive.code != v.claims.incentive:
            out.append(Resolved(Answer(False, Check.Result.INVALID)))
            continue
        if incentive.provider_id != provider.pk:
            out.append(Resolved(Answer(False, Check.Result.WRONG_PROVIDER), c, incentive))
            continue
        if c.revoked_at is not None:
            out.append(Resolved(Answer(False, Check.Result.REVOKED), c, incentive))
            continue
        if c.jti in used:
            out.append(Resolved(Answer(False, Check.Result.USED), c, incentive))
            continue
        ok = eligible_now(incentive=incentive, person=c.subject_kind == Subject.Kind.PERSON, grade=c.grade, today=today)
        out.append(Resolved(Answer(ok, Check.Result.ELIGIBLE if ok else Check.Result.NOT_ELIGIBLE), c, incentive))
    return out
