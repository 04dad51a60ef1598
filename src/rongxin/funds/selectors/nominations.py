"""The nominations of a quarter, drawn from the platform's own data (see
:mod:`rongxin.funds.domain.nominations` for the policy).

Set-based: :func:`nominations_for_county` reads the county's quarter in a fixed number of grouped
queries (grade changes, good deeds, serious deductions, volunteer minutes, lecture sessions, then
the candidates' names in chunks of ``CHUNK``) and splits the result by village and town in
memory, however many villages there are; :func:`nominations_for_region` is the same for one
town or village.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from rongxin.core import clock
from rongxin.credit.selectors.quarters import good_deeds, grade_moves, serious_deductions_now
from rongxin.funds.domain.nominations import (
    NO_CONSENT,
    SERIOUS_DEDUCTION,
    Facts,
    Proposal,
    category_of,
    weight_for,
    within_caps,
)
from rongxin.lectures.selectors.quarters import sessions_given
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject
from rongxin.volunteering.selectors.quarters import service_minutes

CHUNK = 5000


def quarter_days(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the quarter."""
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    following = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.datetime, dt.datetime]:
    """``[since, until)`` of the quarter in the county's time."""
    first, last = quarter_days(year, quarter)
    since = dt.datetime.combine(first, dt.time(), tzinfo=clock.LOCAL_TZ)
    until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.LOCAL_TZ)
    return since, until


def _facts(*, prefix: str, year: int, quarter: int) -> dict[int, Facts]:
    since, until = quarter_bounds(year, quarter)
    first, last = quarter_days(year, quarter)
    facts: dict[int, Facts] = {}

    def of(sid: int) -> Facts:
        f = facts.get(sid)
        if f is None:
            f = facts[sid] = Facts(subject_id=sid)
        return f

    for sid, (old_grade, old_score, new_grade, new_score) in grade_moves(
        prefix=prefix, since=since, until=until
    ).items():
        if old_grade and new_grade and old_grade != new_grade and (new_score or 0) > (old_score or 0):
            f = of(sid)
            f.old_grade, f.new_grade = old_grade, new_grade
    for sid, (n, points) in good_deeds(prefix=prefix, since=since, until=until).items():
        f = of(sid)
        f.good_deeds, f.good_deed_points = n, points
    for sid, (minutes, canteen) in service_minutes(prefix=prefix, first=first, last=last).items():
        f = of(sid)
        f.volunteer_minutes, f.canteen_minutes = minutes, canteen
    for sid, n in sessions_given(prefix=prefix, since=since, until=until).items():
        of(sid).lecture_sessions = n
    return facts


def _candidates(*, prefix: str, year: int, quarter: int) -> list[tuple[Proposal, int]]:
    """Every person of the region who qualifies, with their town id; excluded ones marked."""
    facts = _facts(prefix=prefix, year=year, quarter=quarter)
    graded = {sid: category_of(f) for sid, f in facts.items()}
    ids = sorted(sid for sid, c in graded.items() if c is not None)
    serious = serious_deductions_now(prefix=prefix, now=clock.now()) if ids else set()
    out: list[tuple[Proposal, int]] = []
    for i in range(0, len(ids), CHUNK):
        rows = Subject.objects.filter(pk__in=ids[i : i + CHUNK], kind="person").values_list(
            "id", "name", "village_id", "village__name", "town_id", "person__consent_given"
        )
        for sid, name, village_id, village_name, town_id, consent in rows:
            found = graded[sid]
            assert found is not None
            category, reasons = found
            exclusion = "" if consent else NO_CONSENT
            if not exclusion and sid in serious:
                exclusion = SERIOUS_DEDUCTION
            proposal = Proposal(
                subject_id=sid,
                name=name,
                village_id=village_id,
                village_name=village_name,
                category=category,
                reasons=reasons,
                weight=weight_for(category, facts[sid]),
                exclusion=exclusion,
            )
            out.append((proposal, town_id))
    return out


def nominations_for_region(*, region: Region, year: int, quarter: int) -> list[Proposal]:
    """The proposed names of a town's or village's quarter (within the caps of its level, by
    category then rank), followed by the excluded names with why."""
    candidates = _candidates(prefix=region.prefix, year=year, quarter=quarter)
    return within_caps([p for p, _town in candidates], str(region.level))


def nominations_for_county(*, county: Region, year: int, quarter: int) -> dict[int, list[Proposal]]:
    """The nominations of every town and village of the county for the quarter: region id → the
    list :func:`nominations_for_region` gives for it (regions without a name are absent). The
    same fixed number of queries however many villages."""
    by_region: dict[int, list[Proposal]] = defaultdict(list)
    for proposal, town_id in _candidates(prefix=county.prefix, year=year, quarter=quarter):
        by_region[proposal.village_id].append(proposal)
        by_region[town_id].append(proposal)
    levels = dict(Region.objects.filter(pk__in=list(by_region)).values_list("id", "level"))
    return {rid: within_caps(props, str(levels.get(rid, "village"))) for rid, props in by_region.items()}
