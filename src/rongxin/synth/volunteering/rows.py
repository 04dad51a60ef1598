"""The rows the load writes: each table's columns, in the order the producers build the rows,
and how a value is written (Unix seconds as each engine stores a timestamp, flags as JSON)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from rongxin.synth.volunteering.plan import utc

TEAM_FIELDS = ("id", "name", "tier", "kind", "region", "description", "created_at", "created_by", "active")
MEMBERSHIP_FIELDS = ("team", "volunteer", "role", "status", "applied_at", "decided_at", "decided_by")
VOLUNTEER_FIELDS = (
    "subject", "number", "status", "skills", "availability", "registered_at", "consent_at", "guardian_name",
    "guardian_relation", "guardian_consent_at", "total_minutes",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "id", "team", "type", "title", "description", "region", "site", "venue", "place", "latitude", "longitude",
    "geofence_m", "starts_at", "ends_at", "capacity", "signup_opens_at", "signup_closes_at", "min_age", "skills",
    "insured", "status", "confirmed_count", "waitlist_count", "qr_secret", "created_at", "created_by", "published_at",
    "cancelled_at", "cancel_reason", "closed_at", "closed_by", "callout_shift",
)  # fmt: skip
SIGNUP_FIELDS = ("activity", "volunteer", "status", "created_at", "queued_at", "changed_at", "invited_by")
SCAN_FIELDS = (
    "activity", "volunteer", "kind", "method", "at", "accepted", "problem", "flags", "latitude", "longitude",
    "distance_m", "token_step", "recorded_by", "reason",
)  # fmt: skip
RECORD_FIELDS = (
    "id", "activity", "volunteer", "revision", "team", "service_date", "place", "content", "started_at", "ended_at",
    "minutes", "rating", "flags", "note", "recorder", "recorded_at", "current",
)  # fmt: skip
CORRECTION_FIELDS = (
    "record", "volunteer", "requested_minutes", "reason", "status", "requested_at", "decided_at", "decided_by",
    "decision_reason",
)  # fmt: skip
AWARD_FIELDS = (
    "record", "volunteer", "activity", "year", "minutes_before", "minutes", "points", "rule_code", "entry_key", "note",
    "created_at", "superseded_at",
)  # fmt: skip
ROW_KINDS = ("volunteers", "signups", "scans", "records", "corrections", "awards", "entries", "transitions")


_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, what SQLite stores


def _sqlite_stamp(ts: int) -> str:
    return str(_EPOCH + dt.timedelta(seconds=ts))


def stamp_adapter(vendor: str) -> Any:
    """Unix seconds → what the engine stores (the same values as
    :func:`rongxin.core.bulk.datetime_adapter`, without making an aware datetime first)."""
    return _sqlite_stamp if vendor == "sqlite" else utc


_flag_texts: dict[tuple[str, ...], str] = {}


def flags_json(flags: list[str]) -> str:
    key = tuple(flags)
    text = _flag_texts.get(key)
    if text is None:
        text = _flag_texts[key] = json.dumps(flags)
    return text
