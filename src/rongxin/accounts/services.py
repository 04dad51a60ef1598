"""Writes to accounts: users, grants, API keys, and the sign-in record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.auth import api_key_hash, new_api_key
from rongxin.accounts.models import ApiKey, Department, Grant, User
from rongxin.accounts.permissions import active_grants
from rongxin.accounts.roles import Role
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
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
    actor: Any,
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
def grant_add(*, actor: Any, user: User, spec: GrantSpec) -> Grant:
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
def api_key_create(*, actor: Any, user: User, name: str) -> tuple[ApiKey, str]:
    """Create an API key for ``user``; returns the row and the key, which is never stored."""
    key = new_api_key()
    row = ApiKey.objects.create(user=user, name=name, prefix=key[:8], key_hash=api_key_hash(key))
    audit_record(
        actor=actor, kind=AuditEvent.Kind.WRITE, action="api_key.create", object_type="user", object_id=user.pk
    )
    return row, key


def sign_in_record(*, user: Any, username: str, success: bool) -> AuditEvent:
    """Audit a sign-in attempt (the username only; never the password)."""
    grants = active_grants(user) if success else []
    return audit_record(
        actor=user if success else None,
        role=grants[0].role if grants else "",
        kind=AuditEvent.Kind.AUTH,
        action="auth.login" if success else "auth.login_failed",
        object_type="user",
        object_id=user.pk if success else "",
        details={"username": username[:64], "at": clock.now().isoformat()} if not success else {},
    )
