"""Who may do what in incentives, each a question that can be asked on its own.

Every function answers "may this actor do this (to this object)" and returns what the caller
needs next (the provider the actor acts for, the subject they hold credentials for, the offer to
decide) or raises :class:`NotFound`: missing and forbidden look the same. Services call these
before they write; pages and the API call the same functions to decide what to show.
"""

from __future__ import annotations

from django.db.models import Case, When

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grants_with_roles, require_role
from rongxin.core.errors import NotFound
from rongxin.incentives.models import Credential, Incentive, Provider, ProviderAccount
from rongxin.subjects.models import Subject, SubjectAccount


def _signed_in(actor: User | None) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def access_provider(*, actor: User) -> Provider:
    """The provider the actor acts for (an incentive-provider grant and a provider account of
    an active provider). NotFound otherwise."""
    if not _signed_in(actor) or not grants_with_roles(actor, [Role.INCENTIVE_PROVIDER]):
        raise NotFound()
    account = ProviderAccount.objects.select_related("provider").filter(user=actor, provider__active=True).first()
    if account is None:
        raise NotFound()
    return account.provider


def access_holder_subject(*, actor: User, subject_id: int | None = None) -> Subject:
    """The subject the actor holds credentials for: their own person record, or the
    organisation they represent (``subject_id`` picks one when there are several). NotFound for
    a subject the actor does not speak for."""
    if not _signed_in(actor):
        raise NotFound()
    links = SubjectAccount.objects.filter(user=actor).select_related("subject")
    if subject_id is not None:
        links = links.filter(subject_id=subject_id)
    # Their own record first; an enterprise they represent only when asked for.
    link = links.order_by(Case(When(relation=SubjectAccount.Relation.SELF, then=0), default=1), "subject_id").first()
    if link is None:
        raise NotFound()
    return link.subject


def access_credential(*, actor: User, jti: str, for_update: bool = False) -> Credential:
    """A credential of a subject the actor holds credentials for (to withdraw it). NotFound
    otherwise. ``for_update``: lock its row (inside the caller's transaction)."""
    credentials = Credential.objects.select_for_update() if for_update else Credential.objects.all()
    credential = credentials.filter(jti=jti).first()
    if credential is None:
        raise NotFound()
    access_holder_subject(actor=actor, subject_id=credential.subject_id)
    return credential


def require_office(*, actor: User) -> Grant:
    """The actor's county-credit-office grant: the office registers providers, links their
    accounts, and decides on offers. NotFound for anyone else."""
    return require_role(actor, [Role.COUNTY_CREDIT_OFFICE])


def access_incentive_for_decision(*, actor: User, incentive_id: int, for_update: bool = False) -> Incentive:
    """An offer the county credit office may approve, reject or suspend. NotFound for anyone
    else and for an unknown offer. ``for_update``: lock its row."""
    require_office(actor=actor)
    incentives = Incentive.objects.select_for_update() if for_update else Incentive.objects.select_related("provider")
    incentive = incentives.filter(pk=incentive_id).first()
    if incentive is None:
        raise NotFound()
    return incentive


def access_provider_for_office(*, actor: User, provider_id: int) -> Provider:
    """A provider the county credit office manages (its accounts, offers entered for it).
    NotFound for anyone else and for an unknown provider."""
    require_office(actor=actor)
    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        raise NotFound()
    return provider


def statistics_scope(*, actor: User) -> Provider | None:
    """Whose redemption statistics the actor may read: every provider's (``None``: the county
    credit office and auditors) or their own provider's. NotFound for anyone else."""
    if grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE, Role.AUDITOR]):
        return None
    return access_provider(actor=actor)
