"""Worker jobs of the credit engine."""

from __future__ import annotations

import datetime as dt

from rongxin.core import clock
from rongxin.core.jobs import job, periodic
from rongxin.credit.services.imports import import_process, import_process_queued
from rongxin.credit.services.roots import chain_root_record
from rongxin.credit.services.scores import catalogues_apply, credit_apply_time_changes
from rongxin.credit.services.simulations import MAX_ATTEMPTS, simulation_run


@periodic(name="credit.apply_time_changes", every=dt.timedelta(minutes=1))
def apply_time_changes() -> str:
    """Entries whose period ended stop counting; scores and grades follow."""
    return f"refreshed {credit_apply_time_changes()} subjects"


@periodic(name="credit.apply_catalogues", every=dt.timedelta(minutes=1))
def apply_catalogues() -> str:
    """A catalogue that reached its effective date rescored every subject of its kind."""
    return f"rescored {catalogues_apply()} subjects"


@periodic(name="credit.daily_root", every=dt.timedelta(hours=1))
def daily_root() -> str:
    """Compute and sign yesterday's root over all chain heads once (the job checks hourly; a day
    that has its root keeps it)."""
    day = clock.today_local() - dt.timedelta(days=1)
    root = chain_root_record(day=day)
    if root is None:
        return f"root for {day} waits for late commits"
    return f"root for {day}: {root.root[:16]}… over {root.subjects} chains, {root.facts} facts, key {root.key_id}"


@job(name="credit.process_import", max_attempts=1)
def process_import(*, batch_id: int) -> str:
    """Check and commit one uploaded import, as soon as a worker is free (queued by the page or
    the API, keyed by the batch). Its own attempts are the import's: an interrupted import is
    found by the sweep below, not retried here."""
    batch = import_process(batch_id=batch_id)
    return (
        f"import {batch.pk}: {batch.status}, {batch.created} created, {batch.existing} existing, {batch.failed} failed"
    )


@periodic(name="credit.process_imports", every=dt.timedelta(minutes=1))
def process_imports() -> str:
    """The sweep: queue again the imports a dead process left running, then check and commit every
    queued import, oldest first. One that fails is marked failed and the next one runs; one
    interrupted three times fails too."""
    return f"processed {import_process_queued()} imports"


@job(name="credit.simulate", max_attempts=MAX_ATTEMPTS, retry_seconds=5)
def simulate(*, simulation_id: int) -> str:
    """Run a policy simulation asked for on its page (keyed by the simulation). A run cut short
    by a dead worker is found by the queue's recovery and runs again from the start (from the
    records as of the request, so the figures are the same)."""
    s = simulation_run(simulation_id=simulation_id)
    if s.result is None:
        return f"simulation {s.pk}: {s.status}"
    return f"simulation {s.pk}: {s.status}, {s.result['subjects']} subjects, {s.result['changed']} change grade"
