"""Donations to a fund: the entry, the donor's credit once and capped, consent, the public list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rongxin.conftest import make_organisation, make_person
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.credit.models import Entry
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.funds.domain.donation_points import donation_points
from rongxin.funds.models import Donation, JournalEntry
from rongxin.funds.selectors.donations import public_donations
from rongxin.funds.services.donations import donation_record
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.county_helpers import DAY, balance, voucher

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogues(world: FundsWorld) -> None:
    catalogue_load_starters(actor=None)


def _give(world: FundsWorld, fund_key: str = "village_a1", actor_key: str = "village_a1", **extra: object) -> object:
    data: dict[str, object] = {
        "fund_id": world.funds[fund_key].pk if fund_key != "county" else world.county_fund.pk,
        "kind": "money", "amount": "1500", "on": DAY, "donor_name": "王大海", "anonymous": False, **voucher("g"),
    }  # fmt: skip
    data.update(extra)
    return donation_record(actor=world.users()[actor_key], **data)  # type: ignore[arg-type]


def test_money_donation_posts_bank_and_income(world: FundsWorld) -> None:
    r = _give(world)
    d = r.donation  # type: ignore[attr-defined]
    assert (d.kind, d.amount, d.donor_id, d.credit_status, d.credit_points) == (
        "money", Decimal("1500.00"), None, "", None,
    )  # fmt: skip
    assert sorted(d.entry.lines.values_list("account__code", "amount")) == [
        ("1001", Decimal("1500.00")),
        ("4004", Decimal("-1500.00")),
    ]
    assert d.entry.kind == JournalEntry.Kind.DONATION


def test_goods_donation_posts_store_and_goods_income(world: FundsWorld) -> None:
    r = _give(world, kind="goods", goods="大米50袋", amount="2500.00")
    d = r.donation  # type: ignore[attr-defined]
    assert sorted(d.entry.lines.values_list("account__code", "amount")) == [
        ("1002", Decimal("2500.00")),
        ("4005", Decimal("-2500.00")),
    ]
    assert balance(world.funds["village_a1"], "1002") == Decimal("2500.00")


def test_goods_need_a_description_and_money_names_none(world: FundsWorld) -> None:
    with pytest.raises(InvalidInput) as caught:
        _give(world, kind="goods", goods="")
    assert caught.value.code == "required"
    with pytest.raises(InvalidInput) as caught:
        _give(world, kind="money", goods="米")
    assert caught.value.code == "money_goods"
    assert Donation.objects.count() == 0


def test_person_with_consent_earns_credit_once(world: FundsWorld, catalogues: None) -> None:
    # given
    giver = make_person(world.tree.village_a1, name="王大海", consent=True).subject
    # when: ¥1,500 → 15 points; a double submit records nothing new
    first = _give(world, donor_subject_id=giver.pk, donor_name="")
    again = _give(world, donor_subject_id=giver.pk, donor_name="")
    # then
    d = first.donation  # type: ignore[attr-defined]
    assert again.created is False  # type: ignore[attr-defined]
    assert again.donation.pk == d.pk  # type: ignore[attr-defined]
    assert (d.donor_name, d.credit_points, d.credit_status, d.credit_key) == (
        "王大海", 15, "held", f"funds:donation:{d.pk}",
    )  # fmt: skip
    entries = Entry.objects.filter(subject=giver, source="funds")
    assert list(entries.values_list("points", "source_key")) == [(15, f"funds:donation:{d.pk}")]


def test_credit_is_trimmed_by_the_yearly_cap(world: FundsWorld, catalogues: None) -> None:
    # given: P-DON-02 gives at most 20 a donation and 30 a year
    giver = make_person(world.tree.village_a1, name="王大海", consent=True).subject
    # when
    a = _give(world, donor_subject_id=giver.pk, donor_name="", amount="5000", **voucher("c1")).donation  # type: ignore[attr-defined]
    b = _give(world, donor_subject_id=giver.pk, donor_name="", amount="5000.01", **voucher("c2")).donation  # type: ignore[attr-defined]
    c = _give(world, donor_subject_id=giver.pk, donor_name="", amount="5000.02", **voucher("c3")).donation  # type: ignore[attr-defined]
    # then
    assert [(x.credit_points, x.credit_status) for x in (a, b, c)] == [(20, "held"), (10, "held"), (0, "capped")]
    assert sorted(Entry.objects.filter(subject=giver, source="funds").values_list("points", flat=True)) == [10, 20]


def test_a_chosen_file_in_another_name_is_refused(world: FundsWorld, catalogues: None) -> None:
    giver = make_person(world.tree.village_a1, name="王大海", consent=True).subject
    with pytest.raises(InvalidInput) as caught:
        _give(world, donor_subject_id=giver.pk, donor_name="王小海")
    assert caught.value.code == "donor_name_mismatch"
    assert Donation.objects.count() == 0
    # the same name is accepted
    assert _give(world, donor_subject_id=giver.pk, donor_name="王大海").donation.donor_id == giver.pk  # type: ignore[attr-defined]


def test_person_without_consent_earns_nothing(world: FundsWorld, catalogues: None) -> None:
    shy = make_person(world.tree.village_a1, name="李小梅", consent=False).subject
    d = _give(world, donor_subject_id=shy.pk, donor_name="").donation  # type: ignore[attr-defined]
    assert (d.credit_status, d.credit_points, d.credit_key) == ("no_consent", 0, "")
    assert Entry.objects.filter(subject=shy).count() == 0


def test_organisation_earns_per_thousand_and_small_gifts_earn_nothing(world: FundsWorld, catalogues: None) -> None:
    firm = make_organisation(world.tree.village_a1, name="荣成市海洋食品有限公司").subject
    big = _give(world, donor_subject_id=firm.pk, donor_name="", amount="12999.99", **voucher("o1")).donation  # type: ignore[attr-defined]
    small = _give(world, donor_subject_id=firm.pk, donor_name="", amount="4999.99", **voucher("o2")).donation  # type: ignore[attr-defined]
    assert (big.credit_points, big.credit_status) == (12, "held")
    assert (small.credit_points, small.credit_status) == (0, "below")


def test_a_donor_outside_what_the_keeper_may_search_is_refused(world: FundsWorld, catalogues: None) -> None:
    # a village officer of A1 may not pick a person of village B1
    other = make_person(world.tree.village_b1, name="赵六", consent=True).subject
    with pytest.raises(InvalidInput) as caught:
        _give(world, donor_subject_id=other.pk, donor_name="")
    assert caught.value.code == "donor_unknown"
    assert Donation.objects.count() == 0


@pytest.mark.parametrize(
    ("fund_key", "allowed"),
    [("village_a1", {"village_a1"}), ("town_a", {"town_a"}), ("county", {"keeper"})],
)
def test_only_the_funds_keeper_records(world: FundsWorld, fund_key: str, allowed: set[str]) -> None:
    for who in world.users():
        if who in allowed:
            assert _give(world, fund_key=fund_key, actor_key=who, **voucher(who)).created  # type: ignore[attr-defined]
        else:
            with pytest.raises(NotFound):
                _give(world, fund_key=fund_key, actor_key=who, **voucher(who))
    assert Donation.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"amount": "1.001"}, "too_many_decimals"),
        ({"amount": "٥٠"}, "not_a_number"),
        ({"donor_name": "王\x1b大海"}, "invalid_text"),
        ({"donor_name": ""}, "required"),
        ({"kind": "shares"}, "bad_kind"),
        ({"on": dt.date(2026, 5, 21)}, "future_date"),
    ],
)
def test_bad_donations_are_refused(world: FundsWorld, change: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _give(world, **change)
    assert caught.value.code == code
    assert Donation.objects.count() == 0
    assert JournalEntry.objects.count() == 0


def test_points_scale() -> None:
    assert donation_points(Decimal("99.99"), organisation=False, points_min=1, points_max=20) == 0
    assert donation_points(Decimal("100"), organisation=False, points_min=1, points_max=20) == 1
    assert donation_points(Decimal("999999"), organisation=False, points_min=1, points_max=20) == 20
    assert donation_points(Decimal("5000"), organisation=True, points_min=5, points_max=30) == 5
    assert donation_points(Decimal("1000000"), organisation=True, points_min=5, points_max=30) == 30


def test_public_list_hides_anonymous_donors(world: FundsWorld) -> None:
    _give(world, donor_name="王大海", anonymous=True, on=dt.date(2026, 3, 1), **voucher("p1"))
    _give(world, donor_name="荣成市海洋食品有限公司", amount="800", on=dt.date(2026, 3, 2), **voucher("p2"))
    rows = public_donations(fund_id=world.funds["village_a1"].pk, year=2026)
    assert [(r.donor, r.amount) for r in rows] == [
        ("爱心人士（匿名）", Decimal("1500.00")),
        ("荣成市海洋食品有限公司", Decimal("800.00")),
    ]
    assert public_donations(fund_id=world.funds["village_a1"].pk, year=2025) == []
    # the journal's memo does not carry an anonymous donor's name either
    assert "王大海" not in "".join(JournalEntry.objects.values_list("memo", flat=True))
