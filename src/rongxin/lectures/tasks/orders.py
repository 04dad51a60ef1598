"""The deadlines of lecture orders, applied every quarter hour."""

from __future__ import annotations

import datetime as dt

from rongxin.core.jobs import periodic
from rongxin.lectures.services.orders import orders_deadlines_apply


@periodic(name="lectures.orders_deadlines", every=dt.timedelta(minutes=15))
def orders_deadlines() -> str:
    """Dispatched orders not answered in time go back to be dispatched again; open orders whose
    preferred dates have passed expire. Idempotent: a second run changes nothing."""
    timed_out, expired = orders_deadlines_apply()
    return f"{timed_out} orders timed out, {expired} expired"
