"""Writes to subjects: registering persons and organisations, consent, account links.

Each service validates across rows, writes inside one transaction and appends an audit event in
that transaction.

A registration refused because the ID number or USCC is already registered (anywhere in the
county, so also in a region the caller cannot see) is a probe of whether a number exists: it is
audited (``person.register_duplicate`` / ``organisation.register_duplicate``, with the existing
subject for auditors; the caller only hears 409) and counted per account. Past
``settings.RONGXIN_DUPLICATE_PROBE_RATE`` (default 20 an hour) every registration by that account
answers 429 until the window ends, so the 409 cannot be used to enumerate a county's residents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from rongxin.accounts.domain.roles import FILE_KEEPERS
from rongxin.accounts.models import Grant, User
from rongxin.accounts.permissions import grant_covering
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, TooManyRequests, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.regions.models import Region
from rongxin.regions.selectors import region_get_by_code, town_of
from rongxin.subjects.domain.identifiers import parse_id_number, parse_uscc
from rongxin.subjects.domain.names import person_name_normalise
from rongxin.subjects.models import ConsentEvent, Notice, Organisation, Person, Subject, SubjectAccount
from rongxin.subjects.permissions import SubjectAccess, access_registration, access_subject_for_consent

PHONE_DIGITS = 11
DUPLICATE_PROBE_GROUP = "subjects.duplicate_probe"
DEFAULT_DUPLICATE_PROBE_RATE = "20/h"

# Called inside the consent transaction with (subject_id=, consent=). Modules above subjects
# (credit) register here so that a score appears or disappears in the same transaction as the
# consent that allows it, without subjects importing them.
consent_listeners: list[Callable[..., None]] = []


class DuplicateProbesLimited(TooManyRequests):
    """Too many registrations of numbers that were already registered, in the current window."""

    default_message = _("Too many attempts to register numbers that are already registered. Try again later.")


def duplicate_probe_rate(group: str = "", request: Any = None) -> str:
    """Refused duplicate registrations allowed per account (django-ratelimit's rate syntax)."""
    return str(getattr(settings, "RONGXIN_DUPLICATE_PROBE_RATE", DEFAULT_DUPLICATE_PROBE_RATE))


def _probe_usage(actor: User, *, increment: bool) -> dict[str, Any] | None:
    # Counted per account, not per request: the page and the API share one allowance. The key
    # and the rate are callables and the method is ALL, so django-ratelimit never reads a request.
    usage: dict[str, Any] | None = get_usage(
        None,
        group=DUPLICATE_PROBE_GROUP,
        key=lambda group, request: f"user:{actor.pk}",
        rate=duplicate_probe_rate,
        increment=increment,
    )
    return usage


def _refuse_when_probing(actor: User) -> None:
    usage = _probe_usage(actor, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        raise DuplicateProbesLimited()


def _duplicate_refused(*, actor: User, role: str, action: str, village: Region, existing: Subject) -> None:
    """Audit a registration refused as a duplicate and count it against the account.

    Written outside the registration's transaction, so the row stays although the caller gets
    an error. The existing subject is named for auditors only; the caller's answer is a bare 409.
    """
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        # The existing subject, for auditors (the audit page shows the object); not subject_id,
        # which would list the attempt under "who viewed my file" as if it were a read.
        object_type="subject",
        object_id=existing.pk,
        details={
            "village": village.code,
            "existing_subject": existing.pk,
            "existing_village": existing.village.code,
        },
    )
    _probe_usage(actor, increment=True)


def _clean_name(name: str, *, field: str = "name", max_length: int = 100) -> str:
    name = clean_text(name, field=field, required=False, max_length=10_000, multiline=False)
    if not name:
        raise field_error(field, _("A name is required."), code="required")
    if len(name) > max_length:
        raise field_error(field, _("A name has at most %(n)d characters.") % {"n": max_length}, code="too_long")
    return name


def _clean_person_name(name: str, *, field: str = "name") -> str:
    """A person's real name by the one rule (:mod:`rongxin.subjects.domain.names`), on its field."""
    try:
        return person_name_normalise(name)
    except InvalidInput as exc:
        raise field_error(field, exc.message, code=exc.code) from None


def _clean_phone(phone: str | None) -> str:
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if phone and not (phone.isdigit() and len(phone) == PHONE_DIGITS and phone.startswith("1")):
        raise field_error("phone", _("A mobile number is 11 digits starting with 1."), code="phone_format")
    return phone


def _keeper_village(*, actor: User, village_code: str) -> tuple[Region, Grant]:
    village = region_get_by_code(code=village_code, level=Region.Level.VILLAGE, field="village_code")
    grant = grant_covering(actor, FILE_KEEPERS, village)
    if grant is None:
        # Same answer as an unknown code: a keeper learns nothing about regions outside their own.
        raise field_error(
            "village_code", _("No region has the code “%(code)s”.") % {"code": village_code}, code="unknown_region"
        )
    return village, grant


def person_register(
    *,
    actor: User,
    name: str,
    id_number: str,
    residency: str,
    village_code: str,
    phone: str | None = None,
) -> Person:
    """Register a person (resident or migrant) in a village within the actor's keeping.

    The ID number may be spelled with any Unicode digits; only its canonical ASCII spelling is
    validated, hashed, encrypted and masked. Writes a Subject, a Person and an audit event in one
    transaction. Raises NotFound (actor keeps no region), DuplicateProbesLimited (429: too many
    refused duplicates in the window), InvalidInput (a name that is no person's name, a bad ID
    number, phone, residency or region),
    Conflict (ID number already registered anywhere; audited as ``person.register_duplicate``).
    """
    access_registration(actor=actor)
    _refuse_when_probing(actor)
    name = _clean_person_name(name)
    try:
        parsed = parse_id_number(id_number, today=clock.today_local())
    except InvalidInput as exc:
        raise field_error("id_number", exc.message, code=exc.code) from None
    if residency not in Person.Residency.values:
        raise field_error("residency", _("Residency must be resident or migrant."), code="residency")
    phone = _clean_phone(phone)
    village, grant = _keeper_village(actor=actor, village_code=village_code)
    id_hash = pii.lookup_hash(parsed.number)
    duplicate = Conflict(_("A person with this ID number is already registered."), code="duplicate_id_number")
    existing = Subject.objects.select_related("village").filter(person__id_number_hash=id_hash).first()
    if existing is not None:
        _duplicate_refused(
            actor=actor, role=grant.role, action="person.register_duplicate", village=village, existing=existing
        )
        raise duplicate
    now = clock.now()
    try:
        with transaction.atomic():
            subject = Subject.objects.create(
                kind=Subject.Kind.PERSON, name=name, village=village, town=town_of(village), created_at=now
            )
            person = Person.objects.create(
                subject=subject,
                residency=residency,
                id_number_encrypted=pii.encrypt(parsed.number),
                id_number_hash=id_hash,
                id_number_masked=pii.mask_id_number(parsed.number),
                sex=parsed.sex,
                birth_date=parsed.birth_date,
                phone_encrypted=pii.encrypt(phone) if phone else None,
                phone_masked=pii.mask_phone(phone) if phone else "",
            )
            audit_record(
                actor=actor,
                role=grant.role,
                kind=AuditEvent.Kind.WRITE,
                action="person.register",
                object_type="subject",
                object_id=subject.pk,
                subject_id=subject.pk,
                details={"residency": residency, "village": village.code},
            )
    except IntegrityError:
        # A concurrent registration of the same ID number won the race.
        existing = Subject.objects.select_related("village").filter(person__id_number_hash=id_hash).first()
        if existing is None:
            raise
        _duplicate_refused(
            actor=actor, role=grant.role, action="person.register_duplicate", village=village, existing=existing
        )
        raise duplicate from None
    return person


def organisation_register(
    *,
    actor: User,
    kind: str,
    name: str,
    uscc: str,
    legal_representative: str,
    village_code: str,
) -> Organisation:
    """Register an enterprise or individual business in a village within the actor's keeping.

    The USCC may be spelled with any Unicode digits; only its canonical ASCII spelling is
    validated and stored. Writes a Subject, an Organisation and an audit event in one
    transaction. Raises NotFound, DuplicateProbesLimited (429), InvalidInput (bad USCC, kind or
    region), Conflict (USCC already registered anywhere; audited as
    ``organisation.register_duplicate``).
    """
    access_registration(actor=actor)
    _refuse_when_probing(actor)
    if kind not in (Subject.Kind.ENTERPRISE, Subject.Kind.INDIVIDUAL_BUSINESS):
        raise field_error("kind", _("Kind must be enterprise or individual business."), code="kind")
    name = _clean_name(name)
    legal_representative = _clean_person_name(legal_representative, field="legal_representative")
    try:
        code = parse_uscc(uscc)
    except InvalidInput as exc:
        raise field_error("uscc", exc.message, code=exc.code) from None
    village, grant = _keeper_village(actor=actor, village_code=village_code)
    duplicate = Conflict(_("This unified social credit code is already registered."), code="duplicate_uscc")
    existing = Subject.objects.select_related("village").filter(organisation__uscc=code).first()
    if existing is not None:
        _duplicate_refused(
            actor=actor, role=grant.role, action="organisation.register_duplicate", village=village, existing=existing
        )
        raise duplicate
    try:
        with transaction.atomic():
            subject = Subject.objects.create(
                kind=kind, name=name, village=village, town=town_of(village), created_at=clock.now()
            )
            organisation = Organisation.objects.create(
                subject=subject, uscc=code, legal_representative=legal_representative
            )
            audit_record(
                actor=actor,
                role=grant.role,
                kind=AuditEvent.Kind.WRITE,
                action="organisation.register",
                object_type="subject",
                object_id=subject.pk,
                subject_id=subject.pk,
                details={"kind": kind, "village": village.code},
            )
    except IntegrityError:
        existing = Subject.objects.select_related("village").filter(organisation__uscc=code).first()
        if existing is None:
            raise
        _duplicate_refused(
            actor=actor, role=grant.role, action="organisation.register_duplicate", village=village, existing=existing
        )
        raise duplicate from None
    return organisation


def _consent_change(*, actor: User, access: SubjectAccess, action: str, channel: str) -> ConsentEvent:
    subject = access.subject
    if subject.kind != Subject.Kind.PERSON:
        raise InvalidInput(_("Consent to scoring applies to persons only."), code="not_a_person")
    if channel not in ConsentEvent.Channel.values:
        raise field_error("channel", _("Unknown consent channel."), code="channel")
    if access.own and channel != ConsentEvent.Channel.ONLINE:
        raise field_error("channel", _("A person changes their own consent online."), code="channel")
    person = Person.objects.select_for_update().get(pk=subject.pk)
    wanted = action == ConsentEvent.Action.GRANT
    if person.consent_given == wanted:
        raise Conflict(
            _("Consent is already given.") if wanted else _("Consent is not currently given."), code="consent_unchanged"
        )
    now = clock.now()
    event = ConsentEvent.objects.create(subject=subject, action=action, channel=channel, at=now, recorded_by=actor)
    person.consent_given = wanted
    person.consent_changed_at = now
    person.save(update_fields=["consent_given", "consent_changed_at"])
    for listener in consent_listeners:
        listener(subject_id=subject.pk, consent=wanted)
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action=f"consent.{action}",
        object_type="subject",
        object_id=subject.pk,
        subject_id=subject.pk,
        details={"channel": channel},
    )
    return event


