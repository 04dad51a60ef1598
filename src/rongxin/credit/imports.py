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

Every row is checked before anything is written, and every problem is reported with its line,
column and a Chinese message. By default the import is all-or-nothing; with ``partial`` the
valid rows are saved and the others reported. Importing the same file twice adds nothing: a row
whose record id was already imported with the same content counts as "already recorded".
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department
from rongxin.accounts.permissions import grants_with_roles
from rongxin.accounts.roles import Role
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.progress import progress_clear, progress_mtime, progress_read, progress_write
from rongxin.credit import ledger
from rongxin.credit.bulk import NewEntry, ledger_bulk_append
from rongxin.credit.models import Catalogue, Entry, ImportBatch, Rule, SubjectKind
from rongxin.subjects.identifiers import ID_PATTERN, parse_id_number, parse_uscc
from rongxin.subjects.models import Organisation, Person, Subject

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
MAX_ROWS = 1_000_000
CHUNK = 900  # below SQLite's smallest variable limit


@dataclass
class Row:
    line: int
    values: dict[str, Any]


class Report:
    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.bad_lines: set[int] = set()

    def add(self, line: int, column: str, message: Any) -> None:
        self.bad_lines.add(line)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "column": COLUMNS.get(column, (column,))[0], "message": str(message)})


# --- Reading files ---------------------------------------------------------------------------
def _header_map(header: list[Any]) -> dict[int, str]:
    names = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    out: dict[int, str] = {}
    unknown = []
    for i, raw in enumerate(header):
        name = str(raw or "").strip().lstrip("\ufeff")
        if not name:
            continue
        if name not in names:
            unknown.append(name)
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


