"""Reads over the ledger: score as of a time, the explanation of a file, verification of the
chains and reconciliation of the cached state against the facts."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from rongxin.accounts.permissions import grants_with_roles, region_q
from rongxin.accounts.roles import Role
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.credit import ledger
from rongxin.credit.catalogue import catalogue_in_force
from rongxin.credit.models import Entry, GradeChange, ImportBatch, Rule, SubjectCredit, Transition
from rongxin.credit.permissions import LOCAL_DEPARTMENT, LOCAL_RECORDERS
from rongxin.credit.services import scale_in_force, subject_kind_of
from rongxin.subjects.models import ConsentEvent, Subject
from rongxin.subjects.permissions import SubjectAccess


def _consent_at(subject: Subject, at: dt.datetime) -> bool:
    if subject.kind != Subject.Kind.PERSON:
        return True
    last = ConsentEvent.objects.filter(subject=subject, at__lte=at).order_by("-at", "-id").first()
    return last is not None and last.action == ConsentEvent.Action.GRANT


@dataclass
class Replayed:
    score: int | None
    grade: str
    states: dict[int, ledger.EntryState]
    next_change_at: dt.datetime | None


def replay_subject(
    *,
    subject: Subject,
    at: dt.datetime,
    entries: list[Entry] | None = None,
    transitions: list[Transition] | None = None,
    consent: bool | None = None,
) -> Replayed:
    """Everything about a subject at ``at`` derived from facts alone (entries and transitions
    recorded up to ``at``, consent events up to ``at``, the catalogue in force on that day)."""
    if entries is None:
        entries = list(
            Entry.objects.filter(subject=subject, recorded_at__lte=at).select_related("rule").order_by("seq")
        )
    if transitions is None:
        transitions = list(Transition.objects.filter(subject=subject, at__lte=at).order_by("seq"))
    by_entry: dict[int, list[Transition]] = defaultdict(list)
    for t in transitions:
        by_entry[t.entry_id].append(t)
    states: dict[int, ledger.EntryState] = {}
    total = 0
    next_change: dt.datetime | None = None
    for e in entries:
        if e.recorded_at > at:
            continue
        state = ledger.replay(
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
    scale = scale_in_force(subject_kind=subject_kind_of(subject), on=at.astimezone(clock.LOCAL_TZ).date())
    if consent is None:
        consent = _consent_at(subject, at)
    score = scale.base + total if scale is not None and consent else None
    grade = ledger.grade_for(score, scale.bands) if scale is not None else ""
    return Replayed(score=score, grade=grade, states=states, next_change_at=next_change)


def score_as_of(*, subject: Subject, at: dt.datetime) -> tuple[int | None, str]:
    """The score and grade the subject had at ``at``, from the facts."""
    r = replay_subject(subject=subject, at=at)
    return r.score, r.grade


# --- Explanation ------------------------------------------------------------------------------
@dataclass
class ExplainedEntry:
    entry: Entry
    state: ledger.EntryState
    objection_until: dt.datetime | None
    repair_from: dt.datetime | None
    transitions: list[Transition]

    @property
    def can_object(self) -> bool:
        now = clock.now()
        return (
            self.entry.points < 0
            and self.state.status == ledger.ACTIVE
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
            and self.state.status == ledger.ACTIVE
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
        consent=_consent_at(subject, now),
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
        elif state.status == ledger.PENDING_REVIEW:
            out.pending.append(item)
        elif state.status == ledger.SUSPENDED:
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


# --- Verification -----------------------------------------------------------------------------
@dataclass(frozen=True)
class BrokenLink:
    subject_id: int
    seq: int
    fact: str
    reason: str


def _facts_by_subject() -> Iterator[tuple[int, list[Any]]]:
    """Every subject's facts (entries and transitions) merged in chain order, subject by subject."""
    entries = Entry.objects.order_by("subject_id", "seq").iterator(chunk_size=5000)
    transitions = Transition.objects.order_by("subject_id", "seq").iterator(chunk_size=5000)
    e = next(entries, None)
    t = next(transitions, None)
    current: int | None = None
    facts: list[Any] = []
    while e is not None or t is not None:
        take_e = t is None or (e is not None and (e.subject_id, e.seq) <= (t.subject_id, t.seq))
        fact: Any = e if take_e else t
        if take_e:
            e = next(entries, None)
        else:
            t = next(transitions, None)
        if fact.subject_id != current:
            if current is not None:
                yield current, facts
            current, facts = fact.subject_id, []
        facts.append(fact)
    if current is not None:
        yield current, facts


