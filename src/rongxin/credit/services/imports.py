"""Bulk import of credit records from CSV or XLSX: queue a file, process it, recover an import a
dead worker left running.

The columns are in :mod:`rongxin.credit.domain.import_rows`, the file readers in
:mod:`rongxin.credit.domain.import_files`, the checks against the ledger in
:mod:`rongxin.credit.services.import_check`.

Every row is checked, and every problem is reported with its line, column and a Chinese
message; so is a line the reader cannot read (bad bytes, a NUL, an oversized cell). By default
the import is all-or-nothing; with ``partial`` the valid rows are saved and the others reported.
Importing the same file twice adds nothing: a row whose record id was already imported with the
same content counts as "already recorded".

Files are bounded (``RONGXIN_IMPORT_MAX_BYTES``, ``RONGXIN_IMPORT_MAX_ROWS``) before they are
stored, and the worker streams them: one chunk of ``COMMIT_ROWS`` rows is in memory at a time,
checked and appended inside the import's one transaction. An unexpected error fails the batch
(never leaves it running), and a batch interrupted ``MAX_ATTEMPTS`` times fails too, so no file
blocks the queue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import logging
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import ApplicationError, InvalidInput, NotFound, field_error
from rongxin.core.jobs import enqueue
from rongxin.core.models import AuditEvent
from rongxin.core.progress import progress_clear, progress_mtime, progress_write
from rongxin.core.text import shown
from rongxin.credit.domain.import_files import count_rows, iter_rows
from rongxin.credit.domain.import_rows import MAX_ERRORS, Report, Row, size_text, too_many_rows_message
from rongxin.credit.models import ImportBatch
from rongxin.credit.permissions import import_department
from rongxin.credit.selectors.imports import max_bytes, max_rows
from rongxin.credit.services.bulk import ledger_bulk_append
from rongxin.credit.services.import_check import RuleBook, check_rows

COMMIT_ROWS = 10_000  # rows checked and appended at a time within an import's transaction
MAX_ATTEMPTS = 3  # starts of one import before an interrupted one fails instead of running again
log = logging.getLogger(__name__)


class ImportTooLarge(ApplicationError):
    """The file is larger than ``RONGXIN_IMPORT_MAX_BYTES``; nothing was stored."""

    code = "import_too_large"
    status = 413
    default_message = _("The file is too large.")


def _too_large() -> ImportTooLarge:
    message = _("The file is larger than %(limit)s, the most one import takes. Split it into smaller files.") % {
        "limit": size_text(max_bytes())
    }
    return ImportTooLarge(message, errors=[{"field": "file", "message": str(message), "code": ImportTooLarge.code}])


class Upload(Protocol):
    """An uploaded file as Django and django-ninja hand it over."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def import_create_from_upload(
    *, actor: User | None, department_code: str, upload: Upload, partial: bool = False
) -> ImportBatch:
    """Queue an uploaded file (the page and the API) and, when it commits, the job that processes
    it (``credit.process_import``, keyed by the batch). The size is checked before the file is
    read (the upload handler already dropped the bytes of an oversized file), then the file is
    read in chunks, stopping as soon as it passes the limit. Raises NotFound, ImportTooLarge
    (413), InvalidInput (as :func:`import_create`)."""
    import_department(actor=actor, department_code=department_code)
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_large()
    content = bytearray()
    for chunk in upload.chunks():
        content += chunk
        if len(content) > limit:
            raise _too_large()
    with transaction.atomic():
        batch = import_create(
            actor=actor,
            department_code=department_code,
            file_name=upload.name or "upload",
            content=bytes(content),
            partial=partial,
        )
        enqueue("credit.process_import", key=import_job_key(batch.pk), batch_id=batch.pk)
    return batch


def import_job_key(batch_id: int) -> str:
    """The de-duplication key of the job that processes the import ``batch_id``."""
    return f"credit.import:{batch_id}"


def import_create(
    *, actor: User | None, department_code: str, file_name: str, content: bytes, partial: bool = False
) -> ImportBatch:
    """Queue a file for import by ``department_code`` (the actor must record for it). Its job
    (queued by :func:`import_create_from_upload`), the worker's sweep or the CLI processes it.
    The file is stored only within the limits: at most ``RONGXIN_IMPORT_MAX_BYTES`` bytes and
    ``RONGXIN_IMPORT_MAX_ROWS`` data rows. Raises NotFound, ImportTooLarge (413), InvalidInput
    (unknown department, empty file, too many rows)."""
    department = import_department(actor=actor, department_code=department_code)
    if not content:
        raise InvalidInput(_("The file is empty."), code="import_empty")
    if len(content) > max_bytes():
        raise _too_large()
    row_limit = max_rows()
    rows = count_rows(file_name=file_name, content=content, limit=row_limit, max_bytes=max_bytes())
    if rows is not None and rows > row_limit:
        raise field_error("file", too_many_rows_message(row_limit), code="import_too_many_rows")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            department=department,
            uploaded_by=actor,
            file_name=(file_name or "upload")[:200],
            file_sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            partial=partial,
            rows_total=rows or 0,
            queued_at=clock.now(),
        )
        audit_record(
            actor=actor,
            role=Role.DEPARTMENT_RECORDER if actor else "",
            kind=AuditEvent.Kind.WRITE,
            action="credit.import.queued",
            object_type="import",
            object_id=batch.pk,
            details={"file": batch.file_name, "department": department.code},
        )
    return batch


