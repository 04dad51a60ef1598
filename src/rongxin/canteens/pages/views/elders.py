"""The elders of a canteen, for village staff of its village: the list (audited), a search for a
resident of the village to enrol (by name or ID number; ID numbers only masked), the enrolment
form, an elder's page to change the dietary note and delivery or record the leave; and the
elder's own leave from their file.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.models import Elder
from rongxin.canteens.permissions.elders import access_canteen_staff, access_elder
from rongxin.canteens.selectors.elders import Candidate, elder_for_staff, elders_of, enrol_candidate, enrol_candidates
from rongxin.canteens.services.elders import elder_enrol, elder_leave, elder_update
from rongxin.core.forms import errors_on, flash_errors, form_status


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or ID number"), max_length=60)


class EnrolForm(forms.Form):
    consent_by = forms.ChoiceField(
        label=gettext_lazy("Consent given by"), choices=Elder.ConsentBy.choices, widget=forms.RadioSelect
    )
    consent_name = forms.CharField(label=gettext_lazy("Family member"), max_length=60, required=False)
    consent_relation = forms.CharField(label=gettext_lazy("Relation"), max_length=20, required=False)
    dietary_note = forms.CharField(label=gettext_lazy("Dietary notes"), max_length=200, required=False)
    needs_delivery = forms.BooleanField(label=gettext_lazy("Needs delivery"), required=False)


class ElderForm(forms.Form):
    dietary_note = forms.CharField(label=gettext_lazy("Dietary notes"), max_length=200, required=False)
    needs_delivery = forms.BooleanField(label=gettext_lazy("Needs delivery"), required=False)


class LeaveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for leaving"), max_length=200)


@login_required
def elders(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The current elders and the latest who left, and the search for a resident to enrol."""
    access_canteen_staff(request.user, canteen_id)
    search = SearchForm(request.GET or None)
    candidates: list[Candidate] | None = None
    status = 200
    if request.GET and search.is_valid():
        with errors_on(search) as outcome:
            candidates = enrol_candidates(actor=request.user, canteen_id=canteen_id, query=search.cleaned_data["q"])
        status = outcome.status
    listing = elders_of(actor=request.user, canteen_id=canteen_id, with_left=True)
    return render(
        request,
        "canteens/elders.html",
        {"listing": listing, "canteen": listing.canteen, "search": search, "candidates": candidates},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def elder_new(request: SignedInRequest, canteen_id: int, subject_id: int) -> HttpResponse:
    """Enrol one resident of the village (chosen from the search)."""
    canteen, candidate = enrol_candidate(actor=request.user, canteen_id=canteen_id, subject_id=subject_id)
    form = EnrolForm(request.POST or None, initial={"consent_by": Elder.ConsentBy.SELF})
    context: dict[str, Any] = {"canteen": canteen, "c": candidate, "form": form}
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            elder_enrol(actor=request.user, canteen_id=canteen_id, subject_id=subject_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("%(name)s is enrolled.") % {"name": candidate.name})
            return redirect("canteens:elders", canteen_id)
        # a refusal about the person (too young) has no field on this form: show it on top
        return render(request, "canteens/elder_new.html", context, status=outcome.status)
    return render(request, "canteens/elder_new.html", context, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def elder_detail(request: SignedInRequest, elder_id: int) -> HttpResponse:
    """An elder's enrolment: change the dietary note and delivery, or record the leave."""
    access = elder_for_staff(actor=request.user, elder_id=elder_id)
    e = access.elder
    form = ElderForm(request.POST or None, initial={"dietary_note": e.dietary_note, "needs_delivery": e.needs_delivery})
    context: dict[str, Any] = {"e": e, "canteen": e.canteen, "form": form, "leave_form": LeaveForm()}
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            elder_update(actor=request.user, elder_id=elder_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("The elder's details are changed."))
            return redirect("canteens:elder", elder_id)
        return render(request, "canteens/elder.html", context, status=outcome.status)
    return render(request, "canteens/elder.html", context, status=form_status(form))


@login_required
@require_POST
def elder_leave_view(request: SignedInRequest, elder_id: int) -> HttpResponse:
    """Record a leave: by staff from the elder's page, or by the elder from their own file."""
    access = access_elder(request.user, elder_id, allow_own=True)
    with flash_errors(request) as outcome:
        elder_leave(actor=request.user, elder_id=elder_id, reason=request.POST.get("reason", ""))
    if access.own:
        if not outcome.failed:
            messages.success(request, _("You have left the canteen. You are welcome back at any time."))
        return redirect("subjects:my_file")
    if not outcome.failed:
        messages.success(request, _("The leave is recorded."))
        return redirect("canteens:elders", access.elder.canteen_id)
    return redirect("canteens:elder", elder_id)


urls: list[URLPattern] = [
    path("canteens/<int:canteen_id>/elders/", elders, name="elders"),
    path("canteens/<int:canteen_id>/elders/new/<int:subject_id>/", elder_new, name="elder_new"),
    path("canteens/elders/<int:elder_id>/", elder_detail, name="elder"),
    path("canteens/elders/<int:elder_id>/leave/", elder_leave_view, name="elder_leave"),
]
