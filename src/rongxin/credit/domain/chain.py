"""The ledger's pure core: canonical fact payloads, the per-subject hash chain, and replaying an
entry's transitions to know whether it counts at a given time.

Nothing here touches the database, so the same code serves the services (which write), the
reconciler and the verifier (which re-derive everything from the facts), and the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def _ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _j(value: object) -> str:
    """One JSON value (the C encoder for strings; ints and null by hand)."""
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return _dumps(value)


_canonical_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def canonical(payload: dict[str, Any]) -> str:
    """The canonical JSON text of a fact: sorted keys, no spaces, UTF-8 as is (the C encoder,
    built once: this runs once per fact in the bulk paths)."""
    return _canonical_encode(payload)


def entry_payload(e: Any) -> dict[str, Any]:
    """The fields of an entry that the chain protects (every fact column, no cache column)."""
    return {
        "fact": "entry",
        "subject": e.subject_id,
        "seq": e.seq,
        "rule": e.rule_id,
        "points": e.points,
        "occurred_at": _ts(e.occurred_at),
        "recorded_at": _ts(e.recorded_at),
        "recorder": e.recorder_id,
        "department": e.department_id,
        "source": e.source,
        "source_key": e.source_key,
        "content_hash": e.content_hash,
        "evidence": e.evidence,
        "objection_days": e.objection_days,
        "counting_days": e.counting_days,
        "repair_after_days": e.repair_after_days,
    }


def transition_payload(t: Any) -> dict[str, Any]:
    return {
        "fact": "transition",
        "subject": t.subject_id,
        "seq": t.seq,
        "entry": t.entry_id,
        "kind": t.kind,
        "at": _ts(t.at),
        "actor": t.actor_id,
        "reason": t.reason,
    }


def fact_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(payload)).encode()).hexdigest()


def content_hash(
    *, rule_code: str, catalogue_version: int, points: int, occurred_at: dt.datetime, department: str, evidence: str
) -> str:
    """What an idempotent retry must repeat exactly (the key alone identifies the record)."""
    body = (
        f"[{_dumps(rule_code)},{catalogue_version},{points},{_j(_ts(occurred_at))},"
        f"{_dumps(department)},{_dumps(evidence)}]"
    )
    return hashlib.sha256(body.encode()).hexdigest()


# --- Replaying an entry's life --------------------------------------------------------------
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


def grade_for(score: int | None, bands: list[tuple[str, int | None]]) -> str:
    """The grade of ``score`` under ``bands`` (highest minimum first; the last band has none)."""
    if score is None:
        return ""
    for code, minimum in bands:
        if minimum is None or score >= minimum:
            return code
    return bands[-1][0] if bands else ""
