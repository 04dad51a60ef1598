"""Schemas and presenters of the implementation's JSON endpoints (``/api/v1/projects``): team
applications, the start, linked activities, milestone reports, completion, spending, acceptance,
left-over settlements and the close. Names start with ``Project`` and are unique across the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.projects.models import Milestone, Project, ProjectActivity, Settlement, Spending, TeamApplication


class ProjectApplicationIn(Schema):
    team_id: int = Field(ge=1, le=2_147_483_647, description="A team you lead.")
    plan: str = Field(max_length=2000, description="How the team will carry out the project.")


class WorkApplicationOut(Schema):
    id: int
    project_id: int
    team_id: int
    team_name: str
    plan: str
    state: str = Field(description="applied | picked | declined | withdrawn")
    applied_at: dt.datetime
    decided_at: dt.datetime | None


class ProjectMoneyStateOut(Schema):
    id: int
    number: str
    state: str
    team_id: int | None
    budget: Decimal
    pledged: Decimal
    raised: Decimal
    spent: Decimal
    settled: Decimal
    left: Decimal = Field(description="raised − spent − settled")


class ProjectActivityIn(Schema):
    activity_id: int = Field(ge=1, le=2_147_483_647, description="An activity of the picked team.")


class WorkActivityOut(Schema):
    project_id: int
    activity_id: int
    title: str
    linked_at: dt.datetime


class WorkMilestoneOut(Schema):
    id: int
    project_id: int
    number: int
    title: str
    state: str
    report: str
    reported_at: dt.datetime | None
    photo_ids: list[int]


class ProjectCompleteIn(Schema):
    report: str = Field(max_length=4000, description="The completion report.")


class ProjectAcceptIn(Schema):
    note: str = Field(max_length=2000, description="The acceptance note.")
    feedback: str = Field(max_length=2000, description="The beneficiaries' feedback.")


class WorkSpendingOut(Schema):
    id: int
    project_id: int
    amount: Decimal
    paid_on: dt.date
    purpose: str
    entry_id: int
    entry_number: int
    voucher_id: int
    reversal_entry_id: int | None


class ProjectSpendingReverseIn(Schema):
    reason: str = Field(max_length=150)


class ProjectSettlementIn(Schema):
    kind: str = Field(max_length=8, description="return (to a pledge's sponsor) | project | fund")
    amount: str = Field(max_length=20, description="Yuan, at most two decimals.")
    note: str = Field(max_length=200)
    pledge_id: int | None = Field(None, ge=1, le=2_147_483_647, description="For return.")
    to_project_id: int | None = Field(None, ge=1, le=2_147_483_647, description="For project.")
    to_fund_id: int | None = Field(None, ge=1, le=2_147_483_647, description="For fund: a town or village credit fund.")


class WorkSettlementOut(Schema):
    id: int
    project_id: int
    kind: str
    amount: Decimal
    pledge_id: int | None
    to_project_id: int | None
    to_fund_id: int | None
    entry_id: int
    entry_in_id: int | None
    note: str
    recorded_at: dt.datetime


def application_out(a: TeamApplication) -> WorkApplicationOut:
    return WorkApplicationOut(
        id=a.pk,
        project_id=a.project_id,
        team_id=a.team_id,
        team_name=a.team.name,
        plan=a.plan,
        state=a.state,
        applied_at=a.applied_at,
        decided_at=a.decided_at,
    )


def project_money_out(p: Project) -> ProjectMoneyStateOut:
    return ProjectMoneyStateOut(
        id=p.pk,
        number=p.number,
        state=p.state,
        team_id=p.team_id,
        budget=p.budget,
        pledged=p.pledged,
        raised=p.raised,
        spent=p.spent,
        settled=p.settled,
        left=p.left,
    )


def activity_out(link: ProjectActivity) -> WorkActivityOut:
    return WorkActivityOut(
        project_id=link.project_id, activity_id=link.activity_id, title=link.activity.title, linked_at=link.linked_at
    )


def milestone_out(m: Milestone) -> WorkMilestoneOut:
    return WorkMilestoneOut(
        id=m.pk,
        project_id=m.project_id,
        number=m.number,
        title=m.title,
        state=m.state,
        report=m.report,
        reported_at=m.reported_at,
        photo_ids=list(m.photos.order_by("id").values_list("id", flat=True)),
    )


def spending_out(s: Spending) -> WorkSpendingOut:
    return WorkSpendingOut(
        id=s.pk,
        project_id=s.project_id,
        amount=s.amount,
        paid_on=s.paid_on,
        purpose=s.purpose,
        entry_id=s.entry_id,
        entry_number=s.entry.number,
        voucher_id=s.entry.voucher_id,
        reversal_entry_id=s.reversal_id,
    )


def settlement_out(s: Settlement) -> WorkSettlementOut:
    return WorkSettlementOut(
        id=s.pk,
        project_id=s.project_id,
        kind=s.kind,
        amount=s.amount,
        pledge_id=s.pledge_id,
        to_project_id=s.to_project_id,
        to_fund_id=s.to_fund_id,
        entry_id=s.entry_id,
        entry_in_id=s.entry_in_id,
        note=s.note,
        recorded_at=s.recorded_at,
    )
