"""Core tables: the append-only audit log and the worker's job bookkeeping."""

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


class JobRun(models.Model):
    """The last run of each periodic worker job (one row per job name)."""

    name = models.CharField(_("job"), max_length=80, unique=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(_("status"), max_length=12, blank=True)
    last_result = models.TextField(_("result"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("worker job")
        verbose_name_plural = _("worker jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
