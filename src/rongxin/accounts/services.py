"""Writes to accounts: users, grants, API keys, and the sign-in record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.api_scopes import all_scopes, scopes_normalise
from rongxin.accounts.domain.credentials import api_key_hash, new_api_key, new_password, username_normalise
from rongxin.accounts.domain.grant_scopes import GrantScope, grant_scope_for
from rongxin.accounts.domain.roles import ACCOUNT_ADMINS, COUNTY_ROLES, STAFF_ROLES, Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.permissions import (
    active_grants,
    administered_regions,
    county_admin_ids,
    forget_grants,
    granting_grant,
    grants_with_roles,
    managing_grant,
    may_revoke_api_key,
)
from rongxin.accounts.selectors import GrantSpec
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, Forbidden, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.regions.models import Region

USERNAME_MAX = 64
DISPLAY_NAME_MAX = 60
KEY_NAME_MAX = 60
KEY_MAX_DAYS = 730


def _person(actor: User | None) -> User | None:
    """The account acting, or ``None`` for the system (an unattended set-up or the command)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check_username(username: str, *, check_format: bool) -> str:
    username = username_normalise(username or "")
    if not username:
        raise field_error("username", _("Enter a username."), code="required")
    if check_format:
        try:
            for validator in User._meta.get_field("username").validators:
                validator(username)
        except ValidationError as exc:
            raise field_error("username", " ".join(exc.messages), code="username_format") from None
    if len(username) > USERNAME_MAX:
        raise field_error("username", _("At most 64 characters."), code="username_format")
    # Sign-in is exact, but two accounts that differ only in case would be told apart by nobody.
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            _("This username is taken."),
            code="duplicate_username",
            errors=[{"field": "username", "message": str(_("This username is taken.")), "code": "duplicate_username"}],
        )
    return username


def _check_display_name(display_name: str) -> str:
    """One line of text (control, invisible and direction-override characters refused, runs of
    white space folded), required, at most ``DISPLAY_NAME_MAX`` characters."""
    return clean_text(
        display_name, field="display_name", required=True, max_length=DISPLAY_NAME_MAX, multiline=False, fold=True
    )


# Django's validators, with our words for their codes: Django's own Chinese catalogue lacks some
# (the minimum length among them), and a person reads every one of them.
_PASSWORD_PROBLEMS = {
    "password_too_short": _("This password is too short: at least %(min_length)d characters."),
    "password_too_common": _("This password is too common."),
    "password_entirely_numeric": _("This password is only digits."),
    "password_too_similar": _("This password is too close to the username or name."),
}


def _check_password(password: str, *, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        messages = []
        for error in exc.error_list:
            words = _PASSWORD_PROBLEMS.get(error.code or "")
            messages.append(str(words) % (error.params or {}) if words is not None else " ".join(error.messages))
        raise field_error(field, " ".join(messages), code="weak_password") from None


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    grants: list[GrantSpec] = (),  # type: ignore[assignment]
    check_password: bool = True,
    must_change_password: bool = False,
    check_username: bool = False,
) -> User:
    """Create an account with its role grants. The username is normalised as sign-in spells it;
    its letters are checked for administrators and staff accounts (``check_username``), while an
    unattended set-up (the demo, tests) may use any name.

    An administrator (``actor``) creates a staff account with at least one grant, each of which
    they may grant (:func:`grant_add`'s rules); the system (``actor=None``) anything. Writes the
    user, its grants (with their audit rows) and one ``user.create`` audit row. Raises
    InvalidInput (username format, display name, weak password, bad role, region, department or
    scope), Forbidden (a grant out of the administrator's reach) and Conflict
    ``duplicate_username`` (taken, in any case).
    """
    person = _person(actor)
    admin = None
    if person is not None:
        admin = _require_admin(person)
        if not grants:
            raise field_error("role", _("Give the new account at least one role."), code="required")
    username = _check_username(username, check_format=check_username or person is not None)
    display_name = _check_display_name(display_name)
    if check_password:
        _check_password(password, user=User(username=username, display_name=display_name))
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                password=password,
                display_name=display_name,
                must_change_password=must_change_password,
            )
    except IntegrityError:  # the same name created at the same moment by another request
        raise Conflict(
            _("This username is taken."),
            code="duplicate_username",
            errors=[{"field": "username", "message": str(_("This username is taken.")), "code": "duplicate_username"}],
        ) from None
    for spec in grants:
        _grant_write(actor=person, user=user, spec=spec, new_account=True)
    audit_record(
        actor=person,
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="user.create",
        object_type="user",
        object_id=user.pk,
        details={"username": username, "must_change_password": must_change_password},
    )
    return user