def import_process(*, batch_id: int, progress: Callable[[int, int], None] | None = None) -> ImportBatch:
    """Check and (all-or-nothing unless partial) append a queued import. Idempotent: a batch that
    is not queued is returned as it is. Never raises for the file: a problem with the file is
    its report; any other error moves the batch to "failed" (nothing of it saved), is logged and
    audited (``credit.import.failed``), and is returned, so the batches behind it still run."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .defer("content")
            .filter(pk=batch_id, status=ImportBatch.Status.QUEUED)
            .first()
        )
        if batch is None:
            found = ImportBatch.objects.defer("content").filter(pk=batch_id).first()
            if found is None:
                raise NotFound()
            return found
        batch.status, batch.started_at = ImportBatch.Status.RUNNING, clock.now()
        batch.attempts += 1
        batch.save(update_fields=["status", "started_at", "attempts"])
    try:
        return _run(batch, progress)
    except Exception as exc:
        log.exception("import %s failed", batch.pk)
        return _fail(batch, exc)


def _batched(rows: Iterator[Row], n: int) -> Iterator[list[Row]]:
    while chunk := list(itertools.islice(rows, n)):
        yield chunk


def _run(batch: ImportBatch, progress: Callable[[int, int], None] | None) -> ImportBatch:
    stored = ImportBatch.objects.filter(pk=batch.pk).values_list("content", flat=True).first()
    stream = io.BytesIO(stored or b"")
    del stored
    actor = batch.uploaded_by
    now = clock.now()
    total = batch.rows_total
    report = Report()
    done = created = existing = 0
    subjects: set[int] = set()

    def tick(checked: int) -> None:
        # Inside the import's transaction a row update would not show; the file does.
        progress_write("import", batch.pk, done=done + checked, total=max(total, done + checked))
        if progress:
            progress(done + checked, max(total, done + checked))

    try:
        with transaction.atomic():
            # One transaction for the file, written a chunk at a time: the rows in memory are one
            # chunk's, and a failed all-or-nothing import rolls back every chunk.
            book = RuleBook()
            rows = iter_rows(file_name=batch.file_name, stream=stream, max_bytes=max_bytes(), limit=max_rows())
            for chunk in _batched(rows, COMMIT_ROWS):
                checked = check_rows(
                    rows=chunk,
                    department=batch.department,
                    actor=actor,
                    now=now,
                    progress=tick,
                    report=report,
                    book=book,
                )
                existing += checked.existing
                if checked.entries:
                    created += ledger_bulk_append(entries=checked.entries, cause="import").entries
                    subjects.update(e.subject_id for e in checked.entries)
                done += len(chunk)
            failed = len(report.bad_lines)
            if not failed or batch.partial:
                audit_record(
                    actor=actor,
                    role=Role.DEPARTMENT_RECORDER if actor else "",
                    kind=AuditEvent.Kind.WRITE,
                    action="credit.import.committed",
                    object_type="import",
                    object_id=batch.pk,
                    details={"entries": created, "subjects": len(subjects), "existing": existing, "failed": failed},
                )
                return _finish(
                    batch,
                    status=ImportBatch.Status.PARTIAL if failed else ImportBatch.Status.DONE,
                    errors=report.errors,
                    total=done,
                    failed=failed,
                    existing=existing,
                    created=created,
                )
            transaction.set_rollback(True)
    except InvalidInput as exc:
        # The file as a whole (unreadable, wrong header, no rows, too many rows): nothing saved.
        return _finish(
            batch,
            status=ImportBatch.Status.FAILED,
            errors=exc.errors or [{"line": 1, "column": "", "message": str(exc.message)}],
            total=0,
        )
    return _finish(
        batch, status=ImportBatch.Status.FAILED, errors=report.errors, total=done, failed=failed, existing=existing
    )


def _running_locked(batch_id: int) -> ImportBatch | None:
    """The batch, locked, if it is still running (its file left unread)."""
    return (
        ImportBatch.objects.select_for_update()
        .defer("content")
        .filter(pk=batch_id, status=ImportBatch.Status.RUNNING)
        .first()
    )


def _fail(batch: ImportBatch, exc: BaseException) -> ImportBatch:
    message = _("The import stopped on an unexpected error (%(error)s); nothing from this file was saved.") % {
        "error": type(exc).__name__
    }
    with transaction.atomic():
        # Only a batch still running: an error after the import committed (say, clearing its
        # progress file) must not turn a finished import into a failed one.
        current = _running_locked(batch.pk)
        if current is None:
            return ImportBatch.objects.defer("content").get(pk=batch.pk)
        audit_record(
            actor=None,
            kind=AuditEvent.Kind.WRITE,
            action="credit.import.failed",
            object_type="import",
            object_id=batch.pk,
            details={"error": shown(f"{type(exc).__name__}: {exc}")[:500], "attempt": current.attempts},
        )
        return _finish(
            current,
            status=ImportBatch.Status.FAILED,
            errors=[{"line": 0, "column": "", "message": str(message)}],
            total=current.rows_total,
        )


def _finish(
    batch: ImportBatch,
    *,
    status: str,
    errors: list[dict[str, Any]],
    total: int,
    failed: int = 0,
    existing: int = 0,
    created: int = 0,
) -> ImportBatch:
    batch.status = status
    batch.errors = errors[:MAX_ERRORS]
    batch.rows_total = batch.rows_done = total
    batch.failed, batch.existing, batch.created = failed, existing, created
    batch.finished_at = clock.now()
    batch.content = None
    transaction.on_commit(lambda: progress_clear("import", batch.pk))
    batch.save(
        update_fields=[
            "status",
            "errors",
            "rows_total",
            "rows_done",
            "failed",
            "existing",
            "created",
            "finished_at",
            "content",
        ]
    )
    return batch


def imports_recover(*, stale_after: dt.timedelta | None = None) -> int:
    """Queue again the imports left "running" by a process that died (killed, out of memory,
    power cut): their transaction rolled back, so nothing of them was saved, and their file is
    still stored. A running import is stale when neither it started nor its progress moved
    within ``stale_after`` (``RONGXIN_IMPORT_STALE_MINUTES``, default 10). An import that was
    already started ``MAX_ATTEMPTS`` times is not queued again but fails (a file that kills the
    worker must not come back for ever). Returns how many were queued again."""
    if stale_after is None:
        stale_after = dt.timedelta(minutes=float(getattr(settings, "RONGXIN_IMPORT_STALE_MINUTES", 10)))
    now = clock.now()
    requeued = 0
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).defer("content"):
        last = batch.started_at or batch.queued_at
        moved = progress_mtime("import", batch.pk)
        if moved is not None and moved > last:
            last = moved
        if now - last < stale_after:
            continue
        if batch.attempts >= MAX_ATTEMPTS:
            _abandon(batch)
            continue
        if ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
            status=ImportBatch.Status.QUEUED, started_at=None, rows_done=0
        ):
            progress_clear("import", batch.pk)
            audit_record(
                actor=None,
                kind=AuditEvent.Kind.WRITE,
                action="credit.import.requeued",
                object_type="import",
                object_id=batch.pk,
                details={"reason": "interrupted", "attempts": batch.attempts},
            )
            requeued += 1
    return requeued


def _abandon(batch: ImportBatch) -> None:
    message = _("The import was interrupted %(n)d times without finishing; nothing from this file was saved.") % {
        "n": batch.attempts
    }
    with transaction.atomic():
        current = _running_locked(batch.pk)
        if current is None:
            return
        _finish(
            current,
            status=ImportBatch.Status.FAILED,
            errors=[{"line": 0, "column": "", "message": str(message)}],
            total=current.rows_total,
        )
        audit_record(
            actor=None,
            kind=AuditEvent.Kind.WRITE,
            action="credit.import.failed",
            object_type="import",
            object_id=batch.pk,
            details={"error": "interrupted", "attempt": current.attempts},
        )
    log.error("import %s abandoned after %s interrupted attempts", batch.pk, batch.attempts)


def import_process_queued() -> int:
    """Process every queued import, oldest first (the worker's job), after requeueing interrupted
    ones. A batch that fails is marked failed by :func:`import_process` and the next one runs.
    Returns how many were processed."""
    imports_recover()
    done = 0
    queued = ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED).order_by("queued_at", "id")
    for batch_id in queued.values_list("pk", flat=True):
        try:
            import_process(batch_id=batch_id)
        except NotFound:
            continue  # deleted since it was listed
        done += 1
    return done
