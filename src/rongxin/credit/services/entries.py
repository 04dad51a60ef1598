"""Writes to the credit ledger: record, review, object, decide, apply for and decide repair,
and the worker's time-driven refresh.

Every service locks the subject's :class:`SubjectCredit` row (the chain head) first, so writers
for one subject queue while writers for different subjects never wait on each other; appends
its facts to the subject's chain; refreshes the score and grade in the same transaction; writes
the audit row; and sends the subject a notice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit import ledger
from rongxin.credit.catalogue import catalogue_in_force
from rongxin.credit.models import Direction, Entry, GradeBand, GradeChange, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.permissions import (
    LedgerWrite,
    ledger_writes_check,
    recording_grants,
    recording_right,
    require_own_subject,
    reviewer_grant,
)
from rongxin.subjects.models import Person, Subject
from rongxin.subjects.services import notice_send

MAX_EVIDENCE = 2000
MAX_REASON = 1000


def subject_kind_of(subject: Subject) -> str:
    return SubjectKind.PERSON if subject.kind == Subject.Kind.PERSON else SubjectKind.ORGANISATION


# --- Chain head and score ------------------------------------------------------------------
def credit_row_locked(subject_id: int) -> SubjectCredit:
    """The subject's credit row, created if missing, locked for the rest of the transaction."""
    SubjectCredit.objects.bulk_create(
        [SubjectCredit(subject_id=subject_id, updated_at=clock.now())], ignore_conflicts=True
    )
    return SubjectCredit.objects.select_for_update().get(pk=subject_id)


@dataclass(frozen=True)
class Scale:
    base: int
    bands: list[tuple[str, int | None]]


def scale_in_force(*, subject_kind: str, on: dt.date) -> Scale | None:
    catalogue = catalogue_in_force(subject_kind=subject_kind, on=on)
    if catalogue is None:
        return None
    bands = list(GradeBand.objects.filter(catalogue=catalogue).values_list("code", "min_score"))
    return Scale(base=catalogue.base_score, bands=bands)


def scored(subject: Subject) -> bool:
    """Persons are scored only with consent; organisations always."""
    if subject.kind != Subject.Kind.PERSON:
        return True
    return Person.objects.filter(pk=subject.pk, consent_given=True).exists()


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
    score = scale.base + (agg["points"] or 0) if scale is not None and scored(subject) else None
    grade = ledger.grade_for(score, scale.bands) if scale is not None else ""
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


def _append_transition(
    *, credit: SubjectCredit, entry: Entry, kind: str, actor: Any, reason: str, at: dt.datetime
) -> Transition:
    if entry.status not in ledger.LEGAL[kind]:
        raise Conflict(
            _("This step is not possible while the entry is “%(status)s”.") % {"status": entry.get_status_display()},
            code="illegal_transition",
        )
    t = Transition(
        subject_id=entry.subject_id,
        entry=entry,
        kind=kind,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        seq=credit.chain_seq + 1,
        prev_hash=credit.chain_head or ledger.GENESIS,
    )
    t.hash = ledger.fact_hash(t.prev_hash, ledger.transition_payload(t))
    t.save(force_insert=True)
    credit.chain_seq, credit.chain_head = t.seq, t.hash
    credit.save(update_fields=["chain_seq", "chain_head"])
    new_status = ledger.NEXT_STATE.get(kind)
    if new_status is not None:
        entry.status = new_status
        fields = ["status"]
        if kind == "approved":
            entry.effective_at = at
            entry.counts_until = at + dt.timedelta(days=entry.counting_days)
            fields += ["effective_at", "counts_until"]
        entry.save(update_fields=fields)
    return t


def _clean_text(value: str | None, *, field: str, required: bool, max_length: int) -> str:
    return clean_text(value, field=field, required=required, max_length=max_length)


