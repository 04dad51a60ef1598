"""Keeping the cached score, grade and next change of subjects in step with their facts: one
subject under its lock (after each write, by the worker when time ends an entry, on a consent
change) and many at once, set-based (the bulk append, a new catalogue coming into force).

Every path computes the score and the grade with :mod:`rongxin.credit.domain.scoring`. Each
subject's :class:`SubjectCredit` row is also the head of its hash chain: writers lock it first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Sum

from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, TempIds, adapt_datetime
from rongxin.credit.domain.scoring import Scale, standing, standing_after
from rongxin.credit.models import Catalogue, Entry, GradeChange, SubjectCredit, SubjectKind
from rongxin.credit.selectors.catalogues import catalogue_in_force, scale_in_force
from rongxin.credit.selectors.scores import scored, subject_kind_of
from rongxin.subjects.models import Person, Subject

GRADE_CHANGE_FIELDS = ("subject", "at", "old_grade", "new_grade", "old_score", "new_score", "cause")


# --- One subject ---------------------------------------------------------------------------------
def credit_row_locked(subject_id: int) -> SubjectCredit:
    """The subject's credit row, created if missing, locked for the rest of the transaction."""
    SubjectCredit.objects.bulk_create(
        [SubjectCredit(subject_id=subject_id, updated_at=clock.now())], ignore_conflicts=True
    )
    return SubjectCredit.objects.select_for_update().get(pk=subject_id)


def refresh_subject(*, credit: SubjectCredit, subject: Subject, now: dt.datetime, cause: str) -> None:
    """Recompute score, grade and ``next_change_at`` from the entries' cached state, and append
    a :class:`GradeChange` when the grade moves. The caller holds the row lock."""
    Entry.objects.filter(subject_id=subject.pk, status=Entry.Status.ACTIVE, counts_until__lte=now).update(
        status=Entry.Status.EXPIRED
    )
    counting = Entry.objects.filter(
        subject_id=subject.pk, status=Entry.Status.ACTIVE, effective_at__lte=now, counts_until__gt=now
    )
    agg = counting.aggregate(points=Sum("points"), next_end=Min("counts_until"))
    scale = scale_in_force(subject_kind=subject_kind_of(subject), on=now.astimezone(clock.LOCAL_TZ).date())
    score, grade = standing(scale, agg["points"] or 0, scored=scored(subject))
    if grade != credit.grade:
        GradeChange.objects.create(
            subject_id=subject.pk,
            at=now,
            old_grade=credit.grade,
            new_grade=grade,
            old_score=credit.score,
            new_score=score,
            cause=cause,
        )
    credit.score = score
    credit.grade = grade
    credit.next_change_at = agg["next_end"]
    credit.updated_at = now
    credit.save(update_fields=["score", "grade", "next_change_at", "updated_at"])


def credit_apply_time_changes(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Expire entries whose period has ended and refresh the subjects concerned (those whose
    ``next_change_at`` has passed). Idempotent; returns the number of subjects refreshed."""
    fixed_now = now
    now = now or clock.now()
    done = 0
    while True:
        ids = list(
            SubjectCredit.objects.filter(next_change_at__lte=now).order_by("pk").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for subject_id in ids:
            with transaction.atomic():
                credit = credit_row_locked(subject_id)
                if credit.next_change_at is None or credit.next_change_at > now:
                    continue
                subject = Subject.objects.get(pk=subject_id)
                # Refresh at the time of the lock (later than ``now`` when running live), so an
                # entry committed meanwhile is counted; tests pass ``now`` to fix the time.
                refresh_subject(credit=credit, subject=subject, now=fixed_now or clock.now(), cause="time")
                done += 1


def credit_on_consent_change(*, subject_id: int, consent: bool) -> None:
    """Consent listener (registered in :class:`~rongxin.credit.apps.CreditConfig`): the score
    appears or disappears in the consent's own transaction."""
    credit = credit_row_locked(subject_id)
    subject = Subject.objects.get(pk=subject_id)
    refresh_subject(
        credit=credit, subject=subject, now=clock.now(), cause="consent.grant" if consent else "consent.withdraw"
    )


# --- Many subjects, set-based ----------------------------------------------------------------
Head = tuple[int, str, int | None, str, dt.datetime | None]  # seq, hash, score, grade, next change


def heads_locked(subject_ids: list[int], now: dt.datetime) -> dict[int, Head]:
    """Lock or create the subjects' credit rows; return seq, head, score, grade and next change
    for each."""
    table = connection.ops.quote_name(SubjectCredit._meta.db_table)
    stamp = adapt_datetime(connection, now)
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {table} (subject_id, chain_seq, chain_head, grade, updated_at) "  # noqa: S608
            "VALUES (%s, 0, '', '', %s) ON CONFLICT (subject_id) DO NOTHING",
            [(sid, stamp) for sid in subject_ids],
        )
    out: dict[int, Head] = {}
    lock = " FOR UPDATE OF c" if connection.vendor == "postgresql" else ""
    parse = _datetime_reader()
    temp = TempIds(connection, "rx_bulk_heads", subject_ids)
    try:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT c.subject_id, c.chain_seq, c.chain_head, c.score, c.grade, c.next_change_at "  # noqa: S608
                f"FROM {table} c WHERE c.subject_id IN (SELECT id FROM rx_bulk_heads) ORDER BY c.subject_id{lock}"
            )
            for sid, seq, head, score, grade, nxt in cur.fetchall():
                out[sid] = (seq, head, score, grade, parse(nxt))
    finally:
        temp.drop()
    return out


