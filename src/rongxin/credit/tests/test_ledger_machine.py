"""A hypothesis state machine over the ledger.

An independent model of the rules (a few lines of plain Python, not the services' code) is run
beside the real services through random sequences of recordings, retries, reviews, objections,
decisions, repairs and the passing of time. After every step: the stored score equals
base + the points counting now in the model, the grade matches the bands, every chain verifies
and reconcile finds no drift.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import Tree, link, make_person, make_user
from rongxin.core.errors import ApplicationError
from rongxin.credit.domain.scoring import grade_for
from rongxin.credit.models import Entry, SubjectCredit
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.due_process import (
    entry_object,
    entry_review,
    objection_decide,
    repair_apply,
    repair_decide,
)
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.reconcile import credit_reconcile, credit_reconcile_fast
from rongxin.credit.services.scores import credit_apply_time_changes
from rongxin.credit.tests.conftest import GRADES, person_document

BANDS = [(g["code"], g["min"]) for g in GRADES]
START = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
# code → (sign, points range, counting days, review, objection days, repair after days)
RULES = {
    "T-AWD": (1, (5, 5), 3 * 365, False, 15, None),
    "T-GEN": (-1, (10, 20), 365, False, 15, 90),
    "T-MIN": (-1, (2, 2), 90, False, 15, 0),
    "T-SER": (-1, (50, 50), 3 * 365, True, 15, 365),
}
ACTOR_FOR = {"T-AWD": "village", "T-GEN": "police", "T-MIN": "police", "T-SER": "court"}


@dataclass
class ModelEntry:
    pk: int
    points: int
    counting_days: int
    objection_days: int
    repair_after_days: int | None
    status: str
    effective: dt.datetime | None
    repair_pending: bool = False
    decided: dt.datetime | None = None  # an objection decided and the entry stood
    last_decider: str = ""
    further_pending: bool = False

    def counts(self, now: dt.datetime) -> bool:
        return (
            self.status == "active"
            and self.effective is not None
            and self.effective <= now < self.effective + dt.timedelta(days=self.counting_days)
        )


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(START, tick=False)
        self.traveller = self.clock.start()
        tree = Tree()
        catalogue_publish(actor=None, catalogue_id=catalogue_draft_create(actor=None, document=person_document()).pk)
        self.person = make_person(tree.village_a1, consent=True)
        self.resident = make_user("resident")
        link(self.resident, self.person.subject)
        from rongxin.accounts.models import Department

        self.actors = {
            "police": make_user(
                "police",
                Role.DEPARTMENT_RECORDER,
                tree.county,
                department=Department.objects.get(code="traffic_police"),
            ),
            "court": make_user(
                "court", Role.DEPARTMENT_RECORDER, tree.county, department=Department.objects.get(code="court")
            ),
            "village": make_user("village", Role.VILLAGE_OFFICER, tree.village_a1),
            "reviewer": make_user("reviewer", Role.COUNTY_CREDIT_OFFICE, tree.county),
            "reviewer2": make_user("reviewer2", Role.COUNTY_CREDIT_OFFICE, tree.county),
        }
        self.entries: dict[int, ModelEntry] = {}
        self.sent: dict[str, tuple[str, int]] = {}  # idempotency key → (rule, points)
        self.keys = itertools.count()

    def teardown(self) -> None:
        self.clock.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    # --- steps -------------------------------------------------------------------------------
    @rule(code=st.sampled_from(sorted(RULES)), pick=st.integers(0, 10))
    def record(self, code: str, pick: int) -> None:
        sign, (lo, hi), days, review, objection, repair = RULES[code]
        points = lo + pick % (hi - lo + 1)
        key = f"k{next(self.keys)}"
        entry, created = entry_record(
            actor=self.actors[ACTOR_FOR[code]],
            subject_id=self.person.pk,
            rule_code=code,
            points=points if lo != hi else None,
            occurred_at=self.now() - dt.timedelta(hours=1),
            evidence="记录",
            source_key=key,
        )
        assert created
        self.sent[key] = (code, points)
        self.entries[entry.pk] = ModelEntry(
            pk=entry.pk,
            points=sign * points,
            counting_days=days,
            objection_days=objection,
            repair_after_days=repair,
            status="pending_review" if review else "active",
            effective=None if review else self.now(),
        )

    @precondition(lambda self: self.sent)
    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.sent)))
        code, points = self.sent[key]
        lo, hi = RULES[code][1]
        before = Entry.objects.count()
        try:
            entry_record(
                actor=self.actors[ACTOR_FOR[code]],
                subject_id=self.person.pk,
                rule_code=code,
                points=points if lo != hi else None,
                occurred_at=Entry.objects.get(source_key=key).occurred_at,
                evidence="记录",
                source_key=key,
            )
        except ApplicationError:
            raise AssertionError("an exact retry must succeed") from None
        assert Entry.objects.count() == before

    def _pick(self, data: st.DataObject, ok) -> ModelEntry | None:
        candidates = sorted(pk for pk, e in self.entries.items() if ok(e))
        if not candidates:
            return None
        return self.entries[data.draw(st.sampled_from(candidates))]

    @rule(data=st.data(), approve=st.booleans())
    def review(self, data: st.DataObject, approve: bool) -> None:
        e = self._pick(data, lambda e: e.status == "pending_review")
        if e is None:
            return
        entry_review(actor=self.actors["reviewer"], entry_id=e.pk, approve=approve, reason="审核")
        e.status, e.effective = ("active", self.now()) if approve else ("rejected", None)

    @rule(data=st.data())
    def object(self, data: st.DataObject) -> None:
        now = self.now()
        e = self._pick(data, lambda e: e.points < 0 and e.counts(now))
        if e is None:
            return
        if e.decided is None:
            in_window = now < e.effective + dt.timedelta(days=e.objection_days)
            try:
                entry_object(actor=self.resident, entry_id=e.pk, reason="异议")
            except ApplicationError as exc:
                assert not in_window
                assert exc.code == "objection_window_closed"
                return
            assert in_window
            e.status = "suspended"
            return
        # A decided objection is final: a further one needs new evidence and does not suspend.
        in_window = now < e.decided + dt.timedelta(days=e.objection_days)
        try:
            entry_object(actor=self.resident, entry_id=e.pk, reason="再次异议", evidence=f"新证据{next(self.keys)}")
        except ApplicationError as exc:
            expected = "objection_pending" if e.further_pending else "objection_window_closed"
            assert exc.code == expected
            assert e.further_pending or not in_window
            return
        assert in_window
        assert not e.further_pending
        e.further_pending = True

    @rule(data=st.data())
    def object_and_see_it_upheld(self, data: st.DataObject) -> None:
        """One step for what ``object`` then ``decide`` do, so that further objections (which
        need a decided one first) are reached often."""
        now = self.now()
        e = self._pick(
            data,
            lambda e: (
                e.points < 0
                and e.counts(now)
                and e.decided is None
                and now < e.effective + dt.timedelta(days=e.objection_days)
            ),
        )
        if e is None:
            self.record("T-GEN", 0)  # a fresh deduction to object to
            e = self.entries[max(self.entries)]
        entry_object(actor=self.resident, entry_id=e.pk, reason="异议")
        objection_decide(actor=self.actors["reviewer"], entry_id=e.pk, uphold=True, reason="维持")
        e.decided, e.last_decider = now, "reviewer"

    @rule(data=st.data(), uphold=st.booleans(), second=st.booleans())
    def decide(self, data: st.DataObject, uphold: bool, second: bool) -> None:
        e = self._pick(data, lambda e: e.status == "suspended" or e.further_pending)
        if e is None:
            return
        reviewer = "reviewer2" if second else "reviewer"
        try:
            objection_decide(actor=self.actors[reviewer], entry_id=e.pk, uphold=uphold, reason="决定")
        except ApplicationError as exc:
            assert e.status != "suspended"
            if reviewer == e.last_decider:
                assert exc.code == "same_reviewer"
            else:
                assert e.status != "active"  # expired or repaired meanwhile: nothing to decide on
                assert exc.code == "illegal_transition"
            return
        assert e.status == "suspended" or (e.status == "active" and reviewer != e.last_decider)
        e.further_pending = False
        if uphold:
            e.status, e.decided, e.last_decider = "active", self.now(), reviewer
        else:
            e.status = "revoked"
        # Upheld after its period ran out while suspended: it is over at once.
        if e.status == "active" and self.now() >= e.effective + dt.timedelta(days=e.counting_days):
            e.status = "expired"

    @rule(data=st.data())
    def apply_repair(self, data: st.DataObject) -> None:
        now = self.now()
        e = self._pick(data, lambda e: e.points < 0 and e.counts(now) and not e.repair_pending)
        if e is None:
            return
        allowed = now >= e.effective + dt.timedelta(days=e.repair_after_days)
        try:
            repair_apply(actor=self.resident, entry_id=e.pk, commitment="承诺", evidence="证明")
        except ApplicationError as exc:
            assert not allowed
            assert exc.code == "repair_too_early"
            return
        assert allowed
        e.repair_pending = True

    @rule(data=st.data(), approve=st.booleans())
    def decide_repair(self, data: st.DataObject, approve: bool) -> None:
        now = self.now()
        e = self._pick(data, lambda e: e.repair_pending and e.counts(now))
        if e is None:
            return
        repair_decide(actor=self.actors["reviewer"], entry_id=e.pk, approve=approve, reason="修复决定")
        e.repair_pending = False
        if approve:
            e.status = "repaired"

    @rule(days=st.sampled_from([1, 14, 16, 60, 91, 200, 366]))
    def time_passes(self, days: int) -> None:
        self.traveller.shift(dt.timedelta(days=days))
        credit_apply_time_changes()
        now = self.now()
        for e in self.entries.values():
            if (
                e.status == "active"
                and e.effective is not None
                and now >= e.effective + dt.timedelta(days=e.counting_days)
            ):
                e.status = "expired"
                e.repair_pending = False

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def score_matches_the_model(self) -> None:
        now = self.now()
        expected = 1000 + sum(e.points for e in self.entries.values() if e.counts(now))
        credit = SubjectCredit.objects.filter(pk=self.person.pk).first()
        if credit is None:
            assert not self.entries
            return
        # The stored score may lag expiry until the worker runs; it runs on every time step here.
        assert (credit.score, credit.grade) == (expected, grade_for(expected, BANDS))

    @invariant()
    def statuses_match_the_model(self) -> None:
        stored = dict(Entry.objects.values_list("pk", "status"))
        assert stored == {pk: e.status for pk, e in self.entries.items()}

    @invariant()
    def chains_verify_and_nothing_drifts(self) -> None:
        _, _facts, broken = chains_verify()
        assert broken is None
        _, drifts = credit_reconcile()
        assert drifts == []
        _, fast_drifts = credit_reconcile_fast()
        assert fast_drifts == []


LedgerMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.django_db
def test_ledger_state_machine() -> None:
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(LedgerMachine, settings=LedgerMachine.TestCase.settings)
