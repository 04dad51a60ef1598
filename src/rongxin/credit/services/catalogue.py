"""Writes to the rule catalogues: read a YAML/XLSX document and check it, create a draft from
it, publish a draft, load the starter catalogues. (Reads, export and the diff of two versions are
in :mod:`rongxin.credit.selectors.catalogues`.)

A published catalogue is never edited: changes go into a new draft that is published with a
later effective date.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.domain.periods import OBJECTION_DAYS, defaults_for
from rongxin.credit.models import PROGRAMMES, Catalogue, Direction, GradeBand, Rule, Severity, SubjectKind
from rongxin.credit.permissions import require_catalogue_editor
from rongxin.credit.selectors.catalogues import kind_scored

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
STARTER_FILES = {
    SubjectKind.PERSON: DATA_DIR / "catalogue_person.yaml",
    SubjectKind.ORGANISATION: DATA_DIR / "catalogue_organisation.yaml",
}
CATEGORIES = frozenset(
    [
        "volunteering",
        "practice_activity",
        "good_deed",
        "filial_piety",
        "family_virtue",
        "neighbourhood",
        "environment",
        "traffic",
        "public_facility",
        "public_order",
        "civility",
        "contract",
        "debt",
        "utility",
        "tax",
        "product_quality",
        "food_safety",
        "labour",
        "donation",
        "honour",
        "social_responsibility",
        "safety_production",
        "law_abiding",
    ]
)
RULE_KEYS = frozenset(
    [
        "code",
        "name_zh",
        "name_en",
        "category",
        "direction",
        "points",
        "points_min",
        "points_max",
        "severity",
        "legal_basis",
        "evidence",
        "departments",
        "yearly_cap_count",
        "yearly_cap_points",
        "review_required",
        "counting_days",
        "objection_days",
        "repair_after_days",
        "programme",
    ]
)


@dataclass
class CatalogueProblem:
    where: str
    message: str


def _problem(problems: list[CatalogueProblem], where: str, message: Any) -> None:
    problems.append(CatalogueProblem(where=where, message=str(message)))


def _int_or_none(value: Any, where: str, problems: list[CatalogueProblem]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        _problem(problems, where, _("must be a whole number ≥ 0"))
        return None
    return value


def parse_catalogue(data: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[CatalogueProblem]]:
    """Validate a catalogue document (the YAML format in ``credit/data``). Returns the header,
    the normalised rules and every problem found (all of them, not just the first)."""
    problems: list[CatalogueProblem] = []
    if not isinstance(data, dict):
        return {}, [], [CatalogueProblem("document", str(_("The document must be a mapping with a rules list.")))]
    kind = data.get("subject_kind")
    if kind not in SubjectKind.values:
        _problem(problems, "subject_kind", _("must be person or organisation"))
    effective = data.get("effective_from")
    if isinstance(effective, str):
        try:
            effective = dt.date.fromisoformat(effective)
        except ValueError:
            effective = None
    if not isinstance(effective, dt.date):
        _problem(problems, "effective_from", _("must be a date (YYYY-MM-DD)"))
    base = data.get("base_score", 1000)
    if not isinstance(base, int) or isinstance(base, bool):
        _problem(problems, "base_score", _("must be a whole number"))
    grades = data.get("grades") or []
    seen_grades: set[str] = set()
    last_min: int | None = None
    for i, g in enumerate(grades):
        where = f"grades[{i}]"
        if not isinstance(g, dict) or not g.get("code"):
            _problem(problems, where, _("needs a code"))
            continue
        if g["code"] in seen_grades:
            _problem(problems, where, _("duplicate grade %(code)s") % {"code": g["code"]})
        seen_grades.add(g["code"])
        is_last = i == len(grades) - 1
        if is_last and g.get("min") is not None:
            _problem(problems, where, _("the lowest grade has no minimum (min: null)"))
        if not is_last:
            if not isinstance(g.get("min"), int):
                _problem(problems, where, _("needs a whole-number min"))
            elif last_min is not None and g["min"] >= last_min:
                _problem(problems, where, _("grades must be listed from the highest minimum down"))
            else:
                last_min = g["min"]
    if len(grades) < 2:
        _problem(problems, "grades", _("at least two grades are needed"))
    departments = set(Department.objects.values_list("code", flat=True))
    rules: list[dict[str, Any]] = []
    seen_codes: set[str] = set()
    for i, raw in enumerate(data.get("rules") or []):
        where = f"rules[{i}]"
        if not isinstance(raw, dict):
            _problem(problems, where, _("must be a mapping"))
            continue
        code = str(raw.get("code") or "").strip()
        where = f"rules[{i}] {code}".strip()
        unknown = set(raw) - RULE_KEYS
        if unknown:
            _problem(problems, where, _("unknown keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))})
        if not code or len(code) > 20:
            _problem(problems, where, _("needs a code of at most 20 characters"))
        elif code in seen_codes:
            _problem(problems, where, _("duplicate code"))
        seen_codes.add(code)
        direction = raw.get("direction")
        if direction not in Direction.values:
            _problem(problems, where, _("direction must be award or deduction"))
        severity = raw.get("severity") or ""
        if direction == Direction.DEDUCTION and severity not in Severity.values:
            _problem(problems, where, _("a deduction needs a severity: minor, general or serious"))
        if direction == Direction.AWARD and severity:
            _problem(problems, where, _("an award has no severity"))
        legal_basis = str(raw.get("legal_basis") or "").strip()
        if direction == Direction.DEDUCTION and not legal_basis:
            _problem(problems, where, _("a deduction must name its legal basis"))
        if raw.get("category") not in CATEGORIES:
            _problem(problems, where, _("unknown category %(c)s") % {"c": raw.get("category")})
        if "points" in raw and raw["points"] is not None:
            pmin = pmax = raw["points"]
        else:
            pmin, pmax = raw.get("points_min"), raw.get("points_max")
        if not all(isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in (pmin, pmax)) or pmin > pmax:
            _problem(problems, where, _("points must be a positive whole number, or points_min ≤ points_max"))
        depts = raw.get("departments") or []
        if not depts or not isinstance(depts, list):
            _problem(problems, where, _("needs at least one department"))
            depts = []
        for d in depts:
            if d not in departments:
                _problem(problems, where, _("unknown department %(d)s") % {"d": d})
        programme = str(raw.get("programme") or "").strip()
        if programme and programme not in {p for p, _label in PROGRAMMES}:
            _problem(problems, where, _("unknown programme %(p)s") % {"p": programme})
        if programme and direction != Direction.AWARD:
            _problem(problems, where, _("only awards can be recorded by a programme"))
        name_zh = str(raw.get("name_zh") or "").strip()
        if not name_zh:
            _problem(problems, where, _("needs a Chinese name"))
        periods = defaults_for(
            direction=direction if direction in Direction.values else "award",
            severity=severity if severity in Severity.values else "general",
        )
        rules.append(
            {
                "code": code,
                "name_zh": name_zh,
                "name_en": str(raw.get("name_en") or "").strip(),
                "category": raw.get("category"),
                "direction": direction,
                "points_min": pmin,
                "points_max": pmax,
                "severity": severity,
                "legal_basis": legal_basis,
                "evidence": str(raw.get("evidence") or "").strip(),
                "departments": depts,
                "yearly_cap_count": _int_or_none(raw.get("yearly_cap_count"), where, problems),
                "yearly_cap_points": _int_or_none(raw.get("yearly_cap_points"), where, problems),
                "review_required": bool(raw.get("review_required", False)),
                "objection_days": _int_or_none(raw.get("objection_days"), where, problems) or OBJECTION_DAYS,
                "counting_days": _int_or_none(raw.get("counting_days"), where, problems) or periods.counting_days,
                "repair_after_days": (
                    _int_or_none(raw.get("repair_after_days"), where, problems)
                    if raw.get("repair_after_days") is not None
                    else periods.repair_after_days
                ),
                "published": periods.published,
                "programme": programme,
            }
        )
    if not rules:
        _problem(problems, "rules", _("the catalogue has no rules"))
    header = {
        "subject_kind": kind,
        "title": str(data.get("title_zh") or data.get("title") or "").strip() or f"{kind} catalogue",
        "effective_from": effective,
        "base_score": base,
        "grades": [(g.get("code"), g.get("min")) for g in grades if isinstance(g, dict)],
    }
    return header, rules, problems


def _raise_problems(problems: list[CatalogueProblem]) -> None:
    raise InvalidInput(
        _("The catalogue has %(n)d problem(s).") % {"n": len(problems)},
        code="catalogue_invalid",
        errors=[{"field": p.where, "message": p.message, "code": "catalogue"} for p in problems],
    )


@transaction.atomic
def catalogue_draft_create(*, actor: User | None, document: Any) -> Catalogue:
    """Create a draft catalogue from a parsed document (YAML/XLSX); ``actor`` None is the
    platform itself (the starters, the command line). Raises NotFound (not a credit office),
    InvalidInput with one error per problem; nothing is saved unless the whole document is valid."""
    if actor is not None:
        require_catalogue_editor(actor)
    header, rules, problems = parse_catalogue(document)
    if problems:
        _raise_problems(problems)
    latest = Catalogue.objects.filter(subject_kind=header["subject_kind"]).order_by("-version").first()
    catalogue = Catalogue.objects.create(
        subject_kind=header["subject_kind"],
        version=(latest.version + 1) if latest else 1,
        title=header["title"],
        effective_from=header["effective_from"],
        base_score=header["base_score"],
        based_on=latest,
        created_at=clock.now(),
    )
    GradeBand.objects.bulk_create([GradeBand(catalogue=catalogue, code=c, min_score=m) for c, m in header["grades"]])
    dept_ids = dict(Department.objects.values_list("code", "id"))
    created = Rule.objects.bulk_create(
        [Rule(catalogue=catalogue, **{k: v for k, v in r.items() if k != "departments"}) for r in rules]
    )
    through = Rule.departments.through
    through.objects.bulk_create(
        [
            through(rule_id=rule.pk, department_id=dept_ids[d])
            for rule, r in zip(created, rules, strict=True)
            for d in r["departments"]
        ]
    )
    audit_record(
        actor=actor,
        # Only the county credit office edits catalogues (require_catalogue_editor); no actor
        # is the platform itself (starters, the command line).
        role=Role.COUNTY_CREDIT_OFFICE if actor is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="catalogue.draft",
        object_type="catalogue",
        object_id=catalogue.pk,
        details={"kind": catalogue.subject_kind, "version": catalogue.version, "rules": len(rules)},
    )
    return catalogue


# libyaml's safe loader when PyYAML was built with it (about six times faster on the starter
# catalogues); the same safe subset of YAML either way.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def catalogue_document_from_yaml(text: str | bytes) -> Any:
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise InvalidInput(_("This is not valid YAML: %(e)s") % {"e": str(exc).splitlines()[0]}, code="yaml") from None


def catalogue_document_from_upload(*, name: str, data: bytes) -> Any:
    """An uploaded catalogue file as a document: XLSX by its name (``.xlsx``), else YAML."""
    if name.lower().endswith(".xlsx"):
        return catalogue_document_from_xlsx(data)
    return catalogue_document_from_yaml(data)


@transaction.atomic
def catalogue_publish(*, actor: User | None, catalogue_id: int) -> Catalogue:
    """Publish a draft. Afterwards it is never edited. Raises NotFound (no such catalogue, or not
    a credit office), Conflict (not a draft, or its effective date is not after the newest
    published catalogue of its kind)."""
    if actor is not None:
        require_catalogue_editor(actor)
    catalogue = Catalogue.objects.select_for_update().filter(pk=catalogue_id).first()
    if catalogue is None:
        raise NotFound()
    if catalogue.status != Catalogue.Status.DRAFT:
        raise Conflict(_("This catalogue is already published and cannot change."), code="already_published")
    newest = (
        Catalogue.objects.filter(subject_kind=catalogue.subject_kind, status=Catalogue.Status.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    if newest is not None and catalogue.effective_from <= newest.effective_from:
        raise Conflict(
            _("The effective date must be after %(date)s, the date of the catalogue in force.")
            % {"date": newest.effective_from.isoformat()},
            code="effective_date",
        )
    catalogue.status = Catalogue.Status.PUBLISHED
    catalogue.published_at = clock.now()
    catalogue.published_by = actor
    # Scores follow a catalogue once the worker has rescored its kind (credit.apply_catalogues);
    # with nobody scored yet there is nothing to rescore.
    if catalogue.effective_from <= clock.today_local() and not kind_scored(catalogue.subject_kind):
        catalogue.applied_at = catalogue.published_at
    catalogue.save(update_fields=["status", "published_at", "published_by", "applied_at"])
    audit_record(
        actor=actor,
        # Only the county credit office edits catalogues (require_catalogue_editor); no actor
        # is the platform itself (starters, the command line).
        role=Role.COUNTY_CREDIT_OFFICE if actor is not None else "",
        kind=AuditEvent.Kind.WRITE,
        action="catalogue.publish",
        object_type="catalogue",
        object_id=catalogue.pk,
    )
    return catalogue


def catalogue_document_from_xlsx(data: bytes) -> dict[str, Any]:
    """Read the two-sheet workbook written by :func:`catalogue_export_xlsx` into a document."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        head_rows = list(wb["catalogue"].iter_rows(values_only=True))
        rule_rows = list(wb["rules"].iter_rows(values_only=True))
    except Exception as exc:
        raise InvalidInput(_("This is not a catalogue workbook: %(e)s") % {"e": exc}, code="xlsx") from None
    doc: dict[str, Any] = {"grades": [], "rules": []}
    for row in head_rows:
        if not row or row[0] is None:
            continue
        if row[0] == "grade":
            doc["grades"].append({"code": row[1], "min": row[2]})
        else:
            doc[str(row[0])] = row[1]
    if isinstance(doc.get("effective_from"), dt.datetime):
        doc["effective_from"] = doc["effective_from"].date()
    header = [str(c) for c in rule_rows[0]] if rule_rows else []
    for row in rule_rows[1:]:
        if not any(v is not None for v in row):
            continue
        item = {k: v for k, v in zip(header, row, strict=False) if v is not None}
        item["departments"] = [d.strip() for d in str(item.get("departments", "")).split(",") if d.strip()]
        item["review_required"] = item.get("review_required") in (True, 1, "1", "true", "TRUE", "是")
        doc["rules"].append(item)
    return doc


def catalogue_load_starters(*, actor: User | None = None, publish: bool = True) -> list[Catalogue]:
    """Load (and publish) the starter catalogues shipped in ``credit/data`` if none exist."""
    loaded = []
    for kind, path in STARTER_FILES.items():
        if Catalogue.objects.filter(subject_kind=kind).exists():
            continue
        catalogue = catalogue_draft_create(actor=actor, document=catalogue_document_from_yaml(path.read_text()))
        if publish:
            catalogue = catalogue_publish(actor=actor, catalogue_id=catalogue.pk)
        loaded.append(catalogue)
    return loaded