# --- Recording -----------------------------------------------------------------------------
@transaction.atomic
def entry_record(
    *,
    actor: Any,
    subject_id: int,
    rule_code: str,
    occurred_at: dt.datetime,
    evidence: str,
    source_key: str,
    points: int | None = None,
    source: str = Entry.Source.MANUAL,
) -> tuple[Entry, bool]:
    """Record one credit entry. Returns ``(entry, created)``; a retry with the same
    ``source_key`` and the same content returns the existing entry with ``created=False``.

    Raises NotFound (subject missing or out of scope), Forbidden (rule not the actor's
    department's, own record), InvalidInput (unknown rule, future date, points out of range,
    yearly cap reached, missing evidence or key), Conflict (key reused with other content).
    Emits a notice to the subject; the audit row lands in the same transaction.
    """
    now = clock.now()
    subject = Subject.objects.select_related("village").filter(pk=subject_id).first()
    if subject is None:
        raise NotFound()
    recording_grants(actor=actor, subject=subject)  # before any validation: no existence oracle
    if occurred_at.tzinfo is None:
        raise field_error("occurred_at", _("The time needs a time zone."), code="naive_time")
    if occurred_at > now:
        raise field_error("occurred_at", _("The behaviour cannot have occurred in the future."), code="future_date")
    source_key = _clean_text(source_key, field="source_key", required=True, max_length=120)
    evidence = _clean_text(evidence, field="evidence", required=True, max_length=MAX_EVIDENCE)
    catalogue = catalogue_in_force(
        subject_kind=subject_kind_of(subject), on=occurred_at.astimezone(clock.LOCAL_TZ).date()
    )
    rule = (
        Rule.objects.filter(catalogue=catalogue, code=(rule_code or "").strip()).prefetch_related("departments").first()
        if catalogue
        else None
    )
    if rule is None:
        raise field_error(
            "rule_code",
            _("No rule %(code)s is in force for this subject on that date.") % {"code": (rule_code or "")[:20]},
            code="unknown_rule",
        )
    right = recording_right(actor=actor, subject=subject, rule=rule)
    if points is None:
        if rule.points_min != rule.points_max:
            raise field_error(
                "points",
                _("Choose the points, between %(a)d and %(b)d.") % {"a": rule.points_min, "b": rule.points_max},
                code="points_required",
            )
        points = rule.points_min
    if not (rule.points_min <= points <= rule.points_max):
        raise field_error(
            "points",
            _("Points must be between %(a)d and %(b)d.") % {"a": rule.points_min, "b": rule.points_max},
            code="points_out_of_range",
        )
    signed = points * rule.sign
    chash = ledger.content_hash(
        rule_code=rule.code,
        catalogue_version=catalogue.version,  # type: ignore[union-attr]
        points=signed,
        occurred_at=occurred_at,
        department=right.department.code,
        evidence=evidence,
    )
    credit = credit_row_locked(subject.pk)
    # The time of the record is read under the subject's lock: a writer that waited for the lock
    # must not stamp its entry earlier than the one that went before it.
    now = clock.now()
    existing = Entry.objects.filter(subject_id=subject.pk, source=source, source_key=source_key).first()
    if existing is not None:
        if existing.content_hash == chash:
            return existing, False
        raise Conflict(_("This idempotency key was already used for a different record."), code="idempotency_conflict")
    _check_caps(subject=subject, rule=rule, points=points, occurred_at=occurred_at)
    recorder = actor if getattr(actor, "is_authenticated", False) else None
    ledger_writes_check(
        [
            LedgerWrite(
                subject_id=subject.pk,
                recorder_id=recorder.pk if recorder is not None else None,
                rule=rule,
                source=source,
                pending_review=rule.review_required,
            )
        ]
    )
    entry = Entry(
        subject_id=subject.pk,
        rule=rule,
        points=signed,
        occurred_at=occurred_at,
        recorded_at=now,
        recorder=recorder,
        department=right.department,
        source=source,
        source_key=source_key,
        content_hash=chash,
        evidence=evidence,
        objection_days=rule.objection_days,
        counting_days=rule.counting_days,
        repair_after_days=rule.repair_after_days,
        seq=credit.chain_seq + 1,
        prev_hash=credit.chain_head or ledger.GENESIS,
    )
    entry.hash = ledger.fact_hash(entry.prev_hash, ledger.entry_payload(entry))
    if rule.review_required:
        entry.status, entry.effective_at, entry.counts_until = Entry.Status.PENDING_REVIEW, None, None
    else:
        entry.status = Entry.Status.ACTIVE
        entry.effective_at = now
        entry.counts_until = now + dt.timedelta(days=rule.counting_days)
    entry.save(force_insert=True)
    credit.chain_seq, credit.chain_head = entry.seq, entry.hash
    credit.save(update_fields=["chain_seq", "chain_head"])
    refresh_subject(credit=credit, subject=subject, now=now, cause="entry.record")
    audit_record(
        actor=actor,
        role=right.grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="credit.entry.record",
        object_type="credit_entry",
        object_id=entry.pk,
        subject_id=subject.pk,
        details={"rule": rule.code, "points": signed, "department": right.department.code, "source": source},
    )
    _notify_recorded(entry=entry, rule=rule)
    return entry, True


