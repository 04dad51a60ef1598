"""The budget page and the donations page: exact figures, who sees what, the forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongxin.funds.models import Allocation, BudgetLine, Donation, JournalEntry
from rongxin.funds.services.allocations import allocation_create
from rongxin.funds.services.budget import line_spending_record
from rongxin.funds.tests.books_helpers import FundsWorld, pdf
from rongxin.funds.tests.county_helpers import DAY, funded, voucher

pytestmark = pytest.mark.django_db

URL = "/funds/county/2026/"


def _client(world: FundsWorld, who: str) -> Client:
    c = Client()
    user = world.users()[who]
    if user is not None:
        c.force_login(user)
    return c


def _posted(world: FundsWorld) -> dict[str, BudgetLine]:
    lines = funded(world)
    allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=DAY, amount="120000.25", purpose="崖头实践所建设",
        recipient_fund_id=world.funds["town_a"].pk, **voucher("p1"),
    )  # fmt: skip
    allocation_create(
        actor=world.keeper, budget_line_id=lines["building"].pk, on=dt.date(2026, 4, 1), amount="30000",
        purpose="烟墩角实践站建设", recipient_fund_id=world.funds["village_b1"].pk, **voucher("p2"),
    )  # fmt: skip
    line_spending_record(
        actor=world.keeper, budget_line_id=lines["canteens"].pk, on=DAY, amount="9999.75", memo="食堂设备",
        **voucher("p3"),
    )  # fmt: skip
    return lines


def test_budget_page_shows_exact_figures(world: FundsWorld) -> None:
    # given
    _posted(world)
    # when
    r = _client(world, "keeper").get(URL)
    # then
    assert r.status_code == 200
    html = r.content.decode()
    rows = [(x["budget"], x["allocated"], x["spent"], x["left"]) for x in r.context["rows"]]
    assert rows == [
        ("¥400,000.00", "¥150,000.25", "¥0.00", "¥249,999.75"),
        ("¥0.00", "¥0.00", "¥0.00", "¥0.00"),
        ("¥100,000.00", "¥0.00", "¥9,999.75", "¥90,000.25"),
        ("¥0.00", "¥0.00", "¥0.00", "¥0.00"),
        ("¥0.00", "¥0.00", "¥0.00", "¥0.00"),
    ]
    assert [x["label"] for x in r.context["rows"]] == [str(label) for _code, label in BudgetLine.Line.choices]
    assert r.context["totals"] == {
        "budget": "¥500,000.00",
        "allocated": "¥150,000.25",
        "spent": "¥9,999.75",
        "left": "¥340,000.00",
        "appropriated": "¥1,000,000.00",
        "bank": "¥840,000.00",
    }
    assert "崖头实践所建设" in html
    assert "烟墩角实践站建设" in html
    assert "食堂设备" in html
    assert 'action="/funds/county/2026/allocations/"' in html


def test_filters_narrow_the_allocations(world: FundsWorld) -> None:
    _posted(world)
    c = _client(world, "keeper")
    by_town = c.get(URL, {"town": world.tree.town_b.code})
    assert [a.purpose for a, _, _r in by_town.context["allocations"]] == ["烟墩角实践站建设"]
    by_date = c.get(URL, {"until": "2026-03-31"})
    assert [a.purpose for a, _, _r in by_date.context["allocations"]] == ["崖头实践所建设"]


@pytest.mark.parametrize(
    ("who", "status", "purposes", "forms"),
    [
        ("anonymous", 302, None, False),
        ("nobody", 404, None, False),
        ("keeper", 200, ["烟墩角实践站建设", "崖头实践所建设"], True),
        ("auditor", 200, ["烟墩角实践站建设", "崖头实践所建设"], False),
        ("town_a", 200, ["崖头实践所建设"], False),
        ("town_b", 200, ["烟墩角实践站建设"], False),
        ("village_a1", 200, [], False),
        ("village_b1", 200, ["烟墩角实践站建设"], False),
    ],
)
def test_who_reads_the_budget_page(
    world: FundsWorld, who: str, status: int, purposes: list[str] | None, forms: bool
) -> None:
    _posted(world)
    r = _client(world, who).get(URL)
    assert r.status_code == status
    if purposes is not None:
        assert [a.purpose for a, _, _r in r.context["allocations"]] == purposes
        assert r.context["keeper"] is forms
        assert ("食堂设备" in r.content.decode()) is (who in ("keeper", "auditor"))


def _allocation_post(world: FundsWorld, lines: dict[str, BudgetLine], **change: object) -> dict[str, object]:
    data: dict[str, object] = {
        "budget_line_id": str(lines["building"].pk),
        "recipient": f"fund:{world.funds['village_a2'].pk}",
        "on": "2026-05-01",
        "amount": "5000.00",
        "purpose": "西山实践站",
        "voucher": SimpleUploadedFile("v.pdf", pdf("page"), content_type="application/pdf"),
    }
    data.update(change)
    return data


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "town_b", "village_a1", "village_b1"])
def test_only_the_keeper_posts_the_forms(world: FundsWorld, who: str) -> None:
    lines = funded(world)
    before = JournalEntry.objects.count()
    c = _client(world, who)
    r = c.post(URL + "allocations/", _allocation_post(world, lines))
    assert r.status_code in (302, 404)
    if who != "anonymous":
        assert r.status_code == 404
    r2 = c.post(URL + "lines/", {"line": "building", "amount": "1"})
    assert r2.status_code == r.status_code
    assert Allocation.objects.count() == 0
    assert JournalEntry.objects.count() == before
    assert BudgetLine.objects.get(line="building").amount == Decimal("400000.00")


def test_keeper_allocates_through_the_page(world: FundsWorld) -> None:
    lines = funded(world)
    r = _client(world, "keeper").post(URL + "allocations/", _allocation_post(world, lines))
    assert r.status_code == 302
    a = Allocation.objects.get()
    assert (a.amount, a.recipient_fund_id, a.purpose) == (
        Decimal("5000.00"),
        world.funds["village_a2"].pk,
        "西山实践站",
    )


def test_page_shows_errors_on_the_form(world: FundsWorld) -> None:
    lines = funded(world)
    r = _client(world, "keeper").post(URL + "allocations/", _allocation_post(world, lines, amount="400000.01"))
    assert r.status_code == 422
    [message] = r.context["allocation_form"].errors["amount"]
    assert "¥400,000.00" in message
    assert "¥400,000.01" in message
    assert Allocation.objects.count() == 0
    r = _client(world, "keeper").post(URL + "lines/", {"line": "building", "amount": "1.001"})
    assert r.status_code == 422
    assert list(r.context["line_form"].errors) == ["amount"]


def test_donations_page_records_and_lists(world: FundsWorld) -> None:
    c = _client(world, "village_a1")
    url = f"/funds/{world.funds['village_a1'].pk}/donations/"
    r = c.post(
        url,
        {
            "kind": "money",
            "donor_name": "王大海",
            "anonymous": "on",
            "amount": "300",
            "on": "2026-05-02",
            "voucher": SimpleUploadedFile("d.pdf", pdf("don"), content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    d = Donation.objects.get()
    assert (d.donor_name, d.anonymous, d.amount) == ("王大海", True, Decimal("300.00"))
    page = c.get(url)
    assert page.status_code == 200
    assert "王大海" in page.content.decode()
    # the town officer reads the village's donations but has no form
    town = _client(world, "town_a").get(url)
    assert (town.status_code, town.context["form"]) == (200, None)
    # another village's officer: not found, and cannot post
    assert _client(world, "village_b1").get(url).status_code == 404
    assert _client(world, "village_b1").post(url, {"kind": "money"}).status_code == 404
    assert Donation.objects.count() == 1


def test_keeper_sets_a_line_records_money_and_spends_through_the_page(world: FundsWorld) -> None:
    c = _client(world, "keeper")
    assert c.post(URL + "lines/", {"line": "lectures", "amount": "８０００"}).status_code == 302
    line = BudgetLine.objects.get(line="lectures")
    assert line.amount == Decimal("8000.00")
    r = c.post(
        URL + "appropriations/",
        {
            "on": "2026-02-01",
            "amount": "10000",
            "memo": "第一批拨款",
            "voucher": SimpleUploadedFile("a.pdf", pdf("ap"), content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    r = c.post(
        URL + "spending/",
        {
            "budget_line_id": str(line.pk),
            "on": "2026-02-02",
            "amount": "7999.99",
            "memo": "宣讲资料印制",
            "voucher": SimpleUploadedFile("s.pdf", pdf("sp"), content_type="application/pdf"),
        },
    )
    assert r.status_code == 302
    page = c.get(URL)
    lectures = next(x for x in page.context["rows"] if x["label"] == str(BudgetLine.Line.LECTURES.label))
    assert (lectures["spent"], lectures["left"]) == ("¥7,999.99", "¥0.01")
    assert page.context["totals"]["bank"] == "¥2,000.01"


def test_a_voucher_that_is_not_a_pdf_or_image_stays_on_the_form(world: FundsWorld) -> None:
    r = _client(world, "keeper").post(
        URL + "appropriations/",
        {
            "on": "2026-02-01",
            "amount": "10",
            "memo": "拨款",
            "voucher": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        },
    )
    assert r.status_code == 422
    assert list(r.context["appropriation_form"].errors) == ["voucher"]
    assert JournalEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "reads", "records"),
    [
        ("anonymous", 302, 302),
        ("nobody", 404, 404),
        ("keeper", 200, 404),
        ("auditor", 200, 404),
        ("town_a", 200, 404),
        ("town_b", 404, 404),
        ("village_a1", 200, 302),
        ("village_a2", 404, 404),
        ("village_b1", 404, 404),
    ],
)
def test_donations_page_matrix(world: FundsWorld, who: str, reads: int, records: int) -> None:
    url = f"/funds/{world.funds['village_a1'].pk}/donations/"
    c = _client(world, who)
    assert c.get(url).status_code == reads
    r = c.post(
        url,
        {
            "kind": "money",
            "donor_name": "王大海",
            "amount": "50",
            "on": "2026-05-02",
            "voucher": SimpleUploadedFile("d.pdf", pdf(who), content_type="application/pdf"),
        },
    )
    assert r.status_code == records
    assert Donation.objects.count() == (1 if who == "village_a1" else 0)
