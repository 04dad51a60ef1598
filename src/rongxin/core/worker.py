"""The background worker: a registry of periodic jobs and the loop that runs them.

Apps register jobs in their ``tasks.py`` with :func:`periodic`. ``rongxin worker`` imports every
installed app's ``tasks`` module, then runs each job when it is due, recording every run in
:class:`~rongxin.core.models.JobRun`. Jobs must be idempotent: a job killed half-way is simply
run again at its next turn.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.db import close_old_connections

from rongxin.core import clock
from rongxin.core.models import JobRun

log = logging.getLogger("rongxin.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    func: Callable[[], str]


REGISTRY: dict[str, Job] = {}


def periodic(*, name: str, every: dt.timedelta) -> Callable[[Callable[[], str]], Callable[[], str]]:
    """Register ``func`` to run every ``every``; it returns a one-line summary of what it did."""

    def decorate(func: Callable[[], str]) -> Callable[[], str]:
        REGISTRY[name] = Job(name=name, every=every, func=func)
        return func

    return decorate


def discover() -> dict[str, Job]:
    for config in apps.get_app_configs():
        module = f"{config.name}.tasks"
        if find_spec(module) is not None:
            import_module(module)
    return REGISTRY


def due_jobs(now: dt.datetime) -> list[Job]:
    last = {r.name: r.last_started_at for r in JobRun.objects.all()}
    return [j for j in REGISTRY.values() if last.get(j.name) is None or last[j.name] + j.every <= now]  # type: ignore[operator]


def run_job(job: Job) -> JobRun:
    """Run one job now and record the outcome (never raises: a failing job must not stop others)."""
    started = clock.now()
    run, _ = JobRun.objects.get_or_create(name=job.name)
    JobRun.objects.filter(pk=run.pk).update(last_started_at=started)
    try:
        result, status = job.func(), "ok"
    except Exception:
        result, status = traceback.format_exc(limit=5), "failed"
        log.exception("job %s failed", job.name)
    run.refresh_from_db()
    run.last_finished_at = clock.now()
    run.last_status = status
    run.last_result = result[:2000]
    run.runs += 1
    run.save(update_fields=["last_finished_at", "last_status", "last_result", "runs"])
    return run


def run_due(now: dt.datetime | None = None) -> list[JobRun]:
    return [run_job(job) for job in due_jobs(now or clock.now())]


class Loop:
    def __init__(self, *, tick: float):
        self.tick = tick
        self.stopping = False

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def run(self, *, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        discover()
        log.info("worker started with jobs: %s", ", ".join(sorted(REGISTRY)) or "none")
        last: dict[str, str] = {}
        while not self.stopping:
            close_old_connections()
            for run in run_due():
                line = run.last_result.splitlines()[0] if run.last_result else ""
                # Frequent jobs usually have nothing to do: log only what changed (and failures).
                level = logging.INFO if run.last_status != "ok" or last.get(run.name) != line else logging.DEBUG
                log.log(level, "job %s: %s %s", run.name, run.last_status, line)
                last[run.name] = line
            if once:
                break
            slept = 0.0
            while slept < self.tick and not self.stopping:
                time.sleep(0.5)
                slept += 0.5
        log.info("worker stopped")
