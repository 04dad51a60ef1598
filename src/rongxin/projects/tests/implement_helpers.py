"""Shortcuts of the implementation tests: money paid into a project without the sponsor's
services (a pledge row and the payment's journal entry), a project picked, started and paid, a
milestone, an activity of a team, and the sums the books must agree with.

The lead switches :func:`pay` to ``pledge_create``/``payment_record`` once those are merged."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from rongxin.core import clock
from rongxin.funds.domain.accounts import BANK, project_codes
from rongxin.funds.models import JournalEntry, JournalLine
from rongxin.funds.services.books import LineIn, entry_post, fund_locked, voucher_store
from rongxin.projects.models import Milestone, Pledge, Project
from rongxin.projects.services.common import project_accounts, project_locked, project_money_refresh, transition
from rongxin.projects.tests.helpers import MarketWorld, pdf
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, Team
from rongxin.volunteering.services.activities import ActivityInput, activity_create


def pledge(world: MarketWorld, project: Project, amount: Decimal, sponsor: Subject | None = None) -> Pledge:
    """An open pledge of ``amount`` (the project's ``pledged`` and state follow, as the sponsor's
    service does)."""
    sponsor = sponsor or world.firm
    with transaction.atomic():
        fund_locked(world.fund.pk)
        locked = project_locked(project.pk)
        p = Pledge.objects.create(
            project=locked,
            sponsor=sponsor,
            sponsor_name=sponsor.name,
            amount=amount,
            certificate_code=secrets.token_hex(8),
            pledged_at=clock.now(),
        )
        locked.pledged += amount
        if locked.state == Project.State.PUBLISHED:
            locked.state = transition(locked, "pledged")
        locked.save(update_fields=["pledged", "state"])
    return p


def pay(world: MarketWorld, p: Pledge, amount: Decimal | None = None) -> JournalEntry:
    """A payment against the pledge: Dr 1001 / Cr the project's income account, ``paid`` and the
    caches kept."""
    amount = p.amount - p.paid if amount is None else amount
    with transaction.atomic():
        fund = fund_locked(world.fund.pk)
        project = project_locked(p.project_id)
        accounts = project_accounts(project, fund)
        voucher = voucher_store(actor=None, fund=fund, data=pdf(secrets.token_hex(6)), file_name="回单.pdf")
        entry = entry_post(
            actor=None,
            fund_id=fund.pk,
            kind=JournalEntry.Kind.DONATION,
            on=clock.today_local(),
            memo=f"{project.number}认领款",
            voucher=voucher,
            lines=[LineIn(BANK, amount), LineIn(accounts["income"].code, -amount)],
        )
        p.paid += amount
        p.state = Pledge.State.PAID if p.paid == p.amount else Pledge.State.OPEN
        p.save(update_fields=["paid", "state"])
        project_money_refresh(project, fund)
    return entry


def funded(
    world: MarketWorld, *, state: str = Project.State.IN_PROGRESS, budget: str = "10000.00", **fields: Any
) -> Project:
    """A project fully pledged by the firm and paid, in ``state`` with the world's team picked."""
    project = world.project(budget=Decimal(budget))
    p = pledge(world, project, Decimal(budget))
    pay(world, p)
    Project.objects.filter(pk=project.pk).update(state=state, team=fields.pop("team", world.team), **fields)
    project.refresh_from_db()
    return project


def milestone(project: Project, number: int = 1) -> Milestone:
    return Milestone.objects.create(
        project=project, number=number, title=f"第{number}次上门服务", due_on=dt.date(2026, 7, 1)
    )


def team_activity(world: MarketWorld, team: Team | None = None, *, title: str = "上门助浴") -> Activity:
    """A draft activity of the team (the world's team by default), made by its leader."""
    team = team or world.team
    leader = world.leader if team.pk == world.team.pk else world.leader_b
    region = world.tree.village_a1 if team.pk == world.team.pk else world.tree.village_b1
    data = ActivityInput(
        type_code="elderly_care",
        title=title,
        region_code=region.code,
        place="东山社区",
        starts_at=dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 6, 2, 4, 0, tzinfo=dt.UTC),
        capacity=10,
    )
    return activity_create(actor=leader, team_id=team.pk, data=data)


def account_sum(world: MarketWorld, code: str) -> Decimal:
    """The net debit of the account's journal lines (debits positive)."""
    total = JournalLine.objects.filter(entry__fund=world.fund, account__code=code).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0.00")


def books_of(world: MarketWorld, project: Project) -> tuple[Decimal, Decimal, Decimal]:
    """(raised, spent, settled) as the journal lines of the project's three accounts say."""
    codes = project_codes(project.pk)
    return (-account_sum(world, codes.income), account_sum(world, codes.spending), account_sum(world, codes.settled))
