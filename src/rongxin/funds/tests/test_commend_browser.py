"""Browser journey of a quarter's commendations, in headless Debian Chromium: the village
officer creates 东山社区's 2026 Q2 meeting, draws the nominations from the platform's data (the
known county of :mod:`commend_helpers`), sees the reasons and why two names are excluded, sets
the awards, starts a three-day publicity; a villager, signed out, reads the public page and
objects to one name; the officer dismisses the objection; the clock moves past publicity; the
officer pays the awards with the signed receipt list and publishes the honour roll; the
resident 王诚实 sees the award and its credit in their own file.

The server runs in this process (``live_server``), so ``time_machine`` moves its clock too.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps

from rongxin.accounts.models import Department
from rongxin.conftest import Tree, sign_in
from rongxin.credit.models import Entry
from rongxin.funds.models import JournalEntry, Meeting, Objection
from rongxin.funds.selectors.honours import subject_commendations
from rongxin.funds.tasks.publicity import publicity_ends
from rongxin.funds.tests.books_helpers import NOW, fund_world, pdf
from rongxin.funds.tests.commend_helpers import known_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)


def test_a_village_runs_a_quarter_from_nominations_to_the_residents_file(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    _reference_data()
    base = live_server.url
    with time_machine.travel(NOW, tick=False) as clock_:
        w = fund_world(Tree())
        k = known_county(w, clock_)
        k.fill("2000.00")
        page = browser.new_page()
        sign_in(page, base, "village_a1")

        # create the meeting and draw the list
        page.goto(f"{base}/funds/meetings/")
        page.get_by_label("镇街或村居").select_option(label="东山社区")
        page.get_by_role("button", name="创建表彰会").click()
        page.wait_for_url(f"{base}/funds/meetings/*/")
        m = Meeting.objects.get()
        page.get_by_role("button", name="生成推荐名单").click()
        page.wait_for_load_state()
        names = page.locator("#names")
        for text in ("王诚实", "本季度信用等级由 B 级升至 A 级", "本季度志愿服务 32.5 小时", "本季度参与宣讲 3 场"):
            assert names.get_by_text(text).count() >= 1, text
        others = page.locator("#others")
        assert others.get_by_text("本人未同意信用评价，不予提名").count() == 1
        assert others.get_by_text("有正在计分的严重失信扣分记录，不予提名").count() == 1

        # awards: ¥200 each, by the per-name forms
        for n in m.nominations.filter(status="proposed").order_by("id"):
            form = page.locator(f"#n{n.pk} form.award-form")
            form.locator("select").select_option("money")
            form.locator("input[name=amount]").fill("200")
            form.get_by_role("button", name="设定奖励").click()
            page.wait_for_load_state()
        assert m.nominations.filter(award_kind="money").count() == 5

        # publicity for three days
        page.locator("#start-publicity input[name=days]").fill("3")
        page.get_by_role("button", name="开始公示").click()
        page.wait_for_load_state()
        assert page.locator("#meeting-status").inner_text() == "公示中"

        # a villager objects on the public page, signed out
        public = browser.new_context().new_page()
        public.goto(f"{base}/funds/public/meetings/{m.pk}/")
        assert public.get_by_text("本季度志愿服务 32.5 小时").count() == 1
        assert public.get_by_text("周未同意").count() == 0
        zhao = m.nominations.get(subject__name="赵志愿")
        public.locator("select[name=nomination_id]").select_option(str(zhao.pk))
        public.locator("textarea[name=text]").fill("服务时长可能有误")
        public.get_by_role("button", name="提交异议").click()
        public.wait_for_load_state()
        assert public.get_by_text("您的异议已收到，评议小组将予以答复。").count() == 1

        # the officer dismisses it
        page.reload()
        objection = Objection.objects.get()
        answer = page.locator(f"form[action$='/objections/{objection.pk}/answer/']")
        answer.locator("select[name=upheld]").select_option("0")
        answer.locator("textarea[name=answer]").fill("经核实服务时长无误")
        answer.get_by_role("button", name="答复").click()
        page.wait_for_load_state()
        assert Objection.objects.get().status == "dismissed"

        # the clock moves past publicity; the officer pays with the receipt list and publishes
        clock_.move_to("2026-05-25 10:00 +0800")
        assert publicity_ends() == "ended the publicity of 1 meetings"
        sign_in(page, base, "village_a1")  # the session of five days ago has expired
        page.goto(f"{base}/funds/meetings/{m.pk}/")
        assert page.locator("#meeting-status").inner_text() == "发放奖励中"
        receipt = tmp_path / "签收表.pdf"
        receipt.write_bytes(pdf("receipts"))
        page.locator("#pay input[type=file]").set_input_files(str(receipt))
        page.get_by_role("button", name="发放并登记奖励").click()
        page.wait_for_load_state()
        assert page.get_by_text("已发放并登记 5 项奖励，共支出 ¥1,000.00。").count() == 1
        page.get_by_role("button", name="发布光荣榜").click()
        page.wait_for_load_state()
        assert page.locator("#meeting-status").inner_text() == "光荣榜已发布"
        assert JournalEntry.objects.filter(kind="award").count() == 5
        assert Entry.objects.filter(source="funds", subject=k.people["王诚实"]).values_list("points", flat=True)[0] == 5

        # the resident sees the award and its credit in their own file
        wang = k.people["王诚实"]
        assert [(n.award_amount, n.credit_points) for n in subject_commendations(subject_id=wang.pk)] == [(200, 5)]
        resident = browser.new_context().new_page()
        sign_in(resident, base, "wangchengshi")
        resident.goto(f"{base}/me/")
        panel = resident.locator("#commendations")
        assert panel.get_by_text(m.title).count() == 1
        text = panel.inner_text()
        assert "¥200.00" in text
        assert "+5" in text
