"""The job queue: one-off and periodic jobs on django-tasks' database backend (ADR 0005).

Apps register jobs in their ``tasks.py``::

    @periodic(name="credit.apply_time_changes", every=dt.timedelta(minutes=1))
    def apply_time_changes() -> str: ...

    @job(name="credit.process_import", max_attempts=1)
    def process_import(*, batch_id: int) -> str: ...

and queue one-off work with :func:`enqueue`; with ``key=`` a second enqueue of the same work,
while the first is queued or running, returns the first instead of queueing it again. A job
returns a one-line summary of what it did (shown on the jobs page); its keyword arguments and
result must be JSON.

Every job runs through one django-tasks task, :data:`execute`, that looks its function up by
name: a queued row names the job, not a code path that a refactor may move. The library's
database worker claims jobs (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive
write transaction on SQLite), so two workers never take one job. This module adds what the
library does not have yet: retries with exponential backoff, periodic schedules
(:class:`~rongxin.core.models.JobSchedule`), de-duplication keys
(:class:`~rongxin.core.models.JobKey`), and recovery of jobs left running by a worker that died
(:class:`~rongxin.core.models.JobWorker`). Jobs must be idempotent: one interrupted part-way
runs again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from types import MethodType
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus, task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from rongxin.core import clock
from rongxin.core.models import JobKey, JobSchedule, JobWorker

log = logging.getLogger("rongxin.jobs")
F = TypeVar("F", bound=Callable[..., Any])

ACTIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
HOUSEKEEPING_SECONDS = 30.0  # how often a worker reports itself and looks for interrupted jobs


class Interrupted(Exception):
    """The worker running a job stopped before the job finished (killed, out of memory, power)."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    every: dt.timedelta | None = None
    max_attempts: int | None = None  # None: RONGXIN_JOB_MAX_ATTEMPTS
    retry_seconds: float | None = None  # None: RONGXIN_JOB_RETRY_SECONDS

    @property
    def attempts(self) -> int:
        return self.max_attempts or int(settings.RONGXIN_JOB_MAX_ATTEMPTS)

    @property
    def first_delay(self) -> float:
        return self.retry_seconds if self.retry_seconds is not None else float(settings.RONGXIN_JOB_RETRY_SECONDS)


REGISTRY: dict[str, JobSpec] = {}


def job(*, name: str, max_attempts: int | None = None, retry_seconds: float | None = None) -> Callable[[F], F]:
    """Register ``func`` as the one-off job ``name`` (run by :func:`enqueue`). A failing run is
    tried again after ``retry_seconds`` (default ``RONGXIN_JOB_RETRY_SECONDS``), then twice as
    long each time, up to ``max_attempts`` runs in all (default ``RONGXIN_JOB_MAX_ATTEMPTS``)."""

    def decorate(func: F) -> F:
        REGISTRY[name] = JobSpec(name=name, func=func, max_attempts=max_attempts, retry_seconds=retry_seconds)
        return func

    return decorate


def periodic(*, name: str, every: dt.timedelta, max_attempts: int = 1) -> Callable[[F], F]:
    """Register ``func`` to run every ``every``; it returns a one-line summary of what it did.
    By default a failing run is not retried: its next turn is the retry."""

    def decorate(func: F) -> F:
        REGISTRY[name] = JobSpec(name=name, func=func, every=every, max_attempts=max_attempts)
        return func

    return decorate


def discover() -> dict[str, JobSpec]:
    """Import every installed app's ``tasks`` module, so every job is registered."""
    for config in apps.get_app_configs():
        module = f"{config.name}.tasks"
        if find_spec(module) is not None:
            import_module(module)
    return REGISTRY


def _spec(name_or_func: str | Callable[..., Any]) -> JobSpec:
    registry = discover()
    if isinstance(name_or_func, str):
        spec = registry.get(name_or_func)
    else:
        spec = next((s for s in registry.values() if s.func is name_or_func), None)
    if spec is None:
        raise LookupError(f"no job registered as {name_or_func!r}")
    return spec


@task()
def execute(*, job: str, params: dict[str, Any], key: str | None, max_attempts: int, retry_seconds: float) -> Any:
    """The one django-tasks task every job runs through (the other arguments are read by the
    worker: attempts, backoff, the key to release). Logs one line per run with the job's name
    and its summary (the library's own lines name only this function, so settings quieten them)."""
    result = _spec(job).func(**params)
    log.info("job %s: %s", job, str(result).splitlines()[0] if result else "done")
    return result


