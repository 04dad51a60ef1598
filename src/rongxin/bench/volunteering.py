"""Benchmark ``volunteering``: check-in throughput against the production server, and the
month-end close of a month of participations into hours and credit.

    rongxin bench volunteering --scale 1.0 --json out.json   (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded: the county, the starter catalogues, three years of
credit history and of volunteering, the last 30 days of finished activities left awaiting
verification (their scans written, no records). The load is timed and reported, not a goal.
Then, each with a raw baseline measured in the same run:

- ``checkin_per_s`` (with ``p50_ms``, ``p95_ms`` and the server's CPU per request, from
  ``/proc``, which holds on a busy machine where rates do not): the documented production server
  (gunicorn, ``--workers`` = the cores, ``--threads 4`` as in the Procfile, ``RONGXIN_ENV=production``)
  on a free port against the scratch database. ``2,000 × scale`` volunteers (at least 200), each
  with an account and an API key, are confirmed for activities running now (20 a piece); a pool
  of 32 client threads, one keep-alive connection each, sends every volunteer's
  ``POST /api/v1/volunteering/scan`` check-in and then their check-out, each with the
  activity's current rotating code (:func:`rongxin.volunteering.domain.tokens.token_for`). Baseline: the
  same number of requests at the same concurrency for a static file (WhiteNoise) from the same
  server. Also reported, not a goal: ``GET /api/v1/accounts/me`` with the same keys (the API
  stack with key authentication and no write).
- ``close_month_seconds``: :func:`rongxin.volunteering.services.closing.close_activities` over
  the month's finished activities (about 3,000 × scale activities and 100,000 × scale
  participations) in one transaction with the activities locked: roster from the scans,
  service records, hours awards along the conversion policy, credit entries through the
  ledger, notices. Baseline: a bare ``executemany``/``COPY`` of the very same service-record
  rows into the same table (then rolled back).

Ratios: ``checkin_per_s`` is value ÷ baseline (share of the server's raw rate); times are
value ÷ baseline (how many times the raw write).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, result, scratch_run, server_version
from rongxin.bench.server import (
    CONCURRENCY,
    ME_PATH,
    STATIC_PATH,
    THREADS,
    Request,
    fire,
    free_port,
    start_server,
    stop_server,
    with_server_cpu,
)

OPEN_DAYS = 30
PER_ACTIVITY = 20
SCAN_PATH = "/api/v1/volunteering/scan"


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
    engine, child = scratch_run(
        "volunteering", scale=scale, seed=seed, engine_url=engine_url, workers=workers, static=True
    )
    body = {k: child[k] for k in ("metrics", "load", "close", "checkin")}
    out = result(
        "volunteering", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole
    )
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: runs with Django aimed at the scratch database ----------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.synth.generator import generate_county
    from rongxin.synth.history import generate_history
    from rongxin.synth.volunteering.load import generate_volunteering

    print("bench volunteering: loading the county and its history…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    history = generate_history(seed=seed, progress=False, workers=workers)
    print("bench volunteering: three years of volunteering…", file=sys.stderr)
    volunteering = generate_volunteering(scale=scale, seed=seed, workers=workers, open_days=OPEN_DAYS, progress=True)
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "history_entries": history.entries,
        "history_seconds": round(history.seconds, 1),
        "volunteering": volunteering.to_dict(),
    }


def _bench_close() -> tuple[dict[str, Any], dict[str, Any]]:
    """Close the month's finished activities; then time a bare write of the same records."""
    from django.db import connection, transaction

    from rongxin.core import clock
    from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
    from rongxin.credit.models import Entry
    from rongxin.synth.volunteering.rows import RECORD_FIELDS
    from rongxin.volunteering.models import Activity, ServiceRecord, Signup
    from rongxin.volunteering.services.closing import close_activities

    now = clock.now()
    month = {
        "status": Activity.Status.PUBLISHED,
        "ends_at__lte": now,
        "ends_at__gt": now - dt.timedelta(days=OPEN_DAYS),
    }
    participations = Signup.objects.filter(
        status=Signup.Status.CONFIRMED, **{f"activity__{k}": v for k, v in month.items()}
    ).count()
    entries_before = Entry.objects.filter(source=Entry.Source.VOLUNTEERING).count()
    print(f"bench volunteering: closing a month ({participations} participations)…", file=sys.stderr)
    with Stopwatch() as timed, transaction.atomic():
        activities = list(
            Activity.objects.select_for_update(of=("self",))
            .select_related("type", "team")
            .filter(**month)
            .order_by("ends_at", "pk")
        )
        closed = close_activities(activities=activities, actor=None, now=now)
    seconds = timed.wall
    ids = [a.pk for a in activities]
    fields = [f for f in RECORD_FIELDS if f != "id"]
    adapt = datetime_adapter(connection)
    rows: list[tuple[Any, ...]] = []
    for i in range(0, len(ids), 900):
        for r in ServiceRecord.objects.filter(activity_id__in=ids[i : i + 900], revision=1).values_list(
            *[f"{f}_id" if f in ("activity", "volunteer", "team", "recorder") else f for f in fields]
        ):
            row = dict(zip(fields, r, strict=True))
            row["revision"] = 9  # beside the real ones: (volunteer, activity, revision) is unique
            for k in ("started_at", "ended_at", "recorded_at"):
                row[k] = adapt(row[k])
            row["flags"] = json.dumps(row["flags"])
            row["service_date"] = row["service_date"].isoformat()
            rows.append(tuple(row[f] for f in fields))
    with transaction.atomic():
        writer = BulkWriter(connection)
        with Stopwatch() as base:
            writer.write(TableSpec.of(ServiceRecord, fields), rows)
        writer.close()
        transaction.set_rollback(True)
    figure = metric(seconds, "s", base.wall) | {"records_per_s": round(closed.records / seconds) if seconds else None}
    info = {
        "activities": closed.activities,
        "participations": participations,
        "records": closed.records,
        "hours": round(closed.minutes / 60),
        "awards_with_points": closed.awards,
        "points": closed.points,
        "credit_entries": Entry.objects.filter(source=Entry.Source.VOLUNTEERING).count() - entries_before,
        "without_time": len(closed.without_time),
        "seconds": round(seconds, 2),
        # This process only: on SQLite that includes the engine's work, on PostgreSQL not.
        "cpu_seconds": round(timed.cpu, 2),
        "baseline_write_seconds": round(base.wall, 3),
    }
    if closed.records != len(rows):
        raise RuntimeError(f"closed {closed.records} records but read back {len(rows)}")
    return figure, info


