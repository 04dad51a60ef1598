"""Recording what a canteen receives (donations of money or goods) and what it uses (stock), and
the credit a donor earns.

Both writes take the canteen's row lock, so two submits at the same moment are serialised: the
duplicate rule and the stock balance are checked against what the other one wrote.

- :func:`donation_record`: one donation, its audit row and, for a donor with a consenting person
  file, one credit award (:func:`donation_credit_award`).
- :func:`donation_credit_award`: the award of rule ``P-DON-01`` to a person or ``E-DON-01`` to an
  organisation (department ``civilization_office``, source ``canteen``, key
  ``canteen-donation:<id>``) through :func:`rongxin.credit.services.awards.awards_record`, which
  is idempotent by that key (a retry returns the entry already recorded) and applies the rule's
  yearly cap. ``E-DON-01`` asks for review: the organisation's entry waits for the credit office.
- :func:`stock_use_record`: goods used, never more of an item than was received in all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.domain import donations as rules
from rongxin.canteens.models import Canteen, Donation, StockUse
from rongxin.canteens.permissions.common import (
    CREDIT_DEPARTMENT,
    ORGANISATION_DONATION_RULE,
    PERSON_DONATION_RULE,
)
from rongxin.canteens.permissions.donations import access_canteen_for_donations
from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit.models import Entry, SubjectKind
from rongxin.credit.services.awards import Award, awards_record, rule_for_awards
from rongxin.subjects.domain.identifiers import parse_id_number, parse_uscc
from rongxin.subjects.models import Person, Subject
from rongxin.subjects.permissions import readable_subjects_q

# Two submits of the same donation by the same recorder within this window are one donation
# (a double tap, a resent form); the second returns the first.
DUPLICATE_WINDOW = dt.timedelta(minutes=2)
MAX_NOTE = 200
MAX_NAME = 100
MAX_ITEM = 60
MAX_UNIT = 10

AMOUNT_MESSAGES = {
    "not_a_number": _("Enter a number such as 12 or 12.50."),
    "too_many_places": _("At most two decimal places."),
    "too_large": _("This number is too large."),
}


@dataclass(frozen=True)
class DonationResult:
    donation: Donation
    created: bool  # False: the same donation submitted again, nothing added
    credit: str  # one of rongxin.canteens.domain.donations.CREDIT_STATES


def credit_key(donation_id: int) -> str:
    return f"canteen-donation:{donation_id}"


def _amount(raw: Any, *, field: str) -> Decimal | None:
    try:
        return rules.parse_amount(raw)
    except rules.AmountError as exc:
        raise field_error(field, AMOUNT_MESSAGES[exc.code], code="bad_amount") from None


def _day(raw: Any, *, field: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise field_error(field, _("Enter a date."), code="bad_date")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str) and raw.strip():
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
        raise field_error(field, _("Enter a date such as 2026-03-01."), code="bad_date")
    raise field_error(field, _("This field is required."), code="required")


def _first_day(canteen: Canteen) -> dt.date:
    """The canteen existed from its registration (or its opening, if recorded earlier)."""
    created = canteen.created_at.astimezone(clock.LOCAL_TZ).date()
    return min(created, canteen.opened_on) if canteen.opened_on else created


def _day_in_range(canteen: Canteen, day: dt.date, *, field: str) -> None:
    if day > clock.today_local():
        raise field_error(field, _("The date cannot be in the future."), code="future_date")
    first = _first_day(canteen)
    if day < first:
        raise field_error(
            field,
            _("The canteen was registered on %(day)s; the date cannot be earlier.") % {"day": f"{first:%Y-%m-%d}"},
            code="before_canteen",
        )


def _locked(canteen_id: int) -> Canteen:
    return Canteen.objects.select_for_update().select_related("village", "town").get(pk=canteen_id)


def _donor(*, identifier: str, donor_kind: str, name: str) -> Subject | None:
    """The credit file named by a full ID number (person) or USCC (organisation) whose name is
    ``name``; one error for "no such file" and "another name", so a number alone tells nothing."""
    raw = clean_text(identifier, field="donor_identifier", required=False, max_length=40, multiline=False)
    if not raw:
        return None
    try:
        if donor_kind == Donation.DonorKind.PERSON:
            number = parse_id_number(raw).number
            subject = (
                Subject.objects.filter(person__id_number_hash=pii.lookup_hash(number), kind=Subject.Kind.PERSON)
                .select_related("person")
                .first()
            )
        else:
            code = parse_uscc(raw)
            subject = Subject.objects.filter(organisation__uscc=code).select_related("organisation").first()
    except InvalidInput as exc:
        raise field_error("donor_identifier", exc.message, code=exc.code) from None
    if subject is None or subject.name != name:
        raise field_error(
            "donor_identifier",
            _("No credit file has this number under this name. Check both, or leave the number empty."),
            code="donor_unknown",
        )
    return subject


def _donor_chosen(*, actor: User, subject_id: Any, donor_kind: str, name: str) -> Subject:
    """A credit file chosen from a subject search: one the actor may find by search (staff who
    read files in the region), of the donor's kind; its name is the donor's name."""
    if isinstance(subject_id, bool) or not isinstance(subject_id, int):
        raise field_error(
            "donor_subject_id", _("Choose the donor's credit file from the search."), code="donor_unknown"
        )
    kinds = (
        [Subject.Kind.PERSON]
        if donor_kind == Donation.DonorKind.PERSON
        else [Subject.Kind.ENTERPRISE, Subject.Kind.INDIVIDUAL_BUSINESS]
    )
    subject = Subject.objects.filter(readable_subjects_q(actor), pk=subject_id, kind__in=kinds).first()
    if subject is None or (name and subject.name != name):
        raise field_error(
            "donor_subject_id", _("Choose the donor's credit file from the search."), code="donor_unknown"
        )
    return subject


def donation_credit_award(*, actor: User, donation: Donation, canteen: Canteen) -> str:
    """Award the donor of ``donation`` their credit, once, and keep ``credit_key`` and
    ``credit_points`` on the donation. Returns the credit state
    (:data:`~rongxin.canteens.domain.donations.CREDIT_STATES`). Calling it again for the same
    donation records nothing new (the award's key is the donation's). Writes through
    :func:`awards_record` in the caller's transaction (entry, score, notice, audit). Raises
    InvalidInput when the catalogue in force has no ``P-DON-01`` / ``E-DON-01`` for the department."""
    if donation.donor_id is None:
        return rules.CREDIT_NO_FILE
    if donation.donor_kind == Donation.DonorKind.ORGANISATION:
        rule_code, catalogue_kind = ORGANISATION_DONATION_RULE, SubjectKind.ORGANISATION
    else:
        # Consent before scoring is a person's; an organisation's file is scored by law.
        consent = Person.objects.filter(subject_id=donation.donor_id).values_list("consent_given", flat=True).first()
        if not consent:
            return rules.CREDIT_NO_CONSENT
        rule_code, catalogue_kind = PERSON_DONATION_RULE, SubjectKind.PERSON
    rule = rule_for_awards(
        rule_code=rule_code, department_code=CREDIT_DEPARTMENT, on=donation.received_on, subject_kind=catalogue_kind
    )
    points = rules.donation_points(donation.value, points_min=rule.points_min, points_max=rule.points_max)
    if points == 0:
        return rules.CREDIT_BELOW
    noon = dt.datetime.combine(donation.received_on, dt.time(12), tzinfo=clock.LOCAL_TZ)
    key = credit_key(donation.pk)
    [outcome] = awards_record(
        awards=[
            Award(
                subject_id=donation.donor_id,
                rule_code=rule_code,
                points=points,
                occurred_at=min(noon, clock.now()),
                evidence=donation_evidence(donation, canteen),
                source_key=key,
            )
        ],
        department_code=CREDIT_DEPARTMENT,
        recorder=actor,
        source=Entry.Source.CANTEEN,
        cause="canteens",
    )
    if (donation.credit_key, donation.credit_points) != (key, outcome.points):
        donation.credit_key, donation.credit_points = key, outcome.points
        donation.save(update_fields=["credit_key", "credit_points"])
    if outcome.status == "capped" or outcome.points == 0:
        return rules.CREDIT_CAPPED
    status = Entry.objects.filter(
        subject_id=donation.donor_id, source=Entry.Source.CANTEEN, source_key=key
    ).values_list("status", flat=True)
    return rules.CREDIT_HELD if Entry.Status.PENDING_REVIEW in status else rules.CREDIT_RECORDED


def donation_evidence(donation: Donation, canteen: Canteen) -> str:
    """What the credit entry says: the donation, its number and the canteen."""
    if donation.kind == Donation.Kind.MONEY:
        what = f"捐款{donation.value}元"
    else:
        what = f"捐赠{donation.item}{donation.quantity}{donation.unit}（折合{donation.value}元）"
    return (
        f"向{canteen.name}（{canteen.village.name}）{what}，{donation.received_on:%Y-%m-%d}"
        f"（食堂受赠登记第{donation.pk}号）"
    )[:2000]


@transaction.atomic
def donation_record(
    *,
    actor: User,
    canteen_id: int,
    kind: str,
    donor_kind: str,
    donor_name: str,
    received_on: Any,
    donor_identifier: str = "",
    donor_subject_id: int | None = None,
    anonymous: bool = False,
    item: str = "",
    quantity: Any = None,
    unit: str = "",
    value: Any = None,
    note: str = "",
) -> DonationResult:
    """Record a donation the canteen received: money (``value`` > 0, no item) or goods (``item``,
    ``quantity`` > 0, ``unit`` and the assessed ``value`` ≥ 0), from a person or an organisation,
    optionally identified by a full ID number or USCC (``donor_identifier``) whose file must bear
    ``donor_name``, or by a credit file chosen from a subject search (``donor_subject_id``, among
    the files the actor may search; ``donor_name`` may then be empty and becomes the file's).
    The same donation submitted again by the same recorder within :data:`DUPLICATE_WINDOW`
    returns the first (``created=False``). A donor with a consenting person file earns credit
    once (:func:`donation_credit_award`).

    Writes the donation, its audit row (``canteen.donation.record``) and the credit award.
    Raises NotFound (no such canteen, or not one the actor runs), InvalidInput (each field),
    Conflict (a closed canteen)."""
    canteen = access_canteen_for_donations(actor, canteen_id)
    if kind not in Donation.Kind.values:
        raise field_error("kind", _("Choose money or goods."), code="bad_kind")
    if donor_kind not in Donation.DonorKind.values:
        raise field_error("donor_kind", _("Choose a person or an organisation."), code="bad_donor_kind")
    chosen = donor_subject_id is not None
    name = clean_text(donor_name, field="donor_name", required=not chosen, max_length=MAX_NAME, multiline=False)
    day = _day(received_on, field="received_on")
    _day_in_range(canteen, day, field="received_on")
    amount = _amount(value, field="value")
    text_item = clean_text(item, field="item", required=False, max_length=MAX_ITEM, multiline=False)
    text_unit = clean_text(unit, field="unit", required=False, max_length=MAX_UNIT, multiline=False)
    qty = _amount(quantity, field="quantity")
    if kind == Donation.Kind.MONEY:
        if amount is None or amount <= 0:
            raise field_error("value", _("Enter the amount of money, above zero."), code="value_required")
        if text_item or qty is not None or text_unit:
            raise field_error("item", _("A gift of money has no item, quantity or unit."), code="money_item")
    else:
        if not text_item:
            raise field_error("item", _("Enter what was given, e.g. rice."), code="item_required")
        if qty is None or qty <= 0:
            raise field_error("quantity", _("Enter the quantity, above zero."), code="quantity_required")
        if not text_unit:
            raise field_error("unit", _("Enter the unit, e.g. kg or bag."), code="unit_required")
        if amount is None:
            raise field_error(
                "value", _("Enter the value of the goods as assessed on receipt (0 if unknown)."), code="value_required"
            )
    text_note = clean_text(note, field="note", required=False, max_length=MAX_NOTE)
    if chosen:
        if (donor_identifier or "").strip():
            raise field_error(
                "donor_identifier", _("Give the number or choose a file from the search, not both."), code="two_donors"
            )
        chosen_file = _donor_chosen(actor=actor, subject_id=donor_subject_id, donor_kind=donor_kind, name=name)
        donor: Subject | None = chosen_file
        name = chosen_file.name
    else:
        donor = _donor(identifier=donor_identifier, donor_kind=donor_kind, name=name)
    locked = _locked(canteen.pk)
    if locked.status == Canteen.Status.CLOSED:
        raise Conflict(_("This canteen is closed; it receives no donations."), code="canteen_closed")
    now = clock.now()
    same = (
        Donation.objects.filter(
            canteen=locked,
            kind=kind,
            donor_kind=donor_kind,
            donor=donor,
            donor_name=name,
            anonymous=bool(anonymous),
            item=text_item,
            quantity=qty,
            unit=text_unit,
            value=amount,
            received_on=day,
            recorded_by=actor,
            recorded_at__gte=now - DUPLICATE_WINDOW,
        )
        .order_by("id")
        .first()
    )
    if same is not None:
        return DonationResult(
            donation=same, created=False, credit=donation_credit_award(actor=actor, donation=same, canteen=locked)
        )
    donation = Donation.objects.create(
        canteen=locked,
        kind=kind,
        donor_kind=donor_kind,
        donor=donor,
        donor_name=name,
        anonymous=bool(anonymous),
        item=text_item,
        quantity=qty,
        unit=text_unit,
        value=amount,
        received_on=day,
        note=text_note,
        recorded_at=now,
        recorded_by=actor,
    )
    credit = donation_credit_award(actor=actor, donation=donation, canteen=locked)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="canteen.donation.record",
        object_type="canteen_donation",
        object_id=donation.pk,
        subject_id=donation.donor_id,
        details={
            "canteen": locked.pk,
            "kind": kind,
            "value": str(amount),
            "anonymous": bool(anonymous),
            "credit": credit,
            "credit_points": donation.credit_points,
        },
    )
    return DonationResult(donation=donation, created=True, credit=credit)


def stock_received(canteen_id: int, item: str, unit: str) -> Decimal:
    total = Donation.objects.filter(canteen_id=canteen_id, kind=Donation.Kind.GOODS, item=item, unit=unit).aggregate(
        n=Sum("quantity")
    )["n"]
    return total or Decimal("0.00")


def stock_used(canteen_id: int, item: str, unit: str) -> Decimal:
    total = StockUse.objects.filter(canteen_id=canteen_id, item=item, unit=unit).aggregate(n=Sum("quantity"))["n"]
    return total or Decimal("0.00")


@transaction.atomic
def stock_use_record(
    *, actor: User, canteen_id: int, item: str, quantity: Any, unit: str, used_on: Any, note: str = ""
) -> StockUse:
    """Record donated goods used (``item``, ``quantity`` > 0, ``unit``, ``used_on``). The total
    used of an item (same name and unit) can never pass the total received.

    Writes the stock use and its audit row (``canteen.stock_use.record``). Raises NotFound (not a
    canteen the actor runs), InvalidInput (each field; ``quantity`` above what is on hand)."""
    canteen = access_canteen_for_donations(actor, canteen_id)
    text_item = clean_text(item, field="item", required=True, max_length=MAX_ITEM, multiline=False)
    qty = _amount(quantity, field="quantity")
    if qty is None or qty <= 0:
        raise field_error("quantity", _("Enter the quantity, above zero."), code="quantity_required")
    text_unit = clean_text(unit, field="unit", required=True, max_length=MAX_UNIT, multiline=False)
    day = _day(used_on, field="used_on")
    _day_in_range(canteen, day, field="used_on")
    text_note = clean_text(note, field="note", required=False, max_length=MAX_NOTE)
    locked = _locked(canteen.pk)
    received = stock_received(locked.pk, text_item, text_unit)
    on_hand = received - stock_used(locked.pk, text_item, text_unit)
    if qty > on_hand:
        raise field_error(
            "quantity",
            _("Only %(left)s %(unit)s of %(item)s are on hand (received %(received)s in all).")
            % {"left": f"{on_hand:.2f}", "unit": text_unit, "item": text_item, "received": f"{received:.2f}"},
            code="more_than_received",
        )
    use = StockUse.objects.create(
        canteen=locked,
        item=text_item,
        quantity=qty,
        unit=text_unit,
        used_on=day,
        note=text_note,
        recorded_at=clock.now(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="canteen.stock_use.record",
        object_type="canteen_stock_use",
        object_id=use.pk,
        details={"canteen": locked.pk, "item": text_item, "quantity": str(qty), "unit": text_unit},
    )
    return use
