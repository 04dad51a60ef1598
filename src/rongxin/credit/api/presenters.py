"""The credit API's response bodies, built from the models and the selectors' results."""

from __future__ import annotations

from rongxin.credit.api.schemas import (
    CatalogueDetailOut,
    CatalogueOut,
    ChangeOut,
    EntryOut,
    ExplainedEntryOut,
    ExplanationOut,
    ImportOut,
    RuleOut,
    TransitionOut,
)
from rongxin.credit.models import Catalogue, Entry, ImportBatch, Rule, Transition
from rongxin.credit.selectors.explanation import ExplainedEntry, Explanation


def entry_out(e: Entry, *, created: bool = True) -> EntryOut:
    return EntryOut(
        id=e.pk,
        subject_id=e.subject_id,
        rule_code=e.rule.code,
        rule_name=e.rule.name_zh,
        points=e.points,
        status=e.status,
        occurred_at=e.occurred_at,
        recorded_at=e.recorded_at,
        effective_at=e.effective_at,
        counts_until=e.counts_until,
        department=e.department.code if e.department else None,
        created=created,
    )


def transition_out(t: Transition) -> TransitionOut:
    return TransitionOut(entry_id=t.entry_id, kind=t.kind, at=t.at, seq=t.seq)


def explained_out(x: ExplainedEntry) -> ExplainedEntryOut:
    e = x.entry
    return ExplainedEntryOut(
        id=e.pk,
        rule_code=e.rule.code,
        rule_name=e.rule.name_zh,
        category=e.rule.category,
        legal_basis=e.rule.legal_basis,
        points=e.points,
        status=x.state.status,
        occurred_at=e.occurred_at,
        effective_at=x.state.effective_at,
        counts_until=x.state.counts_until,
        objection_until=x.objection_until,
        repair_from=x.repair_from,
        evidence=e.evidence,
        department=e.department.code if e.department else None,
    )


def explanation_out(subject_id: int, x: Explanation) -> ExplanationOut:
    return ExplanationOut(
        subject_id=subject_id,
        score=x.score,
        grade=x.grade,
        base=x.base,
        consent=x.consent,
        counting=[explained_out(i) for i in x.counting],
        pending=[explained_out(i) for i in x.pending],
        suspended=[explained_out(i) for i in x.suspended],
        changes=[ChangeOut(at=at, entry_id=e.pk, what=kind if t is None else t.kind) for kind, at, e, t in x.changes],
    )


def catalogue_out(c: Catalogue) -> CatalogueOut:
    return CatalogueOut(
        id=c.pk,
        subject_kind=c.subject_kind,
        version=c.version,
        status=c.status,
        title=c.title,
        effective_from=c.effective_from,
        base_score=c.base_score,
        grades=[(g.code, g.min_score) for g in c.grades.all()],
        rules=c.rules.count(),
    )


def rule_out(r: Rule) -> RuleOut:
    return RuleOut(
        code=r.code,
        name_zh=r.name_zh,
        name_en=r.name_en,
        category=r.category,
        direction=r.direction,
        points_min=r.points_min,
        points_max=r.points_max,
        severity=r.severity,
        legal_basis=r.legal_basis,
        evidence=r.evidence,
        departments=sorted(d.code for d in r.departments.all()),
        review_required=r.review_required,
        counting_days=r.counting_days,
        objection_days=r.objection_days,
        repair_after_days=r.repair_after_days,
        yearly_cap_count=r.yearly_cap_count,
        yearly_cap_points=r.yearly_cap_points,
    )


def catalogue_detail_out(c: Catalogue) -> CatalogueDetailOut:
    return CatalogueDetailOut(
        **catalogue_out(c).dict(),
        rule_list=[rule_out(r) for r in c.rules.prefetch_related("departments").order_by("code")],
    )


def import_out(b: ImportBatch) -> ImportOut:
    return ImportOut(
        id=b.pk,
        department=b.department.code,
        file_name=b.file_name,
        status=b.status,
        partial=b.partial,
        rows_total=b.rows_total,
        rows_done=b.rows_done,
        created=b.created,
        existing=b.existing,
        failed=b.failed,
        errors=b.errors,
        queued_at=b.queued_at,
        finished_at=b.finished_at,
    )
