"""Who carries out a project: the picked team's leaders (with a team-leader grant over the team's
region and an accepted leader's membership) beside the publisher. Missing and forbidden look the
same (:class:`~rongxin.core.errors.NotFound`)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grant_covering
from rongxin.core.errors import NotFound
from rongxin.projects.models import Project
from rongxin.projects.permissions.common import (
    access_project,
    is_auditor,
    publisher_role,
    signed_in,
    team_leader_grants,
)
from rongxin.volunteering.models import Membership, Team
from rongxin.volunteering.permissions import leads, own_volunteer_or_none


def leads_team(actor: User | AnonymousUser | None, team: Team) -> bool:
    """Whether the actor is an accepted leader of ``team`` with a team-leader grant over its region."""
    if not signed_in(actor) or not team.active:
        return False
    if grant_covering(actor, [Role.TEAM_LEADER], team.region) is None:
        return False
    return leads(actor, team) is not None


def team_role(actor: User | AnonymousUser | None, project: Project) -> str:
    """``team_leader`` when the actor leads the project's picked team, else ""."""
    if project.team_id is None or project.team is None:
        return ""
    return str(Role.TEAM_LEADER) if leads_team(actor, project.team) else ""


def worker_role(actor: User | AnonymousUser | None, project: Project) -> str:
    """The role under which the actor carries out the project's work (the publisher first, then a
    leader of the picked team), or ""."""
    return publisher_role(actor, project) or team_role(actor, project)


def access_project_work(actor: User | AnonymousUser | None, project_id: int) -> tuple[Project, str]:
    """The project and the actor's role when they carry out its work (publisher or a leader of
    the picked team); NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    project = access_project(actor, project_id)
    role = worker_role(actor, project)
    if not role:
        raise NotFound()
    return project, role


def access_project_publisher(actor: User | AnonymousUser | None, project_id: int) -> tuple[Project, str]:
    """The project and the actor's publisher role (the county centre oversees every project);
    NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    project = access_project(actor, project_id, manage=True)
    return project, publisher_role(actor, project)


def reads_project_work(actor: User | AnonymousUser | None, project: Project) -> bool:
    """Whether the actor reads the work page: the publisher, auditors, the picked team's leaders."""
    return bool(worker_role(actor, project)) or is_auditor(actor)


def reads_project_money(actor: User | AnonymousUser | None, project: Project) -> bool:
    """Whether the actor reads the money page: the publisher (the centre) and auditors."""
    return bool(publisher_role(actor, project)) or is_auditor(actor)


def led_teams(actor: User | AnonymousUser | None) -> list[Team]:
    """The active teams the actor leads (with a team-leader grant over each team's region)."""
    if not signed_in(actor) or not team_leader_grants(actor):
        return []
    me = own_volunteer_or_none(actor)
    if me is None:
        return []
    teams = (
        Team.objects.filter(
            active=True,
            memberships__volunteer=me,
            memberships__role=Membership.Role.LEADER,
            memberships__status=Membership.Status.ACCEPTED,
        )
        .select_related("region")
        .order_by("name", "id")
        .distinct()
    )
    return [t for t in teams if grant_covering(actor, [Role.TEAM_LEADER], t.region) is not None]
