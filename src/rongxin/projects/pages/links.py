"""The links between the marketplace's pages, shown to whoever may follow them: on a project's
page (pledge, apply, work, money, the keeper's desk) and at the top of the catalogue (the pages of
one's own role). Each link is the permission check of the page it leads to, asked here so a page
never offers a button that answers "not found"."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.projects.domain import states
from rongxin.projects.models import Project
from rongxin.projects.permissions.common import (
    is_auditor,
    is_centre,
    keeps_project_fund,
    publisher_seats,
    signed_in,
    sponsor_subjects,
    team_leader_grants,
)
from rongxin.projects.permissions.work import led_teams, reads_project_money, reads_project_work


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url: str
    primary: bool = False


def project_links(actor: User | AnonymousUser, project: Project) -> list[Link]:
    """What the actor may do next with ``project``, as links to the pages that do it."""
    links: list[Link] = []
    if states.allows("pledge", project.state) and (sponsor_subjects(actor) or is_centre(actor)):
        links.append(Link(_("Claim and pledge"), reverse("projects:pledge", args=[project.pk]), primary=True))
    if project.state in states.TEAM_CHOOSING and project.team_id is None and led_teams(actor):
        links.append(Link(_("Apply to carry it out"), reverse("projects:apply", args=[project.pk])))
    if reads_project_work(actor, project):
        links.append(Link(_("Work: team, activities, milestones"), reverse("projects:work", args=[project.pk])))
    if reads_project_money(actor, project):
        links.append(Link(_("Money: spending, acceptance, left-over"), reverse("projects:money", args=[project.pk])))
    if keeps_project_fund(actor) and states.allows("pay", project.state):
        links.append(Link(_("Record a payment received"), reverse("projects:payments") + f"?number={project.number}"))
    return links


def market_links(actor: User | AnonymousUser) -> list[Link]:
    """The marketplace's pages of the actor's own part (the public ones are for everyone)."""
    links: list[Link] = []
    if signed_in(actor):
        if publisher_seats(actor) or is_auditor(actor):
            links.append(Link(_("Projects I publish"), reverse("projects:manage")))
        if sponsor_subjects(actor):
            links.append(Link(_("My pledges"), reverse("projects:pledges_mine")))
        if keeps_project_fund(actor):
            links.append(Link(_("Payments desk"), reverse("projects:payments")))
        if team_leader_grants(actor):
            links.append(Link(_("My teams' projects"), reverse("projects:teams")))
        if sponsor_subjects(actor) or _posts_wishes(actor):
            links.append(Link(_("My small wishes"), reverse("projects:wishes_mine")))
    links.append(Link(_("Small wishes"), reverse("projects:wishes")))
    links.append(Link(_("Charity ceremonies"), reverse("projects:ceremonies")))
    links.append(Link(_("Figures"), reverse("projects:figures")))
    links.append(Link(_("Sponsors' roll"), reverse("projects:sponsors")))
    return links


def _posts_wishes(actor: User | AnonymousUser) -> bool:
    """A village officer posts and confirms wishes for the village's residents."""
    return bool(grants_with_roles(actor, [Role.VILLAGE_OFFICER]))
