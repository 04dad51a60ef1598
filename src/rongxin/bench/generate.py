"""Benchmark ``generate``: the synthetic county loader against a bare bulk insert of the same rows.

    rongxin bench generate --scale 1.0 --json out.json [--engine-url URL]

Two scratch databases are created, both migrated with Django's ``migrate`` (same schema, same
indexes):

1. *generate*: ``generate_county`` runs as ``rongxin generate`` would: planning, row building,
   encryption, hashing and inserting, timed from the call to the commit.
2. *baseline*: the same rows (same seed, scale and as-of day) are built first, untimed; then
   only the writes are timed: the same :class:`~rongxin.core.bulk.BulkWriter` (bare
   ``executemany`` on SQLite, ``COPY`` on PostgreSQL, the fastest raw method of each engine),
   the same tables, chunks and single transaction.

``ratio = generate rows/s ÷ baseline rows/s``: 1.0 means generating costs nothing beyond the
inserts.

Why subprocesses: each phase runs as ``python -m rongxin.bench.generate --phase ...`` with
``DATABASE_URL`` and ``RONGXIN_DATA_DIR`` pointing at its scratch database
(:mod:`rongxin.bench.harness`): a fresh process aims all of Django (the ORM, the generator's
queries, the audit log, migrate) at another database, and gives each phase a clean heap and
page cache state of its own. The children get the parent's ``RONGXIN_SECRET_KEY`` and
``RONGXIN_PII_KEY`` so that they encrypt under the same key.

Scratch databases: on SQLite, files in a temporary directory; on PostgreSQL (``--engine-url``
or ``DATABASE_URL`` is ``postgresql://...``), databases ``rongxin_bench_<pid>_generate`` and
``..._baseline`` created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
from typing import Any, TextIO

from rongxin.bench.harness import (
    Stopwatch,
    child_env,
    child_main,
    emit_result,
    metric,
    result,
    run_child,
    run_python,
    scratch_databases,
    server_version,
)

PHASES = ("generate", "baseline")


# --- Parent: scratch databases and subprocesses -----------------------------------------
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
    """Run the benchmark; print the JSON result to ``stdout`` and write it to ``json_path``."""
    from rongxin.core import clock

    engine_url = engine_url or os.environ.get("DATABASE_URL", "")
    as_of = clock.today_local().isoformat()
    whole = Stopwatch()
    with scratch_databases(engine_url, PHASES) as (engine, urls, data_dir):
        results: dict[str, dict] = {}
        migrate_seconds: dict[str, float] = {}
        for phase in PHASES:
            env = child_env(urls[phase], data_dir)
            print(f"bench generate: migrating the {phase} database ({engine})…", file=sys.stderr)
            with Stopwatch() as t:
                run_python(["-m", "rongxin.cli", "migrate", "--noinput", "-v", "0"], env)
            migrate_seconds[phase] = round(t.wall, 2)
            print(f"bench generate: {phase} at scale {scale}…", file=sys.stderr)
            results[phase] = run_child(
                "rongxin.bench.generate", env, data_dir / f"{phase}.json", scale=scale, seed=seed, workers=workers,
                extra=("--phase", phase, "--as-of", as_of),
            )  # fmt: skip
    gen, base = results["generate"], results["baseline"]
    if gen["counts"] != base["counts"]:
        raise RuntimeError(f"the phases wrote different rows: {gen['counts']} vs {base['counts']}")
    gen_rate = gen["rows"] / gen["seconds"]
    base_rate = base["rows"] / base["seconds"]
    body = {
        "metrics": {
            "generate_rows_per_s": metric(gen_rate, "rows/s", base_rate),
            "generate_seconds": metric(gen["seconds"], "s"),
            "baseline_write_seconds": metric(base["seconds"], "s"),
            "baseline_build_seconds": metric(base["build_seconds"], "s"),
        },
        "rows": gen["rows"],
        "counts": gen["counts"],
        "seed": seed,
        "as_of": as_of,
        "write_method": gen["method"],
        "workers": gen["workers"],
        "migrate_seconds": migrate_seconds,
    }
    out = result(
        "generate", scale=scale, engine=engine, body=body, server_version=gen["server_version"], whole=whole, digits=2
    )
    return emit_result(out, json_path=json_path, stdout=stdout)


# --- Child: one phase in a process whose Django points at the scratch database ----------
def _child(phase: str, *, scale: float, seed: int, as_of: dt.date, workers: int | None) -> dict[str, Any]:
    from django.db import connection, transaction

    from rongxin.core.bulk import BulkWriter
    from rongxin.synth.generator import ChunkSource, generate_county, load_plan, plan_for_database

    connection.ensure_connection()
    if phase == "generate":
        county = generate_county(scale=scale, seed=seed, as_of=as_of, workers=workers, progress=False)
        out = {
            "rows": county.rows,
            "counts": county.counts,
            "seconds": county.seconds,
            "method": county.method,
            "workers": county.workers,
            "build_seconds": 0.0,
        }
    else:
        with Stopwatch() as build:
            plan = plan_for_database(scale=scale, seed=seed, as_of=as_of)
            with ChunkSource(plan, workers=workers) as source:
                chunks = list(source)
        gc.collect()
        gc.freeze()  # the pre-built rows are not garbage; keep the collector off them
        with Stopwatch() as write, transaction.atomic():
            writer = BulkWriter(connection)
            counts = load_plan(writer, plan, chunks)
            writer.close()
        out = {
            "rows": counts["rows"],
            "counts": counts,
            "seconds": write.wall,
            "method": writer.method,
            "workers": source.workers,
            "build_seconds": build.wall,
        }
    out["server_version"] = server_version()
    return out


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--phase", choices=PHASES, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)


def main(argv: list[str] | None = None) -> None:
    child_main(
        lambda a: _child(a.phase, scale=a.scale, seed=a.seed, as_of=a.as_of, workers=a.workers),
        description="one phase of `rongxin bench generate` (internal)",
        arguments=_arguments,
        argv=argv,
    )


if __name__ == "__main__":
    main()
