"""Reads of speakers: the list with filters and a speaker's page (sessions, topics, ratings).

A speaker is a public figure of the programme: everyone signed in reads their page. It holds
their name, position, area, team, topics, sessions and the ratings of their lectures, never an
ID number or a phone (the credit file is not read here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department, User
from rongxin.core.errors import NotFound, field_error
from rongxin.lectures.models import Order, Session, SessionSpeaker, Speaker
from rongxin.lectures.permissions.common import is_lecture_admin, signed_in
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject, SubjectAccount
from rongxin.volunteering.models import Team

SESSIONS_SHOWN = 100


def _readable(actor: User | AnonymousUser | None) -> User:
    if not signed_in(actor):
        raise NotFound()
    return actor


def speakers_filtered(*, kind: str = "", area: Region | None = None, q: str = "") -> QuerySet[Speaker]:
    """Speakers of ``kind`` whose area lies in ``area``, whose name or position holds ``q``."""
    rows = Speaker.objects.select_related("area", "team", "department")
    if kind:
        rows = rows.filter(kind=kind)
    if area is not None:
        rows = rows.filter(area__prefix__startswith=area.prefix)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(position__icontains=q))
    return rows.order_by("kind", "name", "id")


def speaker_list(
    *,
    actor: User | AnonymousUser | None,
    kind: str = "",
    area: Region | None = None,
    q: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Speaker], int]:
    """A page of speakers (any signed-in reader) and the total. NotFound when not signed in."""
    _readable(actor)
    rows = speakers_filtered(kind=kind, area=area, q=q)
    return list(rows[offset : offset + limit]), rows.count()


@dataclass(frozen=True)
class SpeakerSession:
    session: Session
    counts_for_quota: bool
    at_link: bool


@dataclass(frozen=True)
class Rating:
    average: Decimal | None  # one decimal place; None without ratings
    count: int


@dataclass(frozen=True)
class SpeakerView:
    speaker: Speaker
    sessions: list[SpeakerSession]  # newest first, at most SESSIONS_SHOWN
    session_total: int
    topics: list[str]
    rating: Rating
    can_edit: bool


def speaker_rating(speaker_id: int) -> Rating:
    """Average and count of the ratings of orders given to the speaker or held at one of their
    sessions (each order once)."""
    rated = Order.objects.filter(
        Q(speaker_id=speaker_id) | Q(session__speakers__speaker_id=speaker_id), rating__isnull=False
    ).values("pk")
    figures = Order.objects.filter(pk__in=rated).aggregate(average=Avg("rating"), count=Count("pk"))
    average = figures["average"]
    return Rating(
        average=None if average is None else Decimal(str(average)).quantize(Decimal("0.1"), ROUND_HALF_UP),
        count=figures["count"],
    )


def speaker_get(speaker_id: int) -> Speaker:
    speaker = Speaker.objects.select_related("area", "team", "department").filter(pk=speaker_id).first()
    if speaker is None:
        raise NotFound()
    return speaker


def speaker_detail(*, actor: User | AnonymousUser | None, speaker_id: int) -> SpeakerView:
    """A speaker's page for anyone signed in: their sessions (newest first), topics and the
    ratings of their lectures. NotFound when not signed in or missing."""
    reader = _readable(actor)
    speaker = speaker_get(speaker_id)
    links = (
        SessionSpeaker.objects.filter(speaker=speaker)
        .select_related("session", "session__region", "session__team")
        .order_by("-session__starts_at", "-session_id")
    )
    sessions = [SpeakerSession(s.session, s.counts_for_quota, s.at_link) for s in links[:SESSIONS_SHOWN]]
    return SpeakerView(
        speaker=speaker,
        sessions=sessions,
        session_total=links.count() if len(sessions) == SESSIONS_SHOWN else len(sessions),
        topics=list(speaker.topics or []),
        rating=speaker_rating(speaker.pk),
        can_edit=is_lecture_admin(reader),
    )


# --- Choices for the forms -----------------------------------------------------------------------
def area_choices() -> list[tuple[str, str]]:
    """The county and its towns, as (code, name)."""
    return list(
        Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.TOWN])
        .order_by("code")
        .values_list("code", "name")
    )


def town_choices() -> list[tuple[str, str]]:
    return list(Region.objects.filter(level=Region.Level.TOWN).order_by("code").values_list("code", "name"))


def village_choices() -> list[tuple[str, str]]:
    """Every village or community as (code, "town · village")."""
    return [
        (v.code, f"{v.parent.name if v.parent else ''} · {v.name}")
        for v in Region.objects.filter(level=Region.Level.VILLAGE).select_related("parent").order_by("code")
    ]


def department_choices() -> list[tuple[str, str]]:
    return list(Department.objects.order_by("code").values_list("code", "name"))


def lecture_team_choices() -> list[tuple[int, str]]:
    return list(
        Team.objects.filter(kind=Team.Kind.LECTURE, active=True)
        .order_by("region__code", "name")
        .values_list("pk", "name")
    )


def leader_choices() -> list[tuple[int, str]]:
    return list(
        Speaker.objects.filter(kind=Speaker.Kind.LEADER, active=True).order_by("name", "pk").values_list("pk", "name")
    )


def account_for_speaker(username: str) -> tuple[int, int | None]:
    """(account, its own credit file or None) for the user name an administrator typed.
    InvalidInput on ``username`` when no active account has it."""
    user = User.objects.filter(username=username.strip(), is_active=True).first()
    if user is None:
        raise field_error("username", _("No active account has this user name."), code="unknown_user")
    own = SubjectAccount.objects.filter(
        user=user, relation=SubjectAccount.Relation.SELF, subject__kind=Subject.Kind.PERSON
    ).first()
    return user.pk, own.subject_id if own else None
