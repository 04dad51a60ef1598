"""Bulk import of credit records from CSV or XLSX.

Columns (Chinese or English headers; any order; extra columns are an error so typos show):

| 中文 | English | |
|---|---|---|
| 证件号码 | subject | 18-character ID number or unified social credit code |
| 规则编码 | rule_code | a rule of the catalogue in force on the date |
| 分值 | points | optional for fixed-point rules |
| 发生时间 | occurred_at | ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (Beijing time) |
| 证据 | evidence | required |
| 记录编号 | record_id | the department's own id of the record (idempotency key) |

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

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import logging
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department
from rongxin.accounts.permissions import grants_with_roles
from rongxin.accounts.roles import Role
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import ApplicationError, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.progress import progress_clear, progress_mtime, progress_read, progress_write
from rongxin.core.text import problem_message, shown, text_problem
from rongxin.credit import ledger
from rongxin.credit.bulk import NewEntry, ledger_bulk_append
from rongxin.credit.models import Catalogue, Entry, ImportBatch, Rule, SubjectKind
from rongxin.subjects.identifiers import ID_PATTERN, normalise_identifier, parse_id_number, parse_uscc
from rongxin.subjects.models import Organisation, Person, Subject
from rongxin.subjects.permissions import linked_subject_ids

COLUMNS = {
    "subject": ("证件号码", "subject"),
    "rule_code": ("规则编码", "rule_code"),
    "points": ("分值", "points"),
    "occurred_at": ("发生时间", "occurred_at"),
    "evidence": ("证据", "evidence"),
    "record_id": ("记录编号", "record_id"),
}
REQUIRED = ("subject", "rule_code", "occurred_at", "evidence", "record_id")
MAX_ERRORS = 1000
CHUNK = 900  # below SQLite's smallest variable limit
COMMIT_ROWS = 10_000  # rows checked and appended at a time within an import's transaction
MAX_ATTEMPTS = 3  # starts of one import before an interrupted one fails instead of running again
log = logging.getLogger(__name__)


@dataclass
class Row:
    line: int
    values: dict[str, Any]
    problem: str = ""  # set when the line could not be read; then ``values`` is empty


class Report:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str, message: Any) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "column": COLUMNS.get(column, (column,))[0], "message": str(message)})


# --- Limits --------------------------------------------------------------------------------
class ImportTooLarge(ApplicationError):
    """The file is larger than ``RONGXIN_IMPORT_MAX_BYTES``; nothing was stored."""

    code = "import_too_large"
    status = 413
    default_message = _("The file is too large.")


def max_bytes() -> int:
    return int(getattr(settings, "RONGXIN_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "RONGXIN_IMPORT_MAX_ROWS", 200_000))


def _size(n: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} B"


def import_size_limit() -> str:
    """The byte limit as people read it ("20 MB")."""
    return _size(max_bytes())


def _too_large() -> ImportTooLarge:
    message = _("The file is larger than %(limit)s, the most one import takes. Split it into smaller files.") % {
        "limit": _size(max_bytes())
    }
    return ImportTooLarge(message, errors=[{"field": "file", "message": str(message), "code": ImportTooLarge.code}])


def _too_many_rows_message(limit: int) -> Any:
    return _("The file has more than %(n)d data rows; split it into files of at most %(n)d rows.") % {"n": limit}


# --- Reading files ---------------------------------------------------------------------------
# A file is read as a stream of records: (line where the record starts, its cells, a problem).
# A record the reader could not read (bytes that are not text, a cell over the CSV field limit,
# a NUL character) has a problem instead of being fatal, so it is reported on its line like any
# other invalid row. Only a file that cannot be read at all (or past a point) stops the import.
Record = tuple[int, list[Any], str]
ENCODING_SAMPLE = 256 * 1024
UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes "surrogateescape" could not decode


def _header_map(header: list[Any]) -> dict[int, str]:
    names = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    out: dict[int, str] = {}
    unknown = []
    for i, raw in enumerate(header):
        name = str(raw or "").strip().lstrip("\ufeff")
        if not name:
            continue
        if name not in names:
            unknown.append(shown(name)[:40])
        else:
            out[i] = names[name]
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in out.values()]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(gettext("missing columns: %(c)s") % {"c": "、".join(missing)})
        if unknown:
            parts.append(gettext("unknown columns: %(c)s") % {"c": "、".join(unknown)})
        raise InvalidInput(
            _("The header row is not right (%(why)s).") % {"why": "；".join(parts)},
            code="import_header",
            errors=[{"line": 1, "column": "", "message": "；".join(parts)}],
        )
    return out


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


def _xlsx_bounded(stream: IO[bytes]) -> None:
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
    if total > XLSX_MAX_UNCOMPRESSED_FACTOR * max_bytes() or ratio > XLSX_MAX_EXPANSION:
        raise InvalidInput(
            _("This XLSX file expands to far more than a sheet of records; save it again or send a CSV file."),
            code="import_file",
        )


def _xlsx_records(stream: IO[bytes]) -> Iterator[Record]:
    from openpyxl import load_workbook

    _xlsx_bounded(stream)
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


def _records(*, file_name: str, stream: IO[bytes]) -> Iterator[Record]:
    if file_name.lower().endswith(".xlsx"):
        return _xlsx_records(stream)
    head = stream.read(ENCODING_SAMPLE + 1)
    stream.seek(0)
    return _csv_records(stream, _csv_encoding(head))


def _blank(cells: list[Any]) -> bool:
    return all(v is None or str(v).strip() == "" for v in cells)


def iter_rows(*, file_name: str, stream: IO[bytes], limit: int | None = None) -> Iterator[Row]:
    """The data rows of a CSV (UTF-8, with or without BOM; GB18030 accepted) or XLSX file, one at
    a time. A row the reader could not read comes with its ``problem``. Raises InvalidInput for
    the whole file: unreadable, empty, a wrong header, more than ``limit`` data rows."""
    records = _records(file_name=file_name, stream=stream)
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
    columns = _header_map(header)
    count = 0
    for line, cells, problem in records:
        if not problem and _blank(cells):
            continue
        count += 1
        if limit is not None and count > limit:
            message = _too_many_rows_message(limit)
            raise InvalidInput(
                message, code="import_too_many_rows", errors=[{"line": line, "column": "", "message": str(message)}]
            )
        values = {} if problem else {key: (cells[i] if i < len(cells) else None) for i, key in columns.items()}
        yield Row(line=line, values=values, problem=problem)
    if not count:
        raise InvalidInput(_("The file has no data rows."), code="import_empty")


def read_rows(*, file_name: str, content: bytes) -> list[Row]:
    """All the data rows of a file at once (for tools and benchmarks; imports stream)."""
    return list(iter_rows(file_name=file_name, stream=io.BytesIO(content), limit=max_rows()))


def _count_rows(*, file_name: str, content: bytes, limit: int) -> int | None:
    """How many data rows the file has, counting up to ``limit + 1``; None when it cannot be read
    (the import then fails with the reason, as for any unreadable file)."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            _xlsx_bounded(io.BytesIO(content))
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
        for _row in iter_rows(file_name=file_name, stream=io.BytesIO(content)):
            count += 1
            if count > limit:
                break
    except InvalidInput:
        return None
    return count


