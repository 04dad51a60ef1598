"""Elders of a canteen: village staff enrol a resident of the village aged 60 or more (the elder
or a family member consents), change the dietary note and whether the meal is delivered, and
record a leave; the elder may leave at any time from their own file.

Only what lunch needs is kept: dietary notes and "needs delivery", never a medical record.

Concurrency: every write takes the canteen's row lock first (``Canteen.elder_count`` is kept
under it), then the enrolment's. One current canteen per elder is the database's rule
(``elder_one_current_canteen``); a second enrolment racing the first gets the same Conflict as
one that comes later.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain.age import ELDER_MIN_AGE, age_on
from rongxin.canteens.models import Canteen, Elder
from rongxin.canteens.permissions.elders import access_canteen_staff, access_elder, own_subject_id
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.subjects.domain.identifiers import parse_id_number
from rongxin.subjects.models import Person

KEEP: Any = object()  # elder_update: leave this field as it is
ENROLLING = (Canteen.Status.OPEN, Canteen.Status.PAUSED)


def _int(value: Any, field: str) -> int:
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and not (value.isascii() and value.strip().isdigit()):
        value = None  # int() would read "１" or "٣" as digits
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise field_error(field, _("Give a number."), code="invalid") from None
    if not 0 < number < 2**31:
        raise field_error(field, _("Give a number."), code="invalid")
    return number


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise field_error(field, _("Say yes or no."), code="invalid")
    return value


def _not_here() -> InvalidInput:
    return field_error("subject_id", _("No resident of this village has this credit file."), code="unknown_resident")


def _resident(canteen: Canteen, subject_id: Any, id_number: Any) -> Person:
    """The person of the canteen's village named by file number or ID number."""
    if subject_id not in (None, ""):
        pk = _int(subject_id, "subject_id")
        person = Person.objects.select_related("subject").filter(pk=pk).first()
    elif id_number not in (None, ""):
        if not isinstance(id_number, str):
            raise field_error("id_number", _("Enter the number as text."), code="identifier_type")
        try:
            number = parse_id_number(id_number).number
        except InvalidInput as exc:
            raise field_error("id_number", exc.message, code=exc.code) from None
        person = Person.objects.select_related("subject").filter(id_number_hash=pii.lookup_hash(number)).first()
        if person is None or person.subject.village_id != canteen.village_id:
            raise field_error(
                "id_number", _("No resident of this village has this ID number."), code="unknown_resident"
            )
    else:
        raise field_error("subject_id", _("Choose the resident to enrol."), code="required")
    if person is None or person.subject.village_id != canteen.village_id:
        raise _not_here()
    return person


def _consent(consent_by: Any, name: Any, relation: Any) -> tuple[str, str, str]:
    if consent_by not in Elder.ConsentBy.values:
        raise field_error("consent_by", _("Say who consents: the elder or a family member."), code="invalid_choice")
    if consent_by == Elder.ConsentBy.SELF:
        return str(consent_by), "", ""
    who = clean_text(name, field="consent_name", required=True, max_length=60, multiline=False)
    rel = clean_text(relation, field="consent_relation", required=True, max_length=20, multiline=False)
    return str(consent_by), who, rel


def _note(value: Any) -> str:
    return clean_text(value, field="dietary_note", required=False, max_length=200, multiline=False)


def _enrolled_elsewhere(existing: Elder | None, canteen: Canteen) -> Conflict:
    if existing is not None and existing.canteen_id == canteen.pk:
        return Conflict(_("This resident is already enrolled in this canteen."), code="already_enrolled")
    if existing is not None and existing.canteen.village_id == canteen.village_id:
        return Conflict(
            _("This resident is already enrolled in %(canteen)s; record the leave there first.")
            % {"canteen": existing.canteen.name},
            code="already_enrolled",
        )
    return Conflict(
        _("This resident is already enrolled in another canteen; they must leave it first."), code="already_enrolled"
    )


def _current_of(subject_id: int) -> Elder | None:
    return Elder.objects.select_related("canteen").filter(subject_id=subject_id, left_on__isnull=True).first()


