"""The donation pages: the staff list and forms (who may, what they show) and the public notice
(no sign-in; anonymous donors hidden, persons by surname only; planned canteens 404)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rongxin.canteens.models import Canteen, Donation, StockUse
from rongxin.canteens.services.donations import donation_record, stock_use_record
from rongxin.canteens.tests.donations_helpers import (
    DonationWorld,
    donation_world,
    frozen_clock,
    make_canteen,
    money,
    rice,
)
from rongxin.conftest import Tree, client_for

pytestmark = pytest.mark.django_db

ROLES = [
    ("anonymous", 302),
    ("resident", 404),
    ("village_a2_officer", 404),
    ("town_b_officer", 404),
    ("manager_a1", 302),
    ("village_a1_officer", 302),
    ("town_a_officer", 302),
    ("admin", 302),
]


@pytest.fixture
def frozen() -> Iterator[Any]:
    yield from frozen_clock()


@pytest.fixture
def world(tree: Tree, frozen: Any) -> DonationWorld:
    return donation_world(tree)


def _url(world: DonationWorld, tail: str = "donations/") -> str:
    return f"/canteens/{world.canteen.pk}/{tail}"


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_who_may_record_a_donation_on_the_page(world: DonationWorld, who: str, status: int) -> None:
    # given
    client = client_for(world.users[who])
    # when
    r = client.post(_url(world), money())
    # then
    assert r.status_code == status
    recorded = who not in ("anonymous", "resident", "village_a2_officer", "town_b_officer")
    assert Donation.objects.count() == (1 if recorded else 0)
    if who == "anonymous":
        assert r["Location"].startswith("/login/")
    elif recorded:
        assert r["Location"] == _url(world)


@pytest.mark.parametrize(("who", "status"), ROLES)
def test_who_may_record_stock_use_on_the_page(world: DonationWorld, who: str, status: int) -> None:
    # given
    donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice())
    client = client_for(world.users[who])
    # when
    r = client.post(
        _url(world, "donations/stock-use/"), {"item": "大米", "quantity": "5", "unit": "公斤", "used_on": "2026-03-10"}
    )
    # then
    assert r.status_code == status
    recorded = who not in ("anonymous", "resident", "village_a2_officer", "town_b_officer")
    assert StockUse.objects.count() == (1 if recorded else 0)


def test_a_negative_quantity_goes_back_on_the_form_in_chinese(world: DonationWorld) -> None:
    # when
    r = client_for(world.users["manager_a1"]).post(_url(world), rice(quantity="-5"))
    # then
    assert r.status_code == 422
    assert "请输入数字" in r.content.decode()
    assert Donation.objects.count() == 0


def test_the_staff_page_tells_the_credit_and_the_donors_full_name(world: DonationWorld) -> None:
    # given
    client = client_for(world.users["manager_a1"])
    data = money(donor_name="李小梅", donor_identifier=world.shy_id_number, value="800", anonymous="on")
    # when
    posted = client.post(_url(world), data, follow=True)
    # then
    page = posted.content.decode()
    assert posted.status_code == 200
    assert "捐赠已记录，并在公示页上公开。" in page
    assert page.count("不记信用分：捐赠人未同意信用评分。捐赠照常记录并公示。") == 2  # the message and the list
    assert '<strong class="cd-donor">李小梅</strong>' in page
    assert world.shy_id_number not in page


def test_the_page_says_how_many_points_were_earned(world: DonationWorld) -> None:
    # when
    posted = client_for(world.users["manager_a1"]).post(
        _url(world), money(donor_name="王大海", donor_identifier=world.giver_id_number, value="300"), follow=True
    )
    # then
    assert "已记信用分：3 分。" in posted.content.decode()


def test_the_public_notice_hides_anonymous_donors_and_shows_persons_by_surname(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(
        actor=manager, canteen_id=world.canteen.pk, **money(donor_name="李小梅", anonymous=True, value="800")
    )
    donation_record(
        actor=manager,
        canteen_id=world.canteen.pk,
        **rice(donor_kind="organisation", donor_name="荣成市海洋食品有限公司", anonymous=True),
    )
    donation_record(actor=manager, canteen_id=world.canteen.pk, **rice(donor_name="王大海", value="120.50"))
    donation_record(
        actor=manager,
        canteen_id=world.canteen.pk,
        **money(donor_kind="organisation", donor_name="威海银行", value="1000"),
    )
    stock_use_record(
        actor=manager, canteen_id=world.canteen.pk, item="大米", quantity="30", unit="公斤", used_on="2026-03-10"
    )
    # when
    r = Client().get(_url(world, "notice/"))
    # then
    page = r.content.decode()
    assert r.status_code == 200
    assert "李小梅" not in page
    assert "荣成市海洋食品有限公司" not in page
    assert "王大海" not in page
    donors = [x.split("</strong>")[0] for x in page.split('<strong class="cd-donor">')[1:]]
    assert donors == ["威海银行", "王**", "爱心企业", "爱心人士"]  # latest first
    assert '<span class="num" id="money-total">¥1800.00</span>' in page
    assert '<span class="num" id="goods-total">¥370.50</span>' in page
    assert '<td>2026-03</td><td class="num">4</td><td class="num">¥1800.00</td><td class="num">¥370.50</td>' in page
    assert "<strong>70 公斤</strong>" in page


def test_a_planned_or_missing_canteen_has_no_notice(world: DonationWorld) -> None:
    # given
    planned = make_canteen(world.tree, village=world.tree.village_a2, status=Canteen.Status.PLANNED, name="西山食堂")
    # when
    statuses = [Client().get(f"/canteens/{pk}/notice/").status_code for pk in (planned.pk, world.canteen.pk + 99)]
    # then
    assert statuses == [404, 404]


def test_the_notice_page_is_rate_limited(world: DonationWorld, settings: Any) -> None:
    # given
    settings.RONGXIN_NOTICE_RATE = "2/m"
    client = Client()
    # when
    statuses = [client.get(_url(world, "notice/")).status_code for _ in range(3)]
    # then
    assert statuses == [200, 200, 429]
