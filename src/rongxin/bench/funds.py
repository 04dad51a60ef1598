"""Benchmark ``funds``: a county-wide quarter's nominations for every town and village, and the
trial balance of every fund.

    rongxin bench funds --scale 1.0 --json out.json     (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county (``generate_county``), the starter
catalogues and the synthetic funds (``generate_funds``: at scale 1.0, 933 funds, three years of
the county fund, about ¥30 million in the village funds, quarterly meetings with paid awards and
their credit). When the nominations selector is present (the commendations branch), the three
years of credit history and of volunteering are loaded too, since nominations read grade rises,
good deeds and volunteer hours; without it they are skipped and the nominations figure is reported
as unavailable. The load is timed and reported, not a goal; then ``VACUUM (ANALYZE)``
(``ANALYZE`` on SQLite).

- ``nominations_seconds``: :func:`rongxin.funds.selectors.nominations.nominations_for_county` for
  the last quarter that has ended, median of :data:`NOMINATION_ROUNDS` runs after a warm-up.
  Baseline, in the same run: the three grouped reads it cannot do without, in bare SQL and
  fetched (each subject's current volunteer minutes in the quarter by village, the awards recorded
  in the quarter by subject, the grade changes in the quarter by subject). Target ≤ 30 s.
- ``trial_balance_seconds``: :func:`rongxin.funds.selectors.books.trial_balance_all`, median of
  :data:`ROUNDS` runs after a warm-up. Baseline: the same sums in one bare ``SELECT … GROUP BY``
  over the lines joined to their accounts, fetched. Target ≤ 5 s.

Ratios are value ÷ baseline (how many times the bare SQL).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, result, scratch_run, server_version

ROUNDS = 5
NOMINATION_ROUNDS = 3
TARGET_NOMINATIONS_S = 30.0
TARGET_TRIAL_S = 5.0
NOMINATIONS_MODULE = "rongxin.funds.selectors.nominations"


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
    engine, child = scratch_run("funds", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "load", "nominations", "trial_balance")}
    out = result("funds", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


def nominations_available() -> bool:
    try:
        return importlib.util.find_spec(NOMINATIONS_MODULE) is not None
    except ModuleNotFoundError:
        return False


# --- Child: runs with Django aimed at the scratch database ----------------------------------------
def _load(scale: float, seed: int, workers: int | None, sources: bool) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.synth.funds import generate_funds
    from rongxin.synth.generator import generate_county

    print("bench funds: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    now = clock.now()
    out: dict[str, Any] = {"subjects": county.counts["subjects"], "county_seconds": round(county.seconds, 1)}
    if sources:
        from rongxin.synth.history import generate_history
        from rongxin.synth.volunteering.load import generate_volunteering

        print("bench funds: three years of credit history and volunteering…", file=sys.stderr)
        history = generate_history(seed=seed, progress=False, now=now)
        volunteering = generate_volunteering(scale=scale, seed=seed, progress=False, workers=workers, now=now)
        out |= {"history_seconds": round(history.seconds, 1), "volunteering_seconds": round(volunteering.seconds, 1)}
    print("bench funds: the funds, meetings and awards…", file=sys.stderr)
    funds = generate_funds(seed=seed, now=now, scale=scale)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return out | {"funds_seconds": round(funds.seconds, 1), "funds": funds.counts}


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    out = fn()  # warm-up
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t)
    return samples, out


def _figure(samples: list[float], base: list[float], target: float) -> dict[str, Any]:
    value = statistics.median(samples)
    return metric(round(value, 4), "s", round(statistics.median(base), 4)) | {
        "max_s": round(max(samples), 4),
        "target_s": target,
        "meets_target": value <= target,
    }


def _last_quarter() -> tuple[int, int, dt.date, dt.date]:
    from rongxin.core import clock

    today = clock.today_local()
    year, quarter = today.year, (today.month - 1) // 3  # the quarter before the current one
    if quarter == 0:
        year, quarter = year - 1, 4
    first = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return year, quarter, first, following


def _bench_nominations(rounds: int) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.credit.models import Entry, GradeChange
    from rongxin.regions.models import Region
    from rongxin.subjects.models import Subject
    from rongxin.volunteering.models import ServiceRecord

    year, quarter, first, following = _last_quarter()
    info: dict[str, Any] = {"year": year, "quarter": quarter}
    if not nominations_available():
        print("bench funds: nominations_for_county is not on this branch; skipped.", file=sys.stderr)
        return None, info | {"available": False, "why": f"{NOMINATIONS_MODULE}.nominations_for_county is missing"}
    module = importlib.import_module(NOMINATIONS_MODULE)
    county = Region.objects.get(level=Region.Level.COUNTY)
    since = dt.datetime(first.year, first.month, first.day, tzinfo=clock.LOCAL_TZ)
    until = dt.datetime(following.year, following.month, following.day, tzinfo=clock.LOCAL_TZ)
    qn = connection.ops.quote_name
    s, r, e, g = (qn(m._meta.db_table) for m in (Subject, ServiceRecord, Entry, GradeChange))
    statements: list[tuple[str, list[Any]]] = [
        (
            f"SELECT {s}.{qn('village_id')}, {r}.{qn('volunteer_id')}, SUM({r}.{qn('minutes')}) FROM {r} "  # noqa: S608
            f"JOIN {s} ON {s}.{qn('id')} = {r}.{qn('volunteer_id')} WHERE {r}.{qn('current')} "
            f"AND {r}.{qn('service_date')} >= %s AND {r}.{qn('service_date')} < %s "
            f"GROUP BY {s}.{qn('village_id')}, {r}.{qn('volunteer_id')}",
            [first, following],
        ),
        (
            f"SELECT {qn('subject_id')}, COUNT(*) FROM {e} WHERE {qn('points')} > 0 "  # noqa: S608
            f"AND {qn('occurred_at')} >= %s AND {qn('occurred_at')} < %s GROUP BY {qn('subject_id')}",
            [since, until],
        ),
        (
            f"SELECT {qn('subject_id')}, MIN({qn('old_grade')}), MAX({qn('new_grade')}) FROM {g} "  # noqa: S608
            f"WHERE {qn('at')} >= %s AND {qn('at')} < %s GROUP BY {qn('subject_id')}",
            [since, until],
        ),
    ]

    def selector() -> Any:
        return module.nominations_for_county(county=county, year=year, quarter=quarter)

    def bare() -> list[int]:
        sizes = []
        with connection.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                sizes.append(len(cur.fetchall()))
        return sizes

    print(f"bench funds: the county's nominations for {year} Q{quarter}…", file=sys.stderr)
    samples, shown = _timed(selector, rounds)
    base, sizes = _timed(bare, rounds)
    info |= {
        "available": True,
        "regions": len(shown),
        "proposals": sum(len(v) for v in shown.values()),
        "baseline_rows": sizes,
        "rounds": rounds,
    }
    return _figure(samples, base, TARGET_NOMINATIONS_S), info


def _bench_trial(rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from decimal import Decimal

    from django.db import connection

    from rongxin.funds.models import Account, JournalLine
    from rongxin.funds.selectors.books import trial_balance_all

    qn = connection.ops.quote_name
    lines, accounts = qn(JournalLine._meta.db_table), qn(Account._meta.db_table)
    amount = f"{lines}.{qn('amount')}"
    sql = (
        f"SELECT {accounts}.{qn('fund_id')}, SUM(CASE WHEN {amount} > 0 THEN {amount} ELSE 0 END), "  # noqa: S608
        f"SUM(CASE WHEN {amount} < 0 THEN -{amount} ELSE 0 END) FROM {lines} "
        f"JOIN {accounts} ON {accounts}.{qn('id')} = {lines}.{qn('account_id')} "
        f"GROUP BY {accounts}.{qn('fund_id')} ORDER BY {accounts}.{qn('fund_id')}"
    )

    def bare() -> list[Any]:
        with connection.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    print("bench funds: the trial balance of every fund…", file=sys.stderr)
    samples, shown = _timed(trial_balance_all, rounds)
    base, rows = _timed(bare, rounds)
    with_lines = [t for t in shown if t.debits or t.credits]
    info = {
        "funds": len(shown),
        "lines": JournalLine.objects.count(),
        "balanced": all(t.debits == t.credits for t in shown),
        "mismatched_accounts": sum(t.mismatched_accounts for t in shown),
        "same_totals": [(t.fund_id, t.debits, t.credits) for t in with_lines]
        == [(int(f), Decimal(d).quantize(Decimal("0.01")), Decimal(c).quantize(Decimal("0.01"))) for f, d, c in rows],
        "rounds": rounds,
    }
    return _figure(samples, base, TARGET_TRIAL_S), info


def _child(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    sources = nominations_available()
    load = _load(scale, seed, workers, sources)
    nominations_metric, nominations_info = _bench_nominations(NOMINATION_ROUNDS)
    trial_metric, trial_info = _bench_trial(ROUNDS)
    metrics: dict[str, Any] = {"nominations_seconds": nominations_metric, "trial_balance_seconds": trial_metric}
    if nominations_metric is None:
        metrics["nominations_seconds"] = {"value": None, "unit": "s", "available": False}
    return {
        "metrics": metrics,
        "load": load,
        "nominations": nominations_info,
        "trial_balance": trial_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers), description="the child of `rongxin bench funds` (internal)"
    )


if __name__ == "__main__":
    main()
