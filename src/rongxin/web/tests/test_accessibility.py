"""Accessibility of the key pages, in headless Debian Chromium, on a 375 px phone and on a desktop.

- **Automated check**: axe-core (vendored in ``vendor/``, a test asset that is never served)
  runs the WCAG 2.0/2.1 A and AA rules on sign-in, the resident's credit file, the activity
  list, an activity's page with its sign-up button and the check-in page; no violation of
  impact "serious" or "critical" is allowed.
- **Keyboard**: signing in, signing up for an activity and checking in are done with Tab and
  Enter only; the skip link moves past the header, and every element that takes focus on the
  way shows a focus indicator that stands out from what is around it (WCAG 1.4.11: at least
  3:1 against the background).

The data is made for real time (no ``time_machine``): the browser keeps the session cookie, and
the check-in code on the page is the one valid now.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user, sign_in
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.entries import entry_record
from rongxin.volunteering.models import ActivityType, Scan, Signup, Team
from rongxin.volunteering.services import (
    ActivityInput,
    activity_create,
    activity_publish,
    attendance_code,
    leader_set,
    membership_apply,
    membership_decide,
    signup_create,
    team_create,
    volunteer_register,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-4.10.3.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}
VENUE = {"latitude": 37.165, "longitude": 122.486}
MAX_TABS = 80


def zh(msgid: str) -> str:
    """What the page shows for ``msgid``: Chinese, the default page language."""
    with translation.override("zh-hans"):
        return gettext(msgid)


# --- Data --------------------------------------------------------------------------------------
@dataclass
class Site:
    base: str
    volunteer_number: str  # the resident's
    activity_id: int  # open for sign-up; the resident has not signed up
    checkin_activity_id: int  # starts within the hour; the resident is confirmed
    leader: Any

    def scan_path(self) -> str:
        """The check-in link on the organiser's screen right now."""
        token = attendance_code(actor=self.leader, activity_id=self.checkin_activity_id).token
        return f"/v/scan/?t={token}"


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


@pytest.fixture
def site(live_server: Any) -> Site:
    """A town team and its leader; a consenting resident "chen" who is a volunteer, with a traffic
    deduction on their file (so the file shows the objection form); an activity in two days open
    for sign-up, and one starting in half an hour that chen is confirmed for."""
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
    resident = make_user("chen")
    link(resident, person.subject)
    volunteer = volunteer_register(actor=resident, agree=True)
    police = make_user(
        "police", Role.DEPARTMENT_RECORDER, tree.county, department=Department.objects.get(code="traffic_police")
    )
    now = clock.now()
    entry_record(
        actor=police,
        subject_id=person.pk,
        rule_code="P-TRA-01",
        occurred_at=now - dt.timedelta(hours=3),
        evidence="电子警察抓拍",
        source_key="a11y-1",
    )

    def publish(title: str, starts: dt.datetime) -> int:
        data = ActivityInput(
            type_code="elderly_care", title=title, region_code=tree.village_a1.code, place="东山社区敬老院",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=10,
            latitude=Decimal(str(VENUE["latitude"])), longitude=Decimal(str(VENUE["longitude"])), geofence_m=300,
        )  # fmt: skip
        draft = activity_create(actor=leader, team_id=team.pk, data=data)
        return activity_publish(actor=leader, activity_id=draft.pk).pk

    activity_id = publish("敬老院陪伴", now + dt.timedelta(days=2))
    checkin_id = publish("海滩清洁", now + dt.timedelta(minutes=30))
    signup_create(actor=resident, activity_id=checkin_id)
    return Site(
        base=live_server.url,
        volunteer_number=volunteer.number,
        activity_id=activity_id,
        checkin_activity_id=checkin_id,
        leader=leader,
    )


# --- axe-core ------------------------------------------------------------------------------------
def axe_blocking(page: Any) -> list[dict[str, Any]]:
    """The serious and critical axe violations on the page as it is now.

    axe is evaluated through the DevTools protocol (``page.evaluate``), which the page's
    Content-Security-Policy does not govern, so the check runs on the page with its real policy
    (an injected ``<script>`` element would be blocked by ``script-src 'self'``).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def assert_accessible(page: Any) -> None:
    """No serious or critical axe violation on the page as it is now."""
    found = axe_blocking(page)
    if found:
        pytest.fail(describe({page.url: found}), pytrace=False)


def describe(violations: dict[str, list[dict[str, Any]]]) -> str:
    """A readable failure message: per page, each rule with its help link and the offending nodes."""
    lines = []
    for where, found in violations.items():
        for v in found:
            lines.append(f"{where}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
            for node in v["nodes"][:5]:
                lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
                lines.append(f"        {node['html'][:200]}")
    return "\n".join(lines)


# --- Keyboard ------------------------------------------------------------------------------------
# What the focused element is and whether its focus indicator shows: an outline of at least 3:1
# contrast against the background it is drawn on (the nearest ancestor's opaque background), or a
# box-shadow; and that it is on the screen.
FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = [255, 255, 255];
  for (let p = el.parentElement; p; p = p.parentElement) {
    const c = rgb(getComputedStyle(p).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { bg = c.slice(0, 3); break; }
  }
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const [l1, l2] = [lum(rgb(s.outlineColor).slice(0, 3)), lum(bg)].sort((a, b) => b - a);
  const contrast = (l1 + 0.05) / (l2 + 0.05);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    href: el.getAttribute("href") || "",
    action: el.form ? new URL(el.form.action).pathname : "",
    text: (el.innerText || el.value || "").trim().slice(0, 40),
    indicator: (outline && contrast >= 3) || s.boxShadow !== "none",
    contrast: Math.round(contrast * 100) / 100,
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0
      && box.right <= innerWidth && box.bottom <= innerHeight,
  };
}
"""


