"""JSON endpoints of the credit engine (the pages call the same services)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import InvalidInput
from rongxin.credit.api.presenters import (
    catalogue_detail_out,
    catalogue_out,
    entry_out,
    explanation_out,
    import_out,
    transition_out,
)
from rongxin.credit.api.schemas import (
    CatalogueDetailOut,
    CatalogueOut,
    EntryDecisionIn,
    EntryIn,
    EntryOut,
    EntryReasonIn,
    ExplanationOut,
    ImportOut,
    RepairIn,
    ScoreOut,
    TransitionOut,
)
from rongxin.credit.permissions import (
    access_entry_for_review,
    access_import,
    access_own_entry,
    require_catalogue_editor,
    require_catalogue_reader,
    require_recorder,
)
from rongxin.credit.selectors.catalogues import (
    catalogue_export_xlsx,
    catalogue_export_yaml,
    catalogue_get,
    catalogues_listed,
)
from rongxin.credit.selectors.explanation import credit_explanation
from rongxin.credit.selectors.queues import imports_visible
from rongxin.credit.selectors.scores import score_as_of
from rongxin.credit.services import catalogue as catalogue_services
from rongxin.credit.services import due_process
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.imports import import_create_from_upload
from rongxin.subjects.permissions import access_subject_for_reading
from rongxin.subjects.selectors import subject_file

router = Router(tags=["credit"])
# Gates: the caller's right, asked before the body or query is read (no existence oracle).
RECORDER = gated(require_recorder)
REVIEWER = gated(access_entry_for_review)
READER = gated(access_subject_for_reading)
OWNER = gated(access_own_entry)


def _decided(payload: EntryDecisionIn, yes: str, no: str) -> bool:
    """``payload.decision`` as a boolean (``yes`` → True); anything else is a 422."""
    if payload.decision not in (yes, no):
        raise InvalidInput(errors=[{"field": "decision", "message": f"{yes} | {no}", "code": "decision"}])
    return payload.decision == yes


@router.post("/entries", response={201: EntryOut, 200: EntryOut}, operation_id="credit_entry_record", auth=RECORDER)
def record(request: SignedInRequest, payload: EntryIn) -> Status[EntryOut]:
    """Record one entry. Retrying with the same ``source_key`` and content returns the existing
    entry with status 200 and ``created: false``; other content under the key is a 409."""
    entry, created = entry_record(actor=request.user, **payload.dict())
    return Status(201 if created else 200, entry_out(entry, created=created))


@router.post(
    "/entries/{int:entry_id}/review",
    response=TransitionOut,
    operation_id="credit_entry_review",
    auth=REVIEWER,
)
def review(request: SignedInRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """Approve or reject an entry awaiting review (``decision``: approve | reject)."""
    approve = _decided(payload, "approve", "reject")
    return transition_out(
        due_process.entry_review(actor=request.user, entry_id=entry_id, approve=approve, reason=payload.reason)
    )


@router.post(
    "/entries/{int:entry_id}/objection", response=TransitionOut, operation_id="credit_entry_object", auth=OWNER
)
def object_(request: SignedInRequest, entry_id: int, payload: EntryReasonIn) -> TransitionOut:
    """The subject objects to a deduction within its window; it stops counting until decided.
    After a decision, a further objection needs new ``evidence``, leaves the entry counting and
    is decided by a different reviewer."""
    return transition_out(
        due_process.entry_object(
            actor=request.user, entry_id=entry_id, reason=payload.reason, evidence=payload.evidence
        )
    )


@router.post(
    "/entries/{int:entry_id}/objection/decision",
    response=TransitionOut,
    operation_id="credit_objection_decide",
    auth=REVIEWER,
)
def decide(request: SignedInRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """A reviewer upholds or revokes an objected entry (``decision``: uphold | revoke)."""
    uphold = _decided(payload, "uphold", "revoke")
    return transition_out(
        due_process.objection_decide(actor=request.user, entry_id=entry_id, uphold=uphold, reason=payload.reason)
    )


@router.post("/entries/{int:entry_id}/repair", response=TransitionOut, operation_id="credit_repair_apply", auth=OWNER)
def repair(request: SignedInRequest, entry_id: int, payload: RepairIn) -> TransitionOut:
    """The subject applies to repair a deduction after its minimum period."""
    return transition_out(due_process.repair_apply(actor=request.user, entry_id=entry_id, **payload.dict()))


@router.post(
    "/entries/{int:entry_id}/repair/decision",
    response=TransitionOut,
    operation_id="credit_repair_decide",
    auth=REVIEWER,
)
def repair_decision(request: SignedInRequest, entry_id: int, payload: EntryDecisionIn) -> TransitionOut:
    """A reviewer approves or refuses a repair application (``decision``: approve | reject)."""
    approve = _decided(payload, "approve", "reject")
    return transition_out(
        due_process.repair_decide(actor=request.user, entry_id=entry_id, approve=approve, reason=payload.reason)
    )


@router.get("/subjects/{int:subject_id}/explanation", response=ExplanationOut, operation_id="credit_explanation")
def explanation(
    request: SignedInRequest, subject_id: int, purpose: str = "", since: dt.date | None = None
) -> ExplanationOut:
    """Why a subject has its score: for the subject itself, or staff in region with a
    ``purpose`` (audited, and shown to the person). ``since`` lists what changed from a date."""
    f = subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    since_at = dt.datetime.combine(since, dt.time(), tzinfo=clock.LOCAL_TZ) if since else None
    return explanation_out(subject_id, credit_explanation(access=f.access, since=since_at))


@router.get("/subjects/{int:subject_id}/score", response=ScoreOut, operation_id="credit_score_as_of", auth=READER)
def score(request: SignedInRequest, subject_id: int, at: dt.datetime, purpose: str = "") -> ScoreOut:
    """The score and grade the subject had at ``at``, computed from the facts."""
    if at.tzinfo is None:
        raise InvalidInput(errors=[{"field": "at", "message": "needs a time zone", "code": "naive_time"}])
    f = subject_file(actor=request.user, subject_id=subject_id, purpose=purpose)
    value, grade = score_as_of(subject=f.subject, at=at)
    return ScoreOut(subject_id=subject_id, at=at, score=value, grade=grade)


# --- Catalogues --------------------------------------------------------------------------------
@router.get("/catalogues", response=list[CatalogueOut], operation_id="credit_catalogues")
def catalogues(request: SignedInRequest) -> list[CatalogueOut]:
    """Every catalogue version (published and drafts), newest first, for staff."""
    require_catalogue_reader(request.user)
    return [catalogue_out(c) for c in catalogues_listed()]


@router.get("/catalogues/{int:catalogue_id}", response=CatalogueDetailOut, operation_id="credit_catalogue")
def catalogue_detail(request: SignedInRequest, catalogue_id: int) -> CatalogueDetailOut:
    """One catalogue version with its grade bands and rules, for staff."""
    require_catalogue_reader(request.user)
    return catalogue_detail_out(catalogue_get(catalogue_id))


@router.post("/catalogues", response={201: CatalogueOut}, operation_id="credit_catalogue_draft")
def catalogue_upload(request: SignedInRequest, file: File[UploadedFile]) -> Status[CatalogueOut]:
    """Create a draft from a YAML (``.yaml``/``.yml``) or XLSX file; every problem is listed."""
    require_catalogue_editor(request.user)  # before the file is read
    document = catalogue_services.catalogue_document_from_upload(name=file.name or "", data=file.read())
    return Status(201, catalogue_out(catalogue_services.catalogue_draft_create(actor=request.user, document=document)))


@router.post("/catalogues/{int:catalogue_id}/publish", response=CatalogueOut, operation_id="credit_catalogue_publish")
def catalogue_publish(request: SignedInRequest, catalogue_id: int) -> CatalogueOut:
    """Publish a draft catalogue (the county credit office); a published version is never edited."""
    return catalogue_out(catalogue_services.catalogue_publish(actor=request.user, catalogue_id=catalogue_id))


@router.get("/catalogues/{int:catalogue_id}/export", operation_id="credit_catalogue_export")
def catalogue_export(request: SignedInRequest, catalogue_id: int, format: str = "yaml") -> HttpResponse:
    """Download a catalogue as YAML (``format=yaml``) or XLSX (``format=xlsx``)."""
    require_catalogue_reader(request.user)
    c = catalogue_get(catalogue_id)
    if format == "xlsx":
        response = HttpResponse(
            catalogue_export_xlsx(c),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        ext = "xlsx"
    elif format == "yaml":
        response = HttpResponse(catalogue_export_yaml(c), content_type="application/yaml; charset=utf-8")
        ext = "yaml"
    else:
        raise InvalidInput(errors=[{"field": "format", "message": "yaml | xlsx", "code": "format"}])
    response["Content-Disposition"] = f'attachment; filename="catalogue-{c.subject_kind}-v{c.version}.{ext}"'
    return response


# --- Imports ---------------------------------------------------------------------------------
@router.post("/imports", response={202: ImportOut}, operation_id="credit_import_create")
def import_upload(
    request: SignedInRequest, file: File[UploadedFile], department: Form[str], partial: Form[bool] = False
) -> Status[ImportOut]:
    """Queue a CSV/XLSX file of records for your department; the worker checks and commits it.
    Poll ``GET /credit/imports/{id}`` for progress and the per-row report. A file over the size
    limit is refused with 413 ``import_too_large``, one with too many data rows with 422
    ``import_too_many_rows``; neither is stored."""
    batch = import_create_from_upload(actor=request.user, department_code=department, upload=file, partial=partial)
    return Status(202, import_out(batch))


@router.get("/imports", response=list[ImportOut], operation_id="credit_imports")
def imports_list(request: SignedInRequest) -> list[ImportOut]:
    """Import history of your departments (the credit office sees all), newest first."""
    return [import_out(b) for b in imports_visible(actor=request.user)[:100]]


@router.get("/imports/{int:batch_id}", response=ImportOut, operation_id="credit_import")
def import_detail(request: SignedInRequest, batch_id: int) -> ImportOut:
    """One import of your departments: its status, progress and the problems found in the file."""
    return import_out(access_import(request.user, batch_id=batch_id))


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/credit", router),)
