"""Reads in incentives: the public list of offers, what a holder qualifies for and who checked
their credit, a provider's own offers, and statistics of person-times benefited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import grants_with_roles, require_role
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.credit.models import SubjectCredit
from rongxin.incentives.models import Check, Credential, Incentive, Provider, ProviderAccount, Redemption
from rongxin.incentives.services import grade_allows, holder_subject, incentive_open, kind_allowed, provider_of
from rongxin.subjects.models import Person, Subject


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


def holder_view(*, actor: Any, subject_id: int | None = None) -> HolderView:
    """The holder's own grade and every open offer for their kind, eligible or not."""
    subject = holder_subject(actor, subject_id)
    credit = SubjectCredit.objects.filter(pk=subject.pk).values_list("score", "grade").first() or (None, "")
    consent = subject.kind != Subject.Kind.PERSON or Person.objects.filter(pk=subject.pk, consent_given=True).exists()
    today = clock.today_local()
    offers = [
        Offer(incentive=i, eligible=consent and grade_allows(credit[1], i.min_grade))
        for i in Incentive.objects.filter(status=Incentive.Status.APPROVED, provider__active=True)
        .select_related("provider")
        .order_by("category", "min_grade", "code")
        if incentive_open(i, today) and kind_allowed(i, subject.kind)
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


def holder_activity(*, actor: Any, subject_id: int | None = None, limit: int = 200) -> HolderActivity:
    """Every check of the holder's credentials and every redemption ("who checked my credit"),
    newest first, and their recent credentials with the state of each."""
    subject = holder_subject(actor, subject_id)
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


def provider_offers(*, actor: Any) -> tuple[Provider, list[Incentive]]:
    provider = provider_of(actor)
    return provider, list(provider.incentives.order_by("status", "code"))


@dataclass(frozen=True)
class StatRow:
    month: dt.date
    provider: str
    incentive: str
    title: str
    redemptions: int
    holders: int


def redemption_statistics(*, actor: Any, since: dt.date | None = None) -> list[StatRow]:
    """Person-times benefited per incentive, provider and month (Beijing time): the county
    credit office and auditors see all providers; a provider sees its own."""
    qs = Redemption.objects.all()
    if not grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE, Role.AUDITOR]):
        try:
            qs = qs.filter(provider=provider_of(actor))
        except NotFound:
            raise NotFound() from None
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


def office_overview(*, actor: Any, since: dt.date | None) -> OfficeOverview:
    """What the county credit office manages: providers, proposals waiting for a decision,
    approved and suspended offers, and the redemption statistics. NotFound for anyone else."""
    require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
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


def provider_accounts(*, actor: Any, provider_id: int) -> tuple[Provider, list[ProviderAccount]]:
    """A provider and the accounts acting for it, for the county credit office. NotFound for
    anyone else and for an unknown provider."""
    require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise NotFound()
    return provider, list(provider.accounts.select_related("user").order_by("created_at", "id"))
