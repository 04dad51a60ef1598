"""The county fund and donations API: reads, writes with multipart vouchers, problem+json."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongxin.funds.models import Allocation, BudgetLine, Donation, JournalEntry
from rongxin.funds.tests.books_helpers import FundsWorld, pdf
from rongxin.funds.tests.county_helpers import funded

pytestmark = pytest.mark.django_db

API = "/api/v1/funds"


def _client(world: FundsWorld, who: str) -> Client:
    c = Client()
    user = world.users()[who]
    if user is not None:
        c.force_login(user)
    return c


def _file(tag: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{tag}.pdf", pdf(tag), content_type="application/pdf")


def test_keeper_sets_a_line_and_reads_the_budget(world: FundsWorld) -> None:
    c = _client(world, "keeper")
    r = c.put(f"{API}/county/2026/lines/building", {"amount": "400000.50"}, content_type="application/json")
    assert r.status_code == 200
    assert r.json() | {"id": 0} == {"id": 0, "year": 2026, "line": "building", "amount": "400000.50", "account": "5201"}
    r = c.get(f"{API}/county/2026/budget")
    body = r.json()
    assert (body["budget"], body["left"], body["bank"]) == ("400000.50", "400000.50", "0.00")
    assert [x["line"] for x in body["lines"]] == ["building", "activities", "canteens", "lectures", "commendations"]


def test_appropriation_allocation_and_spending_over_multipart(world: FundsWorld) -> None:
    c = _client(world, "keeper")
    r = c.post(
        f"{API}/county/appropriations",
        {"on": "2026-01-05", "amount": "100000", "memo": "拨款", "voucher": _file("a")},
    )
    assert r.status_code == 201, r.content
    assert (r.json()["kind"], r.json()["amount"]) == ("appropriation", "100000.00")
    c.put(f"{API}/county/2026/lines/activities", {"amount": "50000"}, content_type="application/json")
    line = BudgetLine.objects.get(line="activities")
    r = c.post(
        f"{API}/county/allocations",
        {
            "budget_line_id": line.pk,
            "on": "2026-03-01",
            "amount": "20000.10",
            "purpose": "志愿服务活动",
            "recipient_fund_id": world.funds["town_b"].pk,
            "voucher": _file("b"),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["amount"], body["to"], body["line"], body["recipient_fund_id"]) == (
        "20000.10", "俚岛镇信用基金", "activities", world.funds["town_b"].pk,
    )  # fmt: skip
    r = c.post(
        f"{API}/county/spending",
        {"budget_line_id": line.pk, "on": "2026-03-02", "amount": "30000.00", "memo": "x", "voucher": _file("c")},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["code"] == "beyond_line"
    assert r["Content-Type"].startswith("application/problem+json")
    listed = c.get(f"{API}/county/2026/allocations").json()
    assert (listed["total"], listed["items"][0]["purpose"]) == (1, "志愿服务活动")
    # a town officer of the other town sees none of it
    assert _client(world, "town_a").get(f"{API}/county/2026/allocations").json()["total"] == 0
    assert _client(world, "town_b").get(f"{API}/county/2026/allocations").json()["total"] == 1


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "town_b", "village_a1", "village_b1"])
def test_writes_are_the_keepers(world: FundsWorld, who: str) -> None:
    lines = funded(world)
    before = JournalEntry.objects.count()
    c = _client(world, who)
    r1 = c.put(f"{API}/county/2026/lines/building", {"amount": "1"}, content_type="application/json")
    r2 = c.post(
        f"{API}/county/allocations",
        {
            "budget_line_id": lines["building"].pk, "on": "2026-03-01", "amount": "1", "purpose": "x",
            "recipient_fund_id": world.funds["town_a"].pk, "voucher": _file("n"),
        },
    )  # fmt: skip
    r3 = c.post(f"{API}/county/appropriations", {"on": "2026-03-01", "amount": "1", "memo": "x", "voucher": _file("m")})
    expected = 401 if who == "anonymous" else 404
    assert (r1.status_code, r2.status_code, r3.status_code) == (expected, expected, expected)
    assert BudgetLine.objects.get(line="building").amount == Decimal("400000.00")
    assert (Allocation.objects.count(), JournalEntry.objects.count()) == (0, before)


def test_donation_over_the_api(world: FundsWorld) -> None:
    fund = world.funds["town_a"]
    c = _client(world, "town_a")
    data = {
        "kind": "goods",
        "amount": "880.00",
        "on": "2026-05-01",
        "donor_name": "荣成市海洋食品有限公司",
        "goods": "米面油",
    }
    r = c.post(f"{API}/{fund.pk}/donations", {**data, "voucher": _file("d")})
    assert r.status_code == 201, r.content
    again = c.post(f"{API}/{fund.pk}/donations", {**data, "voucher": _file("d")})
    assert (again.status_code, again.json()["id"]) == (200, r.json()["id"])
    assert Donation.objects.count() == 1
    listed = c.get(f"{API}/{fund.pk}/donations").json()
    assert (listed["total"], listed["goods"], listed["money"]) == (1, "880.00", "0.00")
    # a village officer under the town reads nothing of the town's fund and cannot record
    v = _client(world, "village_a1")
    assert v.get(f"{API}/{fund.pk}/donations").status_code == 404
    assert v.post(f"{API}/{fund.pk}/donations", {**data, "voucher": _file("e")}).status_code == 404
    bad = c.post(f"{API}/{fund.pk}/donations", {**data, "amount": "1.005", "voucher": _file("f")})
    assert (bad.status_code, bad.json()["code"]) == (422, "too_many_decimals")
    assert Donation.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("nobody", 404),
        ("keeper", 200),
        ("auditor", 200),
        ("town_a", 200),
        ("town_b", 200),
        ("village_a1", 200),
        ("village_b1", 200),
    ],
)
def test_who_reads_the_budget(world: FundsWorld, who: str, status: int) -> None:
    funded(world)
    r = _client(world, who).get(f"{API}/county/2026/budget")
    assert r.status_code == status
    if status == 200:
        assert (r.json()["budget"], r.json()["fund_id"]) == ("500000.00", world.county_fund.pk)


def test_an_oversized_voucher_is_refused_before_anything_is_written(world: FundsWorld, settings: object) -> None:
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 64  # type: ignore[attr-defined]
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 100 + b"\n%%EOF\n", content_type="application/pdf")
    r = _client(world, "keeper").post(
        f"{API}/county/appropriations", {"on": "2026-01-05", "amount": "1", "memo": "x", "voucher": big}
    )
    assert (r.status_code, r.json()["code"]) == (422, "voucher_too_large")
    assert JournalEntry.objects.count() == 0
