"""A subject's score over the last three years, month by month, from the ledger.

Each point is the score the subject had at the end of a month (Beijing time; the last point is
now), derived from the facts alone by :func:`~rongxin.credit.selectors.scores.replay_subject`:
the entries and transitions recorded by then, the consent given by then and the catalogue in
force on that day, scored by the one formula in :mod:`rongxin.credit.domain.scoring`. It does
not read GradeChange rows (kept only since the platform went live) or the cached score.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass

from rongxin.core import clock
from rongxin.credit.domain.scoring import Scale
from rongxin.credit.models import Catalogue, Entry, GradeBand, Transition
from rongxin.credit.selectors.scores import replay_subject, subject_kind_of
from rongxin.subjects.models import ConsentEvent, Subject
from rongxin.subjects.permissions import SubjectAccess

MONTHS = 36


@dataclass(frozen=True)
class HistoryPoint:
    month: dt.date  # the first day of the month
    at: dt.datetime  # the end of the month (now for the current month)
    score: int | None  # None: no score then (no consent, or no catalogue in force)
    grade: str


def month_ends(*, now: dt.datetime, months: int = MONTHS) -> list[tuple[dt.date, dt.datetime]]:
    """The last ``months`` months up to the current one, oldest first: (first day, the last
    instant of the month in Beijing time; for the current month, ``now``)."""
    local = now.astimezone(clock.LOCAL_TZ)
    year, month = local.year, local.month
    out: list[tuple[dt.date, dt.datetime]] = []
    for back in range(months):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        first = dt.date(y, m + 1, 1)
        if back == 0:
            out.append((first, now))
            continue
        ny, nm = divmod(y * 12 + m + 1, 12)
        next_start = dt.datetime(ny, nm + 1, 1, tzinfo=clock.LOCAL_TZ)
        out.append((first, next_start - dt.timedelta(microseconds=1)))
    return out[::-1]


def _scales(subject_kind: str) -> tuple[list[dt.date], list[Scale]]:
    """Every published catalogue of the kind as (effective dates, scales), oldest first."""
    catalogues = list(
        Catalogue.objects.filter(subject_kind=subject_kind, status=Catalogue.Status.PUBLISHED).order_by(
            "effective_from", "version"
        )
    )
    bands: dict[int, list[tuple[str, int | None]]] = {c.pk: [] for c in catalogues}
    for catalogue_id, code, minimum in GradeBand.objects.filter(catalogue__in=catalogues).values_list(
        "catalogue_id", "code", "min_score"
    ):
        bands[catalogue_id].append((code, minimum))
    # GradeBand's ordering is the scale's (highest minimum first), kept per catalogue above.
    return [c.effective_from for c in catalogues], [Scale(base=c.base_score, bands=bands[c.pk]) for c in catalogues]


def score_history(*, access: SubjectAccess, now: dt.datetime | None = None, months: int = MONTHS) -> list[HistoryPoint]:
    """The subject's score and grade at the end of each of the last ``months`` months (see the
    module docstring). The caller has already authorised (and, for staff, audited) the read
    through ``access``. A handful of queries, whatever the number of months."""
    subject: Subject = access.subject
    now = now or clock.now()
    entries = list(Entry.objects.filter(subject=subject).select_related("rule").order_by("seq"))
    transitions = list(Transition.objects.filter(subject=subject).order_by("seq"))
    dates, scales = _scales(subject_kind_of(subject))

    def scale_on(day: dt.date) -> Scale | None:
        i = bisect_right(dates, day)
        return scales[i - 1] if i else None

    consent_events = (
        list(ConsentEvent.objects.filter(subject=subject).order_by("at", "id").values_list("at", "action"))
        if subject.kind == Subject.Kind.PERSON
        else None
    )

    def consent_at(at: dt.datetime) -> bool:
        if consent_events is None:
            return True
        last = None
        for when, action in consent_events:
            if when > at:
                break
            last = action
        return last == ConsentEvent.Action.GRANT

    points = []
    for month, at in month_ends(now=now, months=months):
        replayed = replay_subject(
            subject=subject,
            at=at,
            entries=[e for e in entries if e.recorded_at <= at],
            transitions=[t for t in transitions if t.at <= at],
            consent=consent_at(at),
            scale_on=scale_on,
        )
        points.append(HistoryPoint(month=month, at=at, score=replayed.score, grade=replayed.grade))
    return points
