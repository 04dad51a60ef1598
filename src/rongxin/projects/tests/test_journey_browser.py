"""Browser journey of one service project, in headless Debian Chromium, through the pages only:

the county centre drafts and publishes 「夕阳红助浴」 (¥10,000) in 东山社区; the seafood company's
representative claims it and pledges the whole budget as its title sponsor; the centre records the
payment with the bank slip; the town team's leader applies; the centre picks the team and starts
the project; the leader links the team's activity and reports the work completed; the centre
records ¥8,000 of spending with the invoice and accepts the work with the beneficiaries'
feedback; a visitor, signed out, reads the project's page: the sponsor's name on the project,
raised ¥10,000.00, spent ¥8,000.00, left ¥2,000.00. Every page is looked at 375 px wide too.

The server runs in this process (``live_server``), so ``time_machine`` moves its clock too.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.apps import apps

from rongxin.accounts.models import Department
from rongxin.conftest import Tree, sign_in
from rongxin.funds.domain.accounts import project_codes
from rongxin.funds.models import JournalLine
from rongxin.projects.models import Payment, Project, ProjectActivity
from rongxin.projects.tests.helpers import NOW, market_world, pdf
from rongxin.volunteering.services import ActivityInput, activity_create, activity_publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LOCAL = dt.timezone(dt.timedelta(hours=8))


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)


def _fits_a_phone(page: Any) -> None:
    """The page has no horizontal scroll at 375 px."""
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, (page.url, width)
    page.set_viewport_size({"width": 1280, "height": 900})


def _submit(form: Any) -> None:
    form.locator("button[type=submit]").first.click()
    form.page.wait_for_load_state()


def test_a_project_from_publishing_to_the_public_page(live_server: Any, browser: Any, tmp_path: Path) -> None:
    _reference_data()
    base = live_server.url
    slip, invoice = tmp_path / "bank-slip.pdf", tmp_path / "invoice.pdf"
    slip.write_bytes(pdf("slip"))
    invoice.write_bytes(pdf("invoice"))
    with time_machine.travel(NOW, tick=False):
        w = market_world(Tree())
        w.tree.village_a1.refresh_from_db()
        centre = browser.new_context().new_page()
        sign_in(centre, base, "centre")

        # the centre drafts the project and publishes it
        centre.goto(f"{base}/projects/new/")
        _fits_a_phone(centre)
        form = centre.locator("form.card")
        form.locator("[name=title]").fill("夕阳红助浴")
        form.locator("[name=need]").fill("为东山社区行动不便的独居老人每月上门助浴一次。")
        form.locator("[name=beneficiaries]").fill("行动不便的独居老人")
        form.locator("[name=beneficiary_count]").fill("12")
        form.locator("[name=region_code]").select_option(w.tree.village_a1.code)
        form.locator("[name=category]").select_option("elderly")
        form.locator("[name=budget]").fill("10000")
        form.locator("[name=starts_on]").fill("2026-06-01")
        form.locator("[name=ends_on]").fill("2026-11-30")
        form.locator("[name=team_kind]").select_option("service")
        _submit(form)
        project = Project.objects.get()
        assert (project.state, project.budget, project.region_id) == (
            "draft",
            Decimal("10000.00"),
            w.tree.village_a1.pk,
        )
        centre.goto(f"{base}/projects/{project.pk}/")
        _submit(centre.locator(f"form[action='/projects/{project.pk}/publish/']"))
        project.refresh_from_db()
        assert project.state == "published"

        # the company claims it for the whole budget, as title sponsor
        firm = browser.new_context().new_page()
        sign_in(firm, base, "firm_rep")
        firm.goto(f"{base}/projects/{project.pk}/")
        firm.locator(f".project-links a[href='/projects/{project.pk}/pledge/']").click()
        firm.wait_for_url(f"{base}/projects/{project.pk}/pledge/")
        _fits_a_phone(firm)
        form = firm.locator("#pledge form")
        form.locator("[name=amount]").fill("10000")
        form.locator("[name=title]").check()
        _submit(form)
        project.refresh_from_db()
        assert (project.state, project.pledged, project.title_sponsor_id) == ("claimed", Decimal("10000.00"), w.firm.pk)
        pledge = project.pledges.get()

        # the centre records the money received
        centre.goto(f"{base}/projects/payments/?number={project.number}&pledge={pledge.pk}#record")
        _fits_a_phone(centre)
        form = centre.locator("#record form")
        form.locator("[name=amount]").fill("10000")
        form.locator("[name=received_on]").fill("2026-05-20")
        form.locator("[name=voucher]").set_input_files(str(slip))
        _submit(form)
        assert Payment.objects.filter(pledge=pledge).count() == 1
        project.refresh_from_db()
        assert project.raised == Decimal("10000.00")

        # the town team's leader applies; the centre picks the team and starts the project
        leader = browser.new_context().new_page()
        sign_in(leader, base, "leader")
        leader.goto(f"{base}/projects/{project.pk}/apply/")
        _fits_a_phone(leader)
        form = leader.locator(f"form[action='/projects/{project.pk}/apply/']")
        form.locator("[name=plan]").fill("每月第一个周六上门助浴，每次四名队员。")
        _submit(form)
        centre.goto(f"{base}/projects/{project.pk}/work/")
        _fits_a_phone(centre)
        _submit(centre.locator("form[action$='/pick/']"))
        _submit(centre.locator(f"form[action='/projects/{project.pk}/work/start/']"))
        project.refresh_from_db()
        assert (project.state, project.team_id) == ("in_progress", w.team.pk)

        # the leader links the team's activity and reports the work done
        activity = activity_create(
            actor=w.leader,
            team_id=w.team.pk,
            data=ActivityInput(
                type_code="elderly_care",
                title="夕阳红助浴（六月）",
                region_code=w.tree.village_a1.code,
                place="东山社区老年公寓",
                starts_at=dt.datetime(2026, 6, 6, 9, 0, tzinfo=LOCAL),
                ends_at=dt.datetime(2026, 6, 6, 12, 0, tzinfo=LOCAL),
                capacity=6,
            ),
        )
        activity_publish(actor=w.leader, activity_id=activity.pk)
        leader.goto(f"{base}/projects/{project.pk}/work/")
        form = leader.locator(f"form[action='/projects/{project.pk}/work/activities/']")
        form.locator("[name=activity_id]").select_option(str(activity.pk))
        _submit(form)
        assert ProjectActivity.objects.filter(project=project, activity=activity).count() == 1
        form = leader.locator(f"form[action='/projects/{project.pk}/work/complete/']")
        form.locator("[name=report]").fill("六个月共上门助浴 72 人次，老人和家属满意。")
        _submit(form)
        project.refresh_from_db()
        assert project.state == "completed"

        # the centre records the spending and accepts the work
        centre.goto(f"{base}/projects/{project.pk}/money/")
        _fits_a_phone(centre)
        form = centre.locator("#spend")
        form.locator("[name=spend-amount]").fill("8000")
        form.locator("[name=spend-paid_on]").fill("2026-05-20")
        form.locator("[name=spend-purpose]").fill("助浴用品及上门交通")
        form.locator("[name=spend-voucher]").set_input_files(str(invoice))
        _submit(form)
        form = centre.locator(f"form[action='/projects/{project.pk}/money/accept/']")
        form.locator("[name=accept-note]").fill("按计划完成，资料齐全。")
        form.locator("[name=accept-feedback]").fill("老人们说：洗得干净，心里也暖。")
        _submit(form)
        project.refresh_from_db()
        assert (project.state, project.raised, project.spent, project.left) == (
            "accepted",
            Decimal("10000.00"),
            Decimal("8000.00"),
            Decimal("2000.00"),
        )
        codes = project_codes(project.pk)
        lines = {
            code: sum(JournalLine.objects.filter(account__code=code).values_list("amount", flat=True), Decimal(0))
            for code in (codes.income, codes.spending)
        }
        assert lines == {codes.income: Decimal("-10000.00"), codes.spending: Decimal("8000.00")}

        # a visitor reads the project's page
        visitor = browser.new_context().new_page()
        visitor.goto(f"{base}/projects/{project.pk}/")
        _fits_a_phone(visitor)
        heading = visitor.locator("h1").inner_text()
        assert heading == "荣信海洋食品有限公司·夕阳红助浴"
        money = visitor.locator("#money").inner_text()
        for figure in ("¥10,000.00", "¥8,000.00", "¥2,000.00"):
            assert figure in money, (figure, money)
        sponsors = visitor.locator("#sponsors").inner_text()
        assert "荣信海洋食品有限公司" in sponsors
        assert "老人们说：洗得干净，心里也暖。" in visitor.content()
        visitor.screenshot(path=str(tmp_path / "project.png"), full_page=True)
