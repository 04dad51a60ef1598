"""Account pages: your own grants and API keys, and (administrators) the staff of your region
with theirs; revoking a grant or a key asks for confirmation first (GET), then revokes (POST).
And the audit log, for auditors (the auditor role lives here).

Who may see and do what is asked of :mod:`rongxin.accounts.permissions`; a NotFound raised on
the way becomes the one "not found" page (``rongxin.web.middleware.ApplicationErrorMiddleware``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rongxin.accounts.models import User
from rongxin.accounts.pages.forms import (
    ApiKeyForm,
    AuditFilterForm,
    GrantForm,
    PasswordChangeForm,
    PasswordResetForm,
    StaffCreateForm,
)
from rongxin.accounts.permissions import (
    SignedInRequest,
    access_api_key_for_revoke,
    access_grant_for_revoke,
    access_user_for_change,
    administers_accounts,
    require_account_admin,
    require_auditor,
)
from rongxin.accounts.selectors import GrantSpec, account_access, grant_options, grant_spec_from, managed_users
from rongxin.accounts.services import (
    api_key_issue,
    api_key_revoke,
    grant_add,
    grant_revoke,
    staff_account_create,
    user_active_set,
    user_password_change,
    user_password_reset,
)
from rongxin.core.forms import Outcome, errors_on, flash_errors, form_status
from rongxin.core.selectors import audit_events

STAFF_PAGE_SIZE = 50
DEFAULT_KEY_DAYS = 90
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
    return _staff_detail_page(request, user_id)


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


# --- Account administration -----------------------------------------------------------------
def _shown_once(request: SignedInRequest, context: dict[str, Any]) -> HttpResponse:
    """A secret (a generated password, an API key) on the one page that shows it: rendered in
    answer to the POST, never stored, never cached."""
    response = render(request, "accounts/shown_once.html", context)
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store"
    return response


def _spec(data: dict[str, Any]) -> GrantSpec:
    return grant_spec_from(
        role=data["role"],
        region_code=data["region"],
        department_code=data.get("department") or "",
        scope=data.get("scope") or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request: SignedInRequest) -> HttpResponse:
    """A new staff account with its first role grant (administrators)."""
    require_account_admin(request.user)
    form = StaffCreateForm(request.POST or None, options=grant_options(actor=request.user))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            created = staff_account_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"] or None,
                grant=_spec(data),
            )
        if not outcome.failed:
            return _shown_once(
                request,
                {
                    "title": _("Account created"),
                    "account": created.user,
                    "secret": created.password,
                    "secret_label": _("Initial password"),
                    "note": _("Hand it over in person. The account must change it at its first sign-in."),
                    "done_note": _("The account signs in with the password you typed and must change it then."),
                    "back": reverse("accounts:account_staff_detail", args=[created.user.pk]),
                },
            )
    return render(request, "accounts/staff_new.html", {"form": form}, status=form_status(form, outcome))


@login_required
@require_http_methods(["POST"])
def staff_grant(request: SignedInRequest, user_id: int) -> HttpResponse:
    """Grant a role to an account the administrator manages; the form errors render on the
    account's page."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    form = GrantForm(request.POST, options=grant_options(actor=request.user))
    outcome: Outcome | None = None
    if form.is_valid():
        with errors_on(form) as outcome:
            grant_add(actor=request.user, user=user, spec=_spec(form.cleaned_data))
        if not outcome.failed:
            messages.success(request, _("The role is granted."))
            return redirect("accounts:account_staff_detail", user_id=user.pk)
    return _staff_detail_page(request, user.pk, grant_form=form, status=form_status(form, outcome))


