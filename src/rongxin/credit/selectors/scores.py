"""Reads of a subject's score: which catalogue kind and scale apply, whether the subject is
scored, and its score, grade and entry states at any time derived from the facts alone."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rongxin.core import clock
from rongxin.credit.domain.lifecycle import EntryState, replay
from rongxin.credit.domain.scoring import Scale, standing
from rongxin.credit.models import Entry, SubjectKind, Transition
from rongxin.credit.selectors.catalogues import scale_in_force
from rongxin.subjects.models import ConsentEvent, Person, Subject


def catalogue_kind_for(kind: str) -> str:
    """The catalogue kind that scores a subject of ``kind`` (persons, or enterprises and
    individual businesses)."""
    return SubjectKind.PERSON if kind == Subject.Kind.PERSON else SubjectKind.ORGANISATION


def subject_kind_of(subject: Subject) -> str:
    """The catalogue kind that scores ``subject``."""
    return catalogue_kind_for(subject.kind)


def scored(subject: Subject) -> bool:
    """Persons are scored only with consent; organisations always."""
    if subject.kind != Subject.Kind.PERSON:
        return True
    return Person.objects.filter(pk=subject.pk, consent_given=True).exists()


def consent_at(subject: Subject, at: dt.datetime) -> bool:
    """Whether ``subject`` was scored at ``at`` by its consent events (organisations always)."""
    if subject.kind != Subject.Kind.PERSON:
        return True
    last = ConsentEvent.objects.filter(subject=subject, at__lte=at).order_by("-at", "-id").first()
    return last is not None and last.action == ConsentEvent.Action.GRANT


@dataclass
class Replayed:
    score: int | None
    grade: str
    states: dict[int, EntryState]
    next_change_at: dt.datetime | None


def replay_subject(
    *,
    subject: Subject,
    at: dt.datetime,
    entries: list[Entry] | None = None,
    transitions: list[Transition] | None = None,
    consent: bool | None = None,
    scale_on: Callable[[dt.date], Scale | None] | None = None,
) -> Replayed:
    """Everything about a subject at ``at`` derived from facts alone (entries and transitions
    recorded up to ``at``, consent events up to ``at``, the catalogue in force on that day).
    A caller replaying many times passes the entries, transitions, consent and ``scale_on`` (the
    scale in force on a date) it has read once."""
    if entries is None:
        entries = list(
            Entry.objects.filter(subject=subject, recorded_at__lte=at).select_related("rule").order_by("seq")
        )
    if transitions is None:
        transitions = list(Transition.objects.filter(subject=subject, at__lte=at).order_by("seq"))
    by_entry: dict[int, list[Transition]] = defaultdict(list)
    for t in transitions:
        by_entry[t.entry_id].append(t)
    states: dict[int, EntryState] = {}
    total = 0
    next_change: dt.datetime | None = None
    for e in entries:
        if e.recorded_at > at:
            continue
        state = replay(
            recorded_at=e.recorded_at,
            review_required=e.rule.review_required,
            counting_days=e.counting_days,
            transitions=by_entry.get(e.pk, []),
            at=at,
        )
        states[e.pk] = state
        if state.counts_at(at):
            total += e.points
            if next_change is None or state.counts_until < next_change:  # type: ignore[operator]
                next_change = state.counts_until
    day = at.astimezone(clock.LOCAL_TZ).date()
    scale = scale_on(day) if scale_on is not None else scale_in_force(subject_kind=subject_kind_of(subject), on=day)
    if consent is None:
        consent = consent_at(subject, at)
    score, grade = standing(scale, total, scored=consent)
    return Replayed(score=score, grade=grade, states=states, next_change_at=next_change)


def score_as_of(*, subject: Subject, at: dt.datetime) -> tuple[int | None, str]:
    """The score and grade the subject had at ``at``, from the facts."""
    r = replay_subject(subject=subject, at=at)
    return r.score, r.grade
