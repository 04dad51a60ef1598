"""A project's money going out: spending with its voucher (and its reversal), and the accepted
project's left-over returned to a sponsor, moved to another project or moved to a town's or
village's credit fund. Every movement is a journal entry of the project marketplace fund
(``funds``), posted through :func:`rongxin.funds.services.books.entry_post`; the project's
``raised``/``spent``/``settled`` caches are then read back from its accounts
(:func:`~rongxin.projects.services.common.project_money_refresh`).

- Spending: Dr the project's spending account 53n / Cr 1001 (kind ``spending``), while the project
  is in progress or completed, never more than what is left (「项目结余 ¥x，支出不能超过结余。」).
- Return to a sponsor: Dr 54n / Cr 1001; at most what that pledge paid less what was returned to
  it already.
- Move to another project Q (public, not accepted, not closed): Dr 54n(P) / Cr 41n(Q), one entry;
  both projects' rows are locked in id order and both caches refreshed.
- Move to a credit fund: Dr 54n / Cr 1001 in the project marketplace fund and Dr 1001 / Cr 4002
  in the receiving fund (on a copy of the voucher), one transaction; ``Settlement.entry_in``.

A settlement's voucher is the upload if one is given, else a generated one-page settlement note
(:mod:`rongxin.projects.domain.settlement_pdf`). When the left-over reaches 0 nothing closes by
itself; the publisher closes (:func:`rongxin.projects.services.work.project_close`).

Lock order: the project marketplace fund's row, the project rows (in id order), a pledge's row,
then the receiving credit fund's row (``entry_post``). Everything is checked under the locks and
refused whole: a refused movement leaves no entry, no voucher, no row.

**A double submit posts once**, as in ``funds``: the same spending (or settlement) recorded by the
same person within :data:`DUPLICATE_WINDOW` returns the first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.funds.domain.accounts import BANK, TRANSFER_IN
from rongxin.funds.domain.money import yuan
from rongxin.funds.models import Fund, JournalEntry, Voucher
from rongxin.funds.services.books import LineIn, entry_post, entry_reverse, fund_locked, voucher_store
from rongxin.funds.services.movements import amount_parse
from rongxin.projects.domain import states
from rongxin.projects.domain.settlement_pdf import SettlementNote, render_settlement_note
from rongxin.projects.models import Pledge, Project, Settlement, Spending
from rongxin.projects.permissions.work import access_project_publisher
from rongxin.projects.services.common import (
    ZERO,
    project_accounts,
    project_locked,
    project_money_refresh,
    projects_fund,
    require_allowed,
)

DUPLICATE_WINDOW = dt.timedelta(minutes=2)
# Where a left-over may move to: a project still to be paid for or carried out.
RECEIVING_STATES = frozenset({states.PUBLISHED, states.CLAIMED, states.IN_PROGRESS, states.COMPLETED})


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


def _day(raw: Any, field: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise field_error(field, _("Enter a date."), code="invalid_date")
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise field_error(field, _("Enter a date."), code="invalid_date") from None


def _id(raw: Any, field: str, message: Any) -> int:
    try:
        value = int(str(raw))
    except ValueError:
        raise field_error(field, message, code="unknown_target") from None
    if value <= 0:
        raise field_error(field, message, code="unknown_target")
    return value


def _check_left(project: Project, amount: Decimal, message: Any, field: str = "amount") -> None:
    if amount > project.left:
        raise field_error(field, message % {"left": yuan(project.left)}, code="beyond_left")


# --- Spending ----------------------------------------------------------------------------------------
def spending_record(
    *,
    actor: User,
    project_id: int,
    amount: Any,
    paid_on: Any,
    purpose: str,
    voucher_data: bytes | None,
    voucher_name: str,
) -> Spending:
    """Record money spent on the project (in progress or completed) with its voucher: one entry
    Dr 53n / Cr 1001 (kind ``spending``) and a :class:`Spending`; the caches refreshed. The
    publisher (the county centre oversees every project).

    Returns the spending (the first one for a double submit). Raises NotFound (not the
    publisher), Conflict (``not_now``), InvalidInput (``amount``: ``beyond_left`` and the amount
    rules; ``paid_on``: a date, not in the future, not in a closed month; ``purpose``;
    ``voucher``). Audit: ``project_spending.record``."""
    _project, role = access_project_publisher(actor, project_id)
    value = amount_parse(amount)
    day = _day(paid_on, "paid_on")
    text = clean_text(purpose, field="purpose", required=True, max_length=200, multiline=False)
    if not voucher_data:
        raise field_error("voucher", _("Attach the voucher (a scan or PDF)."), code="voucher_required")
    fund = projects_fund()
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        project = project_locked(project_id)
        require_allowed(project, "spend")
        voucher = voucher_store(actor=actor, fund=fund, data=voucher_data, file_name=voucher_name)
        same = (
            Spending.objects.filter(
                project=project,
                amount=value,
                paid_on=day,
                purpose=text,
                entry__voucher=voucher,
                recorded_by=actor,
                recorded_at__gte=clock.now() - DUPLICATE_WINDOW,
            )
            .order_by("id")
            .first()
        )
        if same is not None:
            return same
        _check_left(project, value, _("The project holds %(left)s; spending cannot be more than what is left."))
        accounts = project_accounts(project, fund)
        entry = _post(
            actor=actor,
            fund_id=fund.pk,
            kind=JournalEntry.Kind.SPENDING,
            on=day,
            memo=f"{project.number}支出：{text}",
            voucher=voucher,
            lines=[LineIn(accounts["spending"].code, value), LineIn(BANK, -value)],
            role=role,
            field="paid_on",
        )
        spending = Spending.objects.create(
            project=project,
            entry=entry,
            amount=value,
            paid_on=day,
            purpose=text,
            recorded_at=clock.now(),
            recorded_by=actor,
        )
        project_money_refresh(project, fund)
        _audit(
            actor,
            "project_spending.record",
            role,
            "project_spending",
            spending.pk,
            project=project.pk,
            amount=str(value),
            entry=entry.number,
        )
    return spending


def _post(*, field: str, **kwargs: Any) -> JournalEntry:
    """:func:`entry_post`, its date and line errors moved onto the form's fields."""
    try:
        return entry_post(audit=False, **kwargs)
    except InvalidInput as exc:
        names = {"date": field, "lines": "amount"}
        exc.errors = [e | {"field": names.get(e.get("field", ""), e.get("field"))} for e in exc.errors]
        raise


