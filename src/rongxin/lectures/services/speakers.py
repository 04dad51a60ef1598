"""Speakers: lecture administrators add and change the programme's speakers (county leaders,
heads with the bimonthly quota, lecture-team members and volunteers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import Department, User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.models import Speaker
from rongxin.lectures.permissions.common import require_lecture_admin
from rongxin.regions.models import Region
from rongxin.regions.selectors import region_get_by_code
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team

MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 30
KEEP: Any = object()  # speaker_update: leave this field as it is


def _line(value: Any, *, field: str, required: bool, max_length: int) -> str:
    return clean_text(value, field=field, required=required, max_length=max_length, multiline=False)


def clean_topics(values: Any, *, field: str = "topics") -> list[str]:
    """Topics as stored: each one line of at most 30 characters, each once, at most 20."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Iterable):
        raise field_error(field, _("Give the topics as a list."), code="invalid")
    topics: list[str] = []
    for value in values:
        topic = _line(value, field=field, required=False, max_length=MAX_TOPIC_LENGTH)
        if topic and topic not in topics:
            topics.append(topic)
    if len(topics) > MAX_TOPICS:
        raise field_error(field, _("At most %(n)d topics.") % {"n": MAX_TOPICS}, code="too_many")
    return topics


def _kind(kind: Any) -> str:
    if kind not in Speaker.Kind.values:
        raise field_error("kind", _("Choose a kind of speaker."), code="invalid_choice")
    return str(kind)


def _area(code: Any) -> Region:
    region = region_get_by_code(code=str(code or ""), field="area_code")
    if region.level == Region.Level.VILLAGE:
        raise field_error("area_code", _("A speaker's area is the county or a town."), code="wrong_region_level")
    return region


def _department(code: Any) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=str(code)).first()
    if department is None:
        raise field_error("department_code", _("No department has this code."), code="unknown_department")
    return department


def _team(team_id: Any) -> Team | None:
    if team_id in (None, ""):
        return None
    team = Team.objects.filter(pk=_int(team_id, "team_id"), kind=Team.Kind.LECTURE, active=True).first()
    if team is None:
        raise field_error("team_id", _("No active lecture team has this number."), code="unknown_team")
    return team


def _int(value: Any, field: str) -> int:
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit()):
        value = None  # int() would read "１" or "٣" as digits
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Give a number."), code="invalid") from None
    if not 0 < number < 2**31:
        raise field_error(field, _("Give a number."), code="invalid")
    return number


