"""JSON endpoints of the credit engine (the pages call the same services)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.domain.roles import STAFF_ROLES, Role
from rongxin.accounts.permissions import SignedInRequest, require_role
from rongxin.core import clock
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.credit import catalogue as cat
from rongxin.credit import services
from rongxin.credit.api.schemas import (
    CatalogueDetailOut,
    CatalogueOut,
    ChangeOut,
    EntryDecisionIn,
    EntryIn,
    EntryOut,
    EntryReasonIn,
    ExplainedEntryOut,
    ExplanationOut,
    ImportOut,
    RepairIn,
    RuleOut,
    ScoreOut,
    TransitionOut,
)
from rongxin.credit.imports import import_create_from_upload
from rongxin.credit.models import Catalogue, Entry, ImportBatch, Rule
from rongxin.credit.permissions import access_entry_for_review, access_own_entry, require_recorder
from rongxin.credit.selectors import ExplainedEntry, credit_explanation, imports_visible, score_as_of
from rongxin.subjects.permissions import access_subject_for_reading
from rongxin.subjects.selectors import subject_file

router = Router(tags=["credit"])
# Gates: the caller's right, asked before the body or query is read (no existence oracle).
RECORDER = gated(require_recorder)
REVIEWER = gated(access_entry_for_review)
READER = gated(access_subject_for_reading)
OWNER = gated(access_own_entry)


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


def _decided(payload: EntryDecisionIn, yes: str, no: str) -> bool:
    """``payload.decision`` as a boolean (``yes`` → True); anything else is a 422."""
    if payload.decision not in (yes, no):
        raise InvalidInput(errors=[{"field": "decision", "message": f"{yes} | {no}", "code": "decision"}])
    return payload.decision == yes


def transition_out(t: object) -> TransitionOut:
    return TransitionOut(entry_id=t.entry_id, kind=t.kind, at=t.at, seq=t.seq)  # type: ignore[attr-defined]


@router.post("/entries", response={201: EntryOut, 200: EntryOut}, operation_id="credit_entry_record", auth=RECORDER)
def record(request: HttpRequest, payload: EntryIn) -> Status[EntryOut]:
    """Record one entry. Retrying with the same ``source_key`` and content returns the existing
    entry with status 200 and ``created: false``; other content under the key is a 409."""
    entry, created = services.entry_record(actor=request.user, **payload.dict())
    return Status(201 if created else 200, entry_out(entry, created=created))


@router.post(
    "/entries/{int:entry_id}/review",
    response=TransitionOut,
    operation_id="credit_entry_review",
    auth=REVIEWER,
)
def review(request: HttpRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """Approve or reject an entry awaiting review (``decision``: approve | reject)."""
    approve = _decided(payload, "approve", "reject")
    return transition_out(
        services.entry_review(actor=request.user, entry_id=entry_id, approve=approve, reason=payload.reason)
    )


@router.post(
    "/entries/{int:entry_id}/objection", response=TransitionOut, operation_id="credit_entry_object", auth=OWNER
)
def object_(request: HttpRequest, entry_id: int, payload: EntryReasonIn) -> TransitionOut:
    """The subject objects to a deduction within its window; it stops counting until decided.
    After a decision, a further objection needs new ``evidence``, leaves the entry counting and
    is decided by a different reviewer."""
    return transition_out(
        services.entry_object(actor=request.user, entry_id=entry_id, reason=payload.reason, evidence=payload.evidence)
    )


@router.post(
    "/entries/{int:entry_id}/objection/decision",
    response=TransitionOut,
    operation_id="credit_objection_decide",
    auth=REVIEWER,
)
def decide(request: HttpRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """A reviewer upholds or revokes an objected entry (``decision``: uphold | revoke)."""
    uphold = _decided(payload, "uphold", "revoke")
    return transition_out(
        services.objection_decide(actor=request.user, entry_id=entry_id, uphold=uphold, reason=payload.reason)
    )


@router.post("/entries/{int:entry_id}/repair", response=TransitionOut, operation_id="credit_repair_apply", auth=OWNER)
def repair(request: HttpRequest, entry_id: int, payload: RepairIn) -> TransitionOut:
    """The subject applies to repair a deduction after its minimum period."""
    return transition_out(services.repair_apply(actor=request.user, entry_id=entry_id, **payload.dict()))


@router.post(
    "/entries/{int:entry_id}/repair/decision",
    response=TransitionOut,
    operation_id="credit_repair_decide",
    auth=REVIEWER,
)
def repair_decision(request: HttpRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """A reviewer approves or refuses a repair application (``decision``: approve | reject)."""
    approve = _decided(payload, "approve", "reject")
    return transition_out(
        services.repair_decide(actor=request.user, entry_id=entry_id, approve=approve, reason=payload.reason)
    )


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


@router.get("/subjects/{int:subject_id}/explanation", response=ExplanationOut, operation_id="credit_explanation")
def explanation(
    request: SignedInRequest, subject_id: int, purpose: str = "", since: dt.date | None = None
) -> ExplanationOut:
    """Why a subject has its score: for the subject itself, or staff in region with a
    ``purpose`` (audited, and shown to the person). ``since`` lists what changed from a date."""
    f = subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    since_at = dt.datetime.combine(since, dt.time(), tzinfo=clock.LOCAL_TZ) if since else None
    x = credit_explanation(access=f.access, since=since_at)
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


@router.get("/subjects/{int:subject_id}/score", response=ScoreOut, operation_id="credit_score_as_of", auth=READER)
def score(request: SignedInRequest, subject_id: int, at: dt.datetime, purpose: str = "") -> ScoreOut:
    """The score and grade the subject had at ``at``, computed from the facts."""
    if at.tzinfo is None:
        raise InvalidInput(errors=[{"field": "at", "message": "needs a time zone", "code": "naive_time"}])
    f = subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    value, grade = score_as_of(subject=f.subject, at=at)
    return ScoreOut(subject_id=subject_id, at=at, score=value, grade=grade)


# --- Catalogues --------------------------------------------------------------------------------
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


def _catalogue(catalogue_id: int) -> Catalogue:
    c = Catalogue.objects.filter(pk=catalogue_id).first()
    if c is None:
        raise NotFound()
    return c


@router.get("/catalogues", response=list[CatalogueOut], operation_id="credit_catalogues")
def catalogues(request: HttpRequest) -> list[CatalogueOut]:
    """Every catalogue version (published and drafts), newest first, for staff."""
    require_role(request.user, STAFF_ROLES)
    return [catalogue_out(c) for c in Catalogue.objects.prefetch_related("grades").order_by("subject_kind", "-version")]


@router.get("/catalogues/{int:catalogue_id}", response=CatalogueDetailOut, operation_id="credit_catalogue")
def catalogue_detail(request: HttpRequest, catalogue_id: int) -> CatalogueDetailOut:
    require_role(request.user, STAFF_ROLES)
    c = _catalogue(catalogue_id)
    base = catalogue_out(c)
    return CatalogueDetailOut(
        **base.dict(), rule_list=[rule_out(r) for r in c.rules.prefetch_related("departments").order_by("code")]
    )


@router.post("/catalogues", response={201: CatalogueOut}, operation_id="credit_catalogue_draft")
def catalogue_upload(request: HttpRequest, file: File[UploadedFile]) -> Status[CatalogueOut]:
    """Create a draft from a YAML (``.yaml``/``.yml``) or XLSX file; every problem is listed."""
    require_role(request.user, [Role.COUNTY_CREDIT_OFFICE])
    data = file.read()
    name = (file.name or "").lower()
    document = (
        cat.catalogue_document_from_xlsx(data) if name.endswith(".xlsx") else cat.catalogue_document_from_yaml(data)
    )
    return Status(201, catalogue_out(cat.catalogue_draft_create(actor=request.user, document=document)))


@router.post("/catalogues/{int:catalogue_id}/publish", response=CatalogueOut, operation_id="credit_catalogue_publish")
def catalogue_publish(request: HttpRequest, catalogue_id: int) -> CatalogueOut:
    return catalogue_out(cat.catalogue_publish(actor=request.user, catalogue_id=catalogue_id))


@router.get("/catalogues/{int:catalogue_id}/export", operation_id="credit_catalogue_export")
def catalogue_export(request: HttpRequest, catalogue_id: int, format: str = "yaml") -> HttpResponse:
    """Download a catalogue as YAML (``format=yaml``) or XLSX (``format=xlsx``)."""
    require_role(request.user, STAFF_ROLES)
    c = _catalogue(catalogue_id)
    if format == "xlsx":
        response = HttpResponse(
            cat.catalogue_export_xlsx(c),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        ext = "xlsx"
    elif format == "yaml":
        response = HttpResponse(cat.catalogue_export_yaml(c), content_type="application/yaml; charset=utf-8")
        ext = "yaml"
    else:
        raise InvalidInput(errors=[{"field": "format", "message": "yaml | xlsx", "code": "format"}])
    response["Content-Disposition"] = f'attachment; filename="catalogue-{c.subject_kind}-v{c.version}.{ext}"'
    return response


# --- Imports ---------------------------------------------------------------------------------
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


@router.post("/imports", response={202: ImportOut}, operation_id="credit_import_create")
def import_upload(
    request: HttpRequest, file: File[UploadedFile], department: Form[str], partial: Form[bool] = False
) -> Status[ImportOut]:
    """Queue a CSV/XLSX file of records for your department; the worker checks and commits it.
    Poll ``GET /credit/imports/{id}`` for progress and the per-row report. A file over the size
    limit is refused with 413 ``import_too_large``, one with too many data rows with 422
    ``import_too_many_rows``; neither is stored."""
    batch = import_create_from_upload(actor=request.user, department_code=department, upload=file, partial=partial)
    return Status(202, import_out(batch))


@router.get("/imports", response=list[ImportOut], operation_id="credit_imports")
def imports_list(request: HttpRequest) -> list[ImportOut]:
    """Import history of your departments (the credit office sees all), newest first."""
    return [import_out(b) for b in imports_visible(actor=request.user)[:100]]


@router.get("/imports/{int:batch_id}", response=ImportOut, operation_id="credit_import")
def import_detail(request: HttpRequest, batch_id: int) -> ImportOut:
    batch = imports_visible(actor=request.user).filter(pk=batch_id).first()
    if batch is None:
        raise NotFound()
    return import_out(batch)


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/credit", router),)
