"""The clients: processes forked once (:class:`Driver`), each with threads in a closed loop, one
keep-alive connection each; the request of each scenario (:class:`LoadClient`) and the tally of
the answers."""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import multiprocessing
import os
import random
import statistics
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import quote

from rongxin.bench.load.fixtures import Fixtures
from rongxin.bench.load.scenarios import SCAN_PATH, STEP_SECONDS, VERIFY_PATH
from rongxin.bench.server import STATIC_PATH

CLIENT_PROCESSES = 4
ERRORS_KEPT = 5


class CheckinPool:
    """This process's volunteers, each taken by one client at a time. A volunteer alternates
    check-in and check-out and never scans one code twice for one action: one whose next
    scan would reuse the current code is passed over until the code changes."""

    def __init__(self, volunteers: list[tuple[str, int, bytes]]):
        # [key, activity id, secret, next kind, last step of a check-in, last step of a check-out]
        self._ready: deque[list[Any]] = deque([[k, a, s, "in", -1, -1] for k, a, s in volunteers])
        self._lock = threading.Lock()

    def take(self, now: float) -> tuple[list[Any], int] | None:
        step = int(now) // STEP_SECONDS
        with self._lock:
            for _ in range(len(self._ready)):
                v = self._ready.popleft()
                if (v[4] if v[3] == "in" else v[5]) != step:
                    return v, step
                self._ready.append(v)
        return None

    def give_back(self, v: list[Any], step: int, status: int, body: bytes) -> None:
        if status == 201 or b"replayed_code" in body:
            if v[3] == "in":
                v[3], v[4] = "out", step
            else:
                v[3], v[5] = "in", step
        elif b"already_checked_in" in body:
            v[3] = "out"
        elif b"not_checked_in" in body:
            v[3] = "in"
        with self._lock:
            self._ready.append(v)


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    answered: int = 0
    failed: int = 0
    wait_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "statuses": dict(self.statuses),
            "errors": self.errors,
            "answered": self.answered,
            "failed": self.failed,
            "wait_s": self.wait_s,
        }


Prepared = tuple[str, str, bytes | None, dict[str, str], Callable[[int, bytes], bool]]


class LoadClient:
    """One client process: its share of the volunteers, and the request of each scenario."""

    def __init__(self, fixtures: Fixtures, port: int, index: int, count: int, seed: int):
        self.f = fixtures
        self.port = port
        self.index = index
        self.pool = CheckinPool(fixtures.volunteers[index::count])
        self.seed = seed

    def request(self, scenario: str, rng: random.Random, slot: int) -> Prepared | None:
        f = self.f
        if scenario == "verify":
            body = json.dumps({"tokens": [rng.choice(f.tokens)]}).encode()
            key = f.provider_keys[slot % len(f.provider_keys)]
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            return "POST", VERIFY_PATH, body, headers, _eligible
        if scenario == "checkin":
            taken = self.pool.take(time.time())
            if taken is None:
                return None
            v, step = taken
            token = _scan_token(v[2], v[1], step)
            body = json.dumps({"token": token, "kind": v[3]}).encode()
            headers = {"Authorization": f"Bearer {v[0]}", "Content-Type": "application/json"}

            def done(status: int, data: bytes) -> bool:
                self.pool.give_back(v, step, status, data)
                return status == 201

            return "POST", SCAN_PATH, body, headers, done
        cookie = {"Cookie": f"sessionid={f.sessions[slot % len(f.sessions)]}"}
        if scenario == "explanation":
            return "GET", f"/subjects/{rng.choice(f.subjects)}/?purpose=service", None, cookie, _ok200
        if scenario == "search":
            path = f"/subjects/?q={quote(rng.choice(f.queries))}&purpose=service"
            return "GET", path, None, cookie | {"HX-Request": "true"}, _ok200
        if scenario == "static":
            return "GET", STATIC_PATH, None, {}, _ok200
        raise ValueError(scenario)

    def drive(self, weights: dict[str, int], threads: int, first_slot: int, start: float, deadline: float) -> dict:
        tallies: dict[str, Tally] = {s: Tally() for s in weights}
        lock = threading.Lock()
        ends: list[float] = []

        def worker(slot: int) -> None:
            rng = random.Random(f"{self.seed}-{slot}-{start}")  # noqa: S311 - load sampling
            names, w = list(weights), list(weights.values())
            mine = {s: Tally() for s in weights}
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            while time.monotonic() < start:
                time.sleep(0.001)
            last = time.monotonic()
            while time.monotonic() < deadline:
                scenario = names[0] if len(names) == 1 else rng.choices(names, weights=w)[0]
                tally = mine[scenario]
                prepared = self.request(scenario, rng, slot)
                if prepared is None:  # no volunteer free until the code changes
                    t = time.monotonic()
                    time.sleep(0.05)
                    tally.wait_s += time.monotonic() - t
                    continue
                method, path, body, headers, check = prepared
                t = time.perf_counter()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    tally.failed += 1
                    tally.statuses["connection"] += 1
                    if len(tally.errors) < ERRORS_KEPT:
                        tally.errors.append(repr(exc))
                    if scenario == "checkin":
                        check(0, b"")
                    continue
                ms = (time.perf_counter() - t) * 1000
                last = time.monotonic()
                tally.answered += 1
                tally.statuses[str(response.status)] += 1
                if check(response.status, data):
                    tally.latencies.append(ms)
                else:
                    tally.failed += 1
                    if len(tally.errors) < ERRORS_KEPT:
                        tally.errors.append(f"{response.status} {path[:60]} {data[:200]!r}")
            conn.close()
            with lock:
                ends.append(last)
                for s, m in mine.items():
                    total = tallies[s]
                    total.latencies.extend(m.latencies)
                    total.statuses.update(m.statuses)
                    total.errors.extend(m.errors[: ERRORS_KEPT - len(total.errors)])
                    total.answered += m.answered
                    total.failed += m.failed
                    total.wait_s += m.wait_s

        cpu = os.times()
        pool = [threading.Thread(target=worker, args=(first_slot + k,)) for k in range(threads)]
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        after = os.times()
        return {
            "tallies": {s: t.to_dict() for s, t in tallies.items()},
            "end": max(ends) if ends else deadline,
            "cpu_s": (after.user - cpu.user) + (after.system - cpu.system),
        }


