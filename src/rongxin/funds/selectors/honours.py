"""Reads of published commendations: a subject's own awards (their file's panel)."""

from __future__ import annotations

from rongxin.funds.models import Meeting, Nomination


def subject_commendations(*, subject_id: int, limit: int = 20) -> list[Nomination]:
    """The subject's awards on published honour rolls, newest meeting first."""
    return list(
        Nomination.objects.filter(
            subject_id=subject_id, status=Nomination.Status.AWARDED, meeting__status=Meeting.Status.PUBLISHED
        )
        .select_related("meeting", "meeting__region")
        .order_by("-meeting__year", "-meeting__quarter", "-id")[:limit]
    )
