"""Listeners at a lecture: the listener's own check-in with the session's rotating QR code, and
the organiser's record for listeners without a phone (elders, mostly).

A check-in is refused, with a code labelled in ``lectures.checkin_problem``, when the listener
is checked in already (``already_in``: no second row), is checked in at another lecture at the
same time (``elsewhere``), is a speaker of the session (``speaker``), or the lecture is not open
(``not_open``: from 30 minutes before the start to the end of a planned session).

Concurrency: every write first takes the session's row lock (FOR NO KEY UPDATE, which the
closing's FOR UPDATE waits for and which waits for it), then the listener's person row, so two
taps at the same moment, or two lectures at the same moment, are judged one after the other;
the unique constraint ``attendance_once`` stands behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.rotating import RotatingCode
from rongxin.core.text import clean_text
from rongxin.lectures.models import Attendance, Session, SessionSpeaker
from rongxin.lectures.permissions.sessions import access_session_for_running, own_listener, own_person_or_none
from rongxin.subjects.domain.identifiers import parse_id_number
from rongxin.subjects.models import Person

CODE = RotatingCode("l1")
# Check-in opens this long before the start and closes at the end.
EARLY = dt.timedelta(minutes=30)
MAX_ASSISTED = 500

PROBLEM_MESSAGES = {
    "already_in": _("Already checked in at this lecture"),
    "elsewhere": _("Checked in at another lecture at the same time"),
    "speaker": _("Speakers of a lecture do not check in as listeners"),
    "not_open": _("The lecture is not open for check-in"),
}


def checkin_refusal(session: Session, at: dt.datetime) -> ApplicationError | None:
    """Why nobody can check in to ``session`` at ``at``, or None while check-in is open."""
    if session.status != Session.Status.PLANNED or not (session.starts_at - EARLY <= at <= session.ends_at):
        return Conflict(PROBLEM_MESSAGES["not_open"], code="not_open")
    return None


def _problem(session: Session, subject_id: int) -> str:
    """The problem code that refuses ``subject_id`` as a listener of ``session``, or ""."""
    if SessionSpeaker.objects.filter(session=session, speaker__subject_id=subject_id).exists():
        return "speaker"
    if Attendance.objects.filter(session=session, subject_id=subject_id).exists():
        return "already_in"
    overlapping = (
        Attendance.objects.filter(
            subject_id=subject_id,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
        )
        .exclude(session=session)
        .exclude(session__status=Session.Status.CANCELLED)
    )
    if overlapping.exists():
        return "elsewhere"
    return ""


def _insert(*, session: Session, subject_id: int, method: str, at: dt.datetime, **extra: Any) -> Attendance | None:
    """The new row, or None when the unique constraint found one (a concurrent twin)."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a lost race
            return Attendance.objects.create(session=session, subject_id=subject_id, method=method, at=at, **extra)
    except IntegrityError:
        if Attendance.objects.filter(session=session, subject_id=subject_id).exists():
            return None
        raise


def _locked_session(session_id: int) -> Session | None:
    return Session.objects.select_for_update(no_key=True).filter(pk=session_id).first()


def lecture_checkin(*, actor: User, token: str) -> Attendance:
    """The listener checks in with the code on the organiser's screen, on their own phone.
    Raises NotFound (no own consenting person file), InvalidInput (not a code, forged, expired),
    Conflict (``already_in``, ``elsewhere``, ``speaker``, ``not_open``)."""
    person = own_listener(actor)
    parsed = CODE.parse(token if isinstance(token, str) else "")
    if parsed is None:
        raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
    with transaction.atomic():
        session = _locked_session(parsed.object_id)
        if session is None:
            raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
        now = clock.now()
        verdict = CODE.check(parsed, secret=bytes(session.qr_secret), at=now)
        if verdict == "forged":
            raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
        if verdict == "expired":
            raise field_error(
                "token", _("This code has expired; scan the code on the organiser's screen now."), code="expired_code"
            )
        refusal = checkin_refusal(session, now)
        if refusal is not None:
            raise refusal
        Person.objects.select_for_update(no_key=True).filter(pk=person.pk).first()
        problem = _problem(session, person.pk)
        if problem:
            raise Conflict(PROBLEM_MESSAGES[problem], code=problem)
        row = _insert(
            session=session, subject_id=person.pk, method=Attendance.Method.QR, at=now, token_step=parsed.step
        )
        if row is None:
            raise Conflict(PROBLEM_MESSAGES["already_in"], code="already_in")
        Session.objects.filter(pk=session.pk).update(listener_count=F("listener_count") + 1)
        audit_record(
            actor=actor,
            role=Role.RESIDENT,
            kind=AuditEvent.Kind.WRITE,
            action="lecture_attendance.in",
            object_type="lecture_session",
            object_id=session.pk,
            subject_id=person.pk,
            details={"method": "qr"},
        )
    row.session = session
    return row


