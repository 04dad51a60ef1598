"""The books' API under /api/v1/funds: who lists and reads, who writes (asked before the body is
read), the journal's pages and filters, bad input as problem+json."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.funds.models import JournalEntry, PeriodClose
from rongxin.funds.tests.books_helpers import FundsWorld, pdf
from rongxin.funds.tests.books_staff_helpers import READERS_A1, balance, income, snapshot, spend

pytestmark = pytest.mark.django_db

API = "/api/v1/funds"
PROBLEM = "application/problem+json"
USERS = ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"]


def _a1(world: FundsWorld) -> str:
    return f"{API}/{world.funds['village_a1'].pk}"


def _income(amount: str = "300.00", **kw: Any) -> dict[str, Any]:
    return {
        "kind": "welfare",
        "on": "2026-03-02",
        "amount": amount,
        "memo": "三月福利归集",
        "voucher": SimpleUploadedFile("回单.pdf", pdf("api"), content_type="application/pdf"),
    } | kw


def _json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("who", USERS)
def test_who_lists_which_funds(world: FundsWorld, who: str) -> None:
    r = client_for(world.users()[who]).get(API)
    if who == "anonymous":
        assert r.status_code == 401
        assert r["Content-Type"] == PROBLEM
        return
    names = {x["name"]: x["keeps"] for x in r.json()["items"]}
    expected = {
        "nobody": {},
        "auditor": 7,
        "keeper": 7,
        "town_a": {"崖头街道信用基金": True, "东山社区信用基金": False, "西山社区信用基金": False},
        "town_b": {"俚岛镇信用基金": True, "烟墩角村信用基金": False, "马栏湾村信用基金": False},
        "village_a1": {"东山社区信用基金": True},
        "village_a2": {"西山社区信用基金": True},
        "village_b1": {"烟墩角村信用基金": True},
    }[who]
    if isinstance(expected, int):
        assert r.json()["total"] == expected
        assert [n for n, keeps in names.items() if keeps] == (
            ["荣成市新时代文明实践专项资金"] if who == "keeper" else []
        )
    else:
        assert names == expected


@pytest.mark.parametrize("who", USERS)
def test_who_reads_a_fund_and_its_entries(world: FundsWorld, who: str) -> None:
    e = income(world.village_a1, world.funds["village_a1"], "300.00")
    client = client_for(world.users()[who])
    for url in (_a1(world), f"{_a1(world)}/entries", f"{_a1(world)}/entries/{e.pk}"):
        r = client.get(url)
        expected = 401 if who == "anonymous" else 200 if who in READERS_A1 else 404
        assert r.status_code == expected, url
    reads = AuditEvent.objects.filter(action="fund.read").count()
    assert reads == (3 if who in READERS_A1 else 0)


def test_a_fund_with_its_trial_balance(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    income(world.village_a1, fund, "300.00")
    spend(world.village_a1, fund, "20.50", kind="reward")
    body = client_for(world.town_a).get(_a1(world)).json()
    assert body["fund"]["keeps"] is False
    assert (body["debits"], body["credits"]) == ("320.50", "320.50")
    rows = {a["code"]: (a["debits"], a["credits"], a["balance"]) for a in body["accounts"]}
    assert rows["1001"] == ("300.00", "20.50", "279.50")
    assert rows["5103"] == ("20.50", "0.00", "20.50")


def test_entries_page_and_filter(world: FundsWorld) -> None:
    fund = world.funds["village_a1"]
    for i in range(3):
        income(world.village_a1, fund, f"{i + 1}.00", tag=f"e{i}")
    spend(world.village_a1, fund, "1.00", kind="reward", tag="r")
    client = client_for(world.auditor)
    page = client.get(f"{_a1(world)}/entries", {"limit": 2, "offset": 1}).json()
    assert (page["total"], [x["number"] for x in page["items"]]) == (4, [3, 2])
    only = client.get(f"{_a1(world)}/entries", {"account": "5103"}).json()
    assert [(x["number"], x["kind"], x["amount"]) for x in only["items"]] == [(4, "reward", "1.00")]
    assert only["items"][0]["lines"] == [
        {"account": "5103", "account_name": "信用积分兑换支出", "amount": "1.00", "note": ""},
        {"account": "1001", "account_name": "银行存款", "amount": "-1.00", "note": ""},
    ]
    bad = client.get(f"{_a1(world)}/entries", {"month": "2026-13"})
    assert (bad.status_code, bad["Content-Type"], bad.json()["code"]) == (422, PROBLEM, "invalid_month")


@pytest.mark.parametrize("who", USERS)
def test_who_may_record_income(world: FundsWorld, who: str) -> None:
    # given: those who may not send an invalid body as well
    before = snapshot()
    body = _income() if who == "village_a1" else _income("12.345", kind="nonsense")
    # when
    r = client_for(world.users()[who]).post(f"{_a1(world)}/income", body)
    # then
    if who == "village_a1":
        assert r.status_code == 201, r.content
        got = r.json()
        assert (got["number"], got["kind"], got["amount"], got["voucher_name"]) == (1, "welfare", "300.00", "回单.pdf")
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert r["Content-Type"] == PROBLEM
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_record_spending(world: FundsWorld, who: str) -> None:
    income(world.village_a1, world.funds["village_a1"], "100.00")
    before = snapshot()
    body = {"kind": "reward", "on": "2026-03-03", "amount": "30", "memo": "积分兑换"}
    body["voucher"] = SimpleUploadedFile("a.pdf", pdf("s"))  # type: ignore[assignment]
    r = client_for(world.users()[who]).post(f"{_a1(world)}/spending", body)
    if who == "village_a1":
        assert r.status_code == 201
        assert balance(world.funds["village_a1"], "1001") == Decimal("70.00")
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_reverse(world: FundsWorld, who: str) -> None:
    e = income(world.village_a1, world.funds["village_a1"], "100.00")
    before = snapshot()
    body = {"on": "2026-04-01", "reason": "录错"} if who == "village_a1" else {"on": "nope"}
    r = _json(client_for(world.users()[who]), f"{_a1(world)}/entries/{e.pk}/reverse", body)
    if who == "village_a1":
        assert r.status_code == 201
        assert (r.json()["kind"], r.json()["reverses_number"]) == ("reversal", 1)
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert snapshot() == before


@pytest.mark.parametrize("who", USERS)
def test_who_may_close(world: FundsWorld, who: str) -> None:
    before = snapshot()
    r = _json(client_for(world.users()[who]), f"{_a1(world)}/close", {"month": "2026-01"})
    if who == "village_a1":
        assert r.status_code == 201
        assert r.json()["closed_through"] == "2026-01-31"
        assert PeriodClose.objects.count() == 1
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert snapshot() == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"amount": "12.345"}, 422, "too_many_decimals"),
        ({"amount": "-5"}, 422, "not_positive"),
        ({"memo": "福利\u0007"}, 422, "invalid_text"),
        ({"on": "2026-06-01"}, 422, "future_date"),
        ({"voucher": SimpleUploadedFile("x.pdf", b"not a pdf at all")}, 422, "voucher_type"),
    ],
)
def test_bad_input_is_problem_json(world: FundsWorld, change: dict[str, Any], status: int, code: str) -> None:
    r = client_for(world.village_a1).post(f"{_a1(world)}/income", _income(**change))
    assert (r.status_code, r["Content-Type"]) == (status, PROBLEM)
    assert code in (r.json()["code"], r.json()["errors"][0]["code"])
    assert JournalEntry.objects.count() == 0


def test_full_width_amount_and_double_submit(world: FundsWorld) -> None:
    client = client_for(world.village_a1)
    first = client.post(f"{_a1(world)}/income", _income("１２.５０"))
    second = client.post(f"{_a1(world)}/income", _income("12.50"))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] == second.json()["id"]
    assert balance(world.funds["village_a1"], "1001") == Decimal("12.50")


def test_an_oversized_voucher_is_refused(world: FundsWorld, settings: Any) -> None:
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 30
    r = client_for(world.village_a1).post(f"{_a1(world)}/income", _income())
    assert (r.status_code, r.json()["code"]) == (422, "voucher_too_large")
    assert JournalEntry.objects.count() == 0


def test_spending_beyond_the_bank_and_a_second_reversal(world: FundsWorld) -> None:
    e = income(world.village_a1, world.funds["village_a1"], "10.00")
    client = client_for(world.village_a1)
    body = {"kind": "reward", "on": "2026-03-03", "amount": "10.01", "memo": "x"}
    body["voucher"] = SimpleUploadedFile("a.pdf", pdf("s"))  # type: ignore[assignment]
    r = client.post(f"{_a1(world)}/spending", body)
    assert (r.status_code, r.json()["code"], r.json()["errors"][0]["field"]) == (422, "insufficient_funds", "amount")
    _json(client, f"{_a1(world)}/entries/{e.pk}/reverse", {"on": "2026-04-01", "reason": "录错"})
    again = _json(client, f"{_a1(world)}/entries/{e.pk}/reverse", {"on": "2026-04-01", "reason": "录错"})
    assert (again.status_code, again["Content-Type"], again.json()["code"]) == (409, PROBLEM, "already_reversed")
