"""Reads over the rule catalogues: the catalogue in force and its scale, the list and one
catalogue for the pages and the API, export as a document (YAML, XLSX), and the diff of two
versions."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import yaml
from django.db.models import QuerySet

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.credit.domain.scoring import Scale
from rongxin.credit.models import Catalogue, GradeBand, Rule, SubjectCredit, SubjectKind
from rongxin.subjects.models import Subject


def catalogue_in_force(*, subject_kind: str, on: dt.date) -> Catalogue | None:
    """The published catalogue of that kind whose effective date is the latest on or before ``on``."""
    return (
        Catalogue.objects.filter(subject_kind=subject_kind, status=Catalogue.Status.PUBLISHED, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def scale_in_force(*, subject_kind: str, on: dt.date) -> Scale | None:
    """The base score and grade bands of the catalogue in force for that kind on ``on``."""
    catalogue = catalogue_in_force(subject_kind=subject_kind, on=on)
    if catalogue is None:
        return None
    bands = list(GradeBand.objects.filter(catalogue=catalogue).values_list("code", "min_score"))
    return Scale(base=catalogue.base_score, bands=bands)


def kind_scored(subject_kind: str) -> bool:
    """Whether any subject of the kind has a credit state yet (a new catalogue must rescore it)."""
    kinds = (
        [Subject.Kind.PERSON]
        if subject_kind == SubjectKind.PERSON
        else [k for k in Subject.Kind.values if k != Subject.Kind.PERSON]
    )
    return SubjectCredit.objects.filter(subject__kind__in=kinds).exists()


def catalogues_listed() -> QuerySet[Catalogue]:
    """Every catalogue version (published and drafts), by kind, newest first, with its grades."""
    return Catalogue.objects.prefetch_related("grades").order_by("subject_kind", "-version")


def catalogues_in_force() -> list[Catalogue]:
    """The catalogue in force today for each subject kind that has one (the templates a new
    draft starts from), persons first."""
    today = clock.today_local()
    found = (catalogue_in_force(subject_kind=kind, on=today) for kind in SubjectKind.values)
    return [c for c in found if c is not None]


def catalogue_get(catalogue_id: int) -> Catalogue:
    """One catalogue version. Raises NotFound."""
    c = Catalogue.objects.filter(pk=catalogue_id).first()
    if c is None:
        raise NotFound()
    return c


@dataclass(frozen=True)
class ComparedCatalogue:
    """A catalogue version with its rules, the other versions of its kind, and what changed
    from the version it is compared with (if any)."""

    catalogue: Catalogue
    rules: QuerySet[Rule]
    others: QuerySet[Catalogue]
    compare: Catalogue | None
    diff: dict[str, Any] | None


def catalogue_compared(*, catalogue_id: int, compare_id: int | None = None) -> ComparedCatalogue:
    """One catalogue version for its page, compared with another version of its kind when
    ``compare_id`` names one. Raises NotFound."""
    c = catalogue_get(catalogue_id)
    others = Catalogue.objects.filter(subject_kind=c.subject_kind).exclude(pk=c.pk).order_by("-version")
    compare = others.filter(pk=compare_id).first() if compare_id is not None else None
    return ComparedCatalogue(
        catalogue=c,
        rules=c.rules.prefetch_related("departments").order_by("direction", "code"),
        others=others,
        compare=compare,
        diff=catalogue_diff(old=compare, new=c) if compare else None,
    )


def catalogue_export(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as a document in the YAML format (round-trips through the loader)."""
    rules = []
    for r in catalogue.rules.prefetch_related("departments").order_by("code"):
        item: dict[str, Any] = {
            "code": r.code,
            "name_zh": r.name_zh,
            "name_en": r.name_en,
            "category": r.category,
            "direction": r.direction,
        }
        if r.points_min == r.points_max:
            item["points"] = r.points_min
        else:
            item["points_min"], item["points_max"] = r.points_min, r.points_max
        item.update(
            severity=r.severity or None,
            legal_basis=r.legal_basis,
            evidence=r.evidence,
            departments=sorted(d.code for d in r.departments.all()),
            yearly_cap_count=r.yearly_cap_count,
            yearly_cap_points=r.yearly_cap_points,
            review_required=r.review_required,
            objection_days=r.objection_days,
            counting_days=r.counting_days,
            repair_after_days=r.repair_after_days,
        )
        if r.programme:
            item["programme"] = r.programme
        rules.append(item)
    return {
        "subject_kind": catalogue.subject_kind,
        "version": catalogue.version,
        "title_zh": catalogue.title,
        "effective_from": catalogue.effective_from,
        "base_score": catalogue.base_score,
        "grades": [{"code": g.code, "min": g.min_score} for g in catalogue.grades.all()],
        "rules": rules,
    }


