"""Reads that several parts of lectures share: the quota policy in force, a leader's adoption
links in force, the current published book, and whether a speaker's lecture counts for their
quota or is at their adoption link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rongxin.lectures.models import AdoptionLink, Book, QuotaPolicy, Speaker
from rongxin.regions.models import Region


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


def speaker_session_flags(
    speaker: Speaker, *, day: dt.date, region: Region, enterprise_id: int | None = None
) -> tuple[bool, bool]:
    """``(counts_for_quota, at_link)`` for ``speaker`` speaking on ``day`` in ``region``
    (a village or town), at ``enterprise_id`` when the session was ordered by an enterprise.

    A head's lecture counts for the quota when the quota applies on that day and the place lies
    in the head's area (a department head's area is the county). A leader's lecture is at their
    adoption link when a link in force that day names the place's town or village, or the
    ordering enterprise."""
    counts = quota_applies(speaker, day) and speaker.area.contains(region)
    at_link = False
    if speaker.kind == Speaker.Kind.LEADER:
        for link in links_in_force(speaker.pk, day):
            if (
                link.town.contains(region)
                or link.village_id == region.pk
                or (enterprise_id is not None and link.enterprise_id == enterprise_id)
            ):
                at_link = True
    return counts, at_link
