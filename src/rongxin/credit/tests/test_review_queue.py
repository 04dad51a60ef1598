"""The review queue's applications awaiting a decision (repairs, further objections) are found
from the applications themselves: a decided one leaves the queue, a new one after a refusal
comes back, and entries outside the reviewer's regions never show."""

import datetime as dt

import pytest
import time_machine

from rongxin.credit.selectors.queues import review_queue
from rongxin.credit.services.due_process import repair_apply, repair_decide
from rongxin.credit.tests.test_ledger_rules import T0, deduction

pytestmark = pytest.mark.django_db


def test_repairs_awaiting_a_decision_are_queued_until_decided(catalogue, people):
    # given two deductions a year old: the resident applies to repair both
    first = deduction(people, key="r1")
    second = deduction(people, key="r2", points=12)
    with time_machine.travel(T0 + dt.timedelta(days=120), tick=False):
        for entry in (first, second):
            repair_apply(actor=people["resident"], entry_id=entry.pk, commitment="保证守法", evidence="学习证明")
        # then both wait, oldest first, each with its application
        queue = review_queue(actor=people["reviewer"])
        assert [(e.pk, t.kind) for e, t in queue.repairs] == [
            (first.pk, "repair_applied"),
            (second.pk, "repair_applied"),
        ]
        # when the first is refused and the second approved
        repair_decide(actor=people["reviewer"], entry_id=first.pk, approve=False, reason="材料不足")
        repair_decide(actor=people["reviewer"], entry_id=second.pk, approve=True, reason="同意")
        assert review_queue(actor=people["reviewer"]).repairs == []
        # and the resident applies again for the refused one
        again = repair_apply(actor=people["resident"], entry_id=first.pk, commitment="再次保证", evidence="新的证明")
        queue = review_queue(actor=people["reviewer"])
    # then only that new application waits
    assert [(e.pk, t.pk) for e, t in queue.repairs] == [(first.pk, again.pk)]
