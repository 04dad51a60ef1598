"""Carrying out a project: volunteer teams apply, the publisher picks one (the others are
declined), the publisher starts the project, and the picked team's activities are linked to it.

Hours and credit of a linked activity are volunteering's, as for any activity: the project only
records which activities carry it out (:class:`~rongxin.projects.models.ProjectActivity`).

Each service asks the actor's right first (NotFound whatever the input when they have none), then
checks the input, then writes in one transaction under the project's row lock and leaves an audit
row. Two picks at once are serialised on the project's row; the partial unique constraint
``application_one_picked`` backs the rule that a project has one team.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.projects.domain import states
from rongxin.projects.models import Project, ProjectActivity, TeamApplication
from rongxin.projects.permissions.common import access_project, publisher_role
from rongxin.projects.permissions.work import access_project_publisher, access_project_work, leads_team
from rongxin.projects.services.common import project_locked, require_allowed, transition
from rongxin.volunteering.models import Activity, ServiceRecord, Team

TEAM_ROLE = "team_leader"

ALREADY_PICKED = _("A team has already been picked for the project.")


def _audit(actor: User, action: str, role: str, object_type: str, object_id: int, **details: object) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        role=role,
        object_type=object_type,
        object_id=object_id,
        details=dict(details),
    )


def _led_team(actor: User, team_id: object) -> Team:
    """The team if the actor leads it (an accepted leader with a team-leader grant); NotFound."""
    try:
        pk = int(str(team_id))
    except ValueError:
        raise NotFound() from None
    team = Team.objects.select_related("region").filter(pk=pk, active=True).first()
    if team is None or not leads_team(actor, team):
        raise NotFound()
    return team


def _application(application_id: int) -> TeamApplication:
    app = TeamApplication.objects.select_related("project", "team", "team__region").filter(pk=application_id).first()
    if app is None:
        raise NotFound()
    return app


# --- Applications ------------------------------------------------------------------------------------
def application_create(*, actor: User, project_id: int, team_id: int, plan: str) -> TeamApplication:
    """A team's application to carry out a public project that is choosing its team (published or
    claimed). The actor leads the team. One application per team and project.

    Writes a :class:`TeamApplication` (applied). Raises NotFound (not a leader of the team, the
    project not visible), Conflict (``not_now``: the team is no longer being chosen;
    ``already_applied``), InvalidInput (``plan``). Audit: ``team_application.create``."""
    project = access_project(actor, project_id)
    team = _led_team(actor, team_id)
    text = clean_text(plan, field="plan", required=True, max_length=2000)
    with transaction.atomic():
        project = project_locked(project.pk)
        if project.state not in states.PUBLIC:
            raise NotFound()
        require_allowed(project, "team")
        if project.team_id is not None:
            raise Conflict(ALREADY_PICKED, code="team_picked")
        if TeamApplication.objects.filter(project=project, team=team).exists():
            raise Conflict(_("The team has already applied for this project."), code="already_applied")
        try:
            with transaction.atomic():
                app = TeamApplication.objects.create(
                    project=project, team=team, plan=text, applied_at=clock.now(), applied_by=actor
                )
        except IntegrityError:
            raise Conflict(_("The team has already applied for this project."), code="already_applied") from None
        _audit(
            actor, "team_application.create", TEAM_ROLE, "team_application", app.pk, project=project.pk, team=team.pk
        )
    return app


def application_withdraw(*, actor: User, application_id: int) -> TeamApplication:
    """The team's leader withdraws its application while it is still waiting (applied).

    Raises NotFound (not a leader of the team), Conflict (``not_applied``). Audit:
    ``team_application.withdraw``."""
    app = _application(application_id)
    if not leads_team(actor, app.team):
        raise NotFound()
    with transaction.atomic():
        project_locked(app.project_id)
        app = TeamApplication.objects.select_for_update().get(pk=app.pk)
        if app.state != TeamApplication.State.APPLIED:
            raise Conflict(_("Only a waiting application can be withdrawn."), code="not_applied")
        app.state = TeamApplication.State.WITHDRAWN
        app.decided_at = clock.now()
        app.decided_by = actor
        app.save(update_fields=["state", "decided_at", "decided_by"])
        _audit(actor, "team_application.withdraw", TEAM_ROLE, "team_application", app.pk, project=app.project_id)
    return app


def application_pick(*, actor: User, application_id: int) -> TeamApplication:
    """The publisher picks the team that carries out the project: the application becomes
    picked, ``Project.team`` is set and every other waiting application is declined.

    Raises NotFound (not the publisher), Conflict (「该项目已选定实施团队」 ``team_picked`` when a
    team is picked already, also when two picks race; ``not_now``; ``not_applied``). Audit:
    ``team_application.pick``."""
    app = _application(application_id)
    role = publisher_role(actor, app.project)
    if not role:
        raise NotFound()
    with transaction.atomic():
        project = project_locked(app.project_id)
        if project.team_id is not None:
            raise Conflict(ALREADY_PICKED, code="team_picked")
        require_allowed(project, "team")
        app = TeamApplication.objects.select_for_update().get(pk=app.pk)
        if app.state != TeamApplication.State.APPLIED:
            raise Conflict(_("Only a waiting application can be picked or declined."), code="not_applied")
        now = clock.now()
        try:
            with transaction.atomic():
                TeamApplication.objects.filter(pk=app.pk).update(
                    state=TeamApplication.State.PICKED, decided_at=now, decided_by=actor
                )
        except IntegrityError:
            raise Conflict(ALREADY_PICKED, code="team_picked") from None
        declined = list(
            TeamApplication.objects.filter(project=project, state=TeamApplication.State.APPLIED)
            .exclude(pk=app.pk)
            .values_list("pk", flat=True)
        )
        TeamApplication.objects.filter(pk__in=declined).update(
            state=TeamApplication.State.DECLINED, decided_at=now, decided_by=actor
        )
        Project.objects.filter(pk=project.pk).update(team=app.team_id)
        _audit(
            actor,
            "team_application.pick",
            role,
            "team_application",
            app.pk,
            project=project.pk,
            team=app.team_id,
            declined=declined,
        )
    app.refresh_from_db()
    return app


def application_decline(*, actor: User, application_id: int) -> TeamApplication:
    """The publisher declines a waiting application.

    Raises NotFound (not the publisher), Conflict (``not_applied``). Audit:
    ``team_application.decline``."""
    app = _application(application_id)
    role = publisher_role(actor, app.project)
    if not role:
        raise NotFound()
    with transaction.atomic():
        project_locked(app.project_id)
        app = TeamApplication.objects.select_for_update().get(pk=app.pk)
        if app.state != TeamApplication.State.APPLIED:
            raise Conflict(_("Only a waiting application can be picked or declined."), code="not_applied")
        app.state = TeamApplication.State.DECLINED
        app.decided_at = clock.now()
        app.decided_by = actor
        app.save(update_fields=["state", "decided_at", "decided_by"])
        _audit(actor, "team_application.decline", role, "team_application", app.pk, project=app.project_id)
    return app


# --- Start -------------------------------------------------------------------------------------------
def project_start(*, actor: User, project_id: int) -> Project:
    """The publisher starts a claimed project whose team is picked (→ in progress).

    Raises NotFound (not the publisher), Conflict (the state machine's ``not_claimed``,
    ``no_team``). Audit: ``project.start``."""
    _project, role = access_project_publisher(actor, project_id)
    with transaction.atomic():
        project = project_locked(project_id)
        project.state = transition(project, "start")
        project.started_at = clock.now()
        project.save(update_fields=["state", "started_at"])
        _audit(actor, "project.start", role, "project", project.pk, team=project.team_id)
    return project


# --- Activities --------------------------------------------------------------------------------------
def _activity_id(raw: object) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise field_error("activity_id", _("Choose an activity of the picked team."), code="unknown_activity") from None
    return value


def activity_link(*, actor: User, project_id: int, activity_id: int) -> ProjectActivity:
    """Link an activity of the picked team to the project in progress (each activity carries out
    one project at most; a cancelled one none). A leader of the picked team or the publisher.

    Raises NotFound, Conflict (``not_now``, ``activity_cancelled``, ``already_linked``),
    InvalidInput (``activity_id``: not an activity of the picked team). Audit:
    ``project_activity.link``."""
    project, role = access_project_work(actor, project_id)
    pk = _activity_id(activity_id)
    with transaction.atomic():
        project = project_locked(project.pk)
        require_allowed(project, "work")
        team_id = project.team_id
        activity = Activity.objects.filter(pk=pk, team_id=team_id).first() if team_id is not None else None
        if activity is None:
            raise field_error("activity_id", _("Choose an activity of the picked team."), code="unknown_activity")
        if activity.status == Activity.Status.CANCELLED:
            raise Conflict(_("A cancelled activity cannot carry out a project."), code="activity_cancelled")
        if ProjectActivity.objects.filter(activity=activity).exists():
            raise Conflict(_("The activity is already linked to a project."), code="already_linked")
        try:
            with transaction.atomic():
                link = ProjectActivity.objects.create(
                    project=project, activity=activity, linked_at=clock.now(), linked_by=actor
                )
        except IntegrityError:
            raise Conflict(_("The activity is already linked to a project."), code="already_linked") from None
        _audit(actor, "project_activity.link", role, "project_activity", link.pk, project=project.pk, activity=pk)
    return link


def activity_unlink(*, actor: User, project_id: int, activity_id: int) -> None:
    """Unlink an activity from the project in progress while it has no verified hours. A leader of
    the picked team or the publisher.

    Raises NotFound (also: the activity is not linked to the project), Conflict (``not_now``,
    ``hours_verified``). Audit: ``project_activity.unlink``."""
    project, role = access_project_work(actor, project_id)
    pk = _activity_id(activity_id)
    with transaction.atomic():
        project = project_locked(project.pk)
        link = ProjectActivity.objects.filter(project=project, activity_id=pk).first()
        if link is None:
            raise NotFound()
        require_allowed(project, "work")
        if ServiceRecord.objects.filter(activity_id=pk).exists():
            raise Conflict(_("The activity's hours are verified; it stays with the project."), code="hours_verified")
        link_id = link.pk
        link.delete()
        _audit(actor, "project_activity.unlink", role, "project_activity", link_id, project=project.pk, activity=pk)
