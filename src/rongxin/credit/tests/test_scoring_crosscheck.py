"""Reconcile's own SQL and the scoring module agree on random ledgers.

Every write path scores with :mod:`rongxin.credit.domain.scoring`; reconcile derives each entry's
state and the points counting at a time in set-based SQL (one statement per engine) and writes its
score formula apart from the scoring module, on purpose. Hypothesis draws random ledgers (persons
with and without consent, a consent withdrawn, enterprises and individual businesses; entries of
every rule with random lives: reviews, objections and further objections, decisions, repairs,
awards held for review and superseded) appended through the bulk path, and random later times. At
the time of the append and at the later time, reconcile's SQL gives every subject the score and
grade that the scoring module gives from the Python replay of the same facts, and at the time of
the append both equal the caches the bulk path wrote. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongxin.conftest import Tree, make_organisation, make_person
from rongxin.credit.models import Entry, Rule, SubjectKind
from rongxin.credit.selectors.scores import replay_subject
from rongxin.credit.services.bulk import NewEntry, NewTransition, ledger_bulk_append
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.reconcile import derive_from_facts
from rongxin.credit.tests.conftest import person_document
from rongxin.subjects.models import ConsentEvent, Person

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 1, 2, 0, 0, tzinfo=dt.UTC)
# Facts fall on whole hours; the times compared fall half an hour off them, so no comparison
# sits exactly on the end of a period (SQLite compares its text times as Julian day numbers).
NOW = START + dt.timedelta(days=800, minutes=30)

REVIEWED = [
    [],
    ["approved"],
    ["rejected"],
    ["approved", "objected"],
    ["approved", "objected", "upheld"],
    ["approved", "objected", "revoked"],
    ["approved", "repair_applied", "repaired"],
]
DEDUCTION = [
    [],
    ["objected"],
    ["objected", "upheld"],
    ["objected", "revoked"],
    ["repair_applied"],
    ["repair_applied", "repaired"],
    ["repair_applied", "repair_refused"],
    ["objected", "upheld", "objected_again"],
    ["objected", "upheld", "objected_again", "revoked"],
    ["objected", "upheld", "objected_again", "upheld_again"],
]
AWARD = [[], ["superseded"], ["held"], ["held", "approved"], ["held", "approved", "superseded"]]
LIVES = {"T-SER": REVIEWED, "T-GEN": DEDUCTION, "T-MIN": DEDUCTION, "T-AWD": AWARD, "T-VOL": AWARD, "T-ONCE": AWARD}


@dataclass(frozen=True)
class PlannedEntry:
    code: str
    pick: int  # chooses the points in the rule's range
    recorded_hours: int  # after START
    life: int  # index into the rule's lives
    gaps: tuple[int, ...]  # hours between the steps of its life


@dataclass(frozen=True)
class PlannedSubject:
    kind: str
    consent: bool
    withdrawn_hours: int | None  # consent withdrawn this long after START (persons with consent)
    entries: tuple[PlannedEntry, ...]


entries_st = st.builds(
    PlannedEntry,
    code=st.sampled_from(sorted(LIVES)),
    pick=st.integers(0, 10),
    recorded_hours=st.integers(0, 400 * 24),
    life=st.integers(0, 9),
    gaps=st.tuples(*[st.integers(1, 100 * 24)] * 4),
)
subjects_st = st.builds(
    PlannedSubject,
    kind=st.sampled_from(["person", "enterprise", "individual_business"]),
    consent=st.booleans(),
    withdrawn_hours=st.none() | st.integers(0, 800 * 24),
    entries=st.lists(entries_st, min_size=1, max_size=5).map(tuple),
)


def _subjects(tree: Tree, plan: list[PlannedSubject]) -> list[Any]:
    """The planned subjects, registered (and consenting) before START."""
    subjects = []
    for n, p in enumerate(plan):
        if p.kind == "person":
            subject = make_person(tree.village_a1, name=f"甲{n}", consent=p.consent).subject
            if p.consent and p.withdrawn_hours is not None:
                at = START + dt.timedelta(hours=p.withdrawn_hours)
                ConsentEvent.objects.create(subject=subject, action="withdraw", channel="paper", at=at)
                Person.objects.filter(pk=subject.pk).update(consent_given=False, consent_changed_at=at)
        else:
            subject = make_organisation(tree.village_a1, name=f"乙{n}", kind=p.kind).subject
        subjects.append(subject)
    return subjects


def _append(rules: dict[str, dict[str, Rule]], plan: list[PlannedSubject], subjects: list[Any]) -> None:
    """The planned entries with their lives, appended through the bulk path at NOW."""
    entries: list[NewEntry] = []
    for p, subject in zip(plan, subjects, strict=True):
        kind = SubjectKind.PERSON if p.kind == "person" else SubjectKind.ORGANISATION
        for i, e in enumerate(p.entries):
            rule = rules[kind][e.code]
            points = rule.points_min + e.pick % (rule.points_max - rule.points_min + 1)
            recorded = START + dt.timedelta(hours=e.recorded_hours)
            lives = LIVES[e.code]
            life = lives[e.life % len(lives)]
            held = bool(life) and life[0] == "held"
            at, steps = recorded, []
            for kind_of_step, gap in zip(life[1:] if held else life, e.gaps, strict=False):
                at += dt.timedelta(hours=gap)
                steps.append(NewTransition(kind_of_step, at))
            entries.append(
                NewEntry(
                    subject_id=subject.pk,
                    rule=rule,
                    points=points * rule.sign,
                    occurred_at=recorded - dt.timedelta(hours=1),
                    recorded_at=recorded,
                    department_id=None,
                    recorder_id=None,
                    source=Entry.Source.SYNTHETIC,
                    source_key=f"x:{subject.pk}:{i}",
                    content_hash="0" * 64,
                    evidence="核实材料",
                    transitions=steps,
                    held_for_review=held,
                )
            )
    ledger_bulk_append(entries=entries, now=NOW, notify=False, cause="test")


def test_reconcile_sql_and_the_scoring_module_agree_on_random_ledgers(tree: Tree) -> None:
    # given the person and organisation catalogues in force from 2025
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        rules: dict[str, dict[str, Rule]] = {}
        for kind in (SubjectKind.PERSON, SubjectKind.ORGANISATION):
            draft = catalogue_draft_create(actor=None, document=person_document(subject_kind=kind))
            published = catalogue_publish(actor=None, catalogue_id=draft.pk)
            rules[kind] = {r.code: r for r in published.rules.prefetch_related("departments")}

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(plan=st.lists(subjects_st, min_size=1, max_size=4), later_hours=st.integers(0, 4 * 365 * 24))
    def check(plan: list[PlannedSubject], later_hours: int) -> None:
        with transaction.atomic():
            # when random ledgers are appended at NOW (the subjects exist from the day before START)
            with time_machine.travel(START - dt.timedelta(days=1), tick=False):
                subjects = _subjects(tree, plan)
            with time_machine.travel(NOW, tick=False):
                _append(rules, plan, subjects)
            # then at NOW the SQL, the scoring module and the caches agree for every subject
            derived, without_row = derive_from_facts(at=NOW)
            assert without_row == []
            for subject in subjects:
                d = derived[subject.pk]
                replayed = replay_subject(subject=subject, at=NOW)
                assert (d.score, d.grade) == (replayed.score, replayed.grade)
                assert (d.cached_score, d.cached_grade, d.entry_drifts) == (d.score, d.grade, 0)
            # and at a later time (entries expire) the SQL and the scoring module still agree
            later = NOW + dt.timedelta(hours=later_hours)
            derived, _ = derive_from_facts(at=later)
            for subject in subjects:
                replayed = replay_subject(subject=subject, at=later)
                assert (derived[subject.pk].score, derived[subject.pk].grade) == (replayed.score, replayed.grade)
            transaction.set_rollback(True)

    check()
