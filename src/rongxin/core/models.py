"""Core tables: the append-only audit log, the job queue's schedules, keys and workers, and rate counters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are facts: no bulk update or delete through the ORM."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Write")
        AUTH = "auth", _("Sign-in")

    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_role = models.CharField(_("role"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # Whose file this touched (a subjects.Subject id, kept as a plain column: core sits below
    # subjects, and the column is the distribution key of per-subject data).
    subject_id = models.BigIntegerField(_("subject"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_id", "at"], name="audit_subject_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("audit events are append-only")


class JobSchedule(models.Model):
    """When each periodic job (``@periodic`` in an app's ``tasks.py``) is next due. The workers
    sync these rows from the registry when they start, and a due row is moved on by one
    conditional update before its job is enqueued, so two workers never enqueue one turn twice."""

    name = models.CharField(_("job"), max_length=80, primary_key=True)
    every = models.DurationField(_("every"))
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def every_minutes(self) -> int:
        return int(self.every.total_seconds() // 60)


class JobKey(models.Model):
    """A de-duplication key held by a queued or running job: enqueueing the same key again
    while it is held returns the job that holds it. Released when the job finishes."""

    key = models.CharField(_("key"), max_length=200, primary_key=True)
    task_id = models.UUIDField(_("job id"), null=True)
    held_since = models.DateTimeField(_("held since"))

    class Meta:
        verbose_name = _("job key")
        verbose_name_plural = _("job keys")

    def __str__(self) -> str:
        return self.key


class JobWorker(models.Model):
    """A running ``rongxin worker`` process, so a job left running by a worker that died can be
    told from one that is still at work."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    beat_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("job worker")
        verbose_name_plural = _("job workers")
        ordering = ["started_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"


class RateCounter(models.Model):
    """A rate-limit counter (django-ratelimit, through :class:`rongxin.core.counters.CounterCache`):
    one row per limited key and window, written with single atomic statements."""

    name = models.CharField(primary_key=True, max_length=250)
    value = models.BigIntegerField()
    # Seconds since the epoch (UTC), compared with ``time.time()``.
    expires = models.FloatField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
