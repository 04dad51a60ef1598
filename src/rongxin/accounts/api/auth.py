"""API authentication: the browser session (with CSRF) or an ``Authorization: Bearer`` API key.

An API key counts until it is revoked or expires (401 on the next request after either) and only
for its scopes: a key without the write scope of an area gets 403 ``scope_refused`` on every
POST/PUT/PATCH/DELETE there (:mod:`rongxin.accounts.domain.api_scopes`). A session whose account
must change its password gets 403 ``password_change_required`` until it has.

An operation on an object named in its path may add a **gate** (:func:`gated`): the caller's
right to that object, asked right after authentication and before ninja reads the body or the
query. Whatever an outsider sends, valid or not, they get the same answer (404 for an object
that is missing or not theirs), so a validation message never tells them the object exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, HttpBearer

from rongxin.accounts.domain.api_scopes import scope_allows
from rongxin.accounts.domain.credentials import KEY_PREFIX, api_key_hash
from rongxin.accounts.models import ApiKey, User
from rongxin.accounts.permissions import require_role
from rongxin.core import clock
from rongxin.core.errors import Forbidden

LAST_USED_PRECISION = dt.timedelta(minutes=1)


Gate = Callable[..., object]  # gate(user, **path_parameters); raises NotFound / Forbidden


def _pass_gate(gate: Gate | None, request: HttpRequest, user: Any) -> None:
    if gate is not None:
        match = request.resolver_match
        gate(user, **(match.kwargs if match is not None else {}))


class SessionAuth(APIKeyCookie):
    """The Django session cookie; unsafe methods also need the CSRF token (checked by ninja).
    Without a signed-in session there is nothing to check: the caller is simply not
    authenticated (401), not refused for a missing CSRF token."""

    param_name = "sessionid"

    def __init__(self, csrf: bool = True, gate: Gate | None = None) -> None:
        super().__init__(csrf=csrf)
        self.gate = gate

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            if user.must_change_password:
                # The browser is held on the change-password page until then; so is its API use.
                raise Forbidden(_("Change your password before anything else."), code="password_change_required")
            _pass_gate(self.gate, request, user)
            return user
        return None


class ApiKeyAuth(HttpBearer):
    def __init__(self, gate: Gate | None = None) -> None:
        super().__init__()
        self.gate = gate

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token.startswith(KEY_PREFIX):
            return None
        key = (
            ApiKey.objects.select_related("user").filter(key_hash=api_key_hash(token), revoked_at__isnull=True).first()
        )
        now = clock.now()
        if key is None or not key.user.is_active or (key.expires_at is not None and key.expires_at <= now):
            return None
        # The key's scopes narrow what its holder may do: asked for every operation, before the
        # gate and before ninja reads the body.
        if not scope_allows(key.scopes, path=request.path_info or request.path, method=request.method or "GET"):
            raise Forbidden(
                _("This API key's scopes do not allow this operation."),
                code="scope_refused",
            )
        # A write per request would serialise every verification on SQLite; a minute's precision
        # is enough to see which keys are in use.
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.user = key.user
        request.api_key = key  # type: ignore[attr-defined]  # what a key may issue (router)
        _pass_gate(self.gate, request, key.user)
        return key.user


api_auth = [ApiKeyAuth(), SessionAuth(csrf=True)]


def gated(gate: Gate) -> list[Any]:
    """The API's authentication followed by ``gate(user, **path_parameters)``, for an operation
    whose path names an object: the right to it is asked before the request is validated."""
    return [ApiKeyAuth(gate=gate), SessionAuth(csrf=True, gate=gate)]


def gated_roles(roles: list[str]) -> list[Any]:
    """The API's authentication followed by a role check (any grant with one of ``roles``), for
    an operation that only those roles may call whatever object it names."""

    def gate(user: Any, **_path: Any) -> None:
        require_role(user, roles)

    return gated(gate)