def read_rows(*, file_name: str, content: bytes) -> list[Row]:
    """The data rows of a CSV (UTF-8, with or without BOM; GB18030 accepted) or XLSX file."""
    if file_name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            raw_rows: Iterable[list[Any]] = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        except Exception as exc:
            raise InvalidInput(_("This is not a readable XLSX file: %(e)s") % {"e": exc}, code="import_file") from None
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InvalidInput(_("The CSV file must be UTF-8 (or GB18030) text."), code="import_file")
        raw_rows = list(csv.reader(io.StringIO(text)))
    rows_iter = iter(raw_rows)
    header = next(rows_iter, None)
    if header is None:
        raise InvalidInput(_("The file is empty."), code="import_empty")
    columns = _header_map(list(header))
    rows = []
    for line, raw in enumerate(rows_iter, start=2):
        if not raw or all(v is None or str(v).strip() == "" for v in raw):
            continue
        rows.append(Row(line=line, values={key: (raw[i] if i < len(raw) else None) for i, key in columns.items()}))
        if len(rows) > MAX_ROWS:
            raise InvalidInput(_("At most %(n)d rows per file.") % {"n": MAX_ROWS}, code="import_too_large")
    if not rows:
        raise InvalidInput(_("The file has no data rows."), code="import_empty")
    return rows


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
    """The published catalogues by kind, to find the rule in force on a date quickly."""

    def __init__(self) -> None:
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
    rows: list[Row],
    department: Department,
    actor: Any,
    now: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> Checked:
    """Validate every row and build the entries to append. Nothing is written."""
    report = Report()
    today = now.astimezone(clock.LOCAL_TZ).date()
    # 1. Shapes: identifiers, times, points, texts.
    parsed: list[tuple[Row, str, str, dt.datetime, int | None, str, str]] = []
    for row in rows:
        # Normalise every cell once (the values are reused below and in the second pass).
        v = row.values = {k: _text(x) if k != "occurred_at" else x for k, x in row.values.items()}
        ok = True
        for key in REQUIRED:
            if not (v.get(key) if key != "occurred_at" else _text(v.get(key))):
                report.add(row.line, key, _("Required."))
                ok = False
        if not ok:
            continue
        ident = v["subject"].upper()
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
    # 2. Subjects, in bulk.
    hashes = {pii.lookup_hash(ident): ident for _, kind, ident, *_rest in parsed if kind == "id"}
    usccs = [ident for _, kind, ident, *_ in parsed if kind == "uscc"]
    subject_of: dict[str, int] = {}
    for chunk in _chunks(list(hashes)):
        for h, sid in Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", "subject_id"):
            subject_of[hashes[h]] = sid
    for chunk in _chunks(sorted(set(usccs))):
        subject_of.update(Organisation.objects.filter(uscc__in=chunk).values_list("uscc", "subject_id"))
    info: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(sorted(set(subject_of.values()))):
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
    # 3. Rules, points, idempotency, caps.
    book = RuleBook()
    # Earlier imports of these subjects (the (subject, source, key) index leads with the subject).
    existing_hash: dict[tuple[int, str], str] = {}
    prefix = f"{department.code}:"
    for chunk in _chunks(sorted(set(subject_of.values()))):
        rows_found = Entry.objects.filter(
            subject_id__in=chunk, source=Entry.Source.IMPORT, source_key__startswith=prefix
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
    if capped_rules and subject_of and years:
        since = dt.datetime(min(years), 1, 1, tzinfo=clock.LOCAL_TZ)
        until = dt.datetime(max(years) + 1, 1, 1, tzinfo=clock.LOCAL_TZ)
        for chunk in _chunks(sorted(set(subject_of.values()))):
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


@transaction.atomic
def import_create(
    *, actor: Any, department_code: str, file_name: str, content: bytes, partial: bool = False
) -> ImportBatch:
    """Queue a file for import by ``department_code`` (the actor must record for it). The worker
    (or the CLI) processes it. Raises NotFound, InvalidInput (unknown department, empty file)."""
    department = _department_for(actor, department_code)
    if not content:
        raise InvalidInput(_("The file is empty."), code="import_empty")
    batch = ImportBatch.objects.create(
        department=department,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=(file_name or "upload")[:200],
        file_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        partial=partial,
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
    is not queued is returned as it is."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, status=ImportBatch.Status.QUEUED).first()
        if batch is None:
            found = ImportBatch.objects.filter(pk=batch_id).first()
            if found is None:
                raise NotFound()
            return found
        batch.status, batch.started_at = ImportBatch.Status.RUNNING, clock.now()
        batch.save(update_fields=["status", "started_at"])
    actor = batch.uploaded_by
    now = clock.now()
    try:
        rows = read_rows(file_name=batch.file_name, content=bytes(batch.content or b""))
    except InvalidInput as exc:
        return _finish(
            batch,
            status=ImportBatch.Status.FAILED,
            errors=exc.errors or [{"line": 1, "column": "", "message": str(exc.message)}],
            total=0,
        )
    total = len(rows)
    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=total)

    def tick(done: int) -> None:
        # Inside the import's transaction a row update would not show; the file does.
        progress_write("import", batch.pk, done=done, total=total)
        if progress:
            progress(done, total)

    try:
        return _check_and_append(batch=batch, rows=rows, actor=actor, now=now, tick=tick)
    except Exception as exc:
        # Nothing of the import was committed (its transaction rolled back); say so and keep the
        # batch out of the queue rather than leaving it "running" forever.
        _finish(
            batch,
            status=ImportBatch.Status.FAILED,
            errors=[{"line": 0, "column": "", "message": f"{type(exc).__name__}: {exc}"[:500]}],
            total=total,
        )
        raise


@transaction.atomic
def _check_and_append(
    *, batch: ImportBatch, rows: list[Row], actor: Any, now: dt.datetime, tick: Callable[[int], None]
) -> ImportBatch:
    total = len(rows)
    checked = check_rows(rows=rows, department=batch.department, actor=actor, now=now, progress=tick)
    failed = len(checked.report.bad_lines)
    if failed and not batch.partial:
        return _finish(
            batch,
            status=ImportBatch.Status.FAILED,
            errors=checked.report.errors,
            total=total,
            failed=failed,
            existing=checked.existing,
        )
    result = ledger_bulk_append(entries=checked.entries, cause="import")
    audit_record(
        actor=actor,
        role=Role.DEPARTMENT_RECORDER if actor else "",
        kind=AuditEvent.Kind.WRITE,
        action="credit.import.committed",
        object_type="import",
        object_id=batch.pk,
        details={
            "entries": result.entries,
            "subjects": result.subjects,
            "existing": checked.existing,
            "failed": failed,
        },
    )
    status = ImportBatch.Status.PARTIAL if failed else ImportBatch.Status.DONE
    return _finish(
        batch,
        status=status,
        errors=checked.report.errors,
        total=total,
        failed=failed,
        existing=checked.existing,
        created=result.entries,
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
    """Queue again the imports left "running" by a process that died (killed, power cut): their
    transaction rolled back, so nothing of them was saved, and their file is still stored. A
    running import is stale when neither it started nor its progress moved within
    ``stale_after`` (``RONGXIN_IMPORT_STALE_MINUTES``, default 10). Returns how many."""
    if stale_after is None:
        stale_after = dt.timedelta(minutes=float(getattr(settings, "RONGXIN_IMPORT_STALE_MINUTES", 10)))
    now = clock.now()
    requeued = 0
    for batch in ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING, content__isnull=False):
        last = batch.started_at or batch.queued_at
        moved = progress_mtime("import", batch.pk)
        if moved is not None and moved > last:
            last = moved
        if now - last < stale_after:
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
                details={"reason": "interrupted"},
            )
            requeued += 1
    return requeued


def import_process_queued() -> int:
    """Process every queued import (the worker's job), after requeueing interrupted ones.
    Returns how many were processed."""
    imports_recover()
    done = 0
    for batch_id in (
        ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED).order_by("queued_at").values_list("pk", flat=True)
    ):
        import_process(batch_id=batch_id)
        done += 1
    return done