def catalogue_export_yaml(catalogue: Catalogue) -> str:
    return yaml.safe_dump(catalogue_export(catalogue), allow_unicode=True, sort_keys=False)


XLSX_COLUMNS = [
    "code", "name_zh", "name_en", "category", "direction", "points_min", "points_max", "severity", "legal_basis",
    "evidence", "departments", "yearly_cap_count", "yearly_cap_points", "review_required", "objection_days",
    "counting_days", "repair_after_days", "programme",
]  # fmt: skip


def catalogue_export_xlsx(catalogue: Catalogue) -> bytes:
    """Two sheets: ``catalogue`` (header and grades) and ``rules`` (one row per rule)."""
    from openpyxl import Workbook

    doc = catalogue_export(catalogue)
    wb = Workbook()
    head = wb.active
    head.title = "catalogue"
    for key in ("subject_kind", "version", "title_zh", "effective_from", "base_score"):
        head.append([key, doc[key]])
    for g in doc["grades"]:
        head.append(["grade", g["code"], g["min"]])
    sheet = wb.create_sheet("rules")
    sheet.append(XLSX_COLUMNS)
    for r in doc["rules"]:
        row = dict(r, points_min=r.get("points_min", r.get("points")), points_max=r.get("points_max", r.get("points")))
        row["departments"] = ",".join(r["departments"])
        sheet.append([row.get(c) for c in XLSX_COLUMNS])
    # openpyxl stores a text beginning with "=" as a live formula; a rule's text (evidence, name,
    # legal basis) must open as the text it is, so every such cell is written as a plain string
    # (the text itself is kept exactly and reads back unchanged).
    for ws in (head, sheet):
        for cells in ws.iter_rows():
            for cell in cells:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class RuleChange:
    code: str
    change: str  # "added", "removed", "changed"
    fields: dict[str, tuple[Any, Any]]


DIFF_FIELDS = [
    "name_zh", "name_en", "category", "direction", "points_min", "points_max", "severity", "legal_basis", "evidence",
    "yearly_cap_count", "yearly_cap_points", "review_required", "objection_days", "counting_days", "repair_after_days",
    "programme",
]  # fmt: skip


def catalogue_diff(*, old: Catalogue, new: Catalogue) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: header fields, grade bands and rules by code."""

    def rule_map(c: Catalogue) -> dict[str, dict[str, Any]]:
        out = {}
        for r in c.rules.prefetch_related("departments"):
            d = {f: getattr(r, f) for f in DIFF_FIELDS}
            d["departments"] = ",".join(sorted(x.code for x in r.departments.all()))
            out[r.code] = d
        return out

    a, b = rule_map(old), rule_map(new)
    changes: list[RuleChange] = []
    for code in sorted(set(a) | set(b)):
        if code not in a:
            changes.append(RuleChange(code, "added", {}))
        elif code not in b:
            changes.append(RuleChange(code, "removed", {}))
        else:
            fields = {f: (a[code][f], b[code][f]) for f in a[code] if a[code][f] != b[code][f]}
            if fields:
                changes.append(RuleChange(code, "changed", fields))
    grades_old = [(g.code, g.min_score) for g in old.grades.all()]
    grades_new = [(g.code, g.min_score) for g in new.grades.all()]
    return {
        "base_score": (old.base_score, new.base_score),
        "effective_from": (old.effective_from, new.effective_from),
        "grades": (grades_old, grades_new) if grades_old != grades_new else None,
        "rules": changes,
    }


def department_names() -> dict[str, str]:
    """Every department's name by its code (to show a catalogue diff's departments by name)."""
    return dict(Department.objects.values_list("code", "name"))
