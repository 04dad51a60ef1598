"""Everything a project's page shows, in a fixed number of queries.

The public side (anyone who may see the project): its facts, the money (budget, pledged, raised,
spent, left, what is still to be pledged), the sponsors (pledges not withdrawn; an anonymous one
as 「爱心人士（匿名）」; the title sponsor first; what each has paid), the team, the linked activities
with their verified service hours, the milestones with their reports and photos, the spendings
(reversed ones marked), the left-over settlements, the acceptance and the beneficiaries'
feedback.

The working side, for the project's publishers and auditors: the pledges awaiting payment under
the sponsors' real names and the teams' applications. Reading it writes the audit row
``project.read`` (it names people who asked to stay anonymous).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.donation_points import ANONYMOUS
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
from rongxin.projects.permissions.common import is_auditor, publisher_role
from rongxin.volunteering.models import Activity, ServiceRecord

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Money:
    budget: Decimal
    pledged: Decimal
    raised: Decimal
    spent: Decimal
    settled: Decimal  # the left-over returned or moved

    @property
    def left(self) -> Decimal:
        return self.raised - self.spent - self.settled

    @property
    def needed(self) -> Decimal:
        """What is still to be pledged."""
        return max(self.budget - self.pledged, ZERO)

    @property
    def unpaid(self) -> Decimal:
        """Pledged but not paid in yet (never below zero: a project may receive a left-over)."""
        return max(self.pledged - self.raised, ZERO)

    @property
    def raised_percent(self) -> int:
        return min(100, int(self.raised * 100 / self.budget)) if self.budget > 0 else 0


@dataclass(frozen=True)
class SponsorRow:
    id: int
    name: str  # as the public sees it (「爱心人士（匿名）」 for an anonymous sponsor)
    anonymous: bool
    title: bool  # the title sponsor (冠名)
    amount: Decimal
    paid: Decimal
    state: str
    state_label: str
    pledged_at: dt.datetime


@dataclass(frozen=True)
class ActivityRow:
    id: int
    title: str
    team_name: str
    starts_at: dt.datetime
    status: str
    status_label: str
    minutes: int  # verified service minutes (current service records)
    volunteers: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class PhotoRow:
    id: int
    file_name: str


@dataclass(frozen=True)
class MilestoneRow:
    id: int
    number: int
    title: str
    due_on: dt.date
    state: str
    state_label: str
    report: str
    reported_at: dt.datetime | None
    photos: list[PhotoRow]


@dataclass(frozen=True)
class SpendingRow:
    id: int
    amount: Decimal
    paid_on: dt.date
    purpose: str
    reversed: bool


@dataclass(frozen=True)
class SettlementRow:
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    to: str  # the sponsor (masked when anonymous), the project or the fund
    note: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class OpenPledgeRow:
    id: int
    sponsor_id: int
    sponsor_name: str  # the real name, for the working side only
    anonymous: bool
    title: bool
    amount: Decimal
    paid: Decimal
    pledged_at: dt.datetime


@dataclass(frozen=True)
class ApplicationRow:
    id: int
    team_name: str
    state: str
    state_label: str
    applied_at: dt.datetime


@dataclass(frozen=True)
class WorkingSide:
    role: str  # the publisher's role, "" for an auditor
    manages: bool  # runs the project as its publisher (edit, publish, withdraw, plan)
    open_pledges: list[OpenPledgeRow]
    applications: list[ApplicationRow]


@dataclass(frozen=True)
class ProjectView:
    project: Project
    money: Money
    sponsors: list[SponsorRow]
    activities: list[ActivityRow]
    milestones: list[MilestoneRow]
    spendings: list[SpendingRow]
    settlements: list[SettlementRow]
    working: WorkingSide | None = None
    public: bool = field(default=True)  # the project is in the public catalogue

    @property
    def title_sponsor(self) -> SponsorRow | None:
        return next((s for s in self.sponsors if s.title), None)


def _sponsors(project: Project) -> list[SponsorRow]:
    rows = (
        Pledge.objects.filter(project=project)
        .exclude(state=Pledge.State.WITHDRAWN)
        .order_by("-title", "pledged_at", "id")
        .values("id", "sponsor_name", "anonymous", "title", "amount", "paid", "state", "pledged_at")
    )
    return [
        SponsorRow(
            id=r["id"],
            name=ANONYMOUS if r["anonymous"] else r["sponsor_name"],
            anonymous=r["anonymous"],
            title=r["title"],
            amount=r["amount"],
            paid=r["paid"],
            state=r["state"],
            state_label=str(Pledge.State(r["state"]).label),
            pledged_at=r["pledged_at"],
        )
        for r in rows
    ]


def _activities(project: Project, *, with_drafts: bool) -> list[ActivityRow]:
    records = (
        ServiceRecord.objects.filter(activity_id=OuterRef("activity_id"), current=True).order_by().values("activity_id")
    )
    links = ProjectActivity.objects.filter(project=project)
    if not with_drafts:
        links = links.exclude(activity__status=Activity.Status.DRAFT)
    rows = (
        links.annotate(
            minutes=Coalesce(
                Subquery(records.annotate(m=Sum("minutes")).values("m")[:1], output_field=IntegerField()), Value(0)
            ),
            volunteers=Coalesce(
                Subquery(
                    records.annotate(c=Count("volunteer_id", distinct=True)).values("c")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
        .order_by("activity__starts_at", "id")
        .values(
            "activity_id",
            "activity__title",
            "activity__team__name",
            "activity__starts_at",
            "activity__status",
            "minutes",
            "volunteers",
        )
    )
    return [
        ActivityRow(
            id=r["activity_id"],
            title=r["activity__title"],
            team_name=r["activity__team__name"],
            starts_at=r["activity__starts_at"],
            status=r["activity__status"],
            status_label=str(Activity.Status(r["activity__status"]).label),
            minutes=int(r["minutes"]),
            volunteers=int(r["volunteers"]),
        )
        for r in rows
    ]


def _milestones(project: Project) -> list[MilestoneRow]:
    photos: dict[int, list[PhotoRow]] = {}
    for p in (
        MilestonePhoto.objects.filter(milestone__project=project)
        .order_by("milestone_id", "id")
        .values("id", "milestone_id", "file_name")
    ):
        photos.setdefault(p["milestone_id"], []).append(PhotoRow(id=p["id"], file_name=p["file_name"]))
    return [
        MilestoneRow(
            id=m["id"],
            number=m["number"],
            title=m["title"],
            due_on=m["due_on"],
            state=m["state"],
            state_label=str(Milestone.State(m["state"]).label),
            report=m["report"],
            reported_at=m["reported_at"],
            photos=photos.get(m["id"], []),
        )
        for m in Milestone.objects.filter(project=project)
        .order_by("number")
        .values("id", "number", "title", "due_on", "state", "report", "reported_at")
    ]


def _spendings(project: Project) -> list[SpendingRow]:
    return [
        SpendingRow(
            id=s["id"],
            amount=s["amount"],
            paid_on=s["paid_on"],
            purpose=s["purpose"],
            reversed=s["reversal_id"] is not None,
        )
        for s in Spending.objects.filter(project=project)
        .order_by("paid_on", "id")
        .values("id", "amount", "paid_on", "purpose", "reversal_id")
    ]


def _settlements(project: Project) -> list[SettlementRow]:
    rows = (
        Settlement.objects.filter(project=project)
        .order_by("recorded_at", "id")
        .values(
            "id",
            "kind",
            "amount",
            "note",
            "recorded_at",
            "pledge__sponsor_name",
            "pledge__anonymous",
            "to_project__number",
            "to_project__title",
            "to_project__title_name",
            "to_fund__name",
        )
    )
    out: list[SettlementRow] = []
    for s in rows:
        if s["kind"] == Settlement.Kind.RETURN:
            to = ANONYMOUS if s["pledge__anonymous"] else (s["pledge__sponsor_name"] or "")
        elif s["kind"] == Settlement.Kind.PROJECT:
            to = f"{s['to_project__number']} {s['to_project__title_name'] or s['to_project__title']}"
        else:
            to = s["to_fund__name"] or ""
        out.append(
            SettlementRow(
                id=s["id"],
                kind=s["kind"],
                kind_label=str(Settlement.Kind(s["kind"]).label),
                amount=s["amount"],
                to=to,
                note=s["note"],
                recorded_at=s["recorded_at"],
            )
        )
    return out


def _working(actor: User | AnonymousUser | None, project: Project) -> WorkingSide | None:
    role = publisher_role(actor, project)
    if not role and not is_auditor(actor):
        return None
    pledges = [
        OpenPledgeRow(
            id=p["id"],
            sponsor_id=p["sponsor_id"],
            sponsor_name=p["sponsor_name"],
            anonymous=p["anonymous"],
            title=p["title"],
            amount=p["amount"],
            paid=p["paid"],
            pledged_at=p["pledged_at"],
        )
        for p in Pledge.objects.filter(project=project, state=Pledge.State.OPEN)
        .order_by("pledged_at", "id")
        .values("id", "sponsor_id", "sponsor_name", "anonymous", "title", "amount", "paid", "pledged_at")
    ]
    applications = [
        ApplicationRow(
            id=a["id"],
            team_name=a["team__name"],
            state=a["state"],
            state_label=str(TeamApplication.State(a["state"]).label),
            applied_at=a["applied_at"],
        )
        for a in TeamApplication.objects.filter(project=project)
        .order_by("applied_at", "id")
        .values("id", "team__name", "state", "applied_at")
    ]
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action="project.read",
        role=role or "auditor",
        object_type="project",
        object_id=project.pk,
        details={"number": project.number},
    )
    return WorkingSide(role=role, manages=bool(role), open_pledges=pledges, applications=applications)


def project_view(*, actor: User | AnonymousUser | None, project: Project) -> ProjectView:
    """What the project's page shows to ``actor`` (who may see ``project``: ask
    :func:`~rongxin.projects.permissions.common.access_project` first). Six queries for the
    public and nine with the working side, whatever the project holds; the working side writes the audit row
    ``project.read``."""
    working = _working(actor, project)
    return ProjectView(
        project=project,
        money=Money(
            budget=project.budget,
            pledged=project.pledged,
            raised=project.raised,
            spent=project.spent,
            settled=project.settled,
        ),
        sponsors=_sponsors(project),
        activities=_activities(project, with_drafts=working is not None),
        milestones=_milestones(project),
        spendings=_spendings(project),
        settlements=_settlements(project),
        working=working,
        public=project.state in states.PUBLIC,
    )