# --- Checking --------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=clock.LOCAL_TZ) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=clock.LOCAL_TZ)
    text = _text(value).replace("/", "-")
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=clock.LOCAL_TZ) if parsed.tzinfo is None else parsed


class RuleBook:
    """The published catalogues by kind, to find the rule in force on a date quickly; and the
    subjects an import has resolved so far (a file's parts name the same subjects again)."""

    def __init__(self) -> None:
        self.subject_of: dict[str, int] = {}  # identifier → subject id
        self.subject_info: dict[int, tuple[str, str]] = {}  # subject id → (kind, village prefix)
        self.unknown: set[str] = set()  # identifiers that name no subject
        self.catalogues: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
        for c in Catalogue.objects.filter(status=Catalogue.Status.PUBLISHED).order_by("effective_from"):
            self.catalogues[c.subject_kind].append((c.effective_from, c.pk))
        self.rules: dict[tuple[int, str], Rule] = {}
        self.versions: dict[int, int] = dict(Catalogue.objects.values_list("pk", "version"))
        self.departments: dict[int, set[str]] = defaultdict(set)
        for r in Rule.objects.filter(catalogue__status=Catalogue.Status.PUBLISHED).prefetch_related("departments"):
            self.rules[(r.catalogue_id, r.code)] = r
            self.departments[r.pk] = {d.code for d in r.departments.all()}

    def rule(self, kind: str, on: dt.date, code: str) -> Rule | None:
        catalogue_id = None
        for effective, cid in self.catalogues.get(kind, []):
            if effective <= on:
                catalogue_id = cid
        return self.rules.get((catalogue_id, code)) if catalogue_id else None