def _check_caps(*, subject: Subject, rule: Rule, points: int, occurred_at: dt.datetime) -> None:
    if rule.yearly_cap_count is None and rule.yearly_cap_points is None:
        return
    year = occurred_at.astimezone(clock.LOCAL_TZ).year
    start = dt.datetime(year, 1, 1, tzinfo=clock.LOCAL_TZ)
    end = dt.datetime(year + 1, 1, 1, tzinfo=clock.LOCAL_TZ)
    same = Entry.objects.filter(
        subject_id=subject.pk, rule__code=rule.code, occurred_at__gte=start, occurred_at__lt=end
    ).exclude(status__in=[Entry.Status.REJECTED, Entry.Status.REVOKED])
    agg = same.aggregate(total=Sum("points"), n=Count("id"))  # one query for both caps
    count = agg["n"]
    used = abs(agg["total"] or 0)
    if rule.yearly_cap_count is not None and count + 1 > rule.yearly_cap_count:
        raise field_error(
            "rule_code",
            _("Rule %(code)s allows %(n)d entries per year for one subject; %(year)d has them all.")
            % {"code": rule.code, "n": rule.yearly_cap_count, "year": year},
            code="yearly_cap_count",
        )
    if rule.yearly_cap_points is not None and used + points > rule.yearly_cap_points:
        raise field_error(
            "points",
            _("Rule %(code)s allows %(cap)d points per year for one subject; %(left)d are left for %(year)d.")
            % {
                "code": rule.code,
                "cap": rule.yearly_cap_points,
                "left": max(rule.yearly_cap_points - used, 0),
                "year": year,
            },
            code="yearly_cap_points",
        )


def _notify_recorded(*, entry: Entry, rule: Rule) -> None:
    if entry.status == Entry.Status.PENDING_REVIEW:
        return
    if rule.direction == Direction.DEDUCTION:
        assert entry.effective_at is not None  # counting entries have started
        window_end = (entry.effective_at + dt.timedelta(days=entry.objection_days)).astimezone(clock.LOCAL_TZ)
        notice_send(
            subject_id=entry.subject_id,
            kind="credit.deduction",
            title=gettext("A credit record was made: %(rule)s (%(points)+d points)")
            % {"rule": rule.name_zh, "points": entry.points},
            body=gettext("You may object until %(date)s if you think it is wrong.")
            % {"date": f"{window_end:%Y-%m-%d %H:%M}"},
        )
    else:
        notice_send(
            subject_id=entry.subject_id,
            kind="credit.award",
            title=gettext("A credit award was recorded: %(rule)s (%(points)+d points)")
            % {"rule": rule.name_zh, "points": entry.points},
        )


# --- Review, objection, repair ---------------------------------------------------------------
def _entry_locked(entry_id: int) -> tuple[Entry, SubjectCredit]:
    entry = Entry.objects.select_related("subject__village", "rule").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound()
    credit = credit_row_locked(entry.subject_id)
    entry.refresh_from_db(fields=["status", "effective_at", "counts_until"])
    return entry, credit


def _own_role(entry: Entry) -> str:
    """The role in which a subject acts on its own entries (for the audit row)."""
    return "resident" if entry.subject.kind == Subject.Kind.PERSON else "enterprise_rep"


def _state_now(entry: Entry, now: dt.datetime) -> ledger.EntryState:
    """The entry's state from its facts (for checks the cached status cannot answer)."""
    return ledger.replay(
        recorded_at=entry.recorded_at,
        review_required=entry.rule.review_required,
        counting_days=entry.counting_days,
        transitions=list(entry.transitions.order_by("seq")),
        at=now,
    )


