"""Policy simulation as a job: asked for on the page, run by a worker, read back on a page that
follows its progress.

At a county's scale the simulation reads every counting entry and every subject of the kind
(tens of seconds, longer than a web worker may take), so a request only queues it. The run
computes both sides from the records as they were when it was asked for (``Simulation.at``), so
a run interrupted and started again by another worker gives the same figures.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.core.jobs import enqueue
from rongxin.core.models import AuditEvent
from rongxin.core.progress import progress_clear, progress_write
from rongxin.credit.models import Catalogue, Simulation
from rongxin.credit.permissions import require_catalogue_editor
from rongxin.credit.selectors.simulation import (
    ACTIVE,
    INTERRUPTED,
    PROGRESS_KIND,
    credit_simulate,
    simulation_job_failed,
    simulation_summary,
)

MAX_ATTEMPTS = 3  # runs of the job (rongxin.credit.tasks): a worker dying mid-run leaves the next one a retry


def simulation_job_key(simulation_id: int) -> str:
    """The de-duplication key of the job that runs the simulation ``simulation_id``."""
    return f"credit.simulation:{simulation_id}"


def simulation_request(*, actor: User, catalogue_id: int) -> tuple[Simulation, bool]:
    """Queue a simulation of the catalogue ``catalogue_id`` (the county credit office only) and,
    when it commits, its job (``credit.simulate``). While one of the same catalogue is queued or
    running, that one is returned instead (a second click, a second tab): ``(simulation,
    created)``. Writes an audit row for a new one. Raises NotFound (no such catalogue, or the
    actor may not simulate)."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        # The catalogue row serialises requests for it, so two at once make one simulation.
        catalogue = Catalogue.objects.select_for_update().filter(pk=catalogue_id).first()
        if catalogue is None:
            raise NotFound()
        running = Simulation.objects.filter(catalogue=catalogue, status__in=ACTIVE).order_by("-id").first()
        if running is not None:
            if not simulation_job_failed(running):
                return running, False
            _finish(running, status=Simulation.Status.FAILED, error=_message(INTERRUPTED))
        now = clock.now()
        simulation = Simulation.objects.create(catalogue=catalogue, requested_by=actor, at=now, queued_at=now)
        queued = enqueue("credit.simulate", key=simulation_job_key(simulation.pk), simulation_id=simulation.pk)
        Simulation.objects.filter(pk=simulation.pk).update(job_id=queued.id)
        simulation.job_id = queued.id
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="credit.simulation.request",
            object_type="catalogue",
            object_id=catalogue.pk,
            details={"simulation": simulation.pk, "version": catalogue.version},
        )
    return simulation, True


def _message(error: object) -> str:
    """An error in the site's language (Chinese), for the page that shows it later."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(error)


def simulation_run(*, simulation_id: int) -> Simulation:
    """Run a queued simulation (the job ``credit.simulate``): reports its progress, stores the
    result (``simulation_summary``) and marks it done. A run of a finished simulation does
    nothing (the job is idempotent); a domain error (no catalogue in force to compare with) marks
    it failed with its message; any other error marks it failed on its last attempt and is raised
    again, so the queue retries it. Raises NotFound (no such simulation)."""
    simulation = Simulation.objects.filter(pk=simulation_id).first()
    if simulation is None:
        raise NotFound()
    if simulation.status in (Simulation.Status.DONE, Simulation.Status.FAILED):
        return simulation
    attempts = simulation.attempts + 1
    Simulation.objects.filter(pk=simulation.pk).update(
        status=Simulation.Status.RUNNING, started_at=clock.now(), attempts=attempts
    )

    def report(done: int, total: int) -> None:
        progress_write(PROGRESS_KIND, simulation.pk, done=done, total=total)

    try:
        result = credit_simulate(draft_id=simulation.catalogue_id, at=simulation.at, progress=report)
    except ApplicationError as exc:
        _finish(simulation, status=Simulation.Status.FAILED, error=_message(exc.message))
        return simulation
    except Exception:
        if attempts >= MAX_ATTEMPTS:
            _finish(
                simulation,
                status=Simulation.Status.FAILED,
                error=_message(_("The simulation failed. Please run it again; if it fails again, tell the operator.")),
            )
        raise
    _finish(simulation, status=Simulation.Status.DONE, result=simulation_summary(result))
    return simulation


def _finish(simulation: Simulation, *, status: str, result: dict | None = None, error: str = "") -> None:
    Simulation.objects.filter(pk=simulation.pk).update(
        status=status, result=result, error=error, finished_at=clock.now()
    )
    simulation.refresh_from_db()
    progress_clear(PROGRESS_KIND, simulation.pk)
