"""Reads of commendation meetings: the list in the viewer's scope, the working list of one
meeting (every name, removed, excluded and withdrawn ones with why, the objections and the
awards; an audited staff read), and the public list during publicity and after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.money import ZERO
from rongxin.funds.models import Meeting, Nomination, Objection
from rongxin.funds.permissions.common import access_meeting, meeting_role, reader_role
from rongxin.funds.selectors.scope import meetings_in_scope
from rongxin.regions.models import Region

PUBLIC_STATUSES = (Meeting.Status.PUBLICITY, Meeting.Status.AWARDING, Meeting.Status.PUBLISHED)


@dataclass
class MeetingBoard:
    meeting: Meeting
    runs: bool  # the viewer runs the meeting (may act on it)
    proposed: list[Nomination] = field(default_factory=list)  # proposed or awarded
    others: list[Nomination] = field(default_factory=list)  # removed, excluded, withdrawn
    objections: list[Objection] = field(default_factory=list)
    money: Decimal = ZERO
    goods: Decimal = ZERO

    @property
    def open_objections(self) -> int:
        return sum(1 for o in self.objections if o.status == Objection.Status.OPEN)

    @property
    def without_award(self) -> int:
        return sum(1 for n in self.proposed if not n.award_kind)


def meeting_list(*, actor: User | AnonymousUser, limit: int = 200) -> list[Meeting]:
    """The meetings the actor reads, newest quarter first."""
    return list(meetings_in_scope(actor)[:limit])


def meeting_regions(*, actor: User | AnonymousUser) -> list[Region]:
    """The towns and villages whose meetings the actor runs (for the create form)."""
    regions: dict[int, Region] = {}
    for grant in grants_with_roles(actor, [Role.TOWN_OFFICER, Role.VILLAGE_OFFICER]):
        if grant.region.level in (Region.Level.TOWN, Region.Level.VILLAGE) and meeting_role(actor, grant.region):
            regions[grant.region.pk] = grant.region
    return sorted(regions.values(), key=lambda r: r.code)


def meeting_board(*, actor: User | AnonymousUser, meeting_id: int) -> MeetingBoard:
    """The working list of a meeting the actor reads (NotFound otherwise); the read is audited."""
    meeting = access_meeting(actor, meeting_id)
    names = list(
        Nomination.objects.filter(meeting=meeting)
        .select_related("subject", "subject__village", "award_entry")
        .order_by("category", "id")
    )
    board = MeetingBoard(meeting=meeting, runs=bool(meeting_role(actor, meeting.region)))
    for n in names:
        if n.status in (Nomination.Status.PROPOSED, Nomination.Status.AWARDED):
            board.proposed.append(n)
            if n.award_kind == Nomination.AwardKind.MONEY:
                board.money += n.award_amount or ZERO
            elif n.award_kind == Nomination.AwardKind.GOODS:
                board.goods += n.award_amount or ZERO
        else:
            board.others.append(n)
    board.objections = list(
        Objection.objects.filter(meeting=meeting).select_related("nomination__subject").order_by("lodged_at", "id")
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action="meeting.read",
        role=meeting_role(actor, meeting.region) or reader_role(actor, meeting.fund),
        object_type="meeting",
        object_id=meeting.pk,
    )
    return board


@dataclass(frozen=True)
class PublicName:
    nomination_id: int
    name: str
    village: str
    category: str
    category_label: str
    reasons: list[str]


@dataclass
class PublicMeeting:
    meeting: Meeting
    names: list[PublicName]
    objections_open: bool  # objections are taken today


def meeting_public(*, meeting_id: int, today: dt.date) -> PublicMeeting:
    """A meeting's public list (during publicity and after): each proposed or awarded name with
    village, category and reasons; never an ID number or a score. NotFound before publicity and
    for cancelled meetings."""
    meeting = Meeting.objects.select_related("region").filter(pk=meeting_id, status__in=PUBLIC_STATUSES).first()
    if meeting is None:
        raise NotFound()
    rows = (
        Nomination.objects.filter(meeting=meeting, status__in=[Nomination.Status.PROPOSED, Nomination.Status.AWARDED])
        .select_related("subject__village")
        .order_by("category", "id")
    )
    names = [
        PublicName(
            nomination_id=n.pk,
            name=n.subject.name,
            village=n.subject.village.name,
            category=n.category,
            category_label=str(n.get_category_display()),
            reasons=[str(r.get("text", "")) for r in n.reasons if isinstance(r, dict)],
        )
        for n in rows
    ]
    open_now = (
        meeting.status == Meeting.Status.PUBLICITY
        and meeting.publicity_starts_on is not None
        and meeting.publicity_ends_on is not None
        and meeting.publicity_starts_on <= today <= meeting.publicity_ends_on
    )
    return PublicMeeting(meeting=meeting, names=names, objections_open=open_now)
