"""Reads over the audit log (permission checks are the caller's: auditors only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import field_error
from rongxin.core.models import AuditEvent


def audit_events(
    *,
    actor_name: str = "",
    action: str = "",
    kind: str = "",
    subject_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events matching every given filter, newest first. Raises InvalidInput on a bad
    kind or an empty date range."""
    qs = AuditEvent.objects.all()
    if kind:
        if kind not in AuditEvent.Kind.values:
            raise field_error("kind", _("Unknown kind of event."), code="kind")
        qs = qs.filter(kind=kind)
    if actor_name:
        qs = qs.filter(actor_name=actor_name.strip())
    if action:
        qs = qs.filter(action=action.strip())
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if since and until and since > until:
        raise field_error("until", _("The end date is before the start date."), code="date_range")
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-at", "-id")
