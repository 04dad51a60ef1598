"""The implementation's pages: a project's work (applications and the pick, the start, linked
activities, milestone reports with photos, completion), a team's application, a team leader's
projects and the open ones, and a milestone photo.

Views ask the right they need first (missing and forbidden are the one "not found" page), check
the form's shape, call one service and redirect; a service error goes back on the form, which is
shown again with what was typed and a 422/409; a button's error comes back as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.projects.models import Milestone, Project, TeamApplication
from rongxin.projects.pages.forms_work import ApplyForm, CompleteForm, LinkForm, ReportForm
from rongxin.projects.permissions.common import access_project
from rongxin.projects.permissions.work import access_project_work, led_teams
from rongxin.projects.selectors.work import milestone_photo, project_work, teams_overview
from rongxin.projects.services.teams import (
    activity_link,
    activity_unlink,
    application_create,
    application_decline,
    application_pick,
    application_withdraw,
    project_start,
)
from rongxin.projects.services.work import milestone_report, project_complete, read_photo_upload
from rongxin.volunteering.models import Team


def _work_page(
    request: SignedInRequest,
    pk: int,
    *,
    link: LinkForm | None = None,
    report: tuple[int, ReportForm] | None = None,
    complete: CompleteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    work = project_work(actor=request.user, project_id=pk)
    choices = [(a.pk, f"{a.starts_at:%Y-%m-%d} {a.title}") for a in work.linkable]
    reports = {m.pk: ReportForm(prefix=f"m{m.pk}") for m in work.milestones}
    if report is not None:
        reports[report[0]] = report[1]
    context: dict[str, Any] = {
        "work": work,
        "project": work.project,
        "in_progress": work.project.state == Project.State.IN_PROGRESS,
        "choosing": work.project.state in (Project.State.PUBLISHED, Project.State.CLAIMED)
        and work.project.team_id is None,
        "link_form": link or (LinkForm(activities=choices) if choices else None),
        "milestones": [(m, work.photos[m.pk], reports[m.pk]) for m in work.milestones],
        "complete_form": complete or CompleteForm(),
    }
    return render(request, "projects/work.html", context, status=status)


@login_required
@require_safe
def work(request: SignedInRequest, pk: int) -> HttpResponse:
    """A project's work (the publisher, the picked team's leaders, auditors)."""
    return _work_page(request, pk)


@login_required
@require_POST
def work_pick(request: SignedInRequest, pk: int) -> HttpResponse:
    """Pick a team's application (the publisher)."""
    app = TeamApplication.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if app is None:
        raise NotFound()
    with flash_errors(request) as outcome:
        picked = application_pick(actor=request.user, application_id=pk)
    if not outcome.failed:
        messages.success(request, _("%(team)s carries out the project.") % {"team": picked.team.name})
    return redirect("projects:work", app)


@login_required
@require_POST
def work_decline(request: SignedInRequest, pk: int) -> HttpResponse:
    """Decline a team's application (the publisher)."""
    app = TeamApplication.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if app is None:
        raise NotFound()
    with flash_errors(request) as outcome:
        application_decline(actor=request.user, application_id=pk)
    if not outcome.failed:
        messages.success(request, _("The application is declined."))
    return redirect("projects:work", app)


@login_required
@require_POST
def application_withdraw_view(request: SignedInRequest, pk: int) -> HttpResponse:
    """Withdraw one's team's application (the team's leader)."""
    with flash_errors(request) as outcome:
        application_withdraw(actor=request.user, application_id=pk)
    if not outcome.failed:
        messages.success(request, _("The application is withdrawn."))
    return redirect("projects:teams")


@login_required
@require_POST
def work_start(request: SignedInRequest, pk: int) -> HttpResponse:
    """Start the project (the publisher)."""
    with flash_errors(request) as outcome:
        project_start(actor=request.user, project_id=pk)
    if not outcome.failed:
        messages.success(request, _("The project has started."))
    return redirect("projects:work", pk)


@login_required
@require_POST
def work_link(request: SignedInRequest, pk: int) -> HttpResponse:
    """Link an activity of the picked team (its leaders, the publisher)."""
    work_ = project_work(actor=request.user, project_id=pk)
    if not work_.works:
        raise NotFound()
    form = LinkForm(request.POST, activities=[(a.pk, a.title) for a in work_.linkable])
    if form.is_valid():
        with errors_on(form) as outcome:
            activity_link(actor=request.user, project_id=pk, activity_id=form.cleaned_data["activity_id"])
        if not outcome.failed:
            messages.success(request, _("The activity is linked to the project."))
            return redirect("projects:work", pk)
        return _work_page(request, pk, link=form, status=outcome.status)
    return _work_page(request, pk, link=form, status=form_status(form))


