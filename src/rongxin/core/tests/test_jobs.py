"""The job queue (rongxin.core.jobs): keys, retries with backoff, periodic schedules, jobs left
running by a dead worker, and, on PostgreSQL, two workers at once."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from rongxin.core import jobs
from rongxin.core import tasks as core_tasks
from rongxin.core.audit import audit_record
from rongxin.core.jobs import Enqueued, enqueue, jobs_recover, run_pending
from rongxin.core.models import AuditEvent, JobKey, JobSchedule, JobWorker

T0 = dt.datetime(2026, 1, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
CALLS: list[int] = []


def count(*, n: int) -> str:
    CALLS.append(n)
    return f"counted {n}\nsecond line"


def flaky() -> str:
    raise RuntimeError("disk full")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, db: Any) -> Iterator[dict[str, jobs.JobSpec]]:
    """Only the jobs a test registers (the apps' jobs stay registered outside the test)."""
    jobs.discover()  # the apps' tasks modules are imported (and register) before the swap
    fresh: dict[str, jobs.JobSpec] = {}
    monkeypatch.setattr(jobs, "REGISTRY", fresh)
    CALLS.clear()
    yield fresh
    CALLS.clear()


def row(enqueued: Enqueued) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=enqueued.id)


def test_the_apps_register_their_periodic_and_one_off_jobs():
    registry = jobs.discover()
    assert {name: spec.every for name, spec in registry.items() if spec.every} == {
        "canteens.certificate_reminders": dt.timedelta(hours=6),
        "core.clear_expired_sessions": dt.timedelta(hours=1),
        "core.purge_rate_counters": dt.timedelta(hours=1),
        "core.optimize_database": dt.timedelta(hours=24),
        "core.prune_jobs": dt.timedelta(hours=24),
        "credit.apply_time_changes": dt.timedelta(minutes=1),
        "credit.apply_catalogues": dt.timedelta(minutes=1),
        "credit.daily_root": dt.timedelta(hours=1),
        "credit.process_imports": dt.timedelta(minutes=1),
        "funds.publicity_ends": dt.timedelta(hours=1),
        "projects.ceremony_launch": dt.timedelta(seconds=60),
        "incentives.refresh_exports": dt.timedelta(minutes=15),
        "lectures.orders_deadlines": dt.timedelta(minutes=15),
        "lectures.quota_reminders": dt.timedelta(hours=1),
    }
    assert {name: spec.attempts for name, spec in registry.items() if not spec.every} == {
        "credit.process_import": 1,
        "credit.simulate": 3,
    }


def test_a_job_enqueued_twice_with_one_key_runs_once(registry):
    # given a job enqueued twice under one key (by name, then by function), and once under another
    jobs.job(name="test.count", max_attempts=1)(count)
    with time_machine.travel(T0, tick=False):
        first = enqueue("test.count", key="batch:1", n=1)
        second = enqueue(count, key="batch:1", n=2)
        other = enqueue("test.count", key="batch:2", n=3)
        # when the worker runs what is ready
        ran = run_pending()
    # then the second enqueue returned the first job, and each key's job ran once
    assert first.created is True
    assert second == Enqueued(id=first.id, created=False)
    assert other.created is True
    assert other.id != first.id
    assert ran == 2
    assert CALLS == [1, 3]
    assert (row(first).status, row(first).return_value, row(first).worker_ids.__len__()) == (
        "SUCCESSFUL",
        "counted 1\nsecond line",
        1,
    )
    assert (row(first).started_at, row(first).finished_at) == (T0, T0)
    # and the keys were released: the same key queues a new job now
    assert JobKey.objects.count() == 0
    again = enqueue("test.count", key="batch:1", n=4)
    assert again.created is True
    assert again.id not in (first.id, other.id)
    assert run_pending() == 1
    assert CALLS == [1, 3, 4]


def test_a_job_without_a_key_is_queued_every_time(registry):
    jobs.job(name="test.count", max_attempts=1)(count)
    a, b = enqueue("test.count", n=1), enqueue("test.count", n=1)
    assert (a.created, b.created, a.id != b.id) == (True, True, True)
    assert run_pending() == 2
    assert CALLS == [1, 1]


def test_an_unknown_job_is_refused(registry):
    with pytest.raises(LookupError):
        enqueue("test.nothing", key="k")
    assert (DBTaskResult.objects.count(), JobKey.objects.count()) == (0, 0)