def elder_enrol(
    *,
    actor: User,
    canteen_id: int,
    subject_id: int | None = None,
    id_number: str | None = None,
    consent_by: str,
    consent_name: str = "",
    consent_relation: str = "",
    dietary_note: str = "",
    needs_delivery: bool = False,
) -> Elder:
    """Village staff of the canteen's village enrol a resident of the village (by credit file
    number, or by ID number looked up by its keyed hash) aged 60 or more today, with the elder's
    own or a family member's consent (then with the member's name and relation). The canteen
    must be open or paused; one current canteen per elder. Writes the enrolment, the canteen's
    ``elder_count`` (under its row lock) and the audit row ``elder.enrol``. Raises NotFound (not
    staff there), Forbidden (one's own record), InvalidInput (not a resident of the village, too
    young, consent), Conflict (``canteen_not_open``, ``already_enrolled``)."""
    canteen, role = access_canteen_staff(actor, canteen_id)
    person = _resident(canteen, subject_id, id_number)
    if own_subject_id(actor) == person.pk:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    today = clock.today_local()
    if age_on(person.birth_date, today) < ELDER_MIN_AGE:
        raise field_error(
            "subject_id",
            _("Under %(n)d years old: cannot be enrolled as an elder of the canteen.") % {"n": ELDER_MIN_AGE},
            code="too_young",
        )
    by, name, relation = _consent(consent_by, consent_name, consent_relation)
    note = _note(dietary_note)
    delivery = _flag(needs_delivery, "needs_delivery")
    with transaction.atomic():
        canteen = Canteen.objects.select_for_update().get(pk=canteen.pk)
        if canteen.status not in ENROLLING:
            raise Conflict(_("Elders are enrolled in an open or paused canteen only."), code="canteen_not_open")
        existing = _current_of(person.pk)
        if existing is not None:
            raise _enrolled_elsewhere(existing, canteen)
        now = clock.now()
        elder = Elder(
            canteen=canteen,
            subject_id=person.pk,
            village_id=canteen.village_id,
            enrolled_on=today,
            consent_by=by,
            consent_name=name,
            consent_relation=relation,
            consent_at=now,
            dietary_note=note,
            needs_delivery=delivery,
            recorded_at=now,
            recorded_by=actor,
        )
        try:
            with transaction.atomic():  # a savepoint: the lost race is reported, not a broken transaction
                elder.save()
        except IntegrityError:
            raise _enrolled_elsewhere(_current_of(person.pk), canteen) from None
        Canteen.objects.filter(pk=canteen.pk).update(elder_count=F("elder_count") + 1)
        audit_record(
            actor=actor,
            role=role,
            kind=AuditEvent.Kind.WRITE,
            action="elder.enrol",
            object_type="canteen_elder",
            object_id=elder.pk,
            subject_id=person.pk,
            details={"canteen": canteen.pk, "consent_by": by, "needs_delivery": delivery},
        )
    elder.subject = person.subject
    return elder


def _locked(elder_id: int, canteen_id: int) -> Elder:
    Canteen.objects.select_for_update().filter(pk=canteen_id).first()
    elder = Elder.objects.select_for_update().filter(pk=elder_id).first()
    if elder is None:
        raise NotFound()
    return elder


def elder_update(*, actor: User, elder_id: int, dietary_note: Any = KEEP, needs_delivery: Any = KEEP) -> Elder:
    """Village staff change a current elder's dietary note or whether the meal is delivered (a
    field left out, :data:`KEEP`, stays). Writes the audit row ``elder.update`` naming the changed
    fields. Raises NotFound, Forbidden (one's own record), InvalidInput, Conflict
    (``elder_left``)."""
    access = access_elder(actor, elder_id)
    if own_subject_id(actor) == access.elder.subject_id:
        raise Forbidden(_("You may not act on your own record; ask a colleague."), code="own_record")
    changes: dict[str, Any] = {}
    if dietary_note is not KEEP:
        changes["dietary_note"] = _note(dietary_note)
    if needs_delivery is not KEEP:
        changes["needs_delivery"] = _flag(needs_delivery, "needs_delivery")
    with transaction.atomic():
        elder = _locked(elder_id, access.elder.canteen_id)
        if elder.left_on is not None:
            raise Conflict(_("This elder has left the canteen."), code="elder_left")
        changed = [f for f, v in changes.items() if getattr(elder, f) != v]
        for f in changed:
            setattr(elder, f, changes[f])
        if changed:
            elder.save(update_fields=changed)
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.WRITE,
            action="elder.update",
            object_type="canteen_elder",
            object_id=elder.pk,
            subject_id=elder.subject_id,
            details={"changed": changed},
        )
    elder.canteen, elder.subject = access.elder.canteen, access.elder.subject
    return elder


def elder_leave(*, actor: User, elder_id: int, reason: str = "") -> Elder:
    """The elder leaves the canteen today: recorded by village staff (with a reason) or by the
    elder themself from their own file (at any time; the reason is optional). Writes ``left_on``,
    the canteen's ``elder_count`` (under its row lock) and the audit row ``elder.leave``. Raises
    NotFound, InvalidInput (no reason from staff), Conflict (``elder_left``: left already)."""
    access = access_elder(actor, elder_id, allow_own=True)
    own = access.own or own_subject_id(actor) == access.elder.subject_id
    why = clean_text(reason, field="reason", required=not own, max_length=200, multiline=False)
    with transaction.atomic():
        elder = _locked(elder_id, access.elder.canteen_id)
        if elder.left_on is not None:
            raise Conflict(_("This elder has left the canteen."), code="elder_left")
        elder.left_on = clock.today_local()
        elder.left_reason = why
        elder.save(update_fields=["left_on", "left_reason"])
        Canteen.objects.filter(pk=elder.canteen_id).update(elder_count=F("elder_count") - 1)
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.WRITE,
            action="elder.leave",
            object_type="canteen_elder",
            object_id=elder.pk,
            subject_id=elder.subject_id,
            details={"canteen": elder.canteen_id, "own": own},
        )
    elder.canteen, elder.subject = access.elder.canteen, access.elder.subject
    return elder
