"""The documented production server for the benchmarks that go through HTTP, and a client pool.

:func:`start_server` runs gunicorn ``rongxin.config.wsgi`` as the Procfile and
``docs/operations.md`` document it (``--threads 4``, ``RONGXIN_ENV=production``,
``RONGXIN_SSL_REDIRECT=0`` as behind a TLS proxy) on a free local port; :func:`fire` sends a
list of requests from a pool of threads, one keep-alive connection each; :func:`with_server_cpu`
adds the server's CPU per request, a figure that holds on a busy machine where rates and
latencies do not. Used by ``rongxin bench volunteering``, ``incentives`` and ``load``.
"""

from __future__ import annotations

import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from rongxin.bench.harness import server_cpu_seconds

CONCURRENCY = 32
THREADS = 4  # per gunicorn worker, as in the Procfile
STATIC_PATH = "/static/web/rongxin.css"
ME_PATH = "/api/v1/accounts/me"

Request = Callable[[], tuple[str, str, bytes | None, dict[str, str]]]
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    """gunicorn on ``port``, answering the static file (so warmed up to serve); its log in ``log``."""
    env = dict(os.environ)
    env.update(
        RONGXIN_ENV="production",
        RONGXIN_ALLOWED_HOSTS="127.0.0.1",
        RONGXIN_SSL_REDIRECT="0",
        RONGXIN_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="rongxin.config.settings",
    )
    cmd = [
        sys.executable, "-m", "gunicorn", "rongxin.config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", str(THREADS), "--graceful-timeout", "10", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as err:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)  # noqa: S603 - our interpreter
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", STATIC_PATH)
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("gunicorn did not answer within 90 seconds")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def with_server_cpu(server: subprocess.Popen[bytes], work: Callable[[], T]) -> tuple[T, float | None]:
    """Run ``work()``; also return the server's CPU milliseconds it took (None without ``/proc``)."""
    before = server_cpu_seconds(server.pid)
    out = work()
    after = server_cpu_seconds(server.pid)
    return out, None if before is None or after is None else (after - before) * 1000


def fire(port: int, requests: list[Request], concurrency: int = CONCURRENCY) -> dict[str, Any]:
    """Send ``requests`` from ``concurrency`` threads (one keep-alive connection each); return
    the rate, latency percentiles and status counts."""
    counter = itertools.count()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        codes: Counter[int] = Counter()
        while (i := next(counter)) < len(requests):
            method, path, body, headers = requests[i]()
            t = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                with lock:
                    errors.append(repr(exc))
                continue
            mine.append((time.perf_counter() - t) * 1000)
            codes[response.status] += 1
            if response.status >= 300 and len(errors) < 5:
                with lock:
                    errors.append(f"{response.status} {data[:200]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)
            statuses.update(codes)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    seconds = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=20, method="inclusive") if len(latencies) > 1 else [0.0] * 19
    return {
        "requests": len(requests),
        "seconds": round(seconds, 3),
        "per_s": round(len(latencies) / seconds, 1) if seconds else None,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(quantiles[18], 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors[:5],
    }
