"""Browser journey in headless Debian Chromium (Playwright for Python, never a downloaded browser).

A village officer signs in, searches a resident, opens the file; the resident then signs in and
sees that read under "who viewed my file".
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import Tree, follow_nav, link, make_person, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_reads_a_file_and_the_resident_sees_the_read(live_server: Any, browser: Any, tmp_path: Path) -> None:
    # given
    tree = Tree()
    officer = make_user("village_officer", Role.VILLAGE_OFFICER, tree.village_a1)
    officer.display_name = "刘书记"
    officer.save(update_fields=["display_name"])
    person = make_person(tree.village_a1, name="陈小红")
    resident = make_user("chen")
    link(resident, person.subject)
    base = live_server.url

    # when: the officer searches and opens the file, giving a purpose
    page = browser.new_page(viewport={"width": 375, "height": 800}, locale="zh-CN")
    sign_in(page, base, "village_officer")
    follow_nav(page, "查询档案")
    page.get_by_label("名称、身份证号码或统一社会信用代码").fill("陈小")
    page.get_by_label("查阅目的").select_option("verification")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="陈小红").click()
    page.wait_for_selector(".facts")
    assert page.locator(".facts").inner_text().count(person.id_number_masked) == 1
    page.screenshot(path=str(tmp_path / "officer-file.png"), full_page=True)
    page.get_by_role("button", name="退出登录").click()

    # then: the resident sees who looked, when and why
    sign_in(page, base, "chen")
    follow_nav(page, "我的信用档案")
    rows = page.locator("#views tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[1:] == ["刘书记", "村居工作人员", "查看档案", "核实登记信息"]
    page.screenshot(path=str(tmp_path / "resident-views.png"), full_page=True)
    if os.environ.get("RONGXIN_SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["RONGXIN_SCREENSHOTS"])
