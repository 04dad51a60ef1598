"""Reads for credit imports: the limits a file is held to, the live progress of a running
import, and a whole file's rows at once (for tools and benchmarks; imports stream)."""

from __future__ import annotations

import io

from django.conf import settings

from rongxin.core.progress import progress_read
from rongxin.credit.domain.import_files import iter_rows
from rongxin.credit.domain.import_rows import Row, size_text
from rongxin.credit.models import ImportBatch


def max_bytes() -> int:
    return int(getattr(settings, "RONGXIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "RONGXIN_IMPORT_MAX_ROWS", 200_000))


def import_size_limit() -> str:
    """The byte limit as people read it ("20 MB")."""
    return size_text(max_bytes())


def import_progress(batch: ImportBatch) -> tuple[int, int]:
    """Rows checked and rows in all, live while the import runs."""
    if batch.status == ImportBatch.Status.RUNNING:
        live = progress_read("import", batch.pk)
        if live is not None:
            return live
    return batch.rows_done, batch.rows_total


def read_rows(*, file_name: str, content: bytes) -> list[Row]:
    """All the data rows of a file at once, within the limits."""
    return list(iter_rows(file_name=file_name, stream=io.BytesIO(content), max_bytes=max_bytes(), limit=max_rows()))
