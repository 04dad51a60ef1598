"""Donations to a fund (the county special fund or a town's or village's credit fund), recorded
by the fund's keeper, and the credit a donor earns.

Money is Dr 1001 bank / Cr 4004 donations (money); goods are Dr 1002 goods in store / Cr 4005
donations (goods) at the value assessed on receipt. A donor chosen from the credit files (among
those the keeper may find by search) earns credit once, through the credit engine:
rule ``P-DON-02`` for a person with consent to scoring, ``E-DON-02`` for an enterprise or
individual business (department ``civilization_office``, source ``funds``, key
``funds:donation:<id>``), points by :mod:`rongxin.funds.domain.donation_points`, trimmed by the
rule's yearly caps. Both rules ask for the credit office's review: the entry is recorded
``held`` and counts once approved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit.models import Entry, SubjectKind
from rongxin.credit.services.awards import Award, awards_record, rule_for_awards
from rongxin.funds.domain import donation_points as points_rules
from rongxin.funds.domain.accounts import BANK, DONATIONS_GOODS, DONATIONS_MONEY, GOODS
from rongxin.funds.models import Donation, Fund
from rongxin.funds.permissions.common import (
    CREDIT_DEPARTMENT,
    ORGANISATION_DONATION_RULE,
    PERSON_DONATION_RULE,
    access_fund,
    keeper_role,
)
from rongxin.funds.services.books import LineIn, entry_post, fund_locked
from rongxin.funds.services.budget import DUPLICATE_WINDOW, amount_in, day_in, voucher_in
from rongxin.subjects.models import Person, Subject
from rongxin.subjects.permissions import readable_subjects_q

MAX_NAME = 100
MAX_GOODS = 100


@dataclass(frozen=True)
class FundDonationResult:
    donation: Donation
    created: bool  # False: the same donation submitted again, nothing added
    credit_note: str = ""  # the credit engine's note when the caps trimmed the points


def credit_key(donation_id: int) -> str:
    return f"funds:donation:{donation_id}"


def _donor_chosen(actor: User, raw: Any) -> Subject:
    """A credit file the actor may find by search (staff who read files in the region)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise field_error(
            "donor_subject_id", _("Choose the donor's credit file from the search."), code="donor_unknown"
        )
    subject = Subject.objects.filter(readable_subjects_q(actor), pk=raw).first()
    if subject is None:
        raise field_error(
            "donor_subject_id", _("Choose the donor's credit file from the search."), code="donor_unknown"
        )
    return subject


def donation_evidence(donation: Donation, fund: Fund) -> str:
    if donation.kind == Donation.Kind.MONEY:
        what = f"捐款{donation.amount}元"
    else:
        what = f"捐赠{donation.goods}（折合{donation.amount}元）"
    return f"向{fund.name}{what}，{donation.received_on:%Y-%m-%d}（基金受赠登记第{donation.pk}号）"[:2000]


def donation_credit_award(*, actor: User, donation: Donation, fund: Fund) -> str:
    """Award the donor of ``donation`` their credit once and keep ``credit_key``,
    ``credit_points`` and ``credit_status`` on it. Returns the engine's note when the caps
    trimmed the points. Calling it again records nothing new (the key is the donation's)."""
    if donation.donor_id is None:
        return ""
    subject_kind = Subject.objects.filter(pk=donation.donor_id).values_list("kind", flat=True).get()
    organisation = subject_kind != Subject.Kind.PERSON
    if organisation:
        rule_code, catalogue_kind = ORGANISATION_DONATION_RULE, SubjectKind.ORGANISATION
    else:
        consent = Person.objects.filter(subject_id=donation.donor_id).values_list("consent_given", flat=True).first()
        if not consent:
            _keep(donation, key="", points=0, status=points_rules.CREDIT_NO_CONSENT)
            return ""
        rule_code, catalogue_kind = PERSON_DONATION_RULE, SubjectKind.PERSON
    rule = rule_for_awards(
        rule_code=rule_code, department_code=CREDIT_DEPARTMENT, on=donation.received_on, subject_kind=catalogue_kind
    )
    points = points_rules.donation_points(
        donation.amount, organisation=organisation, points_min=rule.points_min, points_max=rule.points_max
    )
    if points == 0:
        _keep(donation, key="", points=0, status=points_rules.CREDIT_BELOW)
        return ""
    noon = dt.datetime.combine(donation.received_on, dt.time(12), tzinfo=clock.LOCAL_TZ)
    key = credit_key(donation.pk)
    [outcome] = awards_record(
        awards=[
            Award(
                subject_id=donation.donor_id,
                rule_code=rule_code,
                points=points,
                occurred_at=min(noon, clock.now()),
                evidence=donation_evidence(donation, fund),
                source_key=key,
            )
        ],
        department_code=CREDIT_DEPARTMENT,
        recorder=actor,
        source=Entry.Source.FUNDS,
        cause="funds",
    )
    status = points_rules.CREDIT_CAPPED if outcome.status == "capped" or outcome.points == 0 else outcome.status
    if status == points_rules.CREDIT_EXISTING and donation.credit_status:
        status = donation.credit_status  # a retry keeps what the first award said
    _keep(donation, key=key if outcome.points else "", points=outcome.points, status=status)
    return outcome.note if outcome.points < points else ""


