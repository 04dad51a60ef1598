"""The marketplace's public figures (项目超市统计) and the sponsors' roll (爱心榜).

:func:`projects_figures`: projects published, claimed and completed, money raised and spent, per
year, per town and per category, each with the same filters (a year, a town, a category). A
project counts in the year it was published (``published_at``), claimed (``claimed_at``: its
whole budget pledged) and completed (``completed_at``: the team reported the work done; it stays
counted once accepted and closed; a project withdrawn before the work never is). Money raised is
the payments received (``Payment.received_on``), money spent the spendings paid
(``Spending.paid_on``) and not reversed. A project's town is the town of its region (a project of
the county itself is counted under the county). Every figure is one ``GROUP BY`` query in the
database; times are read in the county's time zone.

:func:`sponsors_roll`: the sponsors who did not ask for anonymity, ranked by what they paid, with
the number of projects and title sponsorships; every anonymous pledge in one line
「爱心人士（匿名）」 with no name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, Substr
from django.utils.translation import gettext_lazy as _

from rongxin.core import clock
from rongxin.core.errors import field_error
from rongxin.funds.domain.public import ANONYMOUS_DONOR
from rongxin.projects.models import Payment, Pledge, Project, Spending
from rongxin.regions.models import Region

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
TOWN_PREFIX = Region.PREFIX_LENGTH[Region.Level.TOWN]
MAX_LIMIT = 200


@dataclass(frozen=True)
class FigureRow:
    """One line of a table: a year, a town or a category."""

    key: str
    label: str
    published: int = 0
    claimed: int = 0
    completed: int = 0
    raised: Decimal = ZERO
    spent: Decimal = ZERO


@dataclass(frozen=True)
class Figures:
    year: int | None
    town_code: str
    category: str
    by_year: list[FigureRow]
    by_town: list[FigureRow]
    by_category: list[FigureRow]
    total: FigureRow


@dataclass(frozen=True)
class SponsorRow:
    rank: int
    sponsor_id: int | None
    name: str
    kind: str
    pledged: Decimal
    paid: Decimal
    projects: int
    titles: int


@dataclass(frozen=True)
class AnonymousLine:
    name: str
    pledges: int
    projects: int
    pledged: Decimal
    paid: Decimal


@dataclass(frozen=True)
class SponsorsRoll:
    year: int | None
    total: int
    offset: int
    limit: int
    rows: list[SponsorRow]
    anonymous: AnonymousLine


def _fen(value: Decimal | None) -> Decimal:
    """A sum as yuan with two places (SQLite drops trailing zeros); 0.00 for no rows."""
    return (value or ZERO).quantize(FEN)


# --- Filters ---------------------------------------------------------------------------------------
def figure_towns() -> list[Region]:
    """The county's towns, by code (for the filters)."""
    return list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))


def _town(town_code: str | None) -> Region | None:
    if not town_code:
        return None
    town = Region.objects.filter(code=town_code, level=Region.Level.TOWN).first()
    if town is None:
        raise field_error("town", _("Unknown town."), code="unknown_town")
    return town


def _check(year: int | None, category: str | None) -> None:
    if year is not None and not 2000 <= year <= 2100:
        raise field_error("year", _("Enter a year such as 2026."), code="bad_year")
    if category and category not in Project.Category.values:
        raise field_error("category", _("Unknown category."), code="unknown_category")


def _year_range(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=clock.LOCAL_TZ),
        dt.datetime(year + 1, 1, 1, tzinfo=clock.LOCAL_TZ),
    )


def _projects_q(prefix: str, town: Region | None, category: str | None) -> Q:
    """The projects filter, on the project (``prefix`` ""), or through a relation (``project__``)."""
    q = Q()
    if town is not None:
        q &= Q(**{f"{prefix}region__prefix__startswith": town.prefix})
    if category:
        q &= Q(**{f"{prefix}category": category})
    return q


