"""The audit log for auditors (read-only). It lives in accounts because the auditor role does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from rongxin.accounts.permissions import require_auditor
from rongxin.core.selectors import audit_events

router = Router(tags=["audit"])
PAGE_SIZE = 100


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    actor_role: str
    kind: str
    action: str
    object_type: str
    object_id: str
    subject_id: int | None
    purpose: str
    details: dict[str, Any]
    ip: str | None


class AuditPageOut(Schema):
    count: int
    page: int
    items: list[AuditEventOut]


@router.get("/events", response=AuditPageOut, operation_id="audit_events")
def events(
    request: HttpRequest,
    actor: str = "",
    action: str = "",
    kind: str = "",
    subject_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    page: int = Query(1, ge=1, le=1_000_000),  # type: ignore[assignment]
) -> AuditPageOut:
    """Browse and filter the audit log (auditors), 100 per page."""

    require_auditor(request.user)
    qs = audit_events(actor_name=actor, action=action, kind=kind, subject_id=subject_id, since=since, until=until)
    page = max(page, 1)
    items = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return AuditPageOut(count=qs.count(), page=page, items=[AuditEventOut.from_orm(e) for e in items])