def test_a_failing_job_retries_with_growing_delays_then_shows_as_failed(registry):
    # given a job that always fails, allowed three attempts, retried after 30 s then 60 s
    jobs.job(name="test.flaky", max_attempts=3, retry_seconds=30)(flaky)
    with time_machine.travel(T0, tick=False) as clock:
        queued = enqueue("test.flaky", key="flaky")
        # when its first attempt fails
        assert run_pending() == 1
        # then it waits 30 s in the queue, with its error, still holding its key
        first = row(queued)
        assert (first.status, len(first.worker_ids), first.run_after, first.finished_at) == (
            "READY",
            1,
            T0 + dt.timedelta(seconds=30),
            None,
        )
        assert first.traceback.splitlines()[-1] == "RuntimeError: disk full"
        assert first.exception_class_path == "builtins.RuntimeError"
        assert enqueue("test.flaky", key="flaky") == Enqueued(id=queued.id, created=False)
        clock.shift(dt.timedelta(seconds=29))
        assert run_pending() == 0
        # when the second attempt fails 30 s later
        clock.shift(dt.timedelta(seconds=1))
        assert run_pending() == 1
        # then the next wait is twice as long
        second = row(queued)
        assert (second.status, len(second.worker_ids), second.run_after) == (
            "READY",
            2,
            T0 + dt.timedelta(seconds=30 + 60),
        )
        clock.shift(dt.timedelta(seconds=59))
        assert run_pending() == 0
        # when the third and last attempt fails
        clock.shift(dt.timedelta(seconds=1))
        assert run_pending() == 1
        clock.shift(dt.timedelta(hours=1))
        assert run_pending() == 0
    # then the job shows as failed with its error, after three attempts, and its key is free
    failed = row(queued)
    assert (failed.status, len(failed.worker_ids), failed.finished_at) == (
        "FAILED",
        3,
        T0 + dt.timedelta(seconds=90),
    )
    assert failed.traceback.splitlines()[-1] == "RuntimeError: disk full"
    assert failed.exception_class_path == "builtins.RuntimeError"
    assert JobKey.objects.count() == 0
    overview = jobs.jobs_overview()
    assert [(j.name, j.key, j.attempts, j.max_attempts, j.error) for j in overview.failed] == [
        ("test.flaky", "flaky", 3, 3, "RuntimeError: disk full")
    ]
    assert (overview.queued, overview.running, overview.finished) == ([], [], [])


