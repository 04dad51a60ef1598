"""Reads of carrying out a project: the work page (applications, linked activities with their
verified hours, milestones with photos), the money page (spendings with vouchers, settlements,
what may be returned to each pledge, where a left-over may go), a team leader's overview, and a
milestone photo for the public page.

Each asks the reader's right first (NotFound otherwise, the same for missing and forbidden).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, Sum

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Fund, JournalEntry, Voucher
from rongxin.funds.permissions.common import reads_fund
from rongxin.projects.domain import states
from rongxin.projects.models import (
    Milestone,
    MilestonePhoto,
    Pledge,
    Project,
    ProjectActivity,
    Settlement,
    Spending,
    TeamApplication,
)
from rongxin.projects.permissions.common import access_project, is_auditor, publisher_role
from rongxin.projects.permissions.work import led_teams, reads_project_money, reads_project_work, team_role
from rongxin.volunteering.models import Activity, ServiceRecord, Team

RECEIVING_STATES = (states.PUBLISHED, states.CLAIMED, states.IN_PROGRESS, states.COMPLETED)


@dataclass(frozen=True)
class LinkedActivity:
    link: ProjectActivity
    activity: Activity
    verified_minutes: int
    volunteers: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.verified_minutes) / 60).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProjectWork:
    project: Project
    publishes: bool
    leads: bool
    audits: bool
    applications: list[TeamApplication]
    activities: list[LinkedActivity]
    milestones: list[Milestone]
    photos: dict[int, list[MilestonePhoto]]
    linkable: list[Activity] = field(default_factory=list)

    @property
    def works(self) -> bool:
        return self.publishes or self.leads

    @property
    def total_minutes(self) -> int:
        return sum(a.verified_minutes for a in self.activities)


def _linked(project: Project) -> list[LinkedActivity]:
    links = list(ProjectActivity.objects.filter(project=project).select_related("activity").order_by("id"))
    ids = [link.activity_id for link in links]
    sums = {
        row["activity_id"]: (row["m"] or 0, row["n"])
        for row in ServiceRecord.objects.filter(activity_id__in=ids, current=True)
        .values("activity_id")
        .annotate(m=Sum("minutes"), n=Count("volunteer_id", distinct=True))
    }
    return [
        LinkedActivity(
            link, link.activity, sums.get(link.activity_id, (0, 0))[0], sums.get(link.activity_id, (0, 0))[1]
        )
        for link in links
    ]


def project_work(*, actor: User | AnonymousUser, project_id: int) -> ProjectWork:
    """The work page of a project: the publisher, the picked team's leaders and auditors read it.
    Raises NotFound."""
    project = access_project(actor, project_id)
    if not reads_project_work(actor, project):
        raise NotFound()
    publishes = bool(publisher_role(actor, project))
    leads = bool(team_role(actor, project))
    milestones = list(Milestone.objects.filter(project=project).order_by("number"))
    photos: dict[int, list[MilestonePhoto]] = {m.pk: [] for m in milestones}
    for photo in MilestonePhoto.objects.filter(milestone__project=project).defer("data").order_by("milestone_id", "id"):
        photos[photo.milestone_id].append(photo)
    linkable: list[Activity] = []
    if project.team_id is not None and project.state in states.WORKING and (publishes or leads):
        linkable = list(
            Activity.objects.filter(team_id=project.team_id)
            .exclude(status=Activity.Status.CANCELLED)
            .exclude(pk__in=ProjectActivity.objects.values("activity_id"))
            .order_by("-starts_at")[:100]
        )
    return ProjectWork(
        project=project,
        publishes=publishes,
        leads=leads,
        audits=is_auditor(actor),
        applications=list(
            TeamApplication.objects.filter(project=project).select_related("team", "team__region").order_by("id")
        ),
        activities=_linked(project),
        milestones=milestones,
        photos=photos,
        linkable=linkable,
    )


@dataclass(frozen=True)
class PledgeRoom:
    pledge: Pledge
    returned: Decimal

    @property
    def room(self) -> Decimal:
        return self.pledge.paid - self.returned


@dataclass(frozen=True)
class ProjectMoney:
    project: Project
    publishes: bool
    fund: Fund | None
    reads_vouchers: bool
    spendings: list[Spending]
    settlements: list[Settlement]
    pledges: list[PledgeRoom]
    receiving_projects: list[Project]
    receiving_funds: list[Fund]


def project_money(*, actor: User | AnonymousUser, project_id: int) -> ProjectMoney:
    """The money page of a project: the publisher (the county centre) and auditors read it; an
    auditor's read is audited (``project.read``). Raises NotFound."""
    project = access_project(actor, project_id)
    if not reads_project_money(actor, project):
        raise NotFound()
    publishes = bool(publisher_role(actor, project))
    if not publishes:
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.READ,
            action="project.read",
            role="auditor",
            object_type="project",
            object_id=project.pk,
            purpose="money",
        )
    fund = Fund.objects.filter(kind=Fund.Kind.PROJECTS).first()
    pledges = list(Pledge.objects.filter(project=project, paid__gt=0).order_by("id"))
    returned = {
        row["pledge_id"]: row["s"]
        for row in Settlement.objects.filter(project=project, kind=Settlement.Kind.RETURN)
        .values("pledge_id")
        .annotate(s=Sum("amount"))
    }
    settling = publishes and project.state in states.SETTLING
    return ProjectMoney(
        project=project,
        publishes=publishes,
        fund=fund,
        reads_vouchers=fund is not None and reads_fund(actor, fund),
        spendings=list(
            Spending.objects.filter(project=project)
            .select_related("entry", "entry__voucher", "reversal")
            .defer("entry__voucher__data")
            .order_by("-paid_on", "-id")
        ),
        settlements=list(
            Settlement.objects.filter(project=project)
            .select_related("pledge", "to_project", "to_fund", "entry")
            .order_by("id")
        ),
        pledges=[PledgeRoom(p, returned.get(p.pk) or Decimal("0.00")) for p in pledges],
        receiving_projects=list(
            Project.objects.filter(state__in=RECEIVING_STATES).exclude(pk=project.pk).order_by("-id")[:200]
        )
        if settling
        else [],
        receiving_funds=list(
            Fund.objects.filter(kind__in=[Fund.Kind.TOWN_CREDIT, Fund.Kind.VILLAGE_CREDIT]).select_related("region")
        )
        if settling
        else [],
    )


