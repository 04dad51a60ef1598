"""The credit the synthetic awards earned: one entry per awarded name of a published meeting, rule
``P-HON-06`` (commended at a town's or village's quarterly meeting after publicity), department
``civilization_office``, source ``funds``, key ``funds:meeting:{meeting id}:subject:{subject id}``
(the award service's ``credit_key``), occurred and recorded when the honour roll was published,
points trimmed to the rule's yearly caps (counting what the subject already has in the year) as
the award service does. Appended through
:func:`rongxin.credit.services.bulk.ledger_bulk_append` (chains, scores, grades); the nomination
(not yet written: the caller writes it after) keeps the key, the points and ``credit_status``
(``created`` or ``capped``). Nothing when no
person catalogue is loaded (``--no-history --no-volunteering``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.credit.domain.caps import award_within_caps, cap_year
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Entry
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append
from rongxin.funds.models import Meeting, Nomination
from rongxin.funds.services.awards import credit_key
from rongxin.synth import funds_shape as shape
from rongxin.synth.lectures_credit import _Rules, _slices

if TYPE_CHECKING:
    from rongxin.synth.funds import FundsGenerator

RULE = "P-HON-06"
DEPARTMENT = "civilization_office"


def award_credit(gen: FundsGenerator, awarded: list[Nomination]) -> Counter[str]:
    counts: Counter[str] = Counter()
    department = Department.objects.filter(code=DEPARTMENT).first()
    if department is None or not awarded:
        return counts
    meetings: dict[int, Meeting] = {n.meeting_id: n.meeting for n in awarded}
    awarded = sorted(awarded, key=lambda n: (meetings[n.meeting_id].published_at, n.pk))
    rules = _Rules()
    used = caps_used(
        subject_ids={n.subject_id for n in awarded},
        codes={RULE},
        years={cap_year(meetings[n.meeting_id].published_at) for n in awarded},  # type: ignore[arg-type]
    )
    entries: list[NewEntry] = []
    for n in awarded:
        meeting = meetings[n.meeting_id]
        at = meeting.published_at
        assert at is not None
        rule, catalogue = rules.rule(at.astimezone(clock.LOCAL_TZ).date(), RULE)
        if rule is None or catalogue is None:
            continue
        slot = used.setdefault((n.subject_id, RULE, cap_year(at)), [0, 0])
        points, _note = award_within_caps(rule, entries=slot[0], points_used=slot[1], points=rule.points_max)
        n.credit_key = credit_key(n.meeting_id, n.subject_id)
        if points < rule.points_min:
            n.credit_status = "capped"
            counts["credit_capped"] += 1
            continue
        slot[0] += 1
        slot[1] += points
        n.credit_points, n.credit_status = points, "created"
        day = f"{at.astimezone(clock.LOCAL_TZ):%Y-%m-%d}"
        evidence = f"{meeting.title}：{shape.CATEGORY_ZH[n.category]}，经公示无异议（光荣榜 {day}）"
        entries.append(
            NewEntry(
                subject_id=n.subject_id,
                rule=rule,
                points=points,
                occurred_at=at,
                recorded_at=at,
                department_id=department.pk,
                recorder_id=None,
                source=Entry.Source.FUNDS,
                source_key=n.credit_key,
                content_hash=content_hash(
                    rule_code=rule.code,
                    catalogue_version=catalogue.version,
                    points=points,
                    occurred_at=at,
                    department=DEPARTMENT,
                    evidence=evidence,
                ),
                evidence=evidence,
            )
        )
    entries.sort(key=lambda e: e.subject_id)
    for part in _slices(entries):
        result = ledger_bulk_append(entries=part, now=gen.now, notify=False, cause="synthetic.funds")
        counts["credit_entries"] += result.entries
        counts["credit_grade_changes"] += result.grade_changes
    return counts
