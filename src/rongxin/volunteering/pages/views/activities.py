"""Activity pages: the public list and the shareable page of an activity, sign-up, and the
organiser's drafting, publishing, inviting and cancelling.

Each view asks the right it needs (``rongxin.volunteering.permissions``, or the service or
selector it calls asks it), validates the form's shape, calls one service or selector and
renders. Service errors go back on the form (``errors_on``) or into a message
(``flash_errors``); a missing or forbidden object is the one "not found" page (the page error
middleware). A refused form is shown again with everything the user typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.regions.models import Region
from rongxin.volunteering import services
from rongxin.volunteering.models import Activity, Signup, Team
from rongxin.volunteering.pages import display
from rongxin.volunteering.pages.form_errors import service_fields, volunteer_number_field
from rongxin.volunteering.pages.forms import (
    ActivityFilterForm,
    ActivityForm,
    CancelForm,
    InviteForm,
    regions_under,
    towns,
    type_choices,
)
from rongxin.volunteering.pages.views.volunteers import join_first
from rongxin.volunteering.permissions import (
    access_activity_for_organising,
    access_team_for_organising,
    own_person_or_none,
    own_volunteer_or_none,
)
from rongxin.volunteering.selectors.activities import ActivityFilters, activity_view
from rongxin.volunteering.selectors.activities import activity_list as public_activities

LIST_PAGE = 20


# --- The list and the page ----------------------------------------------------------------
@require_safe
def activity_list(request: HttpRequest) -> HttpResponse:
    """Public activities with filters; "near my village" for a signed-in resident."""
    form = ActivityFilterForm(request.GET or None)
    form.fields["type"].choices = [("", _("All types")), *type_choices()]  # type: ignore[attr-defined]
    form.fields["region"].choices = [("", _("The whole county")), *towns()]  # type: ignore[attr-defined]
    filters = ActivityFilters()
    near_note = ""
    if form.is_valid():
        data = form.cleaned_data
        filters = ActivityFilters(
            region_code=data["region"],
            type_code=data["type"],
            phase=data["phase"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        if data["near"]:
            person = own_person_or_none(request.user)
            village = person.subject.village if person is not None else None
            if village is None:
                near_note = _("Sign in with your own account to see activities near your village.")
            else:
                filters.near_village_code = village.code
                near_note = _("Activities in %(town)s, around %(village)s.") % {
                    "town": village.parent.name if village.parent else village.name,
                    "village": village.name,
                }
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    items, total = public_activities(filters=filters, offset=(number - 1) * LIST_PAGE, limit=LIST_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    pages = max((total + LIST_PAGE - 1) // LIST_PAGE, 1)
    template = (
        "volunteering/_activity_results.html" if getattr(request, "htmx", False) else "volunteering/activity_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "items": [(a, display.type_name(a.type), display.phase(a.phase(clock.now()))) for a in items],
            "total": total,
            "page": number,
            "pages": pages,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < pages else None,
            "query": query.urlencode(),
            "near_note": near_note,
        },
    )


def _activity_page(
    request: HttpRequest,
    activity_id: int,
    *,
    cancel_form: CancelForm | None = None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = activity_view(actor=request.user, activity_id=activity_id)
    a = view.activity
    mine = view.my_signup
    return render(
        request,
        "volunteering/activity_detail.html",
        {
            "v": view,
            "a": a,
            "type_name": display.type_name(a.type),
            "phase_label": display.phase(view.phase),
            "skills": display.skill_labels(a.skills),
            "mine": mine,
            "mine_state": view.my_signup_state,
            "holding": mine is not None and mine.status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
            "invited": mine is not None and mine.status == Signup.Status.INVITED,
            "editable": view.phase in ("draft", "published"),
            "cancellable": view.phase in ("draft", "published", "ongoing"),
            "scanning": a.status == Activity.Status.PUBLISHED and view.phase in ("published", "ongoing", "finished"),
            "closable": view.phase in ("ongoing", "finished", "closed"),
            "cancel_form": cancel_form or CancelForm(),
            "invite_form": invite_form or InviteForm(),
            "share_url": request.build_absolute_uri(reverse("volunteering:activity_detail", args=[a.pk])),
        },
        status=status,
    )


@require_safe
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The shareable page of an activity: public once published; drafts for organisers only."""
    return _activity_page(request, activity_id)


# --- Sign-up ----------------------------------------------------------------------------------
@login_required
@require_POST
def signup(request: SignedInRequest, activity_id: int) -> HttpResponse:
    """The volunteer signs up (or accepts an invitation): the sign-up is their own act."""
    back = reverse("volunteering:activity_detail", args=[activity_id])
    if own_volunteer_or_none(request.user) is None:
        return join_first(request, _("Register as a volunteer first; then you can sign up."), back=back)
    with flash_errors(request) as outcome:
        result = services.signup_create(actor=request.user, activity_id=activity_id)
    if outcome.failed:
        return redirect(back)
    if result.signup.status == Signup.Status.CONFIRMED:
        messages.success(request, _("You are signed up. Thank you!"))
    else:
        messages.info(
            request,
            _("All places are taken; you are on the waiting list and move up automatically when a place comes free."),
        )
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(back)