def _quota(kind: str, since: dt.date | None, until: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    if kind != Speaker.Kind.HEAD and (since is not None or until is not None):
        raise field_error(
            "quota_since", _("Only heads of departments and towns have a quota."), code="quota_heads_only"
        )
    if until is not None and since is None:
        raise field_error("quota_since", _("Say from when the quota applies."), code="required")
    if since is not None and until is not None and until < since:
        raise field_error("quota_until", _("The quota cannot end before it starts."), code="quota_range")
    return since, until


def _own_subject(subject_id: Any) -> Subject | None:
    if subject_id in (None, ""):
        return None
    subject = Subject.objects.filter(pk=_int(subject_id, "subject_id"), kind=Subject.Kind.PERSON).first()
    if subject is None:
        raise field_error("subject_id", _("No person's credit file has this number."), code="unknown_subject")
    return subject


def _account(user_id: Any) -> User | None:
    if user_id in (None, ""):
        return None
    user = User.objects.filter(pk=_int(user_id, "user_id"), is_active=True).first()
    if user is None:
        raise field_error("user_id", _("No active account has this number."), code="unknown_user")
    return user


def _taken() -> Conflict:
    return Conflict(_("This account or credit file already belongs to another speaker."), code="speaker_exists")


@transaction.atomic
def speaker_create(
    *,
    actor: User,
    kind: str,
    name: str,
    position: str,
    area_code: str,
    subject_id: int | None = None,
    user_id: int | None = None,
    department_code: str | None = None,
    team_id: int | None = None,
    topics: Iterable[str] = (),
    quota_since: dt.date | None = None,
    quota_until: dt.date | None = None,
) -> Speaker:
    """A lecture administrator adds a speaker. Only heads have a quota (``quota_since`` …
    ``quota_until``); an account or a credit file belongs to one speaker at most. Writes the
    speaker and the audit row ``speaker.create``. Raises NotFound (not an administrator),
    InvalidInput, Conflict (``speaker_exists``)."""
    grant = require_lecture_admin(actor)
    kind = _kind(kind)
    name = _line(name, field="name", required=True, max_length=60)
    position = _line(position, field="position", required=False, max_length=100)
    area = _area(area_code)
    subject = _own_subject(subject_id)
    user = _account(user_id)
    department = _department(department_code)
    team = _team(team_id)
    clean = clean_topics(topics)
    since, until = _quota(kind, quota_since, quota_until)
    if (subject is not None and Speaker.objects.filter(subject=subject).exists()) or (
        user is not None and Speaker.objects.filter(user=user).exists()
    ):
        raise _taken()
    speaker = Speaker(
        kind=kind,
        name=name,
        position=position,
        subject=subject,
        user=user,
        area=area,
        department=department,
        team=team,
        topics=clean,
        quota_since=since,
        quota_until=until,
        created_at=clock.now(),
        created_by=actor,
    )
    try:
        with transaction.atomic():
            speaker.save()
    except IntegrityError:  # the same account or file added by a request running beside this one
        raise _taken() from None
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="speaker.create",
        object_type="speaker",
        object_id=speaker.pk,
        subject_id=speaker.subject_id,
        details={"kind": kind, "area": area.code, "quota_since": since.isoformat() if since else None},
    )
    return speaker


@transaction.atomic
def speaker_update(
    *,
    actor: User,
    speaker_id: int,
    name: Any = KEEP,
    position: Any = KEEP,
    area_code: Any = KEEP,
    department_code: Any = KEEP,
    team_id: Any = KEEP,
    topics: Any = KEEP,
    quota_since: Any = KEEP,
    quota_until: Any = KEEP,
    active: Any = KEEP,
) -> Speaker:
    """A lecture administrator changes a speaker; a field left out (:data:`KEEP`) stays as it
    is. The kind, account and credit file do not change (add a new speaker instead). Writes the
    audit row ``speaker.update`` naming the changed fields. Raises NotFound, InvalidInput."""
    grant = require_lecture_admin(actor)
    speaker = Speaker.objects.select_for_update().select_related("area").filter(pk=speaker_id).first()
    if speaker is None:
        raise NotFound()
    changes: dict[str, Any] = {}
    if name is not KEEP:
        changes["name"] = _line(name, field="name", required=True, max_length=60)
    if position is not KEEP:
        changes["position"] = _line(position, field="position", required=False, max_length=100)
    if area_code is not KEEP:
        changes["area"] = _area(area_code)
    if department_code is not KEEP:
        changes["department"] = _department(department_code)
    if team_id is not KEEP:
        changes["team"] = _team(team_id)
    if topics is not KEEP:
        changes["topics"] = clean_topics(topics)
    since = speaker.quota_since if quota_since is KEEP else quota_since
    until = speaker.quota_until if quota_until is KEEP else quota_until
    if quota_since is not KEEP or quota_until is not KEEP:
        changes["quota_since"], changes["quota_until"] = _quota(speaker.kind, since, until)
    if active is not KEEP:
        if not isinstance(active, bool):
            raise field_error("active", _("Say yes or no."), code="invalid")
        changes["active"] = active
    changed = [field for field, value in changes.items() if getattr(speaker, field) != value]
    for field in changed:
        setattr(speaker, field, changes[field])
    if changed:
        speaker.save(update_fields=changed)
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="speaker.update",
        object_type="speaker",
        object_id=speaker.pk,
        subject_id=speaker.subject_id,
        details={"changed": changed},
    )
    return speaker
