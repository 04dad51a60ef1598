"""Payments received against pledges, recorded by the keeper of the project marketplace fund (the
county centre), and the credit a sponsor earns for each.

A payment is one journal entry in the project marketplace fund, kind ``donation``: Dr 1001 bank /
Cr the project's income account (41nnnnnn), with the bank slip as its voucher; the project's
``raised`` is then read back from that account (``project_money_refresh``), so what a project
raised is always the lines of its income account. The sponsor earns credit once per payment
through the credit engine: rule ``P-PRJ-01`` for a person with consent to scoring (one point per
full ¥100, 1–20), ``E-PRJ-01`` for an enterprise or individual business (one point per full
¥1,000, 5–30), department ``civilization_office``, source ``projects``, key
``projects:payment:<id>``, trimmed by the rule's yearly caps. Both rules ask for the credit
office's review: the entry is recorded ``held`` and counts once approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, SubjectKind
from rongxin.credit.services.awards import Award, awards_record, rule_for_awards
from rongxin.funds.domain import donation_points as points_rules
from rongxin.funds.domain.accounts import BANK
from rongxin.funds.domain.money import yuan
from rongxin.funds.services.books import LineIn, entry_post, fund_locked, voucher_store
from rongxin.funds.services.budget import day_in
from rongxin.funds.services.movements import amount_parse
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.permissions.common import (
    CREDIT_DEPARTMENT,
    ORGANISATION_SPONSOR_RULE,
    PERSON_SPONSOR_RULE,
    keeps_project_fund,
)
from rongxin.projects.services.common import (
    project_accounts,
    project_locked,
    project_money_refresh,
    projects_fund,
    require_allowed,
)
from rongxin.subjects.models import Person, Subject

DUPLICATE_WINDOW = dt.timedelta(minutes=2)
KEEPER_ROLE = "department_recorder"


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment
    created: bool  # False: the same payment submitted again within two minutes, nothing added
    credit_note: str = ""  # the credit engine's note when the caps trimmed the points


def credit_key(payment_id: int) -> str:
    return f"projects:payment:{payment_id}"


def public_sponsor(pledge: Pledge) -> str:
    """The sponsor as the public sees them: 「爱心人士（匿名）」 for a sponsor who asked."""
    return points_rules.public_donor(pledge.sponsor_name, anonymous=pledge.anonymous)


def payment_evidence(payment: Payment, pledge: Pledge, project: Project) -> str:
    return (
        f"认捐项目超市公益项目{project.number}「{project.title}」，到账{payment.amount}元，"
        f"{payment.received_on:%Y-%m-%d}（项目到账登记第{payment.pk}号）"
    )[:2000]


def payment_credit_award(*, actor: User, payment: Payment, pledge: Pledge, project: Project) -> str:
    """Award the sponsor of ``payment`` their credit once and keep ``credit_key``,
    ``credit_points`` and ``credit_status`` on it. Returns the engine's note when the caps trimmed
    the points. Calling it again records nothing new (the key is the payment's)."""
    subject_kind = Subject.objects.filter(pk=pledge.sponsor_id).values_list("kind", flat=True).get()
    organisation = subject_kind != Subject.Kind.PERSON
    if organisation:
        rule_code, catalogue_kind = ORGANISATION_SPONSOR_RULE, SubjectKind.ORGANISATION
    else:
        consent = Person.objects.filter(subject_id=pledge.sponsor_id).values_list("consent_given", flat=True).first()
        if not consent:
            _keep(payment, key="", points=0, status=points_rules.CREDIT_NO_CONSENT)
            return ""
        rule_code, catalogue_kind = PERSON_SPONSOR_RULE, SubjectKind.PERSON
    rule = rule_for_awards(
        rule_code=rule_code, department_code=CREDIT_DEPARTMENT, on=payment.received_on, subject_kind=catalogue_kind
    )
    points = points_rules.donation_points(
        payment.amount, organisation=organisation, points_min=rule.points_min, points_max=rule.points_max
    )
    if points == 0:
        _keep(payment, key="", points=0, status=points_rules.CREDIT_BELOW)
        return ""
    noon = dt.datetime.combine(payment.received_on, dt.time(12), tzinfo=clock.LOCAL_TZ)
    key = credit_key(payment.pk)
    [outcome] = awards_record(
        awards=[
            Award(
                subject_id=pledge.sponsor_id,
                rule_code=rule_code,
                points=points,
                occurred_at=min(noon, clock.now()),
                evidence=payment_evidence(payment, pledge, project),
                source_key=key,
            )
        ],
        department_code=CREDIT_DEPARTMENT,
        recorder=actor,
        source=Entry.Source.PROJECTS,
        cause="projects",
    )
    status = points_rules.CREDIT_CAPPED if outcome.status == "capped" or outcome.points == 0 else outcome.status
    if status == points_rules.CREDIT_EXISTING and payment.credit_status:
        status = payment.credit_status  # a retry keeps what the first award said
    _keep(payment, key=key if outcome.points else "", points=outcome.points, status=status)
    return outcome.note if outcome.points < points else ""


def _keep(payment: Payment, *, key: str, points: int, status: str) -> None:
    if (payment.credit_key, payment.credit_points, payment.credit_status) != (key, points, status):
        payment.credit_key, payment.credit_points, payment.credit_status = key, points, status
        payment.save(update_fields=["credit_key", "credit_points", "credit_status"])


@contextmanager
def _date_on_received_on() -> Iterator[None]:
    """The posting core's errors about the entry's date belong to ``received_on`` here."""
    try:
        yield
    except InvalidInput as exc:
        exc.errors = [e | {"field": "received_on"} if e.get("field") == "date" else e for e in exc.errors]
        raise


def payment_record(
    *, actor: User, pledge_id: int, amount: Any, received_on: Any, voucher_data: Any, voucher_name: Any
) -> PaymentResult:
    """Record ``amount`` yuan received on ``received_on`` against a pledge (the keeper of the
    project marketplace fund only), with the bank slip as voucher (PDF, JPEG or PNG): the entry
    Dr 1001 / Cr the project's income account, the payment, the pledge's ``paid`` (paid in full:
    state ``paid``), the project's ``raised`` from its account, the sponsor's credit once
    (:func:`payment_credit_award`) and the audit row ``project_payment.record``, in one
    transaction under the fund's, the project's and the pledge's row locks. The same payment again
    by the same keeper within two minutes returns the first (``created=False``).

    Raises NotFound (not the keeper, no such pledge), Conflict (a draft or closed project, a
    withdrawn pledge), InvalidInput (the amount: not positive, 3 decimals, more than is still
    unpaid; the date: future, before the fund opened, a closed month; the voucher)."""
    if not keeps_project_fund(actor):
        raise NotFound()
    pledge = Pledge.objects.filter(pk=pledge_id).first()
    if pledge is None:
        raise NotFound()
    value = amount_parse(amount)
    day = day_in(received_on, field="received_on")
    if not isinstance(voucher_data, bytes | bytearray) or not voucher_data:
        raise field_error("voucher", _("Attach the voucher (PDF, JPEG or PNG)."), code="voucher_required")
    fund = projects_fund()
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        project = project_locked(pledge.project_id)
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
        require_allowed(project, "pay")
        if pledge.state == Pledge.State.WITHDRAWN:
            raise Conflict(_("This pledge has been withdrawn; it takes no payments."), code="pledge_withdrawn")
        voucher = voucher_store(actor=actor, fund=fund, data=bytes(voucher_data), file_name=str(voucher_name or ""))
        now = clock.now()
        same = (
            Payment.objects.filter(
                pledge=pledge,
                amount=value,
                received_on=day,
                recorded_by=actor,
                recorded_at__gte=now - DUPLICATE_WINDOW,
                entry__voucher=voucher,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return PaymentResult(payment=same, created=False)
        unpaid = pledge.amount - pledge.paid
        if value > unpaid:
            raise field_error(
                "amount",
                _("The pledge has %(unpaid)s still to pay; the payment cannot be more than that.")
                % {"unpaid": yuan(unpaid)},
                code="over_pledge",
            )
        income = project_accounts(project, fund)["income"]
        with _date_on_received_on():
            entry = entry_post(
                actor=actor,
                fund_id=fund.pk,
                kind="donation",
                on=day,
                memo=f"{public_sponsor(pledge)}认捐{project.number}到账"[:200],
                voucher=voucher,
                lines=[LineIn(BANK, value), LineIn(income.code, -value)],
                role=KEEPER_ROLE,
            )
        payment = Payment.objects.create(
            pledge=pledge,
            project=project,
            entry=entry,
            amount=value,
            received_on=day,
            recorded_at=now,
            recorded_by=actor,
        )
        pledge.paid = pledge.paid + value
        if pledge.paid == pledge.amount:
            pledge.state = Pledge.State.PAID
        pledge.save(update_fields=["paid", "state"])
        project_money_refresh(project, fund)
        note = payment_credit_award(actor=actor, payment=payment, pledge=pledge, project=project)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="project_payment.record",
            role=KEEPER_ROLE,
            object_type="project_payment",
            object_id=payment.pk,
            subject_id=pledge.sponsor_id,
            details={
                "project": project.pk,
                "pledge": pledge.pk,
                "amount": str(value),
                "entry": entry.pk,
                "credit": payment.credit_status,
                "credit_points": payment.credit_points,
            },
        )
    return PaymentResult(payment=payment, created=True, credit_note=note)
