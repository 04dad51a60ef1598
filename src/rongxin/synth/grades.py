"""The grade history of a generated county: one :class:`GradeChange` for each time a subject's
grade moved over the three years, derived from the ledger's facts.

The history and volunteering loads write every entry at once and score each subject at the
end, so each scored subject would get a single grade change dated at load time. This pass
replays each subject's facts instead: every entry counts from its start (recording, or approval
after review) to the end of its period, paused while an objection is open and ended by a
revocation or a repair, exactly as :func:`rongxin.credit.domain.lifecycle.replay` says; the
score at each of those moments is the base plus what counts (:mod:`rongxin.credit.domain.scoring`).
A subject is scored from its consent (persons) or registration (organisations), at the
earliest from the start of the history. The last change of each subject lands on the grade its
credit row holds, and the tests hold it to that.

Subjects are read in ranges of ids (two indexed reads a range), so memory stays bounded at
scale 1.0.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count

from rongxin.core import clock
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.credit.domain.lifecycle import ACTIVE, NEXT_STATE, PENDING_REVIEW
from rongxin.credit.domain.scoring import Scale, grade_for
from rongxin.credit.models import Entry, GradeChange, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.selectors.catalogues import scale_in_force
from rongxin.credit.services.scores import GRADE_CHANGE_FIELDS
from rongxin.subjects.models import Person, Subject

CAUSE = "synthetic"
SYNTHETIC_CAUSES = ("synthetic", "synthetic.volunteering", "synthetic.lectures", "synthetic.funds")
RANGE = 20_000  # subject ids per read


@dataclass
class GradeHistoryResult:
    subjects: int
    grade_changes: int
    seconds: float


def _when(value: Any) -> dt.datetime:
    """A timestamp as the driver returns it (a datetime, or ISO text from SQLite) made aware."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def counting_spans(
    *, recorded_at: dt.datetime, review_required: bool, counting_days: int, transitions: list[tuple[str, dt.datetime]]
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The spans ``[from, to)`` during which an entry counts, from its transitions in order:
    while active, from its start (recording or approval) to the end of its period."""
    status = PENDING_REVIEW if review_required else ACTIVE
    effective: dt.datetime | None = None if review_required else recorded_at
    since: dt.datetime | None = recorded_at if status == ACTIVE else None
    period = dt.timedelta(days=counting_days)
    spans: list[tuple[dt.datetime, dt.datetime]] = []

    def close(until: dt.datetime) -> None:
        if since is not None and effective is not None:
            end = min(until, effective + period)
            if end > since:
                spans.append((since, end))

    for kind, at in transitions:
        new = NEXT_STATE.get(kind, status)
        if status == ACTIVE and new != ACTIVE:
            close(at)
            since = None
        if kind == "approved":
            effective = at
        elif kind == "held":
            effective = None
        if status != ACTIVE and new == ACTIVE:
            since = at
        status = new
    if status == ACTIVE and effective is not None:
        close(effective + period)
    return spans


def grade_steps(
    *, scale: Scale, scored_from: dt.datetime, now: dt.datetime, events: list[tuple[dt.datetime, int]]
) -> list[tuple[dt.datetime, str, str, int | None, int | None]]:
    """(at, old grade, new grade, old score, new score) for each time the grade moves, from
    ``scored_from`` to ``now``; ``events`` are (time, points added or taken) of counting spans."""
    events.sort(key=lambda e: e[0])
    points = 0
    i, n = 0, len(events)
    while i < n and events[i][0] <= scored_from:
        points += events[i][1]
        i += 1
    score = scale.base + points
    grade = grade_for(score, scale.bands)
    out: list[tuple[dt.datetime, str, str, int | None, int | None]] = [(scored_from, "", grade, None, score)]
    while i < n and events[i][0] <= now:
        at = events[i][0]
        while i < n and events[i][0] == at:
            points += events[i][1]
            i += 1
        new_score = scale.base + points
        new_grade = grade_for(new_score, scale.bands)
        if new_grade != grade:
            out.append((at, grade, new_grade, score, new_score))
            grade = new_grade
        score = new_score
    return out


def _scored_from(lo: int, hi: int, start: dt.datetime, graded: set[int]) -> dict[int, dt.datetime]:
    """When each graded subject of the id range starts being scored (not before ``start``)."""
    out: dict[int, dt.datetime] = {}
    persons = Person.objects.filter(subject_id__gte=lo, subject_id__lt=hi, consent_given=True)
    for sid, at in persons.values_list("subject_id", "consent_changed_at"):
        if sid in graded:
            out[sid] = max(at, start) if at is not None else start
    organisations = Subject.objects.filter(id__gte=lo, id__lt=hi).exclude(kind=Subject.Kind.PERSON)
    for sid, at in organisations.values_list("id", "created_at"):
        if sid in graded:
            out[sid] = max(at, start)
    return out


def grade_history_rebuild(*, now: dt.datetime | None = None, years: int = 3) -> GradeHistoryResult:
    """Replace the load-time grade changes (causes ``synthetic``, ``synthetic.volunteering``,
    ``synthetic.lectures`` and ``synthetic.funds``) of every scored subject by their history over the last ``years``
    years, in one transaction.
    Writes :class:`GradeChange` rows (cause ``synthetic``); emits nothing."""
    started = time.perf_counter()
    now = now or clock.now()
    start = now - dt.timedelta(days=365 * years)
    today = now.astimezone(clock.LOCAL_TZ).date()
    scales = {k: scale_in_force(subject_kind=k, on=today) for k in SubjectKind.values}
    review = dict(Rule.objects.values_list("id", "review_required"))
    kinds = dict(Subject.objects.values_list("id", "kind").order_by())
    graded = set(SubjectCredit.objects.exclude(grade="").values_list("subject_id", flat=True))
    qn = connection.ops.quote_name
    entry_t, transition_t = qn(Entry._meta.db_table), qn(Transition._meta.db_table)
    adapt = datetime_adapter(connection)
    spec = TableSpec.of(GradeChange, GRADE_CHANGE_FIELDS)
    top = max(kinds, default=0)
    subjects = changes = 0
    with transaction.atomic():
        GradeChange.objects.filter(cause__in=SYNTHETIC_CAUSES).delete()
        writer = BulkWriter(connection)
        for lo in range(1, top + 1, RANGE):
            hi = lo + RANGE
            scored = _scored_from(lo, hi, start, graded)
            moves: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
            events: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT entry_id, kind, at FROM {transition_t} "  # noqa: S608
                    "WHERE subject_id >= %s AND subject_id < %s ORDER BY subject_id, seq",
                    [lo, hi],
                )
                for entry_id, kind, at in cur.fetchall():
                    moves[entry_id].append((kind, _when(at)))
                cur.execute(
                    f"SELECT id, subject_id, points, recorded_at, counting_days, rule_id FROM {entry_t} "  # noqa: S608
                    "WHERE subject_id >= %s AND subject_id < %s ORDER BY subject_id, seq",
                    [lo, hi],
                )
                for eid, sid, points, recorded_at, counting_days, rule_id in cur.fetchall():
                    if sid not in scored:
                        continue
                    for a, b in counting_spans(
                        recorded_at=_when(recorded_at),
                        review_required=review[rule_id],
                        counting_days=counting_days,
                        transitions=moves.get(eid, []),
                    ):
                        events[sid].append((a, points))
                        events[sid].append((b, -points))
            rows: list[tuple[Any, ...]] = []
            for sid in sorted(scored):
                scale = scales[SubjectKind.PERSON if kinds[sid] == Subject.Kind.PERSON else SubjectKind.ORGANISATION]
                if scale is None:
                    continue
                subjects += 1
                for at, old, new, old_score, new_score in grade_steps(
                    scale=scale, scored_from=scored[sid], now=now, events=events.get(sid, [])
                ):
                    rows.append((sid, adapt(at), old, new, old_score, new_score, CAUSE))
            changes += writer.write(spec, rows)
        writer.close()
    return GradeHistoryResult(subjects=subjects, grade_changes=changes, seconds=time.perf_counter() - started)


def grade_distribution() -> dict[str, int]:
    """How many subjects hold each grade, best first (the scale of the person catalogue)."""
    counts = dict(
        SubjectCredit.objects.exclude(grade="").values_list("grade").annotate(n=Count("subject_id")).order_by()
    )
    scale = scale_in_force(subject_kind=SubjectKind.PERSON, on=clock.today_local())
    order = [code for code, _minimum in scale.bands] if scale is not None else []
    return {g: counts.get(g, 0) for g in order} | {g: n for g, n in counts.items() if g not in order}
