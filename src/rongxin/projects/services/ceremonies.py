"""Writes of the yearly charity ceremony (公益典礼): setting it up, changing it, putting projects
into its batch (or taking them out), and launching the batch when it starts.

Only the county centre (:func:`~rongxin.projects.permissions.common.is_centre`) runs the ceremony;
anyone else gets NotFound before their input is read. A ceremony is changed, and its batch
attached or detached, only before it starts (and before it is launched). Launching publishes
the batch's draft projects (``services.common.transition(project, "publish")``, published_at =
now) and sets ``launched_at``, under the ceremony's row lock: a second launch — by the centre's
button, or by the clock (``projects.ceremony_launch``) on a second worker — waits for the first
and then finds nothing to do. Lock order: the ceremony's row, then the projects' rows in id order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.projects.models import Ceremony, Project
from rongxin.projects.permissions.common import is_centre
from rongxin.projects.services.common import actor_or_none, transition

MAX_LENGTH = dt.timedelta(days=7)
MAX_BATCH = 500
STARTED = _("The ceremony has started; its time and its batch of projects can no longer be changed.")


def _centre_role(actor: User | None) -> str:
    if not is_centre(actor):
        raise NotFound()
    return str(Role.DEPARTMENT_RECORDER)


def _audit(actor: User | None, role: str, action: str, ceremony: Ceremony, **details: Any) -> None:
    audit_record(
        actor=actor_or_none(actor),
        kind=AuditEvent.Kind.WRITE,
        action=action,
        role=role,
        object_type="ceremony",
        object_id=ceremony.pk,
        details={"year": ceremony.year, **details},
    )


def ceremony_locked(year: int) -> Ceremony:
    """The ceremony of ``year``, its row locked for the rest of the caller's transaction."""
    ceremony = Ceremony.objects.select_for_update().filter(year=year).first()
    if ceremony is None:
        raise NotFound()
    return ceremony


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise field_error(field, _("Enter a date and time."), code="required")
    return value if value.tzinfo is not None else value.replace(tzinfo=clock.LOCAL_TZ)


