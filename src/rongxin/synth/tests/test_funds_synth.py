"""The synthetic funds at a small scale: every fund balances and its cached balances agree with
its lines, every chain head is what a recomputation gives, every village fund keeps ≥ ¥10,000, a
meeting per town and village per past quarter, the money awards are exactly the award entries,
the budget lines sum to ¥10 million, each allocation has its two entries, the months before the
current one are closed, vouchers are one per fund and quarter, and a second load is refused."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum

from rongxin.conftest import module_transaction
from rongxin.credit.models import Entry
from rongxin.funds.domain.accounts import BANK
from rongxin.funds.domain.chain import GENESIS, EntryFact, LineFact, entry_hash
from rongxin.funds.models import (
    Account,
    Allocation,
    BudgetLine,
    Donation,
    Fund,
    JournalEntry,
    JournalLine,
    Meeting,
    Nomination,
    PeriodClose,
)
from rongxin.funds.selectors.books import trial_balance_all
from rongxin.regions.models import Region
from rongxin.synth.funds import FundsRefused, generate_funds

SCALE = 0.003
SEED = 5
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The county and its funds, generated once for the module in an outer transaction that is
    rolled back after it (each test's ``db`` nests a savepoint inside): three years of books are
    too much to load again for every test."""
    with module_transaction(django_db_blocker, NOW):
        call_command(
            "generate", scale=SCALE, seed=SEED, no_progress=True, no_volunteering=True, no_canteens=True,
            no_funds=True, workers=0, as_of=TODAY,
        )  # fmt: skip
        yield generate_funds(seed=SEED, now=NOW, scale=SCALE)


@pytest.fixture
def funds(loaded: Any, db: Any) -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False):
        yield loaded


