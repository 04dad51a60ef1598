"""Reading a credit import's file as a stream of rows: CSV (UTF-8, with or without BOM; GB18030
accepted) or XLSX, one record at a time, so that only one chunk of a large file is in memory.

A record the reader could not read (bytes that are not text, a cell over the CSV field limit, a
NUL character) comes with a problem instead of being fatal, so it is reported on its line like any
other invalid row. Only a file that cannot be read at all (or past a point) stops the import.

No database access: the byte limit is passed in by the caller.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput
from rongxin.core.text import shown
from rongxin.credit.domain.import_rows import Row, header_map, too_many_rows_message

Record = tuple[int, list[Any], str]
ENCODING_SAMPLE = 256 * 1024
UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes "surrogateescape" could not decode


def _csv_encoding(content: bytes) -> str:
    """UTF-8, unless most lines with non-ASCII bytes at the start of the file only read as GB18030
    (a file with a few broken lines stays UTF-8, so those lines are reported, not misread)."""
    lines = content[:ENCODING_SAMPLE].split(b"\n")
    if len(content) > ENCODING_SAMPLE:
        lines = lines[:-1]  # may end inside a character
    lines = [line.removeprefix(codecs.BOM_UTF8) for line in lines if not line.isascii()]

    def readable(encoding: str) -> int:
        count = 0
        for line in lines:
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                continue
            count += 1
        return count

    return "gb18030" if lines and readable("gb18030") > readable("utf-8") else "utf-8"


def _csv_field_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return str(_("A cell is longer than %(n)d characters.") % {"n": csv.field_size_limit()})
    return str(_("This line is not valid CSV (check its quotes and line breaks)."))


def _csv_records(stream: IO[bytes], encoding: str) -> Iterator[Record]:
    # Decoded in C, a block at a time; bytes that are not text become lone surrogates
    # ("surrogateescape"), so a bad line is found on its record instead of stopping the reader.
    text = io.TextIOWrapper(
        stream, encoding="utf-8-sig" if encoding == "utf-8" else encoding, errors="surrogateescape", newline=""
    )
    reader = csv.reader(text)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if reader.line_num < start:  # nothing consumed: the reader cannot go on
                raise InvalidInput(
                    _("The file cannot be read from line %(n)d on.") % {"n": start},
                    code="import_file",
                    errors=[{"line": start, "column": "", "message": _csv_field_problem(exc)}],
                ) from None
            yield start, [], _csv_field_problem(exc)
            continue
        problem = ""
        joined = "".join(cells)
        if UNDECODABLE.search(joined):
            problem = str(
                _("This line is not valid %(encoding)s text.")
                % {"encoding": "GB18030" if encoding == "gb18030" else "UTF-8"}
            )
        elif "\x00" in joined:
            problem = str(_("This line contains a NUL character (the file may not be text)."))
        yield start, cells, problem


# An XLSX file is a zip: its parts expand before openpyxl reads them (the shared strings all at
# once). The upload limit bounds the compressed size; these bound what it may expand to.
XLSX_MAX_EXPANSION = 100  # a part at most this many times its compressed size
XLSX_MAX_UNCOMPRESSED_FACTOR = 10  # all parts together at most this many times the upload limit


def _xlsx_bounded(stream: IO[bytes], *, max_bytes: int) -> None:
    """Refuse a workbook whose parts would expand far beyond any real sheet (a "zip bomb")."""
    try:
        with zipfile.ZipFile(stream) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl says so in its own words
    finally:
        stream.seek(0)
    total = sum(p.file_size for p in parts)
    ratio = max((p.file_size / max(p.compress_size, 1) for p in parts if p.file_size > 1_000_000), default=0)
    if total > XLSX_MAX_UNCOMPRESSED_FACTOR * max_bytes or ratio > XLSX_MAX_EXPANSION:
        raise InvalidInput(
            _("This XLSX file expands to far more than a sheet of records; save it again or send a CSV file."),
            code="import_file",
        )


def _xlsx_records(stream: IO[bytes], *, max_bytes: int) -> Iterator[Record]:
    from openpyxl import load_workbook

    _xlsx_bounded(stream, max_bytes=max_bytes)
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
        rows = wb.worksheets[0].iter_rows(values_only=True)
    except Exception as exc:
        raise InvalidInput(
            _("This is not a readable XLSX file: %(e)s") % {"e": shown(exc)[:200]}, code="import_file"
        ) from None
    try:
        line = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                # A broken sheet cannot be read past this point: how many rows follow is unknown.
                message = _("The file cannot be read from line %(n)d on.") % {"n": line + 1}
                raise InvalidInput(
                    message,
                    code="import_file",
                    errors=[
                        {
                            "line": line + 1,
                            "column": "",
                            "message": f"{message} ({type(exc).__name__}: {shown(exc)[:200]})",
                        }
                    ],
                ) from None
            line += 1
            yield line, list(values), ""
    finally:
        wb.close()


def _records(*, file_name: str, stream: IO[bytes], max_bytes: int) -> Iterator[Record]:
    if file_name.lower().endswith(".xlsx"):
        return _xlsx_records(stream, max_bytes=max_bytes)
    head = stream.read(ENCODING_SAMPLE + 1)
    stream.seek(0)
    return _csv_records(stream, _csv_encoding(head))


def _blank(cells: list[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in cells)


def iter_rows(*, file_name: str, stream: IO[bytes], max_bytes: int, limit: int | None = None) -> Iterator[Row]:
    """The data rows of a CSV (UTF-8, with or without BOM; GB18030 accepted) or XLSX file, one at
    a time. A row the reader could not read comes with its ``problem``. Raises InvalidInput for
    the whole file: unreadable, empty, a wrong header, more than ``limit`` data rows."""
    records = _records(file_name=file_name, stream=stream, max_bytes=max_bytes)
    first = next(records, None)
    if first is None:
        raise InvalidInput(_("The file is empty."), code="import_empty")
    _line, header, problem = first
    if problem:
        raise InvalidInput(
            _("The header row cannot be read: %(e)s") % {"e": problem},
            code="import_header",
            errors=[{"line": 1, "column": "", "message": problem}],
        )
    columns = header_map(header)
    count = 0
    for line, cells, problem in records:
        if not problem and _blank(cells):
            continue
        count += 1
        if limit is not None and count > limit:
            message = too_many_rows_message(limit)
            raise InvalidInput(
                message, code="import_too_many_rows", errors=[{"line": line, "column": "", "message": str(message)}]
            )
        values = {} if problem else {key: (cells[i] if i < len(cells) else None) for i, key in columns.items()}
        yield Row(line=line, values=values, problem=problem)
    if not count:
        raise InvalidInput(_("The file has no data rows."), code="import_empty")


def count_rows(*, file_name: str, content: bytes, limit: int, max_bytes: int) -> int | None:
    """How many data rows the file has, counting up to ``limit + 1``; None when it cannot be read
    (the import then fails with the reason, as for any unreadable file)."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            _xlsx_bounded(io.BytesIO(content), max_bytes=max_bytes)
        except InvalidInput:
            return None
        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            declared = wb.worksheets[0].max_row  # the sheet's own dimension, when it states one
            wb.close()
        except Exception:
            return None
        if declared is not None and declared - 1 <= limit:
            return max(declared - 1, 0)  # an upper bound; the worker checks the rows it reads
    count = 0
    try:
        for _row in iter_rows(file_name=file_name, stream=io.BytesIO(content), max_bytes=max_bytes):
            count += 1
            if count > limit:
                break
    except InvalidInput:
        return None
    return count
