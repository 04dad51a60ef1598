"""Browser journey for lectures, in headless Debian Chromium: a village orders a lecture, the
town's practice institute dispatches it to a lecture team, the team's leader accepts it and
records the lecture, a listener checks in on a 375 px phone with the rotating QR code on the
leader's screen, the leader closes the lecture, the village rates it, and the listener sees the
credit on "my lectures" and in their credit file.

The server runs in this process (``live_server``), so ``time_machine`` moves its clock: the
journey starts at the real time (so the browser keeps the session cookie) and steps forward to
the lecture's start and end.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.conftest import Tree, follow_nav, link, make_id_number, make_person, make_user, sign_in
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.lectures.models import Attendance, Order, Session, TeamBrand
from rongxin.volunteering.models import Team
from rongxin.volunteering.services import team_create, volunteer_register
from rongxin.volunteering.services.people import leader_set, membership_apply, membership_decide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(msgid: str, context: str = "", **values: Any) -> str:
    """What the page shows for ``msgid``: Chinese, the default page language."""
    with translation.override("zh-hans"):
        text = pgettext(context, msgid) if context else gettext(msgid)
    return text % values if values else text


def label(text: str) -> re.Pattern[str]:
    """A field's label, with or without the required-field mark."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    accounts = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in accounts.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    Department.objects.get_or_create(code="publicity", defaults={"name": "县委宣传部（新时代文明实践中心）"})
    catalogue_load_starters()


def _journey_start() -> dt.datetime:
    """Now (Beijing time), or tomorrow morning if the lecture would run past midnight. Never
    earlier than now: the browser drops a session cookie that the server dates in the past."""
    now = dt.datetime.now(clock.LOCAL_TZ).replace(second=0, microsecond=0)
    if now.hour >= 20:
        now = (now + dt.timedelta(days=1)).replace(hour=8, minute=0)
    return now


