"""Benchmark ``canteens``: recording a canteen's lunch for 60 elders, and the county's daily-service
figures over three years.

    rongxin bench canteens --scale 1.0 --json out.json     (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county (``generate_county``) and the synthetic
canteens (``generate_canteens``: at scale 1.0, 472 open canteens, about 15,000 elders, three
years of daily counts, 90 days of per-elder meals). Volunteering and the credit history are not
loaded: the canteens need neither (no cook team, no cooks). The load is timed and reported, not
a goal; then ``VACUUM (ANALYZE)`` (``ANALYZE`` on SQLite).

- ``figures_p95_ms``: :func:`rongxin.canteens.selectors.figures.service_series` for the county
  over the last three years, :data:`ROUNDS` times after one warm-up run. Baseline: a bare
  ``SELECT date, SUM(...), COUNT(*) ... GROUP BY date`` over the same current rows, fetched.
  Target ≤ 300 ms.
- ``record_p95_ms``: :func:`rongxin.canteens.services.service_days.service_day_record` by the
  canteen's manager, for canteens of 60 enrolled elders (topped up from the village, then the
  town, with residents aged 60+ never enrolled): new days (the last eight days of each bench
  canteen are cleared first: the service records today and up to seven days back), then
  corrections of those days (a different list each time, so each appends a revision and flips
  the previous one). Baseline, in the same run: the same rows written with bare SQL in one
  transaction (the canteen's row lock, flipping the previous revision and its meals, the
  ServiceDay row, the meals with ``executemany``) on days far in the past. Target ≤ 100 ms.

Ratios are value ÷ baseline (how many times the bare SQL).
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version

ROUNDS = 40  # of each figure at a real scale
SMALL_ROUNDS = 8  # below SMALL_SCALE (the smoke test)
SMALL_SCALE = 0.05
ELDERS = 60
WINDOW = 8  # today and seven days back: the days the service records
TARGET_RECORD_MS = 100.0
TARGET_FIGURES_MS = 300.0


def run(
    *,
    scale: float = 1.0,
    seed: int = 1,
    json_path: str | None = None,
    engine_url: str | None = None,
    workers: int | None = None,
    stdout: TextIO | None = None,
    **_: Any,
) -> dict[str, Any]:
    whole = Stopwatch()
    engine, child = scratch_run("canteens", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "load", "figures", "record")}
    out = result("canteens", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: runs with Django aimed at the scratch database ----------------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.synth.canteens import generate_canteens
    from rongxin.synth.generator import generate_county

    print("bench canteens: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    print("bench canteens: the canteens, three years of days…", file=sys.stderr)
    canteens = generate_canteens(seed=seed, now=clock.now(), scale=scale)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "canteens_seconds": round(canteens.seconds, 1),
        "canteens": canteens.counts,
    }


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    out = fn()  # warm-up
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples, out


def _figure(samples: list[float], base: list[float], target: float) -> dict[str, Any]:
    value = p95(samples)
    return metric(value, "ms", p95(base)) | {
        "p50_ms": round(statistics.median(samples), 3),
        "baseline_p50_ms": round(statistics.median(base), 3),
        "target_ms": target,
        "meets_target": value <= target,
    }


def _bench_figures(rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.canteens.models import ServiceDay
    from rongxin.canteens.selectors.figures import service_series
    from rongxin.core import clock
    from rongxin.regions.models import Region
    from rongxin.synth.canteens_support import years_before

    county = Region.objects.get(level=Region.Level.COUNTY)
    today = clock.today_local()
    first = years_before(today, 3)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn('date')}, SUM({qn('eat_in')}), SUM({qn('delivered')}), SUM({qn('walk_ins')}), COUNT(*) "  # noqa: S608
        f"FROM {qn(ServiceDay._meta.db_table)} WHERE {qn('current')} AND {qn('date')} >= %s AND {qn('date')} <= %s "
        f"GROUP BY {qn('date')} ORDER BY {qn('date')}"
    )

    def series() -> Any:
        return service_series(region=county, date_from=first, date_to=today)

    def bare() -> list[Any]:
        with connection.cursor() as cur:
            cur.execute(sql, [first, today])
            return cur.fetchall()

    print("bench canteens: the county's daily figures…", file=sys.stderr)
    samples, shown = _timed(series, rounds)
    base, rows = _timed(bare, rounds)
    info = {
        "date_from": first.isoformat(),
        "date_to": today.isoformat(),
        "days": len(shown),
        "baseline_rows": len(rows),
        "service_days": sum(r[4] for r in rows),
        "same_totals": [(d.date, d.eat_in, d.delivered, d.walk_ins, d.canteens) for d in shown]
        == [(r[0] if isinstance(r[0], dt.date) else dt.date.fromisoformat(r[0]), *map(int, r[1:])) for r in rows],
        "rounds": rounds,
    }
    return _figure(samples, base, TARGET_FIGURES_MS), info


def _prepare_record(n_canteens: int) -> list[tuple[Any, Any, list[int]]]:
    """``n_canteens`` open canteens (the biggest villages first), each with ``ELDERS`` current
    elders (topped up) and its last WINDOW days cleared; each with its manager."""
    from django.db import transaction
    from django.db.models import Count, Q

    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.services import GrantSpec, user_create
    from rongxin.canteens.models import Canteen, Elder, Meal, ServiceDay
    from rongxin.core import clock
    from rongxin.subjects.models import Person, Subject
    from rongxin.synth.canteens_support import years_before

    today = clock.today_local()
    cutoff = years_before(today, 61)  # 60 or over on every day of the window
    since = today - dt.timedelta(days=WINDOW - 1)
    canteens = list(
        Canteen.objects.filter(status=Canteen.Status.OPEN)
        .annotate(n=Count("elders", filter=Q(elders__left_on__isnull=True)))
        .order_by("-n", "id")[:n_canteens]
    )
    enrolled = set(Elder.objects.values_list("subject_id", flat=True))
    out = []
    with transaction.atomic():
        for c in canteens:
            elders = list(
                Elder.objects.filter(canteen=c, left_on__isnull=True, enrolled_on__lte=since)
                .order_by("subject_id")
                .values_list("subject_id", flat=True)[:ELDERS]
            )
            for area in ({"village_id": c.village_id}, {"town_id": c.town_id}, {}):
                if len(elders) >= ELDERS:
                    break
                more = [
                    s
                    for s in Subject.objects.filter(
                        kind=Subject.Kind.PERSON,
                        person__residency=Person.Residency.RESIDENT,
                        person__birth_date__lte=cutoff,
                        **area,
                    )
                    .order_by("id")
                    .values_list("id", flat=True)[: ELDERS * 4]
                    if s not in enrolled
                ][: ELDERS - len(elders)]
                at = clock.now()
                Elder.objects.bulk_create(
                    [
                        Elder(
                            canteen=c, subject_id=s, village_id=c.village_id, enrolled_on=since - dt.timedelta(days=30),
                            consent_by=Elder.ConsentBy.SELF, consent_at=at, recorded_at=at,
                        )
                        for s in more
                    ]
                )  # fmt: skip
                enrolled.update(more)
                elders += more
            days = ServiceDay.objects.filter(canteen=c, date__gte=since)
            Meal.objects.filter(day__in=days).delete()
            days.delete()
            manager = user_create(
                actor=None,
                username=f"bench_canteen_{c.pk}",
                display_name="基准测试 食堂管理员",
                password=secrets.token_urlsafe(16),
                grants=[GrantSpec(role=Role.CANTEEN_MANAGER, region=c.village)],
                check_password=False,
            )
            out.append((c, manager, elders))
    return out


def _split(elders: list[int], shift: int) -> tuple[list[int], list[int]]:
    """Eat-in and delivered lists of a day: all but one elder (a different one each shift), one
    in ten delivered."""
    kept = [s for i, s in enumerate(elders) if i != shift % len(elders)] if len(elders) > 1 else elders
    return [s for i, s in enumerate(kept) if i % 10], [s for i, s in enumerate(kept) if not i % 10]


def _bare_writer() -> Callable[[int, int, dt.date, list[int], list[int]], None]:
    """The same writes as a record, in bare SQL: lock the canteen, flip the current revision and
    its meals, insert the day (RETURNING its id) and its meals (``executemany``)."""
    from django.db import connection, transaction

    from rongxin.canteens.models import Canteen, Meal, ServiceDay
    from rongxin.core import clock
    from rongxin.core.bulk import adapt_datetime

    qn = connection.ops.quote_name
    day_t, meal_t, canteen_t = (qn(m._meta.db_table) for m in (ServiceDay, Meal, Canteen))
    lock = f"SELECT {qn('id')} FROM {canteen_t} WHERE {qn('id')} = %s FOR UPDATE"  # noqa: S608
    if connection.vendor == "sqlite":
        lock = lock.replace(" FOR UPDATE", "")
    current = (
        f"SELECT {qn('id')}, {qn('revision')} FROM {day_t} "  # noqa: S608
        f"WHERE {qn('canteen_id')} = %s AND {qn('date')} = %s AND {qn('current')}"
    )
    flip_day = f"UPDATE {day_t} SET {qn('current')} = %s WHERE {qn('id')} = %s"  # noqa: S608
    flip_meals = f"UPDATE {meal_t} SET {qn('current')} = %s WHERE {qn('day_id')} = %s AND {qn('current')}"  # noqa: S608
    cols = ("canteen_id", "town_id", "date", "revision", "eat_in", "delivered", "walk_ins", "note", "recorded_at")
    insert_day = (
        f"INSERT INTO {day_t} ({', '.join(qn(c) for c in cols)}, {qn('current')}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(cols))}, %s) RETURNING {qn('id')}"
    )
    insert_meal = (
        f"INSERT INTO {meal_t} ({qn('day_id')}, {qn('subject_id')}, {qn('date')}, {qn('kind')}, {qn('current')}) "  # noqa: S608
        "VALUES (%s, %s, %s, %s, %s)"
    )

    def write(canteen_id: int, town_id: int, day: dt.date, eat: list[int], out: list[int]) -> None:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(lock, [canteen_id])
            cur.execute(current, [canteen_id, day])
            row = cur.fetchone()
            revision = 1
            if row is not None:
                cur.execute(flip_day, [False, row[0]])
                cur.execute(flip_meals, [False, row[0]])
                revision = row[1] + 1
            now = adapt_datetime(connection, clock.now())
            cur.execute(insert_day, [canteen_id, town_id, day, revision, len(eat), len(out), 1, "", now, True])
            day_id = cur.fetchone()[0]
            cur.executemany(
                insert_meal,
                [(day_id, s, day, "eat_in", True) for s in eat] + [(day_id, s, day, "delivered", True) for s in out],
            )

    return write


def _bench_record(rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from rongxin.canteens.models import Meal, ServiceDay
    from rongxin.canteens.services.service_days import service_day_record
    from rongxin.core import clock

    today = clock.today_local()
    prepared = _prepare_record(math.ceil((rounds + 1) / WINDOW))
    slots = [(c, m, e, today - dt.timedelta(days=k)) for k in range(WINDOW) for c, m, e in prepared][: rounds + 1]
    print(f"bench canteens: recording {len(slots)} days, twice…", file=sys.stderr)

    def record_all(shift: int) -> list[float]:
        samples = []
        for c, manager, elders, day in slots:
            eat, out = _split(elders, shift)
            t = time.perf_counter()
            service_day_record(actor=manager, canteen_id=c.pk, on=day, eat_in=eat, delivered=out, walk_ins=1)
            samples.append((time.perf_counter() - t) * 1000)
        return samples[1:]  # the first is a warm-up

    new = record_all(0)
    corrections = record_all(1)
    write = _bare_writer()
    far = today - dt.timedelta(days=3650)

    def bare_all() -> list[float]:
        samples = []
        for i, (c, _manager, elders, _day) in enumerate(slots):
            eat, out = _split(elders, 0)
            t = time.perf_counter()
            write(c.pk, c.town_id, far + dt.timedelta(days=i), eat, out)
            samples.append((time.perf_counter() - t) * 1000)
        return samples[1:]

    base_new = bare_all()
    base_corrections = bare_all()
    revisions = Counter(
        ServiceDay.objects.filter(
            canteen_id__in=[c.pk for c, *_ in prepared], date__gte=today - dt.timedelta(days=WINDOW - 1), current=True
        ).values_list("revision", flat=True)
    )
    meals = Meal.objects.filter(day__canteen_id=slots[0][0].pk, date=slots[0][3], current=True).count()
    samples, base = new + corrections, base_new + base_corrections
    info = {
        "canteens": len(prepared),
        "elders": [len(e) for _c, _m, e in prepared],
        "new_days": len(new),
        "corrections": len(corrections),
        "current_revisions": {str(k): v for k, v in sorted(revisions.items())},
        "meals_current_first_day": meals,
        "new_p95_ms": round(p95(new), 3),
        "correction_p95_ms": round(p95(corrections), 3),
        "baseline_new_p95_ms": round(p95(base_new), 3),
        "baseline_correction_p95_ms": round(p95(base_corrections), 3),
    }
    return _figure(samples, base, TARGET_RECORD_MS), info


def _child(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    rounds = ROUNDS if scale >= SMALL_SCALE else SMALL_ROUNDS
    load = _load(scale, seed, workers)
    figures_metric, figures_info = _bench_figures(rounds)
    record_metric, record_info = _bench_record(rounds)
    return {
        "metrics": {"record_p95_ms": record_metric, "figures_p95_ms": figures_metric},
        "load": load,
        "figures": figures_info,
        "record": record_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers), description="the child of `rongxin bench canteens` (internal)"
    )


if __name__ == "__main__":
    main()
