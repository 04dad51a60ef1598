"""JSON endpoints of the lecture programme's people: speakers, adoption links, the quota board
and policy, lecture teams (the pages call the same services and selectors).

Everyone signed in reads speakers and lecture teams; the link board, the quota board and a
head's history follow their selectors' rules; writes are for lecture administrators (and a
town officer for the brand of a team of their town). Missing and forbidden look the same (404).
"""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.lectures.api.people_schemas import (
    AdoptionLinkBoardOut,
    AdoptionLinkEndIn,
    AdoptionLinkIn,
    AdoptionLinkOut,
    AdoptionLinkQuery,
    AdoptionLinkRowOut,
    LectureRegionRef,
    LectureTeamOut,
    LectureTeamQuery,
    LectureTeamRef,
    LectureTierOut,
    QuotaBoardOut,
    QuotaCellOut,
    QuotaHeadHistoryOut,
    QuotaHeadPeriodOut,
    QuotaHeadRowOut,
    QuotaOverdueOut,
    QuotaPeriodOut,
    QuotaPolicyIn,
    QuotaPolicyOut,
    QuotaQuery,
    QuotaRangeQuery,
    SpeakerDetailOut,
    SpeakerIn,
    SpeakerOut,
    SpeakerPage,
    SpeakerPatch,
    SpeakerQuery,
    SpeakerRatingOut,
    SpeakerSessionOut,
    TeamBrandIn,
)
from rongxin.lectures.models import AdoptionLink, QuotaPolicy, Session, Speaker
from rongxin.lectures.permissions.people import (
    access_link_for_admin,
    access_quota_head,
    access_speaker,
    access_speaker_for_admin,
    access_team_for_brand,
    lecture_admin_only,
)
from rongxin.lectures.selectors import links as link_reads
from rongxin.lectures.selectors import quota as quota_reads
from rongxin.lectures.selectors import speakers as speaker_reads
from rongxin.lectures.selectors import teams as team_reads
from rongxin.lectures.selectors.quota import Cell
from rongxin.lectures.services import links as link_services
from rongxin.lectures.services import quota as quota_services
from rongxin.lectures.services import speakers as speaker_services
from rongxin.lectures.services import teams as team_services
from rongxin.regions.models import Region
from rongxin.regions.selectors import region_get_by_code

router = Router(tags=["lectures"])


# --- Conversions ---------------------------------------------------------------------------------
def _region(r: Region) -> LectureRegionRef:
    return LectureRegionRef(code=r.code, name=r.name)


def speaker_out(s: Speaker) -> SpeakerOut:
    return SpeakerOut(**_speaker_fields(s))


def _speaker_fields(s: Speaker) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "name": s.name,
        "position": s.position,
        "area": _region(s.area),
        "department": s.department.code if s.department else None,
        "team": LectureTeamRef(id=s.team.pk, name=s.team.name) if s.team else None,
        "topics": list(s.topics or []),
        "quota_since": s.quota_since,
        "quota_until": s.quota_until,
        "active": s.active,
        "has_account": s.user_id is not None,
    }


def session_out(session: Session, *, counts: bool = False, at_link: bool = False) -> SpeakerSessionOut:
    return SpeakerSessionOut(
        id=session.pk,
        title=session.title,
        starts_at=session.starts_at,
        status=session.status,
        region=_region(session.region),
        counts_for_quota=counts,
        at_link=at_link,
    )


def link_fields(link: AdoptionLink) -> dict[str, Any]:
    return {
        "id": link.pk,
        "speaker": link.speaker_id,
        "speaker_name": link.speaker.name,
        "town": _region(link.town),
        "village": _region(link.village),
        "enterprise": link.enterprise.name,
        "enterprise_id": link.enterprise_id,
        "term_start": link.term_start,
        "term_end": link.term_end,
        "ended_at": link.ended_at,
        "last_day": link_reads.last_day(link),
    }


def cell_out(cell: Cell) -> QuotaCellOut:
    return QuotaCellOut(period=cell.period.key, count=cell.count, state=cell.state)


def policy_out(p: QuotaPolicy) -> QuotaPolicyOut:
    return QuotaPolicyOut(
        effective_from=p.effective_from,
        lectures_per_period=p.lectures_per_period,
        period_months=p.period_months,
        notice_days=p.notice_days,
    )


def _area(code: str | None) -> Region | None:
    return region_get_by_code(code=code, field="area") if code else None


