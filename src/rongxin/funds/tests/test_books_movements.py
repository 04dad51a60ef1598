"""The keeper's services: income, spending, reversal and close of a fund — the accounts each
posts to, who may (a matrix of every role), bad input, double submits, audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import Account, BudgetLine, Fund, JournalEntry, PeriodClose
from rongxin.funds.services.movements import fund_entry_reverse, fund_period_close
from rongxin.funds.tests.books_helpers import PNG, FundsWorld, pdf
from rongxin.funds.tests.books_staff_helpers import KEEPERS, balance, fund_of, income, snapshot, spend

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"]


def _lines(entry: JournalEntry) -> list[tuple[str, Decimal]]:
    return sorted(entry.lines.values_list("account__code", "amount"))


# --- What each movement posts ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "code", "stored"),
    [("welfare", "4003", "welfare"), ("transfer_in", "4002", "transfer_in"), ("other", "4009", "other_income")],
)
def test_income_debits_the_bank_and_credits_its_income_account(
    world: FundsWorld, kind: str, code: str, stored: str
) -> None:
    # given
    fund = world.funds["village_a1"]
    # when
    entry = income(world.village_a1, fund, "12000.50", kind=kind)
    # then
    assert (entry.number, entry.kind, entry.date, entry.memo) == (1, stored, dt.date(2026, 2, 3), "收入in")
    assert _lines(entry) == [("1001", Decimal("12000.50")), (code, Decimal("-12000.50"))]
    assert balance(fund, "1001") == Decimal("12000.50")
    assert balance(fund, code) == Decimal("12000.50")
    audit = AuditEvent.objects.get(action="fund_income.record")
    assert (audit.actor_id, audit.actor_role, audit.object_id) == (
        world.village_a1.pk,
        "village_officer",
        str(entry.pk),
    )
    assert audit.details == {"fund": fund.pk, "number": 1, "kind": stored, "amount": "12000.50"}
    assert not AuditEvent.objects.filter(action="fund_entry.post").exists()


@pytest.mark.parametrize(("kind", "code"), [("reward", "5103"), ("spending", "5109")])
def test_spending_debits_its_expense_and_credits_the_bank(world: FundsWorld, kind: str, code: str) -> None:
    fund = world.funds["town_a"]
    income(world.town_a, fund, "500.00")
    entry = spend(world.town_a, fund, "120.30", kind=kind)
    assert (entry.number, entry.kind) == (2, kind)
    assert _lines(entry) == [("1001", Decimal("-120.30")), (code, Decimal("120.30"))]
    assert balance(fund, "1001") == Decimal("379.70")
    audit = AuditEvent.objects.get(action="fund_spending.record")
    assert (audit.actor_role, audit.details["amount"]) == ("town_officer", "120.30")


def test_county_spending_against_a_budget_line_uses_the_lines_account(world: FundsWorld) -> None:
    # given: the 2026 activities line of the county fund (set by the county's budget service)
    fund = world.county_fund
    line = BudgetLine.objects.create(
        fund=fund,
        year=2026,
        line="activities",
        amount=Decimal("100000.00"),
        account=Account.objects.get(fund=fund, code="5202"),
        set_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    income(world.keeper, fund, "5000.00")
    # when
    entry = spend(world.keeper, fund, "800.00", budget_line_id=line.pk)
    # then
    assert entry.budget_line_id == line.pk
    assert _lines(entry) == [("1001", Decimal("-800.00")), ("5202", Decimal("800.00"))]


def test_a_budget_line_of_another_fund_or_a_credit_fund_is_refused(world: FundsWorld) -> None:
    fund = world.county_fund
    line = BudgetLine.objects.create(
        fund=fund,
        year=2026,
        line="lectures",
        amount=Decimal("10.00"),
        account=Account.objects.get(fund=fund, code="5204"),
        set_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
    )
    village = world.funds["village_a1"]
    income(world.village_a1, village, "50.00")
    with pytest.raises(InvalidInput) as caught:
        spend(world.village_a1, village, "5.00", budget_line_id=line.pk)
    assert caught.value.code == "no_budget"
    with pytest.raises(InvalidInput) as missing:
        spend(world.keeper, fund, "5.00", budget_line_id=line.pk + 99)
    assert missing.value.code == "unknown_budget_line"


@pytest.mark.parametrize(
    ("key", "kind", "code"),
    [
        ("county", "welfare", "unknown_kind"),
        ("county", "transfer_in", "unknown_kind"),
        ("village_a1", "gift", "unknown_kind"),
    ],
)
def test_income_kinds_the_fund_does_not_take_are_refused(world: FundsWorld, key: str, kind: str, code: str) -> None:
    fund = fund_of(world, key)
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        income(getattr(world, KEEPERS[key]), fund, kind=kind)
    assert caught.value.code == code
    assert snapshot() == before


def test_the_county_fund_pays_no_credit_reward(world: FundsWorld) -> None:
    income(world.keeper, world.county_fund, "10.00")
    with pytest.raises(InvalidInput) as caught:
        spend(world.keeper, world.county_fund, "1.00", kind="reward")
    assert caught.value.code == "unknown_kind"


def test_spending_more_than_the_bank_holds_is_refused_whole(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "100.00")
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        spend(world.village_a1, fund, "100.01")
    assert caught.value.code == "insufficient_funds"
    assert snapshot() == before


def test_spending_below_the_funds_minimum_is_refused(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    Fund.objects.filter(pk=fund.pk).update(minimum_balance=Decimal("10000.00"))
    income(world.village_a1, fund, "10500.00")
    spend(world.village_a1, fund, "500.00")
    with pytest.raises(InvalidInput) as caught:
        spend(world.village_a1, fund, "0.01", tag="more")
    assert caught.value.code == "below_minimum"
    assert balance(fund, "1001") == Decimal("10000.00")


# --- Who may: every role, every write -----------------------------------------------------------------
@pytest.mark.parametrize("key", ["village_a1", "town_a", "county"])
@pytest.mark.parametrize("who", USERS)
def test_who_may_record_income(world: FundsWorld, key: str, who: str) -> None:
    # given: those who may not send an invalid amount too; they learn nothing from it
    fund = fund_of(world, key)
    actor = world.users()[who]
    allowed = who == KEEPERS[key]
    before = snapshot()
    # when / then
    if allowed:
        entry = income(actor, fund, "25.00")  # type: ignore[arg-type]
        assert (entry.fund_id, entry.number, entry.created_by_id) == (fund.pk, 1, actor.pk)  # type: ignore[union-attr]
    else:
        with pytest.raises(NotFound):
            income(actor, fund, "12.345")  # type: ignore[arg-type]
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_record_spending(world: FundsWorld, who: str) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "100.00")
    before = snapshot()
    actor = world.users()[who]
    if who == "village_a1":
        entry = spend(actor, fund, "40.00")  # type: ignore[arg-type]
        assert entry.number == 2
        assert balance(fund, "1001") == Decimal("60.00")
    else:
        with pytest.raises(NotFound):
            spend(actor, fund, "-1")  # type: ignore[arg-type]
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_reverse_an_entry(world: FundsWorld, who: str) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "100.00")
    before = snapshot()
    actor = world.users()[who]
    if who == "village_a1":
        reversal = fund_entry_reverse(
            actor=actor, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 5, 1), reason="录错"
        )  # type: ignore[arg-type]
        assert (reversal.number, reversal.reverses_id, reversal.kind) == (2, entry.pk, "reversal")
        assert balance(fund, "1001") == Decimal("0.00")
    else:
        with pytest.raises(NotFound):
            fund_entry_reverse(actor=actor, fund_id=fund.pk, entry_id=entry.pk, on="not a date", reason="")  # type: ignore[arg-type]
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_close_a_month(world: FundsWorld, who: str) -> None:
    fund = world.funds["village_a1"]
    before = snapshot()
    actor = world.users()[who]
    if who == "village_a1":
        close = fund_period_close(actor=actor, fund_id=fund.pk, month="2026-01")  # type: ignore[arg-type]
        assert close.month == dt.date(2026, 1, 1)
        fund.refresh_from_db()
        assert fund.closed_through == dt.date(2026, 1, 31)
        audit = AuditEvent.objects.get(action="fund_period.close")
        assert (audit.actor_role, audit.details) == ("village_officer", {"month": "2026-01"})
    else:
        with pytest.raises(NotFound):
            fund_period_close(actor=actor, fund_id=fund.pk, month="2026-13")  # type: ignore[arg-type]
        assert snapshot() == before


def test_a_missing_fund_is_not_found(world: FundsWorld) -> None:
    with pytest.raises(NotFound):
        income(world.keeper, Fund(pk=999_999, kind="village_credit"), "1.00")


# --- Bad input ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("12.345", "too_many_decimals"),
        ("-5", "not_positive"),
        ("0", "not_positive"),
        ("abc", "not_a_number"),
        ("1e3", "not_a_number"),
        ("", "required"),
        ("١٢", "not_a_number"),
        ("1000000000000", "too_large"),
    ],
)
def test_bad_amounts_are_refused_on_the_amount_field(world: FundsWorld, amount: str, code: str) -> None:
    fund = world.funds["village_a1"]
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        income(world.village_a1, fund, amount)
    assert caught.value.code == code
    assert [e["field"] for e in caught.value.errors] == ["amount"]
    assert snapshot() == before


@pytest.mark.parametrize(("typed", "posted"), [("１２.５０", "12.50"), ("¥1,200.5", "1200.50"), ("３００元", "300.00")])
def test_full_width_and_marked_amounts_are_accepted(world: FundsWorld, typed: str, posted: str) -> None:
    entry = income(world.village_a1, world.funds["village_a1"], typed)
    assert _lines(entry)[0] == ("1001", Decimal(posted))


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"memo": "福利\x07归集"}, "memo", "invalid_text"),
        ({"memo": "第一行\n第二行"}, "memo", "invalid_text"),
        ({"memo": "   "}, "memo", "required"),
        ({"voucher_data": b"hello, not a voucher"}, "voucher", "voucher_type"),
        ({"voucher_data": PNG[:-8]}, "voucher", "voucher_type"),
        ({"voucher_data": b""}, "voucher", "voucher_required"),
        ({"on": dt.date(2026, 5, 21)}, "on", "future_date"),
        ({"on": dt.date(2025, 12, 31)}, "on", "before_opening"),
        ({"on": "2026-02-30"}, "on", "invalid_date"),
    ],
)
def test_bad_input_is_refused_whole(world: FundsWorld, change: dict[str, Any], field: str, code: str) -> None:
    fund = world.funds["village_a1"]
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        income(world.village_a1, fund, "10.00", **change)
    assert caught.value.code == code
    assert caught.value.errors[0]["field"] == field
    assert snapshot() == before


def test_an_oversized_voucher_is_refused(world: FundsWorld, settings: Any) -> None:
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 60
    before = snapshot()
    big = pdf("x" * 40)
    assert len(big) > 60
    with pytest.raises(InvalidInput) as caught:
        income(world.village_a1, world.funds["village_a1"], "10.00", voucher_data=big)
    assert caught.value.code == "voucher_too_large"
    assert snapshot() == before


def test_a_png_voucher_is_kept_with_its_type(world: FundsWorld) -> None:
    entry = income(world.village_a1, world.funds["village_a1"], "10.00", voucher_data=PNG, voucher_name="回单.png")
    assert (entry.voucher.content_type, entry.voucher.file_name, entry.voucher.size) == (
        "image/png",
        "回单.png",
        len(PNG),
    )


# --- Double submits -----------------------------------------------------------------------------------
def test_the_same_income_twice_is_posted_once(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    first = income(world.village_a1, fund, "300.00")
    again = income(world.village_a1, fund, "３００")
    assert again.pk == first.pk
    assert JournalEntry.objects.filter(fund=fund).count() == 1
    assert balance(fund, "1001") == Decimal("300.00")
    assert AuditEvent.objects.filter(action="fund_income.record").count() == 1


def test_a_different_memo_or_amount_is_another_movement(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "300.00")
    income(world.village_a1, fund, "300.00", memo="另一笔")
    income(world.village_a1, fund, "300.01")
    assert JournalEntry.objects.filter(fund=fund).count() == 3


def test_the_same_spending_after_the_window_is_posted_again(world: FundsWorld, frozen: Any) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "300.00")
    spend(world.village_a1, fund, "50.00")
    spend(world.village_a1, fund, "50.00")
    assert balance(fund, "1001") == Decimal("250.00")
    with time_machine.travel("2026-05-20 10:03 +0800", tick=False):
        spend(world.village_a1, fund, "50.00")
    assert balance(fund, "1001") == Decimal("200.00")
    assert JournalEntry.objects.filter(fund=fund, kind="spending").count() == 2


# --- Reversal and close -------------------------------------------------------------------------------
def test_reversal_is_audited_and_refused_twice(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "80.00")
    reversal = fund_entry_reverse(
        actor=world.village_a1, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 3, 1), reason="金额录错"
    )
    assert reversal.memo == "冲销第1号：金额录错"
    audit = AuditEvent.objects.get(action="fund_entry.reverse")
    assert (audit.object_id, audit.actor_role) == (str(entry.pk), "village_officer")
    assert audit.details == {"fund": fund.pk, "reversal": reversal.pk, "number": 2}
    with pytest.raises(Conflict) as again:
        fund_entry_reverse(
            actor=world.village_a1, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 3, 1), reason="再"
        )
    assert again.value.code == "already_reversed"
    with pytest.raises(Conflict) as of_reversal:
        fund_entry_reverse(
            actor=world.village_a1, fund_id=fund.pk, entry_id=reversal.pk, on=dt.date(2026, 3, 1), reason="再"
        )
    assert of_reversal.value.code == "is_reversal"


def test_reversing_an_entry_of_another_fund_is_not_found(world: FundsWorld) -> None:
    other = income(world.village_a2, world.funds["village_a2"], "80.00")
    with pytest.raises(NotFound):
        fund_entry_reverse(
            actor=world.village_a1,
            fund_id=world.funds["village_a1"].pk,
            entry_id=other.pk,
            on=dt.date(2026, 3, 1),
            reason="x",
        )
    assert JournalEntry.objects.count() == 1


def test_reversing_income_already_spent_is_refused(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    entry = income(world.village_a1, fund, "80.00")
    spend(world.village_a1, fund, "50.00")
    with pytest.raises(InvalidInput) as caught:
        fund_entry_reverse(
            actor=world.village_a1, fund_id=fund.pk, entry_id=entry.pk, on=dt.date(2026, 3, 1), reason="x"
        )
    assert caught.value.code == "insufficient_funds"


def test_after_a_close_the_month_takes_nothing(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "80.00", on=dt.date(2026, 1, 10))
    close = fund_period_close(actor=world.village_a1, fund_id=fund.pk, month=dt.date(2026, 1, 20))
    assert close.balances["1001"] == "80.00"
    with pytest.raises(InvalidInput) as caught:
        income(world.village_a1, fund, "5.00", on=dt.date(2026, 1, 31), tag="late")
    assert caught.value.code == "period_closed"
    with pytest.raises(Conflict):
        fund_period_close(actor=world.village_a1, fund_id=fund.pk, month="2026-01")
    with pytest.raises(InvalidInput) as bad:
        fund_period_close(actor=world.village_a1, fund_id=fund.pk, month="2026-1x")
    assert bad.value.code == "invalid_month"
    assert PeriodClose.objects.filter(fund=fund).count() == 1
