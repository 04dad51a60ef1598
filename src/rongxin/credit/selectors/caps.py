"""What subjects already used of their rules' yearly caps (:mod:`rongxin.credit.domain.caps`)."""

from __future__ import annotations

from collections.abc import Iterable

from rongxin.credit.domain.caps import cap_year, years_span
from rongxin.credit.models import Entry

CHUNK = 900  # subjects per query, below SQLite's smallest variable limit

CapsUsed = dict[tuple[int, str, int], list[int]]  # (subject, rule code, year) → [entries, points]


def caps_used(*, subject_ids: Iterable[int], codes: Iterable[str], years: Iterable[int]) -> CapsUsed:
    """Entries and points (unsigned) already recorded per (subject, rule code, year) for the
    rules ``codes`` in ``years``: every entry but the rejected and revoked ones counts. A
    (subject, code, year) without entries is absent."""
    out: CapsUsed = {}
    codes, years = set(codes), set(years)
    if not codes or not years:
        return out
    since, until = years_span(years)
    ids = sorted(set(subject_ids))
    for i in range(0, len(ids), CHUNK):
        qs = Entry.objects.filter(
            subject_id__in=ids[i : i + CHUNK], rule__code__in=codes, occurred_at__gte=since, occurred_at__lt=until
        ).exclude(status__in=[Entry.Status.REJECTED, Entry.Status.REVOKED])
        for sid, code, occurred, pts in qs.values_list("subject_id", "rule__code", "occurred_at", "points"):
            slot = out.setdefault((sid, code, cap_year(occurred)), [0, 0])
            slot[0] += 1
            slot[1] += abs(pts)
    return out
