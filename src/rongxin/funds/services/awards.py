"""Paying a meeting's awards (颁奖): in one transaction, under the meeting's and the fund's row
locks,

- each money award is its own journal entry of the paying fund, Dr 5101 表彰奖金支出 /
  Cr 1001 银行存款;
- each goods award is an entry Dr 5102 表彰奖品支出 / Cr 1001 银行存款: the goods are bought for
  the meeting with the fund's money (goods already in store were booked as donations at their
  value and are given through the books' own spending, not here), so the fund must hold their
  value too;
- a certificate moves no money;
- both kinds of entry are backed by one voucher, the signed receipt list (签收表) uploaded with
  the payment;
- each award enters the credit file through the commendation rule ``P-HON-06`` of the person
  catalogue (department civilization_office, source ``funds``, key
  ``funds:meeting:<id>:subject:<sid>``). If the catalogue in force has no such rule the awards
  are paid all the same and each name's ``credit_status`` is ``no_rule``.

When the fund cannot pay, nothing is saved and the error says how much is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.credit.services.awards import Award, awards_record, rule_for_awards
from rongxin.funds.domain.accounts import AWARDS_GOODS, AWARDS_MONEY, BANK
from rongxin.funds.domain.money import ZERO, yuan
from rongxin.funds.models import Account, JournalEntry, Meeting, Nomination, Objection
from rongxin.funds.permissions.common import COMMENDATION_RULE, CREDIT_DEPARTMENT
from rongxin.funds.services.books import LineIn, entry_post, fund_locked, voucher_store
from rongxin.funds.services.meetings import meeting_locked, publicity_over, require_status, run_role

NO_RULE = "no_rule"
SHORT_MESSAGE = _(
    "The credit fund cannot pay these awards: they come to %(total)s, it can spend %(available)s; %(short)s is missing."
)


@dataclass(frozen=True)
class AwardResult:
    meeting: Meeting
    awarded: int
    entries: int
    paid: Decimal  # money and goods paid out
    credit: dict[str, int]  # credit status → names


def credit_key(meeting_id: int, subject_id: int) -> str:
    return f"funds:meeting:{meeting_id}:subject:{subject_id}"


def meeting_award(
    *, actor: User | None, meeting_id: int, voucher_data: bytes | None, voucher_name: str = ""
) -> AwardResult:
    """Pay and record every proposed name's award once publicity has ended and every objection is
    answered (see the module's text). Raises NotFound (not the actor's meeting), Conflict (a step
    out of order, open objections, a name without an award, already paid), InvalidInput (no
    voucher where money moves, a bad voucher, not enough money: the message says how much is
    missing)."""
    meeting, role = run_role(actor, meeting_id)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        today = clock.today_local()
        if meeting.status == Meeting.Status.PUBLICITY and publicity_over(meeting, today):
            meeting.status = Meeting.Status.AWARDING
        if meeting.status == Meeting.Status.PUBLICITY:
            raise Conflict(_("The awards are paid after publicity has ended."), code="in_publicity")
        require_status(meeting, Meeting.Status.AWARDING)
        if meeting.held_on is not None:
            raise Conflict(_("The awards are already paid."), code="already_awarded")
        if Objection.objects.filter(meeting=meeting, status=Objection.Status.OPEN).exists():
            raise Conflict(_("Answer every objection before paying the awards."), code="open_objections")
        names = list(
            Nomination.objects.select_for_update()
            .filter(meeting=meeting, status=Nomination.Status.PROPOSED)
            .select_related("subject")
            .order_by("category", "id")
        )
        if not names:
            raise Conflict(_("The list has no name to award."), code="empty_list")
        missing = [n for n in names if not n.award_kind]
        if missing:
            raise Conflict(
                _("Set the award of every name first (%(n)s without one).") % {"n": len(missing)}, code="award_missing"
            )
        paying = [n for n in names if n.award_kind in (Nomination.AwardKind.MONEY, Nomination.AwardKind.GOODS)]
        total = sum((n.award_amount or ZERO for n in paying), ZERO)
        fund = fund_locked(meeting.fund_id)
        voucher = None
        if paying:
            bank = Account.objects.get(fund=fund, code=BANK).balance
            available = max(bank - fund.minimum_balance, ZERO)
            if total > available:
                raise InvalidInput(
                    SHORT_MESSAGE
                    % {"total": yuan(total), "available": yuan(available), "short": yuan(total - available)},
                    code="insufficient_funds",
                )
            if not voucher_data:
                raise field_error(
                    "voucher", _("Upload the signed receipt list of the awards."), code="voucher_required"
                )
            voucher = voucher_store(actor=actor, fund=fund, data=voucher_data, file_name=voucher_name)
        entries = 0
        for n in paying:
            assert n.award_amount is not None
            assert voucher is not None
            money = n.award_kind == Nomination.AwardKind.MONEY
            what = "奖金" if money else f"奖品（{n.award_goods}）"
            entry: JournalEntry = entry_post(
                actor=actor,
                fund_id=fund.pk,
                kind=JournalEntry.Kind.AWARD,
                on=today,
                memo=f"{meeting.title}：{n.subject.name} {what}"[:200],
                voucher=voucher,
                lines=[
                    LineIn(AWARDS_MONEY if money else AWARDS_GOODS, n.award_amount),
                    LineIn(BANK, -n.award_amount),
                ],
                role=role,
            )
            n.award_entry = entry
            entries += 1
        statuses = _credit(actor=actor, meeting=meeting, names=names)
        now = clock.now()
        for n in names:
            n.status = Nomination.Status.AWARDED
            n.credit_key = credit_key(meeting.pk, n.subject_id)
            n.credit_status, n.credit_points = statuses[n.subject_id]
            n.changed_at, n.changed_by = now, actor
        Nomination.objects.bulk_update(
            names, ["status", "award_entry", "credit_key", "credit_status", "credit_points", "changed_at", "changed_by"]
        )
        meeting.held_on = today
        meeting.save(update_fields=["status", "held_on"])
        counts: dict[str, int] = {}
        for status, _points in statuses.values():
            counts[status] = counts.get(status, 0) + 1
        audit_record(
            actor=actor,
            kind=AuditEvent.Kind.WRITE,
            action="meeting.award",
            role=role,
            object_type="meeting",
            object_id=meeting.pk,
            details={"awarded": len(names), "entries": entries, "paid": str(total), "credit": counts},
        )
    return AwardResult(meeting=meeting, awarded=len(names), entries=entries, paid=total, credit=counts)


def _credit(*, actor: User | None, meeting: Meeting, names: list[Nomination]) -> dict[int, tuple[str, int | None]]:
    """Record each name's commendation in their credit file: subject id → (status, points)."""
    now = clock.now()
    try:
        rule = rule_for_awards(
            rule_code=COMMENDATION_RULE, department_code=CREDIT_DEPARTMENT, on=now.astimezone(clock.LOCAL_TZ).date()
        )
    except InvalidInput:
        return {n.subject_id: (NO_RULE, None) for n in names}
    awards = [
        Award(
            subject_id=n.subject_id,
            rule_code=COMMENDATION_RULE,
            points=rule.points_max,
            occurred_at=now,
            evidence=f"{meeting.title}·{n.get_category_display()}"[:200],
            source_key=credit_key(meeting.pk, n.subject_id),
        )
        for n in names
    ]
    outcomes = awards_record(
        awards=awards,
        department_code=CREDIT_DEPARTMENT,
        recorder=actor,
        source=Entry.Source.FUNDS,
        cause="funds.commendation",
    )
    return {o.subject_id: (o.status, o.points or None) for o in outcomes}
