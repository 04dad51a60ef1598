"""What every benchmark shares: timing, figures against a baseline, scratch databases, the child
process each benchmark runs in, and the JSON it prints.

- Timing: :class:`Stopwatch` measures a block's wall-clock seconds and this process's CPU
  seconds (CPU holds on a busy machine where wall time does not; on SQLite it includes the
  engine's work, on PostgreSQL not the server's). :func:`process_cpu` and
  :func:`server_cpu_seconds` read other processes' CPU from ``/proc``, :func:`machine_cpu` the
  whole machine's.
- Figures: :func:`metric` is one figure with the raw-engine baseline measured in the same run
  and their ratio, value ÷ baseline: for a rate the share of the raw rate, for a time how many
  times the raw operation. The ratio is what compares between machines; raw values do not.
- Runs: a benchmark's parent makes scratch databases (:func:`scratch_databases`) and runs its
  child module in a fresh interpreter aimed at one (:func:`child_env`, :func:`run_child`; the
  child's ``main`` is :func:`child_main`); :func:`scratch_run` does both for a benchmark with one
  database. Django reads the database settings once per process, so a fresh process is the one
  robust way to aim all of Django at another database. The parent ends with
  :func:`emit_result` of :func:`result`: name, scale, engine, the benchmark's own keys, then the
  environment facts (:func:`environment`, the child's :func:`server_version`) and the wall
  seconds of the whole run.

Nothing here imports Django at module level: a child imports its benchmark module before
``django.setup()``.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit


# --- Timing ------------------------------------------------------------------------------------
class Stopwatch:
    """Wall-clock and process-CPU seconds: of a ``with`` block, or from when it was made to
    :meth:`stop`."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self._start()

    def _start(self) -> None:
        self._wall_at, self._cpu_at = time.perf_counter(), time.process_time()

    def __enter__(self) -> Stopwatch:
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> Stopwatch:
        self.wall = time.perf_counter() - self._wall_at
        self.cpu = time.process_time() - self._cpu_at
        return self


