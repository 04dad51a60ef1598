"""Small wishes (微心愿): a resident's small need with a ceiling value, posted by the resident or by a
village officer for them, claimed and delivered by a person or an organisation, confirmed by the
resident (or the officer for them); the claimant earns credit once on confirmation.

States: open → claimed (someone speaks for the claimant) → fulfilled (delivered, with the value
given) → confirmed (received); a claimant may give up before delivering (claimed → open); the
resident or the officer withdraws a wish while it is open or claimed. The wish's row is locked for
every change, so two claims at once give one claimant and one 「该心愿已被认领」.

Credit: rule ``P-WSH-01`` for a person with consent to scoring, ``E-WSH-01`` for an enterprise or
individual business (department ``civilization_office``, source ``projects``, key
``projects:wish:<id>``), the rule's points trimmed by its yearly caps; kept on the wish
(``credit_key``, ``credit_points``, ``credit_status``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit.models import Entry, SubjectKind
from rongxin.credit.services.awards import Award, awards_record, rule_for_awards
from rongxin.funds.domain.money import yuan
from rongxin.funds.services.movements import amount_parse
from rongxin.projects.domain.masking import has_contact_details
from rongxin.projects.models import Wish
from rongxin.projects.permissions.common import (
    CREDIT_DEPARTMENT,
    ORGANISATION_WISH_RULE,
    PERSON_WISH_RULE,
    access_wish,
    own_person_subject,
    signed_in,
    speaks_for,
    wish_officer_role,
)
from rongxin.projects.permissions.wishes import access_wish_as_claimant, access_wish_as_resident
from rongxin.projects.services.common import numbered_create
from rongxin.subjects.models import Person, Subject

MAX_TITLE = 60
MAX_STORY = 500
MAX_NOTE = 200
# A resident has at most this many wishes waiting or claimed at a time (so one person cannot fill
# the board).
MAX_OPEN_PER_RESIDENT = 3
DUPLICATE_WINDOW = dt.timedelta(minutes=2)
LIVE = (Wish.State.OPEN, Wish.State.CLAIMED)

# Why the claimant did or did not earn credit (``Wish.credit_status``).
CREDIT_CREATED = "created"  # counted in the claimant's score
CREDIT_HELD = "held"  # recorded, awaiting the credit office's review
CREDIT_EXISTING = "existing"  # recorded before (a retried award)
CREDIT_CAPPED = "capped"  # the rule's yearly cap left nothing
CREDIT_NO_CONSENT = "no_consent"  # the person has not agreed to credit scoring

ALREADY_CLAIMED = _("This wish has already been claimed.")


@dataclass(frozen=True)
class WishPostResult:
    wish: Wish
    created: bool  # False: the same wish submitted again within two minutes, nothing added


@dataclass(frozen=True)
class WishConfirmResult:
    wish: Wish
    confirmed: bool  # False: the wish had been confirmed before, nothing changed
    credit_note: str = ""  # the credit engine's note when the caps trimmed the points


def credit_key(wish_id: int) -> str:
    return f"projects:wish:{wish_id}"


def ceiling_max() -> Decimal:
    """The highest ceiling value of a small wish (``RONGXIN_PROJECTS_WISH_MAX_CEILING``, yuan)."""
    return Decimal(settings.RONGXIN_PROJECTS_WISH_MAX_CEILING).quantize(Decimal("0.01"))


def _wish_locked(wish_id: int) -> Wish:
    wish = Wish.objects.select_for_update().filter(pk=wish_id).first()
    if wish is None:
        raise NotFound()
    return wish


def _resident_chosen(actor: User, raw: Any) -> tuple[Subject, str]:
    """The person the village officer posts for (chosen from the search of their village's
    residents) and the officer's role; NotFound for anyone else (missing and forbidden alike)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise NotFound()
    subject = Subject.objects.filter(pk=raw, kind=Subject.Kind.PERSON).select_related("village").first()
    role = wish_officer_role(actor, subject.village) if subject is not None else ""
    if subject is None or not role:
        raise NotFound()
    return subject, role


def _poster(actor: User | None, beneficiary_subject_id: Any) -> tuple[Subject, str]:
    """Whom the wish is for and the role the actor posts it under; NotFound when the actor may post
    for nobody (asked before any field is read)."""
    if not signed_in(actor):
        raise NotFound()
    own = own_person_subject(actor)
    if beneficiary_subject_id is None or (own is not None and beneficiary_subject_id == own.pk):
        if own is None:
            raise NotFound()
        return own, str(Role.RESIDENT)
    if not grants_with_roles(actor, [Role.VILLAGE_OFFICER]):
        raise NotFound()
    return _resident_chosen(actor, beneficiary_subject_id)


