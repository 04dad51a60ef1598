"""Recording one credit entry (a recorder's form, the API, the demo), and the notice the subject
gets when an entry starts counting.

The service locks the subject's :class:`SubjectCredit` row (the chain head) first, so writers
for one subject queue while writers for different subjects never wait on each other; appends
the entry to the subject's chain; refreshes the score and grade in the same transaction; writes
the audit row; and sends the subject a notice. Due process on recorded entries is in
:mod:`rongxin.credit.services.due_process`.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit.domain.caps import breach_message, cap_breach, cap_year, is_capped
from rongxin.credit.domain.chain import GENESIS, content_hash, entry_payload, fact_hash
from rongxin.credit.models import Direction, Entry, Rule
from rongxin.credit.permissions import LedgerWrite, ledger_writes_check, recording_grants, recording_right
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.credit.selectors.scores import subject_kind_of
from rongxin.credit.services.scores import credit_row_locked, refresh_subject
from rongxin.subjects.models import Subject
from rongxin.subjects.services import notice_send

MAX_EVIDENCE = 2000
MAX_REASON = 1000


@transaction.atomic
def entry_record(
    *,
    actor: User,
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
    source_key = clean_text(source_key, field="source_key", required=True, max_length=120)
    evidence = clean_text(evidence, field="evidence", required=True, max_length=MAX_EVIDENCE)
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
    chash = content_hash(
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
    ledger_writes_check(
        [
            LedgerWrite(
                subject_id=subject.pk,
                recorder_id=actor.pk,
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
        recorder=actor,
        department=right.department,
        source=source,
        source_key=source_key,
        content_hash=chash,
        evidence=evidence,
        objection_days=rule.objection_days,
        counting_days=rule.counting_days,
        repair_after_days=rule.repair_after_days,
        seq=credit.chain_seq + 1,
        prev_hash=credit.chain_head or GENESIS,
    )
    entry.hash = fact_hash(entry.prev_hash, entry_payload(entry))
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
    notify_recorded(entry=entry, rule=rule)
    return entry, True


def _check_caps(*, subject: Subject, rule: Rule, points: int, occurred_at: dt.datetime) -> None:
    """InvalidInput when one more entry of ``points`` passes the rule's yearly caps."""
    if not is_capped(rule):
        return
    year = cap_year(occurred_at)
    used = caps_used(subject_ids=[subject.pk], codes=[rule.code], years=[year]).get((subject.pk, rule.code, year))
    entries, points_used = used if used is not None else (0, 0)
    breach = cap_breach(rule, entries=entries, points_used=points_used, points=points)
    if breach is not None:
        refusal = breach_message(rule, breach, year=year)
        raise field_error(refusal.field, refusal.message, code=refusal.code)


def notify_recorded(*, entry: Entry, rule: Rule) -> None:
    """Tell the subject of an entry that counts (a deduction with its objection window)."""
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
