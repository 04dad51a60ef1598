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
``DATABASE_URL`` and ``RONGXIN_DATA_DIR`` pointing at its scratch database. Django reads the
database settings once per process, so a fresh process is the one robust way to aim all of
Django (the ORM, the generator's queries, the audit log, migrate) at another database; it also
gives each phase a clean heap and page cache state of its own. The children get the parent's
``RONGXIN_SECRET_KEY`` and ``RONGXIN_PII_KEY`` so that they encrypt under the same key.

Scratch databases: on SQLite, files in a temporary directory; on PostgreSQL (``--engine-url``
or ``DATABASE_URL`` is ``postgresql://...``), databases ``rongxin_bench_<pid>_generate`` and
``..._baseline`` created on that server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

PHASES = ("generate", "baseline")


# --- Parent: scratch databases and subprocesses -----------------------------------------
def _is_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")


@contextmanager
def scratch_databases(engine_url: str, phases: tuple[str, ...] = PHASES) -> Iterator[tuple[str, dict[str, str], Path]]:
    """Yield (engine, {phase: DATABASE_URL}, data directory); remove everything afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix="rongxin-bench-"))
    try:
        if not _is_postgres(engine_url):
            yield "sqlite", {p: f"sqlite:///{data_dir / f'{p}.sqlite3'}" for p in phases}, data_dir
            return
        import psycopg

        parts = urlsplit(engine_url)
        names = {p: f"rongxin_bench_{os.getpid()}_{p}" for p in phases}
        with psycopg.connect(engine_url, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
                admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield "postgresql", {p: urlunsplit(parts._replace(path=f"/{n}")) for p, n in names.items()}, data_dir
        finally:
            with psycopg.connect(engine_url, autocommit=True) as admin:
                for name in names.values():
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _child_env(database_url: str, data_dir: Path) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RONGXIN_DATA_DIR=str(data_dir),
        RONGXIN_SECRET_KEY=settings.SECRET_KEY,
        RONGXIN_PII_KEY=base64.urlsafe_b64encode(settings.RONGXIN_PII_KEY).decode(),
        RONGXIN_DEBUG="0",  # no query log in either phase
        DJANGO_SETTINGS_MODULE="rongxin.config.settings",
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *args], env=env, check=True)  # noqa: S603 - our own interpreter and module


def _phase(
    phase: str, env: dict[str, str], out: Path, *, scale: float, seed: int, as_of: str, workers: int | None
) -> dict:
    args = [
        "-m",
        "rongxin.bench.generate",
        "--phase",
        phase,
        "--scale",
        str(scale),
        "--seed",
        str(seed),
        "--as-of",
        as_of,
        "--out",
        str(out),
    ]
    if workers is not None:
        args += ["--workers", str(workers)]
    _run(args, env)
    return json.loads(out.read_text())


def emit_result(result: dict[str, Any], *, json_path: str | None, stdout: TextIO | None) -> dict[str, Any]:
    """Print a benchmark's JSON result and write it to ``json_path`` (every benchmark ends so)."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text, file=stdout or sys.stdout)
    if json_path:
        Path(json_path).write_text(text + "\n")
    return result


def _metric(value: float, unit: str, baseline: float | None = None) -> dict[str, Any]:
    return {
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": None if not baseline else round(value / baseline, 3),
    }


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
    started = time.perf_counter()
    with scratch_databases(engine_url) as (engine, urls, data_dir):
        results: dict[str, dict] = {}
        migrate_seconds: dict[str, float] = {}
        for phase in PHASES:
            env = _child_env(urls[phase], data_dir)
            print(f"bench generate: migrating the {phase} database ({engine})…", file=sys.stderr)
            t = time.perf_counter()
            _run(["-m", "rongxin.cli", "migrate", "--noinput", "-v", "0"], env)
            migrate_seconds[phase] = round(time.perf_counter() - t, 2)
            print(f"bench generate: {phase} at scale {scale}…", file=sys.stderr)
            results[phase] = _phase(
                phase, env, data_dir / f"{phase}.json", scale=scale, seed=seed, as_of=as_of, workers=workers
            )
    gen, base = results["generate"], results["baseline"]
    if gen["counts"] != base["counts"]:
        raise RuntimeError(f"the phases wrote different rows: {gen['counts']} vs {base['counts']}")
    gen_rate = gen["rows"] / gen["seconds"]
    base_rate = base["rows"] / base["seconds"]
    result = {
        "name": "generate",
        "scale": scale,
        "engine": engine,
        "metrics": {
            "generate_rows_per_s": _metric(gen_rate, "rows/s", base_rate),
            "generate_seconds": _metric(gen["seconds"], "s"),
            "baseline_write_seconds": _metric(base["seconds"], "s"),
            "baseline_build_seconds": _metric(base["build_seconds"], "s"),
        },
        "rows": gen["rows"],
        "counts": gen["counts"],
        "seed": seed,
        "as_of": as_of,
        "write_method": gen["method"],
        "workers": gen["workers"],
        "migrate_seconds": migrate_seconds,
        "server_version": gen["server_version"],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(time.perf_counter() - started, 2),
    }
    return emit_result(result, json_path=json_path, stdout=stdout)


def server_cpu_seconds(master: int) -> float | None:
    """CPU seconds used so far by the gunicorn master and its workers (from ``/proc``; None
    elsewhere). The database server's own CPU is not included."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = text[text.rindex(")") + 2 :].split()  # from field 3 (state) on
        if int(entry) == master or int(fields[1]) == master:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


# --- Child: one phase in a process whose Django points at the scratch database ----------
def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def _child(phase: str, *, scale: float, seed: int, as_of: dt.date, workers: int | None) -> dict[str, Any]:
    from django.db import connection, transaction

    from rongxin.core.bulk import BulkWriter
    from rongxin.synth.generator import ChunkSource, generate_county, load_plan, plan_for_database

    connection.ensure_connection()
    if phase == "generate":
        result = generate_county(scale=scale, seed=seed, as_of=as_of, workers=workers, progress=False)
        out = {
            "rows": result.rows,
            "counts": result.counts,
            "seconds": result.seconds,
            "method": result.method,
            "workers": result.workers,
            "build_seconds": 0.0,
        }
    else:
        t = time.perf_counter()
        plan = plan_for_database(scale=scale, seed=seed, as_of=as_of)
        with ChunkSource(plan, workers=workers) as source:
            chunks = list(source)
        build_seconds = time.perf_counter() - t
        gc.collect()
        gc.freeze()  # the pre-built rows are not garbage; keep the collector off them
        started = time.perf_counter()
        with transaction.atomic():
            writer = BulkWriter(connection)
            counts = load_plan(writer, plan, chunks)
            writer.close()
        seconds = time.perf_counter() - started
        out = {
            "rows": counts["rows"],
            "counts": counts,
            "seconds": seconds,
            "method": writer.method,
            "workers": source.workers,
            "build_seconds": build_seconds,
        }
    out["server_version"] = _server_version()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="one phase of `rongxin bench generate` (internal)")
    parser.add_argument("--phase", choices=PHASES, required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
    import django

    django.setup()
    out = _child(args.phase, scale=args.scale, seed=args.seed, as_of=args.as_of, workers=args.workers)
    Path(args.out).write_text(json.dumps(out))


if __name__ == "__main__":
    main()