@dataclass(frozen=True)
class StaffCreated:
    user: User
    # The generated password, shown to the administrator once; ``None`` when they typed one.
    password: str | None


def staff_account_create(
    *, actor: User | None, username: str, display_name: str, password: str | None, grant: GrantSpec
) -> StaffCreated:
    """An administrator's (or the system's) new staff account with its first grant and a
    password it must change at its first sign-in: the one typed, or a generated one that is
    returned once and never stored in clear. See :func:`user_create` for what it writes and
    raises."""
    generated = new_password() if not password else None
    user = user_create(
        actor=actor,
        username=username,
        display_name=display_name,
        password=password or generated or "",
        grants=[grant],
        must_change_password=True,
        check_username=True,
    )
    return StaffCreated(user=user, password=generated)


def _require_admin(actor: User) -> Grant:
    grants = grants_with_roles(actor, ACCOUNT_ADMINS)
    if not actor.is_active or not grants:
        raise NotFound()
    return grants[0]


def _reach(actor: User | None, user: User) -> Grant | None:
    """The actor's administrator grant over ``user`` (``None`` for the system). NotFound when
    the user is out of reach; Forbidden ``own_account`` for the actor themself."""
    person = _person(actor)
    if person is None:
        return None
    if person.pk == user.pk:
        raise Forbidden(_("Nobody changes their own roles or account state."), code="own_account")
    admin = managing_grant(person, user)
    if admin is None or not person.is_active:
        raise NotFound()
    return admin


def _check_spec(actor: User | None, spec: GrantSpec) -> tuple[Grant | None, GrantScope | None]:
    if spec.role not in Role.values:
        raise field_error("role", _("Unknown role."), code="role")
    if (spec.role == Role.DEPARTMENT_RECORDER) != (spec.department is not None):
        raise field_error(
            "department", _("A department is required for recorders and only for them."), code="department"
        )
    scope = grant_scope_for(spec.role)
    if scope is None and spec.scope:
        raise field_error("scope", _("This role takes no scope."), code="scope")
    # The system may grant the role alone and link later (the demo, scripted set-ups).
    if scope is not None and (spec.scope or _person(actor) is not None):
        if not spec.scope:
            raise field_error("scope", _("Choose the %(what)s.") % {"what": scope.label}, code="scope_required")
        if spec.scope not in dict(scope.choice_list()):
            raise field_error("scope", _("Not a choice: %(value)s.") % {"value": spec.scope}, code="scope")
    person = _person(actor)
    if person is None:
        return None, scope
    if spec.role not in STAFF_ROLES:
        raise field_error("role", _("This role comes with a subject's link, not a grant."), code="role")
    admin = granting_grant(person, role=spec.role, region=spec.region)
    if admin is not None:
        return admin, scope
    if spec.role in COUNTY_ROLES and any(r.contains(spec.region) for r in administered_regions(person)):
        message = _("Only an administrator of the whole county grants this role.")
        raise Forbidden(
            message, code="county_role", errors=[{"field": "role", "message": str(message), "code": "county_role"}]
        )
    message = _("This region is outside the regions you administer.")
    raise Forbidden(
        message,
        code="region_out_of_reach",
        errors=[{"field": "region", "message": str(message), "code": "region_out_of_reach"}],
    )


