"""Shortcuts of the sponsor tests: pledge and pay through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rongxin.accounts.models import User
from rongxin.funds.models import Account, JournalLine
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.services.payments import PaymentResult, payment_record
from rongxin.projects.services.pledges import PledgeResult, pledge_create
from rongxin.projects.tests.helpers import TODAY, MarketWorld, pdf


def pledge(
    world: MarketWorld,
    project: Project,
    amount: str,
    *,
    actor: User | None = None,
    sponsor: Any = None,
    title: bool = False,
    anonymous: bool = False,
) -> PledgeResult:
    return pledge_create(
        actor=actor or world.firm_rep,
        project_id=project.pk,
        sponsor_subject_id=(sponsor or world.firm).pk,
        amount=amount,
        title=title,
        anonymous=anonymous,
    )


def pay(
    world: MarketWorld, p: Pledge, amount: str, *, tag: str = "", on: dt.date = TODAY, actor: User | None = None
) -> PaymentResult:
    return payment_record(
        actor=actor or world.centre,
        pledge_id=p.pk,
        amount=amount,
        received_on=on,
        voucher_data=pdf(tag or f"{p.pk}-{amount}"),
        voucher_name="bank.pdf",
    )


def income_lines(world: MarketWorld, project: Project) -> Decimal:
    """What the journal lines on the project's income account add up to (credits positive)."""
    account = Account.objects.get(fund=world.fund, code=f"41{project.pk:06d}")
    total = sum(JournalLine.objects.filter(account=account).values_list("amount", flat=True), Decimal("0.00"))
    return -total


def money_state(project: Project) -> tuple[Any, ...]:
    """Everything a pledge or payment may change, to compare before and after a refused call."""
    p = Project.objects.get(pk=project.pk)
    return (
        p.state,
        p.pledged,
        p.raised,
        p.title_sponsor_id,
        p.title_name,
        sorted(Pledge.objects.filter(project=project).values_list("id", "state", "amount", "paid")),
        Payment.objects.filter(project=project).count(),
    )
