"""Housekeeping jobs of the core app."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session

from rongxin.core import clock
from rongxin.core.worker import periodic


@periodic(name="core.clear_expired_sessions", every=dt.timedelta(hours=1))
def clear_expired_sessions() -> str:
    """Delete expired sign-in sessions (Django keeps them until someone clears them)."""
    deleted, _ = Session.objects.filter(expire_date__lt=clock.now()).delete()
    return f"deleted {deleted} expired sessions"