# --- Enqueue ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Enqueued:
    id: str
    created: bool  # False: a job holding the same key was queued or running, and is returned


def enqueue(name_or_func: str | Callable[..., Any], *, key: str | None = None, **kwargs: Any) -> Enqueued:
    """Queue the job ``name_or_func`` (a registered name or function) with ``kwargs``. Inside a
    transaction the job is queued when it commits. With ``key``, while a job holding the same
    key is queued or running, that job is returned (``created=False``) and nothing is queued."""
    spec = _spec(name_or_func)
    arguments: dict[str, Any] = {
        "job": spec.name,
        "params": kwargs,
        "key": key,
        "max_attempts": spec.attempts,
        "retry_seconds": spec.first_delay,
    }
    if key is None:
        return Enqueued(id=str(execute.enqueue(**arguments).id), created=True)
    with transaction.atomic():
        holder = JobKey.objects.select_for_update().filter(key=key).first()
        if holder is not None:
            if (
                holder.task_id is not None
                and DBTaskResult.objects.filter(pk=holder.task_id, status__in=ACTIVE).exists()
            ):
                return Enqueued(id=str(holder.task_id), created=False)
            holder.delete()  # its job finished (or was pruned) without releasing it
        try:
            with transaction.atomic():
                JobKey.objects.create(key=key, task_id=None, held_since=clock.now())
        except IntegrityError:
            # Another enqueue of the same key committed first (PostgreSQL waited for it here).
            return Enqueued(id=str(JobKey.objects.get(key=key).task_id), created=False)
        result = execute.enqueue(**arguments)
        JobKey.objects.filter(key=key).update(task_id=result.id)
    return Enqueued(id=str(result.id), created=True)


# --- Running: retries with backoff, keys released -------------------------------------------
def _arguments(row: DBTaskResult) -> dict[str, Any]:
    kwargs = (row.args_kwargs or {}).get("kwargs") or {}
    return kwargs if isinstance(kwargs, dict) else {}


def retry_delay(*, first: float, attempt: int) -> dt.timedelta:
    """The wait before the run after ``attempt`` failed: ``first``, then doubling."""
    return dt.timedelta(seconds=first * 2 ** (attempt - 1))


def _failed_or_retry(row: DBTaskResult, exc: BaseException) -> None:
    """In place of the library's ``set_failed``: a run that failed with attempts left goes back
    to the queue after its backoff, keeping its error; the last one fails the job."""
    arguments = _arguments(row)
    attempt = len(row.worker_ids)
    if attempt >= int(arguments.get("max_attempts", 1)):
        DBTaskResult.set_failed(row, exc)
        return
    delay = retry_delay(first=float(arguments.get("retry_seconds", 0)), attempt=attempt)
    row.status = TaskResultStatus.READY
    row.run_after = clock.now() + delay
    row.exception_class_path = f"{type(exc).__module__}.{type(exc).__qualname__}"
    row.traceback = "".join(traceback.format_exception(exc))
    row.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
    log.warning("job %s failed (attempt %s), retried in %s", arguments.get("job"), attempt, delay)


def _release_key(row: DBTaskResult) -> None:
    if row.status not in ACTIVE:
        JobKey.objects.filter(task_id=row.pk).delete()


class JobsWorker(Worker):
    """The library's database worker, with retries and keys (see the module docstring)."""

    ran = 0

    def run_task(self, db_task_result: DBTaskResult) -> None:
        db_task_result.set_failed = MethodType(_failed_or_retry, db_task_result)  # type: ignore[method-assign]
        try:
            super().run_task(db_task_result)
        finally:
            self.ran += 1
            _release_key(db_task_result)


def _worker(*, worker_id: str, batch: bool, interval: float) -> JobsWorker:
    return JobsWorker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


# --- Periodic schedules ----------------------------------------------------------------------
def schedules_sync(*, now: dt.datetime | None = None) -> None:
    """Make the schedule rows match the registry: a new periodic job is due now, a changed
    period applies from the next turn, a job no longer registered loses its row."""
    now = now or clock.now()
    wanted = {s.name: s for s in discover().values() if s.every is not None}
    with transaction.atomic():
        JobSchedule.objects.exclude(name__in=list(wanted)).delete()
        for spec in wanted.values():
            assert spec.every is not None
            row, created = JobSchedule.objects.get_or_create(
                name=spec.name, defaults={"every": spec.every, "next_run_at": now}
            )
            if not created and row.every != spec.every:
                JobSchedule.objects.filter(pk=row.pk).update(
                    every=spec.every, next_run_at=min(row.next_run_at, now + spec.every)
                )


