"""Who runs a lecture session, and who sees it.

A session is **run** (photos, assisted attendance, closing, cancelling, the check-in screen, the
listeners' names) by a lecture administrator, a town officer whose town contains the session's
region, a leader of the session's lecture team (with a team-leader grant over the team's home
region), or one of its speakers (the account linked to the speaker record). A session is
**seen** by those who run it, by everyone with a lecture figure role over its region
(auditors), by orderers (village officers, canteen managers, enterprise representatives)
whose grant covers its region, and by any signed-in person while it is planned or closed in their own town (the
listener's side: the sessions they may go to and the ones they went to).

Missing and forbidden look the same (:class:`NotFound`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grant_covering
from rongxin.core.errors import NotFound
from rongxin.lectures.models import Attendance, Session, SessionSpeaker, Speaker
from rongxin.lectures.permissions.common import (
    ORDERER_ROLES,
    figure_regions,
    is_lecture_admin,
    own_speaker,
    signed_in,
    town_officer_covering,
)
from rongxin.subjects.models import Person, Subject, SubjectAccount
from rongxin.volunteering.models import Team
from rongxin.volunteering.permissions import leads


@dataclass(frozen=True)
class SessionAccess:
    session: Session
    role: str  # the role the actor runs the session in


def leads_team(actor: User | AnonymousUser | None, team: Team) -> bool:
    """Whether the actor leads the lecture ``team`` (an accepted leader with a team-leader grant
    over the team's home region)."""
    if not signed_in(actor):
        return False
    if grant_covering(actor, [Role.TEAM_LEADER], team.region) is None:
        return False
    return leads(actor, team) is not None


def running_role(actor: User | AnonymousUser | None, session: Session, speaker: Speaker | None = None) -> str | None:
    """The role in which ``actor`` runs ``session``, or None. ``speaker`` is the actor's own
    speaker record when the caller has it already."""
    if not signed_in(actor):
        return None
    if is_lecture_admin(actor):
        return str(Role.DEPARTMENT_RECORDER)
    if town_officer_covering(actor, session.region) is not None:
        return str(Role.TOWN_OFFICER)
    if session.team is not None and leads_team(actor, session.team):
        return str(Role.TEAM_LEADER)
    me = speaker or own_speaker(actor)
    if me is not None and SessionSpeaker.objects.filter(session=session, speaker=me).exists():
        return str(Role.LECTURER)
    return None


def _sessions(lock: bool = False, no_key: bool = False):  # type: ignore[no-untyped-def]
    qs = Session.objects.select_related("region", "town", "team__region", "order", "site", "venue")
    if lock:
        qs = qs.select_for_update(of=("self",), no_key=no_key)
    return qs


def access_session_for_running(
    actor: User | AnonymousUser | None, *, session_id: int, lock: bool = False, no_key: bool = False
) -> SessionAccess:
    """The session if ``actor`` runs it (locked when asked; ``no_key``: FOR NO KEY UPDATE, which
    lets listeners' check-ins that reference it go on). NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    session = _sessions(lock, no_key).filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    role = running_role(actor, session)
    if role is None:
        raise NotFound()
    return SessionAccess(session=session, role=role)


def runs_session(actor: User | AnonymousUser | None, session: Session) -> bool:
    return running_role(actor, session) is not None


def sees_session(actor: User | AnonymousUser | None, session: Session) -> bool:
    """Whether ``actor`` may read ``session`` (see the module's rules)."""
    if not signed_in(actor):
        return False
    if runs_session(actor, session):
        return True
    if any(r.contains(session.region) for r in figure_regions(actor)):
        return True
    if grant_covering(actor, list(ORDERER_ROLES), session.region) is not None:
        return True  # the village, canteen or enterprise the lecture is held for
    person = own_person_or_none(actor)
    if person is None:
        return False
    if Attendance.objects.filter(session=session, subject_id=person.pk).exists():
        return True
    return session.status != Session.Status.CANCELLED and person.subject.town_id == session.town_id


def access_session_for_read(actor: User | AnonymousUser | None, *, session_id: int) -> Session:
    """The session if ``actor`` may see it. NotFound otherwise."""
    if not signed_in(actor):
        raise NotFound()
    session = _sessions().filter(pk=session_id).first()
    if session is None or not sees_session(actor, session):
        raise NotFound()
    return session


# --- The listener ---------------------------------------------------------------------------------
def own_person_or_none(actor: User | AnonymousUser | None) -> Person | None:
    """The person the actor's account is linked to as their own, or None."""
    if not signed_in(actor):
        return None
    link = (
        SubjectAccount.objects.select_related("subject__person", "subject__town")
        .filter(user=actor, relation=SubjectAccount.Relation.SELF, subject__kind=Subject.Kind.PERSON)
        .order_by("id")
        .first()
    )
    return link.subject.person if link is not None else None


def own_listener(actor: User | AnonymousUser | None) -> Person:
    """The actor's own consenting person record (a listener earns credit, so scoring needs the
    person's consent). NotFound otherwise."""
    person = own_person_or_none(actor)
    if person is None or not person.consent_given:
        raise NotFound()
    return person
