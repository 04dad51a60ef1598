"""The donations API: who may record and list, the duplicate answer, the public notice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from rongxin.canteens.models import Canteen, Donation, StockUse
from rongxin.canteens.services.donations import donation_record
from rongxin.canteens.tests.donations_helpers import DonationWorld, donation_world, frozen_clock, money, rice
from rongxin.conftest import Tree, client_for
from rongxin.credit.models import Entry

pytestmark = pytest.mark.django_db

API = "/api/v1/canteens"
PROBLEM = "application/problem+json"
ALLOWED = {"manager_a1", "village_a1_officer", "town_a_officer", "admin"}


@pytest.fixture
def frozen() -> Iterator[Any]:
    yield from frozen_clock()


@pytest.fixture
def world(tree: Tree, frozen: Any) -> DonationWorld:
    return donation_world(tree)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "who", ["anonymous", "resident", "auditor", "village_a2_officer", "town_b_officer", *sorted(ALLOWED)]
)
def test_who_may_record_a_donation(world: DonationWorld, who: str) -> None:
    # given: outsiders send a body that is invalid as well: they learn nothing from it
    client = client_for(world.users[who])
    body = money(received_on="2026-03-09") if who in ALLOWED else money(value="1.234")
    # when
    r = _post(client, f"{API}/{world.canteen.pk}/donations", body)
    # then
    expected = 201 if who in ALLOWED else 401 if who == "anonymous" else 404
    assert r.status_code == expected, r.content
    assert Donation.objects.count() == (1 if who in ALLOWED else 0)


@pytest.mark.parametrize(
    "who", ["anonymous", "resident", "auditor", "village_a2_officer", "town_b_officer", *sorted(ALLOWED)]
)
def test_who_may_record_stock_use(world: DonationWorld, who: str) -> None:
    # given
    donation_record(actor=world.users["manager_a1"], canteen_id=world.canteen.pk, **rice())
    body = {"item": "大米", "quantity": "5" if who in ALLOWED else "-5", "unit": "公斤", "used_on": "2026-03-10"}
    # when
    r = _post(client_for(world.users[who]), f"{API}/{world.canteen.pk}/stock-uses", body)
    # then
    expected = 201 if who in ALLOWED else 401 if who == "anonymous" else 404
    assert r.status_code == expected, r.content
    assert StockUse.objects.count() == (1 if who in ALLOWED else 0)


def test_a_donation_recorded_twice_is_one_and_earns_credit_once(world: DonationWorld) -> None:
    # given
    client = client_for(world.users["manager_a1"])
    body = money(donor_name="王大海", donor_identifier=world.giver_id_number, value="200", received_on="2026-03-09")
    # when
    first = _post(client, f"{API}/{world.canteen.pk}/donations", body)
    second = _post(client, f"{API}/{world.canteen.pk}/donations", body)
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert (first.json()["credit"], first.json()["credit_points"], first.json()["value"]) == ("recorded", 2, "200.00")
    assert Entry.objects.filter(subject=world.giver).count() == 1


def test_bad_input_is_a_problem_with_the_field(world: DonationWorld) -> None:
    # when
    r = _post(client_for(world.users["manager_a1"]), f"{API}/{world.canteen.pk}/donations", rice(quantity="１.２３４"))
    # then
    assert (r.status_code, r["Content-Type"], r.json()["code"]) == (422, PROBLEM, "bad_amount")
    assert r.json()["errors"][0]["field"] == "quantity"


def test_the_list_shows_full_names_and_credit(world: DonationWorld) -> None:
    # given
    donation_record(
        actor=world.users["manager_a1"],
        canteen_id=world.canteen.pk,
        **money(donor_name="李小梅", donor_identifier=world.shy_id_number, anonymous=True, value="800"),
    )
    # when
    r = client_for(world.users["town_a_officer"]).get(f"{API}/{world.canteen.pk}/donations")
    # then
    item = r.json()["items"][0]
    assert (r.json()["total"], item["donor_name"], item["anonymous"], item["credit"], item["donor_subject_id"]) == (
        1, "李小梅", True, "no_consent", world.shy.pk,
    )  # fmt: skip


def test_the_public_notice_needs_no_sign_in(world: DonationWorld) -> None:
    # given
    manager = world.users["manager_a1"]
    donation_record(
        actor=manager, canteen_id=world.canteen.pk, **money(donor_name="李小梅", anonymous=True, value="800")
    )
    donation_record(actor=manager, canteen_id=world.canteen.pk, **rice(donor_name="王大海"))
    # when
    r = Client().get(f"{API}/{world.canteen.pk}/notice")
    # then
    body = r.json()
    assert r.status_code == 200
    assert [(d["donor"], d["kind"], d["value"]) for d in body["donations"]] == [
        ("王**", "goods", "250.00"),
        ("爱心人士", "money", "800.00"),
    ]
    assert (body["canteen_name"], body["village"], body["money_total"], body["goods_total"]) == (
        "东山暖心食堂", "东山社区", "800.00", "250.00",
    )  # fmt: skip
    assert body["stock"] == [{"item": "大米", "unit": "公斤", "received": "50.00", "used": "0.00", "on_hand": "50.00"}]
    assert "李小梅" not in r.content.decode()


def test_a_planned_canteen_has_no_public_notice(world: DonationWorld) -> None:
    # given
    Canteen.objects.filter(pk=world.canteen.pk).update(status=Canteen.Status.PLANNED)
    # when
    r = Client().get(f"{API}/{world.canteen.pk}/notice")
    # then
    assert (r.status_code, r["Content-Type"]) == (404, PROBLEM)


def test_the_public_notice_api_is_rate_limited(world: DonationWorld, settings: Any) -> None:
    # given
    settings.RONGXIN_NOTICE_RATE = "2/m"
    client = Client()
    # when
    responses = [client.get(f"{API}/{world.canteen.pk}/notice") for _ in range(3)]
    # then
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert (responses[2]["Content-Type"], responses[2].json()["code"]) == (PROBLEM, "rate_limited")
