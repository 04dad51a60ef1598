"""Browser journey, signed out, in headless Debian Chromium on a 375 px phone: a villager finds
their village's fund on the public index, opens its quarterly statement (the anonymous donor as
爱心人士（匿名）), then the honour rolls and their village's roll. No screenshot; the browser
fixture fails on any script error or CSP violation."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from rongxin.accounts.models import Department
from rongxin.conftest import Tree
from rongxin.funds.tests.books_helpers import fund_world, income
from rongxin.funds.tests.public_helpers import donate, meeting, nominate, person, post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    accounts = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in accounts.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


def test_a_villager_reads_the_statement_and_the_honour_roll(live_server: Any, browser: Any) -> None:
    # given: village A1's fund with a quarter of entries and a published honour roll
    _reference_data()
    world = fund_world(Tree())
    fund = world.funds["village_a1"]
    post(world, fund, "welfare", "2026-02-03", income("12000.50"))
    donate(world, fund, "2026-02-10", "300.00", "欧阳秘密", anonymous=True)
    m = meeting(world.tree.village_a1, fund)
    nominate(m, person(world.tree.village_a1, "王诚信"), "honest")
    page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    # when: they search the index for their village and open its latest statement
    page.goto(f"{live_server.url}/funds/public/")
    page.get_by_label("村（社区）").fill("东山")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="2026年第1季度收支公开").click()
    # then
    assert page.url == f"{live_server.url}/funds/public/{fund.pk}/2026/q1/"
    assert page.locator("#income").inner_text() == (
        "收入\n科目\t金额\n4003 福利资金归集\t¥12,000.50\n4004 捐赠收入（资金）\t¥300.00\n合计\t¥12,300.50"
    )
    assert page.locator("#donations td.donor").all_inner_texts() == ["爱心人士（匿名）"]
    assert "欧阳秘密" not in page.content()
    # when: they open the honour rolls and their village's roll
    page.goto(f"{live_server.url}/funds/public/honours/")
    page.get_by_role("link", name="崖头街道 东山社区").click()
    # then
    assert page.url == f"{live_server.url}/funds/public/honours/{m.pk}/"
    assert page.locator("h1").inner_text() == "东山社区季度表彰光荣榜"
    assert page.locator("#category-honest .honour-name").all_inner_texts() == ["王诚信"]
