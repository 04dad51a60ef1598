from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from rongxin.accounts.api.audit import router as audit_router
from rongxin.accounts.models import ApiKey, Grant
from rongxin.accounts.permissions import access_api_key_for_revoke, access_grant_for_revoke, active_grants
from rongxin.accounts.selectors import account_access
from rongxin.accounts.services import api_key_revoke, grant_revoke

router = Router(tags=["accounts"])


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    region_code: str
    region_name: str
    department: str | None


class LinkOut(Schema):
    subject_id: int
    relation: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    grants: list[GrantOut]
    subjects: list[LinkOut]


@router.get("/me", response=MeOut, operation_id="accounts_me")
def me(request: HttpRequest) -> MeOut:
    """The signed-in account, its role grants and the subjects it speaks for."""
    user: Any = request.auth  # type: ignore[attr-defined]
    return MeOut(
        id=user.pk,
        username=user.get_username(),
        display_name=user.display_name,
        grants=[
            GrantOut(
                id=g.pk,
                role=g.role,
                role_label=str(g.get_role_display()),
                region_code=g.region.code,
                region_name=g.region.name,
                department=g.department.code if g.department else None,
            )
            for g in active_grants(user)
        ],
        subjects=[
            LinkOut(subject_id=s, relation=r) for s, r in user.subject_links.values_list("subject_id", "relation")
        ],
    )


class GrantDetailOut(GrantOut):
    granted_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class UserRefOut(Schema):
    id: int
    username: str
    display_name: str


class AccountAccessOut(Schema):
    user: UserRefOut
    grants: list[GrantDetailOut]
    api_keys: list[ApiKeyOut]
    may_revoke_grants: bool
    may_revoke_keys: bool


def _grant_out(g: Grant) -> GrantDetailOut:
    return GrantDetailOut(
        id=g.pk,
        role=g.role,
        role_label=str(g.get_role_display()),
        region_code=g.region.code,
        region_name=g.region.name,
        department=g.department.code if g.department else None,
        granted_at=g.granted_at,
        revoked_at=g.revoked_at,
    )


def _key_out(k: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=k.pk,
        name=k.name,
        prefix=k.prefix,
        created_at=k.created_at,
        last_used_at=k.last_used_at,
        revoked_at=k.revoked_at,
    )


@router.get("/users/{user_id}/access", response=AccountAccessOut, operation_id="accounts_user_access")
def user_access(request: HttpRequest, user_id: int) -> AccountAccessOut:
    """Every grant and API key of an account, current ones first: your own, or (administrators)
    those of a user whose every grant lies in your region. 404 for anyone else."""
    access = account_access(actor=request.auth, user_id=user_id)  # type: ignore[attr-defined]
    return AccountAccessOut(
        user=UserRefOut(id=access.user.pk, username=access.user.username, display_name=access.user.display_name),
        grants=[_grant_out(g) for g in access.grants],
        api_keys=[_key_out(k) for k in access.api_keys],
        may_revoke_grants=access.manages,
        may_revoke_keys=access.may_revoke_keys,
    )


@router.post("/grants/{grant_id}/revoke", response=GrantDetailOut, operation_id="grant_revoke")
def revoke_grant(request: HttpRequest, grant_id: int) -> GrantDetailOut:
    """Revoke a role grant (administrators, within their region); it stops counting on the
    holder's next request. Revoking it again answers the same. 404 when it is missing or not
    yours to manage; 403 ``last_admin_grant`` for your own last administrator grant."""
    actor = request.auth  # type: ignore[attr-defined]
    grant = access_grant_for_revoke(actor=actor, grant_id=grant_id)
    return _grant_out(grant_revoke(actor=actor, grant=grant))


@router.post("/api-keys/{key_id}/revoke", response=ApiKeyOut, operation_id="api_key_revoke")
def revoke_api_key(request: HttpRequest, key_id: int) -> ApiKeyOut:
    """Revoke an API key: your own, or (administrators) one of a user in your region. The next
    request with it gets 401. Revoking it again answers the same. 404 when it is missing or not
    yours."""
    actor = request.auth  # type: ignore[attr-defined]
    key = access_api_key_for_revoke(actor=actor, key_id=key_id)
    return _key_out(api_key_revoke(actor=actor, key=key))


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/accounts", router), ("/audit", audit_router))
