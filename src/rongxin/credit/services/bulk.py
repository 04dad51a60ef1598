"""The ledger's set-based append, for bulk imports and synthetic history.

:func:`ledger_bulk_append` writes many entries (and, for history, their transitions) for many
subjects in one transaction with the same facts, chain and caches as the one-entry services:

1. lock (PostgreSQL: ``SELECT ... FOR UPDATE`` in subject order) or create the subjects'
   :class:`SubjectCredit` rows and read their chain heads;
2. order each subject's new facts in time, give them the next sequence numbers and hash them onto
   the chain (pure Python, no query per row);
3. insert entries and transitions with ``executemany``/``COPY`` (explicit ids, so transitions can
   point at their entries);
4. refresh every affected subject's score, grade and next change with one grouped query over a
   temporary id table, write the new heads and scores, append grade changes and notices.

Callers validate first (rights, rules, points, caps, idempotency); this function trusts its input,
except for the rules every ledger write must pass (:func:`rongxin.credit.permissions.ledger_writes_check`:
nobody records on their own record, programme rules only from their programme).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext

from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, adapt_datetime, datetime_adapter
from rongxin.credit.domain.chain import GENESIS, entry_payload, fact_hash, transition_payload
from rongxin.credit.domain.lifecycle import replay
from rongxin.credit.models import Entry, Rule, Transition
from rongxin.credit.permissions import LedgerWrite, ledger_writes_check
from rongxin.credit.services.scores import Head, heads_locked, refresh_subjects
from rongxin.subjects.models import Notice

ENTRY_FIELDS = (
    "id", "subject", "rule", "points", "occurred_at", "recorded_at", "recorder", "department", "source", "source_key",
    "content_hash", "evidence", "objection_days", "counting_days", "repair_after_days", "seq", "prev_hash", "hash",
    "status", "effective_at", "counts_until",
)  # fmt: skip
TRANSITION_FIELDS = ("id", "subject", "entry", "kind", "at", "actor", "reason", "seq", "prev_hash", "hash")
NOTICE_FIELDS = ("subject", "at", "kind", "title", "body")
HELD_REASON = "组织者本人的记录，须由信用办审核后计分"


@dataclass
class NewTransition:
    kind: str
    at: dt.datetime
    actor_id: int | None = None
    reason: str = ""


@dataclass
class NewEntry:
    subject_id: int
    rule: Rule
    points: int  # signed
    occurred_at: dt.datetime
    recorded_at: dt.datetime | None  # None: stamped under the lock, when the facts are written
    department_id: int | None
    recorder_id: int | None
    source: str
    source_key: str
    content_hash: str
    evidence: str
    transitions: list[NewTransition] = field(default_factory=list)
    # Recorded awaiting review (a ``held`` transition at the recording): a programme's award to
    # the organiser who certified it, which a colleague must approve.
    held_for_review: bool = False


@dataclass
class _Fact:
    at: dt.datetime
    order: int  # entries before their own transitions at the same instant
    entry: NewEntry
    transition: NewTransition | None
    seq: int = 0
    prev_hash: str = ""
    hash: str = ""


@dataclass
class BulkResult:
    entries: int = 0
    transitions: int = 0
    subjects: int = 0
    grade_changes: int = 0
    notices: int = 0


class _Row:
    """A duck-typed fact for the chain's payload functions (no model instances per row)."""

    __slots__ = (
        "actor_id",
        "at",
        "content_hash",
        "counting_days",
        "department_id",
        "entry_id",
        "evidence",
        "kind",
        "objection_days",
        "occurred_at",
        "points",
        "reason",
        "recorded_at",
        "recorder_id",
        "repair_after_days",
        "rule_id",
        "seq",
        "source",
        "source_key",
        "subject_id",
    )  # fmt: skip


def _reserve_ids(model: type[Entry] | type[Transition], n: int) -> list[int]:
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cur.fetchone()[0] + 1
    return list(range(start, start + n))


@dataclass
class Prepared:
    """Everything :func:`write_prepared` inserts, computed without writing facts (the credit rows
    of the subjects are created and locked, and ids are reserved)."""

    entries: list[NewEntry]
    subject_ids: list[int]
    heads: dict[int, Head]
    new_heads: dict[int, tuple[int, str]]
    entry_rows: list[tuple[Any, ...]]
    transition_rows: list[tuple[Any, ...]]
    now: dt.datetime
    counting: dict[int, list[Any]] = field(default_factory=dict)  # new points counting now, per subject


