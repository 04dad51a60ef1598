"""The volunteer's own pages: registering, the profile and leaving the register, and "my
volunteering" (hours and stars, records, sign-ups, teams, certificates)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status
from rongxin.volunteering import services
from rongxin.volunteering.domain.hours import STAR_HOURS, hours_text
from rongxin.volunteering.domain.volunteers import ADULT_AGE, age_on
from rongxin.volunteering.pages import display
from rongxin.volunteering.pages.forms import JoinForm, ProfileForm, WithdrawForm
from rongxin.volunteering.permissions import own_person, own_volunteer_or_none
from rongxin.volunteering.selectors.people import volunteer_profile


def join_first(request: HttpRequest, message: str, *, back: str = "") -> HttpResponse:
    """To the registration page, for someone who is not a volunteer yet; back to ``back`` once
    registered."""
    messages.info(request, message)
    url = reverse("volunteering:volunteer_join")
    return redirect(url + "?" + urlencode({"next": back}) if back else url)


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_join(request: SignedInRequest) -> HttpResponse:
    """A person registers themself as a volunteer (the terms; a guardian for a minor)."""
    person = own_person(request.user)
    if own_volunteer_or_none(request.user) is not None:
        return redirect("volunteering:my_volunteering")
    minor = age_on(person.birth_date, clock.today_local()) < ADULT_AGE
    form = JoinForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            v = services.volunteer_register(
                actor=request.user,
                agree=data["agree"],
                skills=data["skills"],
                availability=data["availability"],
                guardian_name=data["guardian_name"],
                guardian_relation=data["guardian_relation"],
                guardian_consent=data["guardian_consent"],
            )
        if not outcome.failed:
            messages.success(request, _("Welcome! Your volunteer number is %(number)s.") % {"number": v.number})
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("volunteering:my_volunteering")
    return render(
        request,
        "volunteering/join.html",
        {"form": form, "person": person, "minor": minor, "next": next_url},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_profile_edit(request: SignedInRequest) -> HttpResponse:
    """The volunteer changes their skills and availability, or leaves the register."""
    volunteer = own_volunteer_or_none(request.user)
    if volunteer is None:
        return redirect("volunteering:volunteer_join")
    action = request.POST.get("action")
    form = ProfileForm(
        request.POST if action == "save" else None,
        initial={"skills": volunteer.skills, "availability": volunteer.availability},
    )
    leave = WithdrawForm(request.POST if action == "withdraw" else None)
    if request.method == "POST" and action == "save" and form.is_valid():
        with errors_on(form) as outcome:
            services.volunteer_update(
                actor=request.user, skills=form.cleaned_data["skills"], availability=form.cleaned_data["availability"]
            )
        if not outcome.failed:
            messages.success(request, _("Your volunteer profile is saved."))
            return redirect("volunteering:my_volunteering")
    if request.method == "POST" and action == "withdraw" and leave.is_valid():
        services.volunteer_withdraw(actor=request.user)
        messages.success(request, _("You have left the volunteer register. Your records and certificates are kept."))
        return redirect("web:home")
    return render(
        request,
        "volunteering/profile_edit.html",
        {"form": form, "leave": leave, "v": volunteer},
        status=form_status(form) if form.errors else form_status(leave),
    )


@login_required
def my_volunteering(request: SignedInRequest) -> HttpResponse:
    """The volunteer's own page: number, hours and stars, records with points, sign-ups, teams,
    certificates."""
    volunteer = own_volunteer_or_none(request.user)
    if volunteer is None:
        return redirect("volunteering:volunteer_join")
    p = volunteer_profile(volunteer=volunteer)
    next_hours = (
        hours_text(max(p.next_star_hours * 60 - volunteer.total_minutes, 0)) if p.next_star_hours is not None else None
    )
    pending = {c.record_id for c in p.corrections if c.status == "pending"}
    return render(
        request,
        "volunteering/me.html",
        {
            "p": p,
            "v": volunteer,
            "stars": range(p.stars),
            "no_stars": range(len(STAR_HOURS) - p.stars),
            "next_star_hours": p.next_star_hours,
            "hours_to_next": next_hours,
            "records": [
                {"r": r, "hours": hours_text(r.minutes), "flags": display.flags(r.flags), "pending": r.pk in pending}
                for r in p.records
            ],
            "skills": display.skill_labels(volunteer.skills),
        },
    )
