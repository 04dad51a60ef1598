"""The one clock. Services call :func:`now`; tests move it with ``time_machine``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return timezone.now()


def today_local() -> dt.date:
    """Today's date in the county (Asia/Shanghai), e.g. for ages."""
    return now().astimezone(LOCAL_TZ).date()