def _keep(donation: Donation, *, key: str, points: int, status: str) -> None:
    if (donation.credit_key, donation.credit_points, donation.credit_status) != (key, points, status):
        donation.credit_key, donation.credit_points, donation.credit_status = key, points, status
        donation.save(update_fields=["credit_key", "credit_points", "credit_status"])


def donation_record(
    *,
    actor: User,
    fund_id: int,
    kind: Any,
    amount: Any,
    on: Any,
    donor_name: Any,
    anonymous: bool,
    voucher_data: Any,
    voucher_name: Any,
    donor_subject_id: Any = None,
    goods: Any = "",
) -> FundDonationResult:
    """Record money or goods given to the fund (by its keeper): money Dr 1001 / Cr 4004, goods
    Dr 1002 / Cr 4005 at ``amount``, the value assessed on receipt (``goods`` says what). The
    donor is ``donor_name`` or a credit file chosen from the search (``donor_subject_id``; the
    name then defaults to the file's). ``anonymous``: the public list shows 「爱心人士（匿名）」.
    A chosen donor earns credit once (:func:`donation_credit_award`). The same donation again
    by the same keeper within two minutes returns the first (``created=False``).

    Writes the voucher, the entry (``fund_entry.post``), the donation, the credit award and the
    audit row ``fund_donation.record``, in one transaction. Raises NotFound (not a fund the actor
    keeps), InvalidInput (each field, a closed month)."""
    fund = access_fund(actor, fund_id, keep=True)
    role = keeper_role(actor, fund)
    if fund.kind == Fund.Kind.PROJECTS:
        raise Conflict(
            _("The project marketplace fund's money moves on each project's page, not here."),
            code="project_fund",
        )
    if kind not in Donation.Kind.values:
        raise field_error("kind", _("Choose money or goods."), code="bad_kind")
    chosen = _donor_chosen(actor, donor_subject_id) if donor_subject_id is not None else None
    name = clean_text(donor_name, field="donor_name", required=chosen is None, max_length=MAX_NAME, multiline=False)
    if chosen is not None and name and name != chosen.name:
        # The public list would name one donor while the credit went to another.
        raise field_error(
            "donor_subject_id",
            _("The chosen credit file is in another name; leave the name empty or choose the right file."),
            code="donor_name_mismatch",
        )
    name = name or (chosen.name if chosen is not None else "")
    what = clean_text(goods, field="goods", required=kind == Donation.Kind.GOODS, max_length=MAX_GOODS, multiline=False)
    if kind == Donation.Kind.MONEY and what:
        raise field_error("goods", _("A gift of money names no goods."), code="money_goods")
    value = amount_in(amount)
    day = day_in(on)
    shown = points_rules.public_donor(name, anonymous=bool(anonymous))
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        now = clock.now()
        same = (
            Donation.objects.filter(
                fund=fund,
                kind=kind,
                donor=chosen,
                donor_name=name,
                anonymous=bool(anonymous),
                goods=what,
                amount=value,
                received_on=day,
                recorded_by=actor,
                recorded_at__gte=now - DUPLICATE_WINDOW,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return FundDonationResult(donation=same, created=False)
        voucher = voucher_in(actor=actor, fund=fund, data=voucher_data, name=voucher_name)
        if kind == Donation.Kind.MONEY:
            lines = [LineIn(BANK, value), LineIn(DONATIONS_MONEY, -value)]
            memo = f"{shown}捐款"
        else:
            lines = [LineIn(GOODS, value), LineIn(DONATIONS_GOODS, -value)]
            memo = f"{shown}捐赠物资：{what}"
        entry = entry_post(
            actor=actor,
            fund_id=fund.pk,
            kind="donation",
            on=day,
            memo=memo[:200],
            voucher=voucher,
            lines=lines,
            role=role,
        )
        donation = Donation.objects.create(
            fund=fund,
            entry=entry,
            kind=kind,
            donor=chosen,
            donor_name=name,
            anonymous=bool(anonymous),
            goods=what,
            amount=value,
            received_on=day,
            recorded_at=now,
            recorded_by=actor,
        )
        note = donation_credit_award(actor=actor, donation=donation, fund=fund)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="fund_donation.record",
            role=role,
            object_type="fund_donation",
            object_id=donation.pk,
            subject_id=donation.donor_id,
            details={
                "fund": fund.pk,
                "kind": kind,
                "amount": str(value),
                "anonymous": bool(anonymous),
                "credit": donation.credit_status,
                "credit_points": donation.credit_points,
            },
        )
    return FundDonationResult(donation=donation, created=True, credit_note=note)
