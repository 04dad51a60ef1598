"""Reads of lecture sessions: the organiser's list (their region, team or own lectures), the
listener's list (upcoming lectures in their town), one session with what the viewer may see,
a photo, and a person's own lectures with the credit each brought."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.lectures.models import Attendance, Session, SessionPhoto, SessionSaying, SessionSpeaker
from rongxin.lectures.permissions.common import is_lecture_admin, led_lecture_teams, own_speaker, signed_in
from rongxin.lectures.permissions.sessions import (
    access_session_for_read,
    own_person_or_none,
    running_role,
)

MAX_LIMIT = 100


def _base() -> QuerySet[Session]:
    return Session.objects.select_related("region", "town", "team", "order")


def led_team_ids(actor: User) -> list[int]:
    return [t.pk for t in led_lecture_teams(actor)]


def runs_any(actor: User | Any) -> bool:
    """Whether the actor may run lectures at all (records sessions, sees the organiser's list)."""
    if not signed_in(actor):
        return False
    return (
        is_lecture_admin(actor)
        or bool(grants_with_roles(actor, [Role.TOWN_OFFICER]))
        or own_speaker(actor) is not None
        or bool(led_team_ids(actor))
    )


def run_filter(actor: User) -> Q | None:
    """The sessions the actor runs as a filter (None: none at all)."""
    if is_lecture_admin(actor):
        return Q()
    q = Q(pk__in=[])
    found = False
    for grant in grants_with_roles(actor, [Role.TOWN_OFFICER]):
        q |= Q(region__prefix__startswith=grant.region.prefix)
        found = True
    teams = led_team_ids(actor)
    if teams:
        q |= Q(team_id__in=teams)
        found = True
    me = own_speaker(actor)
    if me is not None:
        q |= Q(pk__in=SessionSpeaker.objects.filter(speaker=me).values("session_id"))
        found = True
    return q if found else None


def sessions_run(*, actor: User, status: str = "", offset: int = 0, limit: int = 50) -> tuple[list[Session], int]:
    """The sessions the actor runs, latest first, and how many there are. NotFound for someone
    who runs none."""
    q = run_filter(actor) if signed_in(actor) else None
    if q is None:
        raise NotFound()
    qs = _base().filter(q)
    if status in Session.Status.values:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, MAX_LIMIT))
    return list(qs.order_by("-starts_at", "-id")[offset : offset + limit]), qs.count()


def sessions_upcoming(*, actor: User, offset: int = 0, limit: int = 50) -> tuple[list[Session], int]:
    """Planned sessions in the signed-in person's town that have not ended, soonest first (empty
    for an account without its own person file)."""
    person = own_person_or_none(actor)
    if person is None:
        return [], 0
    qs = _base().filter(town_id=person.subject.town_id, status=Session.Status.PLANNED, ends_at__gte=clock.now())
    limit = max(1, min(limit, MAX_LIMIT))
    return list(qs.order_by("starts_at", "id")[offset : offset + limit]), qs.count()


@dataclass(frozen=True)
class Listener:
    subject_id: int
    name: str
    method: str
    at: dt.datetime


@dataclass
class SessionView:
    session: Session
    speakers: list[SessionSpeaker]
    sayings: list[SessionSaying]
    photos: list[SessionPhoto]
    runs: bool
    role: str | None
    listeners: list[Listener] = field(default_factory=list)  # only for those who run it
    my_attendance: Attendance | None = None
    is_speaker: bool = False


def session_view(*, actor: User, session_id: int, with_listeners: bool = True) -> SessionView:
    """One session as the actor may see it; the listeners' names only for those who run it
    (that read is audited). NotFound when the actor may not see it."""
    s = access_session_for_read(actor, session_id=session_id)
    role = running_role(actor, s)
    speakers = list(SessionSpeaker.objects.filter(session=s).select_related("speaker").order_by("id"))
    sayings = list(SessionSaying.objects.filter(session=s).select_related("saying").order_by("saying__number", "id"))
    photos = list(SessionPhoto.objects.filter(session=s).defer("data").order_by("id"))
    view = SessionView(session=s, speakers=speakers, sayings=sayings, photos=photos, runs=role is not None, role=role)
    person = own_person_or_none(actor)
    if person is not None:
        view.my_attendance = Attendance.objects.filter(session=s, subject_id=person.pk).first()
        view.is_speaker = any(x.speaker.subject_id == person.pk for x in speakers)
    if role is not None and with_listeners:
        rows = (
            Attendance.objects.filter(session=s)
            .order_by("at", "id")
            .values_list("subject_id", "subject__name", "method", "at")
        )
        view.listeners = [Listener(sid, name, method, at) for sid, name, method, at in rows]
        if view.listeners:
            audit_record(
                actor=actor,
                role=role,
                kind=AuditEvent.Kind.READ,
                action="session.listeners_read",
                object_type="lecture_session",
                object_id=s.pk,
                details={"listeners": len(view.listeners)},
            )
    return view


def photo_for_read(*, actor: User, photo_id: int) -> SessionPhoto:
    """A photo of a session the actor may see. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    photo = SessionPhoto.objects.filter(pk=photo_id).only("id", "session_id").first()
    if photo is None:
        raise NotFound()
    access_session_for_read(actor, session_id=photo.session_id)
    return SessionPhoto.objects.get(pk=photo_id)


@dataclass(frozen=True)
class MyLecture:
    session: Session
    role: str  # "listener" or "speaker"
    at: dt.datetime
    points: int | None  # credit recorded for it; None while the session is not closed


def lectures_of(*, subject_id: int, limit: int = 50) -> tuple[list[MyLecture], list[MyLecture]]:
    """(attended, given) lectures of a person, latest first, with the points each brought."""
    attended = list(
        Attendance.objects.filter(subject_id=subject_id)
        .select_related("session__region", "session__town")
        .order_by("-session__starts_at", "-id")[:limit]
    )
    given = list(
        SessionSpeaker.objects.filter(speaker__subject_id=subject_id)
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session__region", "session__town")
        .order_by("-session__starts_at", "-id")[:limit]
    )
    keys = [f"lecture:{a.session_id}:listener:{subject_id}" for a in attended] + [
        f"lecture:{g.session_id}:speaker:{g.speaker_id}" for g in given
    ]
    points = dict(
        Entry.objects.filter(subject_id=subject_id, source=Entry.Source.LECTURE, source_key__in=keys).values_list(
            "source_key", "points"
        )
    )

    def pts(session: Session, key: str) -> int | None:
        if session.status != Session.Status.CLOSED:
            return None
        return int(points.get(key, 0))

    return (
        [
            MyLecture(a.session, "listener", a.at, pts(a.session, f"lecture:{a.session_id}:listener:{subject_id}"))
            for a in attended
        ],
        [
            MyLecture(
                g.session,
                "speaker",
                g.session.starts_at,
                pts(g.session, f"lecture:{g.session_id}:speaker:{g.speaker_id}"),
            )
            for g in given
        ],
    )


def my_lectures(*, actor: User) -> tuple[list[MyLecture], list[MyLecture]]:
    """The lectures the signed-in person attended and gave, with the credit each brought.
    NotFound for an account without its own person file."""
    person = own_person_or_none(actor)
    if person is None:
        raise NotFound()
    return lectures_of(subject_id=person.pk)


def session_by_code(session_id: int) -> Session | None:
    """The session a check-in code names (the caller checks the code), or None."""
    return Session.objects.select_related("region").filter(pk=session_id).first()


def session_fresh(session_id: int) -> Session:
    """A session just written by a service, read again for the answer."""
    return Session.objects.select_related("region", "town").get(pk=session_id)
