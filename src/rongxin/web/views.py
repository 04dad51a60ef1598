"""Pages. Each view authorizes, validates the form's shape, calls one service or selector and
renders. Service errors are shown on the form in the user's language (Chinese by default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from rongxin.accounts import services as account_services
from rongxin.accounts.domain.credentials import username_normalise, username_rate_key
from rongxin.accounts.domain.roles import FILE_KEEPERS, FILE_READERS, Role
from rongxin.accounts.permissions import active_grants, grants_with_roles, region_q, require_role, user_roles
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.core.forms import apply_error
from rongxin.core.registry import panels_for
from rongxin.core.selectors import audit_events
from rongxin.regions.models import Region
from rongxin.regions.selectors import practice_site_for, venues_in
from rongxin.subjects import selectors as subject_selectors
from rongxin.subjects import services as subject_services
from rongxin.subjects.models import ConsentEvent
from rongxin.subjects.permissions import access_subject_for_read
from rongxin.web.forms import (
    AuditFilterForm,
    ConsentForm,
    LoginForm,
    OrganisationForm,
    PersonForm,
    PurposeForm,
    SearchForm,
)
from rongxin.web.responses import not_found


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
    links = subject_selectors.subject_links_of(user=request.user)
    return render(request, "web/home.html", {"grants": grants, "links": links, "roles": user_roles(request.user)})


# --- The person's own file ----------------------------------------------------------------
def _own_subject_id(request: HttpRequest) -> int:
    links = subject_selectors.subject_links_of(user=request.user)
    if not links:
        raise NotFound()
    return links[0].subject_id


@login_required
def my_file(request: HttpRequest) -> HttpResponse:
    try:
        subject_id = _own_subject_id(request)
        f = subject_selectors.subject_file(actor=request.user, subject_id=subject_id)
    except NotFound:
        return not_found(request)
    return render(
        request,
        "web/my_file.html",
        {
            "file": f,
            "views": subject_selectors.file_views(subject_id=subject_id),
            "id_number": subject_selectors.person_id_number(access=f.access) if f.person else "",
            "panels": panels_for(request, f, own=True),
            "notices": subject_selectors.notices_for(subject_id=subject_id),
        },
    )


@login_required
@require_POST
def my_consent(request: HttpRequest) -> HttpResponse:
    try:
        subject_id = _own_subject_id(request)
        if request.POST.get("action") == ConsentEvent.Action.GRANT:
            subject_services.consent_grant(
                actor=request.user, subject_id=subject_id, channel=ConsentEvent.Channel.ONLINE
            )
            messages.success(request, _("Thank you. Your credit score will now be computed."))
        else:
            subject_services.consent_withdraw(
                actor=request.user, subject_id=subject_id, channel=ConsentEvent.Channel.ONLINE
            )
            messages.success(request, _("Consent withdrawn. No score will be computed for you."))
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:my_file")


# --- Regions ------------------------------------------------------------------------------
@login_required
@require_safe
def regions(request: HttpRequest, code: str | None = None) -> HttpResponse:
    try:
        tree = subject_selectors.region_tree_counts(actor=request.user, code=code)
    except ApplicationError:
        return not_found(request)
    return render(
        request,
        "web/regions.html",
        {"tree": tree, "site": practice_site_for(region=tree.region), "venues": venues_in(region=tree.region)[:50]},
    )


# --- Search and file ----------------------------------------------------------------------
@login_required
def subject_search(request: HttpRequest) -> HttpResponse:
    if not grants_with_roles(request.user, FILE_READERS):
        return not_found(request)
    form = SearchForm(request.GET or None)
    results = None
    if request.GET and form.is_valid():
        try:
            results = subject_selectors.subject_search(actor=request.user, query=form.cleaned_data["q"])
        except ApplicationError as exc:
            apply_error(form, exc)
    template = (
        "web/_search_results.html" if getattr(request, "htmx", False) and results is not None else "web/search.html"
    )
    return render(request, template, {"form": form, "results": results, "purpose": form.data.get("purpose", "service")})


@login_required
@require_http_methods(["GET", "POST"])
def subject_detail(request: HttpRequest, subject_id: int) -> HttpResponse:
    purpose = request.GET.get("purpose", "")
    if not purpose:
        # Ask why before showing anything; nothing is read or logged yet.
        try:
            access = access_subject_for_read(actor=request.user, subject_id=subject_id)
        except NotFound:
            return not_found(request)
        if access.own:
            return redirect("web:my_file")
        return render(request, "web/purpose.html", {"form": PurposeForm(), "subject_id": subject_id})
    try:
        f = subject_selectors.subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        form = PurposeForm(request.GET)
        apply_error(form, exc)
        return render(request, "web/purpose.html", {"form": form, "subject_id": subject_id}, status=422)
    can_keep = bool(grants_with_roles(request.user, FILE_KEEPERS)) and not f.access.own
    return render(
        request,
        "web/subject.html",
        {
            "file": f,
            "views": subject_selectors.file_views(subject_id=subject_id, limit=20),
            "consent_form": ConsentForm(initial={"channel": "counter"}) if can_keep and f.person else None,
            "purpose": purpose,
            "panels": panels_for(request, f, own=False),
        },
    )


@login_required
@require_POST
def subject_consent(request: HttpRequest, subject_id: int) -> HttpResponse:
    form = ConsentForm(request.POST)
    back = reverse("web:subject_detail", args=[subject_id]) + "?purpose=service"
    if not form.is_valid():
        messages.error(request, _("Choose how the person consented."))
        return redirect(back)
    service = (
        subject_services.consent_grant if form.cleaned_data["action"] == "grant" else subject_services.consent_withdraw
    )
    try:
        service(actor=request.user, subject_id=subject_id, channel=form.cleaned_data["channel"])
        messages.success(request, _("Consent recorded."))
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect(back)


# --- Registration -------------------------------------------------------------------------
def _village_choices(request: HttpRequest) -> list[tuple[str, str]]:
    grants = grants_with_roles(request.user, FILE_KEEPERS)
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE)
        .filter(region_q(grants, village_id_field="id", town_field="parent"))
        .select_related("parent")
        .order_by("code")
    )
    return [(v.code, f"{v.parent.name} · {v.name}" if v.parent else v.name) for v in villages]


def _register(request: HttpRequest, form_class: type[Form], template: str, service: Any) -> HttpResponse:
    if not grants_with_roles(request.user, FILE_KEEPERS):
        return not_found(request)
    form = form_class(request.POST or None)
    form.fields["village_code"].choices = _village_choices(request)  # type: ignore[attr-defined]
    limited = False
    if request.method == "POST" and form.is_valid():
        try:
            created = service(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_error(form, exc)
            limited = exc.status == 429  # too many refused duplicates: "wait", not "fix the form"
        else:
            messages.success(request, _("Registered %(name)s.") % {"name": created.subject.name})
            return redirect(reverse("web:subject_detail", args=[created.subject.pk]) + "?purpose=verification")
    return render(request, template, {"form": form}, status=429 if limited else 422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def person_register(request: HttpRequest) -> HttpResponse:
    return _register(request, PersonForm, "web/person_form.html", subject_services.person_register)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request: HttpRequest) -> HttpResponse:
    return _register(request, OrganisationForm, "web/organisation_form.html", subject_services.organisation_register)


# --- Audit log ----------------------------------------------------------------------------
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    try:
        require_role(request.user, [Role.AUDITOR])
    except NotFound:
        return not_found(request)
    form = AuditFilterForm(request.GET or None)
    page = None
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if request.GET else {}
        try:
            qs = audit_events(
                actor_name=data.get("actor") or "",
                action=data.get("action") or "",
                kind=data.get("kind") or "",
                subject_id=data.get("subject_id"),
                since=data.get("since"),
                until=data.get("until"),
            )
            page = Paginator(qs, 50).get_page(request.GET.get("page"))
        except ApplicationError as exc:
            apply_error(form, exc)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/audit.html", {"form": form, "page": page, "query": query.urlencode()})


def pagenot_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return not_found(request)
