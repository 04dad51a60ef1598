"""The child of ``rongxin bench load`` (``python -m rongxin.bench.load``, Django aimed at the load
database): prepare the run, start the server, drive every step at every concurrency, account
for the machine's CPU, and check the database against what the clients were answered."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from rongxin.bench.harness import child_main, machine_cpu, process_cpu, ratio, server_version
from rongxin.bench.load.clients import CLIENT_PROCESSES, Driver
from rongxin.bench.load.database import data_facts
from rongxin.bench.load.fixtures import prepare
from rongxin.bench.load.scenarios import MIX, RATE, STEP_SECONDS, STEPS, levels_from
from rongxin.bench.server import THREADS, free_port, start_server, stop_server


class CpuMeter:
    """Where the machine's CPU went during a step: the server (gunicorn master and workers), the
    backends of the load database (matched by their process title), the clients, the rest."""

    def __init__(self, server_pid: int, database: str):
        self.server_pid = server_pid
        self.db_marker = f" {database} "

    def snapshot(self) -> dict[str, Any]:
        return {
            "server": process_cpu(lambda pid, ppid, _c: self.server_pid in (pid, ppid)),
            "database": process_cpu(lambda _p, _pp, cmd: cmd.startswith("postgres:") and self.db_marker in cmd),
            **machine_cpu(),
        }

    @staticmethod
    def per_second(a: dict[str, Any], b: dict[str, Any], clients: float, seconds: float) -> dict[str, float]:
        """Cores used on average (a process that ended during the step is not counted)."""

        def used(key: str) -> float:
            return sum(cpu - a[key].get(pid, 0.0) for pid, cpu in b[key].items()) / seconds

        server, database, c = used("server"), used("database"), clients / seconds
        other = max(0.0, (b["busy"] - a["busy"]) / seconds - server - database - c)
        idle = (b["idle"] - a["idle"]) / seconds
        cores = {"server": server, "database": database, "clients": c, "other": other, "idle": idle}
        return {k: round(v, 2) for k, v in cores.items()}


def _weights(step: str) -> dict[str, int]:
    return dict(MIX) if step == "mixed" else {step: 1}


def _consistency(activity_ids: list[int], since: dt.datetime, ok: Counter[str]) -> dict[str, Any]:
    from rongxin.incentives.models import Check
    from rongxin.volunteering.models import Scan

    scans = Scan.objects.filter(activity_id__in=activity_ids, accepted=True).count()
    checks = Check.objects.filter(at__gte=since, result=Check.Result.ELIGIBLE).count()
    return {
        "scans_accepted": scans,
        "client_checkins_answered_201": ok["checkin"],
        "checks_eligible": checks,
        "client_verify_answered_eligible": ok["verify"],
        "consistent": scans == ok["checkin"] and checks == ok["verify"],
    }


def measure(
    scale: float, seed: int, duration: float, levels: list[int], steps: list[str], data_dir: Path
) -> dict[str, Any]:
    from django.db import connection

    from rongxin.core import clock
    from rongxin.volunteering.domain import tokens

    if tokens.STEP_SECONDS != STEP_SECONDS:
        raise RuntimeError("rongxin.volunteering.domain.tokens.STEP_SECONDS changed; update STEP_SECONDS here")
    started_at = clock.now()
    rng = random.Random(seed)  # noqa: S311 - load sampling
    data = data_facts(scale)
    tag = started_at.strftime("%Y%m%d%H%M%S")
    print("bench load: preparing accounts, credentials and activities…", file=sys.stderr)
    fixtures, fixture_info, activity_ids = prepare(scale, rng, tag)
    database = connection.settings_dict["NAME"]
    workers = max(2, os.cpu_count() or 2)
    port = free_port()
    server = start_server(port, workers, data_dir / "gunicorn.log")
    meter = CpuMeter(server.pid, database)
    results: list[dict[str, Any]] = []
    ok: Counter[str] = Counter()
    driver = Driver(fixtures, port, seed)
    try:
        warm = driver.step(dict(MIX) | {"static": 10}, max(levels), min(10.0, duration))
        for s, r in warm["by_scenario"].items():
            ok[s] += r["expected"]
        for step in steps:
            for level in levels:
                print(f"bench load: {step} with {level} clients for {duration:g} s…", file=sys.stderr)
                before = meter.snapshot()
                r = driver.step(_weights(step), level, duration)
                after = meter.snapshot()
                for s, sr in r["by_scenario"].items():
                    ok[s] += sr["expected"]
                window = r["seconds"] + 0.5  # the snapshot is taken half a second before the start
                cores = CpuMeter.per_second(before, after, r.pop("client_cpu_s"), window)
                answered = r["total"]["requests"] or 1
                # CPU milliseconds per request: a figure that holds on a busy machine.
                per_request = {k: round(cores[k] * window * 1000 / answered, 2) for k in ("server", "database")}
                results.append(
                    {"step": step, "concurrency": level, **r, "cores": cores, "cpu_ms_per_request": per_request,
                     "at": clock.now().isoformat()}
                )  # fmt: skip
    finally:
        driver.close()
        stop_server(server)
    consistency = _consistency(activity_ids, started_at, ok)
    metrics = {}
    for r in results:
        t = r["total"]
        metrics[f"{r['step']}_c{r['concurrency']}"] = {
            "value": t["per_s"],
            "unit": "requests/s",
            "baseline": None,
            "ratio": None,
            "p50_ms": t["p50_ms"],
            "p95_ms": t["p95_ms"],
            "p99_ms": t["p99_ms"],
            "error_rate": t["error_rate"],
            "server_cpu_ms_per_request": r["cpu_ms_per_request"]["server"],
            "database_cpu_ms_per_request": r["cpu_ms_per_request"]["database"],
        }
    for key, m in metrics.items():  # baseline: the static file at the same concurrency
        base = metrics.get(f"static_c{key.rsplit('_c', 1)[1]}")
        if base and not key.startswith("static_") and base["value"]:
            m["baseline"] = base["value"]
            m["ratio"] = ratio(m["value"] or 0, base["value"])
    return {
        "metrics": metrics,
        "steps": results,
        "server": {
            "command": f"gunicorn rongxin.config.wsgi --workers {workers} --threads {THREADS}",
            "workers": workers,
            "threads": THREADS,
            "env": {"RONGXIN_ENV": "production", "RONGXIN_SSL_REDIRECT": "0", "RONGXIN_INCENTIVE_RATE": RATE},
            "client_processes": CLIENT_PROCESSES,
        },
        "fixtures": fixture_info,
        "data": data,
        "consistency": consistency,
        "started_at": started_at.isoformat(),
        "server_version": server_version(),
    }


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--levels", required=True)
    parser.add_argument("--steps", default=",".join(STEPS))


def _measure_from(args: argparse.Namespace) -> dict[str, Any]:
    steps = [s for s in args.steps.split(",") if s]
    unknown = set(steps) - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown steps: {sorted(unknown)}")
    return measure(args.scale, args.seed, args.duration, levels_from(args.levels), steps, Path(args.out).parent)


def main() -> None:
    child_main(_measure_from, description="the child of `rongxin bench load` (internal)", arguments=_arguments)