def _eligible(status: int, data: bytes) -> bool:
    if status != 200:
        return False
    try:
        return json.loads(data)["results"][0]["eligible"] is True
    except (ValueError, KeyError, IndexError, TypeError):
        return False


def _ok200(status: int, data: bytes) -> bool:
    return status == 200


def _scan_token(secret: bytes, activity_id: int, step: int) -> str:
    from rongxin.volunteering.domain.tokens import token_for

    return token_for(secret=secret, activity_id=activity_id, at=dt.datetime.fromtimestamp(step * STEP_SECONDS, dt.UTC))


def client_main(conn: Connection, fixtures: Fixtures, port: int, index: int, count: int, seed: int) -> None:
    client = LoadClient(fixtures, port, index, count, seed)
    while True:
        command = conn.recv()
        if command is None:
            break
        conn.send(client.drive(**command))


def _summary(tally: dict[str, Any], seconds: float) -> dict[str, Any]:
    lat = tally["latencies"]
    q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else [lat[0] if lat else 0.0] * 99
    requests = tally["answered"] + tally["statuses"].get("connection", 0)
    return {
        "requests": requests,
        "expected": len(lat),
        "per_s": round(tally["answered"] / seconds, 1) if seconds else None,
        "p50_ms": round(q[49], 1) if lat else None,
        "p95_ms": round(q[94], 1) if lat else None,
        "p99_ms": round(q[98], 1) if lat else None,
        "error_rate": round(tally["failed"] / requests, 4) if requests else None,
        "statuses": dict(sorted(tally["statuses"].items())),
        "errors": tally["errors"][:ERRORS_KEPT],
        "wait_s": round(tally["wait_s"], 1),
    }


def _merge(parts: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for part in parts:
        for s, t in part["tallies"].items():
            m = merged.setdefault(
                s, {"latencies": [], "statuses": Counter(), "errors": [], "answered": 0, "failed": 0, "wait_s": 0.0}
            )
            m["latencies"].extend(t["latencies"])
            m["statuses"].update(t["statuses"])
            m["errors"].extend(t["errors"])
            m["answered"] += t["answered"]
            m["failed"] += t["failed"]
            m["wait_s"] += t["wait_s"]
    return merged


class Driver:
    """The client processes (forked once, so each keeps its volunteers' state between steps)."""

    def __init__(self, fixtures: Fixtures, port: int, seed: int, processes: int = CLIENT_PROCESSES):
        from django.db import connections

        connections.close_all()  # never share a database connection with a fork
        ctx = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.procs = []
        for i in range(processes):
            parent, child = ctx.Pipe()
            p = ctx.Process(target=client_main, args=(child, fixtures, port, i, processes, seed), daemon=True)
            p.start()
            child.close()
            self.pipes.append(parent)
            self.procs.append(p)

    def step(self, weights: dict[str, int], concurrency: int, duration: float) -> dict[str, Any]:
        start = time.monotonic() + 0.5
        deadline = start + duration
        slot = 0
        for i, pipe in enumerate(self.pipes):
            threads = concurrency // len(self.pipes) + (1 if i < concurrency % len(self.pipes) else 0)
            pipe.send(
                {"weights": weights, "threads": threads, "first_slot": slot, "start": start, "deadline": deadline}
            )
            slot += threads
        parts = [pipe.recv() for pipe in self.pipes]
        seconds = max(p["end"] for p in parts) - start
        merged = _merge(parts)
        out = {s: _summary(t, seconds) for s, t in merged.items()}
        total = {
            "latencies": [x for t in merged.values() for x in t["latencies"]],
            "statuses": sum((Counter(t["statuses"]) for t in merged.values()), Counter()),
            "errors": [e for t in merged.values() for e in t["errors"]],
            "answered": sum(t["answered"] for t in merged.values()),
            "failed": sum(t["failed"] for t in merged.values()),
            "wait_s": sum(t["wait_s"] for t in merged.values()),
        }
        return {
            "seconds": round(seconds, 2),
            "total": _summary(total, seconds),
            "by_scenario": out,
            "client_cpu_s": sum(p["cpu_s"] for p in parts),
        }

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
