"""Benchmark ``lectures``: the quota board and the coverage page over three years of lectures,
and closing a session of 500 listeners.

    rongxin bench lectures --scale 1.0 --json out.json     (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county (``generate_county``), the starter
catalogues and three years of synthetic lectures (``generate_lectures``: at scale 1.0, 124 heads
with the bimonthly quota, about 10,000 closed sessions in 910 villages, 600,000 listeners). The
load is timed and reported, not a goal; then ``VACUUM (ANALYZE)`` (``ANALYZE`` on SQLite). A
lecture administrator (department recorder of ``publicity`` at county level) is the actor.

- ``quota_board_p95_ms``: :func:`rongxin.lectures.selectors.quota.quota_board` for every head over
  the three years (``first`` = the start of the period three years back, ``last`` = today), the
  board built (a cell per head and period), :data:`ROUNDS` times after one warm-up run.
  Baseline: a bare ``SELECT`` of the same rows (the counting closed sessions' speaker and start
  in the range), fetched.
- ``coverage_p95_ms``: :func:`rongxin.lectures.selectors.figures.coverage` for today (every
  village, ``months`` its default), the same way. Baseline: a bare
  ``SELECT`` of every village with its last closed session and their number (one grouped
  query), fetched.
- ``session_close_seconds``: :func:`rongxin.lectures.services.closing.session_close` of a session
  held in the last hours with 500 listeners (checked in by QR) and one speaker: attendance to
  credit through the credit engine, the flags, the order. Target ≤ 2 s (``target_s``); the
  baseline is a bare ``SELECT`` of the session's attendance rows.

Ratios are value ÷ baseline (how many times the bare ``SELECT``).
"""

from __future__ import annotations

import datetime as dt
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version

