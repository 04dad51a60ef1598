"""Benchmark ``credit``: the credit engine over a full county with three years of history.

    rongxin bench credit --scale 1.0 --json out.json      (DATABASE_URL=postgresql://... for PostgreSQL)

A scratch database is migrated and loaded (county, starter catalogues, history; the load is
timed and reported but is not a goal). Then, in the same run, each figure with its raw-engine
baseline:

- ``import_entries_per_s``: a CSV of ``200,000 × scale`` traffic-police records imported end to
  end (parse, check every row, chain and hash, insert, refresh scores, commit), against a bare
  ``executemany``/``COPY`` of the very same entry rows (built first, untimed, then rolled back);
- ``reconcile_seconds``: ``rongxin credit reconcile`` over the full history, against one bare
  ``SELECT subject_id, SUM(points) … GROUP BY subject_id`` over the entry table;
- ``simulate_seconds``: a policy simulation of a draft person catalogue, same baseline;
- ``record_p95_ms``: ``POST /api/v1/credit/entries`` through the whole Django stack (session,
  CSRF-exempt API key, service, audit), against a bare one-row ``INSERT`` and commit;
- ``explanation_p95_ms``: the staff file page with the credit explanation (audited read),
  against a bare ``SELECT`` of one subject's entries.

Ratios are value ÷ baseline for times (how many times slower than the raw engine) and
value ÷ baseline for rates (share of the raw engine's rate).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import secrets
import statistics
import sys
import time
from typing import Any, TextIO

from rongxin.bench.harness import Stopwatch, child_main, emit_result, metric, p95, result, scratch_run, server_version

RECORD_CALLS = 300
EXPLANATION_CALLS = 300


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
    engine, child = scratch_run("credit", scale=scale, seed=seed, engine_url=engine_url, workers=workers)
    body = {k: child[k] for k in ("metrics", "load", "import")}
    out = result("credit", scale=scale, engine=engine, body=body, server_version=child["server_version"], whole=whole)
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: runs with Django aimed at the scratch database ----------------------------------
def _load(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    from rongxin.credit.services.catalogue import catalogue_load_starters
    from rongxin.synth.generator import generate_county
    from rongxin.synth.history import generate_history

    print("bench credit: loading the county…", file=sys.stderr)
    county = generate_county(scale=scale, seed=seed, progress=False, workers=workers)
    catalogue_load_starters()
    print("bench credit: three years of history…", file=sys.stderr)
    history = generate_history(seed=seed, progress=True, workers=workers)
    return {
        "subjects": county.counts["subjects"],
        "county_seconds": round(county.seconds, 1),
        "history_entries": history.entries,
        "history_transitions": history.transitions,
        "history_seconds": round(history.seconds, 1),
    }


def _import_file(rng: random.Random, rows: int) -> tuple[bytes, int]:
    from rongxin.core import clock, pii
    from rongxin.credit.selectors.catalogues import catalogue_in_force
    from rongxin.subjects.models import Person

    catalogue = catalogue_in_force(subject_kind="person", on=clock.today_local())
    assert catalogue is not None
    rules = [
        r
        for r in catalogue.rules.prefetch_related("departments")
        if "traffic_police" in {d.code for d in r.departments.all()}
        and r.yearly_cap_count is None
        and r.yearly_cap_points is None
        and not r.review_required
    ]
    ids = list(Person.objects.values_list("subject_id", flat=True))
    chosen = sorted(rng.sample(ids, min(rows, len(ids))))
    encrypted = dict(Person.objects.filter(pk__in=chosen).values_list("subject_id", "id_number_encrypted"))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["证件号码", "规则编码", "分值", "发生时间", "证据", "记录编号"])
    today = clock.today_local()
    for n, sid in enumerate(chosen):
        rule = rng.choice(rules)
        points = rng.randint(rule.points_min, rule.points_max)
        day = today - dt.timedelta(days=rng.randint(1, 25))
        w.writerow(
            [pii.decrypt(encrypted[sid]), rule.code, points, day.isoformat(), "电子警察抓拍记录", f"BENCH-{n:07d}"]
        )
    return out.getvalue().encode("utf-8"), len(chosen)


def _bench_import(rng: random.Random, scale: float) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection, transaction

    from rongxin.accounts.models import Department
    from rongxin.core import clock
    from rongxin.core.bulk import BulkWriter, TableSpec
    from rongxin.credit.models import Entry
    from rongxin.credit.selectors.imports import read_rows
    from rongxin.credit.services.bulk import ENTRY_FIELDS, prepare_append
    from rongxin.credit.services.import_check import check_rows
    from rongxin.credit.services.imports import import_create, import_process

    rows = max(1000, int(200_000 * scale))
    content, rows = _import_file(rng, rows)
    department = Department.objects.get(code="traffic_police")
    # Baseline: the same entry rows, built untimed, written bare, rolled back.
    with transaction.atomic():
        checked = check_rows(
            rows=read_rows(file_name="bench.csv", content=content), department=department, actor=None, now=clock.now()
        )
        prepared = prepare_append(entries=checked.entries)
        writer = BulkWriter(connection)
        with Stopwatch() as base:
            writer.write(TableSpec.of(Entry, ENTRY_FIELDS), prepared.entry_rows)
        writer.close()
        transaction.set_rollback(True)
    print("bench credit: import…", file=sys.stderr)
    with Stopwatch() as timed:
        batch = import_create(actor=None, department_code="traffic_police", file_name="bench.csv", content=content)
        batch = import_process(batch_id=batch.pk)
    if batch.created != rows:
        raise RuntimeError(f"import created {batch.created} of {rows} rows: {batch.errors[:3]}")
    figure = metric(rows / timed.wall, "entries/s", rows / base.wall)
    return figure, {
        "rows": rows,
        "seconds": round(timed.wall, 2),
        "baseline_write_seconds": round(base.wall, 2),
        "status": batch.status,
    }


def _scan_seconds() -> float:
    from django.db import connection

    with Stopwatch() as t, connection.cursor() as cur:
        cur.execute("SELECT subject_id, SUM(points) FROM credit_entry GROUP BY subject_id")
        while cur.fetchmany(50_000):
            pass
    return t.wall


def _bench_reconcile() -> dict[str, Any]:
    from rongxin.credit.services.reconcile import credit_reconcile_fast
    from rongxin.credit.services.scores import credit_apply_time_changes

    # What the worker does every minute: entries whose period ended while the bench ran stop
    # counting. Not part of the timed reconcile.
    with Stopwatch() as catch_up:
        refreshed = credit_apply_time_changes()
    print("bench credit: reconcile…", file=sys.stderr)
    base = _scan_seconds()
    with Stopwatch() as timed:
        checked, drifts = credit_reconcile_fast()
    if drifts:
        raise RuntimeError(f"reconcile found drift: {drifts[:3]}")
    return metric(timed.wall, "s", base) | {
        "subjects": checked,
        "time_changes_applied": refreshed,
        "time_changes_seconds": round(catch_up.wall, 2),
    }


def _bench_simulation() -> dict[str, Any]:
    from rongxin.credit.models import SubjectKind
    from rongxin.credit.selectors.simulation import credit_simulate
    from rongxin.credit.services.catalogue import STARTER_FILES, catalogue_document_from_yaml, catalogue_draft_create

    print("bench credit: simulation…", file=sys.stderr)
    doc = catalogue_document_from_yaml(STARTER_FILES[SubjectKind.PERSON].read_text())
    doc["effective_from"] = "2099-01-01"
    doc["grades"][2]["min"] += 10  # grade A needs 10 more points
    for rule in doc["rules"]:
        if rule["category"] == "traffic" and rule.get("points"):
            rule["points"] += 2
    draft = catalogue_draft_create(actor=None, document=doc)
    base = _scan_seconds()
    result = credit_simulate(draft_id=draft.pk)
    return metric(result.seconds, "s", base) | {"subjects": result.subjects, "changed": result.changed}


def _bench_requests(rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    from django.db import connection, transaction
    from django.test import Client

    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.models import Department
    from rongxin.accounts.services import GrantSpec, api_key_create, user_create
    from rongxin.core import clock
    from rongxin.credit.models import Entry
    from rongxin.regions.models import Region
    from rongxin.subjects.models import Person

    county = Region.objects.get(level="county")
    recorder = user_create(
        actor=None,
        username="bench_recorder",
        display_name="bench",
        password=secrets.token_urlsafe(16),
        grants=[
            GrantSpec(
                role=Role.DEPARTMENT_RECORDER, region=county, department=Department.objects.get(code="traffic_police")
            )
        ],
    )
    office = user_create(
        actor=None,
        username="bench_office",
        display_name="bench",
        password=secrets.token_urlsafe(16),
        grants=[GrantSpec(role=Role.COUNTY_CREDIT_OFFICE, region=county)],
    )
    _, key = api_key_create(actor=None, user=recorder, name="bench")
    persons = list(Person.objects.values_list("subject_id", flat=True))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    print("bench credit: one-entry requests…", file=sys.stderr)
    samples: list[float] = []
    now = clock.now()
    for n in range(RECORD_CALLS):
        payload = {
            "subject_id": rng.choice(persons),
            "rule_code": "P-TRA-04",
            "occurred_at": (now - dt.timedelta(hours=2)).isoformat(),
            "evidence": "电子警察抓拍记录",
            "source_key": f"bench-record-{n}",
        }
        t = time.perf_counter()
        r = api.post("/api/v1/credit/entries", data=json.dumps(payload), content_type="application/json")
        samples.append((time.perf_counter() - t) * 1000)
        if r.status_code not in (201, 422):  # 422: the rule's yearly cap for that person
            raise RuntimeError(f"record failed: {r.status_code} {r.content[:300]!r}")
    base: list[float] = []
    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_probe (id integer primary key, subject_id bigint, points integer, at varchar(40))"
        )
    for n in range(RECORD_CALLS):
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "INSERT INTO bench_probe (id, subject_id, points, at) VALUES (%s, %s, %s, %s)", [n + 1, n, -5, "x"]
            )
        base.append((time.perf_counter() - t) * 1000)
    record = metric(p95(samples), "ms", p95(base)) | {
        "p50": round(statistics.median(samples), 2),
        "calls": RECORD_CALLS,
    }
    print("bench credit: explanation pages…", file=sys.stderr)
    page = Client()
    page.force_login(office)
    with_entries = list(Entry.objects.values_list("subject_id", flat=True).distinct()[:20000])
    samples, base = [], []
    for _ in range(EXPLANATION_CALLS):
        sid = rng.choice(with_entries)
        t = time.perf_counter()
        r = page.get(f"/subjects/{sid}/", {"purpose": "review"})
        samples.append((time.perf_counter() - t) * 1000)
        if r.status_code != 200:
            raise RuntimeError(f"explanation page failed: {r.status_code}")
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM credit_entry WHERE subject_id = %s", [sid])
            cur.fetchall()
        base.append((time.perf_counter() - t) * 1000)
    explanation = metric(p95(samples), "ms", p95(base)) | {
        "p50": round(statistics.median(samples), 2),
        "calls": EXPLANATION_CALLS,
    }
    return record, explanation


def _child(scale: float, seed: int, workers: int | None) -> dict[str, Any]:
    rng = random.Random(seed)  # noqa: S311 - benchmark sampling
    load = _load(scale, seed, workers)
    import_metric, import_info = _bench_import(rng, scale)
    reconcile = _bench_reconcile()
    simulate = _bench_simulation()
    record, explanation = _bench_requests(rng)
    return {
        "metrics": {
            "import_entries_per_s": import_metric,
            "reconcile_seconds": reconcile,
            "simulate_seconds": simulate,
            "record_p95_ms": record,
            "explanation_p95_ms": explanation,
        },
        "load": load,
        "import": import_info,
        "server_version": server_version(),
    }


def main() -> None:
    child_main(
        lambda a: _child(a.scale, a.seed, a.workers), description="the child of `rongxin bench credit` (internal)"
    )


if __name__ == "__main__":
    main()
