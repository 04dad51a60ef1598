"""Browser journey for incentives, in headless Debian Chromium: a resident of grade AA shows a
bus credential on a 375 px phone; the bus company's staff paste it on the provider page and see
"eligible", then read the same code with the page's camera scanner (the camera is a canvas
showing the resident's QR code, decoded by the vendored jsQR); the offline page verifies it in
the browser with the published key and the provider's status list, also after a reload without
the key document, refuses it while the resident's grade is down and without a status list; the
resident reloads their page and sees both checks under "who checked my credit".

Screenshots (375 px and desktop) are written to the test's temporary folder, and copied to
``$RONGXIN_SCREENSHOTS`` when it is set.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department
from rongxin.conftest import Tree, make_user, sign_in
from rongxin.credit.models import SubjectCredit
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.incentives.models import Check, Credential
from rongxin.incentives.services.offers import incentives_load_starters
from rongxin.incentives.tests.conftest import provider_user, resident
from rongxin.subjects.models import SubjectAccount

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUS = "荣成市公共交通有限公司"
HALF_PRICE = "城乡公交半价乘车"

# Stands in for the phone's camera: a canvas that keeps drawing the QR code it is given, as a
# video stream. The page's own scanner code (getUserMedia + jsQR) reads it.
FAKE_CAMERA = """
window.__cameraSvg = null;
// (about:blank and other non-secure documents have no mediaDevices: nothing to replace there)
if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 480; canvas.height = 480;
  const ctx = canvas.getContext("2d");
  const image = new Image();
  // An inline SVG needs its namespace and a size to stand alone as an image.
  const svg = window.__cameraSvg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" ');
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  await image.decode();
  const draw = () => {
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, 480, 480);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(image, 40, 40, 400, 400);
  };
  draw();
  setInterval(draw, 100);
  return canvas.captureStream(10);
};
"""


def zh(msgid: str) -> str:
    """What the page shows for ``msgid``: Chinese, the default page language."""
    with translation.override("zh-hans"):
        return gettext(msgid)


def _reference_data() -> None:
    """Transactional tests empty the tables, including what the migrations seeded."""
    accounts = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in accounts.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    catalogue_load_starters()
    incentives_load_starters()


def test_resident_shows_a_bus_credential_the_provider_verifies_it_and_the_resident_sees_the_check(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    # given: a resident of grade AA (1035) and the bus company's staff account
    _reference_data()
    tree = Tree()
    office = make_user("office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    provider_user("bus", tree, office, "rc_bus")
    resident(tree, "chen", points=35, birth="19800101")
    base = live_server.url
    shots: list[Path] = []

    def shot(page: Any, name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)

    # when: the resident opens their incentives on the phone and shows the half-price bus code
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    sign_in(phone, base, "chen")
    phone.goto(f"{base}/incentives/me/")
    assert phone.locator("#grade .grade").inner_text() == "AA"
    phone.locator("#activity .inc-log, #activity #checks").first.wait_for()  # loaded by htmx
    assert phone.locator("#checks").inner_text() == zh("Nobody has checked your credit yet.")
    shot(phone, "holder-375")
    offer = phone.locator(".inc-offer", has_text=HALF_PRICE)
    offer.get_by_role("button", name=zh("Show credit code"), exact=True).click()
    assert phone.locator("h1").inner_text() == HALF_PRICE
    assert phone.locator(".inc-qr-svg").is_visible()
    token = phone.locator("#token").input_value()
    qr_svg = phone.locator(".inc-qr-svg").evaluate("svg => svg.outerHTML")
    shot(phone, "credential-375")

    # and the bus company's staff paste it on the provider page (desktop)
    # (a desk whose device is set to another time zone: times must still read in China time)
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="America/New_York")
    desk_context.add_init_script(FAKE_CAMERA)
    desk = desk_context.new_page()
    sign_in(desk, base, "bus")
    desk.goto(f"{base}/incentives/provider/")
    shot(desk, "provider-desktop")
    desk.locator("#id_token").fill(token)
    desk.get_by_role("button", name=zh("Check"), exact=True).click()

    # then: eligible, and nothing else about the holder
    verdict = desk.locator("#verdict")
    assert verdict.locator(".inc-verdict-head").inner_text() == f"✓ {zh('Eligible')}"
    assert verdict.locator(".inc-verdict-reason").inner_text() == zh(
        "The holder qualifies for this offer now. Give the benefit."
    )
    assert "chen" not in desk.locator("main").inner_text()
    assert "1035" not in desk.locator("main").inner_text()
    shot(desk, "provider-eligible-desktop")

    # when: they read the same code with the camera scanner, which fills the field and submits
    desk.goto(f"{base}/incentives/provider/")
    desk.evaluate("svg => { window.__cameraSvg = svg; }", qr_svg)
    desk.locator("#verify").get_by_role("button", name=zh("Scan with the camera"), exact=True).click()
    desk.locator("#verdict").wait_for()
    assert desk.locator("#verdict .inc-verdict-head").inner_text() == f"✓ {zh('Eligible')}"
    assert list(Check.objects.order_by("id").values_list("channel", "result")) == [
        ("page", "eligible"),
        ("page", "eligible"),
    ]

    # and they check it offline: the page verifies the signature in the browser
    desk.goto(f"{base}/incentives/verify-offline/")
    offline = desk.locator("#offline")
    offline.locator("[data-keys-status]").filter(has_text=zh("Public keys loaded:")).wait_for()
    assert offline.locator("[data-no-ed25519]").is_hidden()
    desk.locator("#offline-token").fill(token)
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    result = offline.locator("[data-offline-result]")
    result.filter(has_text=zh("Valid: signed by the county and not expired.")).wait_for()
    assert result.get_attribute("data-status") == "valid"
    # the offer by its name and the expiry in China time, labelled, whatever the device's zone
    expires = Credential.objects.get(incentive__title_zh=HALF_PRICE).expires_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert result.locator("p").nth(1).inner_text() == (
        f"{zh('Offer')}: {HALF_PRICE} · {zh('Valid until')}: {expires:%Y-%m-%d %H:%M} ({zh('China time')})"
    )
    shot(desk, "offline-valid-desktop")
    # an altered credential fails; the key document is kept, so a reload needs no network for it
    key_requests: list[str] = []
    desk.on("request", lambda r: key_requests.append(r.url) if "/api/v1/incentives/keys" in r.url else None)
    desk.route("**/api/v1/incentives/keys", lambda route: route.abort())
    desk.reload()
    offline.locator("[data-keys-status]").filter(has_text=zh("Public keys loaded:")).wait_for()
    # the status list is fetched after the keys; checking before it arrives answers "no list"
    offline.locator("[data-status-list]").filter(has_text=zh("Status list from")).wait_for()
    altered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    desk.locator("#offline-token").fill(altered)
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    result.filter(has_text=zh("Invalid: not signed by the county, altered, or not a credential.")).wait_for()
    assert result.get_attribute("data-status") == "invalid"
    desk.locator("#offline-token").fill(token)
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    result.filter(has_text=zh("Valid: signed by the county and not expired.")).wait_for()
    assert key_requests == []
    assert Check.objects.count() == 2  # the offline check tells the server nothing
    assert offline.locator("[data-status-list]").inner_text().startswith(zh("Status list from"))

    # when the resident's grade falls, the next status list refuses the code offline
    subject_id = SubjectAccount.objects.get(user__username="chen").subject_id
    SubjectCredit.objects.filter(pk=subject_id).update(grade="A")
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    revoked = zh(
        "Not accepted: the county no longer honours this credential (withdrawn, the holder no longer qualifies, "
        "or already used)."
    )
    result.filter(has_text=revoked).wait_for()
    assert result.get_attribute("data-status") == "revoked"
    SubjectCredit.objects.filter(pk=subject_id).update(grade="AA")
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    result.filter(has_text=zh("Valid: signed by the county and not expired.")).wait_for()
    # and without a status list (none kept, none to fetch) nothing is accepted
    desk.route("**/api/v1/incentives/status", lambda route: route.abort())
    desk.evaluate("() => localStorage.removeItem('rongxin.incentives.status')")
    desk.reload()
    offline.locator("[data-keys-status]").filter(has_text=zh("Public keys loaded:")).wait_for()
    desk.locator("#offline-token").fill(token)
    offline.get_by_role("button", name=zh("Check here"), exact=True).click()
    stale = zh(
        "Not checked: this browser has no current status list. Sign in as a provider and connect to the network once."
    )
    result.filter(has_text=stale).wait_for()
    assert result.get_attribute("data-status") == "stale"

    # then: the resident reloads their page and sees both checks by the bus company
    phone.goto(f"{base}/incentives/me/")
    checks = phone.locator("#checks .inc-log-item")
    checks.nth(1).wait_for()
    assert checks.count() == 2
    for i in range(2):
        text = checks.nth(i).inner_text()
        assert [BUS in text, HALF_PRICE in text, zh("Eligible") in text, zh("Provider page") in text] == [True] * 4
    assert phone.locator("#activity h2").first.inner_text() == zh("Who checked my credit")
    shot(phone, "holder-checked-375")

    # and the printable card, on a desk
    holder_desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(holder_desk, base, "chen")
    holder_desk.goto(f"{base}/incentives/me/")
    holder_desk.locator(".inc-offer", has_text=HALF_PRICE).get_by_role(
        "button", name=zh("Print credit card"), exact=True
    ).click()
    assert holder_desk.locator(".inc-card h1").inner_text() == HALF_PRICE
    shot(holder_desk, "card-desktop")

    if os.environ.get("RONGXIN_SCREENSHOTS"):
        for path in shots:
            shutil.copy(path, os.environ["RONGXIN_SCREENSHOTS"])
