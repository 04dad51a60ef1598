"""Objections to a meeting's names (异议): anyone may lodge one on the public page while the list
is in publicity, signed in or not (the pages and the API rate-limit it per client address); the
committee answers each. An upheld objection withdraws the name; awards are paid only after every
objection is answered."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.models import Meeting, Nomination, Objection
from rongxin.funds.services.meetings import meeting_locked, require_status, run_role


def objection_lodge(*, meeting_id: int, nomination_id: int, text: str, contact: str = "") -> Objection:
    """Record an objection to a proposed name of a meeting in publicity (only between the first
    and last day of publicity). Raises NotFound (no such meeting in publicity or later, or no such
    proposed name), Conflict (publicity is not running), InvalidInput (empty text, control
    characters, too long)."""
    text = clean_text(text, field="text", required=True, max_length=1000)
    contact = clean_text(contact, field="contact", required=False, max_length=60, multiline=False)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or meeting.status in (Meeting.Status.DRAFT, Meeting.Status.CANCELLED):
            raise NotFound()
        nomination = Nomination.objects.filter(
            pk=nomination_id, meeting=meeting, status=Nomination.Status.PROPOSED
        ).first()
        if nomination is None:
            raise NotFound()
        today = clock.today_local()
        if (
            meeting.status != Meeting.Status.PUBLICITY
            or meeting.publicity_starts_on is None
            or meeting.publicity_ends_on is None
            or not meeting.publicity_starts_on <= today <= meeting.publicity_ends_on
        ):
            raise Conflict(_("Objections are taken only during publicity."), code="not_in_publicity")
        objection = Objection.objects.create(
            meeting=meeting, nomination=nomination, text=text, contact=contact, lodged_at=clock.now()
        )
        audit_record(
            actor=None,
            kind=AuditEvent.Kind.WRITE,
            action="objection.lodge",
            role="public",
            object_type="nomination_objection",
            object_id=objection.pk,
            details={"meeting": meeting.pk, "nomination": nomination.pk},
        )
    return objection


def objection_answer(*, actor: User | None, meeting_id: int, objection_id: int, upheld: bool, answer: str) -> Objection:
    """The committee answers an open objection (during publicity or before the awards are paid):
    upheld withdraws the name (with the answer as why), dismissed keeps it."""
    meeting, role = run_role(actor, meeting_id)
    text = clean_text(answer, field="answer", required=True, max_length=1000)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.PUBLICITY, Meeting.Status.AWARDING)
        if meeting.held_on is not None:
            raise Conflict(_("The awards are already paid."), code="already_awarded")
        objection = Objection.objects.select_for_update().filter(pk=objection_id, meeting=meeting).first()
        if objection is None:
            raise NotFound()
        if objection.status != Objection.Status.OPEN:
            raise Conflict(_("This objection is already answered."), code="already_answered")
        now = clock.now()
        objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
        objection.answer, objection.answered_at, objection.answered_by = text, now, actor
        objection.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        if upheld:
            Nomination.objects.filter(pk=objection.nomination_id, status=Nomination.Status.PROPOSED).update(
                status=Nomination.Status.WITHDRAWN, status_reason=text[:200], changed_at=now, changed_by=actor
            )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="objection.answer",
            role=role,
            object_type="nomination_objection",
            object_id=objection.pk,
            details={"meeting": meeting.pk, "nomination": objection.nomination_id, "upheld": upheld},
        )
    return objection
