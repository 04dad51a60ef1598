"""Coverage (全覆盖) and the programme's figures: aggregates only, never a listener's name.

Who reads them: :func:`~rongxin.lectures.permissions.common.figure_regions` (lecture
administrators and auditors the county, town officers their towns); anyone else gets
:class:`NotFound`. Only CLOSED sessions count (a planned or cancelled session proves nothing);
listeners are the checked-in listeners of a session (``Session.listener_count``). Days and
months are Beijing-time calendar days and months, on SQLite and PostgreSQL alike (months are
truncated in the database with the county's time zone).

Coverage is two queries whatever the number of villages: the villages in scope, and one
``GROUP BY region`` over the sessions.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import NotFound, field_error
from rongxin.lectures.models import Order, Saying, Session, SessionSaying
from rongxin.lectures.permissions.common import figure_regions
from rongxin.lectures.selectors.common import current_book
from rongxin.regions.models import Region

MIN_MONTHS, MAX_MONTHS = 1, 24
MAX_SPAN_MONTHS = 36  # lecture_figures: at most three years
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)  # days that may be asked about
TOP = 10  # teams and sayings listed


# --- Calendar helpers ------------------------------------------------------------------------------
def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months (negative: back), the day clamped to the
    month's length (31 May − 3 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_first = dt.date(year + (month // 12), month % 12 + 1, 1)
    last_day = (next_first - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of ``day`` in Beijing time."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=clock.LOCAL_TZ)


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(clock.LOCAL_TZ).date()


def _month_start(value: Any) -> dt.date:
    # TruncMonth(tzinfo=LOCAL_TZ) gives an aware datetime at local midnight (PostgreSQL returns it
    # in the connection's zone, SQLite in the given one): its Beijing date is the month's first.
    if isinstance(value, dt.datetime):
        return local_date(value) if value.tzinfo else value.date()
    return value  # type: ignore[no-any-return]


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from ``first``'s to ``last``'s, oldest first."""
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


# --- Scope ---------------------------------------------------------------------------------------
def _regions_for(actor: User | AnonymousUser | None) -> list[Region]:
    regions = figure_regions(actor)
    if not regions:
        raise NotFound()
    return regions


def _under(regions: Iterable[Region], lookup: str) -> Q:
    """Rows whose ``lookup`` region (a ``...__prefix`` path) lies in one of ``regions``."""
    return reduce(operator.or_, (Q(**{f"{lookup}__startswith": r.prefix}) for r in regions), Q(pk__in=[]))


def check_months(months: int) -> int:
    if isinstance(months, bool) or not isinstance(months, int) or not MIN_MONTHS <= months <= MAX_MONTHS:
        raise field_error(
            "months",
            _("Choose between %(min)s and %(max)s months.") % {"min": MIN_MONTHS, "max": MAX_MONTHS},
            code="months_range",
        )
    return months


