"""JSON endpoints of quarterly commendations (the pages call the same services):

- ``GET|POST /funds/meetings``: the meetings you read; create one (201) for a town or village
  you run;
- ``GET /funds/meetings/{id}``: the working list (every name with reasons, removed and excluded
  ones with why, objections, awards); an audited read;
- ``POST /funds/meetings/{id}/nominate | publicity | award | publish | cancel``: the steps;
- ``POST /funds/meetings/{id}/nominations`` (add), ``…/nominations/{nid}/remove``,
  ``…/nominations/{nid}/award``, ``…/objections/{oid}/answer``: the committee's changes;
- ``GET /funds/public/meetings/{id}`` and ``POST /funds/public/meetings/{id}/objections``: the
  public list and objections, no sign-in, rate-limited per client address.

Whoever does not run (or read) the meeting gets 404, asked before the body is read. Amounts are
strings (``"200.50"``) or integers; at most two decimals.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import File, Router, Status
from ninja.files import UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound, TooManyRequests
from rongxin.funds.api.meetings_schemas import (
    MeetingAwardOut,
    MeetingBoardOut,
    MeetingCancelIn,
    MeetingIn,
    MeetingObjectionAnswerIn,
    MeetingObjectionIn,
    MeetingObjectionLodgedOut,
    MeetingObjectionOut,
    MeetingOut,
    MeetingPublicityIn,
    MeetingPublicNameOut,
    MeetingPublicOut,
    MeetingReasonOut,
    NominationAddIn,
    NominationAwardIn,
    NominationOut,
    NominationRemoveIn,
)
from rongxin.funds.models import Meeting, Nomination, Objection
from rongxin.funds.permissions.common import access_meeting, fund_regions
from rongxin.funds.permissions.meetings import (
    OBJECTION_RATE_GROUP,
    PUBLICITY_RATE_GROUP,
    objection_rate,
    publicity_rate,
)
from rongxin.funds.selectors.meetings import meeting_board, meeting_list, meeting_public
from rongxin.funds.services.awards import meeting_award
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_nominate,
    meeting_publish,
    meeting_start_publicity,
    nomination_add,
    nomination_remove,
    nomination_set_award,
)
from rongxin.funds.services.objections import objection_answer, objection_lodge

router = Router(tags=["funds"])


def reader(user: object, meeting_id: int, **_path: object) -> None:
    access_meeting(user, meeting_id)  # type: ignore[arg-type]


def runner(user: object, meeting_id: int, **_path: object) -> None:
    access_meeting(user, meeting_id, run=True)  # type: ignore[arg-type]


def any_meetings(user: object, **_path: object) -> None:
    if not fund_regions(user):  # type: ignore[arg-type]
        raise NotFound()


# --- Presenters -------------------------------------------------------------------------------------
def meeting_out(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk,
        region_id=m.region_id,
        region=m.region.name,
        fund_id=m.fund_id,
        year=m.year,
        quarter=m.quarter,
        title=m.title,
        status=m.status,
        publicity_days=m.publicity_days,
        publicity_starts_on=m.publicity_starts_on,
        publicity_ends_on=m.publicity_ends_on,
        held_on=m.held_on,
        published_at=m.published_at,
    )


def nomination_out(n: Nomination) -> NominationOut:
    return NominationOut(
        id=n.pk,
        subject_id=n.subject_id,
        name=n.subject.name,
        village=n.subject.village.name,
        category=n.category,
        origin=n.origin,
        status=n.status,
        status_reason=n.status_reason,
        reasons=[
            MeetingReasonOut(code=str(r.get("code", "")), text=str(r.get("text", "")))
            for r in n.reasons
            if isinstance(r, dict)
        ],
        award_kind=n.award_kind,
        award_amount=n.award_amount,
        award_goods=n.award_goods,
        award_entry_id=n.award_entry_id,
        credit_status=n.credit_status,
        credit_points=n.credit_points,
    )


def objection_out(o: Objection) -> MeetingObjectionOut:
    return MeetingObjectionOut(
        id=o.pk,
        nomination_id=o.nomination_id,
        name=o.nomination.subject.name,
        text=o.text,
        contact=o.contact,
        lodged_at=o.lodged_at,
        status=o.status,
        answer=o.answer,
        answered_at=o.answered_at,
    )


def _board(request: SignedInRequest, meeting_id: int) -> MeetingBoardOut:
    b = meeting_board(actor=request.user, meeting_id=meeting_id)
    return MeetingBoardOut(
        meeting=meeting_out(b.meeting),
        names=[nomination_out(n) for n in b.proposed],
        others=[nomination_out(n) for n in b.others],
        objections=[objection_out(o) for o in b.objections],
        money=b.money,
        goods=b.goods,
    )


# --- Staff ---------------------------------------------------------------------------------------------
@router.get("/meetings", response=list[MeetingOut], operation_id="funds_meetings", auth=gated(any_meetings))
def meetings(request: SignedInRequest) -> list[MeetingOut]:
    """The meetings you read (your towns and villages; all for the county and auditors), newest
    quarter first, at most 200."""
    return [meeting_out(m) for m in meeting_list(actor=request.user)]


@router.post("/meetings", response={201: MeetingOut}, operation_id="funds_meeting_create", auth=gated(any_meetings))
def meeting_new(request: SignedInRequest, payload: MeetingIn) -> Status[MeetingOut]:
    """Create a town's or village's meeting for a quarter (404 for a region you do not run; 409
    ``duplicate_meeting`` or ``no_fund``; 422 ``future_quarter``)."""
    m = meeting_create(actor=request.user, **payload.dict())
    return Status(201, meeting_out(m))


@router.get("/meetings/{int:meeting_id}", response=MeetingBoardOut, operation_id="funds_meeting", auth=gated(reader))
def meeting_get(request: SignedInRequest, meeting_id: int) -> MeetingBoardOut:
    """The working list of the meeting (audited read)."""
    return _board(request, meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/nominate",
    response=MeetingBoardOut,
    operation_id="funds_meeting_nominate",
    auth=gated(runner),
)
def nominate(request: SignedInRequest, meeting_id: int) -> MeetingBoardOut:
    """Draw (or draw again) the list from the platform's data; ``draft`` only."""
    meeting_nominate(actor=request.user, meeting_id=meeting_id)
    return _board(request, meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/nominations",
    response={201: NominationOut},
    operation_id="funds_nomination_add",
    auth=gated(runner),
)
def nomination_new(request: SignedInRequest, meeting_id: int, payload: NominationAddIn) -> Status[NominationOut]:
    """The committee adds a person with a reason (422 ``outside_region``, ``no_consent``,
    ``serious_deduction``; 409 ``already_listed``)."""
    n = nomination_add(actor=request.user, meeting_id=meeting_id, **payload.dict())
    return Status(201, nomination_out(Nomination.objects.select_related("subject__village").get(pk=n.pk)))


