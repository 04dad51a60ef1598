"""The one way an order changes state: check the move against the state machine
(:mod:`rongxin.lectures.domain.orders`), update the cached state and append the event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import Conflict
from rongxin.lectures.domain.orders import next_state
from rongxin.lectures.models import Order, OrderEvent


def order_locked(order_id: int) -> Order | None:
    """The order under a row lock (inside the caller's transaction), or None."""
    return Order.objects.select_for_update().filter(pk=order_id).first()


@transaction.atomic
def order_transition_append(
    *,
    order: Order,
    action: str,
    actor: User | None,
    reason: str = "",
    at: dt.datetime | None = None,
    details: dict[str, Any] | None = None,
    update_fields: tuple[str, ...] = (),
) -> OrderEvent:
    """Move ``order`` (locked by the caller) by ``action``: saves ``state`` and the caller's
    ``update_fields`` and appends an :class:`OrderEvent`. Raises Conflict (code
    ``order_state``) when the action is not allowed in the order's current state."""
    to_state = next_state(order.state, action)
    if to_state is None:
        raise Conflict(
            _("This order is %(state)s; it cannot be changed that way now.")
            % {"state": Order.State(order.state).label},
            code="order_state",
        )
    from_state = order.state
    order.state = to_state
    order.save(update_fields=["state", *update_fields])
    return OrderEvent.objects.create(
        order=order,
        action=action,
        from_state=from_state,
        to_state=to_state,
        at=at or clock.now(),
        actor=actor,
        reason=reason,
        details=details or {},
    )
