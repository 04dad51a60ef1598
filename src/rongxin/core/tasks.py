"""Housekeeping jobs of the core app."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import connection

from rongxin.core import clock, counters
from rongxin.core.jobs import jobs_prune, periodic


@periodic(name="core.clear_expired_sessions", every=dt.timedelta(hours=1))
def clear_expired_sessions() -> str:
    """Delete expired sign-in sessions (Django keeps them until someone clears them)."""
    deleted, _ = Session.objects.filter(expire_date__lt=clock.now()).delete()
    return f"deleted {deleted} expired sessions"


@periodic(name="core.purge_rate_counters", every=dt.timedelta(hours=1))
def purge_rate_counters() -> str:
    """Delete rate-limit counters whose window has passed."""
    return f"deleted {counters.purge_expired()} expired rate-limit counters"


@periodic(name="core.optimize_database", every=dt.timedelta(hours=24))
def optimize_database() -> str:
    """Keep the query planner's statistics fresh (SQLite's ``PRAGMA optimize``; PostgreSQL's
    autovacuum already does this)."""
    if connection.vendor != "sqlite":
        return "nothing to do: the server's autovacuum keeps statistics"
    with connection.cursor() as cur:
        cur.execute("PRAGMA optimize")
    return "PRAGMA optimize done"


@periodic(name="core.prune_jobs", every=dt.timedelta(hours=24))
def prune_jobs() -> str:
    """Forget finished jobs after two weeks (the jobs page shows the latest; the audit log keeps
    what they changed)."""
    return f"deleted {jobs_prune(older_than=dt.timedelta(days=14))} finished jobs"
