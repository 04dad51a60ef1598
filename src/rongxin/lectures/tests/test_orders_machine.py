"""A property test of the order state machine through the services.

Random sequences of actions (dispatch to a team or a speaker, accept, decline, cancel, rate, the
sessions' hold, and days passing with the deadlines job) by random roles are run on a fresh order
beside an independent model of the rules (a few lines of plain Python: who may do what in which
state). After every step the stored state equals the model's; a refused step changed nothing; a
final state stays final; the history chains ``from_state → to_state`` from ``"" → ordered`` to
the current state, each step one the machine allows.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongxin.core import clock
from rongxin.core.errors import ApplicationError, Conflict, NotFound
from rongxin.lectures.domain.orders import FINAL, OPEN, TRANSITIONS
from rongxin.lectures.models import Order, OrderEvent
from rongxin.lectures.services.order_events import order_locked, order_transition_append
from rongxin.lectures.services.orders import (
    order_accept,
    order_cancel,
    order_decline,
    order_dispatch,
    order_rate,
    orders_deadlines_apply,
)
from rongxin.lectures.tests.conftest import LectureWorld, resident_user
from rongxin.lectures.tests.test_orders_services import new_order

ROLES = ["village_a1", "town_a", "admin", "town_b", "team_leader", "head_user", "leader_user", "auditor", "stranger"]
ACTIONS = ["dispatch_team", "dispatch_speaker", "accept", "decline", "cancel", "rate", "hold", "days"]
DISPATCHERS = {"town_a", "admin"}


@dataclass
class Model:
    state: str = "ordered"
    target: str | None = None  # "team" or "speaker"
    answer_by: dt.datetime | None = None
    preferred_to: dt.date = dt.date.min

    def expect(self, action: str, role: str) -> type[ApplicationError] | None:
        """The error the action must raise, or None when it must succeed (and the model moves)."""
        if action.startswith("dispatch"):
            if role not in DISPATCHERS:
                return NotFound
            if self.state != "ordered":
                return Conflict
            self.state, self.target = "dispatched", action.removeprefix("dispatch_")
            self.answer_by = clock.now() + dt.timedelta(days=2)
            return None
        if action in ("accept", "decline"):
            answerer = {"team": "team_leader", "speaker": "head_user"}.get(self.target or "")
            if role != answerer:
                return NotFound
            if self.state != "dispatched":
                return Conflict
            if action == "accept":
                self.state = "accepted"
            else:
                self.state, self.target, self.answer_by = "ordered", None, None
            return None
        if action == "cancel":
            if role not in DISPATCHERS | {"village_a1"}:
                return NotFound
            if self.state not in OPEN:
                return Conflict
            self.state = "cancelled"
            return None
        if action == "rate":
            if role != "village_a1":
                return NotFound
            if self.state != "held":
                return Conflict
            self.state = "rated"
            return None
        if action == "hold":
            if self.state != "accepted":
                return Conflict
            self.state = "held"
            return None
        raise AssertionError(action)

    def days_pass(self) -> None:
        now, today = clock.now(), clock.today_local()
        if self.state == "dispatched" and self.answer_by is not None and self.answer_by <= now:
            self.state, self.target, self.answer_by = "ordered", None, None
        if self.state in OPEN and self.preferred_to < today:
            self.state = "expired"


def _hold(order_id: int) -> None:
    with transaction.atomic():
        order = order_locked(order_id)
        assert order is not None
        order_transition_append(order=order, action="hold", actor=None)


def _do(lect: LectureWorld, users: dict[str, Any], action: str, role: str, order_id: int) -> None:
    actor = users[role]
    if action == "dispatch_team":
        order_dispatch(actor=actor, order_id=order_id, team_id=lect.team.pk)
    elif action == "dispatch_speaker":
        order_dispatch(actor=actor, order_id=order_id, speaker_id=lect.head.pk)
    elif action == "accept":
        order_accept(actor=actor, order_id=order_id)
    elif action == "decline":
        order_decline(actor=actor, order_id=order_id, reason="另有安排")
    elif action == "cancel":
        order_cancel(actor=actor, order_id=order_id, reason="不需要了")
    elif action == "rate":
        order_rate(actor=actor, order_id=order_id, rating=4, comment="好")
    elif action == "hold":
        _hold(order_id)


def _check_history(order: Order) -> None:
    chain = list(OrderEvent.objects.filter(order=order).order_by("id").values_list("action", "from_state", "to_state"))
    assert chain[0] == ("create", "", "ordered")
    for (_a, _f, to), (_a2, nxt_from, _t2) in itertools.pairwise(chain):
        assert to == nxt_from
    for action, from_state, to_state in chain:
        assert TRANSITIONS[action][from_state] == to_state
    assert chain[-1][2] == order.state
    final_at = next((i for i, (_a, _f, to) in enumerate(chain) if to in FINAL), None)
    assert final_at is None or final_at == len(chain) - 1  # nothing after a final state


def forward(model: Model) -> list[str]:
    """The actions that move the order on from the model's state (half the steps take one)."""
    return {
        "ordered": ["dispatch_team", "dispatch_speaker", "days"],
        "dispatched": ["accept", "decline", "days"],
        "accepted": ["hold", "days"],
        "held": ["rate"],
    }.get(model.state, ACTIONS)