def _ceiling_in(raw: Any) -> Decimal:
    ceiling = amount_parse(raw, field="ceiling")
    if ceiling <= 0:
        raise field_error("ceiling", _("The ceiling value must be more than zero."), code="not_positive")
    top = ceiling_max()
    if ceiling > top:
        raise field_error(
            "ceiling", _("A small wish is worth at most %(max)s.") % {"max": yuan(top)}, code="over_ceiling"
        )
    return ceiling


def wish_post(
    *,
    actor: User,
    title: Any,
    story: Any,
    category: Any,
    ceiling: Any,
    beneficiary_subject_id: Any = None,
) -> WishPostResult:
    """Post a small wish: a resident for themselves (their village is the wish's), or a village
    officer for a person of the village (``beneficiary_subject_id``, chosen from the search of the
    village's residents). The ceiling is above zero and at most :func:`ceiling_max`; a resident
    has at most :data:`MAX_OPEN_PER_RESIDENT` wishes open or claimed at a time. The same wish
    again by the same actor within two minutes returns the first (while it is live) (``created=False``).

    Writes the wish (number ``XY<year>-NNNN``) and the audit row ``wish.post`` in one transaction.
    Raises NotFound (the actor posts for nobody, or an officer for a person not of their village),
    InvalidInput (each field; a phone or ID number in the title or story), Conflict
    (``too_many_wishes``)."""
    subject, role = _poster(actor, beneficiary_subject_id)
    what = clean_text(title, field="title", required=True, max_length=MAX_TITLE, multiline=False)
    why = clean_text(story, field="story", required=True, max_length=MAX_STORY)
    for field, text in (("title", what), ("story", why)):
        if has_contact_details(text):
            # The wish is public: a phone or ID number there would leak what the page hides.
            raise field_error(
                field,
                _("The wish is shown to the public: leave out phone and ID numbers."),
                code="contact_details",
            )
    if category not in Wish.Category.values:
        raise field_error("category", _("Choose a category."), code="bad_category")
    value = _ceiling_in(ceiling)
    with transaction.atomic():
        # The resident's row serialises their posts, so the cap holds under concurrent submits.
        Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True).get()
        now = clock.now()
        same = (
            Wish.objects.filter(
                beneficiary=subject,
                title=what,
                story=why,
                category=category,
                ceiling=value,
                posted_by=actor,
                posted_at__gte=now - DUPLICATE_WINDOW,
                state__in=LIVE,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return WishPostResult(wish=same, created=False)
        if Wish.objects.filter(beneficiary=subject, state__in=LIVE).count() >= MAX_OPEN_PER_RESIDENT:
            raise Conflict(
                _("A resident may have at most %(n)d small wishes waiting or claimed at a time.")
                % {"n": MAX_OPEN_PER_RESIDENT},
                code="too_many_wishes",
            )
        wish = numbered_create(
            Wish,
            "XY",
            now.astimezone(clock.LOCAL_TZ).year,
            region_id=subject.village_id,
            beneficiary=subject,
            title=what,
            story=why,
            category=category,
            ceiling=value,
            state=Wish.State.OPEN,
            posted_at=now,
            posted_by=actor,
        )
        assert isinstance(wish, Wish)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.post",
            role=role,
            object_type="wish",
            object_id=wish.pk,
            subject_id=subject.pk,
            details={"number": wish.number, "category": category, "ceiling": str(value), "region": subject.village_id},
        )
    return WishPostResult(wish=wish, created=True)


def _claimant_role(subject: Subject) -> str:
    return str(Role.RESIDENT if subject.kind == Subject.Kind.PERSON else Role.ENTERPRISE_REP)


def wish_claim(*, actor: User, wish_id: int, claimant_subject_id: Any, anonymous: bool = False) -> Wish:
    """Claim an open wish for a subject the actor speaks for (a resident for themselves, an
    enterprise representative for the enterprise). Nobody claims their own wish. ``anonymous``: the
    public sees 「爱心人士（匿名）」.

    Writes the claim on the wish (row locked: of two claims at once one wins, the other gets
    「该心愿已被认领」) and the audit row ``wish.claim``. Raises NotFound (no such wish, or not a
    subject the actor speaks for), Conflict (``claimed``, ``withdrawn``, ``own_wish``)."""
    access_wish(actor, wish_id)
    if isinstance(claimant_subject_id, bool) or not isinstance(claimant_subject_id, int):
        raise NotFound()
    claimant = speaks_for(actor, claimant_subject_id)
    with transaction.atomic():
        wish = _wish_locked(wish_id)
        if wish.state == Wish.State.WITHDRAWN:
            raise Conflict(_("This wish has been withdrawn."), code="withdrawn")
        if wish.state != Wish.State.OPEN:
            raise Conflict(ALREADY_CLAIMED, code="claimed")
        if claimant.pk == wish.beneficiary_id:
            raise Conflict(_("Nobody claims their own wish."), code="own_wish")
        wish.state = Wish.State.CLAIMED
        wish.claimant = claimant
        wish.claimant_name = claimant.name[:100]
        wish.claimant_anonymous = bool(anonymous)
        wish.claimed_at = clock.now()
        wish.claimed_by = actor
        wish.save(
            update_fields=["state", "claimant", "claimant_name", "claimant_anonymous", "claimed_at", "claimed_by"]
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.claim",
            role=_claimant_role(claimant),
            object_type="wish",
            object_id=wish.pk,
            subject_id=claimant.pk,
            details={"number": wish.number, "anonymous": bool(anonymous)},
        )
    return wish


def wish_release(*, actor: User, wish_id: int) -> Wish:
    """The claimant gives the wish up before delivering it (claimed → open; the claim is cleared).

    Writes the wish and the audit row ``wish.release``. Raises NotFound (not the claimant's
    speaker), Conflict (``not_claimed``: delivered or no longer claimed)."""
    _wish, claimant = access_wish_as_claimant(actor, wish_id)
    with transaction.atomic():
        wish = _wish_locked(wish_id)
        if wish.state != Wish.State.CLAIMED or wish.claimant_id != claimant.pk:
            raise Conflict(_("Only a claimed wish that is not yet delivered can be given up."), code="not_claimed")
        wish.state = Wish.State.OPEN
        wish.claimant = None
        wish.claimant_name = ""
        wish.claimant_anonymous = False
        wish.claimed_at = None
        wish.claimed_by = None
        wish.save(
            update_fields=["state", "claimant", "claimant_name", "claimant_anonymous", "claimed_at", "claimed_by"]
        )
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.release",
            role=_claimant_role(claimant),
            object_type="wish",
            object_id=wish.pk,
            subject_id=claimant.pk,
            details={"number": wish.number},
        )
    return wish