@dataclass
class AssistResult:
    recorded: list[Attendance] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (subject id, problem code)


def _persons_by_id_numbers(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for i, raw in enumerate(values, start=1):
        if not isinstance(raw, str):
            raise field_error("id_numbers", _("Line %(n)d is not an ID number.") % {"n": i}, code="id_format")
        try:
            number = parse_id_number(raw).number
        except InvalidInput as exc:
            raise field_error(
                "id_numbers", _("Line %(n)d: %(problem)s") % {"n": i, "problem": exc.message}, code=exc.code
            ) from None
        pk = Person.objects.filter(id_number_hash=pii.lookup_hash(number)).values_list("pk", flat=True).first()
        if pk is None:
            raise field_error(
                "id_numbers",
                _("Line %(n)d: nobody with this ID number is registered.") % {"n": i},
                code="unknown_person",
            )
        out.append(pk)
    return out


def _persons_by_subject_ids(values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise field_error("subject_ids", _("This choice is not valid."), code="invalid_choice")
        ids.append(v)
    found = set(Person.objects.filter(pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(set(ids)):
        raise field_error("subject_ids", _("Choose registered persons."), code="unknown_person")
    return ids


def attendance_assisted(
    *,
    actor: User,
    session_id: int,
    subject_ids: Iterable[int] = (),
    id_numbers: Iterable[str] = (),
    reason: str,
) -> AssistResult:
    """Whoever runs the session records listeners present without a phone (by person file or
    ID number), with a reason; each listener's record is audited. Open from 30 minutes before the
    start until the session is closed. Listeners refused for a problem (already in, elsewhere,
    a speaker) are reported in ``skipped``; bad input saves nothing. Raises NotFound,
    InvalidInput, Conflict (not open), Forbidden (recording oneself)."""
    access = access_session_for_running(actor, session_id=session_id, lock=True, no_key=True)
    session = access.session
    reason = clean_text(reason, field="reason", required=True, max_length=200, multiline=False)
    subject_ids, id_numbers = list(subject_ids or ()), list(id_numbers or ())
    if not subject_ids and not id_numbers:
        raise field_error("id_numbers", _("Name at least one listener."), code="required")
    if len(subject_ids) + len(id_numbers) > MAX_ASSISTED:
        raise field_error("id_numbers", _("At most %(n)d at a time.") % {"n": MAX_ASSISTED}, code="too_many")
    now = clock.now()
    if session.status != Session.Status.PLANNED or now < session.starts_at - EARLY:
        raise Conflict(PROBLEM_MESSAGES["not_open"], code="not_open")
    wanted: list[int] = []
    for pk in _persons_by_subject_ids(subject_ids) + _persons_by_id_numbers(id_numbers):
        if pk not in wanted:
            wanted.append(pk)
    me = own_person_or_none(actor)
    if me is not None and me.pk in wanted:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    with transaction.atomic():
        list(Person.objects.select_for_update(no_key=True).filter(pk__in=wanted).order_by("pk").values_list("pk"))
        result = AssistResult()
        for pk in wanted:
            problem = _problem(session, pk)
            row = (
                None
                if problem
                else _insert(
                    session=session,
                    subject_id=pk,
                    method=Attendance.Method.ASSISTED,
                    at=now,
                    recorded_by=actor,
                    reason=reason,
                )
            )
            if row is None:
                result.skipped.append((pk, problem or "already_in"))
                continue
            result.recorded.append(row)
            audit_record(
                actor=actor,
                role=access.role,
                kind=AuditEvent.Kind.WRITE,
                action="lecture_attendance.assisted",
                object_type="lecture_session",
                object_id=session.pk,
                subject_id=pk,
                details={"method": "assisted", "reason": reason},
            )
        if result.recorded:
            Session.objects.filter(pk=session.pk).update(listener_count=F("listener_count") + len(result.recorded))
    return result
