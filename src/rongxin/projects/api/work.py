"""JSON endpoints of carrying out a project (the pages call the same services):

- ``POST /projects/{id}/applications``: a team you lead applies;
  ``POST /projects/applications/{id}/withdraw|pick|decline``;
- ``POST /projects/{id}/start``; ``POST /projects/{id}/activities`` and
  ``DELETE /projects/{id}/activities/{activity_id}``;
- ``POST /projects/milestones/{id}/report`` (multipart, ``photos`` files);
  ``POST /projects/{id}/complete``;
- ``POST /projects/{id}/spendings`` (multipart, ``voucher`` file);
  ``POST /projects/spendings/{id}/reverse``;
- ``POST /projects/{id}/accept``, ``POST /projects/{id}/settlements``, ``POST /projects/{id}/close``.

Who may is asked before the body is read (404 for a project missing or not the caller's to run,
whatever they send). Amounts are strings of yuan with at most two decimals. Every error is
problem+json.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Form, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.funds.services.books import read_voucher_upload
from rongxin.projects.api.work_schemas import (
    ProjectAcceptIn,
    ProjectActivityIn,
    WorkActivityOut,
    ProjectApplicationIn,
    WorkApplicationOut,
    ProjectCompleteIn,
    WorkMilestoneOut,
    ProjectMoneyStateOut,
    ProjectSettlementIn,
    WorkSettlementOut,
    WorkSpendingOut,
    ProjectSpendingReverseIn,
    activity_out,
    application_out,
    milestone_out,
    project_money_out,
    settlement_out,
    spending_out,
)
from rongxin.projects.models import Milestone, Project, ProjectActivity, Spending, TeamApplication
from rongxin.projects.permissions.common import access_project
from rongxin.projects.permissions.work import access_project_publisher, access_project_work
from rongxin.projects.services.spending import settlement_record, spending_record, spending_reverse
from rongxin.projects.services.teams import (
    activity_link,
    activity_unlink,
    application_create,
    application_decline,
    application_pick,
    application_withdraw,
    project_start,
)
from rongxin.projects.services.work import (
    milestone_report,
    project_accept,
    project_close,
    project_complete,
    read_photo_upload,
)

router = Router(tags=["projects"])


def project_reader(user: Any, project_id: int, **_: Any) -> None:
    access_project(user, project_id)


def project_worker(user: Any, project_id: int, **_: Any) -> None:
    access_project_work(user, project_id)


def project_publisher(user: Any, project_id: int, **_: Any) -> None:
    access_project_publisher(user, project_id)


def milestone_worker(user: Any, milestone_id: int, **_: Any) -> None:
    project_id = Milestone.objects.filter(pk=milestone_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise NotFound()
    access_project_work(user, project_id)


def spending_publisher(user: Any, spending_id: int, **_: Any) -> None:
    project_id = Spending.objects.filter(pk=spending_id).values_list("project_id", flat=True).first()
    if project_id is None:
        raise NotFound()
    access_project_publisher(user, project_id)


def _project(project_id: int) -> ProjectMoneyStateOut:
    return project_money_out(Project.objects.get(pk=project_id))


def _application(application_id: int) -> WorkApplicationOut:
    return application_out(TeamApplication.objects.select_related("team").get(pk=application_id))


@router.post(
    "/{int:project_id}/applications",
    response={201: WorkApplicationOut},
    operation_id="projects_application_create",
    auth=gated(project_reader),
)
def application_new(
    request: SignedInRequest, project_id: int, payload: ProjectApplicationIn
) -> Status[WorkApplicationOut]:
    """Apply for a public project that is choosing its team (published or claimed), for a team you
    lead, with the team's plan. One application per team; 409 ``team_picked`` once a team is
    picked, ``already_applied``, ``not_now``."""
    a = application_create(actor=request.user, project_id=project_id, team_id=payload.team_id, plan=payload.plan)
    return Status(201, _application(a.pk))


@router.post(
    "/applications/{int:application_id}/withdraw",
    response=WorkApplicationOut,
    operation_id="projects_application_withdraw",
)
def application_withdrawn(request: SignedInRequest, application_id: int) -> WorkApplicationOut:
    """Withdraw your team's waiting application (409 ``not_applied`` otherwise)."""
    a = application_withdraw(actor=request.user, application_id=application_id)
    return _application(a.pk)


