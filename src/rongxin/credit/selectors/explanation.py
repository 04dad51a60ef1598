"""The explanation of a subject's score: every entry with its rule, legal basis, state and
periods, what awaits review or a decision, and what changed since a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from rongxin.core import clock
from rongxin.credit.domain.lifecycle import ACTIVE, PENDING_REVIEW, SUSPENDED, EntryState
from rongxin.credit.models import Entry, GradeChange, SubjectCredit, Transition
from rongxin.credit.selectors.catalogues import scale_in_force
from rongxin.credit.selectors.scores import consent_at, replay_subject, subject_kind_of
from rongxin.subjects.models import Subject
from rongxin.subjects.permissions import SubjectAccess


@dataclass
class ExplainedEntry:
    entry: Entry
    state: EntryState
    objection_until: dt.datetime | None
    repair_from: dt.datetime | None
    transitions: list[Transition]

    @property
    def can_object(self) -> bool:
        now = clock.now()
        return (
            self.entry.points < 0
            and self.state.status == ACTIVE
            and not self.state.reobjection_pending
            and self.objection_until is not None
            and now < self.objection_until
        )

    @property
    def needs_new_evidence(self) -> bool:
        """A further objection after a decision needs new evidence."""
        return self.state.objection_decided_at is not None

    @property
    def can_repair(self) -> bool:
        now = clock.now()
        return (
            self.entry.points < 0
            and self.state.status == ACTIVE
            and not self.state.repair_pending
            and self.repair_from is not None
            and now >= self.repair_from
        )


@dataclass
class Explanation:
    subject: Subject
    score: int | None
    grade: str
    base: int | None
    consent: bool
    counting: list[ExplainedEntry] = field(default_factory=list)
    pending: list[ExplainedEntry] = field(default_factory=list)
    suspended: list[ExplainedEntry] = field(default_factory=list)
    ended: list[ExplainedEntry] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)
    grade_changes: list[GradeChange] = field(default_factory=list)


def credit_explanation(*, access: SubjectAccess, since: dt.datetime | None = None) -> Explanation:
    """Why the subject has its score: every counting entry with its rule, legal basis, date,
    evidence and end; pending and suspended entries; what changed since ``since``. The caller has
    already authorised (and, for staff, audited) the read through ``access``."""
    subject = access.subject
    now = clock.now()
    entries = list(
        Entry.objects.filter(subject=subject)
        .select_related("rule", "department")
        .prefetch_related(Prefetch("transitions", queryset=Transition.objects.order_by("seq")))
        .order_by("-occurred_at", "-id")
    )
    transitions = [t for e in entries for t in e.transitions.all()]
    replayed = replay_subject(
        subject=subject, at=now, entries=entries, transitions=sorted(transitions, key=lambda t: t.seq)
    )
    scale = scale_in_force(subject_kind=subject_kind_of(subject), on=now.astimezone(clock.LOCAL_TZ).date())
    credit = SubjectCredit.objects.filter(pk=subject.pk).first()
    out = Explanation(
        subject=subject,
        score=credit.score if credit else replayed.score,
        grade=credit.grade if credit else replayed.grade,
        base=scale.base if scale else None,
        consent=consent_at(subject, now),
    )
    for e in entries:
        state = replayed.states[e.pk]
        item = ExplainedEntry(
            entry=e,
            state=state,
            objection_until=(
                (state.objection_decided_at or state.effective_at) + dt.timedelta(days=e.objection_days)
                if state.effective_at
                else None
            ),
            repair_from=state.effective_at + dt.timedelta(days=e.repair_after_days)
            if state.effective_at and e.repair_after_days is not None
            else None,
            transitions=list(e.transitions.all()),
        )
        if state.counts_at(now):
            out.counting.append(item)
        elif state.status == PENDING_REVIEW:
            out.pending.append(item)
        elif state.status == SUSPENDED:
            out.suspended.append(item)
        else:
            out.ended.append(item)
        if since is not None:
            if e.recorded_at >= since:
                out.changes.append(("recorded", e.recorded_at, e, None))
            for t in e.transitions.all():
                if t.at >= since:
                    out.changes.append(("transition", t.at, e, t))
    out.changes.sort(key=lambda c: c[1], reverse=True)
    out.grade_changes = list(GradeChange.objects.filter(subject=subject).order_by("-at", "-id")[:20])
    return out
