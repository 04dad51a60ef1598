"""Reads of accounts: a user's grants and API keys, and the users an administrator manages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.permissions import access_user_for_admin, managed_users_q, managing_grant


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
    keys = list(ApiKey.objects.filter(user=user).order_by("-created_at", "-id"))
    keys.sort(key=lambda k: k.revoked_at is not None)
    return AccountAccess(
        user=user,
        grants=grants,
        api_keys=keys,
        own=user.pk == actor.pk,
        manages=managing_grant(actor, user) is not None,
    )


def managed_users(*, actor: User, query: str = "") -> QuerySet[User]:
    """The users whose grants and keys the actor administers (none for non-administrators),
    by username; ``query`` narrows to usernames or display names containing it."""
    qs = User.objects.filter(managed_users_q(actor))
    query = query.strip()
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.order_by("username")