def build_rows(
    *,
    entries: list[NewEntry],
    heads: dict[int, tuple[int, str]],
    entry_ids: Iterator[int],
    transition_ids: Iterator[int],
    now: dt.datetime,
    adapt: Callable[[dt.datetime | None], object],
    counting: dict[int, list[Any]] | None = None,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[int, tuple[int, str]]]:
    """The insert rows of ``entries`` and their transitions, chained onto ``heads`` (seq, hash
    per subject; a subject missing from ``heads`` starts a new chain). Pure: no database access,
    so forked workers can build rows for disjoint sets of subjects. With ``counting``, records
    per subject ``[points of the new entries counting at now, earliest end of those]``."""
    by_subject: dict[int, list[_Fact]] = defaultdict(list)
    for e in entries:
        by_subject[e.subject_id].append(_Fact(at=e.recorded_at or now, order=0, entry=e, transition=None))
        for t in e.transitions:
            by_subject[e.subject_id].append(_Fact(at=t.at, order=1, entry=e, transition=t))
    entry_id_of: dict[int, int] = {}
    entry_rows: list[tuple[Any, ...]] = []
    transition_rows: list[tuple[Any, ...]] = []
    new_heads: dict[int, tuple[int, str]] = {}
    row: Any = _Row()  # a reused attribute bag (slots), typed loosely on purpose
    for sid in sorted(by_subject):
        facts = by_subject[sid]
        facts.sort(key=lambda f: (f.at, f.order))
        seq, head = heads.get(sid, (0, ""))
        head = head or GENESIS
        for f in facts:
            seq += 1
            e = f.entry
            if f.transition is None:
                eid = next(entry_ids)
                entry_id_of[id(e)] = eid
                rule = e.rule
                row.subject_id, row.seq, row.rule_id, row.points = sid, seq, rule.pk, e.points
                row.occurred_at, row.recorded_at, row.recorder_id = e.occurred_at, e.recorded_at, e.recorder_id
                row.department_id, row.source, row.source_key = e.department_id, e.source, e.source_key
                row.content_hash, row.evidence = e.content_hash, e.evidence
                row.objection_days, row.counting_days, row.repair_after_days = (
                    rule.objection_days,
                    rule.counting_days,
                    rule.repair_after_days,
                )
                h = fact_hash(head, entry_payload(row))
                state = replay(
                    recorded_at=e.recorded_at or now,
                    review_required=rule.review_required,
                    counting_days=rule.counting_days,
                    transitions=sorted(e.transitions, key=lambda t: t.at) if e.transitions else (),
                    at=now,
                )
                if counting is not None and state.counts_at(now):
                    slot = counting.setdefault(sid, [0, None])
                    slot[0] += e.points
                    if slot[1] is None or (state.counts_until is not None and state.counts_until < slot[1]):
                        slot[1] = state.counts_until
                entry_rows.append(
                    (
                        eid,
                        sid,
                        rule.pk,
                        e.points,
                        adapt(e.occurred_at),
                        adapt(e.recorded_at),
                        e.recorder_id,
                        e.department_id,
                        e.source,
                        e.source_key,
                        e.content_hash,
                        e.evidence,
                        rule.objection_days,
                        rule.counting_days,
                        rule.repair_after_days,
                        seq,
                        head,
                        h,
                        state.status,
                        adapt(state.effective_at),
                        adapt(state.counts_until),
                    )
                )
            else:
                t = f.transition
                tid = next(transition_ids)
                row.subject_id, row.seq, row.entry_id, row.kind = sid, seq, entry_id_of[id(e)], t.kind
                row.at, row.actor_id, row.reason = t.at, t.actor_id, t.reason
                h = fact_hash(head, transition_payload(row))
                transition_rows.append(
                    (tid, sid, row.entry_id, t.kind, adapt(t.at), t.actor_id, t.reason, seq, head, h)
                )
            head = h
        new_heads[sid] = (seq, head)
    return entry_rows, transition_rows, new_heads