@router.post(
    "/meetings/{int:meeting_id}/nominations/{int:nomination_id}/remove",
    response=NominationOut,
    operation_id="funds_nomination_remove",
    auth=gated(runner),
)
def nomination_drop(
    request: SignedInRequest, meeting_id: int, nomination_id: int, payload: NominationRemoveIn
) -> NominationOut:
    """The committee removes a proposed name with a reason."""
    n = nomination_remove(actor=request.user, meeting_id=meeting_id, nomination_id=nomination_id, **payload.dict())
    return nomination_out(Nomination.objects.select_related("subject__village").get(pk=n.pk))


@router.post(
    "/meetings/{int:meeting_id}/nominations/{int:nomination_id}/award",
    response=NominationOut,
    operation_id="funds_nomination_set_award",
    auth=gated(runner),
)
def nomination_award(
    request: SignedInRequest, meeting_id: int, nomination_id: int, payload: NominationAwardIn
) -> NominationOut:
    """Set a proposed name's award: money, goods with their value, or a certificate (422
    ``too_many_decimals``)."""
    n = nomination_set_award(actor=request.user, meeting_id=meeting_id, nomination_id=nomination_id, **payload.dict())
    return nomination_out(Nomination.objects.select_related("subject__village").get(pk=n.pk))


@router.post(
    "/meetings/{int:meeting_id}/publicity",
    response=MeetingOut,
    operation_id="funds_meeting_publicity",
    auth=gated(runner),
)
def publicity(request: SignedInRequest, meeting_id: int, payload: MeetingPublicityIn) -> MeetingOut:
    """Put the list in publicity from today (7 days unless ``days`` says 1 to 30)."""
    return meeting_out(meeting_start_publicity(actor=request.user, meeting_id=meeting_id, days=payload.days))


