"""The order state machine of 点单–派单–接单–评单, as data: which action moves an order from which
state to which. Pure; :func:`rongxin.lectures.services.order_events.order_transition_append`
applies it under the order's lock and appends the event.

    ordered --dispatch--> dispatched --accept--> accepted --hold--> held --rate--> rated
       ^                      |
       +----decline/timeout---+
    ordered | dispatched | accepted --cancel--> cancelled
    ordered | dispatched | accepted --expire--> expired   (the preferred dates passed)
"""

from __future__ import annotations

ORDERED = "ordered"
DISPATCHED = "dispatched"
ACCEPTED = "accepted"
HELD = "held"
RATED = "rated"
CANCELLED = "cancelled"
EXPIRED = "expired"

STATES = (ORDERED, DISPATCHED, ACCEPTED, HELD, RATED, CANCELLED, EXPIRED)
FINAL = frozenset({RATED, CANCELLED, EXPIRED})
OPEN = frozenset({ORDERED, DISPATCHED, ACCEPTED})

# action -> {from state: to state}
TRANSITIONS: dict[str, dict[str, str]] = {
    "create": {"": ORDERED},
    "dispatch": {ORDERED: DISPATCHED},
    "accept": {DISPATCHED: ACCEPTED},
    "decline": {DISPATCHED: ORDERED},
    "timeout": {DISPATCHED: ORDERED},
    "hold": {ACCEPTED: HELD},
    "rate": {HELD: RATED},
    "cancel": {ORDERED: CANCELLED, DISPATCHED: CANCELLED, ACCEPTED: CANCELLED},
    "expire": {ORDERED: EXPIRED, DISPATCHED: EXPIRED, ACCEPTED: EXPIRED},
}
ACTIONS = tuple(TRANSITIONS)


def next_state(state: str, action: str) -> str | None:
    """The state ``action`` leads to from ``state``, or None when it is not allowed there."""
    return TRANSITIONS.get(action, {}).get(state)


def allowed_actions(state: str) -> list[str]:
    return [action for action, moves in TRANSITIONS.items() if state in moves]
