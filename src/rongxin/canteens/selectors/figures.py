"""Figures of the canteens (counts and sums only, never an elder's name): lunches served per day,
totals per canteen, town and county for a period, meal days per week against each canteen's
commitment and the five-day rule, cooks and their hours, donations per month.

Daily service figures read the current :class:`ServiceDay` revisions through the ``(date, town)``
index (filtered by the ids of the towns under the region) and are summed in the database; a day
with no row is *missing*, not zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from rongxin.canteens.domain.weekdays import FIVE_DAY_RULE, committed_days, week_start
from rongxin.canteens.models import Canteen, Donation, ServiceDay
from rongxin.canteens.selectors.scope import canteen_filter, town_ids
from rongxin.core import clock
from rongxin.core.errors import field_error
from rongxin.regions.models import Region
from rongxin.volunteering.models import ServiceRecord

MAX_SPAN_DAYS = 3 * 366 + 1  # a period is at most three years
COOK_ACTIVITY_TYPES = ("canteen_cooking", "meal_delivery")


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """Raises InvalidInput for a period that ends before it starts or spans more than three years."""
    if date_to < date_from:
        raise field_error("date_to", _("The period ends before it starts."), code="period_order")
    if (date_to - date_from).days >= MAX_SPAN_DAYS:
        raise field_error("date_from", _("A period is at most three years."), code="period_too_long")


def _days(region: Region, date_from: dt.date, date_to: dt.date) -> QuerySet[ServiceDay]:
    rows = ServiceDay.objects.filter(current=True, date__gte=date_from, date__lte=date_to, town_id__in=town_ids(region))
    if region.level == Region.Level.VILLAGE:
        rows = rows.filter(canteen__village_id=region.pk)
    return rows


@dataclass(frozen=True)
class DayTotals:
    date: dt.date
    eat_in: int
    delivered: int
    walk_ins: int
    canteens: int  # canteens that recorded the day

    @property
    def served(self) -> int:
        return self.eat_in + self.delivered + self.walk_ins


def service_series(*, region: Region, date_from: dt.date, date_to: dt.date) -> list[DayTotals]:
    """Per day from ``date_from`` to ``date_to`` (included): lunches eaten in, delivered, walk-ins
    and the number of canteens that recorded the day, over the current service days of the
    canteens in ``region``. Days no canteen recorded are absent (missing, not zero). One query."""
    check_period(date_from, date_to)
    rows = (
        _days(region, date_from, date_to)
        .values("date")
        .annotate(
            eat_in=Sum("eat_in"), delivered=Sum("delivered"), walk_ins=Sum("walk_ins"), canteens=Count("canteen_id")
        )
        .order_by("date")
    )
    return [
        DayTotals(
            date=r["date"], eat_in=r["eat_in"], delivered=r["delivered"], walk_ins=r["walk_ins"], canteens=r["canteens"]
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PeriodTotals:
    key: int  # the canteen's or town's id (0 for the whole region)
    label: str
    days: int  # days recorded
    eat_in: int
    delivered: int
    walk_ins: int

    @property
    def served(self) -> int:
        return self.eat_in + self.delivered + self.walk_ins


_SUMS = {
    "days": Count("id"),
    "eat_in_sum": Sum("eat_in"),
    "delivered_sum": Sum("delivered"),
    "walk_ins_sum": Sum("walk_ins"),
}


def _totals(key: int, label: str, r: Any) -> PeriodTotals:
    return PeriodTotals(
        key=key,
        label=label,
        days=r["days"] or 0,
        eat_in=r["eat_in_sum"] or 0,
        delivered=r["delivered_sum"] or 0,
        walk_ins=r["walk_ins_sum"] or 0,
    )


def period_totals(*, region: Region, date_from: dt.date, date_to: dt.date, by: str) -> list[PeriodTotals]:
    """Totals for the period ``by`` ``"canteen"``, ``"town"`` or ``"region"`` (one row)."""
    check_period(date_from, date_to)
    rows = _days(region, date_from, date_to)
    if by == "region":
        return [_totals(0, region.name, rows.aggregate(**_SUMS))]
    if by == "town":
        towns = rows.values("town_id", "town__name", "town__code").annotate(**_SUMS).order_by("town__code")
        return [_totals(r["town_id"], r["town__name"], r) for r in towns]
    grouped = (
        rows.values("canteen_id", "canteen__name", "canteen__village__code")
        .annotate(**_SUMS)
        .order_by("canteen__village__code", "canteen__name", "canteen_id")
    )
    return [_totals(r["canteen_id"], r["canteen__name"], r) for r in grouped]


@dataclass(frozen=True)
class WeekRow:
    canteen: Canteen
    week: dt.date  # its Monday
    committed: int  # meal days the canteen promised in the part of the week that counts
    served: int  # days with a current service record of at least one lunch
    missing: int  # committed days with no current service record

    @property
    def meets_commitment(self) -> bool:
        return self.served >= self.committed

    @property
    def meets_five_day_rule(self) -> bool:
        return self.served >= FIVE_DAY_RULE


def meal_days_week(*, region: Region, week: dt.date) -> list[WeekRow]:
    """For the week holding ``week`` (Monday to Sunday), each canteen of ``region`` that is open
    now and opened before the week ended: the meal days it committed to (its ``meal_weekdays``
    from its opening day up to yesterday), the days it served lunch and the committed days with
    no record. Two queries."""
    monday = week_start(week)
    sunday = monday + dt.timedelta(days=6)
    today = clock.today_local()
    canteens = list(
        Canteen.objects.filter(canteen_filter(region), status=Canteen.Status.OPEN, opened_on__lte=sunday)
        .select_related("village", "town")
        .order_by("village__code", "name", "pk")
    )
    served: dict[int, set[dt.date]] = {}
    recorded: dict[int, set[dt.date]] = {}
    for canteen_id, day, lunches in (
        _days(region, monday, sunday)
        .filter(canteen_id__in=[c.pk for c in canteens])
        .annotate(lunches=F("eat_in") + F("delivered") + F("walk_ins"))
        .values_list("canteen_id", "date", "lunches")
    ):  # at most seven rows a canteen
        recorded.setdefault(canteen_id, set()).add(day)
        if lunches > 0:
            served.setdefault(canteen_id, set()).add(day)
    out = []
    for c in canteens:
        first = max(monday, c.opened_on or monday)
        last = min(sunday, today - dt.timedelta(days=1))  # today's lunch may not be recorded yet
        days = set(c.meal_weekdays or [])
        committed = committed_days(days, first, last) if first <= last else 0
        span = range((last - first).days + 1) if first <= last else range(0)
        wanted = {first + dt.timedelta(days=i) for i in span} & {d for d in _week(monday) if d.weekday() in days}
        out.append(
            WeekRow(
                canteen=c,
                week=monday,
                committed=committed,
                served=len(served.get(c.pk, set())),
                missing=len(wanted - recorded.get(c.pk, set())),
            )
        )
    return out


def _week(monday: dt.date) -> set[dt.date]:
    return {monday + dt.timedelta(days=i) for i in range(7)}


def below_commitment(*, region: Region, week: dt.date) -> list[WeekRow]:
    """The canteens of :func:`meal_days_week` that served fewer days than they committed to."""
    return [row for row in meal_days_week(region=region, week=week) if not row.meets_commitment]


@dataclass(frozen=True)
class CookMonth:
    month: dt.date  # its first day
    cooks: int  # volunteers with a record
    records: int
    minutes: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))


def cooks_hours(*, region: Region, date_from: dt.date, date_to: dt.date) -> list[CookMonth]:
    """Per month: the volunteers who cooked or delivered for the canteens' teams (current
    service records of activities of type ``canteen_cooking`` or ``meal_delivery``), their
    records and their minutes of service. One query."""
    check_period(date_from, date_to)
    teams = Canteen.objects.filter(canteen_filter(region), team__isnull=False).values("team_id")
    rows = (
        ServiceRecord.objects.filter(
            current=True,
            team_id__in=teams,
            activity__type__code__in=COOK_ACTIVITY_TYPES,
            service_date__gte=date_from,
            service_date__lte=date_to,
        )
        .annotate(month=TruncMonth("service_date"))
        .values("month")
        .annotate(cooks=Count("volunteer_id", distinct=True), records=Count("id"), minutes=Sum("minutes"))
        .order_by("month")
    )
    return [
        CookMonth(month=_first(r["month"]), cooks=r["cooks"], records=r["records"], minutes=r["minutes"] or 0)
        for r in rows
    ]


@dataclass(frozen=True)
class DonationMonth:
    month: dt.date
    kind: str
    donations: int
    value: Decimal  # yuan


def donations_per_month(*, region: Region, date_from: dt.date, date_to: dt.date) -> list[DonationMonth]:
    """Per month and kind (money, goods): the number of donations received and their value."""
    check_period(date_from, date_to)
    rows = (
        Donation.objects.filter(
            canteen_filter(region, "canteen__"), received_on__gte=date_from, received_on__lte=date_to
        )
        .annotate(month=TruncMonth("received_on"))
        .values("month", "kind")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by("month", "kind")
    )
    return [
        DonationMonth(month=_first(r["month"]), kind=r["kind"], donations=r["n"], value=r["total"] or Decimal("0.00"))
        for r in rows
    ]


def _first(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class Figures:
    week: dt.date
    days: list[DayTotals]
    region_total: PeriodTotals
    towns: list[PeriodTotals]
    canteens: list[PeriodTotals]
    weeks: list[WeekRow]
    cooks: list[CookMonth]
    donations: list[DonationMonth]


def canteen_figures(*, region: Region, date_from: dt.date, date_to: dt.date, week: dt.date) -> Figures:
    """Every table of the figures page for ``region`` and the period (and the week checked)."""
    check_period(date_from, date_to)
    return Figures(
        week=week_start(week),
        days=service_series(region=region, date_from=date_from, date_to=date_to),
        region_total=period_totals(region=region, date_from=date_from, date_to=date_to, by="region")[0],
        towns=period_totals(region=region, date_from=date_from, date_to=date_to, by="town"),
        canteens=period_totals(region=region, date_from=date_from, date_to=date_to, by="canteen"),
        weeks=meal_days_week(region=region, week=week),
        cooks=cooks_hours(region=region, date_from=date_from, date_to=date_to),
        donations=donations_per_month(region=region, date_from=date_from, date_to=date_to),
    )
