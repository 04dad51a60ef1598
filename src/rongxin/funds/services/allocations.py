"""Allocations from the county special fund to a town's or village's credit fund, or to a
canteen.

An allocation is spending of a budget line: the county fund's entry debits the line's expense
account and credits its bank account (the entry names the line). Money to a credit fund is also
income of that fund (Dr 1001 bank / Cr 4002 transfers received), posted in the same transaction
on its own copy of the voucher. Money to a canteen stays in the county's books; the canteen's own
cost record (source "county") is written through the canteens module's service when the keeper
may record canteen costs there (see :func:`allocation_create`).

Lock order: the county fund first, then the recipient fund (``entry_post``), so two allocations
at once are serialised on the county fund and never together pass a line's budget.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen
from rongxin.canteens.permissions.common import manages_region
from rongxin.canteens.services.sites import canteen_cost_add
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.domain.accounts import BANK, TRANSFER_IN
from rongxin.funds.models import Allocation, Fund, JournalEntry
from rongxin.funds.permissions.county import keeper_county_fund
from rongxin.funds.services.books import LineIn, entry_post, entry_reverse, fund_locked, voucher_store
from rongxin.funds.services.budget import (
    DUPLICATE_WINDOW,
    KEEPER_ROLE,
    amount_in,
    check_bank,
    check_within_line,
    day_in,
    id_in,
    line_of_fund,
    voucher_in,
)

MAX_PURPOSE = 200


def _recipient_fund(county: Fund, raw: Any) -> Fund:
    fund_id = id_in(raw, field="recipient_fund_id")
    fund = Fund.objects.select_related("region").filter(pk=fund_id).first()
    if (
        fund is None
        or fund.kind not in (Fund.Kind.TOWN_CREDIT, Fund.Kind.VILLAGE_CREDIT)
        or not county.region.contains(fund.region)
    ):
        raise field_error(
            "recipient_fund_id", _("Choose a town or village credit fund of the county."), code="unknown_recipient"
        )
    return fund


def _canteen(county: Fund, raw: Any) -> Canteen:
    canteen_id = id_in(raw, field="canteen_id")
    canteen = Canteen.objects.select_related("village", "town").filter(pk=canteen_id).first()
    if canteen is None or not county.region.contains(canteen.village):
        raise field_error("canteen_id", _("Choose a canteen of the county."), code="unknown_recipient")
    if canteen.status == Canteen.Status.CLOSED:
        raise field_error("canteen_id", _("This canteen is closed; it receives no money."), code="canteen_closed")
    return canteen


def _memo(text: str) -> str:
    return text[:200]


def allocation_create(
    *,
    actor: User,
    budget_line_id: Any,
    on: Any,
    amount: Any,
    purpose: Any,
    voucher_data: Any,
    voucher_name: Any,
    recipient_fund_id: Any = None,
    canteen_id: Any = None,
    canteen_cost_kind: str = "build",
) -> Allocation:
    """Allocate ``amount`` yuan of a budget line to a town or village credit fund of the county
    (``recipient_fund_id``) or to a canteen of the county (``canteen_id``), exactly one of them.

    In one transaction: the county fund's entry (Dr the line's account / Cr 1001, naming the
    line); for a credit fund, that fund's entry (Dr 1001 / Cr 4002) on its own copy of the
    voucher; for a canteen, the canteen's cost (``canteen_cost_kind`` build or running, source
    county) through :func:`rongxin.canteens.services.sites.canteen_cost_add` when the keeper also
    manages canteens there (that service refuses anyone else; the allocation's audit row says
    whether it was written); the :class:`Allocation` linking them; the audit row
    ``allocation.create``. The same allocation submitted again by the same keeper within
    :data:`~rongxin.funds.services.budget.DUPLICATE_WINDOW` returns the first.

    Raises NotFound (not the county fund keeper), InvalidInput (each field; ``beyond_line``,
    ``insufficient_funds``, ``outside_budget_year``, ``unknown_recipient``, ``period_closed`` in
    either fund)."""
    county = keeper_county_fund(actor)
    line = line_of_fund(fund=county, budget_line_id=budget_line_id)
    if (recipient_fund_id is None) == (canteen_id is None):
        raise field_error(
            "recipient_fund_id",
            _("Choose either a credit fund or a canteen to receive the money."),
            code="one_recipient",
        )
    recipient = _recipient_fund(county, recipient_fund_id) if recipient_fund_id is not None else None
    canteen = _canteen(county, canteen_id) if canteen_id is not None else None
    value = amount_in(amount)
    day = day_in(on)
    text = clean_text(purpose, field="purpose", required=True, max_length=MAX_PURPOSE, multiline=False)
    if canteen is not None and canteen_cost_kind not in ("build", "running"):
        raise field_error("canteen_cost_kind", _("Choose building or running."), code="bad_choice")
    with transaction.atomic():
        county = fund_locked(county.pk)
        now = clock.now()
        same = (
            Allocation.objects.filter(
                budget_line=line,
                recipient_fund=recipient,
                canteen=canteen,
                amount=value,
                date=day,
                purpose=text,
                created_by=actor,
                created_at__gte=now - DUPLICATE_WINDOW,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return same
        check_within_line(line=line, amount=value, on=day)
        check_bank(fund=county, amount=value)
        voucher = voucher_in(actor=actor, fund=county, data=voucher_data, name=voucher_name)
        to_name = recipient.name if recipient is not None else canteen.name if canteen is not None else ""
        out_entry = entry_post(
            actor=actor,
            fund_id=county.pk,
            kind=JournalEntry.Kind.ALLOCATION,
            on=day,
            memo=_memo(f"拨付{to_name}：{text}"),
            voucher=voucher,
            lines=[LineIn(line.account.code, value), LineIn(BANK, -value)],
            budget_line=line,
            role=KEEPER_ROLE,
        )
        in_entry = None
        if recipient is not None:
            copy = voucher_store(actor=actor, fund=recipient, data=bytes(voucher.data), file_name=voucher.file_name)
            in_entry = entry_post(
                actor=actor,
                fund_id=recipient.pk,
                kind=JournalEntry.Kind.TRANSFER_IN,
                on=day,
                memo=_memo(f"{county.name}拨入：{text}"),
                voucher=copy,
                lines=[LineIn(BANK, value), LineIn(TRANSFER_IN, -value)],
                role=KEEPER_ROLE,
            )
        allocation = Allocation.objects.create(
            budget_line=line,
            recipient_fund=recipient,
            canteen=canteen,
            amount=value,
            date=day,
            purpose=text,
            out_entry=out_entry,
            in_entry=in_entry,
            created_at=now,
            created_by=actor,
        )
        cost_id = None
        if canteen is not None and manages_region(actor, canteen.village):
            cost = canteen_cost_add(
                actor=actor,
                canteen_id=canteen.pk,
                kind=canteen_cost_kind,
                year=day.year,
                source="county",
                amount=value,
                note=_memo(f"{county.name}拨付：{text}"),
            )
            cost_id = cost.pk
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="allocation.create",
            role=KEEPER_ROLE,
            object_type="allocation",
            object_id=allocation.pk,
            details={
                "line": line.pk,
                "amount": str(value),
                "date": day.isoformat(),
                "recipient_fund": recipient.pk if recipient is not None else None,
                "canteen": canteen.pk if canteen is not None else None,
                "canteen_cost": cost_id,
            },
        )
    return allocation


def allocation_reverse(*, actor: User, allocation_id: Any, on: Any, reason: Any) -> Allocation:
    """Undo an allocation as a pair: the reversing entry of the county's side (the line gets the
    money back) and of the recipient's transfer, dated ``on``, in one transaction. Refused when
    either side is already reversed (Conflict ``already_reversed``), when the recipient no longer
    holds the money (``insufficient_funds``) or either month is closed (``period_closed``). The
    :class:`Allocation` row stays, its entries showing the reversals.

    Writes both reversals (``fund_entry.post`` each) and the audit row ``allocation.reverse``.
    Raises NotFound (not the county fund keeper, or not this county's allocation)."""
    county = keeper_county_fund(actor)
    pk = id_in(allocation_id, field="allocation_id")
    day = day_in(on)
    text = clean_text(reason, field="reason", required=True, max_length=150, multiline=False)
    with transaction.atomic():
        fund_locked(county.pk)
        allocation = (
            Allocation.objects.select_related("out_entry", "in_entry").filter(pk=pk, budget_line__fund=county).first()
        )
        if allocation is None:
            raise NotFound()
        entries = [allocation.out_entry, *([allocation.in_entry] if allocation.in_entry is not None else [])]
        if JournalEntry.objects.filter(reverses__in=entries).exists():
            raise Conflict(_("This allocation has already been reversed."), code="already_reversed")
        for entry in entries:
            entry_reverse(actor=actor, fund_id=entry.fund_id, entry_id=entry.pk, on=day, reason=text, role=KEEPER_ROLE)
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="allocation.reverse",
            role=KEEPER_ROLE,
            object_type="allocation",
            object_id=allocation.pk,
            details={"date": day.isoformat(), "amount": str(allocation.amount), "reason": text},
        )
    return allocation
