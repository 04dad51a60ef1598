"""Account pages: your own grants and API keys, and (administrators) the staff of your region
with theirs; revoking a grant or a key asks for confirmation first (GET), then revokes (POST).
And the audit log, for auditors (the auditor role lives here).

Who may see and do what is asked of :mod:`rongxin.accounts.permissions`; a NotFound raised on
the way becomes the one "not found" page (``rongxin.web.middleware.ApplicationErrorMiddleware``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rongxin.accounts.pages.forms import AuditFilterForm
from rongxin.accounts.permissions import (
    SignedInRequest,
    access_api_key_for_revoke,
    access_grant_for_revoke,
    administers_accounts,
    require_account_admin,
    require_auditor,
)
from rongxin.accounts.selectors import account_access, managed_users
from rongxin.accounts.services import api_key_revoke, grant_revoke
from rongxin.core.forms import errors_on, flash_errors
from rongxin.core.selectors import audit_events

STAFF_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def _account_page(request: SignedInRequest, user_id: int) -> str:
    if user_id == request.user.pk:
        return reverse("accounts:account_mine")
    return reverse("accounts:account_staff_detail", args=[user_id])


@login_required
@require_safe
def account_mine(request: SignedInRequest) -> HttpResponse:
    access = account_access(actor=request.user, user_id=request.user.pk)
    is_admin = administers_accounts(request.user)
    return render(request, "accounts/mine.html", {"access": access, "is_admin": is_admin})


@login_required
@require_safe
def staff_list(request: SignedInRequest) -> HttpResponse:
    require_account_admin(request.user)
    query = request.GET.get("q", "")[:60]
    page = Paginator(managed_users(actor=request.user, query=query), STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "q": query})


@login_required
@require_safe
def staff_detail(request: SignedInRequest, user_id: int) -> HttpResponse:
    access = account_access(actor=request.user, user_id=user_id)
    if access.own:
        return redirect("accounts:account_mine")
    return render(request, "accounts/staff_detail.html", {"access": access})


def _revoke_page(
    request: SignedInRequest,
    *,
    load: Callable[[], Any],
    revoke: Callable[[Any], object],
    template: str,
    name: str,
    done: str,
) -> HttpResponse:
    """Confirm (GET), then revoke (POST) a grant or key the caller may revoke; back to the page
    it was listed on. Missing and out of reach look the same (the 404 page)."""
    thing = load()
    back = _account_page(request, thing.user_id)
    if request.method == "GET":
        return render(request, template, {name: thing, "back": back})
    with flash_errors(request):
        revoke(thing)
        messages.success(request, done)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def grant_revoke_page(request: SignedInRequest, grant_id: int) -> HttpResponse:
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
def api_key_revoke_page(request: SignedInRequest, key_id: int) -> HttpResponse:
    return _revoke_page(
        request,
        load=lambda: access_api_key_for_revoke(actor=request.user, key_id=key_id),
        revoke=lambda key: api_key_revoke(actor=request.user, key=key),
        template="accounts/revoke_key.html",
        name="key",
        done=_("The API key is revoked. Requests with it are refused from now on."),
    )


# --- Audit log ----------------------------------------------------------------------------
@login_required
def audit_log(request: SignedInRequest) -> HttpResponse:
    require_auditor(request.user)
    form = AuditFilterForm(request.GET or None)
    page = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        # A filter the log cannot apply (the end before the start) is shown on the form.
        with errors_on(form):
            qs = audit_events(
                actor_name=data.get("actor") or "",
                action=data.get("action") or "",
                kind=data.get("kind") or "",
                subject_id=data.get("subject_id"),
                since=data.get("since"),
                until=data.get("until"),
            )
            page = Paginator(qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit.html", {"form": form, "page": page, "query": query.urlencode()})
