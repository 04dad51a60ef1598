"""The work of a project and its end: milestone reports with photos, the completion report, the
publisher's acceptance (with the beneficiaries' feedback), and the close.

A photo is a JPEG or PNG judged by its content (never its name), at most
``settings.RONGXIN_PROJECTS_PHOTO_MAX_BYTES`` each and :data:`MAX_PHOTOS` per milestone; the same
bytes twice on one milestone are kept once. A report is refused whole: a bad photo leaves neither
the text nor any other photo behind.

Closing is the publisher's decision once the left-over is 0 (nothing closes by itself): pledges
still open then have their unpaid rest withdrawn with the reason 「项目结项」 (a pledge paid in
part keeps what was paid as its amount and becomes paid; one paid nothing is withdrawn), so
``Project.pledged`` equals what came in.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.projects.models import Milestone, MilestonePhoto, Pledge, Project
from rongxin.projects.permissions.common import access_project
from rongxin.projects.permissions.work import access_project_publisher, access_project_work, worker_role
from rongxin.projects.services.common import ZERO, project_locked, require_allowed, transition

MAX_PHOTOS = 9
CLOSE_REASON = "项目结项"
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}


def photo_max_bytes() -> int:
    return int(settings.RONGXIN_PROJECTS_PHOTO_MAX_BYTES)


def photo_content_type(data: bytes) -> str | None:
    """The photo's type by its content: a JPEG (SOI … EOI) or a PNG (signature … IEND), else None."""
    if data.startswith(b"\xff\xd8\xff") and data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in data[-16:]:
        return "image/png"
    return None


def _photo_too_large() -> Exception:
    return field_error(
        "photos",
        _("A photo is larger than %(mb)s MB; take it at a lower resolution.")
        % {"mb": f"{photo_max_bytes() / 1048576:g}"},
        code="photo_too_large",
    )


def read_photo_upload(upload: Any) -> tuple[str, bytes]:
    """(name, bytes) of an uploaded photo, reading at most one byte past the size limit (the
    service then refuses it as too large)."""
    limit = photo_max_bytes()
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise _photo_too_large()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return (str(getattr(upload, "name", "") or ""), bytes(upload.read(limit + 1)))


def _audit(actor: User, action: str, role: str, object_type: str, object_id: int, **details: object) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        role=role,
        object_type=object_type,
        object_id=object_id,
        details=dict(details),
    )


def _checked_photos(photos: list[tuple[str, bytes]]) -> list[tuple[str, str, bytes, str]]:
    """(name, content type, data, sha256) of each photo, distinct by content; InvalidInput on
    ``photos`` for an empty, oversized or non-image file."""
    limit = photo_max_bytes()
    seen: set[str] = set()
    out: list[tuple[str, str, bytes, str]] = []
    for raw_name, data in photos:
        if not data:
            raise field_error("photos", _("The file is empty."), code="empty_file")
        if len(data) > limit:
            raise _photo_too_large()
        content_type = photo_content_type(data)
        if content_type is None:
            raise field_error("photos", _("Upload photos as JPEG or PNG files."), code="photo_type")
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        name = clean_text(raw_name or "", field="photos", required=False, max_length=400, multiline=False)[-120:]
        out.append((name or f"photo{PHOTO_TYPES[content_type]}", content_type, data, digest))
    return out


def milestone_report(*, actor: User, milestone_id: int, report: str, photos: list[tuple[str, bytes]]) -> Milestone:
    """Report a milestone of a project in progress: its text (again, to update it) and photos
    added to those it has. A leader of the picked team or the publisher.

    Writes the milestone (reported) and a :class:`MilestonePhoto` per new photo. Raises NotFound,
    Conflict (``not_now``), InvalidInput (``report``; ``photos``: empty, ``photo_too_large``,
    ``photo_type``, ``too_many_photos``). Audit: ``milestone.report``."""
    milestone = Milestone.objects.select_related("project").filter(pk=milestone_id).first()
    if milestone is None:
        raise NotFound()
    project = access_project(actor, milestone.project_id)
    role = worker_role(actor, project)
    if not role:
        raise NotFound()
    text = clean_text(report, field="report", required=True, max_length=4000)
    checked = _checked_photos(photos)
    with transaction.atomic():
        project = project_locked(project.pk)
        require_allowed(project, "work")
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        have = set(MilestonePhoto.objects.filter(milestone=milestone).values_list("sha256", flat=True))
        new = [p for p in checked if p[3] not in have]
        if len(have) + len(new) > MAX_PHOTOS:
            raise field_error(
                "photos",
                _("A milestone keeps at most %(n)s photos; it has %(have)s.") % {"n": MAX_PHOTOS, "have": len(have)},
                code="too_many_photos",
            )
        now = clock.now()
        MilestonePhoto.objects.bulk_create(
            MilestonePhoto(
                milestone=milestone,
                file_name=name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                data=data,
                uploaded_at=now,
                uploaded_by=actor,
            )
            for name, content_type, data, digest in new
        )
        milestone.state = Milestone.State.REPORTED
        milestone.report = text
        milestone.reported_at = now
        milestone.reported_by = actor
        milestone.save(update_fields=["state", "report", "reported_at", "reported_by"])
        _audit(actor, "milestone.report", role, "milestone", milestone.pk, project=project.pk, photos=len(new))
    return milestone