def check_day(name: str, day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise field_error(
            name,
            _("Choose a day from %(first)s to %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY},
            code="date_range",
        )
    return day


def check_range(first: dt.date, last: dt.date) -> None:
    check_day("first", first)
    check_day("last", last)
    if last < first:
        raise field_error("last", _("The last day cannot be before the first day."), code="range_reversed")
    if last > add_months(first, MAX_SPAN_MONTHS):
        raise field_error("last", _("Choose at most three years."), code="range_too_long")


# --- Coverage (全覆盖) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VillageCoverage:
    region_id: int
    code: str
    name: str
    last_session: dt.date | None  # Beijing date of the last closed session up to the day checked
    sessions: int  # closed sessions in the window
    listeners: int  # checked-in listeners of those sessions
    covered: bool


@dataclass
class TownCoverage:
    region_id: int
    code: str
    name: str
    villages: list[VillageCoverage] = field(default_factory=list)  # not covered first, then by code

    @property
    def covered(self) -> int:
        return sum(1 for v in self.villages if v.covered)

    @property
    def not_covered(self) -> int:
        return len(self.villages) - self.covered


@dataclass(frozen=True)
class Coverage:
    on: dt.date
    months: int
    since: dt.date  # first day of the window (on − months)
    towns: list[TownCoverage]

    @property
    def villages(self) -> int:
        return sum(len(t.villages) for t in self.towns)

    @property
    def covered(self) -> int:
        return sum(t.covered for t in self.towns)

    @property
    def not_covered(self) -> int:
        return self.villages - self.covered


def coverage(*, actor: User | AnonymousUser | None, on: dt.date, months: int | None = None) -> Coverage:
    """The 全覆盖 check on ``on``: every village or community in the actor's figure regions,
    with the date of its last closed session (up to ``on``), its closed sessions and listeners
    from ``on − months`` to ``on`` (both days included, Beijing time), and whether it had at
    least one (covered). Grouped by town, uncovered villages first."""
    regions = _regions_for(actor)
    months = check_months(settings.RONGXIN_LECTURE_COVERAGE_MONTHS if months is None else months)
    check_day("on", on)
    since = add_months(on, -months)
    window_start, window_end = local_midnight(since), local_midnight(on + dt.timedelta(days=1))
    villages = (
        Region.objects.filter(_under(regions, "prefix"), level=Region.Level.VILLAGE)
        .values_list("id", "code", "name", "parent_id", "parent__code", "parent__name")
        .order_by("code")
    )
    in_window = Q(starts_at__gte=window_start)
    rows = (
        Session.objects.filter(
            status=Session.Status.CLOSED,
            starts_at__lt=window_end,
            region__level=Region.Level.VILLAGE,
        )
        .filter(_under(regions, "region__prefix"))
        .values("region_id")
        .annotate(
            last=Max("starts_at"),
            sessions=Count("id", filter=in_window),
            listeners=Sum("listener_count", filter=in_window),
        )
        .order_by()
    )
    by_region = {r["region_id"]: r for r in rows}
    towns: dict[int, TownCoverage] = {}
    for village_id, code, name, town_id, town_code, town_name in villages:
        entry = towns.get(town_id)
        if entry is None:
            entry = towns[town_id] = TownCoverage(region_id=town_id, code=town_code, name=town_name)
        row = by_region.get(village_id)
        sessions = row["sessions"] if row else 0
        entry.villages.append(
            VillageCoverage(
                region_id=village_id,
                code=code,
                name=name,
                last_session=local_date(row["last"]) if row and row["last"] else None,
                sessions=sessions,
                listeners=(row["listeners"] or 0) if row else 0,
                covered=sessions > 0,
            )
        )
    for entry in towns.values():
        entry.villages.sort(key=lambda v: (v.covered, v.code))
    return Coverage(on=on, months=months, since=since, towns=sorted(towns.values(), key=lambda t: t.code))


# --- Figures ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Breakdown:
    """One line of a breakdown: a key, its label, sessions and listeners."""

    key: str
    label: str
    sessions: int
    listeners: int


@dataclass(frozen=True)
class MonthFigure:
    month: dt.date  # first day of the month
    sessions: int
    listeners: int


@dataclass(frozen=True)
class SayingUse:
    key: str
    text: str
    sessions: int


@dataclass(frozen=True)
class Ratings:
    count: int
    average: float | None  # one decimal
    distribution: dict[int, int]  # 1..5 → orders


@dataclass(frozen=True)
class Figures:
    first: dt.date
    last: dt.date
    sessions: int
    listeners: int
    months: list[MonthFigure]
    towns: list[Breakdown]
    teams: list[Breakdown]  # the TOP teams by sessions
    sayings: list[SayingUse]  # the TOP sayings by sessions
    ratings: Ratings
    formats: list[Breakdown]
    place_kinds: list[Breakdown]


def _closed_sessions(regions: list[Region], first: dt.date, last: dt.date) -> QuerySet[Session]:
    return Session.objects.filter(
        status=Session.Status.CLOSED,
        starts_at__gte=local_midnight(first),
        starts_at__lt=local_midnight(last + dt.timedelta(days=1)),
    ).filter(_under(regions, "region__prefix"))


def _counts(rows: Iterable[Any], key: str, label: Any) -> list[Breakdown]:
    return [
        Breakdown(
            key=str(r[key]),
            label=str(label(r)),
            sessions=r["sessions"],
            listeners=r["listeners"] or 0,
        )
        for r in rows
    ]


def _saying_texts(keys: list[str]) -> dict[str, str]:
    """The text of each saying key in the current published book; a key the current book lacks
    keeps the text of its latest version used."""
    texts: dict[str, str] = {}
    book = current_book()
    if book is not None:
        texts = dict(Saying.objects.filter(book=book, key__in=keys).values_list("key", "text"))
    missing = [k for k in keys if k not in texts]
    if missing:
        for key, text in Saying.objects.filter(key__in=missing).order_by("book__version").values_list("key", "text"):
            texts[key] = text  # the highest version wins
    return texts


def lecture_figures(*, actor: User | AnonymousUser | None, first: dt.date, last: dt.date) -> Figures:
    """Closed sessions from ``first`` to ``last`` (Beijing dates, both included) in the actor's
    figure regions: totals; sessions and listeners per month, per town, per team (top 10);
    the most-used sayings (by lasting key, with the current text); the orderers' ratings
    (count, average, 1–5 distribution); formats and kinds of place."""
    regions = _regions_for(actor)
    check_range(first, last)
    base = _closed_sessions(regions, first, last)
    totals = base.aggregate(sessions=Count("id"), listeners=Sum("listener_count"))
    per_month = {
        _month_start(r["month"]): r
        for r in base.annotate(month=TruncMonth("starts_at", tzinfo=clock.LOCAL_TZ))
        .values("month")
        .annotate(sessions=Count("id"), listeners=Sum("listener_count"))
        .order_by("month")
    }
    months = [
        MonthFigure(
            month=m,
            sessions=per_month[m]["sessions"] if m in per_month else 0,
            listeners=(per_month[m]["listeners"] or 0) if m in per_month else 0,
        )
        for m in months_between(first, last)
    ]
    towns = _counts(
        base.values("town_id", "town__code", "town__name")
        .annotate(sessions=Count("id"), listeners=Sum("listener_count"))
        .order_by("town__code"),
        "town__code",
        lambda r: r["town__name"],
    )
    teams = _counts(
        base.filter(team__isnull=False)
        .values("team_id", "team__name")
        .annotate(sessions=Count("id"), listeners=Sum("listener_count"))
        .order_by("-sessions", "-listeners", "team_id")[:TOP],
        "team_id",
        lambda r: r["team__name"],
    )
    used = list(
        SessionSaying.objects.filter(session__in=base.values("pk"))
        .values("saying_key")
        .annotate(sessions=Count("session", distinct=True))
        .order_by("-sessions", "saying_key")[:TOP]
    )
    texts = _saying_texts([u["saying_key"] for u in used])
    sayings = [
        SayingUse(key=u["saying_key"], text=texts.get(u["saying_key"], ""), sessions=u["sessions"]) for u in used
    ]
    rated = Order.objects.filter(session__in=base.values("pk"), rating__isnull=False)
    distribution = dict.fromkeys(range(1, 6), 0)
    for r in rated.values("rating").annotate(n=Count("id")).order_by():
        distribution[int(r["rating"] or 0)] = r["n"]
    rating_count = sum(distribution.values())
    average = rated.aggregate(avg=Avg("rating"))["avg"] if rating_count else None
    format_labels = dict(Session.Format.choices)
    formats = _counts(
        base.values("format").annotate(sessions=Count("id"), listeners=Sum("listener_count")).order_by("format"),
        "format",
        lambda r: format_labels.get(r["format"], r["format"]),
    )
    place_labels = dict(Session.PlaceKind.choices)
    place_kinds = _counts(
        base.values("place_kind")
        .annotate(sessions=Count("id"), listeners=Sum("listener_count"))
        .order_by("place_kind"),
        "place_kind",
        lambda r: place_labels.get(r["place_kind"], r["place_kind"]),
    )
    return Figures(
        first=first,
        last=last,
        sessions=totals["sessions"] or 0,
        listeners=totals["listeners"] or 0,
        months=months,
        towns=towns,
        teams=teams,
        sayings=sayings,
        ratings=Ratings(
            count=rating_count,
            average=round(float(average), 1) if average is not None else None,
            distribution=distribution,
        ),
        formats=formats,
        place_kinds=place_kinds,
    )
