"""JSON endpoints of volunteering (the pages call the same services).

Thin: each endpoint authorises through the services and selectors, calls one of them and returns
a schema. Volunteers are identified by their volunteer number. Reads of public things
(activities, activity types, teams, call-outs) need no sign-in; everything else does, and a
volunteer acts for themself only. Missing and forbidden look the same (404).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.volunteering import services as svc
from rongxin.volunteering.api.certificates import router as certificates_router
from rongxin.volunteering.api.presenters import (
    PUBLIC_OPENAPI,
    activity_detail_out,
    activity_out,
    activity_summaries,
    activity_type_out,
    callout_created_out,
    callout_detail_out,
    callout_out,
    correction_out,
    duty_out,
    membership_out,
    profile_out,
    public_auth,
    record_out,
    roster_out,
    scan_out,
    scan_url,
    signup_out,
    team_detail_out,
    team_out,
    volunteer_out,
)
from rongxin.volunteering.api.schemas import (
    ActivityCreateIn,
    ActivityDetailOut,
    ActivityIn,
    ActivityOut,
    ActivityPage,
    ActivityQuery,
    ActivityTypeOut,
    AssistIn,
    CallOutDetailOut,
    CallOutIn,
    CallOutOut,
    CallOutQuery,
    CancelIn,
    CloseIn,
    CloseOut,
    CodeOut,
    CorrectionDecisionIn,
    CorrectionIn,
    CorrectionOut,
    DutyOut,
    InvitationIn,
    LeaderIn,
    MembershipDecisionIn,
    MembershipOut,
    PageQuery,
    ProfileOut,
    RecordPage,
    RosterOut,
    ScanIn,
    ScanOut,
    SignupOut,
    StaffIn,
    TeamDetailOut,
    TeamIn,
    TeamOut,
    TeamQuery,
    VolunteerIn,
    VolunteerOut,
    VolunteerPatch,
)
from rongxin.volunteering.domain.volunteers import volunteer_number
from rongxin.volunteering.permissions import (
    access_activity_for_organising,
    access_correction_for_deciding,
    access_membership_for_deciding,
    access_own_record,
    access_shift_for_admin,
    access_team_for_admin,
    own_volunteer,
)
from rongxin.volunteering.selectors import activities as activity_reads
from rongxin.volunteering.selectors import mobilisation as callout_reads
from rongxin.volunteering.selectors import people as people_reads
from rongxin.volunteering.selectors.roster import roster_lines
from rongxin.volunteering.services import mobilisation
from rongxin.volunteering.services.activities import ActivityInput

router = Router(tags=["volunteering"])


# --- Volunteers ------------------------------------------------------------------------------
@router.post("/volunteers", response={201: VolunteerOut}, operation_id="volunteering_register")
def register(request: SignedInRequest, payload: VolunteerIn) -> Status[VolunteerOut]:
    """Register yourself as a volunteer (nobody registers anybody else). Under 18, a guardian's
    name, relation and consent are required. 409 if you are registered already."""
    return Status(201, volunteer_out(svc.volunteer_register(actor=request.user, **payload.dict())))


@router.get("/me", response=ProfileOut, operation_id="volunteering_profile")
def me(request: SignedInRequest) -> ProfileOut:
    """Your volunteer profile: number, verified hours, stars and the hours to the next star,
    current records with their points, sign-ups, teams, certificates and corrections."""
    return profile_out(people_reads.volunteer_profile(volunteer=own_volunteer(request.user)))


@router.patch("/me", response=VolunteerOut, operation_id="volunteering_profile_update")
def me_update(request: SignedInRequest, payload: VolunteerPatch) -> VolunteerOut:
    """Change your own volunteer profile (skills, when you are usually free)."""
    return volunteer_out(svc.volunteer_patch(actor=request.user, **payload.dict()))


@router.post("/me/withdraw", response=VolunteerOut, operation_id="volunteering_withdraw")
def withdraw(request: SignedInRequest) -> VolunteerOut:
    """Leave the register: records and certificates stay; sign-ups that have not started are
    cancelled and team memberships end."""
    return volunteer_out(svc.volunteer_withdraw(actor=request.user))


# --- Activity types and teams ----------------------------------------------------------------
@router.get(
    "/activity-types",
    response=list[ActivityTypeOut],
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_activity_types",
)
def activity_types(request: HttpRequest) -> list[ActivityTypeOut]:
    """The kinds of activity, each with the credit rule its verified hours earn (public)."""
    return [activity_type_out(t) for t in activity_reads.activity_types()]


@router.get(
    "/teams", response=list[TeamOut], auth=public_auth, openapi_extra=PUBLIC_OPENAPI, operation_id="volunteering_teams"
)
def teams(request: HttpRequest, filters: Query[TeamQuery]) -> list[TeamOut]:
    """Active teams, filtered by home region (and everything under it), tier and kind."""
    return [team_out(t) for t in people_reads.team_list(**filters.dict())]


@router.post("/teams", response={201: TeamOut}, operation_id="volunteering_team_create")
def team_create(request: SignedInRequest, payload: TeamIn) -> Status[TeamOut]:
    """A team administrator (county office, town or village officer) creates a team whose home
    region lies in their grant."""
    return Status(201, team_out(svc.team_create(actor=request.user, **payload.dict())))


@router.get(
    "/teams/{int:team_id}",
    response=TeamDetailOut,
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_team",
)
def team(request: HttpRequest, team_id: int) -> TeamDetailOut:
    """A team: leaders, member count and upcoming activities for anyone; applications, drafts
    and pending corrections for its organisers; your own membership."""
    return team_detail_out(people_reads.team_view(actor=request.user, team_id=team_id))


@router.post("/teams/{int:team_id}/applications", response={201: MembershipOut}, operation_id="volunteering_team_apply")
def team_apply(request: SignedInRequest, team_id: int) -> Status[MembershipOut]:
    """Apply to join a team; a leader or administrator of the team decides."""
    return Status(201, membership_out(svc.membership_apply(actor=request.user, team_id=team_id)))


@router.post("/teams/{int:team_id}/leave", response=MembershipOut, operation_id="volunteering_team_leave")
def team_leave(request: SignedInRequest, team_id: int) -> MembershipOut:
    """Leave a team you belong to."""
    return membership_out(svc.membership_leave(actor=request.user, team_id=team_id))


@router.post(
    "/memberships/{int:membership_id}/decision",
    response=MembershipOut,
    operation_id="volunteering_membership_decide",
    auth=gated(access_membership_for_deciding),
)
def membership_decide(request: SignedInRequest, membership_id: int, payload: MembershipDecisionIn) -> MembershipOut:
    """A leader or administrator of the team accepts or declines an application."""
    return membership_out(svc.membership_decide(actor=request.user, membership_id=membership_id, accept=payload.accept))


@router.post(
    "/teams/{int:team_id}/leaders",
    response=MembershipOut,
    operation_id="volunteering_leader_set",
    auth=gated(access_team_for_admin),
)
def leader_set(request: SignedInRequest, team_id: int, payload: LeaderIn) -> MembershipOut:
    """A team administrator makes an accepted member a leader (``leader: false`` undoes it)."""
    return membership_out(svc.leader_set(actor=request.user, team_id=team_id, **payload.dict()))


# --- Activities ------------------------------------------------------------------------------
@router.get(
    "/activities",
    response=ActivityPage,
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_activities",
)
def activities(request: HttpRequest, filters: Query[ActivityQuery]) -> ActivityPage:
    """Public activities. Without ``phase``: published ones that have not ended, soonest first;
    finished, closed and cancelled ones latest first."""
    data = filters.dict()
    offset, limit = data.pop("offset"), data.pop("limit")
    items, total = activity_reads.activity_list(
        filters=activity_reads.ActivityFilters(**data), offset=offset, limit=limit
    )
    return ActivityPage(total=total, offset=offset, limit=limit, items=activity_summaries(items))


@router.get(
    "/activities/{int:activity_id}",
    response=ActivityDetailOut,
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_activity",
)
def activity(request: HttpRequest, activity_id: int) -> ActivityDetailOut:
    """One activity (the shareable page's data). Drafts only for the team's organisers."""
    return activity_detail_out(activity_reads.activity_view(actor=request.user, activity_id=activity_id))


@router.post("/activities", response={201: ActivityOut}, operation_id="volunteering_activity_create")
def activity_create(request: SignedInRequest, payload: ActivityCreateIn) -> Status[ActivityOut]:
    """A draft activity of a team you organise for. Times need a time zone."""
    data = payload.dict()
    team_id = data.pop("team_id")
    return Status(
        201, activity_out(svc.activity_create(actor=request.user, team_id=team_id, data=ActivityInput(**data)))
    )


@router.put(
    "/activities/{int:activity_id}",
    response=ActivityOut,
    operation_id="volunteering_activity_update",
    auth=gated(access_activity_for_organising),
)
def activity_update(request: SignedInRequest, activity_id: int, payload: ActivityIn) -> ActivityOut:
    """Change a draft or published activity before it starts (409 once started, closed or
    cancelled). More places move the waiting list up; fewer than confirmed is a 422."""
    return activity_out(
        svc.activity_update(actor=request.user, activity_id=activity_id, data=ActivityInput(**payload.dict()))
    )


@router.post(
    "/activities/{int:activity_id}/publish", response=ActivityOut, operation_id="volunteering_activity_publish"
)
def activity_publish(request: SignedInRequest, activity_id: int) -> ActivityOut:
    """Publish a draft activity so that volunteers can sign up."""
    return activity_out(svc.activity_publish(actor=request.user, activity_id=activity_id))


@router.post(
    "/activities/{int:activity_id}/cancel",
    response=ActivityOut,
    operation_id="volunteering_activity_cancel",
    auth=gated(access_activity_for_organising),
)
def activity_cancel(request: SignedInRequest, activity_id: int, payload: CancelIn) -> ActivityOut:
    """Cancel with a reason; everyone signed up, waiting or invited is notified."""
    return activity_out(svc.activity_cancel(actor=request.user, activity_id=activity_id, reason=payload.reason))


@router.post(
    "/activities/{int:activity_id}/signup", response={201: SignupOut}, operation_id="volunteering_signup_create"
)
def signup_create(request: SignedInRequest, activity_id: int) -> Status[SignupOut]:
    """Sign yourself up (or accept an invitation): ``confirmed`` while places are free, then
    ``waitlisted``. ``warnings`` lists your overlapping sign-ups."""
    result = svc.signup_create(actor=request.user, activity_id=activity_id)
    return Status(201, signup_out(result.signup, result.warnings))


@router.delete("/activities/{int:activity_id}/signup", response=SignupOut, operation_id="volunteering_signup_cancel")
def signup_cancel(request: SignedInRequest, activity_id: int) -> SignupOut:
    """Withdraw before the start; the first on the waiting list moves up."""
    return signup_out(svc.signup_cancel(actor=request.user, activity_id=activity_id))


@router.post(
    "/activities/{int:activity_id}/invitations",
    response={201: SignupOut},
    operation_id="volunteering_invitation_send",
    auth=gated(access_activity_for_organising),
)
def invitation_send(request: SignedInRequest, activity_id: int, payload: InvitationIn) -> Status[SignupOut]:
    """Invite a volunteer; nothing is reserved until they sign up themselves."""
    signup = svc.invitation_send(actor=request.user, activity_id=activity_id, volunteer_number=payload.volunteer_number)
    return Status(201, signup_out(signup))


@router.post(
    "/activities/{int:activity_id}/invitation/decline",
    response=SignupOut,
    operation_id="volunteering_invitation_decline",
)
def invitation_decline(request: SignedInRequest, activity_id: int) -> SignupOut:
    """Decline an invitation to an activity."""
    return signup_out(svc.invitation_decline(actor=request.user, activity_id=activity_id))


# --- Attendance and closing ------------------------------------------------------------------
@router.get("/activities/{int:activity_id}/code", response=CodeOut, operation_id="volunteering_attendance_code")
def attendance_code(request: SignedInRequest, activity_id: int) -> CodeOut:
    """The current check-in code for the organiser's screen; it changes every 30 seconds."""
    code = svc.attendance_code(actor=request.user, activity_id=activity_id)
    return CodeOut(
        activity_id=activity_id,
        token=code.token,
        seconds_left=code.seconds_left,
        scan_url=scan_url(request, code.token),
    )


@router.post("/scan", response={201: ScanOut}, operation_id="volunteering_scan")
def scan(request: SignedInRequest, payload: ScanIn) -> Status[ScanOut]:
    """Check in or out with the organiser's current code. A scan outside the venue's radius is
    accepted and flagged; a replayed code or a double check-in is a 409 (and kept for the
    organiser); a forged or expired code is a 422."""
    result = svc.attendance_scan(actor=request.user, **payload.dict())
    return Status(201, scan_out(result.scan))


@router.post(
    "/activities/{int:activity_id}/assisted",
    response={201: ScanOut},
    operation_id="volunteering_attendance_assist",
    auth=gated(access_activity_for_organising),
)
def attendance_assist(request: SignedInRequest, activity_id: int, payload: AssistIn) -> Status[ScanOut]:
    """The organiser records a check-in or check-out for a volunteer without a phone, with a
    reason."""
    result = svc.attendance_assist(actor=request.user, activity_id=activity_id, **payload.dict())
    return Status(201, scan_out(result.scan))


@router.get("/activities/{int:activity_id}/roster", response=RosterOut, operation_id="volunteering_roster")
def roster(request: SignedInRequest, activity_id: int) -> RosterOut:
    """Everyone confirmed or scanned, with the minutes their scans give and the anomalies."""
    return roster_out(*roster_lines(actor=request.user, activity_id=activity_id))


@router.post(
    "/activities/{int:activity_id}/close",
    response=CloseOut,
    operation_id="volunteering_activity_close",
    auth=gated(access_activity_for_organising),
)
def activity_close(request: SignedInRequest, activity_id: int, payload: CloseIn) -> CloseOut:
    """Verify the roster and close a finished activity: service records, hours and credit.
    ``lines`` changes a volunteer's minutes (with a note), rating or note."""
    lines = {number: line.dict() for number, line in payload.lines.items()}
    result = svc.activity_close(actor=request.user, activity_id=activity_id, lines=lines)
    return CloseOut(
        activities=result.activities,
        records=result.records,
        minutes=result.minutes,
        points=result.points,
        awards=result.awards,
        without_time=[volunteer_number(v) for v in result.without_time],
    )


# --- Service records and corrections ---------------------------------------------------------
@router.get("/records", response=RecordPage, operation_id="volunteering_records")
def records(request: SignedInRequest, page: Query[PageQuery]) -> RecordPage:
    """Your current service records, latest first."""
    items, total = people_reads.own_records(volunteer=own_volunteer(request.user), offset=page.offset, limit=page.limit)
    return RecordPage(total=total, offset=page.offset, limit=page.limit, items=[record_out(r) for r in items])


@router.post(
    "/records/{int:record_id}/corrections",
    response={201: CorrectionOut},
    operation_id="volunteering_correction_request",
    auth=gated(access_own_record),
)
def correction_request(request: SignedInRequest, record_id: int, payload: CorrectionIn) -> Status[CorrectionOut]:
    """Ask the organiser to correct the time of one of your records."""
    c = svc.correction_request(actor=request.user, record_id=record_id, minutes=payload.minutes, reason=payload.reason)
    return Status(201, correction_out(c))


@router.post(
    "/corrections/{int:correction_id}/decision",
    response=CorrectionOut,
    operation_id="volunteering_correction_decide",
    auth=gated(access_correction_for_deciding),
)
def correction_decide(request: SignedInRequest, correction_id: int, payload: CorrectionDecisionIn) -> CorrectionOut:
    """An organiser of the record's team accepts (a new record revision, credit adjusted) or
    refuses (with a reason) a correction."""
    return correction_out(svc.correction_decide(actor=request.user, correction_id=correction_id, **payload.dict()))


# --- Mobilisation ----------------------------------------------------------------------------
@router.get(
    "/callouts",
    response=list[CallOutOut],
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_callouts",
)
def callouts(request: HttpRequest, filters: Query[CallOutQuery]) -> list[CallOutOut]:
    """Call-outs, filtered by status (public)."""
    return [callout_out(c) for c in callout_reads.callout_list(status=filters.status)]


@router.post("/callouts", response={201: CallOutDetailOut}, operation_id="volunteering_callout_create")
def callout_create(request: SignedInRequest, payload: CallOutIn) -> Status[CallOutDetailOut]:
    """A team administrator calls volunteers out in a region of their grant, with shifts."""
    data = payload.dict()
    shifts = [mobilisation.ShiftInput(**s) for s in data.pop("shifts")]
    return Status(201, callout_created_out(mobilisation.callout_create(actor=request.user, shifts=shifts, **data)))


@router.get(
    "/callouts/{int:callout_id}",
    response=CallOutDetailOut,
    auth=public_auth,
    openapi_extra=PUBLIC_OPENAPI,
    operation_id="volunteering_callout",
)
def callout(request: HttpRequest, callout_id: int) -> CallOutDetailOut:
    """Shifts with how many are on duty, and per day the people on duty and the share who are
    volunteers. Who is on duty (volunteer number and name; staff by name) is listed for the
    call-out's organisers only."""
    return callout_detail_out(callout_reads.callout_view(actor=request.user, callout_id=callout_id), actor=request.user)


@router.post("/shifts/{int:shift_id}/duty", response={201: DutyOut}, operation_id="volunteering_duty_respond")
def duty_respond(request: SignedInRequest, shift_id: int) -> Status[DutyOut]:
    """Take a shift (your own decision)."""
    return Status(201, duty_out(mobilisation.duty_respond(actor=request.user, shift_id=shift_id)))


@router.delete("/shifts/{int:shift_id}/duty", response=DutyOut, operation_id="volunteering_duty_withdraw")
def duty_withdraw(request: SignedInRequest, shift_id: int) -> DutyOut:
    """Leave a shift you took."""
    return duty_out(mobilisation.duty_withdraw(actor=request.user, shift_id=shift_id))


@router.post(
    "/shifts/{int:shift_id}/staff",
    response={201: DutyOut},
    operation_id="volunteering_duty_add_staff",
    auth=gated(access_shift_for_admin),
)
def duty_add_staff(request: SignedInRequest, shift_id: int, payload: StaffIn) -> Status[DutyOut]:
    """Put a staff member (not a volunteer) on a shift, so the daily count is complete."""
    return Status(
        201, duty_out(mobilisation.duty_add_staff(actor=request.user, shift_id=shift_id, staff_name=payload.staff_name))
    )


@router.post("/callouts/{int:callout_id}/close", response=CallOutOut, operation_id="volunteering_callout_close")
def callout_close(request: SignedInRequest, callout_id: int) -> CallOutOut:
    """Close a call-out (a team administrator); its shifts take nobody more."""
    return callout_out(mobilisation.callout_close(actor=request.user, callout_id=callout_id))


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/volunteering", router), ("/certificates", certificates_router))