def prepare_append(*, entries: list[NewEntry], now: dt.datetime | None = None) -> Prepared:
    """Order each subject's new facts in time, number them after the chain head, hash them, and
    build the rows (no query per row). Without ``now``, the time is read once the subjects' rows
    are locked, and entries without a ``recorded_at`` are stamped with it, so that no fact is
    stamped earlier than one a concurrent writer committed before us."""
    ledger_writes_check(
        [
            LedgerWrite(
                subject_id=e.subject_id,
                recorder_id=e.recorder_id,
                rule=e.rule,
                source=e.source,
                pending_review=e.rule.review_required or e.held_for_review,
            )
            for e in entries
        ]
    )
    subject_ids = sorted({e.subject_id for e in entries})
    heads = heads_locked(subject_ids, clock.now()) if subject_ids else {}
    now = now or clock.now()
    for e in entries:
        if e.recorded_at is None:
            e.recorded_at = now
        if e.held_for_review and not e.rule.review_required:
            e.transitions.insert(0, NewTransition("held", e.recorded_at, reason=HELD_REASON))
            e.held_for_review = False  # the transition now says it
    entry_ids = iter(_reserve_ids(Entry, len(entries)))
    transition_ids = iter(_reserve_ids(Transition, sum(len(e.transitions) for e in entries)))
    counting: dict[int, list[Any]] = {}
    entry_rows, transition_rows, new_heads = build_rows(
        entries=entries,
        heads={sid: (h[0], h[1]) for sid, h in heads.items()},
        entry_ids=entry_ids,
        transition_ids=transition_ids,
        now=now,
        adapt=datetime_adapter(connection),
        counting=counting,
    )
    return Prepared(
        counting=counting,
        entries=entries,
        subject_ids=subject_ids,
        heads=heads,
        new_heads=new_heads,
        entry_rows=entry_rows,
        transition_rows=transition_rows,
        now=now,
    )


def write_prepared(prepared: Prepared, *, notify: bool = True, cause: str = "import") -> BulkResult:
    """Insert the prepared facts, refresh the subjects, append grade changes and notices."""
    result = BulkResult()
    writer = BulkWriter(connection)
    try:
        writer.write(TableSpec.of(Entry, ENTRY_FIELDS), prepared.entry_rows)
        writer.write(TableSpec.of(Transition, TRANSITION_FIELDS), prepared.transition_rows)
        if connection.vendor == "postgresql":
            writer.reset_sequences([Entry, Transition])
        result.entries, result.transitions = len(prepared.entry_rows), len(prepared.transition_rows)
        result.subjects = len(prepared.subject_ids)
        if prepared.subject_ids:
            result.grade_changes = refresh_subjects(
                subject_ids=prepared.subject_ids,
                heads=prepared.heads,
                new_heads=prepared.new_heads,
                now=prepared.now,
                cause=cause,
                writer=writer,
                added=prepared.counting,
            )
        if notify:
            result.notices = writer.write(TableSpec.of(Notice, NOTICE_FIELDS), _notices(prepared.entries, prepared.now))
    finally:
        writer.close()
    return result


def ledger_bulk_append(
    *, entries: list[NewEntry], now: dt.datetime | None = None, notify: bool = True, cause: str = "import"
) -> BulkResult:
    """Append ``entries`` (and their transitions) to their subjects' chains and refresh the
    subjects' scores. Must run inside a transaction (the caller's)."""
    if not entries:
        return BulkResult()
    prepared = prepare_append(entries=entries, now=now)
    return write_prepared(prepared, notify=notify, cause=cause)


def _notices(entries: list[NewEntry], now: dt.datetime) -> list[tuple[Any, ...]]:
    """One notice per entry; texts are made once per (rule, points) since they repeat."""
    rows = []
    at = adapt_datetime(connection, now)
    texts: dict[tuple[int, int], tuple[str, str, str]] = {}
    for e in entries:
        if e.transitions and e.transitions[0].kind == "held":
            continue  # the subject hears of it once it is approved (entry_review)
        key = (e.rule.pk, e.points)
        text = texts.get(key)
        if text is None:
            if e.points < 0:
                title = gettext("A credit record was made: %(rule)s (%(points)+d points)") % {
                    "rule": e.rule.name_zh,
                    "points": e.points,
                }
                window_end = (now + dt.timedelta(days=e.rule.objection_days)).astimezone(clock.LOCAL_TZ)
                body = gettext("You may object until %(date)s if you think it is wrong.") % {
                    "date": f"{window_end:%Y-%m-%d %H:%M}"
                }
                text = (title, body, "credit.deduction")
            else:
                title = gettext("A credit award was recorded: %(rule)s (%(points)+d points)") % {
                    "rule": e.rule.name_zh,
                    "points": e.points,
                }
                text = (title, "", "credit.award")
            texts[key] = text
        rows.append((e.subject_id, at, text[2], text[0], text[1]))
    return rows
