"""A hypothesis state machine over a project's life, driving the real services.

Random sequences of publish, pledge, withdraw a pledge, pay, pick a team, start, spend, reverse a
spending, complete, accept, settle (return, move to a project, move to a credit fund), close and
withdraw the project. After every step: the state is one the graph of
:mod:`rongxin.projects.domain.states` reaches from the one before; pledged ≤ budget and equals the
pledges that stand; raised = spent + settled + left with left ≥ 0; the caches equal the account
balances and the journal lines; and a refused action changed nothing at all.

Every step goes through its service: ``project_publish``/``project_withdraw`` (the publisher, town
A's officer), ``pledge_create``/``pledge_withdraw`` (whoever speaks for one of three sponsors),
``payment_record`` (the fund's keeper, the county centre), the team, work and spending services.
Time moves on past the two-minute double-submit windows before each pledge, and every payment has
its own voucher, so a repeated step is a new one, never taken for a double submit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from rongxin.accounts.models import User
from rongxin.core.errors import ApplicationError
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, Voucher
from rongxin.funds.services.books import fund_open
from rongxin.projects.domain import states
from rongxin.projects.models import Pledge, Project, Settlement, Spending, TeamApplication
from rongxin.projects.services import pledges
from rongxin.projects.services.common import project_accounts
from rongxin.projects.services.payments import payment_record
from rongxin.projects.services.pledges import pledge_create, pledge_withdraw
from rongxin.projects.services.projects import project_publish, project_withdraw
from rongxin.projects.services.spending import settlement_record, spending_record, spending_reverse
from rongxin.projects.services.teams import application_create, application_pick, project_start
from rongxin.projects.services.work import project_accept, project_close, project_complete
from rongxin.projects.tests.helpers import NOW, OPENED, TODAY, MarketWorld, pdf
from rongxin.projects.tests.implement_helpers import books_of
from rongxin.subjects.models import Subject

BUDGET = Decimal("10000.00")
# Where each state may go in one step (the state itself: nothing moved).
GRAPH = {
    states.DRAFT: {states.PUBLISHED, states.CLOSED},
    states.PUBLISHED: {states.CLAIMED, states.CLOSED},
    states.CLAIMED: {states.PUBLISHED, states.IN_PROGRESS, states.CLOSED},
    states.IN_PROGRESS: {states.COMPLETED},
    states.COMPLETED: {states.ACCEPTED},
    states.ACCEPTED: {states.CLOSED},
    states.CLOSED: set(),
}
AMOUNTS = st.sampled_from(["0.01", "100", "999.99", "2500", "5000", "10000", "12000"])
# A pledge is also often "the rest" of the budget, so that examples reach the claimed state and beyond.
PLEDGES = st.one_of(AMOUNTS, st.just("rest"), st.just("rest"))
SPONSORS = st.integers(min_value=0, max_value=2)  # the firm, the other firm, the resident
PICKS = st.integers(min_value=0, max_value=4)


class ProjectMachine(RuleBasedStateMachine):
    world: ClassVar[MarketWorld]
    credit: ClassVar[Fund]
    traveller: ClassVar[Any]  # the frozen clock of the world (time_machine)

    def __init__(self) -> None:
        super().__init__()
        self.traveller.move_to(NOW)
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        w = self.world
        self.project = w.project(state=Project.State.DRAFT, budget=BUDGET)
        self.other = w.project(title="留守儿童课后辅导")
        self.previous = self.project.state
        self.counter = itertools.count()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- how a step is run ------------------------------------------------------------------------
    def snapshot(self) -> tuple[Any, ...]:
        return (
            list(
                Project.objects.order_by("id").values_list(
                    "id", "state", "pledged", "raised", "spent", "settled", "team_id", "accepted_at", "closed_at"
                )
            ),
            list(Pledge.objects.order_by("id").values_list("id", "state", "amount", "paid")),
            list(TeamApplication.objects.order_by("id").values_list("id", "state")),
            list(Spending.objects.order_by("id").values_list("id", "reversal_id")),
            Settlement.objects.count(),
            JournalEntry.objects.count(),
            Voucher.objects.count(),
            list(Account.objects.order_by("id").values_list("id", "balance")),
        )

    def attempt(self, action: Any) -> bool:
        """Run ``action``; when it is refused, nothing may have changed."""
        self.previous = Project.objects.get(pk=self.project.pk).state
        before = self.snapshot()
        try:
            with transaction.atomic():
                action()
        except ApplicationError:
            assert self.snapshot() == before
            return False
        return True

    def tag(self) -> str:
        return f"{next(self.counter)}"

    # --- the sponsor's steps ---------------------------------------------------------------------------
    def sponsor(self, which: int) -> tuple[User, Subject]:
        w = self.world
        return [(w.firm_rep, w.firm), (w.other_rep, w.other_firm), (w.resident, w.resident_subject)][which]

    def pledge_at(self, index: int) -> Pledge | None:
        """One of the project's pledges (withdrawn and paid ones too: their refusals are steps)."""
        pledges = list(Pledge.objects.filter(project=self.project).order_by("id"))
        return pledges[index % len(pledges)] if pledges else None

    # --- rules --------------------------------------------------------------------------------------------
    @initialize(draft=st.integers(min_value=0, max_value=3))
    def begin(self, draft: int) -> None:
        """Most examples start from a published project (one in four from the draft), so their
        steps are spent on pledges, payments, the team, the work and the money."""
        if draft:
            project_publish(actor=self.world.town_a, project_id=self.project.pk)

    @rule()
    def publish(self) -> None:
        self.attempt(lambda: project_publish(actor=self.world.town_a, project_id=self.project.pk))

    @rule(roll=st.integers(min_value=0, max_value=9))
    def withdraw(self, roll: int) -> None:
        # Withdrawing ends an example's life for good; a tenth of the draws try it.
        if roll:
            return
        tag = self.tag()
        self.attempt(lambda: project_withdraw(actor=self.world.town_a, project_id=self.project.pk, reason=f"撤回{tag}"))

    @rule(amount=PLEDGES, sponsor=SPONSORS)
    def pledge(self, amount: str, sponsor: int) -> None:
        actor, subject = self.sponsor(sponsor)
        if amount == "rest":
            current = Project.objects.get(pk=self.project.pk)
            amount = str(current.budget - current.pledged) if current.budget > current.pledged else "0.01"
        self.traveller.shift(pledges.DUPLICATE_WINDOW + dt.timedelta(seconds=1))
        self.attempt(
            lambda: pledge_create(
                actor=actor,
                project_id=self.project.pk,
                sponsor_subject_id=subject.pk,
                amount=amount,
                title=False,
                anonymous=False,
            )
        )

    @rule(index=PICKS, by_publisher=st.booleans(), roll=st.integers(min_value=0, max_value=3))
    def withdraw_pledge(self, index: int, by_publisher: bool, roll: int) -> None:
        if roll:  # a quarter of the draws: withdrawals send a claimed project back to published
            return
        p = self.pledge_at(index)
        if p is None:
            return
        speakers = {s.pk: u for u, s in map(self.sponsor, range(3))}
        actor = self.world.town_a if by_publisher else speakers[p.sponsor_id]
        tag = self.tag()
        self.attempt(lambda: pledge_withdraw(actor=actor, pledge_id=p.pk, reason=f"不再认领{tag}"))

    @rule(amount=AMOUNTS, index=PICKS, fit=st.booleans())
    def pay(self, amount: str, index: int, fit: bool) -> None:
        p = self.pledge_at(index)
        if p is None:
            return
        unpaid = p.amount - p.paid
        value = min(Decimal(amount), unpaid) if fit and unpaid > 0 else Decimal(amount)
        tag = self.tag()
        self.attempt(
            lambda: payment_record(
                actor=self.world.centre,
                pledge_id=p.pk,
                amount=str(value),
                received_on=TODAY,
                voucher_data=pdf(f"p{tag}"),
                voucher_name="回单.pdf",
            )
        )

    @rule(second=st.booleans())
    def pick(self, second: bool) -> None:
        w = self.world
        leader, team = (w.leader_b, w.team_b) if second else (w.leader, w.team)
        self.attempt(lambda: application_create(actor=leader, project_id=self.project.pk, team_id=team.pk, plan="计划"))
        app = TeamApplication.objects.filter(project=self.project, team=team).first()
        if app is not None:
            self.attempt(lambda: application_pick(actor=w.town_a, application_id=app.pk))

    @rule()
    def start(self) -> None:
        self.attempt(lambda: project_start(actor=self.world.town_a, project_id=self.project.pk))

    @rule(amount=AMOUNTS)
    def spend(self, amount: str) -> None:
        tag = self.tag()
        self.attempt(
            lambda: spending_record(
                actor=self.world.town_a,
                project_id=self.project.pk,
                amount=amount,
                paid_on=TODAY,
                purpose=f"支出{tag}",
                voucher_data=pdf(f"s{tag}"),
                voucher_name="发票.pdf",
            )
        )

    @rule()
    def reverse(self) -> None:
        spending = Spending.objects.filter(project=self.project, reversal__isnull=True).order_by("id").first()
        if spending is not None:
            self.attempt(lambda: spending_reverse(actor=self.world.town_a, spending_id=spending.pk, reason="冲销"))

    @rule()
    def complete(self) -> None:
        self.attempt(lambda: project_complete(actor=self.world.leader, project_id=self.project.pk, report="完成"))

    @rule()
    def accept(self) -> None:
        self.attempt(
            lambda: project_accept(actor=self.world.town_a, project_id=self.project.pk, note="合格", feedback="满意")
        )

    @rule(kind=st.sampled_from(["return", "project", "fund"]), amount=AMOUNTS, whole=st.booleans())
    def settle(self, kind: str, amount: str, whole: bool) -> None:
        left = Project.objects.get(pk=self.project.pk).left
        value = str(left) if whole and left > 0 else amount
        pledge = Pledge.objects.filter(project=self.project, paid__gt=0).order_by("id").first()
        target: dict[str, Any] = {
            "return": {"pledge_id": pledge.pk if pledge is not None else 0},
            "project": {"to_project_id": self.other.pk},
            "fund": {"to_fund_id": self.credit.pk},
        }[kind]
        tag = self.tag()
        self.attempt(
            lambda: settlement_record(
                actor=self.world.centre,
                project_id=self.project.pk,
                kind=kind,
                amount=value,
                note=f"结余{tag}",
                **target,
            )
        )

    @rule(kind=st.sampled_from(["return", "project", "fund"]))
    def advance(self, kind: str) -> None:
        """The next step of a project's ordinary life from where it is (the other rules interleave
        refusals and detours at random): without it few examples would get past the claim."""
        state = Project.objects.get(pk=self.project.pk).state
        if state == Project.State.PUBLISHED:
            self.pledge("rest", 0)
        elif state == Project.State.CLAIMED:
            self.pick(False) if Project.objects.get(pk=self.project.pk).team_id is None else self.start()
        elif state == Project.State.IN_PROGRESS:
            self.pay("5000", 0, True)
            self.spend("999.99")
            self.complete()
        elif state == Project.State.COMPLETED:
            self.accept()
        elif state == Project.State.ACCEPTED:
            if Project.objects.get(pk=self.project.pk).left > 0:
                self.settle(kind, "0.01", True)
            else:
                self.close()

    @rule()
    def close(self) -> None:
        self.attempt(lambda: project_close(actor=self.world.town_a, project_id=self.project.pk))

    # --- invariants ---------------------------------------------------------------------------------
    @invariant()
    def the_state_moves_along_the_graph(self) -> None:
        state = Project.objects.get(pk=self.project.pk).state
        assert state in states.STATES
        assert state == self.previous or state in GRAPH[self.previous]
        event(f"reached {state}")  # shown by --hypothesis-show-statistics: how deep the examples go

    @invariant()
    def pledged_is_what_stands_and_within_the_budget(self) -> None:
        p = Project.objects.get(pk=self.project.pk)
        standing = (
            Pledge.objects.filter(project=p).exclude(state=Pledge.State.WITHDRAWN).aggregate(s=Sum("amount"))["s"]
        )
        assert p.pledged == (standing or Decimal("0.00"))
        assert p.pledged <= p.budget

    @invariant()
    def money_adds_up_and_matches_the_books(self) -> None:
        for p in Project.objects.filter(pk__in=[self.project.pk, self.other.pk]):
            assert p.left >= 0
            assert p.raised == p.spent + p.settled + p.left
            accounts = project_accounts(p, self.world.fund)
            balances = (accounts["income"].balance, accounts["spending"].balance, accounts["settled"].balance)
            assert (p.raised, p.spent, p.settled) == balances
            assert books_of(self.world, p) == balances
        paid = Pledge.objects.filter(project=self.project).aggregate(s=Sum("paid"))["s"] or Decimal("0.00")
        assert Project.objects.get(pk=self.project.pk).raised == paid

    @invariant()
    def every_fund_balances(self) -> None:
        for fund_id in (self.world.fund.pk, self.credit.pk):
            total = JournalLine.objects.filter(entry__fund_id=fund_id).aggregate(s=Sum("amount"))["s"]
            assert (total or 0) == 0


ProjectMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_project_state_machine(world: MarketWorld, frozen: Any) -> None:
    from hypothesis.stateful import run_state_machine_as_test

    ProjectMachine.world = world
    ProjectMachine.traveller = frozen
    ProjectMachine.credit = fund_open(
        actor=None, kind=Fund.Kind.TOWN_CREDIT, region=world.tree.town_a, name="崖头街道信用基金", opened_on=OPENED
    )
    run_state_machine_as_test(ProjectMachine, settings=ProjectMachine.TestCase.settings)


pytestmark = pytest.mark.django_db
