"""Reads that several parts of lectures share: the quota policy in force, a leader's adoption
links in force, the current published book."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rongxin.lectures.models import AdoptionLink, Book, QuotaPolicy, Speaker


@dataclass(frozen=True)
class Policy:
    lectures_per_period: int
    period_months: int
    notice_days: int
    effective_from: dt.date | None


DEFAULT_POLICY = Policy(lectures_per_period=1, period_months=2, notice_days=14, effective_from=None)


def quota_policy_on(day: dt.date) -> Policy:
    """The quota policy in force on ``day`` (the latest whose ``effective_from`` is not after
    it); the programme's default of one lecture every two months when none is set."""
    row = QuotaPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if row is None:
        return DEFAULT_POLICY
    return Policy(row.lectures_per_period, row.period_months, row.notice_days, row.effective_from)


def quota_applies(speaker: Speaker, day: dt.date) -> bool:
    """Whether ``speaker`` owes lectures on ``day`` (a head with a quota range containing it)."""
    return (
        speaker.kind == Speaker.Kind.HEAD
        and speaker.quota_since is not None
        and speaker.quota_since <= day
        and (speaker.quota_until is None or day <= speaker.quota_until)
    )


def links_in_force(speaker_id: int, day: dt.date) -> list[AdoptionLink]:
    """The leader's adoption links whose term contains ``day`` and that were not ended before it
    (at most one: terms never overlap)."""
    return list(
        AdoptionLink.objects.select_related("town", "village", "enterprise")
        .filter(speaker_id=speaker_id, term_start__lte=day, term_end__gte=day)
        .exclude(ended_at__lte=day)
    )


def current_book() -> Book | None:
    """The latest published version of the sayings book, if any."""
    return Book.objects.filter(status=Book.Status.PUBLISHED).order_by("-version").first()
