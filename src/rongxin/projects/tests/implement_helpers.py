"""Shortcuts of the implementation tests: a pledge and a payment through the sponsor's services
(``pledge_create``, ``payment_record``), a project picked, started and paid, a milestone, an
activity of a team, and the sums the books must agree with."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.funds.domain.accounts import project_codes
from rongxin.funds.models import JournalEntry, JournalLine
from rongxin.projects.models import Milestone, Pledge, Project
from rongxin.projects.services.payments import payment_record
from rongxin.projects.services.pledges import pledge_create
from rongxin.projects.tests.helpers import MarketWorld, pdf
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, Team
from rongxin.volunteering.services.activities import ActivityInput, activity_create


def speaker_of(world: MarketWorld, sponsor: Subject) -> User:
    """Who pledges for ``sponsor`` in the world: its representative or the resident themselves;
    the county centre (recording a pledge on paper) for anyone else."""
    speakers = {
        world.firm.pk: world.firm_rep,
        world.other_firm.pk: world.other_rep,
        world.resident_subject.pk: world.resident,
    }
    return speakers.get(sponsor.pk, world.centre)


def pledge(world: MarketWorld, project: Project, amount: Decimal, sponsor: Subject | None = None) -> Pledge:
    """An open pledge of ``amount`` on a published project, made through ``pledge_create`` by
    whoever speaks for ``sponsor`` (the firm by default)."""
    sponsor = sponsor or world.firm
    result = pledge_create(
        actor=speaker_of(world, sponsor),
        project_id=project.pk,
        sponsor_subject_id=sponsor.pk,
        amount=str(amount),
        title=False,
        anonymous=False,
    )
    assert result.created, "the same pledge again within two minutes: vary the sponsor or the amount"
    return result.pledge


def pay(world: MarketWorld, p: Pledge, amount: Decimal | None = None) -> JournalEntry:
    """A payment against the pledge recorded by the fund's keeper (the county centre) through
    ``payment_record`` (Dr 1001 / Cr the project's income account); ``p`` is read again after."""
    amount = p.amount - p.paid if amount is None else amount
    result = payment_record(
        actor=world.centre,
        pledge_id=p.pk,
        amount=str(amount),
        received_on=clock.today_local(),
        voucher_data=pdf(secrets.token_hex(6)),
        voucher_name="回单.pdf",
    )
    assert result.created
    p.refresh_from_db()
    return result.payment.entry


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