def _chunks(items: list[Any], n: int = CHUNK) -> Iterable[list[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


@dataclass
class Checked:
    entries: list[NewEntry]
    existing: int
    report: Report


def check_rows(
    *,
    rows: Sequence[Row],
    department: Department,
    actor: Any,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
    report: Report | None = None,
    book: RuleBook | None = None,
) -> Checked:
    """Validate every row and build the entries to append. Nothing is written. An import checks
    its file a chunk at a time, with one ``report`` and ``book`` for the whole file; the entries
    of the earlier chunks are then already written (in its transaction), so idempotency and
    yearly caps across chunks are checked against the database."""
    report = report if report is not None else Report()
    today = now.astimezone(clock.LOCAL_TZ).date()
    # 1. Shapes: identifiers, times, points, texts.
    parsed: list[tuple[Row, str, str, dt.datetime, int | None, str, str]] = []
    for row in rows:
        if row.problem:
            report.add(row.line, "", row.problem)
            continue
        # Normalise every cell once (the values are reused below and in the second pass).
        v = row.values = {k: _text(x) if k != "occurred_at" else x for k, x in row.values.items()}
        ok = True
        for key in REQUIRED:
            if not (v.get(key) if key != "occurred_at" else _text(v.get(key))):
                report.add(row.line, key, _("Required."))
                ok = False
        for key, value in v.items():
            if key == "occurred_at" or not isinstance(value, str):
                continue
            problem = text_problem(value)  # the one free-text rule, as on pages and in the API
            if problem is not None:
                report.add(row.line, key, problem_message(problem))
                ok = False
        if not ok:
            continue
        try:
            ident = normalise_identifier(v["subject"])
        except InvalidInput as exc:
            report.add(row.line, "subject", exc.message)
            continue
        kind = "id" if ID_PATTERN.match(ident) else "uscc"
        try:
            ident = parse_id_number(ident, today=today).number if kind == "id" else parse_uscc(ident)
        except InvalidInput as exc:
            if kind == "id":
                try:
                    ident, kind = parse_uscc(ident), "uscc"
                except InvalidInput:
                    report.add(row.line, "subject", exc.message)
                    continue
            else:
                report.add(row.line, "subject", exc.message)
                continue
        occurred = _parse_time(v["occurred_at"])
        if occurred is None:
            report.add(row.line, "occurred_at", _("Not a date; use YYYY-MM-DD or YYYY-MM-DD HH:MM."))
            continue
        if occurred > now:
            report.add(row.line, "occurred_at", _("The behaviour cannot have occurred in the future."))
            continue
        given: int | None = None
        if v.get("points"):
            try:
                given = int(v["points"])
            except ValueError:
                report.add(row.line, "points", _("Points must be a whole number."))
                continue
        evidence = v["evidence"]
        if len(evidence) > 2000:
            report.add(row.line, "evidence", _("At most %(n)d characters.") % {"n": 2000})
            continue
        record_id = v["record_id"]
        if len(record_id) > 100:
            report.add(row.line, "record_id", _("At most %(n)d characters.") % {"n": 100})
            continue
        parsed.append((row, kind, ident, occurred, given, evidence, record_id))
    if progress:
        progress(len(rows) // 3)
    # 2. Subjects, in bulk (those an earlier part of the file resolved are known already).
    book = book if book is not None else RuleBook()
    subject_of, info = book.subject_of, book.subject_info
    new = {ident for _, _kind, ident, *_rest in parsed if ident not in subject_of and ident not in book.unknown}
    hashes = {pii.lookup_hash(ident): ident for _, kind, ident, *_rest in parsed if kind == "id" and ident in new}
    usccs = sorted({ident for _, kind, ident, *_ in parsed if kind == "uscc" and ident in new})
    found_now: set[int] = set()
    for chunk in _chunks(list(hashes)):
        for h, sid in Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "subject_id"):
            subject_of[hashes[h]] = sid
            found_now.add(sid)
    for chunk in _chunks(usccs):
        for code, sid in Organisation.objects.filter(uscc__in=chunk).values_list("uscc", "subject_id"):
            subject_of[code] = sid
            found_now.add(sid)
    book.unknown.update(ident for ident in new if ident not in subject_of)
    for chunk in _chunks(sorted(found_now)):
        for sid, kind, prefix in Subject.objects.filter(pk__in=chunk).values_list("id", "kind", "village__prefix"):
            info[sid] = (kind, prefix)
    prefixes = (
        [
            g.region.prefix
            for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
            if g.department_id == department.pk
        ]
        if actor
        else [""]
    )
    own = linked_subject_ids(actor)  # nobody records on their own file
    # 3. Rules, points, idempotency, caps.
    # Earlier imports of these rows' keys: only the keys of this part of the file (a file's later
    # parts must not read back what its earlier parts just wrote), by the (subject, source, key)
    # index.
    existing_hash: dict[tuple[int, str], str] = {}
    wanted: dict[str, set[int]] = defaultdict(set)  # a record id may name several subjects
    for _row, _kind, ident, _occ, _given, _evidence, record_id in parsed:
        if ident in subject_of:
            wanted[f"{department.code}:{record_id}"].add(subject_of[ident])
    for chunk in _chunks(sorted(wanted)):
        rows_found = Entry.objects.filter(
            subject_id__in=set().union(*(wanted[k] for k in chunk)), source=Entry.Source.IMPORT, source_key__in=chunk
        ).values_list("subject_id", "source_key", "content_hash")
        for sid, key, chash in rows_found:
            existing_hash[(sid, key)] = chash
    if progress:
        progress(2 * len(rows) // 3)
    # Yearly caps: what the file's subjects already used, for the capped rules and years in the file.
    capped: dict[tuple[int, str, int], list[int]] = {}
    file_codes = {row.values["rule_code"] for row, *_rest in parsed}
    capped_rules = {
        r.code
        for r in book.rules.values()
        if r.code in file_codes and (r.yearly_cap_count is not None or r.yearly_cap_points is not None)
    }
    years = {occurred.astimezone(clock.LOCAL_TZ).year for _row, _k, _i, occurred, *_rest in parsed}
    here = sorted({subject_of[ident] for _row, _kind, ident, *_rest in parsed if ident in subject_of})
    if capped_rules and here and years:
        since = dt.datetime(min(years), 1, 1, tzinfo=clock.LOCAL_TZ)
        until = dt.datetime(max(years) + 1, 1, 1, tzinfo=clock.LOCAL_TZ)
        for chunk in _chunks(here):
            qs = Entry.objects.filter(
                subject_id__in=chunk, rule__code__in=capped_rules, occurred_at__gte=since, occurred_at__lt=until
            ).exclude(status__in=[Entry.Status.REJECTED, Entry.Status.REVOKED])
            for sid, code, occurred, pts in qs.values_list("subject_id", "rule__code", "occurred_at", "points"):
                slot = capped.setdefault((sid, code, occurred.astimezone(clock.LOCAL_TZ).year), [0, 0])
                slot[0] += 1
                slot[1] += abs(pts)
    entries: list[NewEntry] = []
    existing = 0
    seen_in_file: dict[tuple[int, str], str] = {}
    for row, _kind, ident, occurred, given_points, evidence, record_id in parsed:
        found = subject_of.get(ident)
        if found is None or not any(info[found][1].startswith(p) for p in prefixes):
            report.add(row.line, "subject", _("No subject with this number is in your department's regions."))
            continue
        sid = found
        if sid in own:
            report.add(row.line, "subject", _("You may not act on your own record; ask a colleague."))
            continue
        subject_kind = SubjectKind.PERSON if info[sid][0] == Subject.Kind.PERSON else SubjectKind.ORGANISATION
        code = row.values["rule_code"]
        local = occurred.astimezone(clock.LOCAL_TZ)
        rule = book.rule(subject_kind, local.date(), code)
        if rule is None:
            report.add(
                row.line,
                "rule_code",
                _("No rule %(code)s is in force for this subject on that date.") % {"code": code[:20]},
            )
            continue
        if department.code not in book.departments[rule.pk]:
            report.add(
                row.line, "rule_code", _("Rule %(code)s is not recorded by your department.") % {"code": rule.code}
            )
            continue
        if rule.programme:
            report.add(
                row.line,
                "rule_code",
                _("Rule %(code)s is recorded only by the %(programme)s programme from its verified records.")
                % {"code": rule.code, "programme": rule.get_programme_display()},
            )
            continue
        if given_points is None and rule.points_min != rule.points_max:
            report.add(
                row.line,
                "points",
                _("Choose the points, between %(a)d and %(b)d.") % {"a": rule.points_min, "b": rule.points_max},
            )
            continue
        points = rule.points_min if given_points is None else given_points
        if not rule.points_min <= points <= rule.points_max:
            report.add(
                row.line,
                "points",
                _("Points must be between %(a)d and %(b)d.") % {"a": rule.points_min, "b": rule.points_max},
            )
            continue
        signed = points * rule.sign
        key = f"{department.code}:{record_id}"
        chash = ledger.content_hash(
            rule_code=rule.code,
            catalogue_version=book.versions[rule.catalogue_id],
            points=signed,
            occurred_at=occurred,
            department=department.code,
            evidence=evidence,
        )
        previous = existing_hash.get((sid, key)) or seen_in_file.get((sid, key))
        if previous is not None:
            if previous == chash:
                existing += 1
                continue
            report.add(row.line, "record_id", _("This record id was already used for a different record."))
            continue
        if rule.yearly_cap_count is not None or rule.yearly_cap_points is not None:
            slot = capped.setdefault((sid, rule.code, local.year), [0, 0])
            if rule.yearly_cap_count is not None and slot[0] + 1 > rule.yearly_cap_count:
                report.add(
                    row.line,
                    "rule_code",
                    _("Rule %(code)s allows %(n)d entries per year for one subject; %(year)d has them all.")
                    % {"code": rule.code, "n": rule.yearly_cap_count, "year": local.year},
                )
                continue
            if rule.yearly_cap_points is not None and slot[1] + points > rule.yearly_cap_points:
                report.add(
                    row.line,
                    "points",
                    _("Rule %(code)s allows %(cap)d points per year for one subject; %(left)d are left for %(year)d.")
                    % {
                        "code": rule.code,
                        "cap": rule.yearly_cap_points,
                        "left": max(rule.yearly_cap_points - slot[1], 0),
                        "year": local.year,
                    },
                )
                continue
            slot[0] += 1
            slot[1] += points
        seen_in_file[(sid, key)] = chash
        entries.append(
            NewEntry(
                subject_id=sid,
                rule=rule,
                points=signed,
                occurred_at=occurred,
                recorded_at=None,  # stamped under the lock when written
                department_id=department.pk,
                recorder_id=actor.pk if actor else None,
                source=Entry.Source.IMPORT,
                source_key=key,
                content_hash=chash,
                evidence=evidence,
            )
        )
    if progress:
        progress(len(rows))
    return Checked(entries=entries, existing=existing, report=report)


# --- Services --------------------------------------------------------------------------------
def _department_for(actor: Any, department_code: str) -> Department:
    department = Department.objects.filter(code=department_code).first()
    if department is None:
        raise field_error("department", _("Unknown department."), code="unknown_department")
    if actor is not None and not any(
        g.department_id == department.pk for g in grants_with_roles(actor, [Role.DEPARTMENT_RECORDER])
    ):
        raise NotFound()
    return department


class Upload(Protocol):
    """An uploaded file as Django and django-ninja hand it over."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def import_create_from_upload(
    *, actor: Any, department_code: str, upload: Upload, partial: bool = False
) -> ImportBatch:
    """Queue an uploaded file (the page and the API). The size is checked before the file is read
    (the upload handler already dropped the bytes of an oversized file), then the file is read in
    chunks, stopping as soon as it passes the limit. Raises NotFound, ImportTooLarge (413),
    InvalidInput (as :func:`import_create`)."""
    _department_for(actor, department_code)
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_large()
    content = bytearray()
    for chunk in upload.chunks():
        content += chunk
        if len(content) > limit:
            raise _too_large()
    return import_create(
        actor=actor,
        department_code=department_code,
        file_name=upload.name or "upload",
        content=bytes(content),
        partial=partial,
    )


def import_create(
    *, actor: Any, department_code: str, file_name: str, content: bytes, partial: bool = False
) -> ImportBatch:
    """Queue a file for import by ``department_code`` (the actor must record for it). The worker
    (or the CLI) processes it. The file is stored only within the limits: at most
    ``RONGXIN_IMPORT_MAX_BYTES`` bytes and ``RONGXIN_IMPORT_MAX_ROWS`` data rows. Raises NotFound,
    ImportTooLarge (413), InvalidInput (unknown department, empty file, too many rows)."""
    department = _department_for(actor, department_code)
    if not content:
        raise InvalidInput(_("The file is empty."), code="import_empty")
    if len(content) > max_bytes():
        raise _too_large()
    row_limit = max_rows()
    rows = _count_rows(file_name=file_name, content=content, limit=row_limit)
    if rows is not None and rows > row_limit:
        raise field_error("file", _too_many_rows_message(row_limit), code="import_too_many_rows")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            department=department,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            file_name=(file_name or "upload")[:200],
            file_sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            partial=partial,
            rows_total=rows or 0,
            queued_at=clock.now(),
        )
        audit_record(
            actor=actor,
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
            rows = iter_rows(file_name=batch.file_name, stream=stream, limit=max_rows())
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


def import_progress(batch: ImportBatch) -> tuple[int, int]:
    """Rows checked and rows in all, live while the import runs."""
    if batch.status == ImportBatch.Status.RUNNING:
        live = progress_read("import", batch.pk)
        if live is not None:
            return live
    return batch.rows_done, batch.rows_total


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