def _event_q(name: str, year: int | None) -> Q:
    if year is None:
        return Q(**{f"{name}__isnull": False})
    since, until = _year_range(year)
    return Q(**{f"{name}__gte": since, f"{name}__lt": until})


# --- Figures -----------------------------------------------------------------------------------------
def _counts(projects: QuerySet[Project], group: Any, year: int | None) -> dict[Any, dict[str, int]]:
    """Published/claimed/completed per ``group`` (an expression), in one GROUP BY."""
    rows = (
        projects.annotate(g=group)
        .values("g")
        .annotate(
            published=Count("pk", filter=_event_q("published_at", year)),
            claimed=Count("pk", filter=_event_q("claimed_at", year)),
            completed=Count("pk", filter=_event_q("completed_at", year)),
        )
        .order_by()
    )
    return {r["g"]: {k: int(r[k]) for k in ("published", "claimed", "completed")} for r in rows}


def _money(model: Any, rows_q: Q, group: Any, day: str, year: int | None) -> dict[Any, Decimal]:
    q = rows_q
    if year is not None:
        q &= Q(**{f"{day}__gte": dt.date(year, 1, 1), f"{day}__lt": dt.date(year + 1, 1, 1)})
    return {
        r["g"]: _fen(r["s"])
        for r in model.objects.filter(q).annotate(g=group).values("g").annotate(s=Sum("amount")).order_by()
    }