def _grant_write(*, actor: User | None, user: User, spec: GrantSpec, new_account: bool) -> Grant:
    """Check and write one grant (the account is locked by the caller or brand new)."""
    admin, scope = _check_spec(actor, spec)
    existing = Grant.objects.filter(user=user, role=spec.role, region=spec.region, revoked_at__isnull=True).first()
    if existing is not None:
        if existing.department_id == (spec.department.pk if spec.department else None) and existing.scope == spec.scope:
            return existing  # the same grant submitted twice
        raise Conflict(
            _("The account already holds this role over this region; revoke that grant first."), code="duplicate_grant"
        )
    grant = Grant.objects.create(
        user=user,
        role=spec.role,
        region=spec.region,
        department=spec.department,
        scope=spec.scope,
        granted_by=_person(actor),
    )
    details: dict[str, object] = {"grant": grant.pk, "role": spec.role, "region": spec.region.code}
    if spec.department is not None:
        details["department"] = spec.department.code
    if spec.scope:
        details["scope"] = spec.scope
    audit_record(
        actor=_person(actor),
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="grant.add",
        object_type="user",
        object_id=user.pk,
        details=details,
    )
    forget_grants(user)
    if scope is not None and spec.scope:
        scope.apply(actor=_person(actor), user=user, value=spec.scope)
    return grant


@transaction.atomic
def grant_add(*, actor: User | None, user: User, spec: GrantSpec) -> Grant:
    """Grant ``spec.role`` over ``spec.region`` to ``user``.

    An administrator grants to a user they manage (never themself) over a region inside their
    own, and only an administrator of the county grants the county roles (credit office,
    auditor); the system (``actor=None``) grants anything. Recorders need a department; a role
    with a grant scope (an incentive provider's staff) needs its value, and the app that
    declared it writes its link in the same transaction. Submitting an active grant again
    returns it unchanged. Writes the grant and one ``grant.add`` audit row. Raises NotFound (out
    of reach), Forbidden ``own_account`` / ``region_out_of_reach`` / ``county_role``,
    InvalidInput (role, department, scope) and Conflict ``duplicate_grant`` (the same role and
    region with another department or scope).
    """
    _reach(actor, user)
    _lock_account(user.pk)
    return _grant_write(actor=actor, user=user, spec=spec, new_account=False)