def _datetime_reader() -> Callable[[Any], dt.datetime | None]:
    """Raw cursor datetimes: PostgreSQL gives aware datetimes; SQLite gives naive UTC ones (or
    the ORM's text), which become aware."""
    if connection.vendor == "postgresql":
        return lambda v: v
    from django.utils.dateparse import parse_datetime

    def read(v: Any) -> dt.datetime | None:
        if v is None:
            return None
        parsed = v if isinstance(v, dt.datetime) else parse_datetime(v)
        if parsed is not None and parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed

    return read


def _in_force_applied() -> dict[str, bool]:
    """Whether the catalogue in force for each kind has been applied to every score."""
    today = clock.today_local()
    out = {}
    for kind in SubjectKind.values:
        catalogue = catalogue_in_force(subject_kind=kind, on=today)
        out[kind] = catalogue is not None and catalogue.applied_at is not None
    return out


def refresh_subjects(
    *,
    subject_ids: list[int],
    heads: dict[int, Any],
    new_heads: dict[int, tuple[int, str]],
    now: dt.datetime,
    cause: str,
    writer: BulkWriter,
    added: dict[int, list[Any]] | None = None,
) -> int:
    """Set-based :func:`refresh_subject` for many subjects: expire
    finished entries, sum what counts, grade, write heads and scores. Returns grade changes.

    ``heads`` holds each subject's state before the append (seq, hash, score, grade and, from
    :func:`heads_locked`, the next change). With ``added`` (the new entries' points counting now, per
    subject), a subject whose cached score is known to be current — it has facts, nothing of it
    is due to expire, the catalogue in force has been applied to all scores, and its score is
    present exactly when it is scored — gets ``old score + added`` without reading its entries.
    Everyone else is recomputed from the entries. Reconcile checks both ways against the facts."""
    qn = connection.ops.quote_name
    entry_t, subject_t, person_t = Entry._meta.db_table, Subject._meta.db_table, Person._meta.db_table
    at = adapt_datetime(connection, now)
    temp = TempIds(connection, "rx_bulk_refresh", subject_ids)
    try:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT s.id, s.kind, p.consent_given FROM {qn(subject_t)} s "  # noqa: S608
                f"LEFT JOIN {qn(person_t)} p ON p.subject_id = s.id WHERE s.id IN (SELECT id FROM rx_bulk_refresh)"
            )
            kinds = {sid: (kind, consent) for sid, kind, consent in cur.fetchall()}
    finally:
        temp.drop()
    fast: set[int] = set()
    if added is not None:
        applied = _in_force_applied()
        for sid in subject_ids:
            head = heads[sid]
            if len(head) < 5:
                continue
            seq, _hash, score, _grade, nxt = head
            kind, consent = kinds[sid]
            is_person = kind == Subject.Kind.PERSON
            if not applied[SubjectKind.PERSON if is_person else SubjectKind.ORGANISATION] or seq == 0:
                continue
            if nxt is not None and nxt <= now:
                continue
            if (score is not None) != bool(consent or not is_person):
                continue
            fast.add(sid)
    slow = [sid for sid in subject_ids if sid not in fast]
    sums: dict[int, tuple[Any, Any]] = {}
    if slow:
        temp = TempIds(connection, "rx_bulk_refresh", slow)
        try:
            with connection.cursor() as cur:
                cur.execute(
                    f"UPDATE {qn(entry_t)} SET status = %s WHERE status = %s AND counts_until <= %s "  # noqa: S608
                    f"AND subject_id IN (SELECT id FROM rx_bulk_refresh)",
                    [Entry.Status.EXPIRED, Entry.Status.ACTIVE, at],
                )
                cur.execute(
                    f"SELECT e.subject_id, SUM(e.points), MIN(e.counts_until) FROM {qn(entry_t)} e "  # noqa: S608
                    "WHERE e.subject_id IN (SELECT id FROM rx_bulk_refresh) "
                    "AND e.status = %s AND e.effective_at <= %s AND e.counts_until > %s GROUP BY e.subject_id",
                    [Entry.Status.ACTIVE, at, at],
                )
                sums = {sid: (total, nxt) for sid, total, nxt in cur.fetchall()}
        finally:
            temp.drop()
    today = now.astimezone(clock.LOCAL_TZ).date()
    scales: dict[str, Scale | None] = {k: scale_in_force(subject_kind=k, on=today) for k in SubjectKind.values}
    credit_rows: list[tuple[Any, ...]] = []
    grade_rows: list[tuple[Any, ...]] = []
    for sid in subject_ids:
        kind, consent = kinds[sid]
        is_person = kind == Subject.Kind.PERSON
        scale = scales[SubjectKind.PERSON if is_person else SubjectKind.ORGANISATION]
        old_score, old_grade = heads[sid][2], heads[sid][3]
        nxt_value: Any
        if sid in fast:
            points, until = (added or {}).get(sid, (0, None))
            score, grade = standing_after(scale, old_score, points)
            nxt = heads[sid][4]
            if until is not None and (nxt is None or until < nxt):
                nxt = until
            nxt_value = adapt_datetime(connection, nxt)
        else:
            total, nxt = sums.get(sid, (0, None))
            score, grade = standing(scale, total or 0, scored=bool(consent or not is_person))
            if connection.vendor == "sqlite" and isinstance(nxt, str):
                nxt_value = nxt
            else:
                nxt_value = adapt_datetime(connection, nxt)
        if grade != old_grade:
            grade_rows.append((sid, at, old_grade, grade, old_score, score, cause))
        seq, head = new_heads[sid]
        credit_rows.append((seq, head, score, grade, nxt_value, at, sid))
    table = qn(SubjectCredit._meta.db_table)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "CREATE TEMPORARY TABLE rx_bulk_credit (chain_seq int, chain_head varchar(64), score int, grade "
                "varchar(4), next_change_at timestamptz, updated_at timestamptz, subject_id bigint) ON COMMIT DROP"
            )
            with cur.cursor.copy("COPY rx_bulk_credit FROM STDIN") as copy:
                for r in credit_rows:
                    copy.write_row(r)
            cur.execute(
                f"UPDATE {table} c SET chain_seq = n.chain_seq, chain_head = n.chain_head, score = n.score, "  # noqa: S608
                "grade = n.grade, next_change_at = n.next_change_at, updated_at = n.updated_at "
                "FROM rx_bulk_credit n WHERE c.subject_id = n.subject_id"
            )
            cur.execute("DROP TABLE rx_bulk_credit")
        else:
            cur.executemany(
                f"UPDATE {table} SET chain_seq = %s, chain_head = %s, score = %s, grade = %s, "  # noqa: S608
                "next_change_at = %s, updated_at = %s WHERE subject_id = %s",
                credit_rows,
            )
    writer.write(TableSpec.of(GradeChange, GRADE_CHANGE_FIELDS), grade_rows)
    return len(grade_rows)