@router.post(
    "/applications/{int:application_id}/pick", response=WorkApplicationOut, operation_id="projects_application_pick"
)
def application_picked(request: SignedInRequest, application_id: int) -> WorkApplicationOut:
    """Pick the team that carries out the project (the publisher): the other waiting applications
    are declined. 409 ``team_picked`` (该项目已选定实施团队) when a team is picked already."""
    a = application_pick(actor=request.user, application_id=application_id)
    return _application(a.pk)


@router.post(
    "/applications/{int:application_id}/decline",
    response=WorkApplicationOut,
    operation_id="projects_application_decline",
)
def application_declined(request: SignedInRequest, application_id: int) -> WorkApplicationOut:
    """Decline a waiting application (the publisher)."""
    a = application_decline(actor=request.user, application_id=application_id)
    return _application(a.pk)


@router.post(
    "/{int:project_id}/start",
    response=ProjectMoneyStateOut,
    operation_id="projects_start",
    auth=gated(project_publisher),
)
def start(request: SignedInRequest, project_id: int) -> ProjectMoneyStateOut:
    """Start a claimed project whose team is picked (the publisher). 409 ``not_claimed`` /
    ``no_team``."""
    project_start(actor=request.user, project_id=project_id)
    return _project(project_id)


@router.post(
    "/{int:project_id}/activities",
    response={201: WorkActivityOut},
    operation_id="projects_activity_link",
    auth=gated(project_worker),
)
def activity_new(request: SignedInRequest, project_id: int, payload: ProjectActivityIn) -> Status[WorkActivityOut]:
    """Link an activity of the picked team to the project in progress (a leader of the picked team
    or the publisher). An activity carries out one project; 409 ``already_linked``,
    ``activity_cancelled``, ``not_now``; 422 on ``activity_id`` for another team's activity."""
    link = activity_link(actor=request.user, project_id=project_id, activity_id=payload.activity_id)
    return Status(201, activity_out(ProjectActivity.objects.select_related("activity").get(pk=link.pk)))


@router.delete(
    "/{int:project_id}/activities/{int:activity_id}",
    response={204: None},
    operation_id="projects_activity_unlink",
    auth=gated(project_worker),
)
def activity_gone(request: SignedInRequest, project_id: int, activity_id: int) -> Status[None]:
    """Unlink an activity that has no verified hours yet (409 ``hours_verified``)."""
    activity_unlink(actor=request.user, project_id=project_id, activity_id=activity_id)
    return Status(204, None)


@router.post(
    "/milestones/{int:milestone_id}/report",
    response=WorkMilestoneOut,
    operation_id="projects_milestone_report",
    auth=gated(milestone_worker),
)
def milestone_reported(
    request: SignedInRequest,
    milestone_id: int,
    report: Form[str],
    photos: File[list[UploadedFile] | None] = None,
) -> WorkMilestoneOut:
    """Report a milestone of a project in progress with up to nine JPEG or PNG photos in all
    (judged by content, each within the size limit; the same photo twice is kept once). 422 on
    ``photos``: ``photo_type``, ``photo_too_large``, ``too_many_photos``."""
    files = [read_photo_upload(f) for f in photos or []]
    m = milestone_report(actor=request.user, milestone_id=milestone_id, report=report, photos=files)
    return milestone_out(m)


