"""The health-certificate clock: a notice to the cook and the canteen's managers 30 days before
a cook's certificate expires."""

from __future__ import annotations

import datetime as dt

from rongxin.canteens.services.cooks import certificate_reminders_send
from rongxin.core.jobs import periodic


@periodic(name="canteens.certificate_reminders", every=dt.timedelta(hours=6))
def certificate_reminders() -> str:
    """One notice per certificate expiring within 30 days (safe to run any number of times: a
    reminded certificate is marked)."""
    return f"reminded {certificate_reminders_send()} health certificates"
