"""Payments into the books: one entry per payment on the project's income account, the pledge's
and the project's money equal to the lines, the sponsor's credit once and capped, who may, and
nothing half-saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.funds.models import JournalEntry
from rongxin.funds.services.verify import funds_verify
from rongxin.projects.models import Payment, Pledge, Project
from rongxin.projects.services.payments import payment_record
from rongxin.projects.tests.helpers import TODAY, MarketWorld, pdf
from rongxin.projects.tests.sponsor_helpers import income_lines, money_state, pay, pledge
from rongxin.subjects.models import Person

pytestmark = pytest.mark.django_db


def test_a_payment_posts_bank_and_the_projects_income(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    # when
    r = pay(world, p, "1200.50")
    # then
    payment = r.payment
    assert r.created is True
    entry = payment.entry
    assert (entry.kind, entry.memo, entry.date, entry.fund_id) == (
        JournalEntry.Kind.DONATION, f"荣信海洋食品有限公司认捐{project.number}到账", TODAY, world.fund.pk,
    )  # fmt: skip
    assert sorted(entry.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("1200.50")),
        (f"41{project.pk:06d}", Decimal("-1200.50")),
    ]
    p.refresh_from_db()
    project.refresh_from_db()
    assert (p.paid, p.state) == (Decimal("1200.50"), "open")
    assert (project.raised, project.spent, project.settled) == (Decimal("1200.50"), Decimal("0.00"), Decimal("0.00"))
    event = AuditEvent.objects.get(action="project_payment.record")
    assert (event.actor_id, event.object_id, event.subject_id) == (world.centre.pk, str(payment.pk), world.firm.pk)


def test_an_anonymous_sponsor_stays_anonymous_in_the_memo(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "300", actor=world.resident, sponsor=world.resident_subject, anonymous=True).pledge
    r = pay(world, p, "300")
    assert r.payment.entry.memo == f"爱心人士（匿名）认捐{project.number}到账"


def test_every_yuan_raised_is_a_line_on_the_projects_income_account(world: MarketWorld) -> None:
    # given two projects, three sponsors, several payments each
    project = world.project()
    other = world.project(budget=Decimal("5000.00"))
    a = pledge(world, project, "6000").pledge
    b = pledge(world, project, "4000", actor=world.resident, sponsor=world.resident_subject).pledge
    c = pledge(world, other, "5000", actor=world.other_rep, sponsor=world.other_firm).pledge
    # when
    for pl, amount in [(a, "2500"), (a, "3500"), (b, "99.99"), (b, "0.01"), (c, "4999.99"), (b, "1000")]:
        pay(world, pl, amount)
    # then
    for proj in (project, other):
        proj.refresh_from_db()
        payments = sum(Payment.objects.filter(project=proj).values_list("amount", flat=True), Decimal("0.00"))
        pledged_paid = sum(Pledge.objects.filter(project=proj).values_list("paid", flat=True), Decimal("0.00"))
        assert income_lines(world, proj) == payments == pledged_paid == proj.raised
    assert (project.raised, other.raised) == (Decimal("7100.00"), Decimal("4999.99"))
    a.refresh_from_db()
    assert (a.paid, a.state) == (Decimal("6000.00"), "paid")
    assert funds_verify().problems == []


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_no_payment_into_a_draft_or_closed_project(world: MarketWorld, state: str) -> None:
    # given a pledge made while it was open
    project = world.project()
    p = pledge(world, project, "3000").pledge
    Project.objects.filter(pk=project.pk).update(state=state)
    before = money_state(project)
    # when
    with pytest.raises(Conflict) as caught:
        pay(world, p, "100")
    # then
    assert caught.value.code == "not_now"
    assert str(caught.value.message) == "该项目现在不接受到账登记（草稿或已结项的项目）。"
    assert money_state(project) == before
    assert JournalEntry.objects.filter(fund=world.fund).count() == 0


@pytest.mark.parametrize("state", ["published", "claimed", "in_progress", "completed", "accepted"])
def test_a_late_payment_is_taken_until_acceptance(world: MarketWorld, state: str) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    Project.objects.filter(pk=project.pk).update(state=state)
    pay(world, p, "3000")
    assert Project.objects.get(pk=project.pk).raised == Decimal("3000.00")


def test_overpaying_a_pledge_is_refused_and_nothing_saved(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "3000").pledge
    pay(world, p, "2000")
    before = money_state(project)
    # when
    with pytest.raises(InvalidInput) as caught:
        pay(world, p, "1000.01")
    # then
    assert caught.value.code == "over_pledge"
    assert str(caught.value.message) == "该认捐还有 ¥1,000.00 未到账，到账金额不能超过此数。"
    assert money_state(project) == before
    assert JournalEntry.objects.filter(fund=world.fund).count() == 1


def test_no_payment_on_a_withdrawn_pledge(world: MarketWorld) -> None:
    from rongxin.projects.services.pledges import pledge_withdraw

    project = world.project()
    p = pledge(world, project, "3000").pledge
    pledge_withdraw(actor=world.firm_rep, pledge_id=p.pk, reason="调整")
    with pytest.raises(Conflict) as caught:
        pay(world, p, "100")
    assert caught.value.code == "pledge_withdrawn"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"amount": "0"}, "amount", "not_positive"),
        ({"amount": "1.001"}, "amount", "too_many_decimals"),
        ({"amount": "１００\u202e"}, "amount", None),
        ({"received_on": "2026-05-21"}, "received_on", "future_date"),
        ({"received_on": "2025-12-31"}, "received_on", "before_opening"),
        ({"received_on": "２０２６-05-01"}, "received_on", "bad_date"),
        ({"voucher_data": b"not a pdf"}, "voucher", "voucher_type"),
        ({"voucher_data": b""}, "voucher", "voucher_required"),
    ],
)
def test_bad_payment_input_is_refused(
    world: MarketWorld, changes: dict[str, Any], field: str, code: str | None
) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    before = money_state(project)
    data: dict[str, Any] = {
        "amount": "100", "received_on": TODAY.isoformat(), "voucher_data": pdf("x"), "voucher_name": "slip.pdf",
        **changes,
    }  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        payment_record(actor=world.centre, pledge_id=p.pk, **data)
    assert caught.value.errors[0]["field"] == field
    if code is not None:
        assert caught.value.code == code
    assert money_state(project) == before


def test_the_same_payment_twice_within_two_minutes_is_one(world: MarketWorld, frozen: Any) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    first = pay(world, p, "1000", tag="slip-1")
    frozen.shift(dt.timedelta(seconds=100))
    again = pay(world, p, "1000", tag="slip-1")
    assert (again.created, again.payment.pk) == (False, first.payment.pk)
    assert Project.objects.get(pk=project.pk).raised == Decimal("1000.00")
    other_slip = pay(world, p, "1000", tag="slip-2")
    assert other_slip.created is True
    assert Project.objects.get(pk=project.pk).raised == Decimal("2000.00")


# --- Credit ------------------------------------------------------------------------------------------
def test_an_enterprise_earns_credit_once_per_payment_held_for_review(world: MarketWorld) -> None:
    # given
    project = world.project()
    p = pledge(world, project, "10000").pledge
    # when
    r = pay(world, p, "8000")
    # then
    payment = r.payment
    assert (payment.credit_key, payment.credit_points, payment.credit_status) == (
        f"projects:payment:{payment.pk}", 8, "held",
    )  # fmt: skip
    entry = Entry.objects.get(source_key=f"projects:payment:{payment.pk}")
    assert (entry.subject_id, entry.points, entry.source, entry.rule.code) == (
        world.firm.pk, 8, Entry.Source.PROJECTS, "E-PRJ-01",
    )  # fmt: skip


def test_a_retried_award_records_nothing_new(world: MarketWorld) -> None:
    from rongxin.projects.services.payments import payment_credit_award

    project = world.project()
    p = pledge(world, project, "10000").pledge
    payment = pay(world, p, "8000").payment
    payment_credit_award(actor=world.centre, payment=payment, pledge=p, project=project)
    payment.refresh_from_db()
    assert Entry.objects.filter(subject=world.firm).count() == 1
    assert (payment.credit_points, payment.credit_status) == (8, "held")


def test_a_persons_credit_is_capped_by_the_year(world: MarketWorld) -> None:
    # given (P-PRJ-01: one point per full ¥100, at most 20 a payment, 30 a year)
    project = world.project()
    p = pledge(world, project, "5000", actor=world.resident, sponsor=world.resident_subject).pledge
    # when
    first = pay(world, p, "2500").payment
    second = pay(world, p, "2000").payment
    third = pay(world, p, "500").payment
    # then
    assert [(x.credit_points, x.credit_status) for x in (first, second, third)] == [
        (20, "held"), (10, "held"), (0, "capped"),
    ]  # fmt: skip
    assert sum(Entry.objects.filter(subject=world.resident_subject).values_list("points", flat=True)) == 30


def test_a_small_payment_earns_nothing(world: MarketWorld) -> None:
    project = world.project()
    p = pledge(world, project, "5000").pledge
    payment = pay(world, p, "4999.99").payment
    assert (payment.credit_points, payment.credit_status, payment.credit_key) == (0, "below", "")
    assert Entry.objects.count() == 0


def test_a_person_without_consent_earns_nothing(world: MarketWorld) -> None:
    # given
    Person.objects.filter(subject=world.resident_subject).update(consent_given=False)
    project = world.project()
    p = pledge(world, project, "3000", actor=world.resident, sponsor=world.resident_subject).pledge
    # when
    payment = pay(world, p, "3000").payment
    # then
    assert (payment.credit_points, payment.credit_status, payment.credit_key) == (0, "no_consent", "")
    assert Entry.objects.filter(subject=world.resident_subject).count() == 0
    assert Project.objects.get(pk=project.pk).raised == Decimal("3000.00")


PAYERS = {
    "anonymous": False, "nobody": False, "auditor": False, "centre": True, "town_a": False, "town_b": False,
    "village_a1": False, "village_b1": False, "traffic_rec": False, "firm_rep": False, "resident": False,
    "leader": False, "leader_b": False,
}  # fmt: skip


@pytest.mark.parametrize(("who", "allowed"), sorted(PAYERS.items()))
def test_only_the_fund_keeper_records_payments(world: MarketWorld, who: str, allowed: bool) -> None:
    project = world.project()
    p = pledge(world, project, "3000").pledge
    before = money_state(project)
    actor = world.users()[who]
    if allowed:
        pay(world, p, "100", actor=actor)
        assert Project.objects.get(pk=project.pk).raised == Decimal("100.00")
    else:
        with pytest.raises(NotFound):
            payment_record(
                actor=actor, pledge_id=p.pk, amount="bad", received_on="bad", voucher_data=b"",  # type: ignore[arg-type]
                voucher_name="",
            )  # fmt: skip
        assert money_state(project) == before
        assert JournalEntry.objects.filter(fund=world.fund).count() == 0
