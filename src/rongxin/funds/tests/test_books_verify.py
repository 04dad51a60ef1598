"""``rongxin funds verify``: clean books pass; each kind of tampering with the stored rows is
caught and the command exits 1; a random sequence of postings, reversals and closes always
leaves balanced, verifiable books (hypothesis)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rongxin.core.errors import Conflict, InvalidInput
from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose, Voucher
from rongxin.funds.selectors.books import trial_balance
from rongxin.funds.services.movements import fund_entry_reverse, fund_period_close
from rongxin.funds.services.verify import funds_verify
from rongxin.funds.tests.books_helpers import TODAY, FundsWorld
from rongxin.funds.tests.books_staff_helpers import balance, income, spend

pytestmark = pytest.mark.django_db


def _books(world: FundsWorld) -> dict[str, JournalEntry]:
    """Village A1: income, two spendings, a reversal; January closed. Town A: one income."""
    fund = world.funds["village_a1"]
    a = world.village_a1
    first = income(a, fund, "1000.00", on=dt.date(2026, 1, 5), tag="1")
    fund_period_close(actor=a, fund_id=fund.pk, month="2026-01")
    second = spend(a, fund, "200.00", on=dt.date(2026, 2, 3), tag="2", kind="reward")
    third = spend(a, fund, "50.50", on=dt.date(2026, 2, 4), tag="3")
    reversal = fund_entry_reverse(actor=a, fund_id=fund.pk, entry_id=third.pk, on=dt.date(2026, 2, 5), reason="重复")
    income(world.town_a, world.funds["town_a"], "10.00", tag="t")
    return {"first": first, "second": second, "third": third, "reversal": reversal}


def _codes(report: Any) -> set[tuple[int | None, str]]:
    return {(p.number, p.code) for p in report.problems}


def _command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("funds", "verify", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_clean_books_verify(world: FundsWorld) -> None:
    _books(world)
    report = funds_verify()
    assert report.problems == []
    assert (report.funds, report.entries, report.lines, report.vouchers) == (7, 5, 10, 4)
    assert report.accounts == Account.objects.count()
    code, out, err = _command()
    assert (code, err) == (0, "")
    assert out.strip() == f"ok: 7 funds, 5 entries, 10 lines, {report.accounts} accounts, 4 vouchers verified"


def _tamper_amount(e: dict[str, JournalEntry]) -> None:
    line = e["second"].lines.get(account__code="5103")
    JournalLine.objects.filter(pk=line.pk).update(amount=Decimal("20.00"))


def _tamper_date(e: dict[str, JournalEntry]) -> None:
    JournalEntry.objects.filter(pk=e["second"].pk).update(date=dt.date(2026, 2, 13))


def _tamper_delete_line(e: dict[str, JournalEntry]) -> None:
    line = e["second"].lines.get(account__code="1001")
    JournalLine.objects.filter(pk=line.pk).delete()
    Account.objects.filter(pk=line.account_id).update(balance=Decimal("1000.00"))  # and the cache to hide it


def _tamper_swap_account(e: dict[str, JournalEntry]) -> None:
    line = e["second"].lines.get(account__code="5103")
    other = Account.objects.get(fund_id=e["second"].fund_id, code="5109")
    JournalLine.objects.filter(pk=line.pk).update(account=other)
    # the caches follow, so only the chain can tell
    Account.objects.filter(pk=line.account_id).update(balance=Decimal("0.00"))
    Account.objects.filter(pk=other.pk).update(balance=Decimal("200.00"))


def _tamper_voucher(e: dict[str, JournalEntry]) -> None:
    v = e["first"].voucher
    Voucher.objects.filter(pk=v.pk).update(data=bytes(v.data).replace(b"T(1)", b"T(9)"))


def _tamper_reversal(e: dict[str, JournalEntry]) -> None:
    JournalEntry.objects.filter(pk=e["reversal"].pk).update(reverses=e["second"])


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (_tamper_amount, {(2, "unbalanced"), (2, "broken_hash"), (None, "balance")}),
        (_tamper_date, {(2, "broken_hash")}),
        (_tamper_delete_line, {(2, "unbalanced"), (2, "too_few_lines"), (2, "broken_hash")}),
        (_tamper_swap_account, {(2, "broken_hash")}),
        (_tamper_voucher, {(None, "voucher")}),
        (_tamper_reversal, {(4, "reversal"), (4, "broken_hash")}),
    ],
    ids=["line_amount", "entry_date", "deleted_line", "swapped_account", "voucher_data", "reversal_link"],
)
def test_tampering_is_caught(world: FundsWorld, tamper: Any, expected: set[tuple[int | None, str]]) -> None:
    # given
    entries = _books(world)
    fund_id = world.funds["village_a1"].pk
    # when
    tamper(entries)
    # then
    report = funds_verify()
    assert _codes(report) == expected
    assert {p.fund_id for p in report.problems} == {fund_id}
    code, _out, err = _command()
    assert code == 1
    assert f"{len(expected)} problem(s) in 7 funds" in err


def test_a_deleted_last_entry_leaves_the_head_and_count_wrong(world: FundsWorld) -> None:
    entries = _books(world)
    last = entries["reversal"]
    JournalLine.objects.filter(entry=last).delete()
    JournalEntry.objects.filter(pk=last.pk).delete()
    Account.objects.filter(fund_id=last.fund_id, code="1001").update(balance=Decimal("749.50"))
    Account.objects.filter(fund_id=last.fund_id, code="5109").update(balance=Decimal("50.50"))
    assert _codes(funds_verify()) == {(None, "count"), (None, "head")}


def test_a_deleted_middle_entry_breaks_the_numbering_and_the_links(world: FundsWorld) -> None:
    entries = _books(world)
    gone = entries["second"]
    JournalLine.objects.filter(entry=gone).delete()
    JournalEntry.objects.filter(pk=gone.pk).delete()
    codes = _codes(funds_verify())
    assert {(3, "gap"), (3, "broken_link"), (4, "gap"), (None, "count"), (None, "balance")} <= codes


def test_an_entry_recorded_into_a_closed_month_is_caught(world: FundsWorld) -> None:
    # given: February's close is dated before an entry of February was recorded
    entries = _books(world)
    fund = world.funds["village_a1"]
    PeriodClose.objects.create(
        fund=fund,
        month=dt.date(2026, 2, 1),
        closed_at=entries["second"].created_at - dt.timedelta(days=1),
        balances={},
    )
    # then
    assert _codes(funds_verify()) == {(2, "closed_period"), (3, "closed_period"), (4, "closed_period")}


def test_the_json_report(world: FundsWorld) -> None:
    entries = _books(world)
    Fund.objects.filter(pk=world.funds["town_a"].pk).update(chain_head="f" * 64)
    _tamper_date(entries)
    code, out, _err = _command("--json")
    assert code == 1
    body = json.loads(out)
    assert body["ok"] is False
    assert sorted((p["fund"], p["number"], p["code"]) for p in body["problems"]) == sorted(
        [(world.funds["village_a1"].pk, 2, "broken_hash"), (world.funds["town_a"].pk, None, "head")]
    )


# --- A random sequence of postings, reversals and closes -----------------------------------------------
class _Rollback(Exception):
    pass


@dataclass
class _Model:
    bank: Decimal = Decimal("0.00")
    closed_through: dt.date | None = None
    # entry id → (its effect on the bank, reversed, is a reversal)
    entries: list[list[Any]] = field(default_factory=list)


FUNDS = ["village_a1", "town_a"]
OPS = st.one_of(
    st.tuples(st.just("income"), st.sampled_from(FUNDS), st.integers(1, 500_000), st.integers(0, 139)),
    st.tuples(st.just("spend"), st.sampled_from(FUNDS), st.integers(1, 300_000), st.integers(0, 139)),
    st.tuples(st.just("reverse"), st.sampled_from(FUNDS), st.integers(0, 50), st.integers(0, 139)),
    st.tuples(st.just("close"), st.sampled_from(FUNDS), st.just(0), st.just(0)),
)


def _month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def _apply(world: FundsWorld, models: dict[str, _Model], i: int, op: tuple[str, str, int, int]) -> None:
    what, key, n, offset = op
    fund = world.funds[key]
    actor = getattr(world, key)
    m = models[key]
    day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
    open_day = m.closed_through is None or day > m.closed_through
    if what in ("income", "spend"):
        amount = Decimal(n).scaleb(-2)
        ok = open_day and (what == "income" or m.bank >= amount)
        try:
            post = income if what == "income" else spend
            e = post(actor, fund, str(amount), on=day, tag=f"{i}", kind="welfare" if what == "income" else "reward")
        except InvalidInput as exc:
            assert not ok, exc.code
            return
        assert ok
        effect = amount if what == "income" else -amount
        m.bank += effect
        m.entries.append([e.pk, effect, False, False])
    elif what == "reverse":
        if not m.entries:
            return
        target = m.entries[n % len(m.entries)]
        ok = open_day and not target[2] and not target[3] and m.bank - target[1] >= 0
        try:
            r = fund_entry_reverse(actor=actor, fund_id=fund.pk, entry_id=target[0], on=day, reason=f"冲销{i}")
        except (InvalidInput, Conflict) as exc:
            assert not ok, exc.code
            return
        assert ok
        target[2] = True
        m.bank -= target[1]
        m.entries.append([r.pk, -target[1], False, True])
    else:
        first = dt.date(2026, 1, 1) if m.closed_through is None else m.closed_through + dt.timedelta(days=1)
        ok = _month_end(first) < TODAY
        try:
            fund_period_close(actor=actor, fund_id=fund.pk, month=first)
        except InvalidInput:
            assert not ok
            return
        assert ok
        m.closed_through = _month_end(first)


def _check(world: FundsWorld, models: dict[str, _Model]) -> None:
    unbalanced = JournalLine.objects.values("entry_id").annotate(total=Sum("amount")).exclude(total=0).count()
    assert unbalanced == 0
    for key, m in models.items():
        fund = world.funds[key]
        rows = trial_balance(fund_id=fund.pk)
        assert sum(r.debits for r in rows) == sum(r.credits for r in rows)
        assert [(r.account.code, r.balance) for r in rows] == [(r.account.code, r.cached) for r in rows]
        assert balance(fund, "1001") == m.bank
    report = funds_verify()
    assert report.problems == []


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=st.lists(OPS, min_size=1, max_size=30))
def test_random_postings_reversals_and_closes_keep_the_books_whole(world: FundsWorld, ops: list[Any]) -> None:
    try:
        with transaction.atomic():
            models = {key: _Model() for key in FUNDS}
            for i, op in enumerate(ops):
                _apply(world, models, i, op)
            _check(world, models)
            raise _Rollback
    except _Rollback:
        pass
