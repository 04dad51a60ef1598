"""Shapes of the volunteering JSON API.

Volunteers appear by their public volunteer number (and, where the caller may see it, their
name); never by an ID number or a phone. Times go out as ISO 8601 in Beijing time with the
offset (``2026-03-02T09:00:00+08:00``); times coming in must carry a time zone (the services
refuse naive ones with a 422). Service time is integer minutes; ``hours`` is the same figure as
display text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator

from rongxin.core import clock


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


# An aware time shown in Beijing time (output only).
Instant = Annotated[dt.datetime, AfterValidator(_local)]


# --- Volunteers ------------------------------------------------------------------------------

MAX_OFFSET = 10_000_000
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


class VolunteerIn(Schema):
    agree: bool = Field(description="The person has read and accepts the volunteer service terms.")
    skills: list[str] = Field(default_factory=list, description="Skill codes, e.g. cooking, first_aid.")
    availability: str = ""
    guardian_name: str = Field("", description="Required under 18.")
    guardian_relation: str = Field("", description="Required under 18.")
    guardian_consent: bool = Field(False, description="Required under 18: the guardian consents.")


class VolunteerPatch(Schema):
    skills: list[str] | None = Field(None, description="Replaces the skills; omit to keep them.")
    availability: str | None = Field(None, description="Replaces the availability; omit to keep it.")


class VolunteerOut(Schema):
    number: str
    status: str
    skills: list[str]
    availability: str
    registered_at: Instant
    guardian_name: str
    guardian_relation: str
    minutes: int
    hours: str
    stars: int


class PersonRef(Schema):
    number: str
    name: str


class MembershipOut(Schema):
    id: int
    team_id: int
    team_name: str
    volunteer_number: str
    role: str
    status: str
    applied_at: Instant
    decided_at: Instant | None


class MySignupOut(Schema):
    activity_id: int
    title: str
    type_code: str
    place: str
    starts_at: Instant
    ends_at: Instant
    status: str
    state: str = Field(
        description="What the volunteer reads: the status while the activity is ahead; activity_cancelled, "
        "hours_pending, hours_verified, no_service or ended once it is over"
    )


class CertificateOut(Schema):
    number: str
    issuer: str
    period_from: dt.date
    period_to: dt.date
    minutes: int
    hours: str
    records: int
    content: str
    issued_at: Instant


class CorrectionOut(Schema):
    id: int
    record_id: int
    activity_id: int
    activity_title: str
    volunteer_number: str
    recorded_minutes: int
    requested_minutes: int
    reason: str
    status: str
    requested_at: Instant
    decided_at: Instant | None
    decision_reason: str


class RecordOut(Schema):
    """A service record with the fields of the national volunteer-record rules."""

    id: int
    volunteer_number: str
    activity_id: int
    activity_title: str
    organiser_team_id: int
    organiser: str
    service_date: dt.date
    place: str
    content: str
    started_at: Instant | None
    ended_at: Instant | None
    minutes: int
    hours: str
    rating: str
    recorder: str
    recorded_at: Instant
    revision: int
    points: int | None = Field(description="Credit points this record earned (None: no award).")
    flags: list[str]
    note: str


class RecordPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[RecordOut]


class PageQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class ProfileOut(VolunteerOut):
    next_star_hours: int | None
    points_this_year: int
    hours_this_year: str
    records: list[RecordOut]
    signups: list[MySignupOut]
    teams: list[MembershipOut]
    certificates: list[CertificateOut]
    corrections: list[CorrectionOut]


# --- Teams -----------------------------------------------------------------------------------
class ActivityTypeOut(Schema):
    code: str
    name: str
    name_zh: str
    name_en: str
    credit_rule_code: str
    risky: bool


class TeamQuery(Schema):
    region_code: str = ""
    tier: str = ""
    kind: str = ""


class TeamIn(Schema):
    name: str
    tier: str = Field(description="department_expert | urban_professional | town_village")
    kind: str = Field(description="service | lecture | canteen | emergency | medical | legal | ...")
    region_code: str
    description: str = ""


class TeamOut(Schema):
    id: int
    name: str
    tier: str
    kind: str
    region_code: str
    region_name: str
    description: str


class ApplicationOut(Schema):
    membership_id: int
    volunteer_number: str
    name: str
    applied_at: Instant


class MembershipDecisionIn(Schema):
    accept: bool


class LeaderIn(Schema):
    volunteer_number: str
    leader: bool = True


# --- Activities ------------------------------------------------------------------------------
Phase = Literal["", "open", "upcoming", "ongoing", "finished", "closed", "cancelled"]


class ActivityQuery(Schema):
    region_code: str = ""
    type_code: str = ""
    team_id: int | None = None
    phase: Phase = Field("", description="open (sign-up open), upcoming, ongoing, finished, closed, cancelled.")
    date_from: dt.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    date_to: dt.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    near_village_code: str = Field("", description="Activities in this village's town.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class ActivityIn(Schema):
    type_code: str
    title: str
    region_code: str
    place: str = ""
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    description: str = ""
    signup_opens_at: dt.datetime | None = None
    signup_closes_at: dt.datetime | None = None
    min_age: int = 0
    skills: list[str] = Field(default_factory=list)
    insured: bool = False
    venue_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    geofence_m: int | None = None


class ActivityCreateIn(ActivityIn):
    team_id: int


class ActivitySummaryOut(Schema):
    id: int
    title: str
    type_code: str
    type_name: str
    team_id: int
    team_name: str
    region_code: str
    region_name: str
    place: str
    starts_at: Instant
    ends_at: Instant
    signup_opens_at: Instant
    signup_closes_at: Instant
    capacity: int
    confirmed: int
    waitlisted: int
    places_left: int
    status: str
    phase: str


class ActivityOut(ActivitySummaryOut):
    description: str
    venue_id: int | None
    latitude: float | None
    longitude: float | None
    geofence_m: int | None
    min_age: int
    skills: list[str]
    insured: bool
    published_at: Instant | None
    cancelled_at: Instant | None
    cancel_reason: str
    closed_at: Instant | None


class ActivityDetailOut(ActivityOut):
    my_signup: str | None = Field(description="The caller's sign-up status, if any.")
    organiser: bool
    can_sign_up: bool


class ActivityPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[ActivitySummaryOut]


class TeamDetailOut(TeamOut):
    leaders: list[PersonRef]
    members: int
    organiser: bool
    applications: list[ApplicationOut]
    my_membership: MembershipOut | None
    upcoming: list[ActivitySummaryOut]
    drafts: list[ActivitySummaryOut]
    corrections: list[CorrectionOut]


class CancelIn(Schema):
    reason: str = ""


class SignupOut(Schema):
    activity_id: int
    volunteer_number: str
    status: str
    changed_at: Instant
    warnings: list[str] = Field(default_factory=list, description="Overlapping sign-ups of the volunteer.")


class InvitationIn(Schema):
    volunteer_number: str


# --- Attendance and closing ------------------------------------------------------------------
class CodeOut(Schema):
    activity_id: int
    token: str
    seconds_left: int
    scan_url: str


class ScanIn(Schema):
    token: str
    kind: str = Field(description="in | out")
    latitude: Decimal | None = None
    longitude: Decimal | None = None


class AssistIn(Schema):
    volunteer_number: str
    kind: str = Field(description="in | out")
    at: dt.datetime | None = Field(None, description="When it happened (default: now); needs a time zone.")
    reason: str = ""


class ScanOut(Schema):
    id: int
    activity_id: int
    volunteer_number: str
    kind: str
    method: str
    at: Instant
    accepted: bool
    flags: list[str]
    distance_m: int | None


class RosterLineOut(Schema):
    number: str
    name: str
    signup_status: str
    minutes: int
    raw_minutes: int
    started_at: Instant | None
    ended_at: Instant | None
    flags: list[str]


class RosterOut(Schema):
    activity_id: int
    status: str
    phase: str
    lines: list[RosterLineOut]


class CloseLineIn(Schema):
    minutes: int | None = Field(None, description="Verified minutes; omit to keep what the scans give.")
    rating: str = Field("", description="excellent | good | satisfactory (default good)")
    note: str = Field("", description="Why the time differs from the scans (required then).")


class CloseIn(Schema):
    lines: dict[str, CloseLineIn] = Field(default_factory=dict, description="Keyed by volunteer number.")


class CloseOut(Schema):
    activities: int
    records: int
    minutes: int
    points: int
    awards: int
    without_time: list[str] = Field(description="Volunteer numbers with a check-in but no service time.")


class CorrectionIn(Schema):
    minutes: int
    reason: str = ""


class CorrectionDecisionIn(Schema):
    accept: bool
    reason: str = ""


# --- Mobilisation ----------------------------------------------------------------------------
class CallOutQuery(Schema):
    status: Literal["", "open", "closed"] = ""


class ShiftIn(Schema):
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    needed: int


class CallOutIn(Schema):
    title: str
    kind: str = Field(description="flood | epidemic | cleanup | fire | other")
    region_code: str
    description: str = ""
    shifts: list[ShiftIn] = Field(default_factory=list)


class CallOutOut(Schema):
    id: int
    title: str
    kind: str
    region_code: str
    region_name: str
    description: str
    status: str
    created_at: Instant


class OnDutyOut(Schema):
    volunteer_number: str | None = Field(description="None for staff (not volunteers).")
    name: str


class ShiftOut(Schema):
    id: int
    place: str
    starts_at: Instant
    ends_at: Instant
    needed: int
    on_duty: int
    mine: bool
    people: list[OnDutyOut] = Field(description="Who is on duty; listed for the call-out's organisers only.")


class DayCountOut(Schema):
    day: dt.date
    people: int
    volunteers: int
    volunteer_share: float = Field(description="Per cent of the people on duty that day who are volunteers.")


class CallOutDetailOut(CallOutOut):
    organiser: bool
    shifts: list[ShiftOut]
    days: list[DayCountOut]


class StaffIn(Schema):
    staff_name: str


class DutyOut(Schema):
    id: int
    shift_id: int
    status: str
    volunteer_number: str | None
    staff_name: str
    responded_at: Instant