def _chain_problem(subject_id: int, facts: list[Any], head: tuple[int, str] | None) -> BrokenLink | None:
    """The first thing wrong with one subject's chain against its stored head, or None."""
    prev = ledger.GENESIS
    for expected_seq, fact in enumerate(facts, start=1):
        kind = "entry" if isinstance(fact, Entry) else "transition"
        if fact.seq != expected_seq:
            return BrokenLink(subject_id, fact.seq, kind, f"sequence gap: expected {expected_seq}")
        if fact.prev_hash != prev:
            return BrokenLink(subject_id, fact.seq, kind, "previous hash does not match")
        payload = ledger.entry_payload(fact) if kind == "entry" else ledger.transition_payload(fact)
        if ledger.fact_hash(prev, payload) != fact.hash:
            return BrokenLink(subject_id, fact.seq, kind, "content does not match its hash")
        prev = fact.hash
    if head is None:
        return BrokenLink(subject_id, len(facts), "head", "facts without a stored chain head")
    seq, head_hash = head
    if head_hash != prev:
        return BrokenLink(subject_id, len(facts), "head", "stored chain head does not match the last fact")
    if seq != len(facts):
        return BrokenLink(
            subject_id, len(facts), "head", f"stored chain head counts {seq} facts, the chain has {len(facts)}"
        )
    return None


def chains_check() -> tuple[int, int, list[BrokenLink]]:
    """Re-walk every subject's chain and hold it to its stored head (hash and fact count); a
    stored head whose facts are gone is a problem too. Returns (chains, facts, one problem per
    broken subject in subject order)."""
    heads = {
        sid: (seq, head)
        for sid, seq, head in SubjectCredit.objects.values_list("subject_id", "chain_seq", "chain_head")
    }
    chains = facts_total = 0
    problems: list[BrokenLink] = []
    for subject_id, facts in _facts_by_subject():
        chains += 1
        facts_total += len(facts)
        problem = _chain_problem(subject_id, facts, heads.pop(subject_id, None))
        if problem is not None:
            problems.append(problem)
    # What is left are heads without facts: fine only for a subject that never had any.
    problems.extend(
        BrokenLink(sid, seq, "head", "stored chain head has no facts")
        for sid, (seq, head) in heads.items()
        if seq or head
    )
    problems.sort(key=lambda p: p.subject_id)
    return chains, facts_total, problems


def chains_verify() -> tuple[int, int, BrokenLink | None]:
    """:func:`chains_check` reduced to the first problem (or None)."""
    chains, facts, problems = chains_check()
    return chains, facts, problems[0] if problems else None


def chains_root() -> tuple[str, int, int]:
    """A root over all chain heads: SHA-256 of ``subject:seq:head`` lines in subject order."""
    h = hashlib.sha256()
    subjects = facts = 0
    for subject_id, seq, head in (
        SubjectCredit.objects.filter(chain_seq__gt=0)
        .order_by("subject_id")
        .values_list("subject_id", "chain_seq", "chain_head")
        .iterator(chunk_size=10000)
    ):
        h.update(f"{subject_id}:{seq}:{head}\n".encode())
        subjects += 1
        facts += seq
    return h.hexdigest(), subjects, facts


# --- Reconciliation ---------------------------------------------------------------------------
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


