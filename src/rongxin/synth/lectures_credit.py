"""The credit the synthetic closed sessions earned, as the closing service awards it: one entry
per listener (rule ``P-PRA-01``) and per speaker with a credit file (``P-PRA-02``), department
``civilization_office``, source ``lecture``, keys ``lecture:{session}:listener:{subject}`` and
``lecture:{session}:speaker:{speaker}``, points trimmed to the rules' yearly caps (counting what
the subject already has in the year, e.g. from the credit history) exactly as
:func:`rongxin.credit.services.awards.awards_record` does. Recorded when the session was closed,
and appended through :func:`rongxin.credit.services.bulk.ledger_bulk_append` (chains, scores,
grades), a slice of subjects at a time, each subject's facts in one slice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.credit.domain.caps import award_within_caps, cap_year
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Catalogue, Entry, Rule, SubjectKind
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append

LISTENER_RULE, SPEAKER_RULE = "P-PRA-01", "P-PRA-02"
DEPARTMENT = "civilization_office"
SLICE = 100_000  # entries per ledger append


@dataclass
class Held:
    """A closed session and who earned what in it."""

    session_id: int
    ends: dt.datetime
    closed_at: dt.datetime
    title: str
    place: str
    listeners: list[int]
    speakers: list[tuple[int, int]]  # (speaker id, subject id)


@dataclass
class CreditCounts:
    entries: int = 0
    listener_entries: int = 0
    speaker_entries: int = 0
    capped: int = 0
    subjects: int = 0
    grade_changes: int = 0


class _Rules:
    def __init__(self) -> None:
        self._by_day: dict[dt.date, Catalogue | None] = {}
        self._rules: dict[tuple[int, str], Rule | None] = {}

    def rule(self, day: dt.date, code: str) -> tuple[Rule | None, Catalogue | None]:
        if day not in self._by_day:
            self._by_day[day] = catalogue_in_force(subject_kind=SubjectKind.PERSON, on=day)
        catalogue = self._by_day[day]
        if catalogue is None:
            return None, None
        key = (catalogue.pk, code)
        if key not in self._rules:
            rule = Rule.objects.filter(catalogue=catalogue, code=code).prefetch_related("departments").first()
            if rule is not None and DEPARTMENT not in {d.code for d in rule.departments.all()}:
                rule = None
            self._rules[key] = rule
        return self._rules[key], catalogue


def lecture_credit(*, held: list[Held], now: dt.datetime) -> CreditCounts:
    """Append the credit of ``held`` (in time order) to the ledger; nothing when no person
    catalogue is loaded."""
    counts = CreditCounts()
    department = Department.objects.filter(code=DEPARTMENT).first()
    if department is None or not held:
        return counts
    rules = _Rules()
    subjects = sorted({s for h in held for s in h.listeners} | {s for h in held for _p, s in h.speakers})
    years = {cap_year(h.ends) for h in held}
    used = caps_used(subject_ids=subjects, codes={LISTENER_RULE, SPEAKER_RULE}, years=years)
    entries: list[NewEntry] = []
    for h in held:
        day = h.ends.astimezone(clock.LOCAL_TZ).date()
        local = f"{h.ends.astimezone(clock.LOCAL_TZ):%Y-%m-%d}"
        for code, earned in (
            (LISTENER_RULE, [(s, f"lecture:{h.session_id}:listener:{s}") for s in h.listeners]),
            (SPEAKER_RULE, [(s, f"lecture:{h.session_id}:speaker:{p}") for p, s in h.speakers]),
        ):
            rule, catalogue = rules.rule(day, code)
            if rule is None or catalogue is None or not earned:
                continue
            if code == LISTENER_RULE:
                evidence = f"实践所（站）签到记录：{h.title}，{local}"
            else:
                evidence = f"宣讲活动记录：{h.title}，{local}，{h.place}，听众 {len(h.listeners)} 人"
            year = cap_year(h.ends)
            for subject, key in earned:
                slot = used.setdefault((subject, code, year), [0, 0])
                points, _note = award_within_caps(rule, entries=slot[0], points_used=slot[1], points=rule.points_max)
                if points < rule.points_min:
                    counts.capped += 1
                    continue
                slot[0] += 1
                slot[1] += points
                entries.append(
                    NewEntry(
                        subject_id=subject,
                        rule=rule,
                        points=points,
                        occurred_at=h.ends,
                        recorded_at=h.closed_at,
                        department_id=department.pk,
                        recorder_id=None,
                        source=Entry.Source.LECTURE,
                        source_key=key,
                        content_hash=content_hash(
                            rule_code=rule.code,
                            catalogue_version=catalogue.version,
                            points=points,
                            occurred_at=h.ends,
                            department=DEPARTMENT,
                            evidence=evidence,
                        ),
                        evidence=evidence,
                    )
                )
                if code == LISTENER_RULE:
                    counts.listener_entries += 1
                else:
                    counts.speaker_entries += 1
    entries.sort(key=lambda e: e.subject_id)
    for part in _slices(entries):
        result = ledger_bulk_append(entries=part, now=now, notify=False, cause="synthetic.lectures")
        counts.entries += result.entries
        counts.subjects += result.subjects
        counts.grade_changes += result.grade_changes
    return counts


def _slices(entries: list[NewEntry]) -> Iterator[list[NewEntry]]:
    """Slices of about :data:`SLICE` entries that never split a subject's entries."""
    start = 0
    while start < len(entries):
        end = min(start + SLICE, len(entries))
        while end < len(entries) and entries[end].subject_id == entries[end - 1].subject_id:
            end += 1
        yield entries[start:end]
        start = end