def _staff_detail_page(
    request: SignedInRequest, user_id: int, *, grant_form: GrantForm | None = None, status: int = 200
) -> HttpResponse:
    access = account_access(actor=request.user, user_id=user_id)
    if access.own:
        return redirect("accounts:account_mine")
    form = grant_form or GrantForm(options=grant_options(actor=request.user))
    return render(request, "accounts/staff_detail.html", {"access": access, "grant_form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def staff_active(request: SignedInRequest, user_id: int, active: bool) -> HttpResponse:
    """Confirm (GET), then deactivate or reactivate (POST) an account the administrator manages."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    back = reverse("accounts:account_staff_detail", args=[user.pk])
    if request.method == "GET":
        return render(request, "accounts/staff_active.html", {"account": user, "active": active, "back": back})
    with flash_errors(request) as outcome:
        user_active_set(actor=request.user, user=user, active=active)
    if not outcome.failed:
        messages.success(request, _("The account is active again.") if active else _("The account is deactivated."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def staff_password_reset(request: SignedInRequest, user_id: int) -> HttpResponse:
    """Set a new password that the account must change at its next sign-in (administrators)."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    form = PasswordResetForm(request.POST or None)
    outcome: Outcome | None = None
    back = reverse("accounts:account_staff_detail", args=[user.pk])
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            generated = user_password_reset(
                actor=request.user, user=user, password=form.cleaned_data["password"] or None
            )
        if not outcome.failed:
            return _shown_once(
                request,
                {
                    "title": _("Password reset"),
                    "account": user,
                    "secret": generated,
                    "secret_label": _("New password"),
                    "note": _("Hand it over in person. The account must change it at its next sign-in."),
                    "done_note": _("The account signs in with the password you typed and must change it then."),
                    "back": back,
                },
            )
    return render(
        request,
        "accounts/password_reset.html",
        {"form": form, "account": user, "back": back},
        status=form_status(form, outcome),
    )


def _key_expiry(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _api_key_new(request: SignedInRequest, user: User, back: str) -> HttpResponse:
    initial = {"expires_at": timezone.localdate() + dt.timedelta(days=DEFAULT_KEY_DAYS)}
    form = ApiKeyForm(request.POST or None, initial=initial)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            row, key = api_key_issue(
                actor=request.user,
                user=user,
                name=data["name"],
                scopes=list(data["scopes"]),
                expires_at=_key_expiry(data["expires_at"]),
            )
        if not outcome.failed:
            return _shown_once(
                request,
                {
                    "title": _("API key issued"),
                    "account": user,
                    "secret": key,
                    "secret_label": _("API key"),
                    "note": _(
                        "Copy it now: it is shown this once and only its fingerprint is kept. "
                        "Send it as the header Authorization: Bearer <key>."
                    ),
                    "key": row,
                    "back": back,
                },
            )
    return render(
        request,
        "accounts/api_key_new.html",
        {"form": form, "account": user, "own": user.pk == request.user.pk, "back": back},
        status=form_status(form, outcome),
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_key_new_mine(request: SignedInRequest) -> HttpResponse:
    """Issue an API key for oneself."""
    return _api_key_new(request, request.user, reverse("accounts:account_mine"))


@login_required
@require_http_methods(["GET", "POST"])
def staff_api_key_new(request: SignedInRequest, user_id: int) -> HttpResponse:
    """Issue an API key for an account the administrator manages (e.g. an integration account)."""
    user, _admin = access_user_for_change(actor=request.user, user_id=user_id)
    return _api_key_new(request, user, reverse("accounts:account_staff_detail", args=[user.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: SignedInRequest) -> HttpResponse:
    """Change one's own password; the page everything else leads to while an administrator's
    password is still set (``PasswordChangeRequiredMiddleware``)."""
    form = PasswordChangeForm(request.POST or None)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            user_password_change(
                user=request.user, old_password=data["old_password"], new_password=data["new_password"]
            )
        if not outcome.failed:
            # The session was signed with the old password's hash; keep this one signed in.
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed."))
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
                target = reverse("accounts:account_mine")
            return redirect(target or reverse("accounts:account_mine"))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": request.user.must_change_password},
        status=form_status(form, outcome),
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
