"""Due process on recorded entries: a reviewer approves or rejects an entry that awaits review;
the subject objects to a deduction and a reviewer decides; the subject applies to repair a
deduction and a reviewer decides.

Every step locks the subject's chain head, appends its transition
(:func:`~rongxin.credit.services.transitions.transition_append`), refreshes the score and grade in
the same transaction, writes the audit row and, for decisions, sends the subject a notice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, field_error
from rongxin.core.text import clean_text
from rongxin.credit.domain.lifecycle import OBJECTION_SEPARATOR, objection_parts
from rongxin.credit.models import Entry, Transition
from rongxin.credit.permissions import require_own_subject, reviewer_grant
from rongxin.credit.services.entries import MAX_EVIDENCE, MAX_REASON, notify_recorded
from rongxin.credit.services.transitions import entry_locked, own_role, state_now, step_finish, transition_append
from rongxin.subjects.services import notice_send


@transaction.atomic
def entry_review(*, actor: User, entry_id: int, approve: bool, reason: str = "") -> Transition:
    """Approve (the entry starts counting and its publicity begins now) or reject an entry that
    awaits review. Raises NotFound, Forbidden (own entry or record), Conflict (not awaiting)."""
    entry, credit = entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = clean_text(reason, field="reason", required=not approve, max_length=MAX_REASON)
    now = clock.now()
    t = transition_append(
        credit=credit, entry=entry, kind="approved" if approve else "rejected", actor=actor, reason=reason, at=now
    )
    step_finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.entry.{t.kind}",
        now=now,
        details={"reason": reason},
    )
    if approve:
        notify_recorded(entry=entry, rule=entry.rule)
    return t


@transaction.atomic
def entry_object(*, actor: User, entry_id: int, reason: str, evidence: str = "") -> Transition:
    """The subject objects to a deduction within its objection window; the entry stops counting
    until a reviewer decides.

    A decided objection is final for the entry: a further objection needs new evidence (text
    not given in an earlier objection), may be lodged within the objection window after the
    last decision, leaves the entry counting, and goes to a reviewer who has not decided on the
    entry's last objection. Raises NotFound, InvalidInput (not a deduction, window closed,
    no reason, evidence missing or not new), Conflict (not counting, a further objection pending)."""
    entry, credit = entry_locked(entry_id)
    require_own_subject(actor=actor, entry=entry)
    reason = clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    evidence = clean_text(evidence, field="evidence", required=False, max_length=MAX_EVIDENCE)
    if entry.points >= 0:
        raise InvalidInput(_("Objections are for deductions."), code="not_a_deduction")
    now = clock.now()
    state = state_now(entry, now)
    if state.objection_decided_at is None:
        kind, opened = "objected", entry.effective_at
    else:
        if state.reobjection_pending:
            raise Conflict(_("A further objection to this record is already being reviewed."), code="objection_pending")
        if not evidence:
            raise field_error(
                "evidence",
                _("This record stood after an objection: a further objection needs new evidence."),
                code="new_evidence_required",
            )
        earlier = {
            objection_parts(t.reason)[1].strip()
            for t in entry.transitions.filter(kind__in=["objected", "objected_again"])
        }
        if evidence in earlier:
            raise field_error(
                "evidence",
                _("This evidence was given in an earlier objection; give new evidence."),
                code="evidence_not_new",
            )
        kind, opened = "objected_again", state.objection_decided_at
    if opened is None or now >= opened + dt.timedelta(days=entry.objection_days):
        raise InvalidInput(_("The objection window for this record has closed."), code="objection_window_closed")
    text = f"{reason}{OBJECTION_SEPARATOR}{evidence}" if evidence else reason
    t = transition_append(credit=credit, entry=entry, kind=kind, actor=actor, reason=text, at=now)
    step_finish(
        actor=actor,
        role=own_role(entry),
        entry=entry,
        credit=credit,
        action=f"credit.entry.{kind}",
        now=now,
        details={},
    )
    return t


@transaction.atomic
def objection_decide(*, actor: User, entry_id: int, uphold: bool, reason: str) -> Transition:
    """A reviewer other than the recorder upholds the entry (it counts again) or revokes it (it
    never counts again). A further objection (with new evidence) is decided by another reviewer
    than the one whose decision it contests; upholding it leaves the entry as it is.
    Raises NotFound, Forbidden (own record or entry, the same reviewer again), InvalidInput (no
    reason), Conflict (no objection to decide)."""
    entry, credit = entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    now = clock.now()
    if entry.status != Entry.Status.SUSPENDED:
        if not state_now(entry, now).reobjection_pending:
            raise Conflict(_("There is no objection to decide for this record."), code="no_objection_pending")
        # A different reviewer from the one whose decision is being contested (the last one to
        # let the entry stand); excluding every earlier decider could leave nobody to decide.
        last_decider = (
            entry.transitions.filter(kind__in=["upheld", "upheld_again"])
            .order_by("-seq")
            .values_list("actor_id", flat=True)
            .first()
        )
        if actor.pk == last_decider:
            raise Forbidden(
                _("You decided the objection this one contests; a colleague must decide it."),
                code="same_reviewer",
            )
        kind = "upheld_again" if uphold else "revoked"
    else:
        kind = "upheld" if uphold else "revoked"
    t = transition_append(credit=credit, entry=entry, kind=kind, actor=actor, reason=reason, at=now)
    step_finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.entry.{t.kind}",
        now=now,
        details={"reason": reason},
    )
    notice_send(
        subject_id=entry.subject_id,
        kind=f"credit.{'upheld' if uphold else 'revoked'}",
        title=(
            gettext("Your objection was not accepted: the record stands.")
            if uphold
            else gettext("Your objection was accepted: the record is revoked.")
        ),
        body=reason,
    )
    return t


@transaction.atomic
def repair_apply(*, actor: User, entry_id: int, commitment: str, evidence: str) -> Transition:
    """The subject applies to repair a deduction after its minimum period, with a written
    commitment and evidence of correction. Raises NotFound, InvalidInput (too early, not a
    deduction, not repairable), Conflict (not counting, or an application is pending)."""
    entry, credit = entry_locked(entry_id)
    require_own_subject(actor=actor, entry=entry)
    commitment = clean_text(commitment, field="commitment", required=True, max_length=MAX_REASON)
    evidence = clean_text(evidence, field="evidence", required=True, max_length=MAX_EVIDENCE)
    if entry.points >= 0 or entry.repair_after_days is None:
        raise InvalidInput(_("Only deductions can be repaired."), code="not_repairable")
    now = clock.now()
    earliest = entry.effective_at + dt.timedelta(days=entry.repair_after_days) if entry.effective_at else None
    if earliest is None or now < earliest:
        raise InvalidInput(
            _("Repair can be applied for from %(date)s.")
            % {"date": f"{earliest.astimezone(clock.LOCAL_TZ):%Y-%m-%d}" if earliest else "—"},
            code="repair_too_early",
        )
    if state_now(entry, now).repair_pending:
        raise Conflict(_("A repair application for this record is already being reviewed."), code="repair_pending")
    reason = f"{commitment}\n---\n{evidence}"
    t = transition_append(credit=credit, entry=entry, kind="repair_applied", actor=actor, reason=reason, at=now)
    step_finish(
        actor=actor,
        role=own_role(entry),
        entry=entry,
        credit=credit,
        action="credit.repair.applied",
        now=now,
        details={},
    )
    return t


@transaction.atomic
def repair_decide(*, actor: User, entry_id: int, approve: bool, reason: str) -> Transition:
    """A reviewer approves (the entry stops counting) or refuses a pending repair application."""
    entry, credit = entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    now = clock.now()
    if not state_now(entry, now).repair_pending:
        raise Conflict(_("There is no pending repair application for this record."), code="no_repair_pending")
    t = transition_append(
        credit=credit, entry=entry, kind="repaired" if approve else "repair_refused", actor=actor, reason=reason, at=now
    )
    step_finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.repair.{'approved' if approve else 'refused'}",
        now=now,
        details={"reason": reason},
    )
    notice_send(
        subject_id=entry.subject_id,
        kind="credit.repair",
        title=gettext("Your credit repair was approved.")
        if approve
        else gettext("Your credit repair was not approved."),
        body=reason,
    )
    return t
