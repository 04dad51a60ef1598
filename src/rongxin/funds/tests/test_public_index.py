"""The public list of funds: the county fund and the credit funds grouped by town, each with its
latest statement; search, town filter, paging, a fixed number of queries; the same as JSON."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.funds.models import Fund
from rongxin.funds.services.books import fund_open
from rongxin.funds.tests.books_helpers import OPENED, FundsWorld, income
from rongxin.funds.tests.public_helpers import post
from rongxin.regions.models import Region

pytestmark = pytest.mark.django_db

INDEX = "/funds/public/"


def _some_entries(world: FundsWorld) -> None:
    post(world, world.county_fund, "appropriation", "2026-01-10", income("1000000.00", code="4001"))
    post(world, world.funds["village_a1"], "welfare", "2026-02-03", income("100.00"))
    post(world, world.funds["village_a1"], "welfare", "2026-04-03", income("100.00"))
    post(world, world.funds["village_b1"], "welfare", "2026-03-03", income("100.00"))


def _more_villages(world: FundsWorld, n: int) -> None:
    town = world.tree.town_b
    for i in range(n):
        code = f"{town.prefix}{100 + i:03d}"
        region = Region.objects.create(code=code, prefix=code, name=f"新建{i:02d}村", level="village", parent=town)
        fund_open(
            actor=None, kind=Fund.Kind.VILLAGE_CREDIT, region=region, name=f"新建{i:02d}村信用基金", opened_on=OPENED
        )


@pytest.mark.parametrize("who", ["anonymous", "nobody", "village_a1"])
def test_index_groups_funds_by_town_with_latest_statement(world: FundsWorld, who: str) -> None:
    _some_entries(world)
    assert reverse("funds:public_index") == INDEX
    response = client_for(world.users()[who]).get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    county, a1, b1 = world.county_fund, world.funds["village_a1"], world.funds["village_b1"]
    assert "荣成市新时代文明实践专项资金" in html
    assert f'href="/funds/public/{county.pk}/2026/q1/"' in html
    assert f'href="/funds/public/{a1.pk}/2026/q2/"' in html  # the latest quarter
    assert f'href="/funds/public/{b1.pk}/2026/q1/"' in html
    assert html.count("暂无收支公开") == 4  # two towns' funds and two villages' without entries
    assert html.index("<h3>崖头街道</h3>") < html.index("东山社区信用基金") < html.index("<h3>俚岛镇</h3>")
    assert html.index("<h3>俚岛镇</h3>") < html.index("烟墩角村信用基金")
    assert "共 6 个基金" in html
    assert f'href="{reverse("funds:honours")}"' in html


def test_search_and_town_filter(world: FundsWorld) -> None:
    client = Client()
    html = client.get(INDEX, {"q": "烟墩"}).content.decode()
    assert "烟墩角村信用基金" in html
    assert "东山社区信用基金" not in html
    assert "共 1 个基金" in html
    html = client.get(INDEX, {"town": world.tree.town_a.pk}).content.decode()
    assert ("东山社区信用基金" in html, "西山社区信用基金" in html, "烟墩角村信用基金" in html) == (True, True, False)
    assert "共 3 个基金" in html
    unknown = client.get(INDEX, {"town": "999999"})
    assert unknown.status_code == 400
    assert "共 0 个基金" in unknown.content.decode()
    assert client.get(INDEX, {"q": "村\x07"}).status_code == 400


def test_paged_with_a_fixed_number_of_queries(world: FundsWorld) -> None:
    _some_entries(world)
    client = Client()
    with CaptureQueriesContext(connection) as few:
        assert client.get(INDEX).status_code == 200
    _more_villages(world, 60)
    post(world, Fund.objects.get(name="新建59村信用基金"), "welfare", "2026-02-01", income("1.00"))
    with CaptureQueriesContext(connection) as many:
        first = client.get(INDEX).content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "共 66 个基金" in first
    assert "1 / 2" in first
    assert "新建59村信用基金" not in first
    second = client.get(INDEX, {"page": "2"}).content.decode()
    assert "新建59村信用基金" in second
    assert second.count("<tr><td>") == 16
    assert "新建43村信用基金" not in second  # the 50th credit fund is the last of page 1
    assert "新建44村信用基金" in second
    assert client.get(INDEX, {"page": "２"}).status_code == 200  # not a page number: page 1


def test_index_in_english(world: FundsWorld) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(INDEX).content.decode()
    assert "Open accounts of the funds" in html
    assert "Credit funds of towns and villages" in html
    html = Client().get(INDEX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "村务公开：资金收支" in html


def test_funds_json(world: FundsWorld) -> None:
    _some_entries(world)
    body = Client().get("/api/v1/funds/public/funds", {"town": world.tree.town_a.pk}).json()
    assert [(f["name"], f["kind"], f["latest"]) for f in body["county"]] == [
        ("荣成市新时代文明实践专项资金", "county_special", {"year": 2026, "quarter": 1})
    ]
    assert [(f["name"], f["town"], f["latest"]) for f in body["items"]] == [
        ("崖头街道信用基金", "崖头街道", None),
        ("东山社区信用基金", "崖头街道", {"year": 2026, "quarter": 2}),
        ("西山社区信用基金", "崖头街道", None),
    ]
    assert (body["total"], body["offset"], body["limit"]) == (3, 0, 50)
    paged = Client().get("/api/v1/funds/public/funds", {"offset": 5, "limit": 1}).json()
    assert [f["name"] for f in paged["items"]] == ["马栏湾村信用基金"]
    assert Client().get("/api/v1/funds/public/funds", {"limit": 101}).status_code == 422
    missing = Client().get("/api/v1/funds/public/funds/999999/quarters")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/problem+json")