@login_required
@require_POST
def work_unlink(request: SignedInRequest, pk: int, activity_id: int) -> HttpResponse:
    """Unlink an activity without verified hours (its leaders, the publisher)."""
    with flash_errors(request) as outcome:
        activity_unlink(actor=request.user, project_id=pk, activity_id=activity_id)
    if not outcome.failed:
        messages.success(request, _("The activity is unlinked."))
    return redirect("projects:work", pk)


@login_required
@require_POST
def work_report(request: SignedInRequest, pk: int) -> HttpResponse:
    """Report a milestone with photos (the picked team's leaders, the publisher)."""
    milestone = Milestone.objects.filter(pk=pk).first()
    if milestone is None:
        raise NotFound()
    access_project_work(request.user, milestone.project_id)
    form = ReportForm(request.POST, request.FILES, prefix=f"m{pk}")
    if form.is_valid():
        with errors_on(form) as outcome:
            photos = [read_photo_upload(f) for f in form.cleaned_data["photos"]]
            milestone_report(actor=request.user, milestone_id=pk, report=form.cleaned_data["report"], photos=photos)
        if not outcome.failed:
            messages.success(request, _("The milestone is reported."))
            return redirect("projects:work", milestone.project_id)
        return _work_page(request, milestone.project_id, report=(pk, form), status=outcome.status)
    return _work_page(request, milestone.project_id, report=(pk, form), status=form_status(form))


@login_required
@require_POST
def work_complete(request: SignedInRequest, pk: int) -> HttpResponse:
    """Say the work is done (the picked team's leaders, the publisher)."""
    access_project_work(request.user, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            project_complete(actor=request.user, project_id=pk, report=form.cleaned_data["report"])
        if not outcome.failed:
            messages.success(request, _("The project is reported completed; the publisher accepts it next."))
            return redirect("projects:work", pk)
        return _work_page(request, pk, complete=form, status=outcome.status)
    return _work_page(request, pk, complete=form, status=form_status(form))


def _teams_choices(request: SignedInRequest) -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in led_teams(request.user)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: SignedInRequest, pk: int) -> HttpResponse:
    """A team leader applies for a project for one of their teams."""
    project = access_project(request.user, pk)
    teams = _teams_choices(request)
    if not teams or project.state not in (Project.State.PUBLISHED, Project.State.CLAIMED):
        raise NotFound()
    status = 200
    if request.method != "POST":
        form = ApplyForm(teams=teams)
    else:
        form = ApplyForm(request.POST, teams=teams)
        status = form_status(form)
        if form.is_valid():
            with errors_on(form) as outcome:
                application_create(
                    actor=request.user,
                    project_id=pk,
                    team_id=form.cleaned_data["team_id"],
                    plan=form.cleaned_data["plan"],
                )
            if not outcome.failed:
                messages.success(request, _("The team has applied; the publisher picks the team."))
                return redirect("projects:teams")
            status = outcome.status
    return render(request, "projects/apply.html", {"project": project, "form": form}, status=status)


@login_required
@require_safe
def teams(request: SignedInRequest) -> HttpResponse:
    """A team leader's projects: their teams' applications and projects, and the open ones."""
    kind = request.GET.get("kind", "")
    if kind not in Team.Kind.values:
        kind = ""
    overview = teams_overview(actor=request.user, kind=kind)
    return render(
        request,
        "projects/teams.html",
        {"overview": overview, "kind": kind, "kinds": Team.Kind.choices},
    )


@require_safe
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A milestone photo, inline, of its checked type (anyone when the project is public)."""
    p = milestone_photo(actor=request.user, photo_id=pk)
    response = HttpResponse(bytes(p.data), content_type=p.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=p.file_name) or "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(p.size)
    response["Cache-Control"] = "private, max-age=600"
    return response


urls: list[URLPattern] = [
    path("projects/<int:pk>/work/", work, name="work"),
    path("projects/<int:pk>/work/start/", work_start, name="work_start"),
    path("projects/<int:pk>/work/activities/", work_link, name="work_link"),
    path("projects/<int:pk>/work/activities/<int:activity_id>/unlink/", work_unlink, name="work_unlink"),
    path("projects/<int:pk>/work/complete/", work_complete, name="work_complete"),
    path("projects/<int:pk>/apply/", apply, name="apply"),
    path("projects/applications/<int:pk>/pick/", work_pick, name="work_pick"),
    path("projects/applications/<int:pk>/decline/", work_decline, name="work_decline"),
    path("projects/applications/<int:pk>/withdraw/", application_withdraw_view, name="application_withdraw"),
    path("projects/milestones/<int:pk>/report/", work_report, name="work_report"),
    path("projects/teams/", teams, name="teams"),
    path("projects/photos/<int:pk>/", photo, name="photo"),
]
