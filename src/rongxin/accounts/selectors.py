"""Reads of accounts: a user's grants and API keys, and the users an administrator manages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.credentials import username_normalise
from rongxin.accounts.domain.grant_scopes import GrantScope, grant_scope_for, grant_scopes
from rongxin.accounts.domain.roles import STAFF_ROLES, Role
from rongxin.accounts.models import ApiKey, Department, Grant, User
from rongxin.accounts.permissions import access_user_for_admin, administered_regions, managed_users_q, managing_grant
from rongxin.core import clock
from rongxin.core.errors import field_error
from rongxin.regions.models import Region


@dataclass(frozen=True)
class GrantSpec:
    role: str
    region: Region
    department: Department | None = None
    # The value a higher app's grant scope asks for (e.g. a provider's code), see
    # :mod:`rongxin.accounts.domain.grant_scopes`; empty for roles without one.
    scope: str = ""


@dataclass(frozen=True)
class AccountAccess:
    """What one account may do and how it gets in: every grant and API key, current ones first.

    ``own`` is the actor looking at themself; ``manages`` is an administrator of the user (who
    may revoke their grants). Everyone may revoke their own keys.
    """

    user: User
    grants: list[Grant]
    api_keys: list[ApiKey]
    own: bool
    manages: bool
    now: dt.datetime  # when it was read, to tell expired keys

    @property
    def may_revoke_keys(self) -> bool:
        return self.own or self.manages


def account_access(*, actor: User, user_id: int) -> AccountAccess:
    """The grants and keys of ``user_id`` for the actor (themself or a user they manage).
    Raises NotFound for a missing user and one out of reach alike."""
    user = access_user_for_admin(actor=actor, user_id=user_id)
    grants = list(
        Grant.objects.filter(user=user)
        .select_related("region", "department", "granted_by")
        .order_by("-granted_at", "-id")
    )
    # Current ones first (a stable sort, newest first within each).
    grants.sort(key=lambda g: g.revoked_at is not None)
    # The words for a grant's scope (a provider's name for its code), from the app that owns it.
    for grant in grants:
        scope = grant_scope_for(grant.role) if grant.scope else None
        words = dict(scope.choice_list()).get(grant.scope) if scope is not None else None
        grant.scope_label = words or grant.scope  # type: ignore[attr-defined]
    keys = list(ApiKey.objects.filter(user=user).order_by("-created_at", "-id"))
    keys.sort(key=lambda k: k.revoked_at is not None)
    return AccountAccess(
        user=user,
        grants=grants,
        api_keys=keys,
        own=user.pk == actor.pk,
        manages=managing_grant(actor, user) is not None,
        now=clock.now(),
    )


def managed_users(*, actor: User, query: str = "") -> QuerySet[User]:
    """The users whose grants and keys the actor administers (none for non-administrators),
    by username; ``query`` narrows to usernames or display names containing it."""
    qs = User.objects.filter(managed_users_q(actor))
    query = query.strip()
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.order_by("username")


# --- What an administrator may grant ------------------------------------------------------
@dataclass(frozen=True)
class GrantOptions:
    """The choices of the grant form for one administrator (or the system: every region)."""

    roles: list[tuple[str, str]]
    regions: list[Region]
    departments: list[Department]
    scopes: dict[str, GrantScope]

    def scope_choices(self) -> list[tuple[str, str]]:
        return [(value, words) for scope in self.scopes.values() for value, words in scope.choice_list()]


def grant_options(*, actor: User | None) -> GrantOptions:
    """The roles, regions (the actor's subtrees, by code), departments and grant scopes the
    grant form offers. The roles that speak for one subject (resident, enterprise) are not
    granted here: they come with the subject's link."""
    if actor is None:
        regions = list(Region.objects.order_by("code"))
    else:
        prefixes = [r.prefix for r in administered_regions(actor)]
        q = Q(pk__in=[])
        for prefix in prefixes:
            q |= Q(prefix__startswith=prefix)
        regions = list(Region.objects.filter(q).order_by("code"))
    return GrantOptions(
        roles=[(str(r.value), str(r.label)) for r in Role if r in STAFF_ROLES],
        regions=regions,
        departments=list(Department.objects.order_by("code")),
        scopes={s.role: s for s in grant_scopes()},
    )


def grant_spec_from(*, role: str, region_code: str, department_code: str = "", scope: str = "") -> GrantSpec:
    """The grant named by codes (a form, a request body, the command). Raises InvalidInput on
    the field naming an unknown region or department."""
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise field_error("region", _("There is no region with this code."), code="unknown_region")
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code.strip()).first()
        if department is None:
            raise field_error("department", _("There is no department with this code."), code="unknown_department")
    return GrantSpec(role=role, region=region, department=department, scope=(scope or "").strip())


# --- Reads for the ``rongxin accounts`` command ------------------------------------------------
def user_by_username(username: str, *, active_only: bool = False) -> User | None:
    """The account of ``username`` (normalised as sign-in normalises it), if any."""
    users = User.objects.filter(username=username_normalise(username))
    if active_only:
        users = users.filter(is_active=True)
    return users.first()


def current_grant(*, user: User, role: str, region_code: str) -> Grant | None:
    """The user's current (unrevoked) grant of ``role`` over the region ``region_code``."""
    return Grant.objects.filter(user=user, role=role, region__code=region_code, revoked_at__isnull=True).first()


def keys_by_prefix(*, user: User, prefix: str) -> list[ApiKey]:
    """The user's API keys whose shown prefix begins with ``prefix`` (a trailing … ignored)."""
    return list(ApiKey.objects.filter(user=user, prefix__startswith=prefix.rstrip("…")))


def accounts_listing(*, actor: User | None, include_revoked: bool) -> list[tuple[User, list[Grant], list[ApiKey]]]:
    """Every account the actor manages (all of them for the system), each with its grants and
    keys (current ones only unless ``include_revoked``), for the command's ``list``."""
    users = User.objects.order_by("username") if actor is None else managed_users(actor=actor)
    grants = Grant.objects.select_related("region").order_by("id")
    keys = ApiKey.objects.order_by("id")
    if not include_revoked:
        grants, keys = grants.filter(revoked_at__isnull=True), keys.filter(revoked_at__isnull=True)
    grants_of: dict[int, list[Grant]] = {}
    keys_of: dict[int, list[ApiKey]] = {}
    for g in grants:
        grants_of.setdefault(g.user_id, []).append(g)
    for k in keys:
        keys_of.setdefault(k.user_id, []).append(k)
    return [(u, grants_of.get(u.pk, []), keys_of.get(u.pk, [])) for u in users]