def _finish(
    *,
    actor: Any,
    role: str,
    entry: Entry,
    credit: SubjectCredit,
    action: str,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    refresh_subject(credit=credit, subject=entry.subject, now=now, cause=action)
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type="credit_entry",
        object_id=entry.pk,
        subject_id=entry.subject_id,
        details=details,
    )


@transaction.atomic
def entry_review(*, actor: Any, entry_id: int, approve: bool, reason: str = "") -> Transition:
    """Approve (the entry starts counting and its publicity begins now) or reject an entry that
    awaits review. Raises NotFound, Forbidden (own entry or record), Conflict (not awaiting)."""
    entry, credit = _entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = _clean_text(reason, field="reason", required=not approve, max_length=MAX_REASON)
    now = clock.now()
    t = _append_transition(
        credit=credit, entry=entry, kind="approved" if approve else "rejected", actor=actor, reason=reason, at=now
    )
    _finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.entry.{t.kind}",
        now=now,
        details={"reason": reason},
    )
    if approve:
        _notify_recorded(entry=entry, rule=entry.rule)
    return t


@transaction.atomic
def entry_object(*, actor: Any, entry_id: int, reason: str, evidence: str = "") -> Transition:
    """The subject objects to a deduction within its objection window; the entry stops counting
    until a reviewer decides.

    A decided objection is final for the entry: a further objection needs new evidence (text
    not given in an earlier objection), may be lodged within the objection window after the
    last decision, leaves the entry counting, and goes to a reviewer who has not decided on the
    entry's last objection. Raises NotFound, InvalidInput (not a deduction, window closed,
    no reason, evidence missing or not new), Conflict (not counting, a further objection pending)."""
    entry, credit = _entry_locked(entry_id)
    require_own_subject(actor=actor, entry=entry)
    reason = _clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    evidence = _clean_text(evidence, field="evidence", required=False, max_length=MAX_EVIDENCE)
    if entry.points >= 0:
        raise InvalidInput(_("Objections are for deductions."), code="not_a_deduction")
    now = clock.now()
    state = _state_now(entry, now)
    if state.objection_decided_at is None:
        kind, opened = "objected", entry.effective_at
    else:
        if state.reobjection_pending:
            raise Conflict(_("A further objection to this record is already being reviewed."), code="objection_pending")
        if not evidence:
            raise field_error(
                "evidence",
                _("This record stood after an objection: a further objection needs new evidence."),
                code="new_evidence_required",
            )
        earlier = {
            ledger.objection_parts(t.reason)[1].strip()
            for t in entry.transitions.filter(kind__in=["objected", "objected_again"])
        }
        if evidence in earlier:
            raise field_error(
                "evidence",
                _("This evidence was given in an earlier objection; give new evidence."),
                code="evidence_not_new",
            )
        kind, opened = "objected_again", state.objection_decided_at
    if opened is None or now >= opened + dt.timedelta(days=entry.objection_days):
        raise InvalidInput(_("The objection window for this record has closed."), code="objection_window_closed")
    text = f"{reason}{ledger.OBJECTION_SEPARATOR}{evidence}" if evidence else reason
    t = _append_transition(credit=credit, entry=entry, kind=kind, actor=actor, reason=text, at=now)
    _finish(
        actor=actor,
        role=_own_role(entry),
        entry=entry,
        credit=credit,
        action=f"credit.entry.{kind}",
        now=now,
        details={},
    )
    return t


