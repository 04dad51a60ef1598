"""Writing to the audit log. Every write service and every staff read of a person's file
calls :func:`audit_record` inside its own transaction, so the row and the change land together.
"""

from __future__ import annotations

from typing import Any

from rongxin.core import clock
from rongxin.core.context import client_ip
from rongxin.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    kind: str,
    action: str,
    role: str = "",
    object_type: str = "",
    object_id: object = "",
    subject_id: int | None = None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event.

    ``actor`` is a user or ``None`` for the system (worker, generator). Returns the new row.
    """
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        at=clock.now(),
        actor=actor if is_user else None,
        actor_name=(actor.get_username() if is_user else "system"),
        actor_role=role,
        kind=kind,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        subject_id=subject_id,
        purpose=purpose,
        details=details or {},
        ip=client_ip.get(),
    )
