"""JSON endpoints of lecture sessions (the pages call the same services): list and record
sessions, read one, add a photo, record listeners without a phone, close (credit) and cancel,
the listener's check-in with the rotating code, and the signed-in person's own lectures.

Operations that name a session in their path are gated: the right to it is asked before the
request is read (missing and forbidden are the same 404). Listener names only reach those who
run the session; ID numbers are never returned.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from pydantic import AfterValidator

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.lectures.models import Attendance, Session, SessionPhoto
from rongxin.lectures.permissions.sessions import access_session_for_read, access_session_for_running
from rongxin.lectures.selectors import sessions as reads
from rongxin.lectures.services.attendance import attendance_assisted, lecture_checkin
from rongxin.lectures.services.closing import session_close
from rongxin.lectures.services.photos import photo_add
from rongxin.lectures.services.sessions import session_cancel, session_create, session_update

router = Router(tags=["lectures"])

MAX_OFFSET = 10_000_000


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


Instant = Annotated[dt.datetime, AfterValidator(_local)]


# --- Schemas ------------------------------------------------------------------------------------
class LectureSessionIn(Schema):
    title: str = Field(max_length=500)
    region_code: str = Field("", max_length=20, description="A town or village (ignored with ``order_id``).")
    place_kind: str = Field(description="site | venue | field | fishing_farm | market | other")
    starts_at: dt.datetime = Field(description="Needs a time zone.")
    ends_at: dt.datetime = Field(description="After the start, at most 12 hours later.")
    format: str = Field("talk", description="talk | theatre | pre_meal")
    site_id: int | None = None
    venue_id: int | None = None
    place: str = Field("", max_length=500)
    latitude: Decimal | None = Field(None, description="Required for a field, fishing farm or market.")
    longitude: Decimal | None = None
    team_id: int | None = None
    speaker_ids: list[int] = Field(default_factory=list, max_length=50)
    saying_ids: list[int] = Field(default_factory=list, max_length=50)
    order_id: int | None = Field(None, description="An accepted order this session holds.")
    audience_count: int | None = None


class LectureSessionPatch(Schema):
    title: str | None = Field(None, max_length=500)
    place_kind: str | None = None
    site_id: int | None = None
    venue_id: int | None = None
    place: str | None = Field(None, max_length=500)
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    starts_at: dt.datetime | None = Field(None, description="Cannot move once a listener has checked in.")
    ends_at: dt.datetime | None = None
    format: str | None = None
    speaker_ids: list[int] | None = Field(None, max_length=50)
    saying_ids: list[int] | None = Field(None, max_length=50)
    audience_count: int | None = None


class LectureSessionOut(Schema):
    id: int
    title: str
    status: str
    region_code: str
    town_code: str
    team_id: int | None
    order_id: int | None
    place_kind: str
    place: str
    site_id: int | None
    venue_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    format: str
    starts_at: Instant
    ends_at: Instant
    audience_count: int | None
    listener_count: int
    closed_at: Instant | None
    cancelled_at: Instant | None
    cancel_reason: str


class LectureSessionPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[LectureSessionOut]


class LectureSessionQuery(Schema):
    scope: Literal["run", "upcoming"] = Field(
        "run", description="``run``: the sessions you run; ``upcoming``: planned ones in your town."
    )
    status: Literal["", "planned", "closed", "cancelled"] = ""
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class LectureSpeakerRef(Schema):
    id: int
    name: str
    counts_for_quota: bool
    at_link: bool


class LectureSayingRef(Schema):
    id: int
    key: str
    text: str


class LecturePhotoOut(Schema):
    id: int
    session_id: int
    content_type: str
    size: int
    width: int
    height: int
    caption: str
    uploaded_at: Instant


class LectureListenerOut(Schema):
    subject_id: int
    name: str
    method: str
    at: Instant


class LectureSessionDetailOut(LectureSessionOut):
    speakers: list[LectureSpeakerRef]
    sayings: list[LectureSayingRef]
    photos: list[LecturePhotoOut]
    runs: bool = Field(description="Whether you run this session (then ``listeners`` is filled).")
    listeners: list[LectureListenerOut]
    checked_in: bool = Field(description="Whether you checked in at it.")


class LectureAssistIn(Schema):
    id_numbers: list[str] = Field(default_factory=list, max_length=500)
    subject_ids: list[int] = Field(default_factory=list, max_length=500)
    reason: str = Field(max_length=500)


class LectureAttendanceOut(Schema):
    session_id: int
    subject_id: int
    method: str
    at: Instant


class LectureSkippedOut(Schema):
    subject_id: int
    problem: str = Field(description="already_in | elsewhere | speaker")


class LectureAssistOut(Schema):
    recorded: list[LectureAttendanceOut]
    skipped: list[LectureSkippedOut]


class LectureCloseIn(Schema):
    audience_count: int | None = Field(None, description="Required unless the session has one.")


class LectureCloseOut(Schema):
    session: LectureSessionOut
    listeners: int
    listener_points: int
    speakers: int
    speaker_points: int
    capped: int
    without_consent: int
    order_held: bool


class LectureCancelIn(Schema):
    reason: str = Field(max_length=500)


class LectureCheckinIn(Schema):
    token: str = Field(max_length=200, description="The code in the link the session's QR code opens.")


class MyLectureOut(Schema):
    session: LectureSessionOut
    role: str = Field(description="listener | speaker")
    at: Instant
    points: int | None = Field(description="Credit it brought; null until the session is closed.")


class MyLecturesOut(Schema):
    attended: list[MyLectureOut]
    given: list[MyLectureOut]


# --- Presenters ---------------------------------------------------------------------------------
def session_out(s: Session) -> LectureSessionOut:
    return LectureSessionOut(
        id=s.pk,
        title=s.title,
        status=s.status,
        region_code=s.region.code,
        town_code=s.town.code,
        team_id=s.team_id,
        order_id=s.order_id,
        place_kind=s.place_kind,
        place=s.place,
        site_id=s.site_id,
        venue_id=s.venue_id,
        latitude=s.latitude,
        longitude=s.longitude,
        format=s.format,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        audience_count=s.audience_count,
        listener_count=s.listener_count,
        closed_at=s.closed_at,
        cancelled_at=s.cancelled_at,
        cancel_reason=s.cancel_reason,
    )


def photo_out(p: SessionPhoto) -> LecturePhotoOut:
    return LecturePhotoOut(
        id=p.pk,
        session_id=p.session_id,
        content_type=p.content_type,
        size=p.size,
        width=p.width,
        height=p.height,
        caption=p.caption,
        uploaded_at=p.uploaded_at,
    )


def attendance_out(a: Attendance) -> LectureAttendanceOut:
    return LectureAttendanceOut(session_id=a.session_id, subject_id=a.subject_id, method=a.method, at=a.at)


def _fresh(session_id: int) -> Session:
    return reads.session_fresh(session_id)


# --- Operations ---------------------------------------------------------------------------------
@router.get("/sessions", response=LectureSessionPage, operation_id="lectures_sessions")
def sessions(request: SignedInRequest, filters: Query[LectureSessionQuery]) -> LectureSessionPage:
    """Lecture sessions: those you run (lecture administrators, town officers, team leaders,
    speakers; 404 for anyone else), or the planned ones in your town (``scope=upcoming``)."""
    if filters.scope == "upcoming":
        items, total = reads.sessions_upcoming(actor=request.user, offset=filters.offset, limit=filters.limit)
    else:
        items, total = reads.sessions_run(
            actor=request.user, status=filters.status, offset=filters.offset, limit=filters.limit
        )
    return LectureSessionPage(
        total=total, offset=filters.offset, limit=filters.limit, items=[session_out(s) for s in items]
    )


@router.post("/sessions", response={201: LectureSessionOut}, operation_id="lectures_session_create")
def session_new(request: SignedInRequest, payload: LectureSessionIn) -> Status[LectureSessionOut]:
    """Record a planned lecture session (``order_id``: the session of an accepted order, by its
    dispatched speaker or team). Times need a time zone; a mobile place needs coordinates."""
    s = session_create(actor=request.user, **payload.dict())
    return Status(201, session_out(_fresh(s.pk)))


@router.get(
    "/sessions/{int:session_id}",
    response=LectureSessionDetailOut,
    operation_id="lectures_session",
    auth=gated(access_session_for_read),
)
def session_detail(request: SignedInRequest, session_id: int) -> LectureSessionDetailOut:
    """One session: speakers, sayings, photos and counts; the listeners only for those who run it."""
    v = reads.session_view(actor=request.user, session_id=session_id)
    return LectureSessionDetailOut(
        **session_out(v.session).dict(),
        speakers=[
            LectureSpeakerRef(
                id=x.speaker_id, name=x.speaker.name, counts_for_quota=x.counts_for_quota, at_link=x.at_link
            )
            for x in v.speakers
        ],
        sayings=[LectureSayingRef(id=x.saying_id, key=x.saying_key, text=x.saying.text) for x in v.sayings],
        photos=[photo_out(p) for p in v.photos],
        runs=v.runs,
        listeners=[
            LectureListenerOut(subject_id=x.subject_id, name=x.name, method=x.method, at=x.at) for x in v.listeners
        ],
        checked_in=v.my_attendance is not None,
    )


@router.patch(
    "/sessions/{int:session_id}",
    response=LectureSessionOut,
    operation_id="lectures_session_update",
    auth=gated(access_session_for_running),
)
def session_patch(request: SignedInRequest, session_id: int, payload: LectureSessionPatch) -> LectureSessionOut:
    """Change a planned session (the fields sent; whoever runs it). 409 once closed or cancelled,
    or when the time moves after listeners checked in."""
    session_update(actor=request.user, session_id=session_id, **payload.dict(exclude_unset=True))
    return session_out(_fresh(session_id))


@router.post(
    "/sessions/{int:session_id}/photos",
    response={201: LecturePhotoOut},
    operation_id="lectures_session_photo_add",
    auth=gated(access_session_for_running),
)
def session_photo(
    request: SignedInRequest, session_id: int, file: File[UploadedFile], caption: Form[str] = ""
) -> Status[LecturePhotoOut]:
    """Add a photo (JPEG, PNG or WebP by content, within the size limit) as evidence; it is
    stored re-encoded without its metadata. 409 for the same photo twice or past the limit."""
    return Status(201, photo_out(photo_add(actor=request.user, session_id=session_id, upload=file, caption=caption)))


@router.post(
    "/sessions/{int:session_id}/attendance",
    response=LectureAssistOut,
    operation_id="lectures_session_assist",
    auth=gated(access_session_for_running),
)
def session_assist(request: SignedInRequest, session_id: int, payload: LectureAssistIn) -> LectureAssistOut:
    """Record listeners present without a phone, by ID number or person file, with a reason.
    Those refused (already in, at another lecture, a speaker) are listed in ``skipped``."""
    result = attendance_assisted(
        actor=request.user,
        session_id=session_id,
        id_numbers=payload.id_numbers,
        subject_ids=payload.subject_ids,
        reason=payload.reason,
    )
    return LectureAssistOut(
        recorded=[attendance_out(a) for a in result.recorded],
        skipped=[LectureSkippedOut(subject_id=sid, problem=code) for sid, code in result.skipped],
    )


@router.post(
    "/sessions/{int:session_id}/close",
    response=LectureCloseOut,
    operation_id="lectures_session_close",
    auth=gated(access_session_for_running),
)
def session_close_op(request: SignedInRequest, session_id: int, payload: LectureCloseIn) -> LectureCloseOut:
    """Close a finished session: credit for listeners (P-PRA-01) and speakers (P-PRA-02) once,
    within the yearly caps; its order is held for rating. 409 when closed already."""
    r = session_close(actor=request.user, session_id=session_id, audience_count=payload.audience_count)
    return LectureCloseOut(
        session=session_out(_fresh(session_id)),
        listeners=r.listeners,
        listener_points=r.listener_points,
        speakers=r.speakers,
        speaker_points=r.speaker_points,
        capped=r.capped,
        without_consent=r.without_consent,
        order_held=r.order_held,
    )


@router.post(
    "/sessions/{int:session_id}/cancel",
    response=LectureSessionOut,
    operation_id="lectures_session_cancel",
    auth=gated(access_session_for_running),
)
def session_cancel_op(request: SignedInRequest, session_id: int, payload: LectureCancelIn) -> LectureSessionOut:
    """Cancel a planned session, with a reason (409 once closed or cancelled)."""
    session_cancel(actor=request.user, session_id=session_id, reason=payload.reason)
    return session_out(_fresh(session_id))


@router.post("/checkin", response={201: LectureAttendanceOut}, operation_id="lectures_checkin")
def checkin(request: SignedInRequest, payload: LectureCheckinIn) -> Status[LectureAttendanceOut]:
    """Check in at a lecture with the code on the organiser's screen (your own consenting file).
    409 ``already_in``, ``elsewhere``, ``speaker`` or ``not_open``; 422 for a forged or expired code."""
    return Status(201, attendance_out(lecture_checkin(actor=request.user, token=payload.token)))


@router.get("/my-lectures", response=MyLecturesOut, operation_id="lectures_my_lectures")
def my_lectures(request: SignedInRequest) -> MyLecturesOut:
    """The lectures you attended and gave, latest first, with the credit each brought."""
    attended, given = reads.my_lectures(actor=request.user)

    def out(x: reads.MyLecture) -> MyLectureOut:
        return MyLectureOut(session=session_out(x.session), role=x.role, at=x.at, points=x.points)

    return MyLecturesOut(attended=[out(x) for x in attended], given=[out(x) for x in given])
