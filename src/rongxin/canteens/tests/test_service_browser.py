"""Browser journey on a 375 px phone, in headless Debian Chromium: the canteen manager signs in,
opens today's lunch sheet, marks everyone as eating in with one tap, switches one elder to a
delivery, adds the walk-ins and saves the day, in a handful of actions; the page then shows the
saved counts and the revision, and the day is stored.

The server runs in this process (``live_server``); the journey runs at the real time (the
browser drops a session cookie dated in the past), so "today" is the real day in Beijing.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.canteens.models import Meal, ServiceDay
from rongxin.canteens.tests.service_helpers import elder_person, enrolled, make_canteen
from rongxin.conftest import Tree, make_user, sign_in
from rongxin.core import clock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOT = Path("/tmp/canteen-service-375.png")  # noqa: S108 - where the journey's screenshot is looked at


def zh(msgid: str, context: str = "") -> str:
    with translation.override("zh-hans"):
        return pgettext(context, msgid) if context else gettext(msgid)


def test_the_manager_saves_todays_lunch_on_a_phone_in_a_few_taps(live_server: Any, browser: Any) -> None:
    # given: an open canteen in village A1 with five enrolled elders and its manager
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    tree = Tree()
    canteen = make_canteen(tree.village_a1)
    names = ["张大爷", "李奶奶", "王爷爷", "赵奶奶", "刘大爷"]
    elders = [elder_person(tree.village_a1, n, age=70 + i, on=clock.today_local()) for i, n in enumerate(names)]
    for s in elders:
        enrolled(canteen, s)
    make_user("canteen_a1", Role.CANTEEN_MANAGER, tree.village_a1)
    base = live_server.url
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    sign_in(phone, base, "canteen_a1")

    # when: the manager opens the sheet and saves the day
    actions = 0
    phone.goto(f"{base}/canteens/{canteen.pk}/service/")
    actions += 1
    assert phone.locator(".cs-elder").count() == 5
    phone.get_by_role("button", name=zh("All ate in"), exact=True).click()
    actions += 1
    li = phone.locator(".cs-elder").filter(has_text="李奶奶")
    li.locator(".cs-del").click()
    actions += 1
    phone.get_by_label(re.compile(rf"^\s*{zh('Walk-ins')}")).fill("3")
    actions += 1
    phone.get_by_role("button", name=zh("Save today"), exact=True).click()
    actions += 1
    phone.wait_for_url(re.compile(r"\?date="))

    # then: a handful of actions, and the page shows what was saved
    assert actions <= 8
    assert phone.locator("#saved-eat-in").inner_text() == "4"
    assert phone.locator("#saved-delivered").inner_text() == "1"
    assert phone.locator("#saved-walk-ins").inner_text() == "3"
    assert "（第 1 版）" in phone.locator("#saved h2").inner_text()
    assert phone.locator(".cs-eat input:checked").count() == 4
    assert phone.locator(".cs-del input:checked").count() == 1
    # nothing wider than the phone
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=str(SHOT), full_page=True)
    day = ServiceDay.objects.get()
    assert (day.canteen_id, day.date, day.revision, day.current) == (canteen.pk, clock.today_local(), 1, True)
    assert (day.eat_in, day.delivered, day.walk_ins) == (4, 1, 3)
    assert Meal.objects.get(day=day, subject=elders[1]).kind == "delivered"
    assert zh("Eat in", "canteen meal") == "堂食"
    if os.environ.get("RONGXIN_SCREENSHOTS"):
        shutil.copy(SHOT, os.environ["RONGXIN_SCREENSHOTS"])