def _kinds_of(subject_kind: str) -> list[str]:
    if subject_kind == SubjectKind.PERSON:
        return [Subject.Kind.PERSON]
    return [k for k in Subject.Kind.values if k != Subject.Kind.PERSON]


def catalogues_apply(*, now: dt.datetime | None = None, batch: int = 20_000) -> int:
    """Rescore every subject of a kind whose catalogue in force has not been applied yet (a new
    catalogue reached its effective date, possibly with another base or bands), in batches of
    ``batch`` subjects, each in its own transaction; then mark the catalogue applied. Idempotent
    (a rescore of a current score changes nothing). Returns the number of subjects rescored."""
    now = now or clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    done = 0
    for kind in SubjectKind.values:
        catalogue = catalogue_in_force(subject_kind=kind, on=today)
        if catalogue is None or catalogue.applied_at is not None:
            continue
        last = 0
        while True:
            ids = list(
                SubjectCredit.objects.filter(subject__kind__in=_kinds_of(kind), pk__gt=last)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            with transaction.atomic():
                heads = heads_locked(ids, now)
                writer = BulkWriter(connection)
                try:
                    refresh_subjects(
                        subject_ids=ids,
                        heads=heads,
                        new_heads={sid: (h[0], h[1]) for sid, h in heads.items()},
                        now=now,
                        cause="catalogue",
                        writer=writer,
                    )
                finally:
                    writer.close()
            done += len(ids)
            last = ids[-1]
        Catalogue.objects.filter(pk=catalogue.pk, applied_at__isnull=True).update(applied_at=now)
    return done
