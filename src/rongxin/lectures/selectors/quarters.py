"""Reads of a quarter of lecture service for a region, set-based (one grouped query however many
villages). Used by the quarterly commendations of funds."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count

from rongxin.lectures.models import Session, SessionSpeaker


def sessions_given(*, prefix: str, since: dt.datetime, until: dt.datetime) -> dict[int, int]:
    """Per speaker whose credit file lives in the region (``prefix`` of its code): the closed
    sessions starting in ``[since, until)`` they gave as a speaker or lecture-team member:
    ``subject_id → sessions``. One grouped query."""
    rows = (
        SessionSpeaker.objects.filter(
            session__status=Session.Status.CLOSED,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
            speaker__subject__isnull=False,
            speaker__subject__village__code__startswith=prefix,
        )
        .values("speaker__subject_id")
        .annotate(n=Count("session_id", distinct=True))
        .values_list("speaker__subject_id", "n")
    )
    return dict(rows)
