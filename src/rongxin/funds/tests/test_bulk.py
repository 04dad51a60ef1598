"""The books' bulk append writes what entry_post writes: the same numbers, hashes, lines, cached
balances and chain head; it refuses an unbalanced entry or an overdraft with nothing written; the
bulk month closes keep the balances each month ended on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from rongxin.funds.models import Account, Fund, JournalEntry, JournalLine, PeriodClose
from rongxin.funds.services.books import LineIn, entry_post
from rongxin.funds.services.bulk import (
    BulkEntry,
    BulkRefused,
    entries_bulk_append,
    periods_bulk_close,
    vouchers_bulk_create,
)
from rongxin.funds.tests.books_helpers import FundsWorld, income, pdf, spending

pytestmark = pytest.mark.django_db

# (day, kind, memo, lines): given out of date order on purpose (numbers follow the dates).
MOVES: list[tuple[dt.date, str, str, list[LineIn]]] = [
    (dt.date(2026, 1, 5), "welfare", "福利资金归集 ", income("15000.00")),
    (dt.date(2026, 3, 2), "award", "第一季度表彰奖金：张三（诚信者）", spending("200.00")),
    (dt.date(2026, 2, 10), "transfer_in", "县级专项资金拨入", income("2000.50", "4002")),
    (
        dt.date(2026, 4, 1),
        "spending",
        "表彰会场布置与证书",
        [
            LineIn("5101", Decimal("80.25"), "证书"),
            LineIn("5109", Decimal("19.75")),
            LineIn("1001", Decimal("-100.00")),
        ],
    ),
]


def _state(fund: Fund) -> tuple:
    fund.refresh_from_db()
    entries = list(
        JournalEntry.objects.filter(fund=fund)
        .order_by("number")
        .values_list("number", "kind", "date", "memo", "prev_hash", "hash")
    )
    lines = sorted(
        JournalLine.objects.filter(entry__fund=fund).values_list("entry__number", "account__code", "amount", "note")
    )
    balances = dict(Account.objects.filter(fund=fund).values_list("code", "balance"))
    return fund.entry_count, fund.chain_head, entries, lines, balances


def test_bulk_append_writes_the_same_chain_as_entry_post(world: FundsWorld) -> None:
    # given a village fund and a voucher
    fund = world.funds["village_a1"]
    voucher = world.voucher(fund, "q1")
    # when the moves are posted one by one in date order (then undone)
    sid = transaction.savepoint()
    for day, kind, memo, lines in sorted(MOVES, key=lambda m: m[0]):
        entry_post(actor=None, fund_id=fund.pk, kind=kind, on=day, memo=memo, voucher=voucher, lines=lines)
    posted = _state(fund)
    transaction.savepoint_rollback(sid)
    assert Fund.objects.get(pk=fund.pk).entry_count == 0
    # and when the same moves are appended in bulk, out of order
    result = entries_bulk_append(
        entries=[
            BulkEntry(
                fund_id=fund.pk, kind=k, on=d, memo=m, voucher_id=voucher.pk, voucher_sha256=voucher.sha256, lines=ls
            )
            for d, k, m, ls in MOVES
        ]
    )
    # then the journal, the lines, the balances and the chain head are the same
    assert _state(fund) == posted
    assert (result.entries, result.lines, result.funds) == (4, 9, 1)
    assert posted[0] == 4
    assert posted[4]["1001"] == Decimal("16700.50")
    assert [JournalEntry.objects.get(pk=i).number for i in result.ids] == [1, 3, 2, 4]
    # and entry_post goes on from the bulk head
    entry = entry_post(
        actor=None,
        fund_id=fund.pk,
        kind="award",
        on=dt.date(2026, 5, 1),
        memo="奖金",
        voucher=voucher,
        lines=spending("100.00"),
    )
    assert (entry.number, entry.prev_hash) == (5, posted[1])


def test_bulk_append_refuses_an_unbalanced_entry_or_an_overdraft_whole(world: FundsWorld) -> None:
    fund = world.funds["village_a2"]
    voucher = world.voucher(fund)
    good = BulkEntry(fund.pk, "welfare", dt.date(2026, 1, 5), "归集", voucher.pk, voucher.sha256, income("100.00"))
    for bad_lines in (
        [LineIn("1001", Decimal("100.00")), LineIn("4003", Decimal("-99.99"))],
        spending("100.01"),
        [LineIn("1001", Decimal("1.001")), LineIn("4003", Decimal("-1.001"))],
        [LineIn("1001", Decimal("1.00")), LineIn("9999", Decimal("-1.00"))],
    ):
        bad = BulkEntry(fund.pk, "spending", dt.date(2026, 1, 6), "支出", voucher.pk, voucher.sha256, bad_lines)
        with pytest.raises(BulkRefused):
            entries_bulk_append(entries=[good, bad])
        assert JournalEntry.objects.filter(fund=fund).count() == 0
        assert Account.objects.get(fund=fund, code="1001").balance == 0
    future = BulkEntry(fund.pk, "welfare", dt.date(2026, 5, 21), "归集", voucher.pk, voucher.sha256, income("1.00"))
    with pytest.raises(BulkRefused):
        entries_bulk_append(entries=[future])


def test_bulk_closes_keep_each_month_end(world: FundsWorld) -> None:
    # given two months of entries in a fund, the vouchers stored in bulk
    fund = world.funds["village_b1"]
    v1, v2 = vouchers_bulk_create(items=[(fund.pk, pdf("a"), "a.pdf"), (fund.pk, pdf("b"), "b.pdf")])
    entries_bulk_append(
        entries=[
            BulkEntry(fund.pk, "welfare", dt.date(2026, 1, 5), "归集", v1.pk, v1.sha256, income("500.00")),
            BulkEntry(fund.pk, "award", dt.date(2026, 3, 9), "奖金", v2.pk, v2.sha256, spending("120.00")),
        ]
    )
    # when January to April are closed at once
    assert periods_bulk_close(fund_ids=[fund.pk], through=dt.date(2026, 4, 1)) == 4
    # then each month keeps its own end
    closes = list(PeriodClose.objects.filter(fund=fund).order_by("month"))
    assert [c.month.month for c in closes] == [1, 2, 3, 4]
    assert [(c.balances["1001"], c.balances["5101"]) for c in closes] == [
        ("500.00", "0.00"), ("500.00", "0.00"), ("380.00", "120.00"), ("380.00", "120.00")
    ]  # fmt: skip
    heads = list(JournalEntry.objects.filter(fund=fund).order_by("number").values_list("hash", flat=True))
    assert [c.chain_head for c in closes] == [heads[0], heads[0], heads[1], heads[1]]
    fund.refresh_from_db()
    assert fund.closed_through == dt.date(2026, 4, 30)
    with pytest.raises(BulkRefused):
        periods_bulk_close(fund_ids=[fund.pk], through=dt.date(2026, 5, 1))
