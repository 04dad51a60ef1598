"""Who holds which role where. Everything is denied unless an active grant allows it.

Each question is asked here once: the services ask it before they write, the pages and the API
ask the same function to decide what to show. The role questions take any request's user
(anonymous visitors hold no grant); the questions about an action take the signed-in account.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest

from rongxin.accounts.domain.roles import ACCOUNT_ADMINS, COUNTY_ROLES, Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region

_CACHE_ATTR = "_rongxin_grants"


class SignedInRequest(HttpRequest):
    """A request whose user is a signed-in account: a page behind ``login_required``, or an API
    operation behind the API's authentication (which sets ``request.user`` for API keys too).
    For the type checker only; Django and ninja make the request."""

    user: User


def active_grants(user: User | AnonymousUser | None) -> list[Grant]:
    """The user's unrevoked grants (cached on the user object for the request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Grant.objects.filter(user=user, revoked_at__isnull=True)
            .select_related("region", "department")
            .order_by("id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: User | AnonymousUser) -> set[str]:
    return {g.role for g in active_grants(user)}


def grants_with_roles(user: User | AnonymousUser | None, roles: Iterable[str]) -> list[Grant]:
    wanted = set(roles)
    return [g for g in active_grants(user) if g.role in wanted]


def grant_covering(user: User | AnonymousUser | None, roles: Iterable[str], region: Region) -> Grant | None:
    """The first grant with one of ``roles`` whose region contains ``region``, if any."""
    for grant in grants_with_roles(user, roles):
        if grant.region.contains(region):
            return grant
    return None


def require_role(user: User | AnonymousUser | None, roles: Iterable[str]) -> Grant:
    """The first grant with one of ``roles``; otherwise :class:`NotFound` (deny, without detail)."""
    grants = grants_with_roles(user, roles)
    if not grants:
        raise NotFound()
    return grants[0]


def region_q(grants: Iterable[Grant], *, village_id_field: str = "village_id", town_field: str = "town") -> Q:
    """A filter for rows whose village lies inside any of ``grants``' regions.

    Rows carry both their village and its town, so a town or village grant is one indexed
    equality; a county grant matches every town whose parent is that county. An empty set of
    grants matches nothing.
    """
    q = Q(pk__in=[])
    for grant in grants:
        region = grant.region
        if region.level == Region.Level.COUNTY:
            q |= Q(**{f"{town_field}__parent_id": region.id})
        elif region.level == Region.Level.TOWN:
            q |= Q(**{f"{town_field}_id": region.id})
        else:
            q |= Q(**{village_id_field: region.id})
    return q


def require_auditor(user: User | AnonymousUser) -> Grant:
    """The auditor grant under which ``user`` reads the audit log; :class:`NotFound` otherwise."""
    return require_role(user, [Role.AUDITOR])


def role_label(role: str) -> str:
    return str(Role(role).label)


# --- Account administration ----------------------------------------------------------------
def _covers(admin_grants: Iterable[Grant], prefixes: Iterable[str]) -> bool:
    return all(any(p.startswith(g.region.prefix) for g in admin_grants) for p in prefixes)


def managing_grant(actor: User, user: User | None) -> Grant | None:
    """The actor's administrator grant under which they manage ``user``'s grants and keys.

    A user belongs to an administrator's region when every grant they hold *or held* lies in the
    subtree of the administrator's grants: a town administrator never reaches a county officer
    who also works in their town, and revoking grants does not move a user out of reach (so a
    second revocation gets the same answer, and keys can still be revoked after the grants).
    A user who never held a grant belongs to no region. ``None`` when the actor may not.
    """
    admin_grants = grants_with_roles(actor, ACCOUNT_ADMINS)
    if not admin_grants or user is None:
        return None
    prefixes = set(Grant.objects.filter(user_id=user.pk).values_list("region__prefix", flat=True))
    if not prefixes or not _covers(admin_grants, prefixes):
        return None
    return admin_grants[0]


def administers_accounts(actor: User) -> bool:
    """Whether the actor administers anyone's accounts (the staff list and its links)."""
    return bool(grants_with_roles(actor, ACCOUNT_ADMINS))


def require_account_admin(actor: User) -> list[Grant]:
    """The actor's administrator grants (the staff list); :class:`NotFound` when none."""
    grants = grants_with_roles(actor, ACCOUNT_ADMINS)
    if not grants:
        raise NotFound()
    return grants


def managed_users_q(actor: User) -> Q:
    """A filter on users for :func:`managing_grant` over many users: at least one grant inside
    the actor's administered regions and none outside them. Matches nothing for non-admins."""
    admin_grants = grants_with_roles(actor, ACCOUNT_ADMINS)
    if not admin_grants:
        return Q(pk__in=[])
    inside = Q(pk__in=[])
    for g in admin_grants:
        inside |= Q(region__prefix__startswith=g.region.prefix)
    grants = Grant.objects.filter(user_id=OuterRef("pk"))
    return Q(Exists(grants.filter(inside))) & ~Q(Exists(grants.exclude(inside)))


def access_user_for_admin(*, actor: User, user_id: int) -> User:
    """The user whose grants and keys the actor may see: themself, or a user they manage.
    :class:`NotFound` for a missing user and for one out of reach alike."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotFound()
    if actor.pk == user_id:
        return actor
    user = User.objects.filter(pk=user_id).first()
    if user is None or managing_grant(actor, user) is None:
        raise NotFound()
    return user


def access_grant_for_revoke(*, actor: User, grant_id: int) -> Grant:
    """A grant the actor may revoke (they manage its holder); :class:`NotFound` otherwise."""
    grant = Grant.objects.select_related("user", "region", "department").filter(pk=grant_id).first()
    if grant is None or managing_grant(actor, grant.user) is None:
        raise NotFound()
    return grant


def may_revoke_api_key(actor: User, key: ApiKey) -> bool:
    """Everyone their own keys; an administrator the keys of the users they manage."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return key.user_id == actor.pk or managing_grant(actor, key.user) is not None


def access_api_key_for_revoke(*, actor: User, key_id: int) -> ApiKey:
    """An API key the actor may revoke; :class:`NotFound` otherwise."""
    key = ApiKey.objects.select_related("user").filter(pk=key_id).first()
    if key is None or not may_revoke_api_key(actor, key):
        raise NotFound()
    return key


# --- Account administration: writes ---------------------------------------------------------
def _active_admin(actor: User | None) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False)) and actor.is_active


