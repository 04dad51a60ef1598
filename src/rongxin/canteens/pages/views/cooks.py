"""Cook pages of a canteen: its cooks with their certificate state and trainings (forms to record
them), the weekly rota (forms to place and remove cooks), its clinics (schedule, record,
cancel), the county's list of upcoming clinics, and its pre-meal sessions.

Views ask the right they need, call one service or selector and render; POST forms redirect
back with the service's error as a message (``flash_errors``); a missing or forbidden canteen is
the one "not found" page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.domain.cooks import week_label, week_monday
from rongxin.canteens.models import Canteen, ClinicVisit, RotaSlot
from rongxin.canteens.permissions.cooks import (
    access_canteen_for_reading_cooks,
    clinic_list_regions,
    keeps_cooks,
)
from rongxin.canteens.selectors.clinics import clinics_of, premeal_sessions, upcoming_clinics
from rongxin.canteens.selectors.cooks import cooks_of, expiring_rows, rota_week
from rongxin.canteens.services.clinics import clinic_cancel, clinic_record, clinic_schedule
from rongxin.canteens.services.cooks import health_certificate_record, training_record
from rongxin.canteens.services.premeal import premeal_schedule
from rongxin.canteens.services.rota import rota_place, rota_remove
from rongxin.core import clock
from rongxin.core.forms import flash_errors
from rongxin.lectures.permissions.common import is_lecture_admin, town_officer_covering


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class CertificateForm(forms.Form):
    volunteer_number = forms.CharField(label=gettext_lazy("Volunteer number"), max_length=40)
    number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=80)
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=200)
    issued_on = forms.CharField(
        label=gettext_lazy("Issued on"), max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )
    expires_on = forms.CharField(
        label=gettext_lazy("Expires on"), max_length=20, widget=forms.DateInput(attrs={"type": "date"})
    )


class TrainingForm(forms.Form):
    volunteer_number = forms.CharField(label=gettext_lazy("Volunteer number"), max_length=40)
    course = forms.CharField(label=gettext_lazy("Course"), max_length=200)
    provider = forms.CharField(label=gettext_lazy("Given by"), max_length=200)
    on = forms.CharField(label=gettext_lazy("Date"), max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.CharField(label=gettext_lazy("Hours"), max_length=10)


class PlaceForm(forms.Form):
    on = forms.CharField(label=gettext_lazy("Date"), max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    duty = forms.ChoiceField(label=gettext_lazy("Duty"), choices=RotaSlot.Duty.choices)
    volunteer_number = forms.CharField(label=gettext_lazy("Volunteer number"), max_length=40)
    insured = forms.BooleanField(label=gettext_lazy("Accident insurance arranged (delivery)"), required=False)


class RemoveForm(forms.Form):
    on = forms.CharField(max_length=20)
    volunteer_number = forms.CharField(max_length=40)


class ClinicForm(forms.Form):
    provider_kind = forms.ChoiceField(label=gettext_lazy("Provider"), choices=ClinicVisit.ProviderKind.choices)
    provider_name = forms.CharField(label=gettext_lazy("Hospital or department"), max_length=200)
    services = forms.CharField(label=gettext_lazy("Services"), max_length=400)
    starts_at = _when(gettext_lazy("Starts at"))
    ends_at = _when(gettext_lazy("Ends at"))


class ClinicRecordForm(forms.Form):
    staff = forms.CharField(label=gettext_lazy("Who came"), max_length=600)
    elders_seen = forms.CharField(label=gettext_lazy("Elders seen"), max_length=12)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=400, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=400)


class PreMealForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=240)
    starts_at = _when(gettext_lazy("Starts at"))
    ends_at = _when(gettext_lazy("Ends at"))
    team_id = forms.IntegerField(
        label=gettext_lazy("Lecture team number"), required=False, min_value=1, max_value=2**31 - 1
    )


def _form_error(request: SignedInRequest, form: forms.Form) -> None:
    messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))


# --- The section on the canteen's page -----------------------------------------------------------
def cooks_section(request: SignedInRequest, canteen: Canteen) -> dict[str, Any]:
    """Context for ``canteens/_canteen_cooks.html`` on the canteen's page (sites): the cooks'
    certificates expiring or expired, and the links to the cook pages."""
    rows = cooks_of(canteen, today=clock.today_local())
    return {"canteen": canteen, "cook_count": len(rows), "expiring": expiring_rows(rows)}


# --- Cooks ----------------------------------------------------------------------------------------
@login_required
@require_safe
def cooks_page(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The canteen's cooks: certificate state (valid, expiring within 30 days, expired, none) and
    trainings; the expiring certificates on top; forms for village staff."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    rows = cooks_of(canteen, today=clock.today_local())
    keeps = keeps_cooks(request.user, canteen)
    return render(
        request,
        "canteens/cooks.html",
        {
            "canteen": canteen,
            "rows": rows,
            "expiring": expiring_rows(rows),
            "keeps": keeps,
            "certificate_form": CertificateForm() if keeps else None,
            "training_form": TrainingForm() if keeps else None,
        },
    )


@login_required
@require_POST
def certificate_new(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    form = CertificateForm(request.POST)
    if not form.is_valid():
        access_canteen_for_reading_cooks(request.user, canteen_id)
        _form_error(request, form)
    else:
        with flash_errors(request) as outcome:
            health_certificate_record(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Health certificate recorded."))
    return redirect("canteens:cooks", canteen_id=canteen_id)


@login_required
@require_POST
def training_new(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    form = TrainingForm(request.POST)
    if not form.is_valid():
        access_canteen_for_reading_cooks(request.user, canteen_id)
        _form_error(request, form)
    else:
        with flash_errors(request) as outcome:
            training_record(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Training recorded."))
    return redirect("canteens:cooks", canteen_id=canteen_id)


# --- The rota -------------------------------------------------------------------------------------
@login_required
@require_safe
def rota_page(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The week's rota (``?week=YYYY-Www``, this week by default): Monday to Sunday by duty."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    today = clock.today_local()
    monday = week_monday(request.GET.get("week", "")) or today - dt.timedelta(days=today.weekday())
    keeps = keeps_cooks(request.user, canteen)
    return render(
        request,
        "canteens/rota.html",
        {
            "canteen": canteen,
            "days": rota_week(canteen, monday),
            "duties": RotaSlot.Duty.choices,
            "week": week_label(monday),
            "previous": week_label(monday - dt.timedelta(days=7)),
            "next": week_label(monday + dt.timedelta(days=7)),
            "keeps": keeps,
            "form": PlaceForm(initial={"on": max(today, monday)}) if keeps else None,
        },
    )


def _back_to_week(canteen_id: int, on: str) -> HttpResponse:
    url = reverse("canteens:rota", kwargs={"canteen_id": canteen_id})
    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        return redirect(url)
    return redirect(f"{url}?week={week_label(day)}")


@login_required
@require_POST
def rota_place_view(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    form = PlaceForm(request.POST)
    if not form.is_valid():
        access_canteen_for_reading_cooks(request.user, canteen_id)
        _form_error(request, form)
        return redirect("canteens:rota", canteen_id=canteen_id)
    with flash_errors(request) as outcome:
        rota_place(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
    if not outcome.failed:
        messages.success(request, _("The cook is on the rota and invited to the day's activity."))
    return _back_to_week(canteen_id, form.cleaned_data["on"])


@login_required
@require_POST
def rota_remove_view(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    form = RemoveForm(request.POST)
    if not form.is_valid():
        access_canteen_for_reading_cooks(request.user, canteen_id)
        _form_error(request, form)
        return redirect("canteens:rota", canteen_id=canteen_id)
    with flash_errors(request) as outcome:
        rota_remove(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
    if not outcome.failed:
        messages.success(request, _("The cook is off the rota; their invitation is cancelled."))
    return _back_to_week(canteen_id, form.cleaned_data["on"])


# --- Clinics --------------------------------------------------------------------------------------
@login_required
def clinics_page(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The canteen's clinics (to come, and past) and the form to schedule one."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    form = ClinicForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with flash_errors(request) as outcome:
                clinic_schedule(actor=request.user, canteen_id=canteen.pk, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("Clinic scheduled."))
        else:
            _form_error(request, form)
        return redirect("canteens:clinics", canteen_id=canteen.pk)
    upcoming, past = clinics_of(canteen)
    return render(
        request,
        "canteens/clinics.html",
        {
            "canteen": canteen,
            "upcoming": upcoming,
            "past": past,
            "form": form,
            "record_form": ClinicRecordForm(),
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def clinic_record_view(request: SignedInRequest, canteen_id: int, clinic_id: int) -> HttpResponse:
    form = ClinicRecordForm(request.POST)
    access_canteen_for_reading_cooks(request.user, canteen_id)
    if not form.is_valid():
        _form_error(request, form)
    else:
        with flash_errors(request) as outcome:
            clinic_record(actor=request.user, clinic_id=clinic_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Clinic recorded."))
    return redirect("canteens:clinics", canteen_id=canteen_id)


@login_required
@require_POST
def clinic_cancel_view(request: SignedInRequest, canteen_id: int, clinic_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    access_canteen_for_reading_cooks(request.user, canteen_id)
    if not form.is_valid():
        _form_error(request, form)
    else:
        with flash_errors(request) as outcome:
            clinic_cancel(actor=request.user, clinic_id=clinic_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Clinic cancelled."))
    return redirect("canteens:clinics", canteen_id=canteen_id)


@login_required
@require_safe
def clinics_upcoming(request: SignedInRequest) -> HttpResponse:
    """Upcoming clinics at canteens of the county (administrators) or the town (town officers)."""
    regions = clinic_list_regions(request.user)
    return render(request, "canteens/clinics_upcoming.html", {"clinics": upcoming_clinics(regions)})


# --- Pre-meal sessions ----------------------------------------------------------------------------
@login_required
def premeal_page(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The canteen's pre-meal sessions; the form for those lectures lets record a session here
    (the town officer, lecture administrators)."""
    canteen = access_canteen_for_reading_cooks(request.user, canteen_id)
    may_schedule = is_lecture_admin(request.user) or town_officer_covering(request.user, canteen.village) is not None
    form = PreMealForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with flash_errors(request) as outcome:
                premeal_schedule(actor=request.user, canteen_id=canteen.pk, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("Pre-meal session scheduled."))
        else:
            _form_error(request, form)
        return redirect("canteens:premeal", canteen_id=canteen.pk)
    upcoming, recent = premeal_sessions(canteen)
    return render(
        request,
        "canteens/premeal.html",
        {"canteen": canteen, "upcoming": upcoming, "recent": recent, "form": form if may_schedule else None},
    )


urls: list[URLPattern] = [
    path("canteens/<int:canteen_id>/cooks/", cooks_page, name="cooks"),
    path("canteens/<int:canteen_id>/cooks/certificates/", certificate_new, name="cook_certificate_new"),
    path("canteens/<int:canteen_id>/cooks/trainings/", training_new, name="cook_training_new"),
    path("canteens/<int:canteen_id>/rota/", rota_page, name="rota"),
    path("canteens/<int:canteen_id>/rota/place/", rota_place_view, name="rota_place"),
    path("canteens/<int:canteen_id>/rota/remove/", rota_remove_view, name="rota_remove"),
    path("canteens/<int:canteen_id>/clinics/", clinics_page, name="clinics"),
    path("canteens/<int:canteen_id>/clinics/<int:clinic_id>/record/", clinic_record_view, name="clinic_record"),
    path("canteens/<int:canteen_id>/clinics/<int:clinic_id>/cancel/", clinic_cancel_view, name="clinic_cancel"),
    path("canteens/clinics/", clinics_upcoming, name="clinics_upcoming"),
    path("canteens/<int:canteen_id>/pre-meal/", premeal_page, name="premeal"),
]
