"""A credit import's rows: the columns, reading one cell, checking the shape of each row, and
the per-row report.

Columns (Chinese or English headers; any order; extra columns are an error so typos show):

| 中文 | English | |
|---|---|---|
| 证件号码 | subject | 18-character ID number or unified social credit code |
| 规则编码 | rule_code | a rule of the catalogue in force on the date |
| 分值 | points | optional for fixed-point rules |
| 发生时间 | occurred_at | ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM`` (Beijing time) |
| 证据 | evidence | required |
| 记录编号 | record_id | the department's own id of the record (idempotency key) |

Pure: the rows' subjects, rules, keys and caps are checked against the database by
:func:`rongxin.credit.services.import_check.check_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.core import clock
from rongxin.core.errors import InvalidInput
from rongxin.core.text import problem_message, shown, text_problem
from rongxin.subjects.domain.identifiers import ID_PATTERN, normalise_identifier, parse_id_number, parse_uscc

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
MAX_EVIDENCE = 2000
MAX_RECORD_ID = 100


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


def size_text(n: int) -> str:
    """A byte count as people read it ("20 MB")."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor and n % factor == 0:
            return f"{n // factor} {unit}"
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} B"


def too_many_rows_message(limit: int) -> Any:
    return _("The file has more than %(n)d data rows; split it into files of at most %(n)d rows.") % {"n": limit}


def header_map(header: list[Any]) -> dict[int, str]:
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


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_time(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=clock.LOCAL_TZ) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=clock.LOCAL_TZ)
    text = cell_text(value).replace("/", "-")
    if not text:
        return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=clock.LOCAL_TZ) if parsed.tzinfo is None else parsed


# A row of the right shape: (row, "id" or "uscc", identifier, occurred, points or None, evidence, record id).
Parsed = tuple[Row, str, str, dt.datetime, int | None, str, str]


def parse_rows(rows: Sequence[Row], *, report: Report, now: dt.datetime) -> list[Parsed]:
    """The shape of every row: required cells, the one free-text rule, the identifier (an ID
    number or a unified social credit code), the time (not in the future), the points, the
    lengths. A row with a problem goes to ``report``; the others come back parsed. The cells of
    every row are normalised in place (``row.values``)."""
    today = now.astimezone(clock.LOCAL_TZ).date()
    parsed: list[Parsed] = []
    for row in rows:
        if row.problem:
            report.add(row.line, "", row.problem)
            continue
        # Normalise every cell once (the values are reused below and in the second pass).
        v = row.values = {k: cell_text(x) if k != "occurred_at" else x for k, x in row.values.items()}
        ok = True
        for key in REQUIRED:
            if not (v.get(key) if key != "occurred_at" else cell_text(v.get(key))):
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
        occurred = parse_time(v["occurred_at"])
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
        if len(evidence) > MAX_EVIDENCE:
            report.add(row.line, "evidence", _("At most %(n)d characters.") % {"n": MAX_EVIDENCE})
            continue
        record_id = v["record_id"]
        if len(record_id) > MAX_RECORD_ID:
            report.add(row.line, "record_id", _("At most %(n)d characters.") % {"n": MAX_RECORD_ID})
            continue
        parsed.append((row, kind, ident, occurred, given, evidence, record_id))
    return parsed
