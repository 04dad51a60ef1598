"""The credit the synthetic sponsors and wish claimants earned, as the projects services award it
(``services/payments.py``, ``services/wishes.py``) but set-based:

- each payment: rule ``P-PRJ-01`` (a person: one point per full ¥100, 1–20) or ``E-PRJ-01`` (an
  enterprise or individual business: one point per full ¥1,000, 5–30;
  :func:`rongxin.funds.domain.donation_points.donation_points`), key ``projects:payment:<id>``,
  occurred at noon of the day received (or when recorded, if earlier), recorded when the payment
  was, evidence as the service writes it (the amount to the fen); both rules ask for the credit
  office's review, so the entries are recorded awaiting it (``held``) and count once approved;
- each confirmed wish: ``P-WSH-01`` / ``E-WSH-01`` (the rule's points), key ``projects:wish:<id>``,
  occurred and recorded when the resident confirmed receipt;

department ``civilization_office``, source ``projects``, points trimmed to the rules' yearly caps
(counting what the subject already has in the year); ``credit_status`` ``held``, ``created``,
``capped`` (no key), ``below`` (worth less than the rule's smallest award, no key) or
``no_consent`` (a person who has not agreed to credit scoring, no key). Appended through
:func:`rongxin.credit.services.bulk.ledger_bulk_append` (chains, scores, grades). Nothing when no
catalogue is loaded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.credit.domain.caps import award_within_caps, cap_year
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Entry, SubjectKind
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.services.awards import _Rules
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append
from rongxin.funds.domain.donation_points import donation_points
from rongxin.projects.models import Payment, Wish
from rongxin.subjects.models import Person
from rongxin.synth.lectures_credit import _slices

if TYPE_CHECKING:
    from rongxin.synth.projects import ProjectsGenerator
    from rongxin.synth.projects_plan import PlannedPledge, PlannedProject

DEPARTMENT = "civilization_office"
PAYMENT_RULES = {True: "P-PRJ-01", False: "E-PRJ-01"}  # person?
WISH_RULES = {True: "P-WSH-01", False: "E-WSH-01"}
FEN = Decimal("0.01")


@dataclass
class Earned:
    subject_id: int
    person: bool
    code: str
    at: dt.datetime
    evidence: str
    key: str
    row: Payment | Wish
    recorded: dt.datetime  # when the service would have recorded it (the payment's or wish's write)


def _append(gen: ProjectsGenerator, earned: list[Earned], *, amounts: bool) -> Counter[str]:
    """Record ``earned`` and set each row's ``credit_key``/``credit_points``/``credit_status``."""
    counts: Counter[str] = Counter()
    department = Department.objects.filter(code=DEPARTMENT).first()
    if department is None or not earned:
        return counts
    rules = _Rules()
    # A person who has not agreed to credit scoring earns nothing (the services' ``no_consent``).
    people = {e.subject_id for e in earned if e.person}
    consenting = set(
        Person.objects.filter(subject_id__in=people, consent_given=True).values_list("subject_id", flat=True)
    )
    for e in earned:
        if e.person and e.subject_id not in consenting:
            e.row.credit_key, e.row.credit_points, e.row.credit_status = "", 0, "no_consent"
            counts["credit_no_consent"] += 1
    earned = [e for e in earned if not e.person or e.subject_id in consenting]
    earned.sort(key=lambda e: (e.recorded, e.at, e.key))
    used = caps_used(
        subject_ids={e.subject_id for e in earned},
        codes={e.code for e in earned},
        years={cap_year(e.at) for e in earned},
    )
    entries: list[NewEntry] = []
    for e in earned:
        kind = SubjectKind.PERSON if e.person else SubjectKind.ORGANISATION
        rule, catalogue = rules.rule(kind, e.at.astimezone(clock.LOCAL_TZ).date(), e.code)
        if rule is None or catalogue is None or DEPARTMENT not in {d.code for d in rule.departments.all()}:
            continue
        wanted = rule.points_max
        if amounts:
            assert isinstance(e.row, Payment)
            wanted = donation_points(
                e.row.amount, organisation=not e.person, points_min=rule.points_min, points_max=rule.points_max
            )
            if wanted == 0:
                e.row.credit_key, e.row.credit_points, e.row.credit_status = "", 0, "below"
                counts["credit_below"] += 1
                continue
        slot = used.setdefault((e.subject_id, rule.code, cap_year(e.at)), [0, 0])
        points, _note = award_within_caps(rule, entries=slot[0], points_used=slot[1], points=wanted)
        if points < rule.points_min:
            e.row.credit_key, e.row.credit_points, e.row.credit_status = "", 0, "capped"
            counts["credit_capped"] += 1
            continue
        slot[0] += 1
        slot[1] += points
        status = "held" if rule.review_required else "created"
        e.row.credit_key, e.row.credit_points, e.row.credit_status = e.key, points, status
        counts[f"credit_{status}"] += 1
        evidence = e.evidence[:2000]
        entries.append(
            NewEntry(
                subject_id=e.subject_id,
                rule=rule,
                points=points,
                occurred_at=e.at,
                recorded_at=e.recorded,
                department_id=department.pk,
                recorder_id=None,
                source=Entry.Source.PROJECTS,
                source_key=e.key,
                content_hash=content_hash(
                    rule_code=rule.code,
                    catalogue_version=catalogue.version,
                    points=points,
                    occurred_at=e.at,
                    department=DEPARTMENT,
                    evidence=evidence,
                ),
                evidence=evidence,
            )
        )
    entries.sort(key=lambda n: n.subject_id)
    for part in _slices(entries):
        result = ledger_bulk_append(entries=part, now=gen.now, notify=False, cause="synthetic.projects")
        counts["credit_entries"] += result.entries
        counts["credit_grade_changes"] += result.grade_changes
    return counts


