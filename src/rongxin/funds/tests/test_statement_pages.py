"""The public statement: page (Chinese and English), A4 PDF and JSON, for anyone signed in or not;
anonymous donors never named anywhere; unknown funds and quarters the same 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.funds.models import Fund
from rongxin.funds.services.books import entry_reverse
from rongxin.funds.tests.books_helpers import FundsWorld, income, spending
from rongxin.funds.tests.public_helpers import donate, media_boxes, pdf_text, post

pytestmark = pytest.mark.django_db

SECRET_DONOR = "欧阳秘密"


def _fund(world: FundsWorld) -> Fund:
    fund = world.funds["village_a1"]
    post(world, fund, "welfare", "2026-02-03", income("12000.50"))
    donate(world, fund, "2026-02-10", "500.00", "王五")
    donate(world, fund, "2026-03-01", "300.00", SECRET_DONOR, anonymous=True, goods="大米 20 袋")
    wrong = post(world, fund, "welfare", "2026-03-05", income("100.00"))
    entry_reverse(actor=None, fund_id=fund.pk, entry_id=wrong.pk, on=dt.date(2026, 3, 6), reason="重复录入")
    post(world, fund, "award", "2026-03-20", spending("200.00"))
    post(world, fund, "award", "2026-04-20", spending("10.00"))
    return fund


def _urls(fund_id: int, year: int = 2026, quarter: int = 1) -> tuple[str, str, str]:
    return (
        reverse("funds:statement", args=[fund_id, year, quarter]),
        reverse("funds:statement_pdf", args=[fund_id, year, quarter]),
        f"/api/v1/funds/public/funds/{fund_id}/statements/{year}/{quarter}",
    )


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "village_b1"])
def test_statement_page_for_everyone_in_chinese(world: FundsWorld, who: str) -> None:
    fund = _fund(world)
    page, pdf, _api = _urls(fund.pk)
    response = client_for(world.users()[who]).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert page == f"/funds/public/{fund.pk}/2026/q1/"
    assert "东山社区信用基金" in html
    assert "¥12,000.50" in html  # welfare, the reversed 100 netted away
    assert "¥12,800.50" in html  # income total
    assert "¥12,300.50" in html  # closing bank: 12000.50 + 500 - 200
    assert "¥300.00" in html  # closing goods
    assert "王五" in html
    assert "爱心人士（匿名）" in html
    assert SECRET_DONOR not in html
    assert "收入" in html
    assert "支出" in html
    assert f'href="{pdf}"' in html
    assert f'rel="next" href="/funds/public/{fund.pk}/2026/q2/"' in html
    assert 'rel="prev"' not in html
    # no voucher, no memo of an entry
    assert "/vouchers/" not in html
    assert "重复录入" not in html


def test_statement_page_in_english(world: FundsWorld) -> None:
    fund = _fund(world)
    # Pages ignore Accept-Language (the county's pages are Chinese unless the switch says otherwise).
    html = Client().get(_urls(fund.pk)[0], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "本季度捐赠" in html
    assert "爱心人士（匿名）" in html
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_urls(fund.pk)[0]).content.decode()
    assert "Income" in html
    assert "Spending" in html
    assert "Donations this quarter" in html
    assert "Anonymous donor" in html
    assert SECRET_DONOR not in html


def test_statement_pdf_is_a4_chinese_without_the_anonymous_name(world: FundsWorld) -> None:
    fund = _fund(world)
    response = Client().get(_urls(fund.pk)[1])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    assert b"/BaseFont /STSong-Light" in data
    assert b"/Encoding /UniGB-UCS2-H" in data
    assert set(media_boxes(data)) == {(0.0, 0.0, 595.2756, 841.8898)}
    text = pdf_text(data)
    assert "东山社区信用基金收支公开" in text
    assert "王五" in text
    assert "爱心人士（匿名）" in text
    assert "¥12,000.50" in text
    assert "¥12,300.50" in text
    assert not any(SECRET_DONOR in t for t in text)
    assert SECRET_DONOR.encode("utf-16-be") not in data


def test_statement_json(world: FundsWorld) -> None:
    fund = _fund(world)
    response = Client().get(_urls(fund.pk)[2])
    assert response.status_code == 200
    body = response.json()
    assert body["fund_id"] == fund.pk
    assert (body["year"], body["quarter"], body["starts_on"], body["ends_on"]) == (2026, 1, "2026-01-01", "2026-03-31")
    assert [(x["code"], x["amount"]) for x in body["income"]] == [
        ("4003", "12000.50"),
        ("4004", "500.00"),
        ("4005", "300.00"),
    ]
    assert [(x["code"], x["amount"]) for x in body["spending"]] == [("5101", "200.00")]
    assert (body["opening_bank"], body["closing_bank"], body["closing_goods"]) == ("0.00", "12300.50", "300.00")
    assert (body["income_total"], body["spending_total"], body["entries"]) == ("12800.50", "200.00", 6)
    assert [(d["donor"], d["anonymous"], d["kind"]) for d in body["donations"]] == [
        ("王五", False, "money"),
        ("爱心人士（匿名）", True, "goods"),
    ]
    assert (body["previous"], body["next"]) == (None, {"year": 2026, "quarter": 2})
    assert SECRET_DONOR not in response.content.decode()
    quarters = Client().get(f"/api/v1/funds/public/funds/{fund.pk}/quarters").json()
    assert quarters == {"fund_id": fund.pk, "quarters": [{"year": 2026, "quarter": 1}, {"year": 2026, "quarter": 2}]}


@pytest.mark.parametrize(
    ("fund_key", "year", "quarter"),
    [("missing", 2026, 1), ("a1", 2026, 3), ("a1", 2025, 4), ("a1", 2026, 7), ("a2", 2026, 1)],
)
def test_unknown_fund_or_quarter_is_the_same_404(world: FundsWorld, fund_key: str, year: int, quarter: int) -> None:
    _fund(world)
    fund_id = {"missing": 999999, "a1": world.funds["village_a1"].pk, "a2": world.funds["village_a2"].pk}[fund_key]
    page, pdf, api = _urls(fund_id, year, quarter)
    client = Client()
    for url in (page, pdf):
        response = client.get(url)
        assert response.status_code == 404
        assert "未找到" in response.content.decode() or "找不到" in response.content.decode()
    response = client.get(api)
    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    assert response.json()["code"] == "not_found"


def test_write_methods_are_refused(world: FundsWorld) -> None:
    fund = _fund(world)
    page, pdf, _api = _urls(fund.pk)
    client = Client(enforce_csrf_checks=False)
    assert [client.post(page).status_code, client.post(pdf).status_code] == [405, 405]
