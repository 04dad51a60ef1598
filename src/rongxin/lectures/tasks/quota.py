"""The quota reminder clock: near each period's end, heads with nothing recorded get a notice."""

from __future__ import annotations

import datetime as dt

from rongxin.core.jobs import periodic
from rongxin.lectures.services.quota import quota_reminders_send


@periodic(name="lectures.quota_reminders", every=dt.timedelta(hours=1))
def quota_reminders() -> str:
    """From the reminder day to the period's end, one notice per head and period (safe to run
    any number of times: the reminder's unique key holds)."""
    return f"sent {quota_reminders_send()} quota reminders"