@login_required
@require_POST
def signup_cancel(request: SignedInRequest, activity_id: int) -> HttpResponse:
    with flash_errors(request) as outcome:
        services.signup_cancel(actor=request.user, activity_id=activity_id)
    if not outcome.failed:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteering:activity_detail", activity_id)


@login_required
@require_POST
def invitation_decline(request: SignedInRequest, activity_id: int) -> HttpResponse:
    services.invitation_decline(actor=request.user, activity_id=activity_id)
    messages.success(request, _("You declined the invitation."))
    return redirect("volunteering:activity_detail", activity_id)


# --- The organiser ------------------------------------------------------------------------------
@login_required
@require_POST
def activity_publish(request: SignedInRequest, activity_id: int) -> HttpResponse:
    with flash_errors(request) as outcome:
        services.activity_publish(actor=request.user, activity_id=activity_id)
    if not outcome.failed:
        messages.success(request, _("Published. Share this page with volunteers."))
    return redirect("volunteering:activity_detail", activity_id)


@login_required
@require_POST
def activity_cancel(request: SignedInRequest, activity_id: int) -> HttpResponse:
    access_activity_for_organising(request.user, activity_id=activity_id)  # an outsider learns nothing from the form
    form = CancelForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            services.activity_cancel(actor=request.user, activity_id=activity_id, reason=form.cleaned_data["reason"])
        if not outcome.failed:
            messages.success(request, _("The activity is cancelled; everyone signed up has been told."))
            return redirect("volunteering:activity_detail", activity_id)
    return _activity_page(request, activity_id, cancel_form=form, status=form_status(form))


@login_required
@require_POST
def invitation_send(request: SignedInRequest, activity_id: int) -> HttpResponse:
    access_activity_for_organising(request.user, activity_id=activity_id)  # an outsider learns nothing from the form
    form = InviteForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome, service_fields(volunteer_number_field):
            s = services.invitation_send(
                actor=request.user, activity_id=activity_id, volunteer_number=form.cleaned_data["volunteer_number"]
            )
        if not outcome.failed:
            messages.success(
                request,
                _("Invitation sent to %(number)s. It takes a place only when they accept.")
                % {"number": s.volunteer.number},
            )
            return redirect("volunteering:activity_detail", activity_id)
    return _activity_page(request, activity_id, invite_form=form, status=form_status(form))


def _activity_form(data: Any, team: Team, initial: dict[str, Any] | None = None) -> ActivityForm:
    form = ActivityForm(data, initial=initial)
    form.fields["type_code"].choices = [("", "—"), *type_choices()]  # type: ignore[attr-defined]
    roots = [team.region] if team.tier == Team.Tier.TOWN_VILLAGE else list(Region.objects.filter(parent=None))
    form.fields["region_code"].choices = regions_under(roots)  # type: ignore[attr-defined]
    return form


def _activity_input(data: dict[str, Any]) -> services.ActivityInput:
    return services.ActivityInput(
        type_code=data["type_code"],
        title=data["title"],
        region_code=data["region_code"],
        place=data["place"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        capacity=data["capacity"],
        description=data["description"],
        signup_opens_at=data["signup_opens_at"],
        signup_closes_at=data["signup_closes_at"],
        min_age=data["min_age"] or 0,
        skills=data["skills"],
        insured=data["insured"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        geofence_m=data["geofence_m"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: SignedInRequest, team_id: int) -> HttpResponse:
    """An organiser drafts an activity of their team; it is published from its page."""
    team = access_team_for_organising(request.user, team_id=team_id).team
    form = _activity_form(request.POST or None, team, initial={"region_code": team.region.code, "min_age": 0})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            created = services.activity_create(
                actor=request.user, team_id=team.pk, data=_activity_input(form.cleaned_data)
            )
        if not outcome.failed:
            messages.success(request, _("Draft saved. Check it and publish it when ready."))
            return redirect("volunteering:activity_detail", created.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {"form": form, "team": team, "activity": None},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: SignedInRequest, activity_id: int) -> HttpResponse:
    a, access = access_activity_for_organising(request.user, activity_id=activity_id)
    initial = {
        "title": a.title,
        "type_code": a.type.code,
        "description": a.description,
        "region_code": a.region.code,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "signup_opens_at": a.signup_opens_at,
        "signup_closes_at": a.signup_closes_at,
        "min_age": a.min_age,
        "skills": a.skills,
        "insured": a.insured,
        "latitude": a.latitude,
        "longitude": a.longitude,
        "geofence_m": a.geofence_m,
    }
    form = _activity_form(request.POST or None, access.team, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            services.activity_update(actor=request.user, activity_id=a.pk, data=_activity_input(form.cleaned_data))
        if not outcome.failed:
            messages.success(request, _("Changes saved."))
            return redirect("volunteering:activity_detail", a.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {"form": form, "team": access.team, "activity": a},
        status=form_status(form),
    )
