"""A marker of each synthetic load, so a second load into the same database is refused."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyntheticLoad(models.Model):
    scale = models.FloatField(_("scale"))
    seed = models.BigIntegerField(_("seed"))
    loaded_at = models.DateTimeField(_("loaded at"))
    counts = models.JSONField(_("row counts"), default=dict)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("synthetic load")
        verbose_name_plural = _("synthetic loads")

    def __str__(self) -> str:
        return f"scale {self.scale} seed {self.seed}"