def _local(at: dt.datetime) -> str:
    return at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def test_a_village_orders_a_lecture_and_a_listener_earns_credit(live_server: Any, browser: Any, tmp_path: Path) -> None:
    start = _journey_start()
    with time_machine.travel(start, tick=False) as clock_:
        # given: a village officer, the town officer, a branded lecture team with its leader, and
        # a consenting resident of the village
        _reference_data()
        tree = Tree()
        make_user("village_a1", Role.VILLAGE_OFFICER, tree.village_a1)
        town = make_user("town_a", Role.TOWN_OFFICER, tree.town_a)
        team = team_create(
            actor=town, name="崖头百姓名嘴宣讲队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.LECTURE,
            region_code=tree.town_a.code,
        )  # fmt: skip
        TeamBrand.objects.create(team=team, brand="百姓名嘴", audience="村民", created_at=clock.now())
        leader = make_user("leader", Role.TEAM_LEADER, tree.town_a)
        link(leader, make_person(tree.village_a1, name="王队长", id_number=make_id_number(birth="19800101")).subject)
        volunteer = volunteer_register(actor=leader, agree=True)
        membership_decide(actor=town, membership_id=membership_apply(actor=leader, team_id=team.pk).pk, accept=True)
        leader_set(actor=town, team_id=team.pk, volunteer_number=volunteer.number)
        listener = make_person(tree.village_a1, name="陈小红", id_number=make_id_number(birth="19900101"), consent=True)
        link(make_user("chen"), listener.subject)
        base = live_server.url
        starts, ends = start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=90)

        # when: the village officer orders a lecture (点单)
        village = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(village, base, "village_a1")
        follow_nav(village, zh("Lectures"), exact=True)
        village.get_by_role("link", name=zh("Order a lecture"), exact=True).click()
        village.get_by_label(label(zh("Who the lecture is for"))).select_option("village")
        village.get_by_label(label(zh("Village, community or town"))).select_option(tree.village_a1.code)
        village.get_by_label(label(zh("Topic"))).fill("诚信建设与邻里和睦")
        village.get_by_label(label(zh("Preferred from"))).fill(f"{start:%Y-%m-%d}")
        village.get_by_label(label(zh("Preferred until"))).fill(f"{start + dt.timedelta(days=7):%Y-%m-%d}")
        village.get_by_label(label(zh("Audience"))).fill("村民和老党员")
        village.get_by_label(label(zh("Expected listeners"))).fill("40")
        village.get_by_label(label(zh("Place"))).fill("东山村文化广场")
        village.get_by_role("button", name=zh("Send the order"), exact=True).click()
        order = Order.objects.get()
        order_url = f"{base}/lectures/orders/{order.pk}/"
        assert village.url == order_url
        assert village.locator("#order-state").inner_text() == zh("Ordered, awaiting dispatch")

        # and the town's practice institute dispatches it to the team (派单)
        desk = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(desk, base, "town_a")
        desk.goto(order_url)
        desk.get_by_label(label(zh("Lecture team"))).select_option(str(team.pk))
        desk.get_by_role("button", name=zh("Dispatch", "lecture order"), exact=True).click()
        assert desk.locator("#order-state").inner_text() == zh("Dispatched, awaiting acceptance")

        # and the team's leader accepts it (接单) and records the lecture
        lead = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(lead, base, "leader")
        follow_nav(lead, zh("Lectures"), exact=True)
        lead.get_by_role("link", name=zh("Orders dispatched to me"), exact=True).click()
        lead.get_by_role("link", name="诚信建设与邻里和睦").first.click()
        lead.get_by_role("button", name=zh("Accept", "lecture order"), exact=True).click()
        assert lead.locator("#order-state").inner_text() == zh("Accepted")
        lead.get_by_role("link", name=zh("Record the lecture for this order"), exact=True).click()
        lead.get_by_label(label(zh("Title"))).fill("诚信建设进村居")
        lead.get_by_label(label(zh("Starts at"))).fill(_local(starts))
        lead.get_by_label(label(zh("Ends at"))).fill(_local(ends))
        lead.get_by_label(label(zh("Kind of place"))).select_option("market")
        lead.get_by_label(label(zh("Place"))).fill("东山村集市")
        lead.get_by_label(label(zh("Latitude"))).fill("37.165")
        lead.get_by_label(label(zh("Longitude"))).fill("122.486")
        lead.get_by_role("button", name=zh("Save"), exact=True).click()
        session = Session.objects.get()
        assert session.order_id == order.pk
        assert session.region_id == tree.village_a1.pk
        assert (
            zh("The lecture is recorded. Show its check-in code when it starts.")
            in lead.locator(".messages").inner_text()
        )
        session_url = lead.url

        # at the start: the listener scans the code on the leader's screen with their phone
        clock_.move_to(starts)
        lead.get_by_role("link", name=zh("Show the check-in code"), exact=True).click()
        lead.wait_for_selector(".qr-box svg")
        lead.screenshot(path=str(tmp_path / "lecture-code-screen.png"), full_page=True)
        scan_url = str(lead.locator(".qr-box").get_attribute("data-scan-url"))
        phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        sign_in(phone, base, "chen")
        phone.goto(scan_url)
        assert phone.locator("h1").inner_text() == "诚信建设进村居"
        phone.get_by_role("button", name=zh("Check in"), exact=True).click()
        assert zh("You are checked in. Thank you for listening!") in phone.locator(".messages").inner_text()
        phone.screenshot(path=str(tmp_path / "listener-checked-in-375.png"), full_page=True)
        assert Attendance.objects.filter(session=session, subject=listener.subject).count() == 1

        # after the end: the leader closes the lecture and the listeners' credit is awarded
        clock_.move_to(ends + dt.timedelta(minutes=5))
        lead.goto(session_url)
        lead.get_by_label(label(zh("Audience count"))).fill("36")
        lead.get_by_role("button", name=zh("Close the lecture"), exact=True).click()
        lead.screenshot(path=str(tmp_path / "lecture-closed.png"), full_page=True)
        session.refresh_from_db()
        assert session.status == Session.Status.CLOSED
        order.refresh_from_db()
        assert order.state == Order.State.HELD

        # and the village rates it (评单)
        village.goto(order_url)
        village.locator("#rate").get_by_label("★★★★★", exact=True).check()
        village.get_by_label(label(zh("Comment"))).fill("讲得通俗易懂，村民爱听")
        village.get_by_role("button", name=zh("Rate", "lecture order"), exact=True).click()
        assert village.locator("#order-state").inner_text() == zh("Rated")

        # then: the listener sees the lecture and its point, and the award in their credit file
        follow_nav(phone, zh("Lectures"), exact=True)
        phone.get_by_role("link", name=zh("Lectures I attended"), exact=True).click()
        attended = phone.locator("#attended li")
        assert attended.count() == 1
        assert "诚信建设进村居" in attended.first.inner_text()
        with translation.override("zh-hans"):
            one_point = ngettext("%(n)s point", "%(n)s points", 1) % {"n": 1}
        assert one_point in attended.first.inner_text()
        phone.screenshot(path=str(tmp_path / "listener-my-lectures-375.png"), full_page=True)
        follow_nav(phone, zh("My credit file"), exact=True)
        award = phone.locator("#credit .entry").filter(has_text="参加理论宣讲")
        assert award.locator(".points").inner_text() == "+1"
    if os.environ.get("RONGXIN_SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["RONGXIN_SCREENSHOTS"])
