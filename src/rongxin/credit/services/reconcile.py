"""Full reconciliation in set-based SQL: every entry's state and every subject's score derived
from the facts, compared with the caches, without loading a model per row.

The derivation is the same rule as :func:`rongxin.credit.domain.lifecycle.replay`, written in SQL:

- an entry's state is set by its last state-changing transition (approved → active, rejected,
  objected → suspended, upheld → active, revoked, repaired,
  superseded by a corrected record → revoked), or, with none, by the rule
  (pending review if the rule needs review, else active); an entry held for review at its
  recording (a programme's award to its own organiser) is pending review too;
- it counts from its approval (reviewed rules, held entries) or its recording, for ``counting_days``;
- an active entry past its period is expired;
- a subject's score is the base of the catalogue in force plus the points that count now, for
  persons only while their latest consent event is a grant.

Drifting subjects are re-derived one by one with the Python replay for the report and ``--fix``.
The check alone writes nothing: a subject whose time-driven changes fell due but that the worker
has not refreshed yet is held to its facts just before they fell due (``due``, not drift).
The SQL (per engine) is the fast path; :func:`credit_reconcile` the slow reference (the Python
replay of :mod:`rongxin.credit.domain.lifecycle` scored by :mod:`rongxin.credit.domain.scoring`),
and tests hold the two to the same answers.

The SQL and the score it implies (:func:`expected_standings`) are deliberately independent of the
scoring module that every write path uses: a fault in one shows as drift against the other. An
ops check that may rewrite caches (``fix``), so it lives with the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from rongxin.core import clock
from rongxin.core.bulk import adapt_datetime
from rongxin.credit.domain.scoring import grade_for
from rongxin.credit.models import Entry, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.selectors.catalogues import scale_in_force
from rongxin.credit.selectors.scores import replay_subject
from rongxin.subjects.models import ConsentEvent, Subject

STATE_KINDS = ("held", "approved", "rejected", "objected", "upheld", "revoked", "repaired", "superseded")
NEXT = {
    "held": "pending_review",
    "approved": "active",
    "rejected": "rejected",
    "objected": "suspended",
    "upheld": "active",
    "revoked": "revoked",
    "repaired": "repaired",
    "superseded": "revoked",
}


def _sql() -> str:
    """The per-subject query; every ``%s`` in it is the reconciliation time. Layers: derive each
    entry's state and start from its transitions; compute its end once; settle expiry once; then
    count drifts and counting points per subject."""
    qn = connection.ops.quote_name
    e, t, r = qn(Entry._meta.db_table), qn(Transition._meta.db_table), qn(Rule._meta.db_table)
    kinds = ", ".join(f"'{k}'" for k in STATE_KINDS)
    if connection.vendor == "postgresql":
        until = "d.deff + make_interval(days => d.counting_days)"
        at = "%s"
        same_until = "m.counts_until IS NOT DISTINCT FROM m.duntil"
        same_eff = "m.effective_at IS NOT DISTINCT FROM m.deff"
        started = "m.deff <= %s"
    else:
        # SQLite stores datetimes as text: compare them as Julian day numbers (to ~10 ms).
        until = "julianday(d.deff) + d.counting_days"
        at = "julianday(%s)"
        same_until = (
            "((m.counts_until IS NULL AND m.duntil IS NULL) OR ABS(julianday(m.counts_until) - m.duntil) < 1e-7)"
        )
        same_eff = (
            "((m.effective_at IS NULL AND m.deff IS NULL) OR ABS(julianday(m.effective_at) - julianday(m.deff)) < 1e-7)"
        )
        started = "julianday(m.deff) <= julianday(%s)"
    # One pass over the transitions per entry: the approval time, and the last state-changing
    # transition encoded as seq * 10 + kind code (so MAX finds it and % 10 names it).
    codes = {k: i for i, k in enumerate(STATE_KINDS, start=1)}
    encode = " ".join(f"WHEN '{k}' THEN seq * 10 + {c}" for k, c in codes.items())
    last_state = " ".join(f"WHEN {c} THEN '{NEXT[k]}'" for k, c in codes.items())
    derived = f"""
        SELECT e.id, e.subject_id, e.points, e.status, e.effective_at, e.counts_until, e.counting_days,
               CASE WHEN r.review_required OR tr.held_at IS NOT NULL THEN tr.approved_at ELSE e.recorded_at END AS deff,
               CASE WHEN tr.last_state IS NULL THEN (CASE WHEN r.review_required THEN 'pending_review' ELSE 'active' END)
                    ELSE (CASE tr.last_state %% 10 {last_state} END) END AS dstate
        FROM {e} e
        JOIN {r} r ON r.id = e.rule_id
        LEFT JOIN (
            SELECT entry_id,
                   MAX(CASE WHEN kind = 'approved' THEN at END) AS approved_at,
                   MAX(CASE WHEN kind = 'held' THEN at END) AS held_at,
                   MAX(CASE kind {encode} END) AS last_state
            FROM {t} WHERE kind IN ({kinds}) GROUP BY entry_id
        ) tr ON tr.entry_id = e.id
    """  # noqa: S608 - table names from _meta, quoted; values are parameters
    with_until = f"SELECT d.*, CASE WHEN d.deff IS NULL THEN NULL ELSE {until} END AS duntil FROM ({derived}) d"  # noqa: S608
    settled = (
        f"SELECT m.subject_id, m.points, m.status, m.effective_at, m.counts_until, m.deff, m.duntil, "  # noqa: S608
        f"CASE WHEN m.dstate = 'active' AND m.duntil IS NOT NULL AND m.duntil <= {at} THEN 'expired' ELSE m.dstate END AS fstate "
        f"FROM ({with_until}) m"
    )
    return f"""
        SELECT m.subject_id,
               SUM(CASE WHEN m.fstate <> m.status OR NOT ({same_eff}) OR NOT ({same_until}) THEN 1 ELSE 0 END) AS entry_drifts,
               SUM(CASE WHEN m.fstate = 'active' AND {started} AND m.duntil > {at} THEN m.points ELSE 0 END) AS counting
        FROM ({settled}) m
        GROUP BY m.subject_id
    """  # noqa: S608


@dataclass(frozen=True)
class Drift:
    subject_id: int
    what: str
    cached: Any
    derived: Any


def credit_reconcile(
    *, at: dt.datetime | None = None, fix: bool = False, limit: int = 50, subject_ids: list[int] | None = None
) -> tuple[int, list[Drift]]:
    """Recompute every subject with credit state from the facts and compare with the caches
    (score, grade, next change, each entry's status and period). Returns (subjects checked,
    drifts found, at most ``limit``). With ``fix``, caches are rewritten from the facts."""
    at = at or clock.now()
    drifts: list[Drift] = []
    checked = 0
    credit_qs = SubjectCredit.objects.select_related("subject").order_by("pk")
    if subject_ids is not None:
        credit_qs = credit_qs.filter(pk__in=subject_ids)
    credits = credit_qs.iterator(chunk_size=2000)
    for credit in credits:
        checked += 1
        subject = credit.subject
        entries = list(Entry.objects.filter(subject=subject).select_related("rule").order_by("seq"))
        transitions = list(Transition.objects.filter(subject=subject).order_by("seq"))
        r = replay_subject(subject=subject, at=at, entries=entries, transitions=transitions)
        found: list[Drift] = []
        if credit.score != r.score:
            found.append(Drift(subject.pk, "score", credit.score, r.score))
        if credit.grade != r.grade:
            found.append(Drift(subject.pk, "grade", credit.grade, r.grade))
        for e in entries:
            s = r.states[e.pk]
            if (e.status, e.effective_at, e.counts_until) != (s.status, s.effective_at, s.counts_until):
                found.append(
                    Drift(
                        subject.pk,
                        f"entry {e.pk}",
                        (e.status, e.effective_at, e.counts_until),
                        (s.status, s.effective_at, s.counts_until),
                    )
                )
        if found:
            drifts.extend(found[: max(limit - len(drifts), 0)])
            if fix:
                for e in entries:
                    s = r.states[e.pk]
                    Entry.objects.filter(pk=e.pk).update(
                        status=s.status, effective_at=s.effective_at, counts_until=s.counts_until
                    )
                SubjectCredit.objects.filter(pk=subject.pk).update(
                    score=r.score, grade=r.grade, next_change_at=r.next_change_at, updated_at=at
                )
    return checked, drifts


@dataclass(frozen=True)
class Reconciliation:
    checked: int
    drifts: list[Drift]
    # Subjects whose caches are right but have time-driven changes due that the worker has not
    # applied yet (their ``next_change_at`` passed): not drift.
    due: list[int]


def credit_reconcile_fast(
    *, at: dt.datetime | None = None, fix: bool = False, limit: int = 50
) -> tuple[int, list[Drift]]:
    """The strict comparison at ``at``: (subjects checked, drifts), where changes that fell due
    and that the worker has not applied yet count as drift too (as in
    :func:`credit_reconcile`)."""
    r = credit_reconcile_report(at=at, fix=fix, limit=limit, allow_due=False)
    return r.checked, r.drifts


@dataclass(frozen=True)
class Derived:
    """A subject with a credit row at a time: what its facts give by the SQL derivation (score,
    grade, entries whose cached state differs from their facts) beside its caches."""

    score: int | None
    grade: str
    entry_drifts: int
    cached_score: int | None
    cached_grade: str
    next_change_at: dt.datetime | None

    @property
    def drifts(self) -> bool:
        return bool(self.entry_drifts) or (self.score, self.grade) != (self.cached_score, self.cached_grade)


def derive_from_facts(*, at: dt.datetime) -> tuple[dict[int, Derived], list[int]]:
    """Every subject with a credit row as its facts stand at ``at`` (set-based, one statement per
    engine), and the subjects that have entries but no credit row at all. The score is the base of
    the catalogue in force plus the points the SQL finds counting, for persons only while their
    latest consent event is a grant: written here on purpose, apart from the scoring module."""
    sql = _sql()
    params = [adapt_datetime(connection, at)] * sql.count("%s")
    derived: dict[int, tuple[int, int]] = {}
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Grouping ~800k subjects spills to disk with the default 4 MB.
            cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(sql, params)
        while rows := cur.fetchmany(50_000):
            for sid, drift_count, counting in rows:
                derived[sid] = (int(drift_count or 0), int(counting or 0))
        cur.execute(
            f"SELECT c.subject_id, c.score, c.grade, s.kind, c.next_change_at FROM {connection.ops.quote_name(SubjectCredit._meta.db_table)} c "  # noqa: S608
            f"JOIN {connection.ops.quote_name(Subject._meta.db_table)} s ON s.id = c.subject_id"
        )
        credits = cur.fetchall()
    consent = _consent_now(at)
    today = at.astimezone(clock.LOCAL_TZ).date()
    scales = {k: scale_in_force(subject_kind=k, on=today) for k in SubjectKind.values}
    out: dict[int, Derived] = {}
    for sid, score, grade, kind, next_change_at in credits:
        is_person = kind == Subject.Kind.PERSON
        scale = scales[SubjectKind.PERSON if is_person else SubjectKind.ORGANISATION]
        entry_drift_count, counting = derived.pop(sid, (0, 0))
        expected = scale.base + counting if scale is not None and (not is_person or consent.get(sid, False)) else None
        expected_grade = grade_for(expected, scale.bands) if scale is not None else ""
        out[sid] = Derived(expected, expected_grade, entry_drift_count, score, grade, _aware(next_change_at))
    return out, sorted(derived)


def credit_reconcile_report(
    *, at: dt.datetime | None = None, fix: bool = False, limit: int = 50, allow_due: bool = True
) -> Reconciliation:
    """Check every subject's cached credit state against the facts at ``at`` (see the module
    docstring). Without ``fix`` nothing is written. With ``allow_due``, a subject whose
    time-driven changes fell due but are not yet applied by the worker is compared as it stood
    just before they fell due (and listed in ``due``); anything else that differs is drift (at
    most ``limit`` reported). With ``fix`` the drifting subjects' caches are rewritten from the
    facts at ``at``; the due ones are left to
    :func:`~rongxin.credit.services.scores.credit_apply_time_changes` (which records their grade changes)."""
    at = at or clock.now()
    derived, without_row = derive_from_facts(at=at)
    suspects: list[int] = []
    due_at: dict[int, dt.datetime] = {}
    for sid, d in derived.items():
        if d.drifts:
            suspects.append(sid)
            when = d.next_change_at
            if allow_due and when is not None and when <= at:
                due_at[sid] = when
    # Entries of subjects that have no credit row at all are drift too (the row is the chain head).
    suspects.extend(without_row)
    drifts: list[Drift] = []
    due: list[int] = []
    for sid in suspects:
        if len(drifts) >= limit and not fix:
            break
        if not SubjectCredit.objects.filter(pk=sid).exists():
            drifts.append(Drift(sid, "credit row", None, "missing"))
            continue
        if sid in due_at and _cache_right_before(sid, due_at[sid]):
            due.append(sid)
            continue
        _, found = credit_reconcile(at=at, fix=fix, limit=limit, subject_ids=[sid])
        drifts.extend(found[: max(limit - len(drifts), 0)])
    return Reconciliation(len(derived), drifts, due)


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """A datetime column read by a raw cursor (SQLite gives text) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _cache_right_before(subject_id: int, due: dt.datetime) -> bool:
    """Whether a subject's caches equal its facts replayed just before its changes fell due
    (so the only difference from now is what the worker's next run applies)."""
    before = due - dt.timedelta(microseconds=1)
    credit = SubjectCredit.objects.select_related("subject").get(pk=subject_id)
    entries = list(Entry.objects.filter(subject_id=subject_id).select_related("rule").order_by("seq"))
    transitions = list(Transition.objects.filter(subject_id=subject_id).order_by("seq"))
    if any(e.recorded_at > before for e in entries) or any(t.at > before for t in transitions):
        return False  # a fact recorded since would have refreshed the subject
    r = replay_subject(subject=credit.subject, at=before, entries=entries, transitions=transitions)
    return (credit.score, credit.grade) == (r.score, r.grade) and all(
        (e.status, e.effective_at, e.counts_until)
        == (r.states[e.pk].status, r.states[e.pk].effective_at, r.states[e.pk].counts_until)
        for e in entries
    )


def _consent_now(at: dt.datetime) -> dict[int, bool]:
    qn = connection.ops.quote_name
    table = qn(ConsentEvent._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT subject_id, action FROM (SELECT subject_id, action, ROW_NUMBER() OVER ("  # noqa: S608
            f"PARTITION BY subject_id ORDER BY at DESC, id DESC) AS rn FROM {table} WHERE at <= %s) x WHERE rn = 1",
            [adapt_datetime(connection, at)],
        )
        return {sid: action == ConsentEvent.Action.GRANT for sid, action in cur.fetchall()}