@transaction.atomic
def objection_decide(*, actor: Any, entry_id: int, uphold: bool, reason: str) -> Transition:
    """A reviewer other than the recorder upholds the entry (it counts again) or revokes it (it
    never counts again). A further objection (with new evidence) is decided by another reviewer
    than the one whose decision it contests; upholding it leaves the entry as it is.
    Raises NotFound, Forbidden (own record or entry, the same reviewer again), InvalidInput (no
    reason), Conflict (no objection to decide)."""
    entry, credit = _entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = _clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    now = clock.now()
    if entry.status != Entry.Status.SUSPENDED:
        if not _state_now(entry, now).reobjection_pending:
            raise Conflict(_("There is no objection to decide for this record."), code="no_objection_pending")
        # A different reviewer from the one whose decision is being contested (the last one to
        # let the entry stand); excluding every earlier decider could leave nobody to decide.
        last_decider = (
            entry.transitions.filter(kind__in=["upheld", "upheld_again"])
            .order_by("-seq")
            .values_list("actor_id", flat=True)
            .first()
        )
        if actor.pk == last_decider:
            raise Forbidden(
                _("You decided the objection this one contests; a colleague must decide it."),
                code="same_reviewer",
            )
        kind = "upheld_again" if uphold else "revoked"
    else:
        kind = "upheld" if uphold else "revoked"
    t = _append_transition(credit=credit, entry=entry, kind=kind, actor=actor, reason=reason, at=now)
    _finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.entry.{t.kind}",
        now=now,
        details={"reason": reason},
    )
    notice_send(
        subject_id=entry.subject_id,
        kind=f"credit.{'upheld' if uphold else 'revoked'}",
        title=(
            gettext("Your objection was not accepted: the record stands.")
            if uphold
            else gettext("Your objection was accepted: the record is revoked.")
        ),
        body=reason,
    )
    return t


@transaction.atomic
def repair_apply(*, actor: Any, entry_id: int, commitment: str, evidence: str) -> Transition:
    """The subject applies to repair a deduction after its minimum period, with a written
    commitment and evidence of correction. Raises NotFound, InvalidInput (too early, not a
    deduction, not repairable), Conflict (not counting, or an application is pending)."""
    entry, credit = _entry_locked(entry_id)
    require_own_subject(actor=actor, entry=entry)
    commitment = _clean_text(commitment, field="commitment", required=True, max_length=MAX_REASON)
    evidence = _clean_text(evidence, field="evidence", required=True, max_length=MAX_EVIDENCE)
    if entry.points >= 0 or entry.repair_after_days is None:
        raise InvalidInput(_("Only deductions can be repaired."), code="not_repairable")
    now = clock.now()
    earliest = entry.effective_at + dt.timedelta(days=entry.repair_after_days) if entry.effective_at else None
    if earliest is None or now < earliest:
        raise InvalidInput(
            _("Repair can be applied for from %(date)s.")
            % {"date": f"{earliest.astimezone(clock.LOCAL_TZ):%Y-%m-%d}" if earliest else "—"},
            code="repair_too_early",
        )
    if _state_now(entry, now).repair_pending:
        raise Conflict(_("A repair application for this record is already being reviewed."), code="repair_pending")
    reason = f"{commitment}\n---\n{evidence}"
    t = _append_transition(credit=credit, entry=entry, kind="repair_applied", actor=actor, reason=reason, at=now)
    _finish(
        actor=actor,
        role=_own_role(entry),
        entry=entry,
        credit=credit,
        action="credit.repair.applied",
        now=now,
        details={},
    )
    return t


@transaction.atomic
def repair_decide(*, actor: Any, entry_id: int, approve: bool, reason: str) -> Transition:
    """A reviewer approves (the entry stops counting) or refuses a pending repair application."""
    entry, credit = _entry_locked(entry_id)
    grant = reviewer_grant(actor=actor, entry=entry)
    reason = _clean_text(reason, field="reason", required=True, max_length=MAX_REASON)
    now = clock.now()
    if not _state_now(entry, now).repair_pending:
        raise Conflict(_("There is no pending repair application for this record."), code="no_repair_pending")
    t = _append_transition(
        credit=credit, entry=entry, kind="repaired" if approve else "repair_refused", actor=actor, reason=reason, at=now
    )
    _finish(
        actor=actor,
        role=grant.role,
        entry=entry,
        credit=credit,
        action=f"credit.repair.{'approved' if approve else 'refused'}",
        now=now,
        details={"reason": reason},
    )
    notice_send(
        subject_id=entry.subject_id,
        kind="credit.repair",
        title=gettext("Your credit repair was approved.")
        if approve
        else gettext("Your credit repair was not approved."),
        body=reason,
    )
    return t


# --- Time-driven changes (the worker) --------------------------------------------------------
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
