"""The shell's pages: sign-in and sign-out, the home page, and the rate-limit page.

Each domain app serves its own pages (``<app>/pages/``); the shell links them through the
navigation the apps declare (:mod:`rongxin.core.registry`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from rongxin.accounts import services as account_services
from rongxin.accounts.domain.credentials import username_normalise, username_rate_key
from rongxin.accounts.permissions import active_grants, user_roles
from rongxin.subjects.selectors import subject_links_of
from rongxin.web.forms import LoginForm


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": _("Too many attempts"), "message": _("Too many attempts. Wait a minute and try again.")},
        status=429,
    )


# --- Sign-in ------------------------------------------------------------------------------
def _login_username(group: str, request: HttpRequest) -> str:
    """The per-username bucket: the name authentication will look up, not the raw field."""
    return username_rate_key(request.POST.get("username", ""))


# Per client address (behind trusted proxies, the forwarded client: core/addresses.py) and per
# username; both count every POST, so a guess costs an attempt whatever its outcome.
# Separate groups, so a username spelled like an address never shares the address's bucket.
@ratelimit(group="login:ip", key="ip", rate=lambda g, r: settings.RONGXIN_LOGIN_IP_RATE, method="POST", block=True)
@ratelimit(
    group="login:username",
    key=_login_username,
    rate=lambda g, r: settings.RONGXIN_LOGIN_RATE,
    method="POST",
    block=True,
)
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        username = username_normalise(form.cleaned_data["username"])
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is None:
            account_services.sign_in_record(user=None, username=username, success=False)
            form.add_error(None, _("Wrong username or password."))
        else:
            login(request, user)
            account_services.sign_in_record(user=user, username=username, success=True)
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = reverse("web:home")
            return redirect(next_url or "web:home")
    return render(request, "web/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


# --- Home ---------------------------------------------------------------------------------
@login_required
def home(request: HttpRequest) -> HttpResponse:
    grants = active_grants(request.user)
    links = subject_links_of(user=request.user)
    return render(request, "web/home.html", {"grants": grants, "links": links, "roles": user_roles(request.user)})