def test_every_fund_balances_and_its_chain_recomputes(funds: Any) -> None:
    # then every fund's debits equal its credits and no cached balance differs from the lines
    totals = trial_balance_all()
    assert len(totals) == Fund.objects.count() == funds.counts["funds"]
    assert all(t.debits == t.credits and t.mismatched_accounts == 0 for t in totals)
    assert sum(t.debits for t in totals) > 0
    # and each chain head is the recomputed hash of the last entry, numbers 1…n in date order
    codes = dict(Account.objects.values_list("id", "code"))
    lines: dict[int, list[LineFact]] = defaultdict(list)
    for entry_id, account_id, amount, note in JournalLine.objects.values_list(
        "entry_id", "account_id", "amount", "note"
    ):
        lines[entry_id].append(LineFact(codes[account_id], amount, note))
    heads: dict[int, str] = {}
    days: dict[int, dt.date] = {}
    numbers: dict[int, int] = {}
    for e in JournalEntry.objects.select_related("voucher").order_by("fund_id", "number"):
        prev = heads.get(e.fund_id, GENESIS)
        assert e.prev_hash == prev
        assert e.number == numbers.get(e.fund_id, 0) + 1
        numbers[e.fund_id] = e.number
        assert e.date >= days.get(e.fund_id, e.date)
        days[e.fund_id] = e.date
        fact = EntryFact(
            fund_id=e.fund_id, number=e.number, kind=e.kind, date=e.date.isoformat(), memo=e.memo,
            voucher_sha256=e.voucher.sha256, budget_line_id=e.budget_line_id, reverses_number=None,
            lines=tuple(lines[e.pk]),
        )  # fmt: skip
        assert e.hash == entry_hash(prev, fact)
        assert e.voucher.fund_id == e.fund_id
        assert (e.voucher.data.tobytes() if hasattr(e.voucher.data, "tobytes") else bytes(e.voucher.data)).startswith(
            b"%PDF-"
        )
        heads[e.fund_id] = e.hash
    for fund in Fund.objects.all():
        assert fund.chain_head == heads.get(fund.pk, "")
        assert fund.entry_count == JournalEntry.objects.filter(fund=fund).count()
    # one voucher per fund and quarter with entries
    quarters = {(f, d.year, (d.month - 1) // 3) for f, d in JournalEntry.objects.values_list("fund_id", "date")}
    assert funds.counts["vouchers"] == len(quarters)


def test_village_funds_keep_their_minimum_and_the_county_its_budget(funds: Any) -> None:
    villages = Region.objects.filter(level=Region.Level.VILLAGE).count()
    banks = dict(
        Account.objects.filter(code=BANK, fund__kind=Fund.Kind.VILLAGE_CREDIT).values_list("fund_id", "balance")
    )
    assert len(banks) == villages
    assert min(banks.values()) >= Decimal("10000.00")
    # about ¥30 million over 910 villages, scaled to the villages there are
    assert 25_000 * villages <= sum(banks.values()) <= 45_000 * villages
    assert funds.counts["village_funds_yuan"] == int(sum(banks.values()))
    # three years of ¥10 million in five lines
    per_year = dict(BudgetLine.objects.values("year").annotate(t=Sum("amount")).values_list("year", "t"))
    assert per_year == {2024: Decimal("10000000.00"), 2025: Decimal("10000000.00"), 2026: Decimal("10000000.00")}
    county = Fund.objects.get(kind=Fund.Kind.COUNTY_SPECIAL)
    assert JournalEntry.objects.filter(fund=county, kind="appropriation").count() == 3
    # each allocation to a fund has the county's entry and the recipient's, same amount and day
    for a in Allocation.objects.select_related("out_entry", "in_entry"):
        assert a.out_entry.fund_id == county.pk
        assert a.in_entry is not None
        assert a.in_entry.fund_id == a.recipient_fund_id
        assert a.out_entry.date == a.in_entry.date == a.date
        assert JournalLine.objects.get(entry=a.in_entry, account__code=BANK).amount == a.amount
    towns = Region.objects.filter(level=Region.Level.TOWN).count()
    assert Allocation.objects.count() == 3 * (towns + villages)
    # donations: some anonymous, some by subjects, each with its entry
    donations = Donation.objects.all()
    assert donations.count() == funds.counts["donations"] > 0
    assert 0 < funds.counts["donations_anonymous"] < donations.count()
    assert 0 < funds.counts["donations_by_subjects"] < donations.count()
    assert all(d.entry.kind == "donation" and d.entry.fund_id == d.fund_id for d in donations.select_related("entry"))


def test_a_meeting_per_place_and_past_quarter_with_paid_awards(funds: Any) -> None:
    places = Region.objects.filter(level__in=[Region.Level.TOWN, Region.Level.VILLAGE]).count()
    # quarters 2024 Q1 … 2026 Q1 have ended and their meetings been held (Q2 ends today)
    per_quarter = Counter(Meeting.objects.values_list("year", "quarter"))
    assert per_quarter == {(y, q): places for y in (2024, 2025) for q in (1, 2, 3, 4)} | {(2026, 1): places}
    assert set(Meeting.objects.values_list("status", flat=True)) == {"published"}
    for m in Meeting.objects.all()[:50]:
        assert m.publicity_starts_on is not None
        assert m.publicity_ends_on is not None
        assert m.held_on is not None
        assert (m.publicity_ends_on - m.publicity_starts_on).days == 6 < (m.held_on - m.publicity_starts_on).days
    # awards go to consenting residents of the place
    awarded = Nomination.objects.filter(status="awarded").select_related("subject__person", "meeting__region")
    assert awarded.count() == funds.counts["awards"] > 0
    for n in awarded[:300]:
        region = n.meeting.region
        assert region.pk in (n.subject.village_id, n.subject.town_id)
        assert n.subject.person.consent_given
    # every money or goods award is one award entry of its fund (prize money on 5101, bought
    # prizes on 5102), for its amount, on the meeting day; certificates cost nothing
    paid = awarded.filter(award_kind__in=["money", "goods"]).select_related("award_entry")
    assert paid.count() == JournalEntry.objects.filter(kind="award").count()
    assert paid.filter(award_kind="money").count() == funds.counts["awards_money"]
    for n in paid:
        assert 100 <= n.award_amount <= 500
        assert n.award_entry.fund_id == n.meeting.fund_id
        assert n.award_entry.date == n.meeting.held_on
        account = "5101" if n.award_kind == "money" else "5102"
        assert JournalLine.objects.get(entry=n.award_entry, account__code=account).amount == n.award_amount
    assert not awarded.filter(award_kind="certificate", award_entry__isnull=False).exists()
    assert awarded.filter(award_kind="goods").exclude(award_goods="").count() == funds.counts["awards_goods"] > 0
    assert funds.counts["awards_certificate"] > 0


def test_awards_earn_commendation_credit_and_months_are_closed(funds: Any) -> None:
    credit = Entry.objects.filter(rule__code="P-HON-06", source="funds")
    assert credit.count() == funds.counts["credit_entries"] > 0
    n = Nomination.objects.filter(credit_status="created").first()
    assert n is not None
    assert credit.get(source_key=n.credit_key).subject_id == n.subject_id
    assert n.credit_key == f"funds:meeting:{n.meeting_id}:subject:{n.subject_id}"
    # every month from January 2024 to May 2026 is closed in every fund
    months = 12 * 2 + 5
    assert PeriodClose.objects.count() == months * Fund.objects.count() == funds.counts["closed_months"]
    assert set(Fund.objects.values_list("closed_through", flat=True)) == {dt.date(2026, 5, 31)}
    close = PeriodClose.objects.filter(month=dt.date(2026, 5, 1)).select_related("fund").first()
    assert close is not None
    # the balances the month ended on: its lines up to 31 May, in each account's direction
    sums = dict(
        JournalLine.objects.filter(entry__fund=close.fund, entry__date__lte=dt.date(2026, 5, 31))
        .values("account__code")
        .annotate(t=Sum("amount"))
        .values_list("account__code", "t")
    )
    expected = {
        code: f"{(sums.get(code, 0) if kind in ('asset', 'expense') else -sums.get(code, 0)):.2f}"
        for code, kind in Account.objects.filter(fund=close.fund).values_list("code", "type")
    }
    assert close.balances == expected
    assert close.balances["1001"] != "0.00"


def test_a_second_load_is_refused(funds: Any) -> None:
    before = JournalEntry.objects.count()
    with pytest.raises(FundsRefused):
        generate_funds(seed=SEED, now=NOW, scale=SCALE)
    assert JournalEntry.objects.count() == before
