"""JSON endpoints of the catalogue and the publisher (the pages call the same services and
selectors):

- ``GET /projects``: the public catalogue (``state``, ``town``, ``category``, ``q`` filters;
  ``sort`` newest | needed | raised; pages of 20), for anyone;
- ``GET /projects/{id}``: a project as its page shows it (a draft only for its publishers and
  auditors: 404 for anyone else), with the working side for publishers and auditors (audited);
- ``GET /projects/manage``: the projects you publish or oversee, drafts included, with counts per
  state;
- ``POST /projects``, ``PATCH /projects/{id}``, ``POST /projects/{id}/publish``,
  ``POST /projects/{id}/withdraw``, ``POST /projects/{id}/milestones``: the publisher's writes.

Who may is asked before the body or the query is read (404 for a project missing or not yours,
whatever you send). Amounts are strings of yuan with at most two decimals (full-width digits
accepted). Every error is problem+json.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from rongxin.accounts.api.auth import api_auth, gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.projects.api.publish_schemas import (
    ProjectCatalogueOut,
    ProjectCatalogueQuery,
    ProjectIn,
    ProjectManageOut,
    ProjectManageQuery,
    ProjectMilestoneIn,
    ProjectMilestoneOut,
    ProjectOut,
    ProjectPatchIn,
    ProjectWithdrawIn,
    catalogue_out,
    managed_out,
    milestone_out,
    project_out,
)
from rongxin.projects.permissions.common import access_project, publisher_seats
from rongxin.projects.selectors.catalogue import catalogue_page, managed_page, manages_projects
from rongxin.projects.selectors.project import project_view
from rongxin.projects.services.projects import (
    milestone_plan,
    project_create,
    project_publish,
    project_update,
    project_withdraw,
)

router = Router(tags=["projects"])


def _anyone(request: HttpRequest) -> Any:
    """The last resort of :data:`public_auth`: an anonymous caller may read public things."""
    return getattr(request, "user", None) or True


# Public reads: a signed-in caller (session or API key) is recognised, anyone else may read.
public_auth = [*api_auth, _anyone]
# Shown in the OpenAPI document: an empty requirement makes the authentication optional.
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}


def publisher(user: Any, **_: Any) -> None:
    if not publisher_seats(user):
        raise NotFound()


def staff_list(user: Any, **_: Any) -> None:
    if not manages_projects(user):
        raise NotFound()


def project_manager(user: Any, project_id: int, **_: Any) -> None:
    access_project(user, project_id, manage=True)


def _view(request: HttpRequest, project_id: int) -> ProjectOut:
    project = access_project(request.user, project_id)
    return project_out(project_view(actor=request.user, project=project))


@router.get(
    "", response=ProjectCatalogueOut, auth=public_auth, openapi_extra=PUBLIC_OPENAPI, operation_id="projects_catalogue"
)
def catalogue(request: HttpRequest, filters: Query[ProjectCatalogueQuery]) -> ProjectCatalogueOut:
    """The public catalogue: published, claimed, in progress, completed, accepted and closed
    projects, filtered and ordered, 20 a page. 422 for an unknown state, category or order."""
    return catalogue_out(
        catalogue_page(
            state=filters.state,
            town_code=filters.town,
            category=filters.category,
            q=filters.q,
            sort=filters.sort or "newest",
            page=filters.page,
        )
    )


@router.get("/manage", response=ProjectManageOut, auth=gated(staff_list), operation_id="projects_manage")
def manage(request: SignedInRequest, filters: Query[ProjectManageQuery]) -> ProjectManageOut:
    """The projects you publish or oversee (publishers, the county centre, auditors), newest
    first, drafts included, with the number in each state. 404 for anyone else."""
    return managed_out(managed_page(actor=request.user, state=filters.state, page=filters.page))


@router.get(
    "/{int:project_id}",
    response=ProjectOut,
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="projects_project",
)
def project(request: HttpRequest, project_id: int) -> ProjectOut:
    """A project: facts, money, sponsors (anonymous ones masked, the title sponsor first), team,
    activities with verified hours, milestones with photo ids, spendings, settlements and the
    acceptance. A draft is 404 except to its publishers and auditors, who also get the working
    side (pledges awaiting payment under real names, applications; the read is audited)."""
    return _view(request, project_id)


@router.post("", response={201: ProjectOut}, auth=gated(publisher), operation_id="projects_create")
def create(request: SignedInRequest, payload: ProjectIn) -> Status[ProjectOut]:
    """Create a draft project for one of your publisher seats (the project's region within the
    seat's). The same title sent again by you within two minutes returns the draft already made
    (same ``id``), nothing twice. 404 for a caller without a publisher seat."""
    created = project_create(actor=request.user, **payload.dict())
    return Status(201, _view(request, created.pk))


@router.patch("/{int:project_id}", response=ProjectOut, auth=gated(project_manager), operation_id="projects_update")
def update(request: SignedInRequest, project_id: int, payload: ProjectPatchIn) -> ProjectOut:
    """Change a draft (the fields you send). 409 ``not_now`` once published."""
    project_update(actor=request.user, project_id=project_id, **payload.dict(exclude_unset=True))
    return _view(request, project_id)


@router.post(
    "/{int:project_id}/publish", response=ProjectOut, auth=gated(project_manager), operation_id="projects_publish"
)
def publish(request: SignedInRequest, project_id: int) -> ProjectOut:
    """Publish a draft into the catalogue. 409 ``not_draft``, or ``ended`` when its end date has
    passed."""
    project_publish(actor=request.user, project_id=project_id)
    return _view(request, project_id)


@router.post(
    "/{int:project_id}/withdraw", response=ProjectOut, auth=gated(project_manager), operation_id="projects_withdraw"
)
def withdraw(request: SignedInRequest, project_id: int, payload: ProjectWithdrawIn) -> ProjectOut:
    """Withdraw (close) a project before money came in and before the work started; pledges
    awaiting payment are withdrawn with the same reason. 409 ``money_in`` / ``already_started``."""
    project_withdraw(actor=request.user, project_id=project_id, reason=payload.reason)
    return _view(request, project_id)


@router.post(
    "/{int:project_id}/milestones",
    response={201: ProjectMilestoneOut},
    auth=gated(project_manager),
    operation_id="projects_milestone_plan",
)
def plan(request: SignedInRequest, project_id: int, payload: ProjectMilestoneIn) -> Status[ProjectMilestoneOut]:
    """Plan a milestone due within the project's dates (numbered per project). 409 ``not_now``
    once the work is completed."""
    m = milestone_plan(actor=request.user, project_id=project_id, title=payload.title, due_on=payload.due_on)
    return Status(201, milestone_out(m))
