"""Checking an import's rows against the ledger and building the entries to append: who the
rows name, the rule in force on each date, the points, idempotency by record id, and the yearly
caps (:mod:`rongxin.credit.domain.caps`). Nothing is written; every problem goes to the report
with its line and column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department, User
from rongxin.core import clock, pii
from rongxin.credit.domain.caps import breach_message, cap_breach, cap_year, is_capped
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.domain.import_rows import Report, Row, parse_rows
from rongxin.credit.models import Catalogue, Entry, Rule, SubjectKind
from rongxin.credit.permissions import import_region_prefixes
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.services.bulk import NewEntry
from rongxin.subjects.models import Organisation, Person, Subject
from rongxin.subjects.permissions import linked_subject_ids

CHUNK = 900  # below SQLite's smallest variable limit


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
    actor: User | None,
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
    # 1. Shapes: identifiers, times, points, texts.
    parsed = parse_rows(rows, report=report, now=now)
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
    prefixes = import_region_prefixes(actor=actor, department=department)
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
    file_codes = {row.values["rule_code"] for row, *_rest in parsed}
    capped_rules = {r.code for r in book.rules.values() if r.code in file_codes and is_capped(r)}
    years = {cap_year(occurred) for _row, _k, _i, occurred, *_rest in parsed}
    here = sorted({subject_of[ident] for _row, _kind, ident, *_rest in parsed if ident in subject_of})
    capped = caps_used(subject_ids=here, codes=capped_rules, years=years)
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
        chash = content_hash(
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
        if is_capped(rule):
            slot = capped.setdefault((sid, rule.code, local.year), [0, 0])
            breach = cap_breach(rule, entries=slot[0], points_used=slot[1], points=points)
            if breach is not None:
                refusal = breach_message(rule, breach, year=local.year)
                report.add(row.line, refusal.field, refusal.message)
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
                recorder_id=actor.pk if actor is not None else None,
                source=Entry.Source.IMPORT,
                source_key=key,
                content_hash=chash,
                evidence=evidence,
            )
        )
    if progress:
        progress(len(rows))
    return Checked(entries=entries, existing=existing, report=report)
