"""Writes to accounts: users, grants, API keys, and the sign-in record."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.credentials import api_key_hash, new_api_key
from rongxin.accounts.domain.roles import ACCOUNT_ADMINS, Role
from rongxin.accounts.models import ApiKey, Department, Grant, User
from rongxin.accounts.permissions import active_grants, forget_grants, managing_grant, may_revoke_api_key
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, Forbidden, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Region


@dataclass(frozen=True)
class GrantSpec:
    role: str
    region: Region
    department: Department | None = None


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    grants: list[GrantSpec] = (),  # type: ignore[assignment]
    check_password: bool = True,
) -> User:
    """Create an account with its role grants. Raises InvalidInput (weak password, bad role or
    department), Conflict (username taken)."""
    if User.objects.filter(username=username).exists():
        raise Conflict(_("This username is taken."), code="duplicate_username")
    if check_password:
        try:
            validate_password(password)
        except ValidationError as exc:
            raise field_error("password", " ".join(exc.messages), code="weak_password") from None
    user = User.objects.create_user(username=username, password=password, display_name=display_name)
    for spec in grants:
        grant_add(actor=actor, user=user, spec=spec)
    audit_record(actor=actor, kind=AuditEvent.Kind.WRITE, action="user.create", object_type="user", object_id=user.pk)
    return user


@transaction.atomic
def grant_add(*, actor: User | None, user: User, spec: GrantSpec) -> Grant:
    """Grant ``spec.role`` over ``spec.region`` to ``user`` (recorders need a department)."""
    if spec.role not in Role.values:
        raise field_error("role", _("Unknown role."), code="role")
    if (spec.role == Role.DEPARTMENT_RECORDER) != (spec.department is not None):
        raise field_error(
            "department", _("A department is required for recorders and only for them."), code="department"
        )
    grant = Grant.objects.create(
        user=user,
        role=spec.role,
        region=spec.region,
        department=spec.department,
        granted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="grant.add",
        object_type="user",
        object_id=user.pk,
        details={"role": spec.role, "region": spec.region.code},
    )
    return grant


@transaction.atomic
def api_key_create(*, actor: User | None, user: User, name: str) -> tuple[ApiKey, str]:
    """Create an API key for ``user``; returns the row and the key, which is never stored."""
    key = new_api_key()
    row = ApiKey.objects.create(user=user, name=name, prefix=key[:8], key_hash=api_key_hash(key))
    audit_record(
        actor=actor, kind=AuditEvent.Kind.WRITE, action="api_key.create", object_type="user", object_id=user.pk
    )
    return row, key


def _lock_account(user_id: int) -> None:
    """Serialise changes to one account's access (row lock on PostgreSQL; SQLite's write lock is
    taken at BEGIN IMMEDIATE): the last-admin check and the idempotency check then see every
    earlier revocation of that account."""
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


@transaction.atomic
def grant_revoke(*, actor: User, grant: Grant) -> Grant:
    """Revoke ``grant`` (an administrator over its holder's region, see
    :func:`~rongxin.accounts.permissions.managing_grant`). It stops counting on the holder's
    next request: grants are read from the database on every request, never kept in the session.

    Writes ``revoked_at`` and one ``grant.revoke`` audit row (object: the holder). Revoking a
    revoked grant changes nothing, writes no row and returns it as it is. Raises NotFound (not the
    actor's to manage, or missing) and Forbidden ``last_admin_grant`` (the actor's own last
    administrator grant: nobody locks themself out).
    """
    admin = managing_grant(actor, grant.user)
    if admin is None:
        raise NotFound()
    _lock_account(grant.user_id)
    current = Grant.objects.select_related("region", "department").get(pk=grant.pk)
    if current.revoked_at is not None:
        return current
    if current.user_id == actor.pk and current.role in ACCOUNT_ADMINS:
        others = Grant.objects.filter(user_id=actor.pk, role__in=ACCOUNT_ADMINS, revoked_at__isnull=True)
        if not others.exclude(pk=current.pk).exists():
            raise Forbidden(
                _("This is your last administrator grant: ask another administrator to revoke it."),
                code="last_admin_grant",
            )
    current.revoked_at = clock.now()
    Grant.objects.filter(pk=current.pk).update(revoked_at=current.revoked_at)
    audit_record(
        actor=actor,
        role=admin.role,
        kind=AuditEvent.Kind.WRITE,
        action="grant.revoke",
        object_type="user",
        object_id=current.user_id,
        details={"grant": current.pk, "role": current.role, "region": current.region.code},
    )
    # The request that revoked must not keep using the grant either (e.g. the page it renders).
    forget_grants(actor)
    forget_grants(grant.user)
    return current


@transaction.atomic
def api_key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    """Revoke the API key ``key``: its holder's own, or a user's the actor administers. The next
    request with it is refused (401): keys are looked up in the database on every request.

    Writes ``revoked_at`` and one ``api_key.revoke`` audit row (object: the holder). Revoking a
    revoked key changes nothing, writes no row and returns it as it is. Raises NotFound (not the
    actor's, or missing).
    """
    if not may_revoke_api_key(actor, key):
        raise NotFound()
    admin = None if key.user_id == actor.pk else managing_grant(actor, key.user)
    _lock_account(key.user_id)
    current = ApiKey.objects.get(pk=key.pk)
    if current.revoked_at is not None:
        return current
    current.revoked_at = clock.now()
    ApiKey.objects.filter(pk=current.pk).update(revoked_at=current.revoked_at)
    audit_record(
        actor=actor,
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="api_key.revoke",
        object_type="user",
        object_id=current.user_id,
        details={"api_key": current.pk, "name": current.name, "prefix": current.prefix},
    )
    return current


def sign_in_record(*, user: User | None, username: str, success: bool) -> AuditEvent:
    """Audit a sign-in attempt (the username only; never the password)."""
    signed_in = user if success else None
    grants = active_grants(signed_in)
    return audit_record(
        actor=signed_in,
        role=grants[0].role if grants else "",
        kind=AuditEvent.Kind.AUTH,
        action="auth.login" if signed_in is not None else "auth.login_failed",
        object_type="user",
        object_id=signed_in.pk if signed_in is not None else "",
        details={} if signed_in is not None else {"username": username[:64], "at": clock.now().isoformat()},
    )