def _prepare_checkin(n: int) -> tuple[list[tuple[str, int, bytes]], list[int]]:
    """``n`` volunteers with accounts and API keys, confirmed for activities running now.
    Returns (key, activity id, activity secret) per volunteer, and the activity ids."""
    from django.db import transaction

    from rongxin.accounts.domain.credentials import api_key_hash, new_api_key
    from rongxin.accounts.models import ApiKey, User
    from rongxin.core import clock
    from rongxin.subjects.models import SubjectAccount
    from rongxin.volunteering.models import Activity, ActivityType, Signup, Team, Volunteer

    now = clock.now()
    volunteers = list(
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, subject__account_links__isnull=True)
        .order_by("subject_id")
        .values_list("subject_id", flat=True)[:n]
    )
    if len(volunteers) < n:
        raise RuntimeError(f"only {len(volunteers)} volunteers without an account")
    team = Team.objects.filter(tier=Team.Tier.TOWN_VILLAGE).select_related("region").order_by("id").first()
    kind = ActivityType.objects.get(code="community_service")
    assert team is not None
    out: list[tuple[str, int, bytes]] = []
    with transaction.atomic():
        activities = Activity.objects.bulk_create(
            [
                Activity(
                    team=team, type=kind, title=f"基准测试签到活动 {k + 1}", region=team.region, place="基准测试场地",
                    starts_at=now - dt.timedelta(minutes=10), ends_at=now + dt.timedelta(hours=3),
                    capacity=PER_ACTIVITY, signup_opens_at=now - dt.timedelta(days=2),
                    signup_closes_at=now - dt.timedelta(minutes=10), status=Activity.Status.PUBLISHED,
                    confirmed_count=min(PER_ACTIVITY, n - k * PER_ACTIVITY), qr_secret=secrets.token_bytes(32),
                    created_at=now - dt.timedelta(days=3), published_at=now - dt.timedelta(days=2),
                )
                for k in range(math.ceil(n / PER_ACTIVITY))
            ]
        )  # fmt: skip
        users = User.objects.bulk_create(
            [User(username=f"bench_volunteer_{vid}", display_name="基准测试志愿者") for vid in volunteers]
        )
        SubjectAccount.objects.bulk_create(
            [
                SubjectAccount(user=u, subject_id=vid, relation=SubjectAccount.Relation.SELF, created_at=now)
                for u, vid in zip(users, volunteers, strict=True)
            ]
        )
        keys = [new_api_key() for _ in users]
        ApiKey.objects.bulk_create(
            [
                ApiKey(user=u, name="bench", prefix=k[:8], key_hash=api_key_hash(k))
                for u, k in zip(users, keys, strict=True)
            ]
        )
        signups = []
        for i, vid in enumerate(volunteers):
            a = activities[i // PER_ACTIVITY]
            day_before = now - dt.timedelta(days=1)
            signups.append(
                Signup(
                    activity=a, volunteer_id=vid, status=Signup.Status.CONFIRMED, created_at=day_before,
                    changed_at=day_before,
                )
            )  # fmt: skip
            out.append((keys[i], a.pk, bytes(a.qr_secret)))
        Signup.objects.bulk_create(signups)
    return out, [a.pk for a in activities]


def _with_cpu_per_request(server: subprocess.Popen[bytes], work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``work()`` (a :func:`~rongxin.bench.server.fire`) and add the server's CPU
    milliseconds per request: a figure that holds on a busy machine, where rates and latencies
    do not."""
    out, ms = with_server_cpu(server, work)
    if ms is not None and out["requests"]:
        out["server_cpu_ms_per_request"] = round(ms / out["requests"], 2)
    return out


def _bench_checkin(scale: float, data_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    from rongxin.core import clock
    from rongxin.volunteering.domain import tokens
    from rongxin.volunteering.models import Scan

    n = max(200, round(2000 * scale))
    print(f"bench volunteering: {n} volunteers checking in and out…", file=sys.stderr)
    people, activity_ids = _prepare_checkin(n)
    workers = max(2, os.cpu_count() or 2)
    port = free_port()
    server = start_server(port, workers, data_dir / "gunicorn.log")
    try:

        def scan(key: str, activity_id: int, secret: bytes, kind: str) -> Request:
            def make() -> tuple[str, str, bytes | None, dict[str, str]]:
                token = tokens.token_for(secret=secret, activity_id=activity_id, at=clock.now())
                body = json.dumps({"token": token, "kind": kind}).encode()
                headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
                return "POST", SCAN_PATH, body, headers

            return make

        def get(path: str, key: str | None = None) -> Request:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return lambda: ("GET", path, None, headers)

        # Warm every worker (imports, connections) before measuring.
        fire(port, [get(STATIC_PATH)] * (workers * THREADS * 4), concurrency=workers * THREADS)
        fire(port, [get(ME_PATH, k) for k, _a, _s in people[: workers * THREADS * 2]], concurrency=workers * THREADS)
        static = _with_cpu_per_request(server, lambda: fire(port, [get(STATIC_PATH)] * (2 * n)))
        me = _with_cpu_per_request(server, lambda: fire(port, [get(ME_PATH, k) for k, _a, _s in people] * 2))
        checkins = _with_cpu_per_request(server, lambda: fire(port, [scan(k, a, s, "in") for k, a, s in people]))
        checkouts = _with_cpu_per_request(server, lambda: fire(port, [scan(k, a, s, "out") for k, a, s in people]))
    finally:
        stop_server(server)
    accepted = Scan.objects.filter(activity_id__in=activity_ids, accepted=True).count()
    seconds = checkins["seconds"] + checkouts["seconds"]
    rate = 2 * n / seconds if seconds else 0.0
    # Percentiles of the slower phase (check-in or check-out): the honest figure to report.
    latencies = {
        "p50_ms": max(checkins["p50_ms"] or 0, checkouts["p50_ms"] or 0),
        "p95_ms": max(checkins["p95_ms"] or 0, checkouts["p95_ms"] or 0),
    }
    cpu = [p["server_cpu_ms_per_request"] for p in (checkins, checkouts) if "server_cpu_ms_per_request" in p]
    figure = (
        metric(rate, "requests/s", static["per_s"])
        | latencies
        | {
            "baseline_p95_ms": static["p95_ms"],
            "server_cpu_ms_per_request": round(sum(cpu) / 2, 2) if len(cpu) == 2 else None,
        }
    )
    info = {
        "volunteers": n,
        "activities": len(activity_ids),
        "concurrency": CONCURRENCY,
        "server": f"gunicorn --workers {workers} --threads {THREADS} (RONGXIN_ENV=production)",
        "accepted_scans": accepted,
        "check_in": checkins,
        "check_out": checkouts,
        "baseline_static": static,
        "api_me": me,
    }
    if accepted != 2 * n:
        raise RuntimeError(f"{accepted} of {2 * n} scans accepted: {checkins['errors'] or checkouts['errors']}")
    return figure, info


def _child(scale: float, seed: int, workers: int | None, data_dir: Path) -> dict[str, Any]:
    load = _load(scale, seed, workers)
    close_metric, close_info = _bench_close()
    checkin_metric, checkin_info = _bench_checkin(scale, data_dir)
    return {
        "metrics": {"checkin_per_s": checkin_metric, "close_month_seconds": close_metric},
        "load": load,
        "close": close_info,
        "checkin": checkin_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers, Path(a.out).parent),
        description="the child of `rongxin bench volunteering` (internal)",
    )


if __name__ == "__main__":
    main()
