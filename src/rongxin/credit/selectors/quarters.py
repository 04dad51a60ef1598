"""Reads of a quarter of credit facts for a region, set-based (one grouped query each, however
many villages): the grade changes, the good-deed records and the serious deductions counting
now. Used by the quarterly commendations of funds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum

from rongxin.credit.models import Direction, Entry, GradeChange, Severity

# Entries a department records by hand or imports: the good deeds (programme awards such as
# volunteer hours or commendations are counted by their own programme, not here).
# Records a department entered by hand or by import; the synthetic history stands for such records.
GOOD_DEED_SOURCES = (Entry.Source.MANUAL, Entry.Source.IMPORT, Entry.Source.SYNTHETIC)


def grade_moves(
    *, prefix: str, since: dt.datetime, until: dt.datetime
) -> dict[int, tuple[str, int | None, str, int | None]]:
    """Per person of the region (``prefix`` of its code): the grade and score before the first
    change in ``[since, until)`` and after the last one: ``(old_grade, old_score, new_grade,
    new_score)``. One query."""
    rows = (
        GradeChange.objects.filter(
            at__gte=since, at__lt=until, subject__kind="person", subject__village__code__startswith=prefix
        )
        .order_by("subject_id", "at", "id")
        .values_list("subject_id", "old_grade", "old_score", "new_grade", "new_score")
    )
    out: dict[int, tuple[str, int | None, str, int | None]] = {}
    for sid, old_grade, old_score, new_grade, new_score in rows.iterator(chunk_size=5000):
        first = out.get(sid)
        if first is None:
            out[sid] = (old_grade, old_score, new_grade, new_score)
        else:
            out[sid] = (first[0], first[1], new_grade, new_score)
    return out


def good_deeds(*, prefix: str, since: dt.datetime, until: dt.datetime) -> dict[int, tuple[int, int]]:
    """Per person of the region: the number and points of good-deed records recorded in
    ``[since, until)``: award entries a department recorded by hand or imported, counting now
    (not revoked, not awaiting review). One grouped query."""
    rows = (
        Entry.objects.filter(
            recorded_at__gte=since,
            recorded_at__lt=until,
            source__in=GOOD_DEED_SOURCES,
            status=Entry.Status.ACTIVE,
            department__isnull=False,
            rule__direction=Direction.AWARD,
            rule__programme="",
            subject__kind="person",
            subject__village__code__startswith=prefix,
        )
        .values("subject_id")
        .annotate(n=Count("id"), points=Sum("points"))
        .values_list("subject_id", "n", "points")
    )
    return {sid: (n, int(points or 0)) for sid, n, points in rows}


def serious_deductions_now(*, prefix: str, now: dt.datetime) -> set[int]:
    """The persons of the region with a serious deduction counting at ``now``. One query."""
    return set(
        Entry.objects.filter(
            status=Entry.Status.ACTIVE,
            effective_at__lte=now,
            counts_until__gt=now,
            rule__direction=Direction.DEDUCTION,
            rule__severity=Severity.SERIOUS,
            subject__village__code__startswith=prefix,
        )
        .values_list("subject_id", flat=True)
        .distinct()
    )


def serious_deduction_now(*, subject_id: int, now: dt.datetime) -> bool:
    """True when the subject has a serious deduction counting at ``now``."""
    return Entry.objects.filter(
        subject_id=subject_id,
        status=Entry.Status.ACTIVE,
        effective_at__lte=now,
        counts_until__gt=now,
        rule__direction=Direction.DEDUCTION,
        rule__severity=Severity.SERIOUS,
    ).exists()