def project_complete(*, actor: User, project_id: int, report: str) -> Project:
    """Say the work is done (→ completed) with the completion report. A leader of the picked team
    or the publisher.

    Raises NotFound, Conflict (``not_in_progress``), InvalidInput (``report``). Audit:
    ``project.complete``."""
    _project, role = access_project_work(actor, project_id)
    text = clean_text(report, field="report", required=True, max_length=4000)
    with transaction.atomic():
        project = project_locked(project_id)
        project.state = transition(project, "complete")
        project.completion_report = text
        project.completed_at = clock.now()
        project.save(update_fields=["state", "completion_report", "completed_at"])
        _audit(actor, "project.complete", role, "project", project.pk)
    return project


def project_accept(*, actor: User, project_id: int, note: str, feedback: str) -> Project:
    """The publisher accepts the completed work (→ accepted) with the acceptance note and the
    beneficiaries' feedback.

    Raises NotFound (not the publisher), Conflict (``not_completed``), InvalidInput (``note``,
    ``feedback``). Audit: ``project.accept``."""
    _project, role = access_project_publisher(actor, project_id)
    note_text = clean_text(note, field="note", required=True, max_length=2000)
    feedback_text = clean_text(feedback, field="feedback", required=True, max_length=2000)
    with transaction.atomic():
        project = project_locked(project_id)
        project.state = transition(project, "accept")
        project.acceptance_note = note_text
        project.beneficiary_feedback = feedback_text
        project.accepted_at = clock.now()
        project.accepted_by = actor
        project.save(update_fields=["state", "acceptance_note", "beneficiary_feedback", "accepted_at", "accepted_by"])
        _audit(actor, "project.accept", role, "project", project.pk)
    return project


def project_close(*, actor: User, project_id: int) -> Project:
    """The publisher closes an accepted project whose left-over is 0 (→ closed). Open pledges have
    their unpaid rest withdrawn (see the module's text); ``Project.pledged`` follows.

    Raises NotFound (not the publisher), Conflict (``not_accepted``, ``left_over``). Audit:
    ``project.close``."""
    _project, role = access_project_publisher(actor, project_id)
    with transaction.atomic():
        project = project_locked(project_id)
        project.state = transition(project, "close")
        now = clock.now()
        open_pledges = list(Pledge.objects.select_for_update().filter(project=project, state=Pledge.State.OPEN))
        changed: list[dict[str, Any]] = []
        for pledge in open_pledges:
            rest = pledge.amount - pledge.paid
            if pledge.paid > 0:
                pledge.amount = pledge.paid
                pledge.state = Pledge.State.PAID
            else:
                pledge.state = Pledge.State.WITHDRAWN
            pledge.withdrawn_at = now
            pledge.withdraw_reason = CLOSE_REASON
            pledge.save(update_fields=["amount", "state", "withdrawn_at", "withdraw_reason"])
            changed.append({"pledge": pledge.pk, "withdrawn": str(rest)})
        pledged: Decimal = (
            Pledge.objects.filter(project=project).exclude(state=Pledge.State.WITHDRAWN).aggregate(s=Sum("amount"))["s"]
            or ZERO
        )
        project.pledged = pledged
        project.closed_at = now
        project.save(update_fields=["state", "pledged", "closed_at"])
        _audit(actor, "project.close", role, "project", project.pk, pledges=changed)
    return project
