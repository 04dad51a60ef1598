"""Schemas and presenters of the catalogue's and the publisher's JSON endpoints
(``/api/v1/projects``). Names start with ``Project`` and are unique across the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from rongxin.projects.models import Milestone, Project
from rongxin.projects.selectors.catalogue import CataloguePage, CatalogueRow, ManagedPage
from rongxin.projects.selectors.project import ProjectView

MAX_PAGE = 10_000


class ProjectCatalogueQuery(Schema):
    state: str = Field("", max_length=12, description="a public state: published, claimed, in_progress, …")
    town: str = Field("", max_length=12, description="a town's region code: its projects and its villages'")
    category: str = Field("", max_length=12, description="elderly, children, disability, …")
    q: str = Field("", max_length=60, description="words of the title, the sponsored title or the number")
    sort: str = Field("newest", max_length=8, description="newest | needed (most still to pledge) | raised")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class ProjectCardOut(Schema):
    id: int
    number: str
    title: str
    shown_title: str = Field(description="The title sponsor's name for the project once it has one.")
    category: str
    state: str
    region: str
    town: str
    budget: Decimal
    pledged: Decimal
    raised: Decimal
    needed: Decimal = Field(description="Still to be pledged (budget − pledged).")
    beneficiary_count: int
    starts_on: dt.date
    ends_on: dt.date
    published_at: dt.datetime | None


class ProjectCatalogueOut(Schema):
    total: int
    page: int
    pages: int
    per_page: int
    items: list[ProjectCardOut]


class ProjectManageQuery(Schema):
    state: str = Field("", max_length=12, description="any state, draft included")
    page: int = Field(1, ge=1, le=MAX_PAGE)


class ProjectManageOut(ProjectCatalogueOut):
    counts: dict[str, int] = Field(description="Projects per state, before the state filter.")


class ProjectIn(Schema):
    seat: str = Field("", max_length=60, description="Whom you publish for (from the form's seats); default the first.")
    title: str = Field(max_length=120)
    need: str = Field(max_length=2000)
    beneficiaries: str = Field(max_length=200)
    beneficiary_count: int
    region_code: str = Field(max_length=12, description="The region the project serves, within your seat's.")
    category: str = Field(max_length=12)
    budget: str = Field(max_length=30, description="Yuan, at most two decimals, at most 5,000,000.")
    starts_on: dt.date
    ends_on: dt.date
    team_kind: str = Field(max_length=12)


class ProjectPatchIn(Schema):
    title: str | None = Field(None, max_length=120)
    need: str | None = Field(None, max_length=2000)
    beneficiaries: str | None = Field(None, max_length=200)
    beneficiary_count: int | None = None
    region_code: str | None = Field(None, max_length=12)
    category: str | None = Field(None, max_length=12)
    budget: str | None = Field(None, max_length=30)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    team_kind: str | None = Field(None, max_length=12)


class ProjectWithdrawIn(Schema):
    reason: str = Field(max_length=200)


class ProjectMilestoneIn(Schema):
    title: str = Field(max_length=120)
    due_on: dt.date


class ProjectMilestoneOut(Schema):
    id: int
    project_id: int
    number: int
    title: str
    due_on: dt.date
    state: str
    report: str
    reported_at: dt.datetime | None
    photo_ids: list[int]


class ProjectMoneyOut(Schema):
    budget: Decimal
    pledged: Decimal
    needed: Decimal
    raised: Decimal
    spent: Decimal
    settled: Decimal = Field(description="The left-over returned to sponsors or moved.")
    left: Decimal


class ProjectSponsorOut(Schema):
    name: str = Field(description="「爱心人士（匿名）」 for a sponsor who asked to stay anonymous.")
    title: bool = Field(description="The title sponsor (冠名).")
    amount: Decimal
    paid: Decimal
    state: str


class ProjectActivityOut(Schema):
    id: int
    title: str
    team: str
    starts_at: dt.datetime
    status: str
    volunteers: int
    minutes: int = Field(description="Verified service minutes.")


class ProjectSpendingOut(Schema):
    id: int
    amount: Decimal
    paid_on: dt.date
    purpose: str
    reversed: bool


class ProjectSettlementOut(Schema):
    id: int
    kind: str
    amount: Decimal
    to: str
    note: str
    recorded_at: dt.datetime


class ProjectOpenPledgeOut(Schema):
    id: int
    sponsor_id: int
    sponsor_name: str
    anonymous: bool
    title: bool
    amount: Decimal
    paid: Decimal
    pledged_at: dt.datetime


class ProjectApplicationOut(Schema):
    id: int
    team: str
    state: str
    applied_at: dt.datetime


class ProjectWorkingOut(Schema):
    manages: bool = Field(description="You run the project as its publisher.")
    open_pledges: list[ProjectOpenPledgeOut]
    applications: list[ProjectApplicationOut]


class ProjectOut(Schema):
    id: int
    number: str
    title: str
    shown_title: str
    title_sponsor: str = Field(description="The title sponsor's name as the public sees it, or empty.")
    need: str
    beneficiaries: str
    beneficiary_count: int
    region_code: str
    region: str
    category: str
    team_kind: str
    starts_on: dt.date
    ends_on: dt.date
    publisher: str
    publisher_region_code: str
    publisher_department: str
    state: str
    team: str
    published_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_reason: str
    completion_report: str
    acceptance_note: str
    beneficiary_feedback: str
    money: ProjectMoneyOut
    sponsors: list[ProjectSponsorOut]
    activities: list[ProjectActivityOut]
    milestones: list[ProjectMilestoneOut]
    spendings: list[ProjectSpendingOut]
    settlements: list[ProjectSettlementOut]
    working: ProjectWorkingOut | None = Field(description="For the project's publishers and auditors (audited).")


def card_out(r: CatalogueRow) -> ProjectCardOut:
    return ProjectCardOut(
        id=r.id,
        number=r.number,
        title=r.title,
        shown_title=r.shown_title,
        category=r.category,
        state=r.state,
        region=r.region_name,
        town=r.town_name,
        budget=r.budget,
        pledged=r.pledged,
        raised=r.raised,
        needed=r.needed,
        beneficiary_count=r.beneficiary_count,
        starts_on=r.starts_on,
        ends_on=r.ends_on,
        published_at=r.published_at,
    )


def catalogue_out(p: CataloguePage) -> ProjectCatalogueOut:
    return ProjectCatalogueOut(
        total=p.total, page=p.page, pages=p.pages, per_page=p.per_page, items=[card_out(r) for r in p.rows]
    )


def managed_out(p: ManagedPage) -> ProjectManageOut:
    return ProjectManageOut(
        total=p.total,
        page=p.page,
        pages=p.pages,
        per_page=p.per_page,
        items=[card_out(r) for r in p.rows],
        counts=p.counts,
    )


def milestone_out(m: Milestone, photo_ids: list[int] | None = None) -> ProjectMilestoneOut:
    return ProjectMilestoneOut(
        id=m.pk,
        project_id=m.project_id,
        number=m.number,
        title=m.title,
        due_on=m.due_on,
        state=m.state,
        report=m.report,
        reported_at=m.reported_at,
        photo_ids=photo_ids or [],
    )


def project_out(v: ProjectView) -> ProjectOut:
    p: Project = v.project
    m = v.money
    w = v.working
    return ProjectOut(
        id=p.pk,
        number=p.number,
        title=p.title,
        shown_title=p.shown_title,
        title_sponsor=v.title_sponsor.name if v.title_sponsor is not None else "",
        need=p.need,
        beneficiaries=p.beneficiaries,
        beneficiary_count=p.beneficiary_count,
        region_code=p.region.code,
        region=p.region.name,
        category=p.category,
        team_kind=p.team_kind,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        publisher=p.publisher,
        publisher_region_code=p.publisher_region.code,
        publisher_department=p.publisher_department.name if p.publisher_department is not None else "",
        state=p.state,
        team=p.team.name if p.team is not None else "",
        published_at=p.published_at,
        closed_at=p.closed_at,
        close_reason=p.close_reason,
        completion_report=p.completion_report,
        acceptance_note=p.acceptance_note,
        beneficiary_feedback=p.beneficiary_feedback,
        money=ProjectMoneyOut(
            budget=m.budget,
            pledged=m.pledged,
            needed=m.needed,
            raised=m.raised,
            spent=m.spent,
            settled=m.settled,
            left=m.left,
        ),
        sponsors=[
            ProjectSponsorOut(name=s.name, title=s.title, amount=s.amount, paid=s.paid, state=s.state)
            for s in v.sponsors
        ],
        activities=[
            ProjectActivityOut(
                id=a.id,
                title=a.title,
                team=a.team_name,
                starts_at=a.starts_at,
                status=a.status,
                volunteers=a.volunteers,
                minutes=a.minutes,
            )
            for a in v.activities
        ],
        milestones=[
            ProjectMilestoneOut(
                id=ms.id,
                project_id=p.pk,
                number=ms.number,
                title=ms.title,
                due_on=ms.due_on,
                state=ms.state,
                report=ms.report,
                reported_at=ms.reported_at,
                photo_ids=[ph.id for ph in ms.photos],
            )
            for ms in v.milestones
        ],
        spendings=[
            ProjectSpendingOut(id=s.id, amount=s.amount, paid_on=s.paid_on, purpose=s.purpose, reversed=s.reversed)
            for s in v.spendings
        ],
        settlements=[
            ProjectSettlementOut(id=s.id, kind=s.kind, amount=s.amount, to=s.to, note=s.note, recorded_at=s.recorded_at)
            for s in v.settlements
        ],
        working=None
        if w is None
        else ProjectWorkingOut(
            manages=w.manages,
            open_pledges=[
                ProjectOpenPledgeOut(
                    id=o.id,
                    sponsor_id=o.sponsor_id,
                    sponsor_name=o.sponsor_name,
                    anonymous=o.anonymous,
                    title=o.title,
                    amount=o.amount,
                    paid=o.paid,
                    pledged_at=o.pledged_at,
                )
                for o in w.open_pledges
            ],
            applications=[
                ProjectApplicationOut(id=a.id, team=a.team_name, state=a.state, applied_at=a.applied_at)
                for a in w.applications
            ],
        ),
    )