def process_cpu(match: Callable[[int, int, str], bool]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each process ``match(pid, ppid, cmdline)`` selects,
    from ``/proc`` (raises ``OSError`` where there is none)."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # from field 3 (state) on
        if match(int(entry), int(fields[1]), cmdline):
            out[int(entry)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return out


def server_cpu_seconds(master: int) -> float | None:
    """CPU seconds used so far by a server's master process and its workers (None without
    ``/proc``). The database server's own CPU is not included."""
    try:
        return sum(process_cpu(lambda pid, ppid, _cmd: master in (pid, ppid)).values())
    except OSError:
        return None


def machine_cpu() -> dict[str, float]:
    """Busy and idle CPU seconds of the whole machine since boot."""
    tick = os.sysconf("SC_CLK_TCK")
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return {"busy": (sum(values[:8]) - idle) / tick, "idle": idle / tick}


# --- Figures -----------------------------------------------------------------------------------
def ratio(value: float, baseline: float | None) -> float | None:
    """value ÷ baseline, or None without a baseline."""
    return None if not baseline else round(value / baseline, 3)


def metric(value: float, unit: str, baseline: float | None = None) -> dict[str, Any]:
    """One figure with its baseline measured in the same run and their ratio."""
    return {
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio(value, baseline),
    }


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


# --- The result --------------------------------------------------------------------------------
def environment() -> dict[str, Any]:
    """Facts of the machine a result was measured on."""
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu_count": os.cpu_count()}


def server_version() -> str:
    """The database engine and its version (in the child, with Django set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return f"{connection.vendor} {cursor.fetchone()[0]}"


def result(
    name: str,
    *,
    scale: float,
    engine: str,
    body: dict[str, Any],
    server_version: str,
    whole: Stopwatch,
    digits: int = 1,
) -> dict[str, Any]:
    """A benchmark's result: ``name``, ``scale``, ``engine``, its own keys (``metrics`` first),
    the engine's version, the environment and the wall seconds since ``whole`` started."""
    return {
        "name": name,
        "scale": scale,
        "engine": engine,
        **body,
        "server_version": server_version,
        **environment(),
        "wall_seconds": round(whole.stop().wall, digits),
    }


def emit_result(result: dict[str, Any], *, json_path: str | None, stdout: TextIO | None) -> dict[str, Any]:
    """Print a benchmark's JSON result and write it to ``json_path`` (every benchmark ends so)."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text, file=stdout or sys.stdout)
    if json_path:
        Path(json_path).write_text(text + "\n")
    return result


# --- Scratch databases and child processes -----------------------------------------------------
def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in ("postgres", "postgresql", "pgsql")


@contextmanager
def scratch_databases(engine_url: str, phases: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str], Path]]:
    """Yield (engine, {phase: DATABASE_URL}, data directory); remove everything afterwards.
    SQLite files in a temporary directory, or on PostgreSQL (``engine_url`` is
    ``postgresql://...``) databases ``rongxin_bench_<pid>_<phase>`` on that server."""
    data_dir = Path(tempfile.mkdtemp(prefix="rongxin-bench-"))
    try:
        if not is_postgres(engine_url):
            yield "sqlite", {p: f"sqlite:///{data_dir / f'{p}.sqlite3'}" for p in phases}, data_dir
            return
        import psycopg

        parts = urlsplit(engine_url)
        names = {p: f"rongxin_bench_{os.getpid()}_{p}" for p in phases}
        # Databases are made and dropped from the server's maintenance database: the one named
        # in the URL need not exist (the test suite's DATABASE_URL names only a prefix).
        engine_url = urlunsplit(parts._replace(path="/postgres"))
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


def child_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a child aimed at ``database_url``, with this process's secret and PII
    keys (so that both encrypt under the same key)."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        RONGXIN_DATA_DIR=str(data_dir),
        RONGXIN_SECRET_KEY=settings.SECRET_KEY,
        RONGXIN_PII_KEY=base64.urlsafe_b64encode(settings.RONGXIN_PII_KEY).decode(),
        RONGXIN_DEBUG="0",  # no query log in a measured process
        DJANGO_SETTINGS_MODULE="rongxin.config.settings",
    )
    return env


def run_python(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *args], env=env, check=True)  # noqa: S603 - our own interpreter and module


def run_child(
    module: str,
    env: dict[str, str],
    out: Path,
    *,
    scale: float,
    seed: int,
    workers: int | None = None,
    extra: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Run ``python -m module`` (whose ``main`` is :func:`child_main`) and return its JSON."""
    args = ["-m", module, *extra, "--scale", str(scale), "--seed", str(seed), "--out", str(out)]
    if workers is not None:
        args += ["--workers", str(workers)]
    run_python(args, env)
    return json.loads(out.read_text())


def scratch_run(
    name: str,
    *,
    scale: float,
    seed: int,
    engine_url: str | None,
    workers: int | None,
    static: bool = False,
    env: dict[str, str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """The parent of a benchmark with one scratch database: migrate it (and collect the static
    files when the child starts a server), run the child ``rongxin.bench.<name>`` against it
    with ``env`` added; return the engine and the child's JSON."""
    engine_url = engine_url or os.environ.get("DATABASE_URL", "")
    with scratch_databases(engine_url, phases=(name,)) as (engine, urls, data_dir):
        child = child_env(urls[name], data_dir) | (env or {})
        print(f"bench {name}: migrating ({engine})…", file=sys.stderr)
        run_python(["-m", "rongxin.cli", "migrate", "--noinput", "-v", "0"], child)
        if static:
            run_python(["-m", "rongxin.cli", "collectstatic", "--noinput", "-v", "0"], child)
        out = run_child(
            f"rongxin.bench.{name}", child, data_dir / f"{name}.json", scale=scale, seed=seed, workers=workers
        )
    return engine, out


def child_main(
    child: Callable[[argparse.Namespace], dict[str, Any]],
    *,
    description: str,
    arguments: Callable[[argparse.ArgumentParser], None] | None = None,
    argv: list[str] | None = None,
) -> None:
    """A child's ``main``: read ``--scale --seed --workers --out`` (and ``arguments``), set
    Django up, and write ``child(args)`` as JSON to ``--out``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", required=True)
    if arguments is not None:
        arguments(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rongxin.config.settings")
    import django

    django.setup()
    out = child(args)
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=2))