def schedules_enqueue_due(*, now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose turn has come (keyed by its name, so a slow job is not
    stacked) and move its schedule on by its period. A turn is taken by one conditional update,
    so two workers never queue the same turn. Returns the names queued."""
    now = now or clock.now()
    registry = discover()
    queued = []
    for row in JobSchedule.objects.filter(next_run_at__lte=now).order_by("next_run_at", "name"):
        spec = registry.get(row.name)
        if spec is None or spec.every is None:
            continue
        with transaction.atomic():
            taken = JobSchedule.objects.filter(name=row.name, next_run_at=row.next_run_at).update(
                next_run_at=now + spec.every, last_enqueued_at=now
            )
            if taken:
                enqueue(spec.name, key=f"periodic:{spec.name}")
                queued.append(spec.name)
    return queued


# --- Workers and interrupted jobs ------------------------------------------------------------
HOST = socket.gethostname()[:255]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _worker_report(worker_id: str) -> None:
    now = clock.now()
    updated = JobWorker.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        JobWorker.objects.create(worker_id=worker_id, host=HOST, pid=os.getpid(), started_at=now, beat_at=now)


def _worker_alive(worker: JobWorker | None, *, stale_before: dt.datetime) -> bool:
    if worker is None:
        return False
    if worker.host == HOST:
        # On one machine (always so on SQLite, where a long write can hold back the reports)
        # the process itself answers.
        return _pid_alive(worker.pid)
    return worker.beat_at >= stale_before


def jobs_recover(*, now: dt.datetime | None = None) -> int:
    """Jobs left running by a worker that is gone: queued again if attempts remain, otherwise
    failed with :class:`Interrupted`. Workers gone for a day lose their row. Returns how many
    jobs were recovered."""
    now = now or clock.now()
    stale_before = now - dt.timedelta(minutes=float(settings.RONGXIN_JOB_WORKER_STALE_MINUTES))
    workers = {w.worker_id: w for w in JobWorker.objects.all()}
    recovered = 0
    for row in DBTaskResult.objects.running():
        last = row.worker_ids[-1] if row.worker_ids else None
        if _worker_alive(workers.get(last or ""), stale_before=stale_before):
            continue
        arguments = _arguments(row)
        attempts = len(row.worker_ids)
        message = f"{Interrupted.__module__}.Interrupted: worker {last} stopped during attempt {attempts}\n"
        retry = attempts < int(arguments.get("max_attempts", 1))
        with transaction.atomic():
            changed = DBTaskResult.objects.filter(
                pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
            ).update(
                status=TaskResultStatus.READY if retry else TaskResultStatus.FAILED,
                run_after=now if retry else row.run_after,
                finished_at=None if retry else now,
                exception_class_path=f"{Interrupted.__module__}.Interrupted",
                traceback=message,
            )
            if changed and not retry:
                JobKey.objects.filter(task_id=row.pk).delete()
        if changed:
            recovered += 1
            log.warning(
                "job %s interrupted (worker %s gone): %s", arguments.get("job"), last, "retried" if retry else "failed"
            )
    JobWorker.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return recovered


# --- Entry points ----------------------------------------------------------------------------
def run_pending(*, worker_id: str | None = None) -> int:
    """Queue the periodic jobs that are due, recover interrupted jobs, then run every job that is
    ready, one after another, and return how many runs there were (``rongxin worker --once``,
    and tests: it claims as the worker does but never closes the connection, so it runs inside
    a test's transaction)."""
    worker_id = worker_id or f"once-{get_random_string(16)}"
    schedules_sync()
    _worker_report(worker_id)
    worker = _worker(worker_id=worker_id, batch=True, interval=0)
    try:
        jobs_recover()
        schedules_enqueue_due()
        while True:
            with exclusive_transaction(DBTaskResult.objects.db):
                row = DBTaskResult.objects.ready().get_locked()
                if row is not None:
                    row.claim(worker_id)
            if row is None:
                return worker.ran
            worker.run_task(row)
    finally:
        JobWorker.objects.filter(worker_id=worker_id).delete()


def _housekeeping(worker_id: str, stop: threading.Event, interval: float) -> None:
    """A worker's second thread: queues due periodic jobs every ``interval`` seconds, reports
    the worker and recovers interrupted jobs every ``HOUSEKEEPING_SECONDS``."""
    reported: float | None = None
    while not stop.is_set():
        try:
            close_old_connections()
            if reported is None or time.monotonic() - reported >= HOUSEKEEPING_SECONDS:
                _worker_report(worker_id)
                jobs_recover()
                reported = time.monotonic()
            for name in schedules_enqueue_due():
                log.debug("queued periodic job %s", name)
        except Exception:
            # A locked SQLite database (a long import) or a lost connection: try again later.
            log.exception("job housekeeping failed; trying again")
        stop.wait(interval)
    connections.close_all()


def serve(*, interval: float = 1.0, worker_id: str | None = None) -> None:
    """Run a worker until SIGTERM/SIGINT (``rongxin worker``): the schedules are synced from the
    registry, then one thread queues due periodic jobs while the library's loop runs jobs."""
    worker_id = worker_id or get_random_string(32)
    schedules_sync()
    _worker_report(worker_id)
    log.info(
        "worker %s started with periodic jobs: %s",
        worker_id,
        ", ".join(sorted(n for n, s in REGISTRY.items() if s.every)) or "none",
    )
    stop = threading.Event()
    helper = threading.Thread(
        target=_housekeeping, args=(worker_id, stop, interval), name="jobs-housekeeping", daemon=True
    )
    helper.start()
    worker = _worker(worker_id=worker_id, batch=False, interval=interval)
    worker.configure_signals()
    try:
        worker.run()
    finally:
        stop.set()
        helper.join(timeout=10)
        JobWorker.objects.filter(worker_id=worker_id).delete()
        log.info("worker %s stopped", worker_id)


# --- The jobs page ---------------------------------------------------------------------------
@dataclass(frozen=True)
class JobView:
    id: str
    name: str
    key: str
    status: str
    enqueued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    run_after: dt.datetime | None
    attempts: int
    max_attempts: int
    error: str  # the exception line of the last failure ("" if none)
    error_lines: str  # the first lines of its traceback
    result: str  # the first line of what the job returned

    @property
    def seconds(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)


@dataclass(frozen=True)
class JobsOverview:
    queued: list[JobView]
    running: list[JobView]
    failed: list[JobView]
    finished: list[JobView]
    schedules: list[JobSchedule]
    workers: list[JobWorker]


ERROR_LINES = 12


def _view(row: DBTaskResult) -> JobView:
    arguments = _arguments(row)
    lines = [line for line in (row.traceback or "").splitlines() if line.strip()]
    result = row.return_value if isinstance(row.return_value, str) else ""
    return JobView(
        id=str(row.pk),
        name=str(arguments.get("job") or row.task_path),
        key=str(arguments.get("key") or ""),
        status=row.status,
        enqueued_at=row.enqueued_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        run_after=None if row.run_after == get_date_max() else row.run_after,
        attempts=len(row.worker_ids or []),
        max_attempts=int(arguments.get("max_attempts", 1)),
        error=lines[-1] if lines else "",
        error_lines="\n".join(lines[:ERROR_LINES]),
        result=result.splitlines()[0] if result else "",
    )


def jobs_overview(*, limit: int = 50) -> JobsOverview:
    """The queue as the jobs page shows it: queued (oldest first), running, the latest failed
    and the latest finished jobs (at most ``limit`` of each), the schedules and the workers."""
    rows = DBTaskResult.objects.order_by()
    queued = rows.filter(status=TaskResultStatus.READY).order_by("enqueued_at")[:limit]
    running = rows.filter(status=TaskResultStatus.RUNNING).order_by("started_at")[:limit]
    failed = rows.filter(status=TaskResultStatus.FAILED).order_by("-finished_at")[:limit]
    finished = rows.filter(status=TaskResultStatus.SUCCESSFUL).order_by("-finished_at")[:limit]
    return JobsOverview(
        queued=[_view(r) for r in queued],
        running=[_view(r) for r in running],
        failed=[_view(r) for r in failed],
        finished=[_view(r) for r in finished],
        schedules=list(JobSchedule.objects.order_by("name")),
        workers=list(JobWorker.objects.order_by("started_at")),
    )


def jobs_prune(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete finished jobs (done or failed) that finished more than ``older_than`` ago."""
    cutoff = (now or clock.now()) - older_than
    deleted, _ = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff
    ).delete()
    return deleted
