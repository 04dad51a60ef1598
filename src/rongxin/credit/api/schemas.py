from __future__ import annotations

import datetime as dt

from ninja import Schema


class EntryIn(Schema):
    subject_id: int
    rule_code: str
    occurred_at: dt.datetime
    evidence: str
    source_key: str
    points: int | None = None


class EntryOut(Schema):
    id: int
    subject_id: int
    rule_code: str
    rule_name: str
    points: int
    status: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    effective_at: dt.datetime | None
    counts_until: dt.datetime | None
    department: str | None
    created: bool = True


class EntryReasonIn(Schema):
    reason: str = ""
    evidence: str = ""  # required for a further objection after a decision (new evidence)


class EntryDecisionIn(Schema):
    decision: str  # approve | reject ; uphold | revoke
    reason: str = ""


class RepairIn(Schema):
    commitment: str
    evidence: str


class TransitionOut(Schema):
    entry_id: int
    kind: str
    at: dt.datetime
    seq: int


class ExplainedEntryOut(Schema):
    id: int
    rule_code: str
    rule_name: str
    category: str
    legal_basis: str
    points: int
    status: str
    occurred_at: dt.datetime
    effective_at: dt.datetime | None
    counts_until: dt.datetime | None
    objection_until: dt.datetime | None
    repair_from: dt.datetime | None
    evidence: str
    department: str | None


class ChangeOut(Schema):
    at: dt.datetime
    entry_id: int
    what: str


class ExplanationOut(Schema):
    subject_id: int
    score: int | None
    grade: str
    base: int | None
    consent: bool
    counting: list[ExplainedEntryOut]
    pending: list[ExplainedEntryOut]
    suspended: list[ExplainedEntryOut]
    changes: list[ChangeOut]


class ScoreOut(Schema):
    subject_id: int
    at: dt.datetime
    score: int | None
    grade: str


class RuleOut(Schema):
    code: str
    name_zh: str
    name_en: str
    category: str
    direction: str
    points_min: int
    points_max: int
    severity: str
    legal_basis: str
    evidence: str
    departments: list[str]
    review_required: bool
    counting_days: int
    objection_days: int
    repair_after_days: int | None
    yearly_cap_count: int | None
    yearly_cap_points: int | None


class CatalogueOut(Schema):
    id: int
    subject_kind: str
    version: int
    status: str
    title: str
    effective_from: dt.date
    base_score: int
    grades: list[tuple[str, int | None]]
    rules: int


class CatalogueDetailOut(CatalogueOut):
    rule_list: list[RuleOut]


class ImportOut(Schema):
    id: int
    department: str
    file_name: str
    status: str
    partial: bool
    rows_total: int
    rows_done: int
    created: int
    existing: int
    failed: int
    errors: list[dict[str, object]]
    queued_at: dt.datetime
    finished_at: dt.datetime | None
