"""Appending a transition to an entry's life, the one way every service does it: the step must
be legal from the entry's state, the fact goes onto the subject's chain, and the entry's cached
state follows. With the helpers the entry services share: lock an entry's subject, know the
entry's state from its facts, refresh and audit after a step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.domain.chain import GENESIS, fact_hash, transition_payload
from rongxin.credit.domain.lifecycle import LEGAL, NEXT_STATE, EntryState, replay
from rongxin.credit.models import Entry, SubjectCredit, Transition
from rongxin.credit.services.scores import credit_row_locked, refresh_subject
from rongxin.subjects.models import Subject


def transition_append(
    *, credit: SubjectCredit, entry: Entry, kind: str, actor: User | None, reason: str, at: dt.datetime
) -> Transition:
    """Append the transition ``kind`` to ``entry`` at ``at`` on its subject's chain (``credit``,
    locked by the caller) and move the entry's cached state. Raises Conflict when the step is not
    legal from the entry's state. The caller refreshes the subject's score."""
    if entry.status not in LEGAL[kind]:
        raise Conflict(
            _("This step is not possible while the entry is “%(status)s”.") % {"status": entry.get_status_display()},
            code="illegal_transition",
        )
    t = Transition(
        subject_id=entry.subject_id,
        entry=entry,
        kind=kind,
        at=at,
        actor=actor,
        reason=reason,
        seq=credit.chain_seq + 1,
        prev_hash=credit.chain_head or GENESIS,
    )
    t.hash = fact_hash(t.prev_hash, transition_payload(t))
    t.save(force_insert=True)
    credit.chain_seq, credit.chain_head = t.seq, t.hash
    credit.save(update_fields=["chain_seq", "chain_head"])
    new_status = NEXT_STATE.get(kind)
    if new_status is not None:
        entry.status = new_status
        fields = ["status"]
        if kind == "approved":
            entry.effective_at = at
            entry.counts_until = at + dt.timedelta(days=entry.counting_days)
            fields += ["effective_at", "counts_until"]
        entry.save(update_fields=fields)
    return t


def entry_locked(entry_id: int) -> tuple[Entry, SubjectCredit]:
    entry = Entry.objects.select_related("subject__village", "rule").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    credit = credit_row_locked(entry.subject_id)
    entry.refresh_from_db(fields=["status", "effective_at", "counts_until"])
    return entry, credit


def own_role(entry: Entry) -> str:
    """The role in which a subject acts on its own entries (for the audit row)."""
    return "resident" if entry.subject.kind == Subject.Kind.PERSON else "enterprise_rep"


def state_now(entry: Entry, now: dt.datetime) -> EntryState:
    """The entry's state from its facts (for checks the cached status cannot answer)."""
    return replay(
        recorded_at=entry.recorded_at,
        review_required=entry.rule.review_required,
        counting_days=entry.counting_days,
        transitions=list(entry.transitions.order_by("seq")),
        at=now,
    )


def step_finish(
    *,
    actor: User,
    role: str,
    entry: Entry,
    credit: SubjectCredit,
    action: str,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    refresh_subject(credit=credit, subject=entry.subject, now=now, cause=action)
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type="credit_entry",
        object_id=entry.pk,
        subject_id=entry.subject_id,
        details=details,
    )