@router.post(
    "/{int:project_id}/complete",
    response=ProjectMoneyStateOut,
    operation_id="projects_complete",
    auth=gated(project_worker),
)
def complete(request: SignedInRequest, project_id: int, payload: ProjectCompleteIn) -> ProjectMoneyStateOut:
    """Say the work is done, with the completion report (a leader of the picked team or the
    publisher). 409 ``not_in_progress``."""
    project_complete(actor=request.user, project_id=project_id, report=payload.report)
    return _project(project_id)


@router.post(
    "/{int:project_id}/spendings",
    response={201: WorkSpendingOut},
    operation_id="projects_spending_record",
    auth=gated(project_publisher),
)
def spending_new(
    request: SignedInRequest,
    project_id: int,
    amount: Form[str],
    paid_on: Form[dt.date],
    purpose: Form[str],
    voucher: File[UploadedFile],
) -> Status[WorkSpendingOut]:
    """Record money spent on the project (in progress or completed) with its voucher (PDF, JPEG or
    PNG). 422 ``beyond_left`` for more than the project holds; the same spending sent again by
    you within two minutes returns the first (same ``id``)."""
    s = spending_record(
        actor=request.user,
        project_id=project_id,
        amount=amount,
        paid_on=paid_on,
        purpose=purpose,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
    )
    return Status(201, spending_out(Spending.objects.select_related("entry").get(pk=s.pk)))


@router.post(
    "/spendings/{int:spending_id}/reverse",
    response=WorkSpendingOut,
    operation_id="projects_spending_reverse",
    auth=gated(spending_publisher),
)
def spending_reversed(request: SignedInRequest, spending_id: int, payload: ProjectSpendingReverseIn) -> WorkSpendingOut:
    """Reverse a spending (the reversing journal entry); 409 ``already_reversed``."""
    spending_reverse(actor=request.user, spending_id=spending_id, reason=payload.reason)
    return spending_out(Spending.objects.select_related("entry").get(pk=spending_id))


@router.post(
    "/{int:project_id}/accept",
    response=ProjectMoneyStateOut,
    operation_id="projects_accept",
    auth=gated(project_publisher),
)
def accept(request: SignedInRequest, project_id: int, payload: ProjectAcceptIn) -> ProjectMoneyStateOut:
    """Accept the completed work with the acceptance note and the beneficiaries' feedback (the
    publisher). 409 ``not_completed``."""
    project_accept(actor=request.user, project_id=project_id, note=payload.note, feedback=payload.feedback)
    return _project(project_id)


@router.post(
    "/{int:project_id}/settlements",
    response={201: WorkSettlementOut},
    operation_id="projects_settlement_record",
    auth=gated(project_publisher),
)
def settlement_new(
    request: SignedInRequest, project_id: int, payload: ProjectSettlementIn
) -> Status[WorkSettlementOut]:
    """Return or move (part of) an accepted project's left-over: ``return`` to a pledge's sponsor
    (at most what it paid less what went back), ``project`` to another public project still being
    carried out, ``fund`` to a town's or village's credit fund. Backed by a generated settlement
    note. 422 ``beyond_left``, ``beyond_paid``, ``unknown_target``; 409 ``not_now``."""
    s = settlement_record(
        actor=request.user,
        project_id=project_id,
        kind=payload.kind,
        amount=payload.amount,
        note=payload.note,
        pledge_id=payload.pledge_id,
        to_project_id=payload.to_project_id,
        to_fund_id=payload.to_fund_id,
    )
    return Status(201, settlement_out(s))


@router.post(
    "/{int:project_id}/close",
    response=ProjectMoneyStateOut,
    operation_id="projects_close",
    auth=gated(project_publisher),
)
def close(request: SignedInRequest, project_id: int) -> ProjectMoneyStateOut:
    """Close an accepted project whose left-over is 0 (the publisher); open pledges have their
    unpaid rest withdrawn. 409 ``left_over`` / ``not_accepted``."""
    project_close(actor=request.user, project_id=project_id)
    return _project(project_id)