def spending_reverse(*, actor: User, spending_id: int, reason: str) -> Spending:
    """Reverse a spending (while the project is in progress or completed): the reversing entry of
    its journal entry, dated today; ``Spending.reversal`` set; the caches refreshed. The
    publisher.

    Raises NotFound, Conflict (``not_now``, ``already_reversed``), InvalidInput (``reason``).
    Audit: ``project_spending.reverse``."""
    found = Spending.objects.filter(pk=spending_id).values_list("project_id", flat=True).first()
    if found is None:
        raise NotFound()
    _project, role = access_project_publisher(actor, found)
    text = clean_text(reason, field="reason", required=True, max_length=150, multiline=False)
    fund = projects_fund()
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        project = project_locked(found)
        spending = Spending.objects.select_for_update().get(pk=spending_id)
        if spending.reversal_id is not None:
            raise Conflict(_("This spending has already been reversed."), code="already_reversed")
        require_allowed(project, "spend")
        reversal = entry_reverse(
            actor=actor, fund_id=fund.pk, entry_id=spending.entry_id, on=clock.today_local(), reason=text, role=role
        )
        spending.reversal = reversal
        spending.save(update_fields=["reversal"])
        project_money_refresh(project, fund)
        _audit(
            actor,
            "project_spending.reverse",
            role,
            "project_spending",
            spending.pk,
            project=project.pk,
            entry=reversal.number,
        )
    return spending