def wish_fulfil(*, actor: User, wish_id: int, value: Any, note: Any) -> Wish:
    """The claimant delivers the wish: ``value`` given in yuan (above zero, at most the wish's
    ceiling) and ``note``, what was given (claimed → fulfilled).

    Writes the wish and the audit row ``wish.fulfil``. Raises NotFound (not the claimant's
    speaker), InvalidInput (``value``: 「实现价值不能超过心愿上限 ¥x」; ``note``), Conflict
    (``not_claimed``)."""
    _wish, claimant = access_wish_as_claimant(actor, wish_id)
    given = amount_parse(value, field="value")
    what = clean_text(note, field="note", required=True, max_length=MAX_NOTE, multiline=False)
    if given <= 0:
        raise field_error("value", _("The value given must be more than zero."), code="not_positive")
    with transaction.atomic():
        wish = _wish_locked(wish_id)
        if wish.state != Wish.State.CLAIMED or wish.claimant_id != claimant.pk:
            raise Conflict(_("Only a claimed wish can be delivered."), code="not_claimed")
        if given > wish.ceiling:
            message = _("The value given cannot be more than the wish's ceiling %(ceiling)s.")
            raise field_error("value", message % {"ceiling": yuan(wish.ceiling)}, code="over_ceiling")
        wish.state = Wish.State.FULFILLED
        wish.value = given
        wish.fulfil_note = what
        wish.fulfilled_at = clock.now()
        wish.save(update_fields=["state", "value", "fulfil_note", "fulfilled_at"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.fulfil",
            role=_claimant_role(claimant),
            object_type="wish",
            object_id=wish.pk,
            subject_id=claimant.pk,
            details={"number": wish.number, "value": str(given)},
        )
    return wish


def _keep(wish: Wish, *, key: str, points: int, status: str) -> None:
    if (wish.credit_key, wish.credit_points, wish.credit_status) != (key, points, status):
        wish.credit_key, wish.credit_points, wish.credit_status = key, points, status
        wish.save(update_fields=["credit_key", "credit_points", "credit_status"])


def wish_credit_award(*, actor: User | None, wish: Wish) -> str:
    """Award the claimant of the confirmed ``wish`` their credit once and keep ``credit_key``,
    ``credit_points`` and ``credit_status`` on it. Returns the engine's note when the caps trimmed
    the points. Calling it again records nothing new (the key is the wish's)."""
    if wish.claimant_id is None or wish.confirmed_at is None:
        return ""
    kind = Subject.objects.filter(pk=wish.claimant_id).values_list("kind", flat=True).get()
    if kind == Subject.Kind.PERSON:
        consent = Person.objects.filter(subject_id=wish.claimant_id).values_list("consent_given", flat=True).first()
        if not consent:
            _keep(wish, key="", points=0, status=CREDIT_NO_CONSENT)
            return ""
        rule_code, catalogue_kind = PERSON_WISH_RULE, SubjectKind.PERSON
    else:
        rule_code, catalogue_kind = ORGANISATION_WISH_RULE, SubjectKind.ORGANISATION
    on = wish.confirmed_at.astimezone(clock.LOCAL_TZ).date()
    rule = rule_for_awards(rule_code=rule_code, department_code=CREDIT_DEPARTMENT, on=on, subject_kind=catalogue_kind)
    key = credit_key(wish.pk)
    evidence = f"认领并实现微心愿{wish.number}「{wish.title}」，价值{wish.value}元，{on:%Y-%m-%d}经受助人确认收到"
    [outcome] = awards_record(
        awards=[
            Award(
                subject_id=wish.claimant_id,
                rule_code=rule_code,
                points=rule.points_max,
                occurred_at=wish.confirmed_at,
                evidence=evidence[:2000],
                source_key=key,
            )
        ],
        department_code=CREDIT_DEPARTMENT,
        recorder=actor if signed_in(actor) else None,
        source=Entry.Source.PROJECTS,
        cause="projects",
    )
    status = CREDIT_CAPPED if outcome.status == "capped" or outcome.points == 0 else outcome.status
    if status == CREDIT_EXISTING and wish.credit_status:
        status = wish.credit_status  # a retry keeps what the first award said
    _keep(wish, key=key if outcome.points else "", points=outcome.points, status=status)
    return outcome.note if outcome.points < rule.points_max else ""


def wish_confirm(*, actor: User, wish_id: int, thanks: Any = "") -> WishConfirmResult:
    """The resident (or a village officer of the village for them) confirms receipt of a delivered
    wish (fulfilled → confirmed), with optional ``thanks``; the claimant then earns credit once
    (:func:`wish_credit_award`). Confirming a confirmed wish again changes nothing
    (``confirmed=False``).

    Writes the wish, the credit entry and the audit row ``wish.confirm`` in one transaction. Raises
    NotFound (not the resident nor the village's officer), InvalidInput (``thanks``), Conflict
    (``not_fulfilled``)."""
    _wish, role = access_wish_as_resident(actor, wish_id)
    words = clean_text(thanks, field="thanks", required=False, max_length=MAX_NOTE, multiline=False)
    with transaction.atomic():
        wish = _wish_locked(wish_id)
        if wish.state == Wish.State.CONFIRMED:
            return WishConfirmResult(wish=wish, confirmed=False)
        if wish.state != Wish.State.FULFILLED:
            raise Conflict(_("Only a delivered wish can be confirmed as received."), code="not_fulfilled")
        wish.state = Wish.State.CONFIRMED
        wish.confirmed_at = clock.now()
        wish.confirmed_by = actor
        wish.thanks = words
        wish.save(update_fields=["state", "confirmed_at", "confirmed_by", "thanks"])
        note = wish_credit_award(actor=actor, wish=wish)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.confirm",
            role=role,
            object_type="wish",
            object_id=wish.pk,
            subject_id=wish.beneficiary_id,
            details={
                "number": wish.number,
                "claimant": wish.claimant_id,
                "credit": wish.credit_status,
                "credit_points": wish.credit_points,
            },
        )
    return WishConfirmResult(wish=wish, confirmed=True, credit_note=note)


def wish_withdraw(*, actor: User, wish_id: int, reason: Any) -> Wish:
    """The resident (or a village officer of the village) withdraws a wish that is open or claimed
    (a claimant is told by the wish's page), with a ``reason``.

    Writes the wish and the audit row ``wish.withdraw``. Raises NotFound (not the resident nor the
    village's officer), InvalidInput (``reason``), Conflict (``not_live``: delivered, received or
    withdrawn)."""
    _wish, role = access_wish_as_resident(actor, wish_id)
    why = clean_text(reason, field="reason", required=True, max_length=MAX_NOTE, multiline=False)
    with transaction.atomic():
        wish = _wish_locked(wish_id)
        if wish.state not in LIVE:
            raise Conflict(_("Only a wish that is waiting or claimed can be withdrawn."), code="not_live")
        wish.state = Wish.State.WITHDRAWN
        wish.withdrawn_at = clock.now()
        wish.withdraw_reason = why
        wish.save(update_fields=["state", "withdrawn_at", "withdraw_reason"])
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="wish.withdraw",
            role=role,
            object_type="wish",
            object_id=wish.pk,
            subject_id=wish.beneficiary_id,
            details={"number": wish.number, "claimant": wish.claimant_id},
        )
    return wish