@transaction.atomic
def user_active_set(*, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (``active=False``) or reactivate an account. A deactivated account cannot
    sign in, its session ends at its next request and its API keys are refused (401); its
    grants and keys stay as they are, so reactivating restores them.

    An administrator acts on a user they manage, never on themself; nobody deactivates the
    last active administrator of a county. Setting the state it has changes nothing and writes
    no row. Writes ``is_active`` and one ``user.deactivate`` / ``user.reactivate`` audit row.
    Raises NotFound (out of reach), Forbidden ``own_account`` and ``last_county_admin``.
    """
    admin = _reach(actor, user)
    _lock_account(user.pk)
    current = User.objects.get(pk=user.pk)
    if current.is_active == active:
        return current
    if not active:
        for grant in Grant.objects.filter(
            user=current, role__in=ACCOUNT_ADMINS, revoked_at__isnull=True, region__level=Region.Level.COUNTY
        ).select_related("region"):
            if county_admin_ids(grant.region) == {current.pk}:
                raise Forbidden(
                    _("This is the last active administrator of the county: name another one first."),
                    code="last_county_admin",
                )
    User.objects.filter(pk=current.pk).update(is_active=active)
    current.is_active = active
    audit_record(
        actor=_person(actor),
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="user.reactivate" if active else "user.deactivate",
        object_type="user",
        object_id=current.pk,
    )
    return current


@transaction.atomic
def user_password_reset(*, actor: User | None, user: User, password: str | None = None) -> str | None:
    """Set a new password on ``user`` that they must change at their next sign-in: the one
    given, or a generated one, returned once (``None`` when one was given). Sessions signed in
    with the old password end. An administrator resets a user they manage, never themself (they
    change their own). Writes the password hash, ``must_change_password`` and one
    ``user.password_reset`` audit row (never the password). Raises NotFound (out of reach),
    Forbidden ``own_account``, InvalidInput ``weak_password``."""
    admin = _reach(actor, user)
    _lock_account(user.pk)
    current = User.objects.get(pk=user.pk)
    generated = new_password() if not password else None
    if password:
        _check_password(password, user=current)
    current.set_password(password or generated)
    current.must_change_password = True
    current.save(update_fields=["password", "must_change_password"])
    audit_record(
        actor=_person(actor),
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="user.password_reset",
        object_type="user",
        object_id=current.pk,
    )
    return generated


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The account changes its own password (and so leaves the forced change behind). Writes the
    password hash, clears ``must_change_password`` and writes one ``user.password_change``
    audit row. Raises InvalidInput on ``old_password`` (wrong) or ``new_password`` (weak, or
    the same as the old one)."""
    _lock_account(user.pk)
    current = User.objects.get(pk=user.pk)
    if not current.check_password(old_password):
        raise field_error("old_password", _("The current password is not right."), code="wrong_password")
    if old_password == new_password:
        raise field_error("new_password", _("Choose a password different from the current one."), code="same_password")
    _check_password(new_password, user=current, field="new_password")
    current.set_password(new_password)
    current.must_change_password = False
    current.save(update_fields=["password", "must_change_password"])
    user.password, user.must_change_password = current.password, False
    audit_record(
        actor=current,
        kind=AuditEvent.Kind.WRITE,
        action="user.password_change",
        object_type="user",
        object_id=current.pk,
    )
    return current


@transaction.atomic
def api_key_create(
    *,
    actor: User | None,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiKey, str]:
    """Create an API key for ``user`` as an unattended set-up does (no rights asked; people use
    :func:`api_key_issue`); returns the row and the key, which is never stored (its SHA-256
    is). Without ``scopes`` the key has every scope, i.e. its holder's full access. Writes the
    key and one ``api_key.create`` audit row."""
    return _key_write(actor=actor, user=user, name=name, scopes=scopes or all_scopes(), expires_at=expires_at, role="")


def _key_write(
    *, actor: User | None, user: User, name: str, scopes: list[str], expires_at: dt.datetime | None, role: str
) -> tuple[ApiKey, str]:
    key = new_api_key()
    row = ApiKey.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=api_key_hash(key), scopes=scopes, expires_at=expires_at
    )
    audit_record(
        actor=_person(actor),
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action="api_key.create",
        object_type="user",
        object_id=user.pk,
        details={
            "api_key": row.pk,
            "name": name,
            "prefix": row.prefix,
            "scopes": scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return row, key


@transaction.atomic
def api_key_issue(
    *, actor: User | None, user: User, name: str, scopes: list[str], expires_at: dt.datetime
) -> tuple[ApiKey, str]:
    """Issue an API key: everyone for themself, an administrator for a user they manage, the
    system for anyone. The key is returned once and stored as its SHA-256; it works for the
    ``scopes`` (``<area>:read`` / ``<area>:write``) until ``expires_at`` (at most
    :data:`KEY_MAX_DAYS` days ahead) or its revocation. A second current key of the same name
    for the same account is refused (a double submit makes one key). Writes the key and one
    ``api_key.create`` audit row. Raises NotFound (out of reach), InvalidInput (name, scopes,
    expiry) and Conflict ``duplicate_key_name``."""
    person = _person(actor)
    admin = None
    if person is not None and person.pk != user.pk:
        admin = managing_grant(person, user)
        if admin is None or not person.is_active:
            raise NotFound()
    name = " ".join((name or "").split())
    if not name:
        raise field_error("name", _("Name the key (e.g. the script or device that uses it)."), code="required")
    if len(name) > KEY_NAME_MAX:
        raise field_error("name", _("At most 60 characters."), code="too_long")
    try:
        stored = scopes_normalise(scopes)
    except ValueError as exc:
        raise field_error("scopes", _("Unknown scope: %(scope)s.") % {"scope": exc.args[0]}, code="scope") from None
    if not stored:
        raise field_error("scopes", _("Choose at least one scope."), code="required")
    now = clock.now()
    if expires_at <= now:
        raise field_error("expires_at", _("The expiry must lie in the future."), code="expiry")
    if expires_at > now + dt.timedelta(days=KEY_MAX_DAYS):
        raise field_error("expires_at", _("A key lives at most %(days)s days.") % {"days": KEY_MAX_DAYS}, code="expiry")
    _lock_account(user.pk)
    if ApiKey.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        message = _("A current key of this account already has this name.")
        raise Conflict(
            message,
            code="duplicate_key_name",
            errors=[{"field": "name", "message": str(message), "code": "duplicate_key_name"}],
        )
    return _key_write(
        actor=person, user=user, name=name, scopes=stored, expires_at=expires_at, role=admin.role if admin else ""
    )


def _lock_account(user_id: int) -> None:
    """Serialise changes to one account's access (row lock on PostgreSQL; SQLite's write lock is
    taken at BEGIN IMMEDIATE): the last-admin check and the idempotency check then see every
    earlier revocation of that account."""
    User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True).first()


@transaction.atomic
def grant_revoke(*, actor: User | None, grant: Grant) -> Grant:
    """Revoke ``grant`` (the system, or an administrator over its holder's region, see
    :func:`~rongxin.accounts.permissions.managing_grant`). It stops counting on the holder's
    next request: grants are read from the database on every request, never kept in the session.

    Writes ``revoked_at`` and one ``grant.revoke`` audit row (object: the holder). Revoking a
    revoked grant changes nothing, writes no row and returns it as it is. Raises NotFound (not the
    actor's to manage, or missing) and Forbidden ``last_admin_grant`` (the actor's own last
    administrator grant: nobody locks themself out).
    """
    person = _person(actor)
    admin = managing_grant(person, grant.user) if person is not None else None
    if person is not None and admin is None:
        raise NotFound()
    _lock_account(grant.user_id)
    current = Grant.objects.select_related("region", "department").get(pk=grant.pk)
    if current.revoked_at is not None:
        return current
    if person is not None and current.user_id == person.pk and current.role in ACCOUNT_ADMINS:
        others = Grant.objects.filter(user_id=person.pk, role__in=ACCOUNT_ADMINS, revoked_at__isnull=True)
        if not others.exclude(pk=current.pk).exists():
            raise Forbidden(
                _("This is your last administrator grant: ask another administrator to revoke it."),
                code="last_admin_grant",
            )
    if (
        current.role in ACCOUNT_ADMINS
        and current.region.level == Region.Level.COUNTY
        and county_admin_ids(current.region) == {current.user_id}
    ):
        raise Forbidden(
            _("This is the last active administrator of the county: name another one first."),
            code="last_county_admin",
        )
    current.revoked_at = clock.now()
    Grant.objects.filter(pk=current.pk).update(revoked_at=current.revoked_at)
    audit_record(
        actor=person,
        role=admin.role if admin is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="grant.revoke",
        object_type="user",
        object_id=current.user_id,
        details={"grant": current.pk, "role": current.role, "region": current.region.code},
    )
    # The request that revoked must not keep using the grant either (e.g. the page it renders).
    if person is not None:
        forget_grants(person)
    forget_grants(grant.user)
    return current


@transaction.atomic
def api_key_revoke(*, actor: User | None, key: ApiKey) -> ApiKey:
    """Revoke the API key ``key``: its holder's own, a user's the actor administers, or any
    (the system). The next
    request with it is refused (401): keys are looked up in the database on every request.

    Writes ``revoked_at`` and one ``api_key.revoke`` audit row (object: the holder). Revoking a
    revoked key changes nothing, writes no row and returns it as it is. Raises NotFound (not the
    actor's, or missing).
    """
    person = _person(actor)
    if person is not None and not may_revoke_api_key(person, key):
        raise NotFound()
    admin = None if person is None or key.user_id == person.pk else managing_grant(person, key.user)
    _lock_account(key.user_id)
    current = ApiKey.objects.get(pk=key.pk)
    if current.revoked_at is not None:
        return current
    current.revoked_at = clock.now()
    ApiKey.objects.filter(pk=current.pk).update(revoked_at=current.revoked_at)
    audit_record(
        actor=person,
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
