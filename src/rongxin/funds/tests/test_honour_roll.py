"""Published honour rolls: page, JSON and the list, for everyone; unpublished meetings exactly as
missing ones; only awarded names, no score, amounts only where the region's rules allow."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.funds.models import Meeting
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.public_helpers import meeting, nominate, person

pytestmark = pytest.mark.django_db


def _roll(world: FundsWorld, *, status: str = "published") -> Meeting:
    tree = world.tree
    m = meeting(tree.village_a1, world.funds["village_a1"], status=status)
    nominate(m, person(tree.village_a1, "王诚信"), "honest", reasons=[
        {"code": "good_deed", "text": "拾金不昧，归还失主现金 2000 元"},
        {"code": "grade_rise", "text": "信用分由 1000 升至 1050"},
    ], award_kind="money", award_amount="300.00")  # fmt: skip
    nominate(m, person(tree.village_a1, "李志愿"), "volunteer", award_kind="goods", award_goods="大米一袋")
    nominate(m, person(tree.village_a1, "赵干事"), "doer", reasons=[{"code": "score_rise", "text": "信用分 1080"}])
    nominate(m, person(tree.village_a1, "钱撤回"), "volunteer", status="withdrawn")
    nominate(m, person(tree.village_a1, "孙排除"), "honest", status="excluded")
    nominate(m, person(tree.village_a1, "周提名"), "doer", status="proposed")
    return m


def _urls(meeting_id: int) -> tuple[str, str, str]:
    return (
        reverse("funds:honour_roll", args=[meeting_id]),
        reverse("funds:honour_roll_pdf", args=[meeting_id]),
        f"/api/v1/funds/public/honours/{meeting_id}",
    )


HIDDEN = ("钱撤回", "孙排除", "周提名", "信用分", "1050", "1080", "¥300.00", "300.00")


@pytest.mark.parametrize("who", ["anonymous", "nobody", "village_b1", "keeper"])
def test_roll_page_for_everyone(world: FundsWorld, who: str) -> None:
    m = _roll(world)
    page, pdf, _api = _urls(m.pk)
    assert page == f"/funds/public/honours/{m.pk}/"
    response = client_for(world.users()[who]).get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "东山社区季度表彰光荣榜" in html
    assert "2026年第1季度" in html
    for name in ("王诚信", "李志愿", "赵干事"):
        assert html.count(name) == 1
    assert "拾金不昧，归还失主现金 2000 元" in html
    assert "干事创业，服务群众" in html  # 赵干事's only reason spoke of a score
    assert "奖金" in html
    assert "奖品: 大米一袋" in html
    assert html.index("王诚信") < html.index("李志愿") < html.index("赵干事")  # 诚信者, 志愿者, 干事者
    for hidden in HIDDEN:
        assert hidden not in html
    assert f'href="{pdf}"' in html


def test_roll_page_in_english(world: FundsWorld) -> None:
    m = _roll(world)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(_urls(m.pk)[0]).content.decode()
    assert "Honest person" in html
    assert "A3 poster (PDF)" in html
    assert "王诚信" in html
    # pages ignore Accept-Language: Chinese
    html = Client().get(_urls(m.pk)[0], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "诚信者" in html
    assert "A3 海报（PDF）" in html


def test_roll_json(world: FundsWorld) -> None:
    m = _roll(world)
    response = Client().get(_urls(m.pk)[2])
    assert response.status_code == 200
    body = response.json()
    assert (body["meeting_id"], body["title"], body["region"], body["town"]) == (
        m.pk,
        "东山社区季度表彰光荣榜",
        "东山社区",
        "崖头街道",
    )
    assert (body["year"], body["quarter"], body["held_on"], body["shows_amounts"]) == (2026, 1, "2026-03-28", False)
    assert [
        (g["category"], g["title"], [(n["name"], n["village"], n["reason"], n["award_kind"], n["award_amount"], n["award_goods"]) for n in g["names"]])
        for g in body["groups"]
    ] == [
        ("honest", "诚信者", [("王诚信", "东山社区", "拾金不昧，归还失主现金 2000 元", "money", None, "")]),
        ("volunteer", "志愿者", [("李志愿", "东山社区", "本季度志愿服务 32.5 小时", "goods", None, "大米一袋")]),
        ("doer", "干事者", [("赵干事", "东山社区", "干事创业，服务群众", "certificate", None, "")]),
    ]  # fmt: skip
    text = response.content.decode()
    for hidden in HIDDEN:
        assert hidden not in text


def test_amounts_shown_where_the_region_rules_allow(world: FundsWorld) -> None:
    m = _roll(world)
    with override_settings(RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS=[world.tree.town_a.prefix]):
        body = Client().get(_urls(m.pk)[2]).json()
        html = Client().get(_urls(m.pk)[0]).content.decode()
    assert body["shows_amounts"] is True
    assert body["groups"][0]["names"][0]["award_amount"] == "300.00"
    assert "¥300.00" in html
    with override_settings(RONGXIN_FUNDS_HONOUR_AMOUNT_REGIONS=[world.tree.town_b.prefix]):
        body = Client().get(_urls(m.pk)[2]).json()
    assert (body["shows_amounts"], body["groups"][0]["names"][0]["award_amount"]) == (False, None)


def _same(content: bytes) -> bytes:
    """A response without its CSRF tokens (new ones per response) and with the asked id (in the
    language switch's return address) as ``ID``."""
    content = re.sub(rb"honours(/|%2F)\d+", rb"honours\1ID", content)
    return re.sub(rb"[A-Za-z0-9]{48,}", b"", content)


@pytest.mark.parametrize("status", ["draft", "publicity", "awarding", "cancelled", "missing"])
def test_unpublished_is_exactly_like_missing(world: FundsWorld, status: str) -> None:
    m = _roll(world, status="publicity" if status == "missing" else status)
    missing = _urls(999999)
    urls = missing if status == "missing" else _urls(m.pk)
    client = Client()
    for url, missing_url in zip(urls, missing, strict=True):
        response = client.get(url)
        reference = client.get(missing_url)
        assert response.status_code == 404
        assert response["Content-Type"] == reference["Content-Type"]
        assert _same(response.content) == _same(reference.content)
    body = client.get(urls[2]).json()
    assert body == client.get(missing[2]).json()
    assert body["code"] == "not_found"


def test_published_without_published_at_is_not_found(world: FundsWorld) -> None:
    m = _roll(world)
    Meeting.objects.filter(pk=m.pk).update(published_at=None)
    assert [Client().get(u).status_code for u in _urls(m.pk)] == [404, 404, 404]


def test_roll_list_filters(world: FundsWorld) -> None:
    tree = world.tree
    a1 = _roll(world)
    b1 = meeting(tree.village_b1, world.funds["village_b1"], quarter=2)
    nominate(b1, person(tree.village_b1, "吴好人"), "honest")
    meeting(tree.village_a2, world.funds["village_a2"], status="publicity")
    town = meeting(tree.town_a, world.funds["town_a"], quarter=1)
    client = Client()

    def ids(**params: object) -> list[int]:
        return [row["meeting_id"] for row in client.get("/api/v1/funds/public/honours", params).json()["items"]]

    assert ids() == [b1.pk, town.pk, a1.pk]
    assert ids(region=tree.town_a.pk) == [town.pk, a1.pk]
    assert ids(quarter=2) == [b1.pk]
    assert ids(year=2025) == []
    assert ids(q="烟墩") == [b1.pk]
    body = client.get("/api/v1/funds/public/honours", {"region": tree.town_a.pk}).json()
    assert [(r["region"], r["names"]) for r in body["items"]] == [("崖头街道", 0), ("东山社区", 3)]
    assert body["total"] == 2
    # the page
    html = client.get(reverse("funds:honours"), {"town": tree.town_a.pk}).content.decode()
    assert f'href="/funds/public/honours/{a1.pk}/"' in html
    assert f'href="/funds/public/honours/{b1.pk}/"' not in html
    assert "西山社区" not in html  # still in publicity
    assert client.get(reverse("funds:honours"), {"quarter": "9"}).status_code == 400
    bad = client.get("/api/v1/funds/public/honours", {"q": "a\x07b"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid")
