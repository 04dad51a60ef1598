"""Closing a lecture session: the verified attendance becomes credit.

In one transaction, under the session's row lock: each speaker's ``counts_for_quota`` and
``at_link`` are set (:func:`rongxin.lectures.selectors.common.speaker_session_flags`); every
listener whose person file consents to scoring earns rule ``P-PRA-01`` and every speaker with a
credit file earns ``P-PRA-02``, all in one call of
:func:`rongxin.credit.services.awards.awards_record` (department ``civilization_office``, source
``lecture``, keys ``lecture:<session>:listener:<subject>`` and ``lecture:<session>:speaker:<speaker>``,
so an award is never recorded twice; the engine trims to the rules' yearly caps); the session's
accepted order moves to ``held`` (the orderer rates it next). A closed session cannot be closed
again: the second attempt, even at the same moment, waits for the lock and is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.credit.services.awards import Award, awards_record
from rongxin.lectures.models import Attendance, Order, Session, SessionSpeaker
from rongxin.lectures.permissions.common import CREDIT_DEPARTMENT, LISTENER_RULE, SPEAKER_RULE
from rongxin.lectures.permissions.sessions import access_session_for_running
from rongxin.lectures.selectors.common import speaker_session_flags
from rongxin.lectures.services.order_events import order_locked, order_transition_append
from rongxin.lectures.services.sessions import audience_checked

LISTENER_POINTS = 1
SPEAKER_POINTS = 3


@dataclass
class CloseResult:
    session: Session
    listeners: int = 0  # listeners who earned points
    listener_points: int = 0
    speakers: int = 0  # speakers who earned points
    speaker_points: int = 0
    capped: int = 0  # awards the yearly caps left nothing of
    without_consent: int = 0  # listeners present whose file does not consent to scoring
    order_held: bool = False


def listener_key(session_id: int, subject_id: int) -> str:
    return f"lecture:{session_id}:listener:{subject_id}"


def speaker_key(session_id: int, speaker_id: int) -> str:
    return f"lecture:{session_id}:speaker:{speaker_id}"


@transaction.atomic
def session_close(*, actor: User, session_id: int, audience_count: Any = None) -> CloseResult:
    """Whoever runs a finished session closes it: quota and link flags, credit for listeners and
    speakers, the order held. ``audience_count`` is required unless the session has one already.
    Raises NotFound, Conflict (not finished, closed or cancelled), InvalidInput."""
    access = access_session_for_running(actor, session_id=session_id, lock=True)
    s = access.session
    if s.status == Session.Status.CLOSED:
        raise Conflict(_("This lecture is closed already; its credit has been awarded."), code="session_closed")
    if s.status == Session.Status.CANCELLED:
        raise Conflict(_("A cancelled lecture cannot be closed."), code="session_cancelled")
    now = clock.now()
    if now < s.ends_at:
        raise Conflict(_("The lecture has not ended yet."), code="not_finished")
    audience = audience_checked(audience_count)
    if audience is not None:
        s.audience_count = audience
    if s.audience_count is None:
        raise field_error(
            "audience_count", _("Enter how many people listened before closing."), code="audience_required"
        )
    result = CloseResult(session=s)
    day = s.starts_at.astimezone(clock.LOCAL_TZ).date()
    order = Order.objects.filter(pk=s.order_id).first() if s.order_id else None
    enterprise_id = order.enterprise_id if order is not None else None
    links = list(SessionSpeaker.objects.filter(session=s).select_related("speaker__area").order_by("id"))
    for link in links:
        link.counts_for_quota, link.at_link = speaker_session_flags(
            link.speaker, day=day, region=s.region, enterprise_id=enterprise_id
        )
    SessionSpeaker.objects.bulk_update(links, ["counts_for_quota", "at_link"])
    when = f"{day:%Y-%m-%d}"
    listeners = list(
        Attendance.objects.filter(session=s)
        .order_by("subject_id")
        .values_list("subject_id", "subject__person__consent_given")
    )
    count = len(listeners)
    awards: list[Award] = []
    kinds: dict[str, str] = {}
    for subject_id, consent in listeners:
        if not consent:
            result.without_consent += 1
            continue
        key = listener_key(s.pk, subject_id)
        kinds[key] = "listener"
        awards.append(
            Award(
                subject_id=subject_id,
                rule_code=LISTENER_RULE,
                points=LISTENER_POINTS,
                occurred_at=s.ends_at,
                evidence=f"参加理论宣讲：{s.title}，{when}，{s.place}（签到记录）"[:2000],
                source_key=key,
            )
        )
    for link in links:
        if link.speaker.subject_id is None:
            continue
        key = speaker_key(s.pk, link.speaker_id)
        kinds[key] = "speaker"
        awards.append(
            Award(
                subject_id=link.speaker.subject_id,
                rule_code=SPEAKER_RULE,
                points=SPEAKER_POINTS,
                occurred_at=s.ends_at,
                evidence=f"担任宣讲员：{s.title}，{when}，{s.place}，听众{s.audience_count}人"[:2000],
                source_key=key,
            )
        )
    for outcome in awards_record(
        awards=awards,
        department_code=CREDIT_DEPARTMENT,
        recorder=actor,
        source=Entry.Source.LECTURE,
        cause="lectures",
    ):
        if outcome.points <= 0:
            result.capped += 1
        elif kinds[outcome.source_key] == "listener":
            result.listeners += 1
            result.listener_points += outcome.points
        else:
            result.speakers += 1
            result.speaker_points += outcome.points
    if order is not None and order.state == Order.State.ACCEPTED:
        locked = order_locked(order.pk)
        if locked is not None:
            order_transition_append(order=locked, action="hold", actor=actor, at=now, details={"session": s.pk})
            result.order_held = True
    s.status, s.closed_at, s.closed_by, s.listener_count = Session.Status.CLOSED, now, actor, count
    s.save(update_fields=["status", "closed_at", "closed_by", "listener_count", "audience_count"])
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="session.close",
        object_type="lecture_session",
        object_id=s.pk,
        details={
            "listeners": count,
            "listener_points": result.listener_points,
            "speaker_points": result.speaker_points,
            "capped": result.capped,
            "order_held": result.order_held,
        },
    )
    return result
