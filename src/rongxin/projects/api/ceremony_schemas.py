"""Schemas of the charity ceremony, figures and sponsors' roll endpoints (names prefixed
``Ceremony``/``ProjectFigures``/``ProjectSponsor`` to stay unique across the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class CeremonyIn(Schema):
    year: int
    title: str = Field(max_length=400)
    venue: str = Field(max_length=400)
    starts_at: dt.datetime = Field(description="In the future and in ``year``; without a zone it is China time.")
    ends_at: dt.datetime = Field(description="After ``starts_at``, within seven days.")


class CeremonyPatchIn(Schema):
    title: str | None = Field(None, max_length=400)
    venue: str | None = Field(None, max_length=400)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None


class CeremonyBatchIn(Schema):
    project_ids: list[int] = Field(max_length=500)
    attach: bool = Field(True, description="true puts the projects into the batch, false takes them out.")


class CeremonyOut(Schema):
    year: int
    title: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    launched_at: dt.datetime | None
    projects: int = Field(description="Projects in the batch (drafts included).")


class CeremonyBatchOut(Schema):
    changed: int


class CeremonyLaunchOut(Schema):
    published: int = Field(description="Projects this call published (0 when launched before).")
    ceremony: CeremonyOut


class CeremonyClaimOut(Schema):
    sponsor: str = Field(description="The sponsor's name, or 爱心人士（匿名） for one who asked for anonymity.")
    project_id: int
    project: str
    amount: Decimal
    at: dt.datetime
    title: bool = Field(description="A title sponsorship (the whole budget).")


class CeremonyBoardRowOut(Schema):
    id: int
    number: str
    title: str
    budget: Decimal
    pledged: Decimal
    claimed: bool
    state: str


class CeremonyLiveOut(Schema):
    year: int
    title: str
    launched: int = Field(description="Projects of the batch that are public.")
    claimed: int = Field(description="Of them, those pledged in full.")
    pledges: int = Field(description="Pledges made during the ceremony (withdrawn ones left out).")
    pledged: Decimal
    paid: Decimal
    latest: list[CeremonyClaimOut]
    board: list[CeremonyBoardRowOut]


class ProjectFiguresQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    town: str | None = Field(None, max_length=12, description="A town's region code.")
    category: str | None = Field(None, max_length=12)


class ProjectFiguresRowOut(Schema):
    key: str
    label: str
    published: int
    claimed: int
    completed: int
    raised: Decimal
    spent: Decimal


class ProjectFiguresOut(Schema):
    year: int | None
    town: str
    category: str
    by_year: list[ProjectFiguresRowOut]
    by_town: list[ProjectFiguresRowOut]
    by_category: list[ProjectFiguresRowOut]
    total: ProjectFiguresRowOut


class ProjectSponsorsQuery(ProjectFiguresQuery):
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


class ProjectSponsorRowOut(Schema):
    rank: int
    name: str
    kind: str = Field(description="person | enterprise | individual_business")
    pledged: Decimal
    paid: Decimal
    projects: int
    titles: int = Field(description="Title sponsorships (冠名).")


class ProjectSponsorsAnonymousOut(Schema):
    name: str
    pledges: int
    projects: int
    pledged: Decimal
    paid: Decimal


class ProjectSponsorsOut(Schema):
    total: int
    offset: int
    limit: int
    items: list[ProjectSponsorRowOut]
    anonymous: ProjectSponsorsAnonymousOut
