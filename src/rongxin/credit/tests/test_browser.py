"""Browser journey for due process, in headless Debian Chromium: a resident objects to a
deduction on their file page, the county credit office revokes it on the review page, and the
resident's score is restored."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.conftest import Tree, follow_nav, link, make_person, make_user, sign_in
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.entries import entry_record
from rongxin.credit.tests.conftest import person_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_objects_and_the_credit_office_revokes(live_server: Any, browser: Any) -> None:
    # given: a consenting resident with a fresh deduction of 15 points (score 985)
    # Transactional tests empty the tables, including the departments the migration seeded.
    for code, name in importlib.import_module("rongxin.accounts.migrations.0002_departments").DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    catalogue_publish(
        actor=None,
        catalogue_id=catalogue_draft_create(actor=None, document=person_document(effective_from="2020-01-01")).pk,
    )
    tree = Tree()
    person = make_person(tree.village_a1, name="陈小红", consent=True)
    resident = make_user("chen")
    link(resident, person.subject)
    police = make_user(
        "police", Role.DEPARTMENT_RECORDER, tree.county, department=Department.objects.get(code="traffic_police")
    )
    make_user("office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    entry_record(
        actor=police,
        subject_id=person.pk,
        rule_code="T-GEN",
        points=15,
        occurred_at=clock.now() - dt.timedelta(hours=3),
        evidence="电子警察抓拍",
        source_key="e2e-1",
    )
    base = live_server.url
    page = browser.new_page(viewport={"width": 375, "height": 900})

    # when: the resident objects on their file page
    sign_in(page, base, "chen")
    follow_nav(page, "我的信用档案")
    assert page.locator(".score").inner_text() == "985"
    page.get_by_text("对此记录提出异议").click()
    page.get_by_label("理由").fill("当天车辆已借给他人，我不在现场。")
    page.get_by_role("button", name="提交异议").click()
    assert page.locator(".score").inner_text() == "1000"  # suspended: it does not count meanwhile
    page.get_by_role("button", name="退出登录").click()

    # and the credit office revokes it
    sign_in(page, base, "office")
    follow_nav(page, "信用审核")
    page.get_by_label("理由").fill("经核实，车辆已出借，记录撤销。")
    page.get_by_role("button", name="撤销记录").click()
    assert page.locator(".review-item").count() == 0
    assert "暂无待处理的异议。" in page.content()
    page.get_by_role("button", name="退出登录").click()

    # then: the resident sees the decision and the score stays restored
    sign_in(page, base, "chen")
    follow_nav(page, "我的信用档案")
    assert page.locator(".score").inner_text() == "1000"
    assert "您的异议已被采纳，该记录已撤销。" in page.locator("#notices").inner_text()