# --- Work queues and choices for pages ---------------------------------------------------------
@dataclass(frozen=True)
class Objection:
    """An objection awaiting a decision, as the reviewer sees it."""

    entry: Entry
    transition: Transition
    further: bool  # lodged after an earlier objection was decided (the entry still counts)

    @property
    def reason(self) -> str:
        return ledger.objection_parts(self.transition.reason)[0]

    @property
    def evidence(self) -> str:
        return ledger.objection_parts(self.transition.reason)[1]


@dataclass
class ReviewQueue:
    pending_review: list[Entry]
    objections: list[Objection]
    repairs: list[tuple[Entry, Transition]]


def _awaiting(base: Any, *, lodged: str, closed: list[str]) -> list[tuple[Entry, Transition]]:
    """Active entries whose last ``lodged``-or-``closed`` transition is ``lodged`` (an application
    awaiting its decision), at most 200, with that transition."""
    last = Transition.objects.filter(entry_id=OuterRef("pk"), kind__in=[lodged, *closed]).order_by("-seq")
    entries = list(
        base.filter(status=Entry.Status.ACTIVE)
        .annotate(last_kind=Subquery(last.values("kind")[:1]), last_id=Subquery(last.values("id")[:1]))
        .filter(last_kind=lodged)[:200]
    )
    by_id = Transition.objects.in_bulk([e.last_id for e in entries])  # type: ignore[attr-defined]
    return [(e, by_id[e.last_id]) for e in entries]  # type: ignore[attr-defined]


def review_queue(*, actor: Any) -> ReviewQueue:
    """Entries in the reviewer's regions that wait for a decision: review, objection, repair.
    Raises NotFound for anyone who is not a credit office."""
    grants = grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE])
    if not grants:
        raise NotFound()
    in_region = Entry.objects.filter(
        region_q(grants, village_id_field="subject__village_id", town_field="subject__town")
    )
    base = in_region.select_related("subject", "rule", "department", "recorder").order_by("recorded_at", "id")
    pending = list(base.filter(status=Entry.Status.PENDING_REVIEW)[:200])
    objections: list[Objection] = []
    for e in base.filter(status=Entry.Status.SUSPENDED)[:200]:
        lodged = e.transitions.filter(kind="objected").order_by("-seq").first()
        if lodged is not None:
            objections.append(Objection(e, lodged, further=False))
    # Further objections (new evidence after a decision) leave the entry counting: pending while
    # the last of the entry's further-objection steps is the objection itself (decided in SQL,
    # before the page's limit, so decided ones never crowd out pending ones).
    further = _awaiting(base, lodged="objected_again", closed=["upheld_again", "revoked"])
    objections += [Objection(e, t, further=True) for e, t in further]
    repairs = _awaiting(base, lodged="repair_applied", closed=["repaired", "repair_refused"])
    return ReviewQueue(pending_review=pending, objections=objections, repairs=repairs)


def recordable_rules(*, actor: Any, subject: Subject) -> list[Any]:
    """Rules of the catalogue in force today that ``actor`` may record for ``subject``."""
    catalogue = catalogue_in_force(subject_kind=subject_kind_of(subject), on=clock.today_local())
    if catalogue is None:
        return []
    departments: set[str] = set()
    for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER, *LOCAL_RECORDERS]):
        if not g.region.contains(subject.village):
            continue
        if g.role == Role.DEPARTMENT_RECORDER and g.department:
            departments.add(g.department.code)
        elif g.role in LOCAL_RECORDERS:
            departments.add(LOCAL_DEPARTMENT)
    if not departments:
        return []
    return list(
        Rule.objects.filter(catalogue=catalogue, departments__code__in=departments)
        .distinct()
        .order_by("direction", "code")
    )


def imports_visible(*, actor: Any) -> Any:
    """Imports of the actor's recording departments, or all for a credit office; else none."""
    qs: QuerySet[ImportBatch] = ImportBatch.objects.select_related("department").defer("content")
    if grants_with_roles(actor, [Role.COUNTY_CREDIT_OFFICE]):
        return qs
    departments = [
        g.department_id for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER]) if g.department_id is not None
    ]
    return qs.filter(department_id__in=departments)
