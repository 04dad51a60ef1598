"""Providers and the accounts acting for them, registered by the county credit office."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.incentives.models import Provider, ProviderAccount
from rongxin.incentives.permissions import access_provider_for_office, require_office
from rongxin.incentives.selectors import user_by_username
from rongxin.subjects.models import Subject


@transaction.atomic
def provider_create(
    *, actor: User, code: str, name: str, contact: str = "", organisation_id: int | None = None
) -> Provider:
    """Register a provider (the county credit office). Writes the provider and an audit row.
    Raises NotFound (not the office) and InvalidInput (code format, taken code, no name, an
    organisation that is a person)."""
    grant = require_office(actor=actor)
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
def provider_account_add(*, actor: User, provider_id: int, user: User) -> ProviderAccount:
    """Let ``user`` act for a provider (the county credit office). Writes the account and an
    audit row. Raises NotFound (not the office, unknown provider), InvalidInput
    ``no_provider_grant`` and Conflict ``duplicate`` (the user acts for a provider already)."""
    provider = access_provider_for_office(actor=actor, provider_id=provider_id)
    if not grants_with_roles(user, [Role.INCENTIVE_PROVIDER]):
        raise InvalidInput(_("The account needs an incentive-provider grant first."), code="no_provider_grant")
    try:
        with transaction.atomic():
            account = ProviderAccount.objects.create(provider=provider, user=user, created_at=clock.now())
    except IntegrityError:
        raise Conflict(_("This account already acts for a provider."), code="duplicate") from None
    audit_record(actor=actor, role=Role.COUNTY_CREDIT_OFFICE, kind=AuditEvent.Kind.WRITE, action="provider.account",
                 object_type="provider", object_id=provider.code, details={"user": user.get_username()})  # fmt: skip
    return account


def provider_account_link(*, actor: User, provider_id: int, username: str) -> ProviderAccount:
    """``provider_account_add`` for the account the county credit office names by username
    (only the office learns whether it exists: anyone else gets NotFound first)."""
    require_office(actor=actor)
    user = user_by_username(username=username)
    if user is None:
        raise field_error("username", _("There is no account with this username."), code="unknown_user")
    return provider_account_add(actor=actor, provider_id=provider_id, user=user)


def provider_account_for_grant(*, actor: User | None, user: User, value: str) -> ProviderAccount:
    """Link ``user`` to the provider coded ``value`` as part of an incentive-provider grant,
    called by the accounts grant service in its transaction once it has checked the grant (an
    account administrator's, or the system's). Linking to the provider it acts for already
    changes nothing; an account that acts for another provider moves to this one only when no
    current grant names that other provider. Writes the link and one ``provider.account``
    audit row. Raises InvalidInput (no such active provider) and Conflict ``duplicate``."""
    provider = Provider.objects.filter(code=value, active=True).first()
    if provider is None:
        raise field_error("scope", _("There is no active provider with this code."), code="unknown_provider")
    account = ProviderAccount.objects.select_for_update().filter(user=user).first()
    if account is not None and account.provider_id == provider.pk:
        return account
    if account is not None:
        other = account.provider.code
        if any(g.scope == other for g in grants_with_roles(user, [Role.INCENTIVE_PROVIDER])):
            raise Conflict(_("This account already acts for a provider."), code="duplicate")
        ProviderAccount.objects.filter(pk=account.pk).update(provider=provider)
        account.provider = provider
    else:
        account = ProviderAccount.objects.create(provider=provider, user=user, created_at=clock.now())
    audit_record(actor=actor, kind=AuditEvent.Kind.WRITE, action="provider.account", object_type="provider",
                 object_id=provider.code, details={"user": user.get_username()})  # fmt: skip
    return account
