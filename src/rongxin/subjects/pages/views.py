"""The subjects pages: search, registration, a subject's file (after the purpose question), the
staff's consent record, the person's own file and consent, and the region tree with its counts.

Each view authorizes with :mod:`rongxin.subjects.permissions`, validates the form's shape, calls
one service or selector and renders. A NotFound raised on the way becomes the one "not found"
page (``rongxin.web.middleware.ApplicationErrorMiddleware``); an error the user can fix lands on
the form (:func:`rongxin.core.forms.errors_on`) or in a message (:func:`~rongxin.core.forms.flash_errors`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import InvalidInput, NotFound, TooManyRequests
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.core.registry import panels_for
from rongxin.regions.selectors import practice_site_for, venues_in
from rongxin.subjects import selectors, services
from rongxin.subjects.models import ConsentEvent
from rongxin.subjects.pages.forms import ConsentForm, OrganisationForm, PersonForm, PurposeForm, SearchForm
from rongxin.subjects.permissions import access_file_search, access_registration, access_subject_for_read, may_keep


# --- The person's own file ----------------------------------------------------------------
def _own_subject_id(request: SignedInRequest) -> int:
    links = selectors.subject_links_of(user=request.user)
    if not links:
        raise NotFound()
    return links[0].subject_id


@login_required
def my_file(request: SignedInRequest) -> HttpResponse:
    subject_id = _own_subject_id(request)
    f = selectors.subject_file(actor=request.user, subject_id=subject_id)
    return render(
        request,
        "subjects/my_file.html",
        {
            "file": f,
            "views": selectors.file_views(subject_id=subject_id),
            "id_number": selectors.person_id_number(access=f.access) if f.person else "",
            "panels": panels_for(request, f, own=True),
            "notices": selectors.notices_for(subject_id=subject_id),
        },
    )


@login_required
@require_POST
def my_consent(request: SignedInRequest) -> HttpResponse:
    subject_id = _own_subject_id(request)
    with flash_errors(request):
        if request.POST.get("action") == ConsentEvent.Action.GRANT:
            services.consent_grant(actor=request.user, subject_id=subject_id, channel=ConsentEvent.Channel.ONLINE)
            messages.success(request, _("Thank you. Your credit score will now be computed."))
        else:
            services.consent_withdraw(actor=request.user, subject_id=subject_id, channel=ConsentEvent.Channel.ONLINE)
            messages.success(request, _("Consent withdrawn. No score will be computed for you."))
    return redirect("subjects:my_file")


# --- Regions ------------------------------------------------------------------------------
@login_required
@require_safe
def regions(request: SignedInRequest, code: str | None = None) -> HttpResponse:
    try:
        tree = selectors.region_tree_counts(actor=request.user, code=code)
    except InvalidInput:
        # The code is part of the path, not a field to correct: one that names no region is a
        # missing page (the API answers the same lookup with a field error).
        raise NotFound() from None
    return render(
        request,
        "subjects/regions.html",
        {"tree": tree, "site": practice_site_for(region=tree.region), "venues": venues_in(region=tree.region)[:50]},
    )


# --- Search and file ----------------------------------------------------------------------
@login_required
def subject_search(request: SignedInRequest) -> HttpResponse:
    access_file_search(actor=request.user)
    form = SearchForm(request.GET or None)
    found = None
    if request.GET and form.is_valid():
        # The form again with the message, answered 200 so that htmx swaps it into the page.
        with errors_on(form):
            found = selectors.subject_search_page(
                actor=request.user,
                query=form.cleaned_data["q"],
                page=_page_number(request.GET.get("page")),
                purpose=form.cleaned_data["purpose"],
            )
    template = (
        "subjects/_search_results.html"
        if getattr(request, "htmx", False) and found is not None
        else "subjects/search.html"
    )
    context = {
        "form": form,
        "results": None if found is None else found.results,
        "found": found,
        "query": urlencode({"q": form.data.get("q", ""), "purpose": form.data.get("purpose", "service")}),
        "purpose": form.data.get("purpose", "service"),
    }
    return render(request, template, context)


def _page_number(raw: str | None) -> int:
    """The ``page`` parameter; a missing or malformed one is the first page."""
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@login_required
@require_http_methods(["GET", "POST"])
def subject_detail(request: SignedInRequest, subject_id: int) -> HttpResponse:
    purpose = request.GET.get("purpose", "")
    if not purpose:
        # Ask why before showing anything; nothing is read or logged yet.
        access = access_subject_for_read(actor=request.user, subject_id=subject_id)
        if access.own:
            return redirect("subjects:my_file")
        return render(request, "subjects/purpose.html", {"form": PurposeForm(), "subject_id": subject_id})
    form = PurposeForm(request.GET)
    with errors_on(form) as outcome:
        f = selectors.subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    if outcome.failed:
        return render(
            request,
            "subjects/purpose.html",
            {"form": form, "subject_id": subject_id},
            status=form_status(form, outcome),
        )
    return render(
        request,
        "subjects/subject.html",
        {
            "file": f,
            "views": selectors.file_views(subject_id=subject_id, limit=20),
            "consent_form": ConsentForm(initial={"channel": "counter"})
            if f.person and may_keep(request.user, f.access)
            else None,
            "purpose": purpose,
            "panels": panels_for(request, f, own=False),
        },
    )


@login_required
@require_POST
def subject_consent(request: SignedInRequest, subject_id: int) -> HttpResponse:
    form = ConsentForm(request.POST)
    back = reverse("subjects:subject_detail", args=[subject_id]) + "?purpose=service"
    if not form.is_valid():
        messages.error(request, _("Choose how the person consented."))
        return redirect(back)
    service = services.consent_grant if form.cleaned_data["action"] == "grant" else services.consent_withdraw
    with flash_errors(request):
        service(actor=request.user, subject_id=subject_id, channel=form.cleaned_data["channel"])
        messages.success(request, _("Consent recorded."))
    return redirect(back)


# --- Registration -------------------------------------------------------------------------
def _register(
    request: SignedInRequest,
    form_class: type[PersonForm | OrganisationForm],
    template: str,
    service: Callable[..., Any],
) -> HttpResponse:
    access_registration(actor=request.user)
    form = form_class(request.POST or None)
    form.fields["village_code"].choices = [  # type: ignore[attr-defined]
        (v.code, f"{v.parent.name} · {v.name}" if v.parent else v.name)
        for v in selectors.registration_villages(actor=request.user)
    ]
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            created = service(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Registered %(name)s.") % {"name": created.subject.name})
            return redirect(reverse("subjects:subject_detail", args=[created.subject.pk]) + "?purpose=verification")
        if isinstance(outcome.error, TooManyRequests):
            # Too many refused duplicates: "wait", not "fix the form".
            return render(request, template, {"form": form}, status=outcome.status)
    # Every other refusal, a duplicate number included, is the form to correct (422).
    return render(request, template, {"form": form}, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def person_register(request: SignedInRequest) -> HttpResponse:
    return _register(request, PersonForm, "subjects/person_form.html", services.person_register)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request: SignedInRequest) -> HttpResponse:
    return _register(request, OrganisationForm, "subjects/organisation_form.html", services.organisation_register)