# --- Speakers ------------------------------------------------------------------------------------
@router.get("/speakers", response=SpeakerPage, operation_id="lectures_speakers")
def speakers(request: SignedInRequest, filters: Query[SpeakerQuery]) -> SpeakerPage:
    """Speakers (leaders, heads, team members, volunteers), filtered by kind, area and name."""
    data = filters.dict()
    items, total = speaker_reads.speaker_list(
        actor=request.user,
        kind=data["kind"] or "",
        area=_area(data["area"]),
        q=(data["q"] or "").strip(),
        offset=data["offset"],
        limit=data["limit"],
    )
    return SpeakerPage(total=total, offset=data["offset"], limit=data["limit"], items=[speaker_out(s) for s in items])


@router.post(
    "/speakers", response={201: SpeakerOut}, operation_id="lectures_speaker_create", auth=gated(lecture_admin_only)
)
def speaker_create(request: SignedInRequest, payload: SpeakerIn) -> Status[SpeakerOut]:
    """A lecture administrator adds a speaker (only heads have a quota; an account or credit
    file belongs to one speaker: 409 otherwise)."""
    return Status(201, speaker_out(speaker_services.speaker_create(actor=request.user, **payload.dict())))


@router.get(
    "/speakers/{int:speaker_id}",
    response=SpeakerDetailOut,
    operation_id="lectures_speaker",
    auth=gated(access_speaker),
)
def speaker(request: SignedInRequest, speaker_id: int) -> SpeakerDetailOut:
    """A speaker's page: their sessions (newest first), topics and ratings."""
    view = speaker_reads.speaker_detail(actor=request.user, speaker_id=speaker_id)
    return SpeakerDetailOut(
        **_speaker_fields(view.speaker),
        sessions=[session_out(s.session, counts=s.counts_for_quota, at_link=s.at_link) for s in view.sessions],
        session_total=view.session_total,
        rating=SpeakerRatingOut(average=view.rating.average, count=view.rating.count),
    )


