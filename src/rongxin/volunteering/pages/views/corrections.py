"""Corrections of service records: the volunteer asks for one, an organiser of the record's
team decides (from the team's page)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.forms import errors_on, form_keep, form_status
from rongxin.volunteering import services
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.pages.forms import CorrectionRequestForm, DecisionForm
from rongxin.volunteering.pages.requests import back_to
from rongxin.volunteering.permissions import access_correction_for_deciding, access_own_record


@login_required
@require_http_methods(["GET", "POST"])
def correction_new(request: SignedInRequest, record_id: int) -> HttpResponse:
    """The volunteer asks the organiser to correct the time of one of their records."""
    record = access_own_record(request.user, record_id=record_id)
    form = CorrectionRequestForm(request.POST or None, initial={"minutes": record.minutes})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.correction_request(actor=request.user, record_id=record.pk, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Your request was sent to the organiser."))
            return redirect("volunteering:my_volunteering")
    return render(
        request,
        "volunteering/correction_form.html",
        {"form": form, "r": record, "hours": hours_text(record.minutes)},
        status=form_status(form),
    )


@login_required
@require_POST
def correction_decide(request: SignedInRequest, correction_id: int) -> HttpResponse:
    access_correction_for_deciding(request.user, correction_id=correction_id)  # an outsider learns nothing
    form = DecisionForm(request.POST)
    accept = request.POST.get("action") == "accept"
    back = back_to(request, reverse("volunteering:teams_mine"))
    if form.is_valid():
        with errors_on(form) as outcome:
            services.correction_decide(
                actor=request.user, correction_id=correction_id, accept=accept, reason=form.cleaned_data["reason"]
            )
        if not outcome.failed:
            messages.success(
                request,
                _("Correction accepted; the record and credit are updated.") if accept else _("Correction refused."),
            )
            return redirect(back)
    # The reason typed and what is wrong with it, beside the field of that request.
    form_keep(request, form, key="volunteering.correction", about=correction_id)
    messages.error(request, _("Not decided: correct the fields marked in the form below."))
    return redirect(f"{back}#correction-{correction_id}")
