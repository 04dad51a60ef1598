from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from rongxin.accounts.api.audit import router as audit_router
from rongxin.accounts.api.auth import gated, gated_roles
from rongxin.accounts.api.schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    GrantIn,
    PasswordResetIn,
    PasswordResetOut,
    StaffCreatedOut,
    StaffCreateIn,
    UserRowOut,
)
from rongxin.accounts.domain.api_scopes import scopes_within
from rongxin.accounts.domain.roles import ACCOUNT_ADMINS
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.permissions import (
    SignedInRequest,
    access_api_key_for_revoke,
    access_grant_for_revoke,
    access_user_for_admin,
    access_user_for_change,
    active_grants,
)
from rongxin.accounts.selectors import account_access, grant_spec_from, managed_users
from rongxin.accounts.services import (
    api_key_issue,
    api_key_revoke,
    grant_add,
    grant_revoke,
    staff_account_create,
    user_active_set,
    user_password_reset,
)
from rongxin.core.errors import Forbidden, NotFound

router = Router(tags=["accounts"])
USERS_LIMIT = 500


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    region_code: str
    region_name: str
    department: str | None
    scope: str


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
                scope=g.scope,
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
        scope=g.scope,
        granted_at=g.granted_at,
        revoked_at=g.revoked_at,
    )


def _key_out(k: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=k.pk,
        name=k.name,
        prefix=k.prefix,
        scopes=list(k.scopes),
        created_at=k.created_at,
        expires_at=k.expires_at,
        last_used_at=k.last_used_at,
        revoked_at=k.revoked_at,
    )


def _user_out(u: User) -> UserRowOut:
    return UserRowOut(
        id=u.pk,
        username=u.username,
        display_name=u.display_name,
        is_active=u.is_active,
        must_change_password=u.must_change_password,
    )


def _user_id(raw: object) -> int:
    # The gate runs before ninja converts the path: the id is still the text of the URL.
    try:
        return int(str(raw))
    except ValueError:
        raise NotFound() from None


def _change_gate(user: Any, user_id: object, **_path: Any) -> None:
    access_user_for_change(actor=user, user_id=_user_id(user_id))


def _keys_gate(user: Any, user_id: object, **_path: Any) -> None:
    access_user_for_admin(actor=user, user_id=_user_id(user_id))


ADMINS = gated_roles(sorted(ACCOUNT_ADMINS))
CHANGE = gated(_change_gate)
KEYS = gated(_keys_gate)


@router.get("/users", response=list[UserRowOut], operation_id="accounts_users", auth=ADMINS)
def users(request: SignedInRequest, q: str = Query("", max_length=60)) -> list[UserRowOut]:  # type: ignore[assignment]
    """The accounts you administer (every grant in your region), by username; ``q`` narrows to
    usernames or names containing it. Account administrators only (404 for anyone else)."""
    return [_user_out(u) for u in managed_users(actor=request.user, query=q)[:USERS_LIMIT]]


@router.post("/users", response={201: StaffCreatedOut}, operation_id="accounts_user_create", auth=ADMINS)
def user_create(request: SignedInRequest, payload: StaffCreateIn) -> Status[StaffCreatedOut]:
    """Create a staff account with its first role grant (inside your region; the county roles
    need an administrator of the county). The account changes its password at its first
    sign-in; without a password one is generated and answered this once. 409
    ``duplicate_username``; 403 ``region_out_of_reach`` / ``county_role``; 422 on a field."""
    spec = grant_spec_from(
        role=payload.role, region_code=payload.region_code, department_code=payload.department_code, scope=payload.scope
    )
    created = staff_account_create(
        actor=request.user,
        username=payload.username,
        display_name=payload.display_name,
        password=payload.password or None,
        grant=spec,
    )
    return Status(201, StaffCreatedOut(user=_user_out(created.user), password=created.password))


@router.post("/users/{user_id}/grants", response={201: GrantDetailOut}, operation_id="accounts_grant_add", auth=CHANGE)
def grant_create(request: SignedInRequest, user_id: int, payload: GrantIn) -> Status[GrantDetailOut]:
    """Grant a role over a region inside yours to an account you administer (never yourself).
    Sending a current grant again answers it unchanged. 404 out of reach; 403
    ``region_out_of_reach`` / ``county_role``; 409 ``duplicate_grant``; 422 on a field."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    spec = grant_spec_from(
        role=payload.role, region_code=payload.region_code, department_code=payload.department_code, scope=payload.scope
    )
    return Status(201, _grant_out(grant_add(actor=request.user, user=user, spec=spec)))


@router.post("/users/{user_id}/deactivate", response=UserRowOut, operation_id="accounts_user_deactivate", auth=CHANGE)
def user_deactivate(request: SignedInRequest, user_id: int) -> UserRowOut:
    """Deactivate an account you administer: it cannot sign in, its session ends and its API keys
    get 401. Again answers the same. 403 ``last_county_admin`` for the county's last active
    administrator."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    return _user_out(user_active_set(actor=request.user, user=user, active=False))


@router.post("/users/{user_id}/reactivate", response=UserRowOut, operation_id="accounts_user_reactivate", auth=CHANGE)
def user_reactivate(request: SignedInRequest, user_id: int) -> UserRowOut:
    """Reactivate an account you administer (its grants and keys count again)."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    return _user_out(user_active_set(actor=request.user, user=user, active=True))


@router.post(
    "/users/{user_id}/password-reset",
    response=PasswordResetOut,
    operation_id="accounts_password_reset",
    auth=CHANGE,
)
def password_reset(request: SignedInRequest, user_id: int, payload: PasswordResetIn) -> PasswordResetOut:
    """Set a new password on an account you administer; it must change it at its next sign-in.
    Without a password one is generated and answered this once."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    generated = user_password_reset(actor=request.user, user=user, password=payload.password or None)
    user.refresh_from_db()
    return PasswordResetOut(user=_user_out(user), password=generated)


@router.post("/users/{user_id}/api-keys", response={201: ApiKeyCreatedOut}, operation_id="api_key_create", auth=KEYS)
def api_key_create(request: SignedInRequest, user_id: int, payload: ApiKeyIn) -> Status[ApiKeyCreatedOut]:
    """Issue an API key: for yourself (your own id), or (administrators) for an account you
    administer. The key is answered this once and only its SHA-256 is kept. 409
    ``duplicate_key_name`` for a second current key of that name; 422 on a field. Called with
    an API key, the new key's scopes and expiry stay within that key's (403 ``scope_refused``)."""
    user = access_user_for_admin(actor=request.user, user_id=user_id)
    calling: ApiKey | None = getattr(request, "api_key", None)
    if calling is not None and (
        not scopes_within(payload.scopes, calling.scopes)
        or (calling.expires_at is not None and payload.expires_at > calling.expires_at)
    ):
        raise Forbidden(_("An API key issues keys only within its own scopes and expiry."), code="scope_refused")
    row, key = api_key_issue(
        actor=request.user, user=user, name=payload.name, scopes=payload.scopes, expires_at=payload.expires_at
    )
    return Status(201, ApiKeyCreatedOut(key=key, **_key_out(row).model_dump()))


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
