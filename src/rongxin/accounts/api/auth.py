"""API authentication: the browser session (with CSRF) or an ``Authorization: Bearer`` API key.

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
from ninja.security import APIKeyCookie, HttpBearer

from rongxin.accounts.domain.credentials import KEY_PREFIX, api_key_hash
from rongxin.accounts.models import ApiKey, User
from rongxin.accounts.permissions import require_role
from rongxin.core import clock

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
        if key is None or not key.user.is_active:
            return None
        now = clock.now()
        # A write per request would serialise every verification on SQLite; a minute's precision
        # is enough to see which keys are in use.
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.user = key.user
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