def access_user_for_change(*, actor: User, user_id: int) -> tuple[User, Grant]:
    """A user the actor may change (grant a role, deactivate, reset the password, issue a key
    for), with the actor's administrator grant. Missing, out of reach and the actor themself
    alike get :class:`NotFound` here: nobody administers their own account (their own keys and
    password have their own ways)."""
    if not _active_admin(actor) or actor.pk == user_id:
        raise NotFound()
    user = User.objects.filter(pk=user_id).first()
    admin = managing_grant(actor, user) if user is not None else None
    if user is None or admin is None:
        raise NotFound()
    return user, admin


def granting_grant(actor: User, *, role: str, region: Region) -> Grant | None:
    """The actor's administrator grant under which they may grant ``role`` over ``region``;
    ``None`` when they may not: ``region`` must lie in one of their administered regions, and
    the county-level roles (:data:`COUNTY_ROLES`) need an administrator of the whole county."""
    for grant in grants_with_roles(actor, ACCOUNT_ADMINS):
        if not grant.region.contains(region):
            continue
        if role in COUNTY_ROLES and grant.region.level != Region.Level.COUNTY:
            continue
        return grant
    return None


def administered_regions(actor: User) -> list[Region]:
    """The regions the actor administers (the roots of the subtrees they may grant in)."""
    return [g.region for g in grants_with_roles(actor, ACCOUNT_ADMINS)]


def county_admin_ids(county: Region) -> set[int]:
    """The active accounts holding an administrator grant over ``county`` itself."""
    return set(
        Grant.objects.filter(
            role__in=ACCOUNT_ADMINS, region=county, revoked_at__isnull=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