def payment_credit(
    gen: ProjectsGenerator, payments: list[tuple[Payment, tuple[PlannedPledge, PlannedProject]]]
) -> Counter[str]:
    earned = []
    for row, (pledge, project) in payments:
        noon = dt.datetime.combine(row.received_on, dt.time(12), tzinfo=clock.LOCAL_TZ).astimezone(dt.UTC)
        # as ``payment_evidence`` writes it: the amount as parsed by the service, to the fen
        evidence = (
            f"认捐项目超市公益项目{project.number}「{project.title}」，到账{row.amount.quantize(FEN)}元，"
            f"{row.received_on:%Y-%m-%d}（项目到账登记第{row.pk}号）"
        )
        earned.append(
            Earned(
                subject_id=pledge.sponsor.subject_id,
                person=pledge.sponsor.person,
                code=PAYMENT_RULES[pledge.sponsor.person],
                at=min(noon, row.recorded_at),
                evidence=evidence,
                key=f"projects:payment:{row.pk}",
                row=row,
                recorded=row.recorded_at,
            )
        )
    counts = _append(gen, earned, amounts=True)
    Payment.objects.bulk_update(
        [p for p, _s in payments], ["credit_key", "credit_points", "credit_status"], batch_size=1000
    )
    return Counter({f"payment_{k}": v for k, v in counts.items()})


def wish_credit(gen: ProjectsGenerator, wishes: list[tuple[Wish, bool]]) -> Counter[str]:
    """``wishes``: the confirmed ones, with whether the claimant is a person."""
    earned = []
    for row, person in wishes:
        assert row.confirmed_at is not None
        assert row.claimant_id is not None
        on = row.confirmed_at.astimezone(clock.LOCAL_TZ).date()
        value = row.value.quantize(FEN) if row.value is not None else row.value
        evidence = f"认领并实现微心愿{row.number}「{row.title}」，价值{value}元，{on:%Y-%m-%d}经受助人确认收到"
        earned.append(
            Earned(
                subject_id=row.claimant_id,
                person=person,
                code=WISH_RULES[person],
                at=row.confirmed_at,
                evidence=evidence,
                key=f"projects:wish:{row.pk}",
                row=row,
                recorded=row.confirmed_at,
            )
        )
    counts = _append(gen, earned, amounts=False)
    Wish.objects.bulk_update([w for w, _p in wishes], ["credit_key", "credit_points", "credit_status"], batch_size=1000)
    return Counter({f"wish_{k}": v for k, v in counts.items()})
