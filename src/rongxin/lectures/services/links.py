"""Adoption links (联系点): for a term, a county leader adopts one town, one village or community
in it and one enterprise. A leader's terms never overlap."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.models import AdoptionLink, Speaker
from rongxin.lectures.permissions.common import require_lecture_admin
from rongxin.lectures.selectors.links import last_day
from rongxin.regions.models import Region
from rongxin.regions.selectors import region_get_by_code
from rongxin.subjects.models import Subject

LONGEST_TERM = dt.timedelta(days=366 * 10)


def _day(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise field_error(field, _("Give a date."), code="required")
    return value


def _number(value: Any, field: str, message: Any) -> int:
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit()):
        value = None  # int() would read "１" or "٣" as digits
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error(field, message, code="invalid") from None
    if not 0 < number < 2**31:
        raise field_error(field, message, code="invalid")
    return number


@transaction.atomic
def link_create(
    *,
    actor: User,
    speaker_id: int,
    town_code: str,
    village_code: str,
    enterprise_id: int,
    term_start: dt.date,
    term_end: dt.date,
) -> AdoptionLink:
    """A lecture administrator links a county leader to a town, a village or community inside
    that town and an enterprise (an organisation's credit file) for ``term_start`` …
    ``term_end``. Checked under a lock on the leader's row, so two requests never give one
    leader overlapping terms. Writes the link and the audit row ``link.create``. Raises NotFound
    (not an administrator), InvalidInput, Conflict (``link_overlap``)."""
    grant = require_lecture_admin(actor)
    leader_message = _("Choose a county leader.")
    number = _number(speaker_id, "speaker_id", leader_message)
    speaker = Speaker.objects.select_for_update().filter(pk=number).first()
    if speaker is None or speaker.kind != Speaker.Kind.LEADER:
        raise field_error("speaker_id", leader_message, code="not_a_leader")
    town = region_get_by_code(code=str(town_code or ""), level=Region.Level.TOWN, field="town_code")
    village = region_get_by_code(code=str(village_code or ""), level=Region.Level.VILLAGE, field="village_code")
    if village.parent_id != town.pk:
        raise field_error(
            "village_code",
            _("%(village)s is not in %(town)s; choose a village or community of that town.")
            % {"village": village.name, "town": town.name},
            code="village_outside_town",
        )
    enterprise_message = _("Choose an enterprise by the number of its credit file.")
    enterprise = (
        Subject.objects.filter(pk=_number(enterprise_id, "enterprise_id", enterprise_message))
        .exclude(kind=Subject.Kind.PERSON)
        .first()
    )
    if enterprise is None:
        raise field_error("enterprise_id", enterprise_message, code="not_an_enterprise")
    start, end = _day(term_start, "term_start"), _day(term_end, "term_end")
    if end <= start:
        raise field_error("term_end", _("The term must end after it starts."), code="term_order")
    if end - start > LONGEST_TERM:
        raise field_error("term_end", _("A term lasts ten years at most."), code="term_too_long")
    for other in AdoptionLink.objects.filter(speaker=speaker).order_by("term_start"):
        if other.term_start <= end and last_day(other) >= start:
            raise Conflict(
                _("This leader already has an adoption link in this term (%(start)s to %(end)s).")
                % {"start": other.term_start.isoformat(), "end": last_day(other).isoformat()},
                code="link_overlap",
            )
    link = AdoptionLink.objects.create(
        speaker=speaker,
        town=town,
        village=village,
        enterprise=enterprise,
        term_start=start,
        term_end=end,
        created_at=clock.now(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="link.create",
        object_type="adoption_link",
        object_id=link.pk,
        subject_id=speaker.subject_id,
        details={
            "speaker": speaker.pk,
            "town": town.code,
            "village": village.code,
            "enterprise": enterprise.pk,
            "term": [start.isoformat(), end.isoformat()],
        },
    )
    return link


@transaction.atomic
def link_end(*, actor: User, link_id: int, on: dt.date, reason: str) -> AdoptionLink:
    """A lecture administrator ends a link early: from ``on`` it is no longer in force (``on``
    after the term's start, not after its end). Writes ``ended_at``, the reason and the audit
    row ``link.end``. Raises NotFound, InvalidInput, Conflict (``link_ended``)."""
    grant = require_lecture_admin(actor)
    link = AdoptionLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None:
        raise NotFound()
    if link.ended_at is not None:
        raise Conflict(_("This adoption link has already ended."), code="link_ended")
    day = _day(on, "on")
    if not link.term_start < day <= link.term_end:
        raise field_error(
            "on",
            _("Choose a day after the term starts and not after it ends (%(start)s to %(end)s).")
            % {"start": link.term_start.isoformat(), "end": link.term_end.isoformat()},
            code="end_outside_term",
        )
    link.ended_at = day
    link.end_reason = clean_text(reason, field="reason", required=True, max_length=200, fold=True)
    link.save(update_fields=["ended_at", "end_reason"])
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="link.end",
        object_type="adoption_link",
        object_id=link.pk,
        subject_id=Speaker.objects.filter(pk=link.speaker_id).values_list("subject_id", flat=True).first(),
        details={"on": day.isoformat()},
    )
    return link
