"""What the volunteering endpoints share: the signed-in request, optional authentication for
public reads, and the conversions from models to response schemas (so ``router.py`` stays one call per endpoint)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from django.utils.translation import get_language

from rongxin.accounts.api.auth import api_auth
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.volunteering.api.schemas import (
    ActivityDetailOut,
    ActivityOut,
    ActivitySummaryOut,
    ActivityTypeOut,
    ApplicationOut,
    CallOutDetailOut,
    CallOutOut,
    CertificateOut,
    CorrectionOut,
    DayCountOut,
    DutyOut,
    MembershipOut,
    MySignupOut,
    OnDutyOut,
    PersonRef,
    ProfileOut,
    RecordOut,
    RosterLineOut,
    RosterOut,
    ScanOut,
    ShiftOut,
    SignupOut,
    TeamDetailOut,
    TeamOut,
    VolunteerOut,
)
from rongxin.volunteering.domain.hours import hours_text, star_level
from rongxin.volunteering.domain.volunteers import volunteer_number
from rongxin.volunteering.models import (
    Activity,
    ActivityType,
    CallOut,
    Certificate,
    Correction,
    Duty,
    Membership,
    Scan,
    ServiceRecord,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.permissions import administers
from rongxin.volunteering.selectors.activities import ActivityView
from rongxin.volunteering.selectors.mobilisation import CallOutView
from rongxin.volunteering.selectors.people import Profile, TeamView
from rongxin.volunteering.selectors.roster import RosterLine

# The scan page the organiser's QR code points to (see rongxin.volunteering.domain.tokens).
SCAN_PATH = "/v/scan/"


def _anyone(request: HttpRequest) -> Any:
    """The last resort of :data:`public_auth`: an anonymous caller may read public things."""
    return getattr(request, "user", None) or True


# Public reads: a signed-in caller (session or API key) is recognised, anyone else may read.
public_auth = [*api_auth, _anyone]
# Shown in the OpenAPI document: an empty requirement makes the authentication optional.
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}


# --- Conversions -----------------------------------------------------------------------------
def volunteer_out(v: Volunteer) -> VolunteerOut:
    return VolunteerOut(
        number=v.number,
        status=v.status,
        skills=list(v.skills),
        availability=v.availability,
        registered_at=v.registered_at,
        guardian_name=v.guardian_name,
        guardian_relation=v.guardian_relation,
        minutes=v.total_minutes,
        hours=hours_text(v.total_minutes),
        stars=star_level(v.total_minutes),
    )


def membership_out(m: Membership) -> MembershipOut:
    return MembershipOut(
        id=m.pk,
        team_id=m.team_id,
        team_name=m.team.name,
        volunteer_number=volunteer_number(m.volunteer_id),
        role=m.role,
        status=m.status,
        applied_at=m.applied_at,
        decided_at=m.decided_at,
    )


def correction_out(c: Correction) -> CorrectionOut:
    return CorrectionOut(
        id=c.pk,
        record_id=c.record_id,
        activity_id=c.record.activity_id,
        activity_title=c.record.activity.title,
        volunteer_number=volunteer_number(c.volunteer_id),
        recorded_minutes=c.record.minutes,
        requested_minutes=c.requested_minutes,
        reason=c.reason,
        status=c.status,
        requested_at=c.requested_at,
        decided_at=c.decided_at,
        decision_reason=c.decision_reason,
    )


def record_out(r: ServiceRecord) -> RecordOut:
    try:
        points: int | None = r.award.points
    except ServiceRecord.award.RelatedObjectDoesNotExist:
        points = None
    return RecordOut(
        id=r.pk,
        volunteer_number=volunteer_number(r.volunteer_id),
        activity_id=r.activity_id,
        activity_title=r.activity.title,
        organiser_team_id=r.team_id,
        organiser=r.team.name,
        service_date=r.service_date,
        place=r.place,
        content=r.content,
        started_at=r.started_at,
        ended_at=r.ended_at,
        minutes=r.minutes,
        hours=hours_text(r.minutes),
        rating=r.rating,
        recorder=r.recorder.display_name if r.recorder else "",
        recorded_at=r.recorded_at,
        revision=r.revision,
        points=points,
        flags=list(r.flags),
        note=r.note,
    )


def certificate_out(c: Certificate) -> CertificateOut:
    return CertificateOut(
        number=c.number,
        issuer=c.issuer,
        period_from=c.period_from,
        period_to=c.period_to,
        minutes=c.minutes,
        hours=hours_text(c.minutes),
        records=c.records,
        content=c.content,
        issued_at=c.issued_at,
    )


def profile_out(p: Profile) -> ProfileOut:
    prefetch_related_objects(p.records, "recorder")
    return ProfileOut(
        **volunteer_out(p.volunteer).dict(),
        next_star_hours=p.next_star_hours,
        points_this_year=p.points_this_year,
        hours_this_year=p.hours_this_year,
        records=[record_out(r) for r in p.records],
        signups=[
            MySignupOut(
                activity_id=line.signup.activity_id,
                title=line.signup.activity.title,
                type_code=line.signup.activity.type.code,
                place=line.signup.activity.place,
                starts_at=line.signup.activity.starts_at,
                ends_at=line.signup.activity.ends_at,
                status=line.signup.status,
                state=line.state,
            )
            for line in p.signups
        ],
        teams=[membership_out(m) for m in p.memberships],
        certificates=[certificate_out(c) for c in p.certificates],
        corrections=[correction_out(c) for c in p.corrections],
    )


def activity_type_out(t: ActivityType) -> ActivityTypeOut:
    return ActivityTypeOut(
        code=t.code,
        name=t.name(get_language() or ""),
        name_zh=t.name_zh,
        name_en=t.name_en,
        credit_rule_code=t.credit_rule_code,
        risky=t.risky,
    )


def team_out(t: Team) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        tier=t.tier,
        kind=t.kind,
        region_code=t.region.code,
        region_name=t.region.name,
        description=t.description,
    )


def _summary_fields(a: Activity, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "type_code": a.type.code,
        "type_name": a.type.name(get_language() or ""),
        "team_id": a.team_id,
        "team_name": a.team.name,
        "region_code": a.region.code,
        "region_name": a.region.name,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "signup_opens_at": a.signup_opens_at,
        "signup_closes_at": a.signup_closes_at,
        "capacity": a.capacity,
        "confirmed": a.confirmed_count,
        "waitlisted": a.waitlist_count,
        "places_left": max(a.capacity - a.confirmed_count, 0),
        "status": a.status,
        "phase": a.phase(now),
    }


def activity_summaries(activities: list[Activity]) -> list[ActivitySummaryOut]:
    prefetch_related_objects(activities, "type", "team", "region")
    now = clock.now()
    return [ActivitySummaryOut(**_summary_fields(a, now)) for a in activities]


def _detail_fields(a: Activity) -> dict[str, Any]:
    return {
        **_summary_fields(a, clock.now()),
        "description": a.description,
        "venue_id": a.venue_id,
        "latitude": float(a.latitude) if a.latitude is not None else None,
        "longitude": float(a.longitude) if a.longitude is not None else None,
        "geofence_m": a.geofence_m,
        "min_age": a.min_age,
        "skills": list(a.skills),
        "insured": a.insured,
        "published_at": a.published_at,
        "cancelled_at": a.cancelled_at,
        "cancel_reason": a.cancel_reason,
        "closed_at": a.closed_at,
    }


def activity_out(a: Activity) -> ActivityOut:
    return ActivityOut(**_detail_fields(a))


def activity_detail_out(v: ActivityView) -> ActivityDetailOut:
    return ActivityDetailOut(
        **_detail_fields(v.activity),
        my_signup=v.my_signup.status if v.my_signup else None,
        organiser=v.organiser,
        can_sign_up=v.can_sign_up,
    )


def team_detail_out(v: TeamView) -> TeamDetailOut:
    return TeamDetailOut(
        **team_out(v.team).dict(),
        leaders=[PersonRef(number=m.volunteer.number, name=m.volunteer.subject.name) for m in v.leaders],
        members=v.members,
        organiser=v.organiser,
        applications=[
            ApplicationOut(
                membership_id=m.pk,
                volunteer_number=m.volunteer.number,
                name=m.volunteer.subject.name,
                applied_at=m.applied_at,
            )
            for m in v.applications
        ],
        my_membership=membership_out(v.my_membership) if v.my_membership else None,
        upcoming=activity_summaries(v.upcoming),
        drafts=activity_summaries(v.drafts),
        corrections=[correction_out(c) for c in v.corrections],
    )


def signup_out(s: Signup, warnings: list[str] | None = None) -> SignupOut:
    return SignupOut(
        activity_id=s.activity_id,
        volunteer_number=volunteer_number(s.volunteer_id),
        status=s.status,
        changed_at=s.changed_at,
        warnings=warnings or [],
    )


def scan_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(f"{SCAN_PATH}?{urlencode({'t': token})}")


def scan_out(s: Scan) -> ScanOut:
    return ScanOut(
        id=s.pk,
        activity_id=s.activity_id,
        volunteer_number=volunteer_number(s.volunteer_id),
        kind=s.kind,
        method=s.method,
        at=s.at,
        accepted=s.accepted,
        flags=list(s.flags),
        distance_m=s.distance_m,
    )


def roster_out(activity: Activity, lines: list[RosterLine]) -> RosterOut:
    return RosterOut(
        activity_id=activity.pk,
        status=activity.status,
        phase=activity.phase(clock.now()),
        lines=[
            RosterLineOut(
                number=line.number,
                name=line.name,
                signup_status=line.signup_status,
                minutes=line.attendance.minutes,
                raw_minutes=line.attendance.raw_minutes,
                started_at=line.attendance.started_at,
                ended_at=line.attendance.ended_at,
                flags=list(line.attendance.flags),
            )
            for line in lines
        ],
    )


def callout_out(c: CallOut) -> CallOutOut:
    return CallOutOut(
        id=c.pk,
        title=c.title,
        kind=c.kind,
        region_code=c.region.code,
        region_name=c.region.name,
        description=c.description,
        status=c.status,
        created_at=c.created_at,
    )


def _on_duty(d: Duty) -> OnDutyOut:
    if d.volunteer is not None:
        return OnDutyOut(volunteer_number=d.volunteer.number, name=d.volunteer.subject.name)
    return OnDutyOut(volunteer_number=None, name=d.staff_name)


def callout_detail_out(v: CallOutView, *, actor: User | AnonymousUser) -> CallOutDetailOut:
    """The call-out for anyone; the names of the people on duty for its organisers only."""
    organiser = administers(actor, v.callout.region)
    return CallOutDetailOut(
        **callout_out(v.callout).dict(),
        organiser=organiser,
        shifts=[
            ShiftOut(
                id=s.pk,
                place=s.place,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                needed=s.needed,
                on_duty=len(v.on_duty.get(s.pk, [])),
                mine=s.pk in v.my_shifts,
                people=[_on_duty(d) for d in v.on_duty.get(s.pk, [])] if organiser else [],
            )
            for s in v.shifts
        ],
        days=[
            DayCountOut(day=d.day, people=d.people, volunteers=d.volunteers, volunteer_share=float(d.volunteer_share))
            for d in v.days
        ],
    )


def callout_created_out(c: CallOut) -> CallOutDetailOut:
    return CallOutDetailOut(
        **callout_out(c).dict(),
        organiser=True,
        shifts=[
            ShiftOut(
                id=s.pk,
                place=s.place,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                needed=s.needed,
                on_duty=0,
                mine=False,
                people=[],
            )
            for s in c.shifts.all()
        ],
        days=[],
    )


def duty_out(d: Duty) -> DutyOut:
    return DutyOut(
        id=d.pk,
        shift_id=d.shift_id,
        status=d.status,
        volunteer_number=volunteer_number(d.volunteer_id) if d.volunteer_id else None,
        staff_name=d.staff_name,
        responded_at=d.responded_at,
    )
