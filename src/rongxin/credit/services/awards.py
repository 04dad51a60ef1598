"""Awards recorded by the programme's own modules (volunteer hours today; lectures and canteens
later), not typed in by a recorder: many at once, idempotent by a key per source record, trimmed
to the rule's yearly caps, and replaceable when the source record is corrected.

The caller (e.g. volunteering) decides who earned what; this module checks it against the
catalogue in force (an award rule that the department records, points within the rule's range,
the yearly caps of :mod:`rongxin.credit.domain.caps`) and appends through
:func:`rongxin.credit.services.bulk.ledger_bulk_append`, so the chain, score, grade and notices
are the same as for any other entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department, User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.domain.caps import award_within_caps, cap_year, is_capped
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Catalogue, Direction, Entry, Rule, SubjectKind
from rongxin.credit.permissions import own_record_pairs
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.credit.selectors.scores import catalogue_kind_for
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append
from rongxin.credit.services.scores import credit_row_locked, refresh_subject
from rongxin.credit.services.transitions import transition_append
from rongxin.subjects.models import Subject

CHUNK = 900


@dataclass(frozen=True)
class Award:
    subject_id: int
    rule_code: str
    points: int  # positive: what the source earned before the rule's caps
    occurred_at: dt.datetime
    evidence: str
    source_key: str


@dataclass(frozen=True)
class AwardOutcome:
    source_key: str
    subject_id: int
    points: int  # what was (or already had been) recorded; 0 when the caps left nothing
    status: str  # "created", "held" (awaits review: the recorder's own), "existing" or "capped"
    note: str = ""


class _Rules:
    """The award rules in force by (kind, date, code), cached for one call."""

    def __init__(self) -> None:
        self._catalogues: dict[tuple[str, dt.date], Catalogue | None] = {}
        self._rules: dict[tuple[int, str], Rule | None] = {}

    def rule(self, kind: str, on: dt.date, code: str) -> tuple[Rule | None, Catalogue | None]:
        key = (kind, on)
        if key not in self._catalogues:
            self._catalogues[key] = catalogue_in_force(subject_kind=kind, on=on)
        catalogue = self._catalogues[key]
        if catalogue is None:
            return None, None
        if (catalogue.pk, code) not in self._rules:
            self._rules[(catalogue.pk, code)] = (
                Rule.objects.filter(catalogue=catalogue, code=code).prefetch_related("departments").first()
            )
        return self._rules[(catalogue.pk, code)], catalogue


def rule_for_awards(
    *, rule_code: str, department_code: str, on: dt.date, subject_kind: str = SubjectKind.PERSON
) -> Rule:
    """The rule ``rule_code`` of the ``subject_kind`` catalogue (persons unless told) in force on
    ``on`` if the department may award with it. Raises InvalidInput otherwise (used to check
    configuration such as activity types, and to size an award before recording it)."""
    rule, _catalogue = _Rules().rule(subject_kind, on, rule_code)
    if rule is None or rule.direction != Direction.AWARD:
        message = (
            _("No award rule %(code)s is in force for persons.")
            if subject_kind == SubjectKind.PERSON
            else _("No award rule %(code)s is in force for enterprises and businesses.")
        )
        raise InvalidInput(message % {"code": rule_code[:20]}, code="unknown_rule")
    if department_code not in {d.code for d in rule.departments.all()}:
        raise InvalidInput(
            _("Rule %(code)s is not recorded by your department.") % {"code": rule.code}, code="rule_department"
        )
    return rule


def awards_record(
    *,
    awards: list[Award],
    department_code: str,
    recorder: User | None = None,
    source: str = Entry.Source.VOLUNTEERING,
    cause: str = "awards",
) -> list[AwardOutcome]:
    """Record ``awards`` (persons under the person catalogue, enterprises and individual
    businesses under the organisation catalogue) in one transaction, the caller's. Each is checked
    against the catalogue in force on its date; points above the rule's range or its yearly caps
    are trimmed (the outcome says so); an award already recorded with the same key and content is
    ``existing``; an award to the recorder's own subject is recorded awaiting the credit office's
    review (``held``: nobody certifies their own record), as is an award under a rule that asks for
    review (it counts once the credit office approves it). Raises InvalidInput (no such award rule
    for the department, points not positive), NotFound (unknown subject), Conflict (a key reused with other content)."""
    if not awards:
        return []
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise InvalidInput(_("Unknown department."), code="unknown_department")
    ids = sorted({a.subject_id for a in awards})
    kinds = dict(Subject.objects.filter(pk__in=ids).values_list("id", "kind")) if len(ids) <= CHUNK else {}
    if len(ids) > CHUNK:
        for i in range(0, len(ids), CHUNK):
            kinds.update(Subject.objects.filter(pk__in=ids[i : i + CHUNK]).values_list("id", "kind"))
    rules = _Rules()
    resolved: list[tuple[Award, Rule, Catalogue]] = []
    for a in awards:
        if a.subject_id not in kinds:
            raise NotFound()
        catalogue_kind = catalogue_kind_for(kinds[a.subject_id])
        if a.points <= 0:
            raise InvalidInput(_("Points must be a whole number above zero."), code="points_out_of_range")
        rule, catalogue = rules.rule(catalogue_kind, a.occurred_at.astimezone(clock.LOCAL_TZ).date(), a.rule_code)
        if rule is None or catalogue is None or rule.direction != Direction.AWARD:
            message = (
                _("No award rule %(code)s is in force for persons.")
                if catalogue_kind == SubjectKind.PERSON
                else _("No award rule %(code)s is in force for enterprises and businesses.")
            )
            raise InvalidInput(message % {"code": a.rule_code[:20]}, code="unknown_rule")
        if department.code not in {d.code for d in rule.departments.all()}:
            raise InvalidInput(
                _("Rule %(code)s is not recorded by your department.") % {"code": rule.code}, code="rule_department"
            )
        resolved.append((a, rule, catalogue))
    existing: dict[tuple[int, str], tuple[str, int]] = {}
    keys = [a.source_key for a in awards]
    for i in range(0, len(keys), CHUNK):
        for sid, key, chash, pts in Entry.objects.filter(
            subject_id__in={a.subject_id for a in awards[i : i + CHUNK]},
            source=source,
            source_key__in=keys[i : i + CHUNK],
        ).values_list("subject_id", "source_key", "content_hash", "points"):
            existing[(sid, key)] = (chash, pts)
    capped_codes = {r.code for _a, r, _c in resolved if is_capped(r)}
    years = {cap_year(a.occurred_at) for a in awards}
    used = caps_used(subject_ids=ids, codes=capped_codes, years=years)
    recorder_id = recorder.pk if recorder is not None else None
    # Nobody certifies their own record: the organiser's own award waits for the credit office.
    own = {sid for _uid, sid in own_record_pairs({recorder_id} if recorder_id is not None else set())}
    outcomes: list[AwardOutcome] = []
    entries: list[NewEntry] = []
    for a, rule, catalogue in resolved:
        slot = used.setdefault((a.subject_id, rule.code, cap_year(a.occurred_at)), [0, 0])
        points, note = award_within_caps(rule, entries=slot[0], points_used=slot[1], points=a.points)
        found = existing.get((a.subject_id, a.source_key))
        if points < rule.points_min:
            if found is not None:
                raise Conflict(
                    _("This idempotency key was already used for a different record."), code="idempotency_conflict"
                )
            outcomes.append(AwardOutcome(a.source_key, a.subject_id, 0, "capped", note))
            continue
        chash = content_hash(
            rule_code=rule.code,
            catalogue_version=catalogue.version,
            points=points,
            occurred_at=a.occurred_at,
            department=department.code,
            evidence=a.evidence,
        )
        if found is not None:
            if found[0] != chash:
                raise Conflict(
                    _("This idempotency key was already used for a different record."), code="idempotency_conflict"
                )
            outcomes.append(AwardOutcome(a.source_key, a.subject_id, found[1], "existing"))
            continue
        existing[(a.subject_id, a.source_key)] = (chash, points)
        slot[0] += 1
        slot[1] += points
        entries.append(
            NewEntry(
                subject_id=a.subject_id,
                rule=rule,
                points=points,
                occurred_at=a.occurred_at,
                recorded_at=None,
                department_id=department.pk,
                recorder_id=recorder_id,
                source=source,
                source_key=a.source_key,
                content_hash=chash,
                evidence=a.evidence,
                held_for_review=a.subject_id in own,
            )
        )
        # A rule that asks for review (e.g. an organisation's donation) and the organiser's own
        # award both wait for the credit office before they count.
        status = "held" if a.subject_id in own or rule.review_required else "created"
        outcomes.append(AwardOutcome(a.source_key, a.subject_id, points, status, note))
    result = ledger_bulk_append(entries=entries, cause=cause)
    if entries:
        audit_record(
            actor=recorder,
            kind=AuditEvent.Kind.WRITE,
            action="credit.awards.record",
            object_type="credit_awards",
            object_id=department.code,
            details={"source": source, "entries": result.entries, "subjects": result.subjects, "cause": cause},
        )
    return outcomes


@transaction.atomic
def award_supersede(*, subject_id: int, source: str, source_key: str, actor: User | None, reason: str) -> int:
    """The award ``source_key`` stops counting because its source record was corrected (a
    ``superseded`` transition on its chain). Returns its points; 0 if there is no such award.
    Raises Conflict when the entry is in a state that cannot be superseded (e.g. suspended)."""
    credit = credit_row_locked(subject_id)
    entry = Entry.objects.filter(subject_id=subject_id, source=source, source_key=source_key).first()
    if entry is None:
        return 0
    if entry.status == Entry.Status.REVOKED and entry.transitions.filter(kind="superseded").exists():
        return entry.points  # already superseded: a retried correction
    now = clock.now()
    transition_append(credit=credit, entry=entry, kind="superseded", actor=actor, reason=reason, at=now)
    subject = Subject.objects.get(pk=subject_id)
    refresh_subject(credit=credit, subject=subject, now=now, cause="award.superseded")
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="credit.entry.superseded",
        object_type="credit_entry",
        object_id=entry.pk,
        subject_id=subject_id,
        details={"source_key": source_key, "reason": reason},
    )
    return entry.points
