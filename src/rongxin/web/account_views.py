"""Account pages: your own grants and API keys, and (administrators) the staff of your region
with theirs; revoking a grant or a key asks for confirmation first (GET), then revokes (POST)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rongxin.accounts.domain.roles import ACCOUNT_ADMINS
from rongxin.accounts.permissions import access_api_key_for_revoke, access_grant_for_revoke, grants_with_roles
from rongxin.accounts.selectors import account_access, managed_users
from rongxin.accounts.services import api_key_revoke, grant_revoke
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.web.responses import not_found

STAFF_PAGE_SIZE = 50


def _account_page(request: HttpRequest, user_id: int) -> str:
    if user_id == request.user.pk:
        return reverse("web:account_mine")
    return reverse("web:account_staff_detail", args=[user_id])


@login_required
@require_safe
def account_mine(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert user.pk is not None  # signed in (login_required)
    access = account_access(actor=user, user_id=user.pk)
    is_admin = bool(grants_with_roles(request.user, ACCOUNT_ADMINS))
    return render(request, "accounts/mine.html", {"access": access, "is_admin": is_admin})


@login_required
@require_safe
def staff_list(request: HttpRequest) -> HttpResponse:
    if not grants_with_roles(request.user, ACCOUNT_ADMINS):
        return not_found(request)
    query = request.GET.get("q", "")[:60]
    page = Paginator(managed_users(actor=request.user, query=query), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "q": query})


@login_required
@require_safe
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    try:
        access = account_access(actor=request.user, user_id=user_id)
    except NotFound:
        return not_found(request)
    if access.own:
        return redirect("web:account_mine")
    return render(request, "accounts/staff_detail.html", {"access": access})


def _revoke_page(
    request: HttpRequest,
    *,
    load: Callable[[], Any],
    revoke: Callable[[Any], object],
    template: str,
    name: str,
    done: str,
) -> HttpResponse:
    """Confirm (GET), then revoke (POST) a grant or key the caller may revoke; back to the page
    it was listed on. Missing and out of reach look the same (the 404 page)."""
    try:
        thing = load()
    except NotFound:
        return not_found(request)
    back = _account_page(request, thing.user_id)
    if request.method == "GET":
        return render(request, template, {name: thing, "back": back})
    try:
        revoke(thing)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke_page(request: HttpRequest, grant_id: int) -> HttpResponse:
    return _revoke_page(
        request,
        load=lambda: access_grant_for_revoke(actor=request.user, grant_id=grant_id),
        revoke=lambda grant: grant_revoke(actor=request.user, grant=grant),
        template="accounts/revoke_grant.html",
        name="grant",
        done=_("The role grant is revoked."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_key_revoke_page(request: HttpRequest, key_id: int) -> HttpResponse:
    return _revoke_page(
        request,
        load=lambda: access_api_key_for_revoke(actor=request.user, key_id=key_id),
        revoke=lambda key: api_key_revoke(actor=request.user, key=key),
        template="accounts/revoke_key.html",
        name="key",
        done=_("The API key is revoked. Requests with it are refused from now on."),
    )