@router.post(
    "/meetings/{int:meeting_id}/objections/{int:objection_id}/answer",
    response=MeetingObjectionOut,
    operation_id="funds_objection_answer",
    auth=gated(runner),
)
def answer(
    request: SignedInRequest, meeting_id: int, objection_id: int, payload: MeetingObjectionAnswerIn
) -> MeetingObjectionOut:
    """Answer an open objection; upheld withdraws the name."""
    o = objection_answer(actor=request.user, meeting_id=meeting_id, objection_id=objection_id, **payload.dict())
    return objection_out(Objection.objects.select_related("nomination__subject").get(pk=o.pk))


@router.post(
    "/meetings/{int:meeting_id}/award",
    response=MeetingAwardOut,
    operation_id="funds_meeting_award",
    auth=gated(runner),
)
def award(request: SignedInRequest, meeting_id: int, voucher: File[UploadedFile | None] = None) -> MeetingAwardOut:
    """Pay and record the awards after publicity (multipart, ``voucher``: the signed receipt
    list, PDF/JPEG/PNG): one journal entry per money or goods award, a P-HON-06 credit entry per
    name; 422 ``insufficient_funds`` (nothing saved; the message says how much is missing), 409
    ``in_publicity``, ``open_objections``, ``award_missing``, ``already_awarded``."""
    data = read_voucher_upload(voucher) if voucher is not None else None
    name = (voucher.name or "") if voucher is not None else ""
    r = meeting_award(actor=request.user, meeting_id=meeting_id, voucher_data=data, voucher_name=name)
    return MeetingAwardOut(
        meeting=meeting_out(r.meeting), awarded=r.awarded, entries=r.entries, paid=r.paid, credit=r.credit
    )


@router.post(
    "/meetings/{int:meeting_id}/publish",
    response=MeetingOut,
    operation_id="funds_meeting_publish",
    auth=gated(runner),
)
def publish(request: SignedInRequest, meeting_id: int) -> MeetingOut:
    """Publish the honour roll once the awards are paid; nothing changes afterwards."""
    return meeting_out(meeting_publish(actor=request.user, meeting_id=meeting_id))


@router.post(
    "/meetings/{int:meeting_id}/cancel",
    response=MeetingOut,
    operation_id="funds_meeting_cancel",
    auth=gated(runner),
)
def cancel(request: SignedInRequest, meeting_id: int, payload: MeetingCancelIn) -> MeetingOut:
    """Cancel the meeting before its awards are paid."""
    return meeting_out(meeting_cancel(actor=request.user, meeting_id=meeting_id, reason=payload.reason))


# --- Public ---------------------------------------------------------------------------------------------
@router.get("/public/meetings/{int:meeting_id}", auth=None, response=MeetingPublicOut, operation_id="funds_publicity")
def public_meeting(request: HttpRequest, meeting_id: int) -> MeetingPublicOut:
    """A meeting's public list during publicity and after: name, village, category and reasons
    (never an ID number or a score). No sign-in; 404 before publicity; 429 when asked too often."""
    if is_ratelimited(request, group=PUBLICITY_RATE_GROUP, key="ip", rate=publicity_rate, increment=True):
        raise TooManyRequests()
    p = meeting_public(meeting_id=meeting_id, today=clock.today_local())
    m = p.meeting
    return MeetingPublicOut(
        id=m.pk,
        title=m.title,
        region=m.region.name,
        year=m.year,
        quarter=m.quarter,
        status=m.status,
        publicity_starts_on=m.publicity_starts_on,
        publicity_ends_on=m.publicity_ends_on,
        objections_open=p.objections_open,
        names=[
            MeetingPublicNameOut(
                nomination_id=n.nomination_id, name=n.name, village=n.village, category=n.category, reasons=n.reasons
            )
            for n in p.names
        ],
    )


@router.post(
    "/public/meetings/{int:meeting_id}/objections",
    auth=None,
    response={201: MeetingObjectionLodgedOut},
    operation_id="funds_objection_lodge",
)
def objection_new(
    request: HttpRequest, meeting_id: int, payload: MeetingObjectionIn
) -> Status[MeetingObjectionLodgedOut]:
    """Object to a name during publicity; anyone, no sign-in (409 ``not_in_publicity``; 429 when
    too many are sent from one address)."""
    if is_ratelimited(request, group=OBJECTION_RATE_GROUP, key="ip", rate=objection_rate, increment=True):
        raise TooManyRequests()
    o = objection_lodge(meeting_id=meeting_id, **payload.dict())
    return Status(201, MeetingObjectionLodgedOut(id=o.pk, nomination_id=o.nomination_id, lodged_at=o.lodged_at))
