"""The ledger's hash chain: canonical fact payloads, the per-subject chain of hashes, and the
content hash an idempotent retry must repeat.

Nothing here touches the database, so the same code serves the services (which write), the
verifier (which re-walks every chain), the bulk paths and the tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
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
