"""Shapes of the people endpoints: speakers, adoption links, the quota and lecture teams.

Speakers appear by name, position and area (public figures of the programme); never by an ID
number or a phone. Times go out in Beijing time with the offset; dates are ISO dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from rongxin.core import clock

MAX_OFFSET = 10_000_000
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


Instant = Annotated[dt.datetime, AfterValidator(_local)]
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
SpeakerKind = Literal["leader", "head", "team_member", "volunteer"]


class LectureRegionRef(Schema):
    code: str
    name: str


class LectureTeamRef(Schema):
    id: int
    name: str


# --- Speakers -----------------------------------------------------------------------------------
class SpeakerQuery(Schema):
    kind: SpeakerKind | None = None
    area: str | None = Field(None, max_length=12, description="A region code: speakers whose area lies in it.")
    q: str | None = Field(None, max_length=60, description="Part of the name or position.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class SpeakerOut(Schema):
    id: int
    kind: str
    name: str
    position: str
    area: LectureRegionRef
    department: str | None = Field(description="The department's code, for a department head.")
    team: LectureTeamRef | None
    topics: list[str]
    quota_since: dt.date | None
    quota_until: dt.date | None
    active: bool
    has_account: bool


class SpeakerPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[SpeakerOut]


class SpeakerSessionOut(Schema):
    id: int
    title: str
    starts_at: Instant
    status: str
    region: LectureRegionRef
    counts_for_quota: bool
    at_link: bool


class SpeakerRatingOut(Schema):
    average: Decimal | None = Field(description="One decimal place; null without ratings.")
    count: int


class SpeakerDetailOut(SpeakerOut):
    sessions: list[SpeakerSessionOut] = Field(description="Newest first, at most 100.")
    session_total: int
    rating: SpeakerRatingOut


class SpeakerIn(Schema):
    kind: SpeakerKind
    name: str = Field(max_length=200)
    position: str = Field("", max_length=400)
    area_code: str = Field(max_length=12, description="The county, or a town for a town head.")
    subject_id: int | None = Field(None, ge=1, description="The speaker's own credit file (a person).")
    user_id: int | None = Field(None, ge=1, description="The account the speaker signs in with.")
    department_code: str | None = Field(None, max_length=32)
    team_id: int | None = Field(None, ge=1, description="Their lecture team.")
    topics: list[str] = Field(default_factory=list, max_length=100)
    quota_since: Day | None = Field(None, description="Heads only: the quota applies from this day.")
    quota_until: Day | None = Field(None, description="Heads only: the quota applies until this day.")


class SpeakerPatch(Schema):
    name: str | None = Field(None, max_length=200)
    position: str | None = Field(None, max_length=400)
    area_code: str | None = Field(None, max_length=12)
    department_code: str | None = Field(None, max_length=32, description="Empty or null clears it.")
    team_id: int | None = Field(None, ge=1, description="null clears it.")
    topics: list[str] | None = Field(None, max_length=100)
    quota_since: Day | None = Field(None, description="null clears the quota (with quota_until).")
    quota_until: Day | None = None
    active: bool | None = None


# --- Adoption links ----------------------------------------------------------------------------
class AdoptionLinkIn(Schema):
    speaker_id: int = Field(ge=1, description="A county leader.")
    town_code: str = Field(max_length=12)
    village_code: str = Field(max_length=12, description="A village or community of that town.")
    enterprise_id: int = Field(ge=1, description="The enterprise's credit file.")
    term_start: Day
    term_end: Day


class AdoptionLinkEndIn(Schema):
    on: Day = Field(description="From this day the link is no longer in force.")
    reason: str = Field(max_length=800)


class AdoptionLinkOut(Schema):
    id: int
    speaker: int
    speaker_name: str
    town: LectureRegionRef
    village: LectureRegionRef
    enterprise: str
    enterprise_id: int
    term_start: dt.date
    term_end: dt.date
    ended_at: dt.date | None
    last_day: dt.date


class AdoptionLinkRowOut(AdoptionLinkOut):
    sessions: list[SpeakerSessionOut] = Field(description="The leader's sessions at this link in the term.")


class AdoptionLinkBoardOut(Schema):
    on: dt.date
    links: list[AdoptionLinkRowOut]
    towns_with: list[LectureRegionRef]
    towns_without: list[LectureRegionRef]
    villages_with: list[LectureRegionRef]
    villages_without: list[LectureRegionRef]
    enterprises: list[str]
    leaders_without: list[str]


class AdoptionLinkQuery(Schema):
    on: Day | None = Field(None, description="The day (today in Beijing by default).")


# --- The quota ---------------------------------------------------------------------------------
class QuotaQuery(Schema):
    first: Day
    last: Day
    region: str | None = Field(None, max_length=12)
    state: Literal["done", "due", "overdue", "not_due"] | None = Field(
        None, description="Only heads with a period in this state."
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


class QuotaRangeQuery(Schema):
    first: Day
    last: Day


class QuotaPeriodOut(Schema):
    key: str
    start: dt.date
    end: dt.date
    required: int


class QuotaCellOut(Schema):
    period: str
    count: int
    state: str


class QuotaHeadRowOut(Schema):
    speaker: int
    name: str
    position: str
    area: LectureRegionRef
    cells: list[QuotaCellOut]


class QuotaOverdueOut(Schema):
    speaker: int
    name: str
    period: str


class QuotaBoardOut(Schema):
    first: dt.date
    last: dt.date
    today: dt.date
    periods: list[QuotaPeriodOut]
    totals: dict[str, int]
    overdue: list[QuotaOverdueOut]
    total: int
    offset: int
    limit: int
    items: list[QuotaHeadRowOut]


class QuotaHeadPeriodOut(QuotaCellOut):
    start: dt.date
    end: dt.date
    required: int
    sessions: list[SpeakerSessionOut]


class QuotaHeadHistoryOut(Schema):
    speaker: SpeakerOut
    first: dt.date
    last: dt.date
    periods: list[QuotaHeadPeriodOut]


class QuotaPolicyIn(Schema):
    effective_from: Day
    lectures_per_period: int = Field(ge=1, le=31)
    period_months: int = Field(ge=1, le=12, description="1, 2, 3, 4, 6 or 12.")
    notice_days: int = Field(ge=1, le=366)


class QuotaPolicyOut(Schema):
    effective_from: dt.date
    lectures_per_period: int
    period_months: int
    notice_days: int


# --- Teams -------------------------------------------------------------------------------------
class LectureTeamQuery(Schema):
    tier: Literal["department_expert", "urban_professional", "town_village"] | None = None
    region: str | None = Field(None, max_length=12)


class LectureTeamOut(Schema):
    id: int
    name: str
    tier: str
    region: LectureRegionRef
    brand: str
    audience: str
    members: int
    sessions: int


class LectureTierOut(Schema):
    tier: str
    label: str
    teams: list[LectureTeamOut]


class TeamBrandIn(Schema):
    brand: str = Field(max_length=160)
    audience: str = Field("", max_length=400)
