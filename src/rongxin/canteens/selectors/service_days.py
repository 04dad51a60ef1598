"""Reads over a canteen's lunch days: the manager's sheet for one day (today's enrolled elders
with what they had yesterday and on the day), the recent days with the missing ones marked, and
one day's revisions.

A meal day (one of the canteen's meal weekdays, from its opening) with no current record is
*missing* (缺报), never zero. Names are read by village staff only (audited as a read of the
elder list); the days and revisions are counts, read by whoever runs or oversees the canteen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.days import days_between, is_meal_day, record_problem
from rongxin.canteens.models import Canteen, Elder, Meal, ServiceDay
from rongxin.canteens.permissions.common import access_canteen
from rongxin.canteens.permissions.elders import access_canteen_staff
from rongxin.canteens.selectors.elders import audit_list_read
from rongxin.core import clock
from rongxin.core.errors import field_error

MAX_SPAN_DAYS = 366


def enrolled_on_q(on: dt.date) -> Q:
    """Enrolments that cover ``on``: enrolled on or before it and not left by then."""
    return Q(enrolled_on__lte=on) & (Q(left_on__isnull=True) | Q(left_on__gt=on))


@dataclass(frozen=True)
class SheetRow:
    elder: Elder
    subject_id: int
    name: str
    needs_delivery: bool
    dietary_note: str
    yesterday: str  # "eat_in", "delivered" or "" (no lunch recorded here)
    today: str  # the same for the day of the sheet, in its current revision


@dataclass(frozen=True)
class Sheet:
    canteen: Canteen
    role: str
    on: dt.date
    rows: list[SheetRow]
    current: ServiceDay | None
    recordable: bool  # the day is within the recording window

    @property
    def is_today(self) -> bool:
        return self.on == clock.today_local()


def _kinds(canteen: Canteen, on: dt.date, subject_ids: list[int]) -> dict[int, str]:
    return dict(
        Meal.objects.filter(day__canteen=canteen, date=on, current=True, subject_id__in=subject_ids).values_list(
            "subject_id", "kind"
        )
    )


def service_sheet(*, actor: User, canteen_id: int, on: dt.date) -> Sheet:
    """The elders enrolled in the canteen on ``on`` by name, with their lunch the day before and
    on the day (current revisions at this canteen), and the day's current record; for village
    staff, audited (``elder.list_read``). Raises NotFound."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    elders = list(
        Elder.objects.filter(enrolled_on_q(on), canteen=canteen)
        .select_related("subject")
        .order_by("subject__name", "subject_id")
    )
    ids = [e.subject_id for e in elders]
    before, that_day = _kinds(canteen, on - dt.timedelta(days=1), ids), _kinds(canteen, on, ids)
    rows = [
        SheetRow(
            elder=e,
            subject_id=e.subject_id,
            name=e.subject.name,
            needs_delivery=e.needs_delivery,
            dietary_note=e.dietary_note,
            yesterday=before.get(e.subject_id, ""),
            today=that_day.get(e.subject_id, ""),
        )
        for e in elders
    ]
    current = ServiceDay.objects.filter(canteen=canteen, date=on, current=True).select_related("recorded_by").first()
    audit_list_read(actor=actor, role=role, canteen=canteen, count=len(rows), what="service")
    return Sheet(
        canteen=canteen,
        role=role,
        on=on,
        rows=rows,
        current=current,
        recordable=record_problem(on, clock.today_local()) == "",
    )


@dataclass(frozen=True)
class DayLine:
    date: dt.date
    meal_day: bool
    day: ServiceDay | None  # the current revision

    @property
    def missing(self) -> bool:
        """A meal day without a record: 缺报, not zero."""
        return self.meal_day and self.day is None

    @property
    def state(self) -> str:
        """``recorded``, ``missing`` or ``no_meal``."""
        if self.day is not None:
            return "recorded"
        return "missing" if self.meal_day else "no_meal"


def _range(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    if date_to < date_from:
        raise field_error("to", _("The end is before the start."), code="range")
    if (date_to - date_from).days >= MAX_SPAN_DAYS:
        raise field_error("to", _("At most %(n)d days at a time.") % {"n": MAX_SPAN_DAYS}, code="range")
    return date_from, date_to


def service_days(
    *, actor: User, canteen_id: int, date_from: dt.date, date_to: dt.date
) -> tuple[Canteen, list[DayLine]]:
    """The canteen's days from ``date_from`` to ``date_to`` (no later than today), latest first:
    each with its current record, and meal days without one marked missing. For whoever runs
    or oversees the canteen (counts only). Raises NotFound, InvalidInput (range)."""
    canteen = access_canteen(actor, canteen_id)
    date_from, date_to = _range(date_from, date_to)
    date_to = min(date_to, clock.today_local())
    if date_to < date_from:
        return canteen, []
    recorded = {
        d.date: d
        for d in ServiceDay.objects.filter(
            canteen=canteen, current=True, date__gte=date_from, date__lte=date_to
        ).select_related("recorded_by")
    }
    weekdays = canteen.meal_weekdays or []
    lines = [
        DayLine(
            date=day, meal_day=is_meal_day(day, weekdays=weekdays, opened_on=canteen.opened_on), day=recorded.get(day)
        )
        for day in days_between(date_from, date_to)
    ]
    return canteen, lines


def service_day_revisions(*, actor: User, canteen_id: int, on: dt.date) -> tuple[Canteen, list[ServiceDay]]:
    """Every revision of the canteen's record of ``on``, latest first (counts, who recorded and
    when). For whoever runs or oversees the canteen. Raises NotFound."""
    canteen = access_canteen(actor, canteen_id)
    rows = list(ServiceDay.objects.filter(canteen=canteen, date=on).select_related("recorded_by").order_by("-revision"))
    return canteen, rows


@dataclass(frozen=True)
class DayDetail:
    canteen: Canteen
    revisions: list[ServiceDay]  # latest first
    current: ServiceDay | None
    meals: list[tuple[int, str, str]]  # (subject id, name, kind) of the current revision


def service_day_detail(*, actor: User, canteen_id: int, on: dt.date) -> DayDetail:
    """One day's revisions and the current revision's meals by elder, for village staff; the
    names are audited as a read of the elder list (``elder.list_read``). Raises NotFound."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    revisions = list(
        ServiceDay.objects.filter(canteen=canteen, date=on).select_related("recorded_by").order_by("-revision")
    )
    current = next((d for d in revisions if d.current), None)
    meals: list[tuple[int, str, str]] = []
    if current is not None:
        meals = list(Meal.objects.filter(day=current).order_by("id").values_list("subject_id", "subject__name", "kind"))
        audit_list_read(actor=actor, role=role, canteen=canteen, count=len(meals), what="day")
    return DayDetail(canteen=canteen, revisions=revisions, current=current, meals=meals)
