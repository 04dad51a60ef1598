"""The marketplace's public pages and the publisher's:

- ``projects/``: the public catalogue (filters by state, town, category and a text search; three
  orders; pages of 20), one card per project with a bar of what is raised of the budget;
- ``projects/<pk>/``: a project's page for anyone who may see it (a draft only for its
  publishers and auditors): facts, money, sponsors, team and activities, milestones with photos,
  spendings, settlements, acceptance; the publisher's actions (``projects/_project_actions.html``);
- ``projects/manage/``: the projects the viewer publishes or oversees, by state;
- ``projects/new/`` and ``projects/<pk>/edit/``: a draft's form;
- ``projects/<pk>/publish/``, ``…/withdraw/``, ``…/milestones/``: the publisher's actions (POST).

Views ask the right first (a project missing or not the viewer's is the one "not found" page),
check the form's shape, call one service and redirect; a service error goes back on the form,
which is shown again on its page with what was typed and the error's status.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.projects.domain import states
from rongxin.projects.models import Project
from rongxin.projects.pages.forms_publish import (
    CatalogueFilterForm,
    ManageFilterForm,
    MilestoneForm,
    ProjectForm,
    WithdrawForm,
)
from rongxin.projects.pages.links import market_links, project_links
from rongxin.projects.permissions.common import access_project, publisher_seats
from rongxin.projects.selectors.catalogue import PUBLIC_STATES, catalogue_page, catalogue_towns, managed_page
from rongxin.projects.selectors.project import ProjectView, project_view
from rongxin.projects.services.projects import (
    milestone_plan,
    project_create,
    project_publish,
    project_update,
    project_withdraw,
    regions_within,
    scope_of,
    seat_key,
    seat_label,
    seat_regions,
)
from rongxin.regions.models import Region

MAX_PAGE = 10_000


def page_number(request: HttpRequest) -> int:
    """The ``page`` query parameter (1 … MAX_PAGE; anything else is page 1)."""
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else 1


def pager(request: HttpRequest, *, page: int, pages: int) -> dict[str, Any]:
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "number": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "query": query.urlencode(),
    }


# --- The public catalogue and a project's page -------------------------------------------------------
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    """The public projects with filters, newest first unless asked otherwise."""
    towns = catalogue_towns()
    form = CatalogueFilterForm(
        request.GET or None,
        towns=[(t.code, t.name) for t in towns],
        states=[(s, Project.State(s).label) for s in PUBLIC_STATES],
    )
    filters: dict[str, Any] = {}
    status = 200
    if form.is_bound:
        if form.is_valid():
            d = form.cleaned_data
            filters = {
                "state": d["state"],
                "town_code": d["town"],
                "category": d["category"],
                "q": d["q"],
                "sort": d["sort"] or "newest",
            }
        else:
            status = 400
    result = None
    if status == 200:
        with errors_on(form) as outcome:
            result = catalogue_page(**filters, page=page_number(request))
        if outcome.failed:
            status = outcome.status
    return render(
        request,
        "projects/catalogue.html",
        {
            "form": form,
            "result": result,
            "market_links": market_links(request.user),
            "pager": pager(request, page=result.page, pages=result.pages) if result is not None else None,
        },
        status=status,
    )


def _actions(view: ProjectView) -> dict[str, bool]:
    """Which of the publisher's actions the page offers (the services decide again)."""
    p = view.project
    manages = view.working is not None and view.working.manages
    return {
        "edit": manages and p.state in states.EDITABLE,
        "publish": manages and p.state == states.DRAFT,
        "withdraw": manages and p.state in (states.DRAFT, states.PUBLISHED, states.CLAIMED) and p.raised == 0,
        "plan": manages and p.state in states.MILESTONE_PLANNING,
    }


def _project_page(
    request: HttpRequest,
    pk: int,
    *,
    withdraw_form: WithdrawForm | None = None,
    milestone_form: MilestoneForm | None = None,
    status: int = 200,
) -> HttpResponse:
    project = access_project(request.user, pk)
    view = project_view(actor=request.user, project=project)
    return render(
        request,
        "projects/project.html",
        {
            "view": view,
            "project": project,
            "money": view.money,
            "actions": _actions(view),
            "links": project_links(request.user, project),
            "withdraw_form": withdraw_form or WithdrawForm(),
            "milestone_form": milestone_form or MilestoneForm(),
        },
        status=status,
    )


