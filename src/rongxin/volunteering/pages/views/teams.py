"""Team pages: the list, a team's page, creating a team, the teams one organises, applying,
leaving, deciding applications and appointing leaders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_kept, form_status
from rongxin.volunteering import services
from rongxin.volunteering.models import Membership
from rongxin.volunteering.pages import display
from rongxin.volunteering.pages.form_errors import service_fields, volunteer_number_field
from rongxin.volunteering.pages.forms import DecisionForm, LeaderForm, TeamFilterForm, TeamForm, regions_under, towns
from rongxin.volunteering.pages.requests import back_to
from rongxin.volunteering.pages.views.volunteers import join_first
from rongxin.volunteering.permissions import (
    access_team_for_admin,
    admin_regions,
    administers,
    administers_somewhere,
    organises_teams,
    own_volunteer_or_none,
)
from rongxin.volunteering.selectors.people import team_list as teams_listed
from rongxin.volunteering.selectors.people import team_view, teams_i_organise


@require_safe
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamFilterForm(request.GET or None)
    form.fields["region"].choices = [("", _("The whole county")), *towns()]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_valid() else {}
    teams = teams_listed(region_code=data.get("region") or "", tier=data.get("tier") or "", kind=data.get("kind") or "")
    return render(
        request,
        "volunteering/team_list.html",
        {"form": form, "teams": teams, "can_create": administers_somewhere(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: SignedInRequest) -> HttpResponse:
    """A team administrator creates a team in their region."""
    regions = regions_under(admin_regions(request.user))
    form = TeamForm(request.POST or None)
    form.fields["region_code"].choices = regions  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Team created. Appoint its leaders once they have joined."))
            return redirect("volunteering:team_detail", team.pk)
    return render(request, "volunteering/team_form.html", {"form": form}, status=form_status(form))


@login_required
def teams_mine(request: SignedInRequest) -> HttpResponse:
    """The teams the user organises (leads or administers), with their drafts and activities."""
    if not organises_teams(request.user):
        raise NotFound()
    return render(request, "volunteering/teams_mine.html", {"teams": teams_i_organise(actor=request.user)})


@require_safe
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    t = team_view(actor=request.user, team_id=team_id)
    mine = t.my_membership
    return render(
        request,
        "volunteering/team_detail.html",
        {
            "t": t,
            "team": t.team,
            "admin": administers(request.user, t.team.region),
            "member": mine is not None and mine.status in (Membership.Status.APPLIED, Membership.Status.ACCEPTED),
            "upcoming": [(a, display.type_name(a.type), display.phase(a.phase(clock.now()))) for a in t.upcoming],
            "decision_form": DecisionForm(),
            "kept_decision": form_kept(
                request,
                key="volunteering.correction",
                build=lambda data: DecisionForm(data, auto_id="correction-kept-%s"),
            ),
        },
    )


@login_required
@require_POST
def team_apply(request: SignedInRequest, team_id: int) -> HttpResponse:
    if own_volunteer_or_none(request.user) is None:
        back = reverse("volunteering:team_detail", args=[team_id])
        return join_first(request, _("Register as a volunteer first; then you can join a team."), back=back)
    with flash_errors(request) as outcome:
        services.membership_apply(actor=request.user, team_id=team_id)
    if not outcome.failed:
        messages.success(request, _("Application sent. The team's leaders will decide."))
    return redirect("volunteering:team_detail", team_id)


@login_required
@require_POST
def team_leave(request: SignedInRequest, team_id: int) -> HttpResponse:
    services.membership_leave(actor=request.user, team_id=team_id)
    messages.success(request, _("You have left the team."))
    return redirect("volunteering:team_detail", team_id)


@login_required
@require_POST
def membership_decide(request: SignedInRequest, membership_id: int) -> HttpResponse:
    accept = request.POST.get("action") == "accept"
    with flash_errors(request) as outcome:
        m = services.membership_decide(actor=request.user, membership_id=membership_id, accept=accept)
    if outcome.failed:
        return redirect(back_to(request, reverse("volunteering:teams_mine")))
    messages.success(request, _("Application accepted.") if accept else _("Application declined."))
    return redirect("volunteering:team_detail", m.team_id)


@login_required
@require_http_methods(["GET", "POST"])
def leader_set(request: SignedInRequest, team_id: int) -> HttpResponse:
    """A team administrator appoints a member as leader (or makes a leader a member again)."""
    t = team_view(actor=request.user, team_id=team_id)
    access_team_for_admin(request.user, team_id=t.team.pk)
    form = LeaderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome, service_fields(volunteer_number_field):
            m = services.leader_set(actor=request.user, team_id=t.team.pk, **form.cleaned_data)
        if not outcome.failed:
            messages.success(
                request,
                (_("%(number)s now leads the team.") if m.role == "leader" else _("%(number)s is now a member."))
                % {"number": m.volunteer.number},
            )
            return redirect("volunteering:team_detail", t.team.pk)
    return render(request, "volunteering/leader_form.html", {"form": form, "t": t}, status=form_status(form))