def test_retry_delays_double(settings):
    assert [jobs.retry_delay(first=30, attempt=n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_periodic_jobs_become_due_run_once_per_period_and_clear_expired_sessions(registry):
    # given the sessions job (hourly) and one expired and one live session
    jobs.periodic(name="core.clear_expired_sessions", every=dt.timedelta(hours=1))(core_tasks.clear_expired_sessions)
    with time_machine.travel("2026-01-01 08:00 +0800", tick=False):
        expired = SessionStore()
        expired.set_expiry(dt.timedelta(minutes=5))
        expired.create()
        live = SessionStore()
        live.set_expiry(dt.timedelta(days=2))
        live.create()
    # when the worker first runs, the job is due at once
    with time_machine.travel("2026-01-01 10:00 +0800", tick=False):
        assert run_pending() == 1
        assert run_pending() == 0  # not again within the hour
    with time_machine.travel("2026-01-01 10:59:59 +0800", tick=False):
        assert run_pending() == 0
    # then an hour later it runs again
    with time_machine.travel("2026-01-01 11:00:01 +0800", tick=False):
        assert run_pending() == 1
    done = DBTaskResult.objects.order_by("started_at")
    assert [(r.status, r.return_value) for r in done] == [
        ("SUCCESSFUL", "deleted 1 expired sessions"),
        ("SUCCESSFUL", "deleted 0 expired sessions"),
    ]
    assert [r.args_kwargs["kwargs"]["key"] for r in done] == ["periodic:core.clear_expired_sessions"] * 2
    schedule = JobSchedule.objects.get()
    assert (schedule.name, schedule.every, schedule.next_run_at) == (
        "core.clear_expired_sessions",
        dt.timedelta(hours=1),
        dt.datetime(2026, 1, 1, 4, 0, 1, tzinfo=dt.UTC),
    )


def test_a_periodic_job_still_queued_is_not_queued_again(registry):
    jobs.periodic(name="test.count", every=dt.timedelta(minutes=1))(count)
    with time_machine.travel(T0, tick=False) as clock:
        jobs.schedules_sync()
        assert jobs.schedules_enqueue_due() == ["test.count"]
        clock.shift(dt.timedelta(minutes=5))
        # its next turn comes while the first is still waiting for a worker: nothing new queued
        assert jobs.schedules_enqueue_due() == ["test.count"]
        assert DBTaskResult.objects.count() == 1


def test_schedules_follow_the_registry(registry):
    jobs.periodic(name="test.count", every=dt.timedelta(minutes=5))(count)
    JobSchedule.objects.create(name="test.gone", every=dt.timedelta(hours=1), next_run_at=T0)
    with time_machine.travel(T0, tick=False):
        jobs.schedules_sync()
        assert list(JobSchedule.objects.values_list("name", "every", "next_run_at")) == [
            ("test.count", dt.timedelta(minutes=5), T0)
        ]
        JobSchedule.objects.update(next_run_at=T0 + dt.timedelta(minutes=5))
        jobs.periodic(name="test.count", every=dt.timedelta(minutes=1))(count)
        jobs.schedules_sync()
        assert list(JobSchedule.objects.values_list("every", "next_run_at")) == [
            (dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=1))
        ]


def claimed_by_dead_worker(enqueued: Enqueued) -> DBTaskResult:
    """The job as a worker on another machine left it: claimed, and that worker silent for an hour."""
    JobWorker.objects.create(
        worker_id="gone", host="elsewhere", pid=1, started_at=T0, beat_at=T0 - dt.timedelta(hours=1)
    )
    result = row(enqueued)
    result.claim("gone")
    return result


def test_a_job_left_running_by_a_dead_worker_runs_again(registry):
    jobs.job(name="test.count", max_attempts=2)(count)
    with time_machine.travel(T0, tick=False):
        queued = enqueue("test.count", key="k", n=7)
        claimed_by_dead_worker(queued)
        # a live worker on this machine is left alone
        JobWorker.objects.create(worker_id="here", host=jobs.HOST, pid=1, started_at=T0, beat_at=T0)
        assert jobs_recover() == 1
        assert row(queued).status == "READY"
        assert row(queued).traceback == "rongxin.core.jobs.Interrupted: worker gone stopped during attempt 1\n"
        assert run_pending() == 1
    assert CALLS == [7]
    assert (row(queued).status, row(queued).worker_ids[0], len(row(queued).worker_ids)) == ("SUCCESSFUL", "gone", 2)
    assert JobKey.objects.count() == 0


def test_a_job_interrupted_on_its_last_attempt_fails(registry):
    jobs.job(name="test.count", max_attempts=1)(count)
    with time_machine.travel(T0, tick=False):
        queued = enqueue("test.count", key="k", n=7)
        claimed_by_dead_worker(queued)
        assert jobs_recover() == 1
        assert run_pending() == 0
    assert CALLS == []
    failed = row(queued)
    assert (failed.status, failed.finished_at, failed.exception_class_path) == (
        "FAILED",
        T0,
        "rongxin.core.jobs.Interrupted",
    )
    assert JobKey.objects.count() == 0


def test_a_running_job_of_a_live_worker_is_left_alone(registry):
    jobs.job(name="test.count", max_attempts=1)(count)
    with time_machine.travel(T0, tick=False):
        queued = enqueue("test.count", key="k", n=7)
        JobWorker.objects.create(worker_id="busy", host="elsewhere", pid=1, started_at=T0, beat_at=T0)
        row(queued).claim("busy")
        assert jobs_recover() == 0
        assert run_pending() == 0
    assert row(queued).status == "RUNNING"


# --- Two workers at once (PostgreSQL) ---------------------------------------------------------
JOBS = 24


def recorded(*, n: int) -> str:
    """A job slow enough that both workers are busy at once; every run leaves an audit row."""
    time.sleep(0.05)
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.WRITE,
        action="test.job.ran",
        object_type="job",
        object_id=n,
        details={"thread": threading.current_thread().name},
    )
    return f"ran {n}"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: two connections claiming at once (SQLite serialises every writer)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_one_job_twice(monkeypatch):
    # given many jobs queued
    jobs.discover()
    monkeypatch.setattr(jobs, "REGISTRY", {})
    jobs.job(name="test.recorded", max_attempts=1)(recorded)
    queued = [enqueue("test.recorded", n=n) for n in range(JOBS)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        try:
            start.wait(timeout=30)
            # the library's own loop, as `rongxin worker` runs it (batch: stop when the queue is empty)
            jobs._worker(worker_id=worker_id, batch=True, interval=0).run()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    # when two workers, each with its own connection, run the queue at the same time
    threads = [threading.Thread(target=work, args=(w,), name=w) for w in ("worker-a", "worker-b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    # then every job ran exactly once, and both workers took part
    assert errors == []
    runs = sorted(int(i) for i in AuditEvent.objects.filter(action="test.job.ran").values_list("object_id", flat=True))
    assert runs == list(range(JOBS))
    results = DBTaskResult.objects.filter(pk__in=[q.id for q in queued])
    assert sorted(r.status for r in results) == ["SUCCESSFUL"] * JOBS
    assert sorted(len(r.worker_ids) for r in results) == [1] * JOBS
    assert {r.worker_ids[0] for r in results} == {"worker-a", "worker-b"}
    threads_seen = {e.details["thread"] for e in AuditEvent.objects.filter(action="test.job.ran")}
    assert threads_seen == {"worker-a", "worker-b"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent enqueues")
@pytest.mark.django_db(transaction=True)
def test_one_key_enqueued_at_once_from_two_connections_queues_one_job(monkeypatch):
    jobs.discover()
    monkeypatch.setattr(jobs, "REGISTRY", {})
    jobs.job(name="test.recorded", max_attempts=1)(recorded)
    start = threading.Barrier(8)
    results: list[Enqueued | BaseException] = []

    def enqueue_once() -> None:
        try:
            start.wait(timeout=30)
            results.append(enqueue("test.recorded", key="one", n=1))
        except BaseException as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enqueue_once) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert DBTaskResult.objects.count() == 1
    only = str(DBTaskResult.objects.get().pk)
    assert sorted((r.id, r.created) for r in results if isinstance(r, Enqueued)) == sorted(
        [(only, True)] + [(only, False)] * 7
    )