def _times(year: int, starts_at: dt.datetime, ends_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    starts_at, ends_at = _aware(starts_at, "starts_at"), _aware(ends_at, "ends_at")
    if starts_at <= clock.now():
        raise field_error("starts_at", _("The ceremony must start in the future."), code="in_the_past")
    if starts_at.astimezone(clock.LOCAL_TZ).year != year:
        raise field_error("starts_at", _("The ceremony starts in its own year."), code="wrong_year")
    if ends_at <= starts_at:
        raise field_error("ends_at", _("The ceremony must end after it starts."), code="ends_before_start")
    if ends_at - starts_at > MAX_LENGTH:
        raise field_error("ends_at", _("A ceremony lasts at most seven days."), code="too_long")
    return starts_at, ends_at


def _require_not_started(ceremony: Ceremony) -> None:
    if ceremony.launched_at is not None or ceremony.starts_at <= clock.now():
        raise Conflict(STARTED, code="started")


def ceremony_create(
    *, actor: User | None, year: int, title: str, venue: str, starts_at: dt.datetime, ends_at: dt.datetime
) -> Ceremony:
    """Set up the ceremony of ``year`` (one a year). Writes the ceremony and a ``ceremony.create``
    audit row. Raises NotFound (not the county centre), InvalidInput (a bad year, title, venue or
    time: it must start in the future, in its year, and end after it starts, within seven days),
    Conflict ``duplicate_ceremony`` (the year has one already)."""
    role = _centre_role(actor)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise field_error("year", _("Enter a year such as 2026."), code="bad_year")
    title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
    venue = clean_text(venue, field="venue", required=True, max_length=120, multiline=False)
    starts_at, ends_at = _times(year, starts_at, ends_at)
    try:
        with transaction.atomic():
            ceremony = Ceremony.objects.create(
                year=year,
                title=title,
                venue=venue,
                starts_at=starts_at,
                ends_at=ends_at,
                created_at=clock.now(),
                created_by=actor_or_none(actor),
            )
            _audit(actor, role, "ceremony.create", ceremony, starts_at=starts_at.isoformat())
    except IntegrityError:
        raise Conflict(_("That year already has its charity ceremony."), code="duplicate_ceremony") from None
    return ceremony


def ceremony_update(
    *,
    actor: User | None,
    year: int,
    title: str | None = None,
    venue: str | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
) -> Ceremony:
    """Change the ceremony's title, venue or time (what is given), before it starts. Writes the
    ceremony and a ``ceremony.update`` audit row with the changed fields. Raises NotFound (not the
    centre, or no ceremony that year), Conflict ``started``, InvalidInput (as
    :func:`ceremony_create`)."""
    role = _centre_role(actor)
    with transaction.atomic():
        ceremony = ceremony_locked(year)
        _require_not_started(ceremony)
        changed: dict[str, str] = {}
        if title is not None:
            ceremony.title = clean_text(title, field="title", required=True, max_length=120, multiline=False)
            changed["title"] = ceremony.title
        if venue is not None:
            ceremony.venue = clean_text(venue, field="venue", required=True, max_length=120, multiline=False)
            changed["venue"] = ceremony.venue
        if starts_at is not None or ends_at is not None:
            ceremony.starts_at, ceremony.ends_at = _times(
                ceremony.year, starts_at or ceremony.starts_at, ends_at or ceremony.ends_at
            )
            changed |= {"starts_at": ceremony.starts_at.isoformat(), "ends_at": ceremony.ends_at.isoformat()}
        if changed:
            ceremony.save(update_fields=["title", "venue", "starts_at", "ends_at"])
            _audit(actor, role, "ceremony.update", ceremony, **changed)
    return ceremony


def ceremony_attach(*, actor: User | None, year: int, project_ids: list[int], attach: bool) -> int:
    """Put projects into the ceremony's batch (``attach``) or take them out, before it starts.
    Only draft or published projects join a batch, and a project is in one batch at most. All or
    nothing: one refused project refuses the whole call. Writes the projects' ``ceremony`` and a
    ``ceremony.attach`` audit row (the numbers attached or detached). Returns how many changed.
    Raises NotFound (not the centre, no ceremony, or an unknown project), Conflict ``started``,
    ``not_attachable`` (a project that is neither draft nor published), ``other_ceremony``,
    InvalidInput ``no_projects`` / ``too_many``."""
    role = _centre_role(actor)
    ids = sorted({int(i) for i in project_ids})
    if not ids:
        raise field_error("project_ids", _("Name at least one project."), code="no_projects")
    if len(ids) > MAX_BATCH:
        raise field_error("project_ids", _("At most 500 projects at a time."), code="too_many")
    with transaction.atomic():
        ceremony = ceremony_locked(year)
        _require_not_started(ceremony)
        projects = list(Project.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(projects) != len(ids):
            raise NotFound()
        changing: list[Project] = []
        for p in projects:
            if attach:
                if p.ceremony_id == ceremony.pk:
                    continue
                if p.ceremony_id is not None:
                    raise Conflict(
                        _("Project %(number)s is already in another ceremony's batch.") % {"number": p.number},
                        code="other_ceremony",
                    )
                if p.state not in (Project.State.DRAFT, Project.State.PUBLISHED):
                    raise Conflict(
                        _("Project %(number)s is neither a draft nor published; it cannot join the batch.")
                        % {"number": p.number},
                        code="not_attachable",
                    )
                changing.append(p)
            elif p.ceremony_id == ceremony.pk:
                changing.append(p)
            else:
                raise Conflict(
                    _("Project %(number)s is not in this ceremony's batch.") % {"number": p.number},
                    code="not_in_batch",
                )
        if changing:
            Project.objects.filter(pk__in=[p.pk for p in changing]).update(ceremony=ceremony if attach else None)
            _audit(
                actor,
                role,
                "ceremony.attach",
                ceremony,
                attached=[p.number for p in changing] if attach else [],
                detached=[] if attach else [p.number for p in changing],
            )
    return len(changing)


def _launch(ceremony_id: int, actor: User | None, role: str) -> int:
    """Launch under the ceremony's row lock; 0 when it was launched already."""
    with transaction.atomic():
        ceremony = Ceremony.objects.select_for_update().filter(pk=ceremony_id).first()
        if ceremony is None:
            raise NotFound()
        if ceremony.launched_at is not None:
            return 0
        now = clock.now()
        drafts = list(
            Project.objects.select_for_update().filter(ceremony=ceremony, state=Project.State.DRAFT).order_by("pk")
        )
        for project in drafts:
            project.state = transition(project, "publish")
            project.published_at = now
            project.save(update_fields=["state", "published_at"])
            audit_record(
                actor=actor_or_none(actor),
                kind=AuditEvent.Kind.WRITE,
                action="project.publish",
                role=role,
                object_type="project",
                object_id=project.pk,
                details={"number": project.number, "ceremony": ceremony.year},
            )
        ceremony.launched_at = now
        ceremony.save(update_fields=["launched_at"])
        _audit(actor, role, "ceremony.launch", ceremony, published=[p.number for p in drafts])
    return len(drafts)


def ceremony_launch(*, actor: User | None, year: int) -> int:
    """Launch the ceremony's batch now: publish its draft projects (published_at = now) and set
    ``launched_at``. Idempotent: a launched ceremony is left as it is (returns 0). Writes the
    projects, the ceremony, a ``project.publish`` audit row per project and one
    ``ceremony.launch`` row. Returns how many projects were published. Raises NotFound (not the
    centre, or no ceremony that year)."""
    role = _centre_role(actor)
    ceremony = Ceremony.objects.filter(year=year).first()
    if ceremony is None:
        raise NotFound()
    return _launch(ceremony.pk, actor, role)


def ceremonies_launch_due() -> int:
    """The clock: launch every ceremony that has started and is not launched yet (as the system).
    Safe to run any number of times and on two workers at once (each launch takes the
    ceremony's row lock and looks again). Returns how many ceremonies this call launched."""
    due = list(
        Ceremony.objects.filter(launched_at__isnull=True, starts_at__lte=clock.now())
        .order_by("starts_at")
        .values_list("pk", flat=True)
    )
    launched = 0
    for ceremony_id in due:
        with transaction.atomic():
            fresh = Ceremony.objects.select_for_update().filter(pk=ceremony_id, launched_at__isnull=True).exists()
            if fresh:
                _launch(ceremony_id, None, "")
                launched += 1
    return launched
