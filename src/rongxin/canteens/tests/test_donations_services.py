"""Donations and stock use through the services: validation, duplicates, stock balance and the
donor's credit (exactly once, never without consent)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from rongxin.canteens.domain import donations as rules
from rongxin.canteens.models import Canteen, Donation, StockUse
from rongxin.canteens.services.donations import donation_credit_award, donation_record, stock_use_record
from rongxin.canteens.tests.donations_helpers import DonationWorld, donation_world, frozen_clock, money, rice
from rongxin.conftest import Tree, link, make_person, make_user
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, SubjectCredit

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen() -> Iterator[Any]:
    yield from frozen_clock()


@pytest.fixture
def world(tree: Tree, frozen: Any) -> DonationWorld:
    return donation_world(tree)


def _score(subject_id: int) -> int | None:
    row = SubjectCredit.objects.filter(subject_id=subject_id).first()
    return None if row is None else row.score


def _error(exc: Any) -> tuple[str, str, str]:
    err = exc.value.errors[0]
    return err["field"], err["code"], err["message"]


# --- Recording ----------------------------------------------------------------------------------
def test_a_manager_records_goods_from_an_outsider(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    # when
    result = donation_record(actor=manager, canteen_id=world.canteen.pk, **rice(note="春节前送到"))
    # then
    d = result.donation
    assert (result.created, result.credit) == (True, rules.CREDIT_NO_FILE)
    assert (d.kind, d.donor_kind, d.donor_id, d.donor_name) == ("goods", "person", None, "赵爱心")
    assert (d.item, d.quantity, d.unit, d.value) == ("大米", Decimal("50.00"), "公斤", Decimal("250.00"))
    assert (str(d.received_on), d.note, d.recorded_by, d.credit_key, d.credit_points) == (
        "2026-03-09", "春节前送到", manager, "", None,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="canteen.donation.record")
    assert (event.object_type, event.object_id, event.actor) == ("canteen_donation", str(d.pk), manager)


def test_full_width_digits_are_read_as_ascii(world: DonationWorld) -> None:
    # when
    d = donation_record(
        actor=world.users["village_a1_officer"],
        canteen_id=world.canteen.pk,
        **rice(quantity="１２．５", value="１００"),
    ).donation
    # then
    assert (d.quantity, d.value) == (Decimal("12.50"), Decimal("100.00"))


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (rice(quantity="-5"), "quantity", "bad_amount"),
        (rice(quantity="0"), "quantity", "quantity_required"),
        (rice(quantity=""), "quantity", "quantity_required"),
        (rice(quantity="1.234"), "quantity", "bad_amount"),
        (rice(value="99.999"), "value", "bad_amount"),
        (rice(value="1e3"), "value", "bad_amount"),
        (rice(value="NaN"), "value", "bad_amount"),
        (rice(value="1,000"), "value", "bad_amount"),
        (rice(value="123456789012"), "value", "bad_amount"),
        (rice(value=""), "value", "value_required"),
        (rice(item=""), "item", "item_required"),
        (rice(unit=""), "unit", "unit_required"),
        (rice(item="大\x00米"), "item", "invalid_text"),
        (rice(donor_name="赵\x07爱心"), "donor_name", "invalid_text"),
        (rice(donor_name="  "), "donor_name", "required"),
        (rice(donor_name="赵" * 101), "donor_name", "too_long"),
        (rice(received_on="2026-03-11"), "received_on", "future_date"),
        (rice(received_on="2025-04-30"), "received_on", "before_canteen"),
        (rice(received_on="2026-02-30"), "received_on", "bad_date"),
        (rice(received_on=""), "received_on", "required"),
        (money(value="0"), "value", "value_required"),
        (money(value="-1"), "value", "bad_amount"),
        (money(item="大米"), "item", "money_item"),
        (money(kind="gold"), "kind", "bad_kind"),
        (money(donor_kind="alien"), "donor_kind", "bad_donor_kind"),
        (money(donor_identifier="123"), "donor_identifier", "id_length"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    world: DonationWorld, data: dict[str, Any], field: str, code: str
) -> None:
    # when
    with pytest.raises(InvalidInput) as exc:
        donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **data)
    # then
    assert _error(exc)[:2] == (field, code)
    assert Donation.objects.count() == 0
    assert Entry.objects.count() == 0


def test_the_errors_are_chinese(world: DonationWorld) -> None:
    # when
    with pytest.raises(InvalidInput) as exc:
        donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice(quantity="1.234"))
    # then
    assert _error(exc)[2] == "最多两位小数。"


def test_a_goods_value_of_zero_is_accepted(world: DonationWorld) -> None:
    # when
    d = donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice(value="0")).donation
    # then
    assert d.value == Decimal("0.00")


def test_a_closed_canteen_takes_no_donation(world: DonationWorld) -> None:
    # given
    Canteen.objects.filter(pk=world.canteen.pk).update(status=Canteen.Status.CLOSED)
    # when
    with pytest.raises(Conflict) as exc:
        donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **money())
    # then
    assert exc.value.code == "canteen_closed"
    assert Donation.objects.count() == 0


def test_a_second_submit_of_the_same_donation_adds_nothing(world: DonationWorld, frozen: Any) -> None:
    # given
    manager = world.users["manager_a1"]
    first = donation_record(actor=manager, canteen_id=world.canteen.pk, **money()).donation
    frozen.shift(30)
    # when
    again = donation_record(actor=manager, canteen_id=world.canteen.pk, **money())
    # then
    assert (again.created, again.donation.pk) == (False, first.pk)
    assert Donation.objects.count() == 1
    assert AuditEvent.objects.filter(action="canteen.donation.record").count() == 1


def test_the_same_gift_later_is_a_new_donation(world: DonationWorld, frozen: Any) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(actor=manager, canteen_id=world.canteen.pk, **money())
    frozen.shift(121)
    # when
    again = donation_record(actor=manager, canteen_id=world.canteen.pk, **money())
    # then
    assert again.created is True
    assert Donation.objects.count() == 2


# --- Permissions --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("resident", False),
        ("auditor", False),
        ("village_a2_officer", False),
        ("town_b_officer", False),
        ("village_a1_officer", True),
        ("manager_a1", True),
        ("town_a_officer", True),
        ("admin", True),
    ],
)
def test_who_may_record_a_donation(world: DonationWorld, who: str, allowed: bool) -> None:
    # given
    actor = world.users[who]
    # when / then
    if allowed:
        donation_record(actor=actor, canteen_id=world.canteen.pk, **money())
        assert Donation.objects.count() == 1
    else:
        with pytest.raises(NotFound):
            donation_record(actor=actor, canteen_id=world.canteen.pk, **money(value="1.234"))
        assert Donation.objects.count() == 0
        assert AuditEvent.objects.filter(action="canteen.donation.record").count() == 0


def test_a_missing_canteen_is_not_found(world: DonationWorld) -> None:
    with pytest.raises(NotFound):
        donation_record(actor=world.users["admin"], canteen_id=world.canteen.pk + 99, **money())


# --- Credit -------------------------------------------------------------------------------------
def test_a_consenting_donor_earns_credit_once(world: DonationWorld, frozen: Any) -> None:
    # given
    manager = world.users["manager_a1"]
    before = _score(world.giver.pk)
    data = money(donor_name="王大海", donor_identifier=world.giver_id_number, value="512.30")
    # when
    first = donation_record(actor=manager, canteen_id=world.canteen.pk, **data)
    frozen.shift(10)
    second = donation_record(actor=manager, canteen_id=world.canteen.pk, **data)
    # then
    d = first.donation
    assert (first.created, first.credit, second.created, second.credit) == (True, "recorded", False, "recorded")
    assert (d.donor_id, d.credit_key, d.credit_points) == (world.giver.pk, f"canteen-donation:{d.pk}", 5)
    entry = Entry.objects.get(subject=world.giver)
    assert (entry.points, entry.source, entry.source_key, entry.rule.code, entry.department.code, entry.status) == (
        5, "canteen", f"canteen-donation:{d.pk}", "P-DON-01", "civilization_office", "active",
    )  # fmt: skip
    assert entry.evidence == f"向东山暖心食堂（东山社区）捐款512.30元，2026-03-09（食堂受赠登记第{d.pk}号）"
    assert _score(world.giver.pk) == (before or 1000) + 5


def test_awarding_a_donation_again_records_nothing_new(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    result = donation_record(
        actor=manager, canteen_id=world.canteen.pk, **money(donor_name="王大海", donor_identifier=world.giver_id_number)
    )
    score = _score(world.giver.pk)
    # when: a retry of the award step
    state = donation_credit_award(actor=manager, donation=result.donation, canteen=world.canteen)
    # then
    assert state == "recorded"
    assert Entry.objects.filter(subject=world.giver).count() == 1
    assert _score(world.giver.pk) == score


def test_points_follow_the_scale_and_the_rules_maximum(world: DonationWorld, frozen: Any) -> None:
    # given
    manager = world.users["manager_a1"]
    # when: ¥3,000 is 30 hundreds, the rule gives at most 10
    big = donation_record(
        actor=manager,
        canteen_id=world.canteen.pk,
        **money(donor_name="王大海", donor_identifier=world.giver_id_number, value="3000"),
    )
    # then
    assert (big.credit, big.donation.credit_points) == ("recorded", 10)


def test_the_yearly_cap_leaves_nothing_after_twenty_points(world: DonationWorld, frozen: Any) -> None:
    # given: two gifts of ¥1,000 earn the 20 points of the year
    manager = world.users["manager_a1"]
    for value in ("1000", "1000.50"):
        donation_record(
            actor=manager,
            canteen_id=world.canteen.pk,
            **money(donor_name="王大海", donor_identifier=world.giver_id_number, value=value),
        )
    # when
    third = donation_record(
        actor=manager,
        canteen_id=world.canteen.pk,
        **money(donor_name="王大海", donor_identifier=world.giver_id_number, value="1001"),
    )
    # then
    assert (third.created, third.credit, third.donation.credit_points) == (True, "capped", 0)
    assert sorted(Entry.objects.filter(subject=world.giver).values_list("points", flat=True)) == [10, 10]


def test_less_than_a_hundred_yuan_earns_no_point(world: DonationWorld) -> None:
    # when
    r = donation_record(
        actor=world.users["manager_a1"],
        canteen_id=world.canteen.pk,
        **money(donor_name="王大海", donor_identifier=world.giver_id_number, value="99.99"),
    )
    # then
    assert (r.credit, r.donation.credit_key, r.donation.donor_id) == ("below_threshold", "", world.giver.pk)
    assert Entry.objects.count() == 0


def test_no_credit_without_consent_but_the_donation_is_recorded(world: DonationWorld) -> None:
    # given
    before = _score(world.shy.pk)
    # when
    r = donation_record(
        actor=world.users["manager_a1"],
        canteen_id=world.canteen.pk,
        **money(donor_name="李小梅", donor_identifier=world.shy_id_number, value="800"),
    )
    # then
    assert (r.created, r.credit, r.donation.donor_id, r.donation.credit_key) == (True, "no_consent", world.shy.pk, "")
    assert Entry.objects.filter(subject=world.shy).count() == 0
    assert _score(world.shy.pk) == before


def test_an_organisations_donation_earns_e_don_01_awaiting_the_credit_offices_review(world: DonationWorld) -> None:
    # given
    uscc = world.firm.organisation.uscc
    # when: ¥5,000 (50 points by the scale, trimmed to the rule's maximum of 20)
    r = donation_record(
        actor=world.users["town_a_officer"],
        canteen_id=world.canteen.pk,
        **money(donor_kind="organisation", donor_name="荣成市海洋食品有限公司", donor_identifier=uscc, value="5000"),
    )
    # then one entry under the organisation rule, held until the credit office approves it
    key = f"canteen-donation:{r.donation.pk}"
    assert (r.credit, r.donation.donor_id, r.donation.credit_key, r.donation.credit_points) == (
        "held",
        world.firm.pk,
        key,
        20,
    )
    entry = Entry.objects.get()
    assert (entry.subject_id, entry.rule.code, entry.points, entry.source, entry.source_key, entry.status) == (
        world.firm.pk,
        "E-DON-01",
        20,
        Entry.Source.CANTEEN,
        key,
        Entry.Status.PENDING_REVIEW,
    )


def test_the_recorders_own_donation_awaits_review(world: DonationWorld) -> None:
    # given: the manager records a gift from their own file
    manager = world.users["manager_a1"]
    link(manager, world.giver)
    # when
    r = donation_record(
        actor=manager, canteen_id=world.canteen.pk, **money(donor_name="王大海", donor_identifier=world.giver_id_number)
    )
    # then
    assert (r.credit, r.donation.credit_points) == ("held", 5)
    assert Entry.objects.get(subject=world.giver).status == "pending_review"


@pytest.mark.parametrize(
    ("name", "identifier"),
    [("王小海", "giver"), ("王大海", "unknown")],
)
def test_a_number_and_name_that_do_not_match_a_file_are_one_error(
    world: DonationWorld, name: str, identifier: str
) -> None:
    # given
    number = world.giver_id_number if identifier == "giver" else "110101199003070011"
    # when
    with pytest.raises(InvalidInput) as exc:
        donation_record(
            actor=world.users["manager_a1"],
            canteen_id=world.canteen.pk,
            **money(donor_name=name, donor_identifier=number),
        )
    # then
    assert _error(exc)[:2] == ("donor_identifier", "donor_unknown")
    assert Donation.objects.count() == 0


def test_a_person_number_for_an_organisation_is_refused(world: DonationWorld) -> None:
    with pytest.raises(InvalidInput) as exc:
        donation_record(
            actor=world.users["manager_a1"],
            canteen_id=world.canteen.pk,
            **money(donor_kind="organisation", donor_name="王大海", donor_identifier=world.giver_id_number),
        )
    assert _error(exc)[0] == "donor_identifier"


# --- Stock ----------------------------------------------------------------------------------------
def test_stock_used_within_what_was_received(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(actor=manager, canteen_id=world.canteen.pk, **rice())
    # when
    use = stock_use_record(
        actor=manager, canteen_id=world.canteen.pk, item="大米", quantity="20.5", unit="公斤", used_on="2026-03-10"
    )
    # then
    assert (use.item, use.quantity, use.unit, str(use.used_on)) == ("大米", Decimal("20.50"), "公斤", "2026-03-10")
    assert AuditEvent.objects.filter(action="canteen.stock_use.record", object_id=str(use.pk)).count() == 1


def test_using_more_than_was_received_is_refused(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(actor=manager, canteen_id=world.canteen.pk, **rice())
    stock_use_record(
        actor=manager, canteen_id=world.canteen.pk, item="大米", quantity="30", unit="公斤", used_on="2026-03-10"
    )
    # when
    with pytest.raises(InvalidInput) as exc:
        stock_use_record(
            actor=manager, canteen_id=world.canteen.pk, item="大米", quantity="20.01", unit="公斤", used_on="2026-03-10"
        )
    # then
    assert _error(exc) == ("quantity", "more_than_received", "库存只剩 20.00 公斤大米（累计收到 50.00）。")
    assert StockUse.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"quantity": "-1"}, "quantity", "bad_amount"),
        ({"quantity": "0"}, "quantity", "quantity_required"),
        ({"unit": "袋"}, "quantity", "more_than_received"),
        ({"item": "面粉"}, "quantity", "more_than_received"),
        ({"used_on": "2026-03-11"}, "used_on", "future_date"),
        ({"item": ""}, "item", "required"),
    ],
)
def test_bad_stock_use_is_refused(world: DonationWorld, data: dict[str, Any], field: str, code: str) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(actor=manager, canteen_id=world.canteen.pk, **rice())
    args = {"item": "大米", "quantity": "1", "unit": "公斤", "used_on": "2026-03-10"} | data
    # when
    with pytest.raises(InvalidInput) as exc:
        stock_use_record(actor=manager, canteen_id=world.canteen.pk, **args)
    # then
    assert _error(exc)[:2] == (field, code)
    assert StockUse.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("resident", False),
        ("auditor", False),
        ("village_a2_officer", False),
        ("town_b_officer", False),
        ("village_a1_officer", True),
        ("manager_a1", True),
        ("town_a_officer", True),
        ("admin", True),
    ],
)
def test_who_may_record_stock_use(world: DonationWorld, who: str, allowed: bool) -> None:
    # given
    donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice())
    args = {"item": "大米", "quantity": "1", "unit": "公斤", "used_on": "2026-03-10"}
    # when / then
    if allowed:
        stock_use_record(actor=world.users[who], canteen_id=world.canteen.pk, **args)
        assert StockUse.objects.count() == 1
    else:
        with pytest.raises(NotFound):
            stock_use_record(actor=world.users[who], canteen_id=world.canteen.pk, **args | {"quantity": "-1"})
        assert StockUse.objects.count() == 0


def test_a_user_without_grants_is_not_found(world: DonationWorld) -> None:
    with pytest.raises(NotFound):
        stock_use_record(
            actor=make_user("nobody"),
            canteen_id=world.canteen.pk,
            item="大米",
            quantity="1",
            unit="公斤",
            used_on="2026-03-10",
        )


# --- A donor chosen from a subject search --------------------------------------------------------
def test_a_village_officer_picks_the_donor_from_a_search(world: DonationWorld) -> None:
    # when: no name typed: the file's name is the donor's
    r = donation_record(
        actor=world.users["village_a1_officer"],
        canteen_id=world.canteen.pk,
        **money(donor_name="", donor_subject_id=world.giver.pk, value="100"),
    )
    # then
    assert (r.donation.donor_id, r.donation.donor_name, r.credit, r.donation.credit_points) == (
        world.giver.pk, "王大海", "recorded", 1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "subject"),
    [
        ("manager_a1", "giver"),  # a canteen manager searches no credit files
        ("village_a1_officer", "firm"),  # an organisation given as a person
        ("village_a1_officer", "outsider"),  # another town's resident, outside the officer's search
    ],
)
def test_a_donor_file_the_actor_cannot_search_is_refused(world: DonationWorld, who: str, subject: str) -> None:
    # given
    outsider = make_person(world.tree.village_b1, name="外村人").subject
    subjects = {"giver": world.giver, "firm": world.firm, "outsider": outsider}
    # when
    with pytest.raises(InvalidInput) as exc:
        donation_record(
            actor=world.users[who],
            canteen_id=world.canteen.pk,
            **money(donor_name="", donor_subject_id=subjects[subject].pk),
        )
    # then
    assert _error(exc)[:2] == ("donor_subject_id", "donor_unknown")
    assert Donation.objects.count() == 0