@router.patch(
    "/speakers/{int:speaker_id}",
    response=SpeakerOut,
    operation_id="lectures_speaker_update",
    auth=gated(access_speaker_for_admin),
)
def speaker_update(request: SignedInRequest, speaker_id: int, payload: SpeakerPatch) -> SpeakerOut:
    """A lecture administrator changes a speaker; fields left out stay as they are."""
    changes = payload.dict(exclude_unset=True)
    if "active" in changes and changes["active"] is None:
        changes.pop("active")
    for field in ("name", "position", "area_code", "topics"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    return speaker_out(speaker_services.speaker_update(actor=request.user, speaker_id=speaker_id, **changes))


# --- Adoption links ------------------------------------------------------------------------------
@router.get("/links", response=AdoptionLinkBoardOut, operation_id="lectures_links")
def links(request: SignedInRequest, filters: Query[AdoptionLinkQuery]) -> AdoptionLinkBoardOut:
    """The adoption-link board on a day: links in force with each leader's sessions there, the
    towns and villages with and without a leader, the adopted enterprises."""
    board = link_reads.link_board(actor=request.user, on=filters.on)
    return AdoptionLinkBoardOut(
        on=board.on,
        links=[
            AdoptionLinkRowOut(**link_fields(row.link), sessions=[session_out(s, at_link=True) for s in row.sessions])
            for row in board.links
        ],
        towns_with=[_region(r) for r in board.towns_with],
        towns_without=[_region(r) for r in board.towns_without],
        villages_with=[_region(r) for r in board.villages_with],
        villages_without=[_region(r) for r in board.villages_without],
        enterprises=[name for _pk, name in board.enterprises],
        leaders_without=[s.name for s in board.leaders_without],
    )


@router.post(
    "/links", response={201: AdoptionLinkOut}, operation_id="lectures_link_create", auth=gated(lecture_admin_only)
)
def link_create(request: SignedInRequest, payload: AdoptionLinkIn) -> Status[AdoptionLinkOut]:
    """A lecture administrator links a county leader to a town, a village or community of it and
    an enterprise for a term (409 when the leader already has a link in part of the term)."""
    link = link_services.link_create(actor=request.user, **payload.dict())
    return Status(201, AdoptionLinkOut(**link_fields(link)))


@router.post(
    "/links/{int:link_id}/end",
    response=AdoptionLinkOut,
    operation_id="lectures_link_end",
    auth=gated(access_link_for_admin),
)
def link_end(request: SignedInRequest, link_id: int, payload: AdoptionLinkEndIn) -> AdoptionLinkOut:
    """A lecture administrator ends a link early, with a reason."""
    link = link_services.link_end(actor=request.user, link_id=link_id, on=payload.on, reason=payload.reason)
    return AdoptionLinkOut(**link_fields(link))


# --- The quota -----------------------------------------------------------------------------------
@router.get("/quota", response=QuotaBoardOut, operation_id="lectures_quota")
def quota(request: SignedInRequest, filters: Query[QuotaQuery]) -> QuotaBoardOut:
    """The quota board: each head (that the caller sees) and period with the lectures counted
    and the state done, due, overdue or not_due; the overdue list newest period first."""
    data = filters.dict()
    board = quota_reads.quota_board(actor=request.user, first=data["first"], last=data["last"], region=data["region"])
    rows = [row for row in board.rows if data["state"] is None or row.has(data["state"])]
    offset, limit = data["offset"], data["limit"]
    return QuotaBoardOut(
        first=board.first,
        last=board.last,
        today=board.today,
        periods=[
            QuotaPeriodOut(key=qp.key, start=qp.period.start, end=qp.period.end, required=qp.required)
            for qp in board.periods
        ],
        totals=board.totals,
        overdue=[QuotaOverdueOut(speaker=s.pk, name=s.name, period=c.period.key) for s, c in board.overdue],
        total=len(rows),
        offset=offset,
        limit=limit,
        items=[
            QuotaHeadRowOut(
                speaker=row.speaker.pk,
                name=row.speaker.name,
                position=row.speaker.position,
                area=_region(row.speaker.area),
                cells=[cell_out(c) for c in row.cells],
            )
            for row in rows[offset : offset + limit]
        ],
    )


@router.get(
    "/quota/{int:speaker_id}",
    response=QuotaHeadHistoryOut,
    operation_id="lectures_quota_head",
    auth=gated(access_quota_head),
)
def quota_head(request: SignedInRequest, speaker_id: int, filters: Query[QuotaRangeQuery]) -> QuotaHeadHistoryOut:
    """One head's quota history, newest period first, with the lectures that counted (a staff
    read is audited)."""
    history = quota_reads.quota_head(actor=request.user, speaker_id=speaker_id, first=filters.first, last=filters.last)
    return QuotaHeadHistoryOut(
        speaker=speaker_out(history.speaker),
        first=history.first,
        last=history.last,
        periods=[
            QuotaHeadPeriodOut(
                **cell_out(p.cell).dict(),
                start=p.cell.period.period.start,
                end=p.cell.period.period.end,
                required=p.cell.period.required,
                sessions=[session_out(s, counts=True) for s in p.sessions],
            )
            for p in history.periods
        ],
    )


@router.get("/quota-policy", response=list[QuotaPolicyOut], operation_id="lectures_quota_policies")
def quota_policies(request: SignedInRequest) -> list[QuotaPolicyOut]:
    """The quota policies, newest first (without any, one lecture every two months applies)."""
    return [policy_out(p) for p in quota_reads.quota_policies(actor=request.user)]


@router.post(
    "/quota-policy",
    response={201: QuotaPolicyOut},
    operation_id="lectures_quota_policy_set",
    auth=gated(lecture_admin_only),
)
def quota_policy_set(request: SignedInRequest, payload: QuotaPolicyIn) -> Status[QuotaPolicyOut]:
    """A lecture administrator sets the quota from the first day of a coming period on."""
    return Status(201, policy_out(quota_services.quota_policy_set(actor=request.user, **payload.dict())))


# --- Lecture teams -------------------------------------------------------------------------------
@router.get("/teams", response=list[LectureTierOut], operation_id="lectures_teams")
def teams(request: SignedInRequest, filters: Query[LectureTeamQuery]) -> list[LectureTierOut]:
    """Lecture teams in the three tiers (department experts, urban professionals, town and
    village self-service), each with brand, members and sessions."""
    tiers = team_reads.lecture_teams(actor=request.user, region=_area(filters.region), tier=filters.tier or "")
    return [LectureTierOut(tier=t.code, label=str(t.label), teams=[team_out(row) for row in t.teams]) for t in tiers]


def team_out(row: team_reads.TeamRow) -> LectureTeamOut:
    return LectureTeamOut(
        id=row.team.pk,
        name=row.team.name,
        tier=row.team.tier,
        region=_region(row.team.region),
        brand=row.brand,
        audience=row.audience,
        members=row.members,
        sessions=row.sessions,
    )


@router.put(
    "/teams/{int:team_id}/brand",
    response=LectureTeamOut,
    operation_id="lectures_team_brand_set",
    auth=gated(access_team_for_brand),
)
def team_brand_set(request: SignedInRequest, team_id: int, payload: TeamBrandIn) -> LectureTeamOut:
    """A lecture administrator, or the town officer over the team's region, sets a lecture
    team's brand and audience."""
    team_services.team_brand_set(actor=request.user, team_id=team_id, brand=payload.brand, audience=payload.audience)
    return team_out(team_reads.lecture_team_get(actor=request.user, team_id=team_id))
