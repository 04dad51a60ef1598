"""Three years of daily counts and the last 90 days of per-elder meals of the synthetic canteens.

Each open (or since paused) canteen gets one :class:`~rongxin.canteens.models.ServiceDay`
(revision 1, current) on each of its meal days from its opening (at most three years back) to
yesterday, a few days missing. Before the last 90 days a day holds counts only: the elders
enrolled that day, most of them in, the delivered ones brought their lunch, a few walk-ins. In
the last 90 days each enrolled elder's lunch is drawn and written as a
:class:`~rongxin.canteens.models.Meal`, and the day's counts are those meals' counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Max

from rongxin.canteens.models import Meal, ServiceDay
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.synth import canteens_shape as shape
from rongxin.synth.canteens_support import years_before
from rongxin.synth.lectures_records import local_at

if TYPE_CHECKING:
    from rongxin.synth.canteens import _Generator

DAY_FIELDS = (
    "id", "canteen", "town", "date", "revision", "eat_in", "delivered", "walk_ins", "note", "recorded_at",
    "recorded_by", "current",
)  # fmt: skip
MEAL_FIELDS = ("day", "subject", "date", "kind", "current")
FLUSH = 50_000
WALK_INS = (0, 0, 0, 0, 1, 1, 2, 3)
EAT_IN, DELIVERED = str(Meal.Kind.EAT_IN.value), str(Meal.Kind.DELIVERED.value)


def write_days(gen: _Generator) -> dict[str, int]:
    """Write the days and meals of ``gen.plans`` (a :class:`rongxin.synth.canteens._Generator`)."""
    today: dt.date = gen.today
    yesterday = today - dt.timedelta(days=1)
    first_day = years_before(today, shape.YEARS)
    meals_from = today - dt.timedelta(days=shape.MEAL_DAYS)
    writer = BulkWriter(connection)
    day_spec, meal_spec = TableSpec.of(ServiceDay, DAY_FIELDS), TableSpec.of(Meal, MEAL_FIELDS)
    stamp = datetime_adapter(connection)
    next_id = int(ServiceDay.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    days: list[tuple] = []
    meals: list[tuple] = []
    counts: Counter[str] = Counter()

    def flush() -> None:
        counts["service_days"] += writer.write(day_spec, days)
        counts["meals"] += writer.write(meal_spec, meals)
        days.clear()
        meals.clear()

    for index, p in enumerate(gen.plans):
        c = p.row
        if c.opened_on is None:
            continue
        rng = shape.seeded(gen.seed, "days", index)
        rate = rng.uniform(0.72, 0.92)
        weekdays = set(c.meal_weekdays)
        start = max(c.opened_on, first_day)
        end = min(yesterday, (p.paused_on - dt.timedelta(days=1)) if p.paused_on else yesterday)
        # Enrolments and leavings in date order, for the count of elders enrolled on a day.
        changes: list[tuple[dt.date, int, bool]] = []
        for e in p.elders:
            changes.append((e.enrolled_on, 1, e.needs_delivery))
            if e.left_on is not None:
                changes.append((e.left_on, -1, e.needs_delivery))
        changes.sort(key=lambda x: x[0])
        k, active, delivering = 0, 0, 0
        day = start
        while day <= end:
            while k < len(changes) and changes[k][0] <= day:
                _d, step, dl = changes[k]
                active += step
                delivering += step if dl else 0
                k += 1
            if day.weekday() in weekdays and rng.random() >= shape.MISSING_DAY_SHARE:
                walk_ins = rng.choice(WALK_INS)
                day_id = next_id
                next_id += 1
                if day >= meals_from:
                    eat_in = delivered = 0
                    for e in p.elders:
                        if e.enrolled_on > day or (e.left_on is not None and e.left_on <= day):
                            continue
                        if rng.random() >= e.appetite:
                            continue
                        if e.needs_delivery:
                            kind = DELIVERED
                            delivered += 1
                        else:
                            kind = EAT_IN
                            eat_in += 1
                        meals.append((day_id, e.subject_id, day, kind, True))
                else:
                    others = active - delivering
                    eat_in = max(0, min(others, round(others * (rate + rng.uniform(-0.08, 0.08)))))
                    delivered = max(0, min(delivering, round(delivering * rng.uniform(0.9, 1.0))))
                recorded = local_at(day, 12, rng.randint(10, 59))
                days.append(
                    (day_id, c.pk, c.town_id, day, 1, eat_in, delivered, walk_ins, "", stamp(recorded), None, True)
                )
                if len(days) + len(meals) >= FLUSH:
                    flush()
            day += dt.timedelta(days=1)
    flush()
    writer.reset_sequences([ServiceDay])
    writer.close()
    return dict(counts)