@require_safe
def project(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's page (public once published; a draft for its publishers and auditors)."""
    return _project_page(request, pk)


# --- The publisher's pages ----------------------------------------------------------------------
@login_required
@require_safe
def manage(request: SignedInRequest) -> HttpResponse:
    """The projects the viewer publishes or oversees, by state."""
    form = ManageFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_bound and form.is_valid() else ""
    result = managed_page(actor=request.user, state=state, page=page_number(request))
    return render(
        request,
        "projects/manage.html",
        {
            "form": form,
            "result": result,
            "counts": [(s, Project.State(s).label, result.counts[s]) for s in states.STATES],
            "all_count": sum(result.counts.values()),
            "state": state,
            "can_create": bool(publisher_seats(request.user)),
            "pager": pager(request, page=result.page, pages=result.pages),
        },
    )


def region_choices(regions: list[Region]) -> list[tuple[str, str]]:
    """A region's choice reads 「崖头街道 · 东山社区」 for a village."""
    names = {r.pk: r.name for r in regions}
    return [
        (
            r.code,
            f"{names[r.parent_id]} · {r.name}" if r.level == Region.Level.VILLAGE and r.parent_id in names else r.name,
        )
        for r in regions
    ]


def _form_choices(request: SignedInRequest) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    seats = publisher_seats(request.user)
    if not seats:
        raise NotFound()
    return [(seat_key(s), seat_label(s)) for s in seats], region_choices(seat_regions(seats))


@login_required
@require_http_methods(["GET", "POST"])
def new(request: SignedInRequest) -> HttpResponse:
    """A new draft project (whoever has a publisher seat)."""
    seats, regions = _form_choices(request)
    form = ProjectForm(request.POST or None, seats=seats, regions=regions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_on(form) as outcome:
                created = project_create(actor=request.user, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("Draft project %(n)s is saved.") % {"n": created.number})
                return redirect("projects:project", created.pk)
            status = outcome.status
        else:
            status = form_status(form)
    return render(request, "projects/project_form.html", {"form": form, "project": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: SignedInRequest, pk: int) -> HttpResponse:
    """Change a draft project (its publisher)."""
    found = access_project(request.user, pk, manage=True)
    regions = region_choices(regions_within([scope_of(found.publisher, found.publisher_region)]))
    initial = {
        "title": found.title,
        "need": found.need,
        "beneficiaries": found.beneficiaries,
        "beneficiary_count": str(found.beneficiary_count),
        "region_code": found.region.code,
        "category": found.category,
        "budget": str(found.budget),
        "starts_on": found.starts_on,
        "ends_on": found.ends_on,
        "team_kind": found.team_kind,
    }
    form = ProjectForm(request.POST or None, seats=None, regions=regions, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_on(form) as outcome:
                project_update(actor=request.user, project_id=found.pk, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("The draft is saved."))
                return redirect("projects:project", found.pk)
            status = outcome.status
        else:
            status = form_status(form)
    elif found.state != Project.State.DRAFT:
        messages.error(request, _("Only a draft project can be edited."))
        return redirect("projects:project", found.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": found}, status=status)


@login_required
@require_POST
def publish(request: SignedInRequest, pk: int) -> HttpResponse:
    """Publish a draft (its publisher)."""
    access_project(request.user, pk, manage=True)
    with flash_errors(request) as outcome:
        done = project_publish(actor=request.user, project_id=pk)
    if not outcome.failed:
        messages.success(request, _("Project %(n)s is published in the catalogue.") % {"n": done.number})
    return redirect("projects:project", pk)


@login_required
@require_POST
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    """Withdraw a project before money came in (its publisher), with the reason."""
    access_project(request.user, pk, manage=True)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            project_withdraw(actor=request.user, project_id=pk, reason=form.cleaned_data["reason"])
        if not outcome.failed:
            messages.success(request, _("The project is withdrawn."))
            return redirect("projects:project", pk)
        return _project_page(request, pk, withdraw_form=form, status=outcome.status)
    return _project_page(request, pk, withdraw_form=form, status=form_status(form))


@login_required
@require_POST
def milestones(request: SignedInRequest, pk: int) -> HttpResponse:
    """Plan a milestone (the publisher)."""
    access_project(request.user, pk, manage=True)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            m = milestone_plan(actor=request.user, project_id=pk, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Milestone %(n)s is planned.") % {"n": m.number})
            response = redirect("projects:project", pk)
            response["Location"] += "#milestones"
            return response
        return _project_page(request, pk, milestone_form=form, status=outcome.status)
    return _project_page(request, pk, milestone_form=form, status=form_status(form))


urls: list[URLPattern] = [
    path("projects/", catalogue, name="catalogue"),
    path("projects/manage/", manage, name="manage"),
    path("projects/new/", new, name="new"),
    path("projects/<int:pk>/", project, name="project"),
    path("projects/<int:pk>/edit/", edit, name="edit"),
    path("projects/<int:pk>/publish/", publish, name="publish"),
    path("projects/<int:pk>/withdraw/", withdraw, name="withdraw"),
    path("projects/<int:pk>/milestones/", milestones, name="milestones"),
]