def focused(page: Any) -> dict[str, Any]:
    info = page.evaluate(FOCUS_JS)
    assert info is not None, "nothing has the focus"
    assert info["indicator"], f"no visible focus indicator on {json.dumps(info, ensure_ascii=False)}"
    assert info["onScreen"], f"the focused element is off screen: {json.dumps(info, ensure_ascii=False)}"
    return dict(info)


def tab_to(page: Any, wanted: Any) -> dict[str, Any]:
    """Press Tab until ``wanted(focus)`` holds, checking the focus indicator at every stop."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        info = focused(page)
        if wanted(info):
            return info
        seen.append(f"{info['tag']}#{info['id']} {info['href'] or info['text']}")
    raise AssertionError(f"not reached in {MAX_TABS} tabs; focus went through: {seen}")


def skip_to_content(page: Any) -> None:
    """The first Tab reaches the skip link, shown on screen; Enter on it moves the focus to main."""
    page.keyboard.press("Tab")
    info = focused(page)
    assert (info["tag"], info["href"], info["text"]) == ("a", "#main", zh("Skip to content"))
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#main'")


# --- Tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_key_pages_have_no_serious_accessibility_violations(browser: Any, site: Site, viewport: str) -> None:
    # given
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    found: dict[str, list[dict[str, Any]]] = {}

    # when: axe checks each key page, as a visitor and then as the resident
    page.goto(f"{site.base}/login/")
    found["/login/"] = axe_blocking(page)
    sign_in(page, site.base, "chen")
    for path in ["/me/", "/v/activities/", f"/v/activities/{site.activity_id}/", site.scan_path()]:
        page.goto(f"{site.base}{path}")
        found[path.split("?")[0]] = axe_blocking(page)

    # then
    violations = {where: v for where, v in found.items() if v}
    if violations:
        pytest.fail(describe(violations), pytrace=False)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_in_by_keyboard(browser: Any, site: Site, viewport: str) -> None:
    # given
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.goto(f"{site.base}/login/")

    # when: skip the header, fill in the form and press Enter
    skip_to_content(page)
    assert tab_to(page, lambda f: True)["id"] == "id_username"  # the next stop is the first field
    page.keyboard.type("chen")
    assert tab_to(page, lambda f: True)["id"] == "id_password"
    page.keyboard.type("pw-for-tests-only")
    page.keyboard.press("Enter")

    # then: signed in, on the home page (the form was posted from /login/#main: the fragment stays)
    page.wait_for_url(re.compile(rf"^{re.escape(site.base)}/(#main)?$"))
    assert page.locator(".who").inner_text() == "chen"
    assert_accessible(page)
    # and the header, on the red bar, shows where the focus is too, up to the sign-out button
    page.goto(f"{site.base}/")
    sign_out = tab_to(page, lambda f: f["action"] == "/logout/")
    assert sign_out["text"] == zh("Sign out")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_sign_up_for_an_activity_by_keyboard(browser: Any, site: Site, viewport: str) -> None:
    # given: the resident, signed in, on the activity list
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    sign_in(page, site.base, "chen")
    page.goto(f"{site.base}/v/activities/")
    detail = f"/v/activities/{site.activity_id}/"

    # when: to the activity by Tab and Enter, then to its sign-up button
    skip_to_content(page)
    tab_to(page, lambda f: f["href"] == detail)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.base}{detail}")
    skip_to_content(page)
    button = tab_to(page, lambda f: f["action"] == f"{detail}signup/")
    assert button["text"] == zh("Sign up")
    page.keyboard.press("Enter")

    # then: signed up, told so on the page, which still passes the check
    page.locator(".messages").wait_for()
    assert page.locator(".messages").inner_text() == zh("You are signed up. Thank you!")
    signups = Signup.objects.filter(activity_id=site.activity_id, volunteer__number=site.volunteer_number)
    assert list(signups.values_list("status", flat=True)) == [Signup.Status.CONFIRMED]
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_check_in_by_keyboard(browser: Any, site: Site, viewport: str) -> None:
    # given: the resident's phone at the venue, on the check-in link from the organiser's screen
    context = browser.new_context(viewport=VIEWPORTS[viewport], geolocation=VENUE, permissions=["geolocation"])
    page = context.new_page()
    sign_in(page, site.base, "chen")
    page.goto(f"{site.base}{site.scan_path()}")

    # when
    skip_to_content(page)
    button = tab_to(page, lambda f: f["action"] == "/v/scan/")
    assert button["text"] == zh("Check in")
    page.keyboard.press("Enter")

    # then: checked in, and the result page passes the check
    page.locator(".v-done").wait_for()
    scans = Scan.objects.filter(activity_id=site.checkin_activity_id, volunteer__number=site.volunteer_number)
    assert list(scans.values_list("kind", "accepted")) == [(Scan.Kind.IN, True)]
    assert_accessible(page)
