"""The phone (issue 12, item 7): at 375 px the navigation folds behind a menu button that works
by touch and by keyboard; without JavaScript it wraps, every link in view; no page of the demo
roles' navigation scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import Tree, link, make_person, make_user, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}


def menu_state(page: Any) -> tuple[str | None, bool]:
    button = page.get_by_role("button", name="菜单")
    return button.get_attribute("aria-expanded"), page.locator("#main-nav").is_visible()


def test_the_menu_opens_by_tap_and_a_link_is_followed(live_server: Any, browser: Any) -> None:
    # given a village officer on a phone
    tree = Tree()
    make_user("village_officer", Role.VILLAGE_OFFICER, tree.village_a1)
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "village_officer")
    button = page.get_by_role("button", name="菜单")
    assert button.get_attribute("aria-controls") == "main-nav"
    assert menu_state(page) == ("false", False)
    # when
    button.tap()
    # then
    assert menu_state(page) == ("true", True)
    page.get_by_role("navigation").get_by_role("link", name="查询档案").tap()
    page.wait_for_url(f"{live_server.url}/subjects/")
    assert menu_state(page) == ("false", False)
    context.close()


def test_the_menu_works_by_keyboard(live_server: Any, browser: Any) -> None:
    # given
    tree = Tree()
    make_user("village_officer", Role.VILLAGE_OFFICER, tree.village_a1)
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(page, live_server.url, "village_officer")
    # when: Tab to the button (after the skip link and the brand) and press Enter
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    page.keyboard.press("Enter")
    # then
    assert menu_state(page) == ("true", True)
    # Escape closes it and leaves the focus on the button; Space opens it again
    page.keyboard.press("Escape")
    assert menu_state(page) == ("false", False)
    assert page.evaluate("document.activeElement.className") == "menu-toggle"
    page.keyboard.press("Space")
    assert menu_state(page) == ("true", True)
    # the links follow the button in the tab order, first the home page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "首页"
    for _ in range(10):
        if page.evaluate("document.activeElement.textContent") == "查询档案":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#main-nav') !== null") is True
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/subjects/")


def test_without_javascript_the_navigation_wraps_in_view(live_server: Any, browser: Any) -> None:
    # given
    tree = Tree()
    make_user("village_officer", Role.VILLAGE_OFFICER, tree.village_a1)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    # when
    sign_in(page, live_server.url, "village_officer")
    # then: no menu button, every link visible, nothing wider than the screen
    assert page.locator(".menu-toggle").is_visible() is False
    links = page.locator("#main-nav a")
    assert [links.nth(i).is_visible() for i in range(links.count())] == [True] * links.count()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_on_a_desktop_the_navigation_shows_without_a_button(live_server: Any, browser: Any) -> None:
    # given
    tree = Tree()
    make_user("village_officer", Role.VILLAGE_OFFICER, tree.village_a1)
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    # when
    sign_in(page, live_server.url, "village_officer")
    # then
    assert page.locator(".menu-toggle").is_visible() is False
    assert page.locator("#main-nav").is_visible() is True


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.COUNTY_CREDIT_OFFICE, "county"),
        (Role.VILLAGE_OFFICER, "village_a1"),
        (Role.TOWN_OFFICER, "town_a"),
        (Role.AUDITOR, "county"),
        (None, None),
    ],
)
def test_no_page_of_a_roles_navigation_scrolls_sideways_on_a_phone(
    live_server: Any, browser: Any, role: Role | None, region: str | None
) -> None:
    # given a user of the role (a resident with a file when no role)
    tree = Tree()
    if role is None:
        user = make_user("someone")
        link(user, make_person(tree.village_a1, name="陈小红").subject)
    else:
        user = make_user("someone", role, getattr(tree, region or ""))
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    sign_in(page, live_server.url, user.username)
    hrefs = page.eval_on_selector_all("#main-nav a", "links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) >= 3
    # when each page of the navigation is opened
    wide = {}
    for href in hrefs:
        page.goto(f"{live_server.url}{href}")
        wide[href] = page.evaluate("document.documentElement.scrollWidth")
    # then
    assert {h: w for h, w in wide.items() if w > PHONE["width"]} == {}
