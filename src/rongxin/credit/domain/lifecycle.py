"""An entry's life: which transitions are legal from which state, and replaying an entry's
transitions to know its state (and whether it counts) at a given time.

Pure: the services (which append transitions), the reconciler and the explanation (which
re-derive states from the facts) and the tests share it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PENDING_REVIEW, REJECTED, ACTIVE, SUSPENDED, REVOKED, REPAIRED, EXPIRED = (
    "pending_review", "rejected", "active", "suspended", "revoked", "repaired", "expired",
)  # fmt: skip

# Which transitions are legal from which state (anything else is refused by the services).
LEGAL = {
    # A programme's award to its own organiser is held for review at once (nobody certifies
    # their own record); it then counts from its approval, like a reviewed rule's entry.
    "held": {ACTIVE},
    "approved": {PENDING_REVIEW},
    "rejected": {PENDING_REVIEW},
    "objected": {ACTIVE},
    "upheld": {SUSPENDED},
    # After an objection is decided, a further one (with new evidence) leaves the entry counting
    # until a different reviewer decides it: it stands (refused) or is revoked from active.
    "objected_again": {ACTIVE},
    "upheld_again": {ACTIVE},
    "revoked": {SUSPENDED, ACTIVE},
    "repair_applied": {ACTIVE},
    "repaired": {ACTIVE},
    "repair_refused": {ACTIVE},
    "superseded": {PENDING_REVIEW, ACTIVE, EXPIRED},
}
NEXT_STATE = {
    "held": PENDING_REVIEW,
    "approved": ACTIVE,
    "rejected": REJECTED,
    "objected": SUSPENDED,
    "upheld": ACTIVE,
    "revoked": REVOKED,
    "repaired": REPAIRED,
    "superseded": REVOKED,
}


@dataclass(frozen=True)
class EntryState:
    status: str
    effective_at: dt.datetime | None
    counts_until: dt.datetime | None
    objected_at: dt.datetime | None = None
    repair_pending: bool = False
    # When an objection to it was last decided and the entry stood (upheld, or a further
    # objection refused); a further objection is open for the objection window after that.
    objection_decided_at: dt.datetime | None = None
    reobjection_pending: bool = False

    def counts_at(self, at: dt.datetime) -> bool:
        return (
            self.status == ACTIVE
            and self.effective_at is not None
            and self.counts_until is not None
            and self.effective_at <= at < self.counts_until
        )


def replay(
    *, recorded_at: dt.datetime, review_required: bool, counting_days: int, transitions: Iterable[Any], at: dt.datetime
) -> EntryState:
    """The state of an entry at ``at`` from its facts: recorded, then each transition up to ``at``
    in chain order. An entry that is past its period is ``expired`` (time alone ends it)."""
    if recorded_at > at:
        raise ValueError("entry not yet recorded at that time")
    status = PENDING_REVIEW if review_required else ACTIVE
    effective = None if review_required else recorded_at
    objected_at = None
    repair_pending = False
    decided_at = None
    reobjection_pending = False
    for t in transitions:
        if t.at > at:
            break
        if t.kind == "approved":
            effective = t.at
        if t.kind == "held":
            effective = None
        if t.kind == "objected":
            objected_at = t.at
        if t.kind == "repair_applied":
            repair_pending = True
        if t.kind in ("repaired", "repair_refused"):
            repair_pending = False
        if t.kind == "objected_again":
            reobjection_pending = True
        if t.kind in ("upheld", "upheld_again"):
            decided_at, reobjection_pending = t.at, False
        if t.kind == "revoked":
            reobjection_pending = False
        status = NEXT_STATE.get(t.kind, status)
    until = effective + dt.timedelta(days=counting_days) if effective is not None else None
    # Time alone ends a counting entry; a suspended one waits for its decision.
    if status == ACTIVE and until is not None and at >= until:
        status = EXPIRED
    return EntryState(
        status=status,
        effective_at=effective,
        counts_until=until,
        objected_at=objected_at,
        repair_pending=repair_pending,
        objection_decided_at=decided_at,
        reobjection_pending=reobjection_pending,
    )


OBJECTION_SEPARATOR = "\n---\n"


def objection_parts(text: str) -> tuple[str, str]:
    """An objection transition's text as (reason, evidence): the two are kept in the
    transition's one ``reason`` field, split by :data:`OBJECTION_SEPARATOR`."""
    reason, _sep, evidence = text.partition(OBJECTION_SEPARATOR)
    return reason, evidence