# --- Left-over -----------------------------------------------------------------------------------------
def returned_to(pledge: Pledge) -> Decimal:
    """What of the pledge's payments was returned to its sponsor already."""
    total = Settlement.objects.filter(pledge=pledge, kind=Settlement.Kind.RETURN).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def _voucher(
    *,
    actor: User,
    fund: Fund,
    data: bytes | None,
    name: str,
    project: Project,
    kind: str,
    target: str,
    amount: Decimal,
    note: str,
) -> Voucher:
    if data:
        return voucher_store(actor=actor, fund=fund, data=data, file_name=name)
    pdf = render_settlement_note(
        SettlementNote(
            fund_name=fund.name,
            project_number=project.number,
            project_title=project.shown_title,
            kind_label=str(Settlement.Kind(kind).label),
            target=target,
            amount=amount,
            note=note,
            recorded_on=clock.today_local().isoformat(),
            recorded_by=actor.display_name or actor.username,
        )
    )
    return voucher_store(actor=actor, fund=fund, data=pdf, file_name=f"结余处理单-{project.number}.pdf")


def settlement_record(
    *,
    actor: User,
    project_id: int,
    kind: str,
    amount: Any,
    note: str,
    pledge_id: Any = None,
    to_project_id: Any = None,
    to_fund_id: Any = None,
    voucher_data: bytes | None = None,
    voucher_name: str = "",
) -> Settlement:
    """Return or move (part of) an accepted project's left-over (see the module's text for the
    entries): ``kind`` ``return`` (``pledge_id``), ``project`` (``to_project_id``) or ``fund``
    (``to_fund_id``: a town's or village's credit fund). The publisher (the county centre
    oversees every project). The voucher is the upload, else a generated settlement note.

    Returns the :class:`Settlement` (the first for a double submit). Raises NotFound (not the
    publisher), Conflict (``not_now``), InvalidInput (``kind``; ``amount``: ``beyond_left``,
    ``beyond_paid`` and the amount rules; ``pledge_id``/``to_project_id``/``to_fund_id``:
    ``unknown_target``; ``note``; ``voucher``). Audit: ``project_settlement.record``."""
    _project, role = access_project_publisher(actor, project_id)
    if kind not in Settlement.Kind.values:
        raise field_error("kind", _("Choose what happens to the left-over."), code="bad_kind")
    value = amount_parse(amount)
    text = clean_text(note, field="note", required=True, max_length=200, multiline=False)
    target_id: int
    if kind == Settlement.Kind.RETURN:
        target_id = _id(pledge_id, "pledge_id", _("Choose a paid pledge of the project."))
    elif kind == Settlement.Kind.PROJECT:
        target_id = _id(to_project_id, "to_project_id", _("Choose a public project still being carried out."))
    else:
        target_id = _id(to_fund_id, "to_fund_id", _("Choose a town's or village's credit fund."))
    fund = projects_fund()
    with transaction.atomic():
        fund = fund_locked(fund.pk)
        if kind == Settlement.Kind.PROJECT and target_id != project_id:
            # Both projects' rows, in id order (the lock order of two projects).
            first, second = sorted([project_id, target_id])
            locked = {first: project_locked(first)}
            other = Project.objects.select_for_update().filter(pk=second).first()
            if other is not None:
                locked[second] = other
            project = locked[project_id]
        else:
            project = project_locked(project_id)
        require_allowed(project, "settle")
        same = _repeat(project, actor, kind, value, text, target_id)
        if same is not None:
            return same
        _check_left(project, value, _("The project holds %(left)s; it cannot settle more than that."))
        accounts = project_accounts(project, fund)
        today = clock.today_local()
        fields: dict[str, Any] = {}
        to_project: Project | None = None
        receiving: Fund | None = None
        if kind == Settlement.Kind.RETURN:
            pledge = Pledge.objects.select_for_update().filter(pk=target_id, project=project).first()
            if pledge is None or pledge.paid <= 0:
                raise field_error("pledge_id", _("Choose a paid pledge of the project."), code="unknown_target")
            room = pledge.paid - returned_to(pledge)
            if value > room:
                raise field_error(
                    "amount",
                    _("%(name)s paid %(paid)s and %(returned)s of it was returned; at most %(room)s can go back.")
                    % {
                        "name": pledge.sponsor_name,
                        "paid": yuan(pledge.paid),
                        "returned": yuan(pledge.paid - room),
                        "room": yuan(room),
                    },
                    code="beyond_paid",
                )
            fields["pledge"] = pledge
            target = pledge.sponsor_name
            lines = [LineIn(accounts["settled"].code, value), LineIn(BANK, -value)]
            memo = f"{project.number}结余退还{pledge.sponsor_name}：{text}"
        elif kind == Settlement.Kind.PROJECT:
            to_project = locked.get(target_id) if target_id != project_id else None
            if to_project is None or to_project.state not in RECEIVING_STATES:
                raise field_error(
                    "to_project_id", _("Choose a public project still being carried out."), code="unknown_target"
                )
            fields["to_project"] = to_project
            target = f"{to_project.number} {to_project.shown_title}"
            q_accounts = project_accounts(to_project, fund)
            lines = [LineIn(accounts["settled"].code, value), LineIn(q_accounts["income"].code, -value)]
            memo = f"{project.number}结余转入{to_project.number}：{text}"
        else:
            receiving = (
                Fund.objects.filter(pk=target_id, kind__in=[Fund.Kind.TOWN_CREDIT, Fund.Kind.VILLAGE_CREDIT])
                .select_related("region")
                .first()
            )
            if receiving is None:
                raise field_error("to_fund_id", _("Choose a town's or village's credit fund."), code="unknown_target")
            fields["to_fund"] = receiving
            target = receiving.name
            lines = [LineIn(accounts["settled"].code, value), LineIn(BANK, -value)]
            memo = f"{project.number}结余转入{receiving.name}：{text}"
        voucher = _voucher(
            actor=actor,
            fund=fund,
            data=voucher_data,
            name=voucher_name,
            project=project,
            kind=kind,
            target=target,
            amount=value,
            note=text,
        )
        entry = _post(
            actor=actor,
            fund_id=fund.pk,
            kind=JournalEntry.Kind.SETTLEMENT,
            on=today,
            memo=memo[:200],
            voucher=voucher,
            lines=lines,
            role=role,
            field="amount",
        )
        entry_in = None
        if receiving is not None:
            copy = voucher_store(actor=actor, fund=receiving, data=bytes(voucher.data), file_name=voucher.file_name)
            entry_in = _post(
                actor=actor,
                fund_id=receiving.pk,
                kind=JournalEntry.Kind.TRANSFER_IN,
                on=today,
                memo=f"{fund.name}·{project.number}结余转入：{text}"[:200],
                voucher=copy,
                lines=[LineIn(BANK, value), LineIn(TRANSFER_IN, -value)],
                role=role,
                field="amount",
            )
        settlement = Settlement.objects.create(
            project=project,
            kind=kind,
            amount=value,
            entry=entry,
            entry_in=entry_in,
            note=text,
            recorded_at=clock.now(),
            recorded_by=actor,
            **fields,
        )
        project_money_refresh(project, fund)
        if to_project is not None:
            project_money_refresh(to_project, fund)
        _audit(
            actor,
            "project_settlement.record",
            role,
            "project_settlement",
            settlement.pk,
            project=project.pk,
            kind=kind,
            amount=str(value),
            target=target_id,
            entry=entry.number,
        )
    return settlement


def _repeat(project: Project, actor: User, kind: str, value: Decimal, note: str, target_id: int) -> Settlement | None:
    column = {"return": "pledge_id", "project": "to_project_id", "fund": "to_fund_id"}[kind]
    return (
        Settlement.objects.filter(
            project=project,
            kind=kind,
            amount=value,
            note=note,
            recorded_by=actor,
            recorded_at__gte=clock.now() - DUPLICATE_WINDOW,
            **{column: target_id},
        )
        .order_by("id")
        .first()
    )