ROUNDS = 20
CLOSE_LISTENERS = 500
TARGET_P95_MS = 200.0
TARGET_CLOSE_S = 2.0


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
    engine, child = scratch_run("lectures", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "load", "quota_board", "coverage", "session_close")}
    out = result("lectures", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


def _local_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    from rongxin.core import clock

    tz = clock.LOCAL_TZ
    return (
        dt.datetime(first.year, first.month, first.day, tzinfo=tz),
        dt.datetime(last.year, last.month, last.day, tzinfo=tz) + dt.timedelta(days=1),
    )


# --- Child: runs with Django aimed at the scratch database ----------------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.synth.generator import generate_county
    from rongxin.synth.lectures import generate_lectures

    print("bench lectures: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    print("bench lectures: three years of lectures…", file=sys.stderr)
    lectures = generate_lectures(seed=seed, now=clock.now(), scale=scale)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "lectures_seconds": round(lectures.seconds, 1),
        "lectures_credit_seconds": round(lectures.credit_seconds, 1),
        "lectures": lectures.counts,
    }


def _admin() -> Any:
    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.models import Department
    from rongxin.accounts.services import GrantSpec, user_create
    from rongxin.regions.models import Region

    county = Region.objects.get(level=Region.Level.COUNTY)
    publicity = Department.objects.get(code="publicity")
    return user_create(
        actor=None,
        username="bench_publicity",
        display_name="基准测试 宣讲管理员",
        password=secrets.token_urlsafe(16),
        grants=[GrantSpec(role=Role.DEPARTMENT_RECORDER, region=county, department=publicity)],
        check_password=False,
    )


def _timed(fn: Callable[[], Any], rounds: int) -> tuple[list[float], Any]:
    out = fn()  # warm-up
    samples = []
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples, out


def _figure(samples: list[float], base: list[float]) -> dict[str, Any]:
    return metric(p95(samples), "ms", p95(base)) | {
        "p50_ms": round(statistics.median(samples), 3),
        "baseline_p50_ms": round(statistics.median(base), 3),
        "target_ms": TARGET_P95_MS,
    }


def _bench_quota(admin: Any, rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.lectures.domain.periods import period_containing
    from rongxin.lectures.models import Session, SessionSpeaker, Speaker

    today = clock.today_local()
    first = period_containing(dt.date(today.year - 3, today.month, 1), 2).start
    from rongxin.lectures.selectors.quota import quota_board

    def board() -> Any:
        return quota_board(actor=admin, first=first, last=today)

    start, end = _local_bounds(first, today)
    qn = connection.ops.quote_name
    sql = (
        f"SELECT ss.{qn('speaker_id')}, s.{qn('starts_at')} FROM {qn(SessionSpeaker._meta.db_table)} ss "  # noqa: S608
        f"JOIN {qn(Session._meta.db_table)} s ON s.{qn('id')} = ss.{qn('session_id')} "
        f"JOIN {qn(Speaker._meta.db_table)} h ON h.{qn('id')} = ss.{qn('speaker_id')} "
        f"WHERE ss.{qn('counts_for_quota')} AND s.{qn('status')} = %s AND h.{qn('kind')} = %s "
        f"AND s.{qn('starts_at')} >= %s AND s.{qn('starts_at')} < %s"
    )

    def bare() -> list[Any]:
        with connection.cursor() as cur:
            cur.execute(sql, ["closed", "head", start, end])
            return cur.fetchall()

    print("bench lectures: the quota board…", file=sys.stderr)
    samples, shown = _timed(board, rounds)
    base, bare_rows = _timed(bare, rounds)
    heads = Speaker.objects.filter(kind="head", quota_since__isnull=False).count()
    info = {
        "heads": heads,
        "heads_on_board": len(shown.rows),
        "periods": len(shown.periods),
        "cells": dict(shown.totals),
        "first": first.isoformat(),
        "last": today.isoformat(),
        "baseline_rows": len(bare_rows),
        "rounds": rounds,
    }
    return _figure(samples, base), info


def _bench_coverage(admin: Any, rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.lectures.models import Session
    from rongxin.regions.models import Region

    today = clock.today_local()
    from rongxin.lectures.selectors.figures import coverage

    def cover() -> Any:
        return coverage(actor=admin, on=today)

    qn = connection.ops.quote_name
    sql = (
        f"SELECT r.{qn('id')}, r.{qn('name')}, MAX(s.{qn('starts_at')}), COUNT(s.{qn('id')}) "  # noqa: S608
        f"FROM {qn(Region._meta.db_table)} r LEFT JOIN {qn(Session._meta.db_table)} s "
        f"ON s.{qn('region_id')} = r.{qn('id')} AND s.{qn('status')} = %s "
        f"WHERE r.{qn('level')} = %s GROUP BY r.{qn('id')}, r.{qn('name')}"
    )

    def bare() -> list[Any]:
        with connection.cursor() as cur:
            cur.execute(sql, ["closed", "village"])
            return cur.fetchall()

    print("bench lectures: the coverage…", file=sys.stderr)
    samples, out = _timed(cover, rounds)
    base, bare_rows = _timed(bare, rounds)
    info = {
        "villages": Region.objects.filter(level=Region.Level.VILLAGE).count(),
        "baseline_rows": len(bare_rows),
        "rows": out.villages,
        "covered": out.covered,
        "on": today.isoformat(),
        "rounds": rounds,
    }
    return _figure(samples, base), info


def _prepare_close() -> tuple[int, list[int]]:
    """A session held in the last hours by a lecture team in a village, one speaker, 500
    consenting listeners checked in by QR; its id and the listeners."""
    from django.db import transaction

    from rongxin.core import clock, rotating
    from rongxin.lectures.models import Attendance, Session, SessionSpeaker, Speaker
    from rongxin.regions.models import Region
    from rongxin.subjects.models import Subject

    now = clock.now()
    speaker = Speaker.objects.filter(kind=Speaker.Kind.TEAM_MEMBER, team__isnull=False).order_by("id").first()
    if speaker is None or speaker.team is None:
        raise RuntimeError("no lecture-team speaker: the lectures load is missing")
    team = speaker.team
    villages = Region.objects.filter(level=Region.Level.VILLAGE, prefix__startswith=team.region.prefix)
    region = villages.order_by("code").first()
    if region is None or region.parent is None:
        raise RuntimeError("no village for the lecture team")
    town = region.parent
    listeners = list(
        Subject.objects.filter(kind="person", person__consent_given=True, person__birth_date__year__lte=2000)
        .exclude(pk=speaker.subject_id or 0)
        .order_by("id")
        .values_list("id", flat=True)[:CLOSE_LISTENERS]
    )
    starts = now - dt.timedelta(hours=2)
    with transaction.atomic():
        session = Session.objects.create(
            title="基准测试：五百人宣讲",
            team=team,
            region=region,
            town=town,
            place_kind=Session.PlaceKind.OTHER,
            place="基准测试场地",
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=90),
            qr_secret=rotating.new_secret(),
            listener_count=len(listeners),
            created_at=now - dt.timedelta(days=3),
        )
        SessionSpeaker.objects.create(session=session, speaker=speaker)
        Attendance.objects.bulk_create(
            [
                Attendance(
                    session=session,
                    subject_id=sid,
                    method=Attendance.Method.QR,
                    at=starts + dt.timedelta(seconds=i % 900),
                    token_step=rotating.step_at(starts + dt.timedelta(seconds=i % 900)),
                )
                for i, sid in enumerate(listeners)
            ],
            batch_size=500,
        )
    return session.pk, listeners


def _bench_close(admin: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection

    from rongxin.credit.models import Entry
    from rongxin.lectures.models import Attendance
    from rongxin.lectures.services.closing import session_close

    session_id, listeners = _prepare_close()
    before = Entry.objects.filter(source="lecture").count()
    print(f"bench lectures: closing a session of {len(listeners)} listeners…", file=sys.stderr)
    with Stopwatch() as timed:
        closed = session_close(actor=admin, session_id=session_id, audience_count=len(listeners))
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn('subject_id')}, {qn('method')}, {qn('at')} FROM {qn(Attendance._meta.db_table)} "  # noqa: S608
        f"WHERE {qn('session_id')} = %s"
    )
    with Stopwatch() as base, connection.cursor() as cur:
        cur.execute(sql, [session_id])
        rows = cur.fetchall()
    figure = metric(timed.wall, "s", base.wall) | {
        "target_s": TARGET_CLOSE_S,
        "meets_target": timed.wall <= TARGET_CLOSE_S,
    }
    info = {
        "listeners": len(listeners),
        "baseline_rows": len(rows),
        "credit_entries": Entry.objects.filter(source="lecture").count() - before,
        "seconds": round(timed.wall, 3),
        "cpu_seconds": round(timed.cpu, 3),
        "result": repr(closed)[:300],
    }
    return figure, info


def _child(scale: float, seed: int, workers: int | None, rounds: int = ROUNDS) -> dict[str, Any]:
    load = _load(scale, seed, workers)
    admin = _admin()
    quota_metric, quota_info = _bench_quota(admin, rounds)
    coverage_metric, coverage_info = _bench_coverage(admin, rounds)
    close_metric, close_info = _bench_close(admin)
    return {
        "metrics": {
            "quota_board_p95_ms": quota_metric,
            "coverage_p95_ms": coverage_metric,
            "session_close_seconds": close_metric,
        },
        "load": load,
        "quota_board": quota_info,
        "coverage": coverage_info,
        "session_close": close_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers),
        description="the child of `rongxin bench lectures` (internal)",
    )


if __name__ == "__main__":
    main()