# The roles that may take each action (for the model's current target): half the steps are by
# one of them, so that long paths are reached; the other half by anyone.
def likely_roles(action: str, model: Model) -> list[str]:
    if action.startswith("dispatch"):
        return sorted(DISPATCHERS)
    if action in ("accept", "decline"):
        return ["head_user" if model.target == "speaker" else "team_leader"]
    if action == "cancel":
        return [*sorted(DISPATCHERS), "village_a1"]
    return ["village_a1"]


def test_random_actions_by_random_roles_follow_the_machine(lect: LectureWorld, frozen: Any) -> None:
    stranger, _subject = resident_user("stranger", lect.tree.village_a1)
    users = {role: getattr(lect, role) for role in ROLES if role != "stranger"} | {"stranger": stranger}
    reached: set[str] = set()

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data(), length=st.integers(1, 16), span=st.integers(0, 6))
    def run(data: st.DataObject, length: int, span: int) -> None:
        today = clock.today_local()
        order = new_order(
            lect, preferred_from=today + dt.timedelta(days=1), preferred_to=today + dt.timedelta(days=1 + span)
        )
        model = Model(preferred_to=order.preferred_to)
        for _ in range(length):
            action = data.draw(st.one_of(st.sampled_from(forward(model)), st.sampled_from(ACTIONS)))
            role = data.draw(st.one_of(st.sampled_from(likely_roles(action, model)), st.sampled_from(ROLES)))
            days = data.draw(st.integers(1, 4))
            before = (Order.objects.get(pk=order.pk).state, OrderEvent.objects.filter(order=order).count())
            if action == "days":
                frozen.shift(dt.timedelta(days=days))
                orders_deadlines_apply()
                model.days_pass()
            else:
                expected = model.expect(action, role)
                try:
                    _do(lect, users, action, role, order.pk)
                except ApplicationError as exc:
                    assert expected is not None, (action, role, exc)
                    assert isinstance(exc, expected), (action, role, exc)
                    after = (Order.objects.get(pk=order.pk).state, OrderEvent.objects.filter(order=order).count())
                    assert after == before  # a refused step changes nothing
                else:
                    assert expected is None, (action, role, model.state)
            order.refresh_from_db()
            assert order.state == model.state, (action, role)
            if before[0] in FINAL:
                assert order.state == before[0]
            _check_history(order)
            reached.add(order.state)

    run()
    # The examples went everywhere (derandomized: the same every run).
    assert reached == {"ordered", "dispatched", "accepted", "held", "rated", "cancelled", "expired"}
