"""Spending from a project's account, its reversal, and the accepted project's left-over returned
or moved: every yuan in the books, nothing half-saved."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.accounts import BANK, TRANSFER_IN, project_codes
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, Voucher
from rongxin.funds.services.books import fund_open
from rongxin.projects.models import Project, Settlement, Spending
from rongxin.projects.services.spending import settlement_record, spending_record, spending_reverse
from rongxin.projects.services.work import project_accept, project_close, project_complete
from rongxin.projects.tests.helpers import OPENED, TODAY, MarketWorld, pdf
from rongxin.projects.tests.implement_helpers import books_of, funded, pay, pledge


def _books() -> tuple[int, int, int, int, int]:
    return (
        JournalEntry.objects.count(),
        Voucher.objects.count(),
        Spending.objects.count(),
        Settlement.objects.count(),
        AuditEvent.objects.filter(action__startswith="project_").count(),
    )


def _money(project: Project) -> tuple[Decimal, Decimal, Decimal]:
    project.refresh_from_db()
    return (project.raised, project.spent, project.settled)


def _spend(world: MarketWorld, project: Project, amount: str, *, tag: str = "a", actor: object = None) -> Spending:
    return spending_record(
        actor=actor or world.town_a,  # type: ignore[arg-type]
        project_id=project.pk,
        amount=amount,
        paid_on=TODAY,
        purpose=f"助浴用品{tag}",
        voucher_data=pdf(tag),
        voucher_name="发票.pdf",
    )


def test_spending_posts_one_entry_and_refreshes_the_caches(world: MarketWorld) -> None:
    # given
    project = funded(world)
    # when
    spending = _spend(world, project, "1200.50")
    # then
    codes = project_codes(project.pk)
    lines = sorted(JournalLine.objects.filter(entry=spending.entry).values_list("account__code", "amount"))
    assert lines == [(BANK, Decimal("-1200.50")), (codes.spending, Decimal("1200.50"))]
    assert spending.entry.kind == "spending"
    assert _money(project) == (Decimal("10000.00"), Decimal("1200.50"), Decimal("0.00"))
    assert project.left == Decimal("8799.50")
    assert books_of(world, project) == (Decimal("10000.00"), Decimal("1200.50"), Decimal("0.00"))


def test_a_double_submit_records_the_spending_once(world: MarketWorld) -> None:
    # given
    project = funded(world)
    first = _spend(world, project, "300")
    # when
    again = _spend(world, project, "300")
    # then
    assert again.pk == first.pk
    assert Spending.objects.count() == 1
    assert _money(project)[1] == Decimal("300.00")


def test_spending_beyond_what_is_left_is_refused_with_nothing_half_saved(world: MarketWorld) -> None:
    # given
    project = funded(world)
    _spend(world, project, "9000")
    before = _books()
    # when
    with pytest.raises(InvalidInput) as refused:
        _spend(world, project, "1000.01", tag="b")
    # then
    assert refused.value.code == "beyond_left"
    assert refused.value.errors[0]["field"] == "amount"
    assert str(refused.value.message) == "项目结余 ¥1,000.00，支出不能超过结余。"
    assert _books() == before
    assert not Voucher.objects.filter(data=pdf("b")).exists()
    assert _money(project) == (Decimal("10000.00"), Decimal("9000.00"), Decimal("0.00"))


def test_spending_only_in_progress_or_completed(world: MarketWorld) -> None:
    # given
    project = funded(world, state=Project.State.ACCEPTED)
    before = _books()
    # when / then
    with pytest.raises(Conflict) as refused:
        _spend(world, project, "10")
    assert refused.value.code == "not_now"
    assert _books() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("town_b", False),
        ("village_a1", False),
        ("leader", False),
        ("firm_rep", False),
        ("town_a", True),
        ("centre", True),
    ],
)
def test_who_records_spending(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = funded(world)
    actor = world.users()[who]
    before = _books()
    # when / then
    if allowed:
        _spend(world, project, "10", actor=actor)
        assert _money(project)[1] == Decimal("10.00")
    else:
        with pytest.raises(NotFound):
            spending_record(
                actor=actor,  # type: ignore[arg-type]
                project_id=project.pk,
                amount="abc",
                paid_on="",
                purpose="",
                voucher_data=None,
                voucher_name="",
            )
        assert _books() == before


def test_a_reversal_gives_the_money_back_to_the_project(world: MarketWorld) -> None:
    # given
    project = funded(world)
    spending = _spend(world, project, "500")
    # when
    with pytest.raises(NotFound):
        spending_reverse(actor=world.leader, spending_id=spending.pk, reason="发票有误")
    reversed_ = spending_reverse(actor=world.town_a, spending_id=spending.pk, reason="发票有误")
    # then
    assert reversed_.reversal is not None
    assert reversed_.reversal.reverses_id == spending.entry_id
    assert _money(project) == (Decimal("10000.00"), Decimal("0.00"), Decimal("0.00"))
    with pytest.raises(Conflict) as twice:
        spending_reverse(actor=world.town_a, spending_id=spending.pk, reason="再冲一次")
    assert twice.value.code == "already_reversed"


def _accepted(world: MarketWorld, spent: str = "7000") -> Project:
    """A project paid ¥6,000 by the firm and ¥4,000 by the other firm, ``spent`` spent, accepted."""
    project = world.project()
    pay(world, pledge(world, project, Decimal("6000.00")))
    pay(world, pledge(world, project, Decimal("4000.00"), sponsor=world.other_firm))
    Project.objects.filter(pk=project.pk).update(state=Project.State.IN_PROGRESS, team=world.team)
    _spend(world, project, spent)
    project_complete(actor=world.leader, project_id=project.pk, report="完成")
    project_accept(actor=world.town_a, project_id=project.pk, note="合格", feedback="满意")
    project.refresh_from_db()
    return project


def test_the_left_over_is_returned_moved_and_the_project_closes(world: MarketWorld) -> None:
    # given: ¥3,000 left
    project = _accepted(world)
    other = world.project(title="留守儿童课后辅导")
    credit = fund_open(
        actor=None, kind=Fund.Kind.TOWN_CREDIT, region=world.tree.town_a, name="崖头街道信用基金", opened_on=OPENED
    )
    firm_pledge = project.pledges.get(sponsor=world.firm)
    # when
    back = settlement_record(
        actor=world.town_a,
        project_id=project.pk,
        kind="return",
        amount="1000",
        pledge_id=firm_pledge.pk,
        note="按比例退还",
    )
    moved = settlement_record(
        actor=world.town_a, project_id=project.pk, kind="project", amount="1500", to_project_id=other.pk, note="转入"
    )
    with pytest.raises(Conflict) as early:
        project_close(actor=world.town_a, project_id=project.pk)
    to_fund = settlement_record(
        actor=world.centre, project_id=project.pk, kind="fund", amount="500", to_fund_id=credit.pk, note="转入信用基金"
    )
    closed = project_close(actor=world.town_a, project_id=project.pk)
    # then
    assert early.value.code == "left_over"
    assert closed.state == "closed"
    assert _money(project) == (Decimal("10000.00"), Decimal("7000.00"), Decimal("3000.00"))
    assert project.raised == project.spent + project.settled + project.left
    assert books_of(world, project) == (Decimal("10000.00"), Decimal("7000.00"), Decimal("3000.00"))
    assert _money(other) == (Decimal("1500.00"), Decimal("0.00"), Decimal("0.00"))
    assert books_of(world, other) == (Decimal("1500.00"), Decimal("0.00"), Decimal("0.00"))
    codes, q = project_codes(project.pk), project_codes(other.pk)
    assert sorted(JournalLine.objects.filter(entry=moved.entry).values_list("account__code", "amount")) == [
        (q.income, Decimal("-1500.00")),
        (codes.settled, Decimal("1500.00")),
    ]
    assert sorted(JournalLine.objects.filter(entry=back.entry).values_list("account__code", "amount")) == [
        (BANK, Decimal("-1000.00")),
        (codes.settled, Decimal("1000.00")),
    ]
    assert to_fund.entry_in is not None
    assert (to_fund.entry.kind, to_fund.entry_in.kind, to_fund.entry_in.fund_id) == (
        "settlement",
        "transfer_in",
        credit.pk,
    )
    assert sorted(JournalLine.objects.filter(entry=to_fund.entry_in).values_list("account__code", "amount")) == [
        (BANK, Decimal("500.00")),
        (TRANSFER_IN, Decimal("-500.00")),
    ]
    assert Account.objects.get(fund=credit, code=BANK).balance == Decimal("500.00")
    # the projects fund's bank holds what the projects still hold
    assert Account.objects.get(fund=world.fund, code=BANK).balance == Decimal("1500.00")
    out, err = io.StringIO(), io.StringIO()
    call_command("funds", "verify", stdout=out, stderr=err)
    assert err.getvalue() == ""


def test_a_return_is_at_most_what_the_pledge_paid_less_what_went_back(world: MarketWorld) -> None:
    # given: ¥3,000 left, the other firm paid ¥4,000 and got ¥2,500 back already
    project = _accepted(world, spent="5000")
    theirs = project.pledges.get(sponsor=world.other_firm)
    settlement_record(
        actor=world.town_a, project_id=project.pk, kind="return", amount="2500", pledge_id=theirs.pk, note="退还"
    )
    before = _books()
    # when
    with pytest.raises(InvalidInput) as refused:
        settlement_record(
            actor=world.town_a, project_id=project.pk, kind="return", amount="1500.01", pledge_id=theirs.pk, note="再退"
        )
    # then
    assert refused.value.code == "beyond_paid"
    assert _books() == before


def test_settling_more_than_is_left_or_to_a_finished_project_is_refused(world: MarketWorld) -> None:
    # given
    project = _accepted(world)
    done = world.project(state=Project.State.ACCEPTED)
    before = _books()
    # when / then
    with pytest.raises(InvalidInput) as beyond:
        settlement_record(
            actor=world.town_a,
            project_id=project.pk,
            kind="return",
            amount="3000.01",
            pledge_id=project.pledges.first().pk,  # type: ignore[union-attr]
            note="退还",
        )
    assert beyond.value.code == "beyond_left"
    with pytest.raises(InvalidInput) as finished:
        settlement_record(
            actor=world.town_a, project_id=project.pk, kind="project", amount="10", to_project_id=done.pk, note="转"
        )
    assert finished.value.errors[0]["field"] == "to_project_id"
    with pytest.raises(InvalidInput) as own_fund:
        settlement_record(
            actor=world.town_a, project_id=project.pk, kind="fund", amount="10", to_fund_id=world.fund.pk, note="转"
        )
    assert own_fund.value.errors[0]["field"] == "to_fund_id"
    assert _books() == before


def test_settlement_waits_for_acceptance(world: MarketWorld) -> None:
    project = funded(world, state=Project.State.COMPLETED)
    other = world.project()
    before = _books()
    with pytest.raises(Conflict) as refused:
        settlement_record(
            actor=world.town_a, project_id=project.pk, kind="project", amount="10", to_project_id=other.pk, note="转"
        )
    assert refused.value.code == "not_now"
    assert _books() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("town_b", False),
        ("leader", False),
        ("firm_rep", False),
        ("town_a", True),
        ("centre", True),
    ],
)
def test_who_settles(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = _accepted(world)
    other = world.project()
    actor = world.users()[who]
    before = _books()
    # when / then
    if allowed:
        settlement_record(
            actor=actor,  # type: ignore[arg-type]
            project_id=project.pk,
            kind="project",
            amount="10",
            to_project_id=other.pk,
            note="转入",
        )
        assert _money(project)[2] == Decimal("10.00")
    else:
        with pytest.raises(NotFound):
            settlement_record(
                actor=actor,  # type: ignore[arg-type]
                project_id=project.pk,
                kind="bogus",
                amount="x",
                note="",
            )
        assert _books() == before