@transaction.atomic
def consent_grant(*, actor: User, subject_id: int, channel: str) -> ConsentEvent:
    """Record that a person consents to scoring: by the person online, or by a keeper in region
    from a counter visit or signed form. Raises NotFound, Forbidden (own record as staff),
    InvalidInput (not a person, bad channel), Conflict (already given)."""
    access = access_subject_for_consent(actor, subject_id=subject_id)
    return _consent_change(actor=actor, access=access, action=ConsentEvent.Action.GRANT, channel=channel)


@transaction.atomic
def consent_withdraw(*, actor: User, subject_id: int, channel: str) -> ConsentEvent:
    """Record that a person withdraws consent. Same rules and errors as :func:`consent_grant`."""
    access = access_subject_for_consent(actor, subject_id=subject_id)
    return _consent_change(actor=actor, access=access, action=ConsentEvent.Action.WITHDRAW, channel=channel)


def notice_send(*, subject_id: int, kind: str, title: str, body: str = "") -> Notice:
    """Put a notice in the subject's inbox (shown on their file page)."""
    return Notice.objects.create(subject_id=subject_id, at=clock.now(), kind=kind, title=title, body=body)


@transaction.atomic
def subject_account_link(*, actor: User | None, user: User, subject: Subject, relation: str) -> SubjectAccount:
    """Link an account to the subject it speaks for (used by platform administration and the
    demo). Raises Conflict if the link, or another self-link for the subject, exists."""
    if SubjectAccount.objects.filter(subject=subject, user=user).exists() or (
        relation == SubjectAccount.Relation.SELF
        and SubjectAccount.objects.filter(subject=subject, relation=SubjectAccount.Relation.SELF).exists()
    ):
        raise Conflict(_("This account link already exists."), code="duplicate_link")
    link = SubjectAccount.objects.create(user=user, subject=subject, relation=relation, created_at=clock.now())
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="subject_account.link",
        object_type="subject",
        object_id=subject.pk,
        subject_id=subject.pk,
        details={"user": user.get_username(), "relation": relation},
    )
    return link
