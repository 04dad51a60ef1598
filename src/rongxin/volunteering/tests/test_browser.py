"""Browser journey for volunteering, in headless Debian Chromium: a team leader drafts and
publishes an activity, a volunteer signs up on a 375 px phone, checks in and out with the QR
code on the leader's check-in screen (with their location), the leader verifies the roster
and closes the activity, and the volunteer sees the hours, the credit award in their credit
file and asks for a service certificate.

The server runs in this process (``live_server``), so ``time_machine`` moves its clock: the
journey starts at the real time (so the browser keeps the session cookie) and steps forward
to the activity's start, its end and after it.
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
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.conftest import Tree, follow_nav, link, make_id_number, make_person, make_user, sign_in
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.volunteering.models import ActivityType, ServiceRecord, Team
from rongxin.volunteering.services import (
    leader_set,
    membership_apply,
    membership_decide,
    team_create,
    volunteer_register,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VENUE = {"latitude": 37.165, "longitude": 122.486}


def zh(msgid: str, **values: Any) -> str:
    """What the page shows for ``msgid``: Chinese, the default page language."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return text % values if values else text


def label(text: str) -> re.Pattern[str]:
    """A field's label, with or without the required-field mark."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    accounts = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in accounts.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    for i, (code, name_zh, name_en, rule, risky) in enumerate(types.TYPES, start=1):
        ActivityType.objects.get_or_create(
            code=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "credit_rule_code": rule, "risky": risky, "order": i},
        )
    catalogue_load_starters()


def _journey_start() -> dt.datetime:
    """Now (Beijing time), or tomorrow morning if the activity would run past midnight. Never
    earlier than now: the browser drops a session cookie that the server dates in the past."""
    now = dt.datetime.now(clock.LOCAL_TZ).replace(second=0, microsecond=0)
    if now.hour >= 20:
        now = (now + dt.timedelta(days=1)).replace(hour=8, minute=0)
    return now


def _local(at: dt.datetime) -> str:
    return at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _scan_url(page: Any) -> str:
    return str(page.locator(".qr-box").get_attribute("data-scan-url"))


def test_leader_publishes_volunteer_checks_in_and_sees_hours_and_credit(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    start = _journey_start()
    with time_machine.travel(start, tick=False) as clock_:
        # given: a town team with its leader, and a consenting resident in the team's town
        _reference_data()
        tree = Tree()
        town = make_user("town_a", Role.TOWN_OFFICER, tree.town_a)
        team = team_create(
            actor=town, name="东山社区志愿服务队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
            region_code=tree.town_a.code,
        )  # fmt: skip
        leader = make_user("leader", Role.TEAM_LEADER, tree.town_a)
        link(leader, make_person(tree.village_a1, name="王队长", id_number=make_id_number(birth="19800101")).subject)
        leader_volunteer = volunteer_register(actor=leader, agree=True)
        membership_decide(actor=town, membership_id=membership_apply(actor=leader, team_id=team.pk).pk, accept=True)
        leader_set(actor=town, team_id=team.pk, volunteer_number=leader_volunteer.number)
        person = make_person(tree.village_a1, name="陈小红", id_number=make_id_number(birth="19900101"), consent=True)
        link(make_user("chen"), person.subject)
        base = live_server.url
        starts, ends = start + dt.timedelta(minutes=30), start + dt.timedelta(minutes=150)

        # when: the leader drafts the activity (desktop) and publishes it
        desk = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(desk, base, "leader")
        follow_nav(desk, zh("My teams"), exact=True)
        desk.get_by_role("link", name=zh("New activity"), exact=True).click()
        desk.get_by_label(label(zh("Title"))).fill("敬老院陪伴")
        desk.get_by_label(label(zh("Activity type"))).select_option("elderly_care")
        desk.get_by_label(label(zh("Village or town"))).select_option(tree.village_a1.code)
        desk.get_by_label(label(zh("Place"))).fill("东山社区敬老院")
        desk.get_by_label(label(zh("Starts at"))).fill(_local(starts))
        desk.get_by_label(label(zh("Ends at"))).fill(_local(ends))
        desk.get_by_label(label(zh("Places"))).fill("10")
        desk.get_by_text(zh("Venue location for check-in (optional)")).click()
        desk.get_by_label(label(zh("Latitude"))).fill(str(VENUE["latitude"]))
        desk.get_by_label(label(zh("Longitude"))).fill(str(VENUE["longitude"]))
        desk.get_by_label(label(zh("Check-in radius (metres)"))).fill("300")
        desk.get_by_role("button", name=zh("Save draft"), exact=True).click()
        desk.get_by_role("button", name=zh("Publish"), exact=True).click()
        assert zh("Published. Share this page with volunteers.") in desk.locator(".messages").inner_text()
        activity_url = desk.url

        # and the volunteer, on a phone near the venue, finds it and signs up
        phone_context = browser.new_context(
            viewport={"width": 375, "height": 812}, geolocation=VENUE, permissions=["geolocation"]
        )
        phone = phone_context.new_page()
        sign_in(phone, base, "chen")
        follow_nav(phone, zh("Volunteering"), exact=True)
        phone.get_by_label(label(zh("Cooking"))).check()
        phone.get_by_label(
            label(zh("I have read the volunteer service terms and take part voluntarily and without pay"))
        ).check()
        phone.get_by_role("button", name=zh("Register as a volunteer"), exact=True).click()
        number = phone.locator(".v-number .mono").inner_text()
        assert re.fullmatch(r"RX\d{10}", number)
        phone.get_by_role("link", name=zh("Find activities near me"), exact=True).click()
        phone.get_by_role("link", name="敬老院陪伴", exact=True).click()
        assert phone.url == activity_url
        phone.get_by_role("button", name=zh("Sign up"), exact=True).click()
        assert zh("You are signed up. Thank you!") in phone.locator(".messages").inner_text()
        phone.screenshot(path=str(tmp_path / "volunteer-activity-375.png"), full_page=True)

        # at the start: the volunteer scans the code on the leader's screen and checks in
        clock_.move_to(starts)
        desk.goto(activity_url)
        desk.get_by_role("link", name=zh("Check-in screen"), exact=True).click()
        desk.wait_for_selector(".qr-box svg")
        desk.screenshot(path=str(tmp_path / "leader-code-screen.png"), full_page=True)
        check_in_url = _scan_url(desk)
        phone.goto(check_in_url)
        assert zh("You have not checked in yet.") in phone.locator(".v-state").inner_text()
        phone.get_by_role("button", name=zh("Check in"), exact=True).click()
        phone.wait_for_selector(".v-done")
        assert phone.locator(".v-done").inner_text() == f"{zh('Checked in')} {starts:%H:%M}"
        assert phone.locator(".v-flags").count() == 0  # at the venue: not flagged
        phone.screenshot(path=str(tmp_path / "volunteer-checked-in-375.png"), full_page=True)
        desk.locator("#scans li").first.wait_for(timeout=15_000)  # the list refreshes itself (htmx)
        assert desk.locator("#scans li").count() == 1
        assert number in desk.locator("#scans li").first.inner_text()

        # at the end: checks out with the code then on the screen
        clock_.move_to(ends)
        desk.wait_for_function(  # the screen shows the new code by itself (htmx, every 5 seconds)
            "old => document.querySelector('.qr-box').dataset.scanUrl !== old", arg=check_in_url, timeout=15_000
        )
        phone.goto(_scan_url(desk))
        phone.get_by_role("button", name=zh("Check out"), exact=True).click()
        phone.wait_for_selector(".v-done")
        assert phone.locator(".v-done").inner_text() == f"{zh('Checked out')} {ends:%H:%M}"

        # and the leader verifies the roster and closes the activity
        clock_.move_to(ends + dt.timedelta(minutes=10))
        desk.goto(activity_url)
        desk.get_by_role("link", name=zh("Roster and close"), exact=True).click()
        row = desk.locator(f"#line-{number}")
        assert row.get_by_label(label(f"{zh('Minutes')} {number}")).input_value() == "120"
        row.get_by_label(label(f"{zh('Rating')} {number}")).select_option("excellent")
        desk.screenshot(path=str(tmp_path / "leader-roster.png"), full_page=True)
        desk.get_by_role("button", name=zh("Verify and close"), exact=True).click()
        summary = desk.locator("#close-result .num").all_inner_texts()
        assert summary == ["1", "2", "2"]  # one record, 2 hours, 2 points

        # then: the volunteer sees the hours, the points and the credit award
        follow_nav(phone, zh("Volunteering"), exact=True)
        assert phone.locator("#total-hours").inner_text() == "2"
        record = ServiceRecord.objects.get(volunteer__number=number)
        card = phone.locator(f"#record-{record.pk}")
        assert card.locator("h3").inner_text() == "敬老院陪伴"
        assert card.locator("dd").all_inner_texts() == ["2", zh("Excellent"), "2"]  # hours, rating, points
        phone.screenshot(path=str(tmp_path / "volunteer-me-375.png"), full_page=True)
        follow_nav(phone, zh("My credit file"), exact=True)
        assert phone.locator(".score").inner_text() == "1002"
        award = phone.locator("#credit .entry").filter(has_text="参加志愿服务（按核验服务时长折算）")
        assert award.locator(".points").inner_text() == "+2"
        assert "敬老院陪伴（东山社区志愿服务队）" in award.inner_text()

        # and asks for a service certificate
        follow_nav(phone, zh("Volunteering"), exact=True)
        phone.get_by_role("link", name=zh("Ask for a service certificate"), exact=True).click()
        phone.get_by_role("button", name=zh("Issue the certificate"), exact=True).click()
        facts = phone.locator(".facts").first.inner_text()
        assert number in facts
        assert zh("%(hours)s hours", hours="2") in facts
        phone.screenshot(path=str(tmp_path / "volunteer-certificate-375.png"), full_page=True)
    if os.environ.get("RONGXIN_SCREENSHOTS"):
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["RONGXIN_SCREENSHOTS"])