@dataclass(frozen=True)
class TeamsOverview:
    teams: list[Team]
    applications: list[TeamApplication]
    projects: list[Project]
    open_projects: list[Project]


def teams_overview(*, actor: User | AnonymousUser, kind: str = "") -> TeamsOverview:
    """A team leader's view: the teams they lead, those teams' applications and projects, and the
    public projects still choosing a team (of ``kind`` if given, else the kinds of their teams).
    NotFound for anyone who leads no team."""
    teams = led_teams(actor)
    if not teams:
        raise NotFound()
    ids = [t.pk for t in teams]
    kinds = [kind] if kind else sorted({t.kind for t in teams})
    applied = TeamApplication.objects.filter(team_id__in=ids).values("project_id")
    return TeamsOverview(
        teams=teams,
        applications=list(
            TeamApplication.objects.filter(team_id__in=ids).select_related("project", "team").order_by("-id")[:200]
        ),
        projects=list(Project.objects.filter(team_id__in=ids).select_related("region").order_by("-id")[:200]),
        open_projects=list(
            Project.objects.filter(
                Q(state__in=list(states.TEAM_CHOOSING)) & Q(team__isnull=True) & Q(team_kind__in=kinds)
            )
            .exclude(pk__in=applied)
            .select_related("region")
            .order_by("-published_at", "-id")[:100]
        ),
    )


def project_voucher(*, actor: User | AnonymousUser, project_id: int, voucher_id: int) -> Voucher:
    """A voucher of one of the project's spendings or settlements, for those who read the
    project's money (the publisher, the county centre, auditors); the read is audited
    (``project.read``). Raises NotFound."""
    project = access_project(actor, project_id)
    if not reads_project_money(actor, project):
        raise NotFound()
    used = Q(project_spending__project=project) | Q(project_settlement__project=project)
    if not JournalEntry.objects.filter(used, voucher_id=voucher_id).exists():
        raise NotFound()
    voucher = Voucher.objects.get(pk=voucher_id)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action="project.read",
        role=publisher_role(actor, project) or "auditor",
        object_type="project",
        object_id=project.pk,
        purpose="voucher",
        details={"voucher": voucher.pk},
    )
    return voucher


def milestone_photo(*, actor: User | AnonymousUser, photo_id: int) -> MilestonePhoto:
    """A milestone photo: anyone when its project is public, else those who read the work.
    Raises NotFound."""
    photo = MilestonePhoto.objects.select_related("milestone").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    access_project(actor, photo.milestone.project_id)
    return photo
