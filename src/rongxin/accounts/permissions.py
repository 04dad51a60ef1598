"""Who holds which role where. Everything is denied unless an active grant allows it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from rongxin.accounts.models import Grant
from rongxin.accounts.roles import Role
from rongxin.core.errors import NotFound
from rongxin.regions.models import Region

_CACHE_ATTR = "_rongxin_grants"


def active_grants(user: Any) -> list[Grant]:
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


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: Any) -> set[str]:
    return {g.role for g in active_grants(user)}


def grants_with_roles(user: Any, roles: Iterable[str]) -> list[Grant]:
    wanted = set(roles)
    return [g for g in active_grants(user) if g.role in wanted]


def grant_covering(user: Any, roles: Iterable[str], region: Region) -> Grant | None:
    """The first grant with one of ``roles`` whose region contains ``region``, if any."""
    for grant in grants_with_roles(user, roles):
        if grant.region.contains(region):
            return grant
    return None


def require_role(user: Any, roles: Iterable[str]) -> Grant:
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


def role_label(role: str) -> str:
    return str(Role(role).label)