def _year_counts(projects: QuerySet[Project], year: int | None) -> dict[int, dict[str, int]]:
    """Each count in the year of its own event: three small GROUP BYs."""
    out: dict[int, dict[str, int]] = {}
    for name, key in (("published_at", "published"), ("claimed_at", "claimed"), ("completed_at", "completed")):
        rows = (
            projects.filter(_event_q(name, year))
            .annotate(g=ExtractYear(name, tzinfo=clock.LOCAL_TZ))
            .values("g")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for r in rows:
            out.setdefault(r["g"], {})[key] = r["n"]
    return out


def projects_figures(*, year: int | None = None, town_code: str | None = None, category: str | None = None) -> Figures:
    """Projects published, claimed, completed and money raised and spent per year, town and
    category (see the module's text). Raises InvalidInput for an unknown town or category or a
    year out of range."""
    _check(year, category)
    town = _town(town_code)
    projects = Project.objects.filter(_projects_q("", town, category))
    paid_q = _projects_q("project__", town, category)
    spent_q = paid_q & Q(reversal__isnull=True)

    # Per year.
    counts = _year_counts(projects, year)
    raised = _money(Payment, paid_q, ExtractYear("received_on"), "received_on", year)
    spent = _money(Spending, spent_q, ExtractYear("paid_on"), "paid_on", year)
    years = sorted(set(counts) | set(raised) | set(spent))
    by_year = [
        FigureRow(
            key=str(y),
            label=str(y),
            published=counts.get(y, {}).get("published", 0),
            claimed=counts.get(y, {}).get("claimed", 0),
            completed=counts.get(y, {}).get("completed", 0),
            raised=raised.get(y, ZERO),
            spent=spent.get(y, ZERO),
        )
        for y in years
    ]

    # Per town (the first characters of the region's prefix are its town's prefix).
    town_counts = _counts(projects, Substr("region__prefix", 1, TOWN_PREFIX), year)
    town_raised = _money(Payment, paid_q, Substr("project__region__prefix", 1, TOWN_PREFIX), "received_on", year)
    town_spent = _money(Spending, spent_q, Substr("project__region__prefix", 1, TOWN_PREFIX), "paid_on", year)
    seen = set(town_counts) | set(town_raised) | set(town_spent)
    regions = Region.objects.filter(Q(prefix__in=seen) | Q(level=Region.Level.TOWN)).order_by("code")
    if town is not None:
        regions = regions.filter(pk=town.pk)
    by_town = [
        FigureRow(
            key=r.code,
            label=r.name,
            published=town_counts.get(r.prefix, {}).get("published", 0),
            claimed=town_counts.get(r.prefix, {}).get("claimed", 0),
            completed=town_counts.get(r.prefix, {}).get("completed", 0),
            raised=town_raised.get(r.prefix, ZERO),
            spent=town_spent.get(r.prefix, ZERO),
        )
        for r in regions
    ]

    # Per category.
    cat_counts = _counts(projects, F("category"), year)
    cat_raised = _money(Payment, paid_q, F("project__category"), "received_on", year)
    cat_spent = _money(Spending, spent_q, F("project__category"), "paid_on", year)
    by_category = [
        FigureRow(
            key=value,
            label=str(label),
            published=cat_counts.get(value, {}).get("published", 0),
            claimed=cat_counts.get(value, {}).get("claimed", 0),
            completed=cat_counts.get(value, {}).get("completed", 0),
            raised=cat_raised.get(value, ZERO),
            spent=cat_spent.get(value, ZERO),
        )
        for value, label in Project.Category.choices
        if not category or value == category
    ]
    total = FigureRow(
        key="total",
        label=str(_("Total")),
        published=sum(r.published for r in by_category),
        claimed=sum(r.claimed for r in by_category),
        completed=sum(r.completed for r in by_category),
        raised=sum((r.raised for r in by_category), ZERO),
        spent=sum((r.spent for r in by_category), ZERO),
    )
    return Figures(
        year=year,
        town_code=town.code if town is not None else "",
        category=category or "",
        by_year=by_year,
        by_town=by_town,
        by_category=by_category,
        total=total,
    )


# --- The sponsors' roll -------------------------------------------------------------------------------
def sponsors_roll(
    *,
    year: int | None = None,
    town_code: str | None = None,
    category: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> SponsorsRoll:
    """The sponsors who did not ask for anonymity, ranked by what they paid (then pledged, then
    name), each with the number of projects and of title sponsorships; a page of them. Withdrawn
    pledges do not count; ``year`` is the year of the pledge, ``town_code`` and ``category`` the
    project's. Every anonymous pledge is summed in one line without a name. Raises InvalidInput
    for an unknown town or category or a year out of range."""
    _check(year, category)
    town = _town(town_code)
    offset, limit = max(0, int(offset)), min(max(1, int(limit)), MAX_LIMIT)
    q = _projects_q("project__", town, category) & ~Q(state=Pledge.State.WITHDRAWN)
    if year is not None:
        q &= _event_q("pledged_at", year)
    pledges = Pledge.objects.filter(q)
    named = (
        pledges.filter(anonymous=False)
        .values("sponsor_id", "sponsor__kind")
        .annotate(
            name=Max("sponsor_name"),
            paid=Sum("paid"),
            pledged=Sum("amount"),
            projects=Count("project", distinct=True),
            titles=Count("pk", filter=Q(title=True)),
        )
        .order_by("-paid", "-pledged", "name", "sponsor_id")
    )
    total = pledges.filter(anonymous=False).order_by().values("sponsor_id").distinct().count()
    rows = [
        SponsorRow(
            rank=offset + i + 1,
            sponsor_id=r["sponsor_id"],
            name=r["name"],
            kind=r["sponsor__kind"],
            pledged=_fen(r["pledged"]),
            paid=_fen(r["paid"]),
            projects=r["projects"],
            titles=r["titles"],
        )
        for i, r in enumerate(named[offset : offset + limit])
    ]
    anon = pledges.filter(anonymous=True).aggregate(
        n=Count("pk"), projects=Count("project", distinct=True), pledged=Sum("amount"), paid=Sum("paid")
    )
    return SponsorsRoll(
        year=year,
        total=total,
        offset=offset,
        limit=limit,
        rows=rows,
        anonymous=AnonymousLine(
            name=ANONYMOUS_DONOR,
            pledges=anon["n"] or 0,
            projects=anon["projects"] or 0,
            pledged=_fen(anon["pledged"]),
            paid=_fen(anon["paid"]),
        ),
    )
