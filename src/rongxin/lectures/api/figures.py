"""Coverage (全覆盖) and figures of the lecture programme as JSON, for those who read the
programme's figures (lecture administrators and auditors: the county; town officers: their
towns). The right is asked before the query is read: anyone else gets 404 whatever they send.
Aggregates only; dates are Beijing-time calendar dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.lectures.permissions.common import figure_regions
from rongxin.lectures.selectors import figures as reads
from rongxin.lectures.selectors.figures import MAX_MONTHS, MIN_MONTHS, add_months

router = Router(tags=["lectures"])


def figure_reader(user: Any, **_path: Any) -> None:
    if not figure_regions(user):
        raise NotFound()


READER = gated(figure_reader)


# --- Schemas ---------------------------------------------------------------------------------------
class CoverageQuery(Schema):
    on: dt.date | None = Field(None, description="The day checked (default: today, Beijing time).")
    months: int | None = Field(
        None,
        ge=MIN_MONTHS,
        le=MAX_MONTHS,
        description="How many months back a closed lecture covers a village (default: the county's setting).",
    )


class VillageCoverageOut(Schema):
    code: str
    name: str
    last_session: dt.date | None = Field(description="Beijing date of the last closed lecture up to `on`.")
    sessions: int = Field(description="Closed lectures in the window.")
    listeners: int = Field(description="Checked-in listeners of those lectures.")
    covered: bool


class TownCoverageOut(Schema):
    code: str
    name: str
    covered: int
    not_covered: int
    villages: list[VillageCoverageOut] = Field(description="Villages not covered first, then by code.")


class CoverageOut(Schema):
    on: dt.date
    months: int
    since: dt.date = Field(description="First day of the window (`on` minus `months`).")
    villages: int
    covered: int
    not_covered: int
    towns: list[TownCoverageOut]


class FiguresQuery(Schema):
    first: dt.date | None = Field(None, description="First day (default: the first of the month 11 months back).")
    last: dt.date | None = Field(None, description="Last day, included (default: today). At most three years.")


class MonthOut(Schema):
    month: str = Field(description="YYYY-MM, Beijing time.")
    sessions: int
    listeners: int


class BreakdownOut(Schema):
    key: str
    label: str
    sessions: int
    listeners: int


class SayingUseOut(Schema):
    key: str
    text: str = Field(description="The saying's text in the current book (or its latest version).")
    sessions: int


class RatingsOut(Schema):
    count: int
    average: float | None
    distribution: dict[str, int] = Field(description="Orders per rating, keys 1 to 5.")


class FiguresOut(Schema):
    first: dt.date
    last: dt.date
    sessions: int
    listeners: int
    months: list[MonthOut]
    towns: list[BreakdownOut]
    teams: list[BreakdownOut] = Field(description="The ten teams with the most lectures.")
    sayings: list[SayingUseOut] = Field(description="The ten sayings covered most often.")
    ratings: RatingsOut
    formats: list[BreakdownOut]
    place_kinds: list[BreakdownOut]


# --- Presenters ------------------------------------------------------------------------------------
def coverage_out(c: reads.Coverage) -> CoverageOut:
    return CoverageOut(
        on=c.on,
        months=c.months,
        since=c.since,
        villages=c.villages,
        covered=c.covered,
        not_covered=c.not_covered,
        towns=[
            TownCoverageOut(
                code=t.code,
                name=t.name,
                covered=t.covered,
                not_covered=t.not_covered,
                villages=[
                    VillageCoverageOut(
                        code=v.code,
                        name=v.name,
                        last_session=v.last_session,
                        sessions=v.sessions,
                        listeners=v.listeners,
                        covered=v.covered,
                    )
                    for v in t.villages
                ],
            )
            for t in c.towns
        ],
    )


def _breakdown(rows: list[reads.Breakdown]) -> list[BreakdownOut]:
    return [BreakdownOut(key=r.key, label=r.label, sessions=r.sessions, listeners=r.listeners) for r in rows]


def figures_out(f: reads.Figures) -> FiguresOut:
    return FiguresOut(
        first=f.first,
        last=f.last,
        sessions=f.sessions,
        listeners=f.listeners,
        months=[MonthOut(month=f"{m.month:%Y-%m}", sessions=m.sessions, listeners=m.listeners) for m in f.months],
        towns=_breakdown(f.towns),
        teams=_breakdown(f.teams),
        sayings=[SayingUseOut(key=s.key, text=s.text, sessions=s.sessions) for s in f.sayings],
        ratings=RatingsOut(
            count=f.ratings.count,
            average=f.ratings.average,
            distribution={str(k): v for k, v in f.ratings.distribution.items()},
        ),
        formats=_breakdown(f.formats),
        place_kinds=_breakdown(f.place_kinds),
    )


# --- Endpoints -------------------------------------------------------------------------------------
@router.get("/coverage", response=CoverageOut, operation_id="lectures_coverage", auth=READER)
def coverage(request: SignedInRequest, query: Query[CoverageQuery]) -> CoverageOut:
    """Which villages and communities had a closed lecture in the last months (全覆盖), by town.
    ``months`` 1 to 24 (default: the county's setting); ``on`` defaults to today."""
    on = query.on or clock.today_local()
    return coverage_out(reads.coverage(actor=request.user, on=on, months=query.months))


@router.get("/figures", response=FiguresOut, operation_id="lectures_figures", auth=READER)
def figures(request: SignedInRequest, query: Query[FiguresQuery]) -> FiguresOut:
    """Closed lectures and their listeners per month, town and team, most-used sayings, ratings,
    formats and kinds of place, from ``first`` to ``last`` (at most three years)."""
    last = query.last or clock.today_local()
    first = query.first or add_months(reads.check_day("last", last), -11).replace(day=1)
    return figures_out(reads.lecture_figures(actor=request.user, first=first, last=last))
