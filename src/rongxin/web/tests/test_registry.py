"""An app's navigation item and its panel on a subject's file reach the shell only through the
registries its ``apps.py`` contributes to (:mod:`rongxin.core.registry`): install a throwaway
app and they appear, to the roles it names; take credit's panel off its ``AppConfig`` and the
file page no longer shows it. No shell file names an app."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from rongxin.accounts.domain.api_scopes import all_scopes, area_of_path, scope_allows, scopes_normalise
from rongxin.conftest import client_for, link, make_organisation, make_person, make_user

pytestmark = pytest.mark.django_db

PROBE_APP = "rongxin.web.tests.registry_app"
NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r"<a [^>]*>([^<]*)</a>")


def _nav_labels(client: Client) -> list[str]:
    match = NAV.search(client.get("/").content.decode())
    assert match is not None
    return LINK.findall(match.group(1))


@pytest.fixture
def probe_installed(settings: Any) -> None:
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, PROBE_APP]


def test_without_the_probe_app_the_shell_knows_nothing_of_it(tree: Any, staff: Any) -> None:
    # when
    labels = _nav_labels(client_for(staff["auditor"]))
    # then
    assert labels == [
        "首页",
        "理论宣讲",
        "暖心食堂",
        "资金",
        "项目超市",
        "指标目录",
        "行政区划",
        "审计日志",
        "我的账户",
    ]


def test_an_apps_nav_item_appears_through_the_registry_in_its_order_to_its_roles_only(
    tree: Any, staff: Any, probe_installed: None
) -> None:
    # given
    resident = make_user("res")
    link(resident, make_person(tree.village_a1).subject)
    # when
    auditor = _nav_labels(client_for(staff["auditor"]))
    officer = _nav_labels(client_for(staff["village_a1_officer"]))
    own = _nav_labels(client_for(resident))
    # then: order 135 sits between the regions (110) and the audit log (140)
    assert auditor == [
        "首页",
        "理论宣讲",
        "暖心食堂",
        "资金",
        "项目超市",
        "指标目录",
        "行政区划",
        "Probe module",
        "审计日志",
        "我的账户",
    ]
    assert "Probe module" not in officer
    assert "Probe module" not in own


def test_an_apps_file_panel_appears_through_the_registry_on_staff_and_own_file_pages(
    tree: Any, staff: Any, probe_installed: None
) -> None:
    # given
    person = make_person(tree.village_a1, name="李雷")
    resident = make_user("me")
    link(resident, person.subject)
    organisation = make_organisation(tree.village_a1)
    officer = client_for(staff["village_a1_officer"])
    # when
    staff_page = officer.get(f"/subjects/{person.pk}/", {"purpose": "service"}).content.decode()
    own_page = client_for(resident).get("/me/").content.decode()
    organisation_page = officer.get(f"/subjects/{organisation.pk}/", {"purpose": "service"}).content.decode()
    # then: the panel's context comes from the app's builder, which has nothing for organisations
    assert f"Probe panel for {person.pk} (staff) on 李雷" in staff_page
    assert f"Probe panel for {person.pk} (own) on 李雷" in own_page
    assert 'id="probe"' not in organisation_page
    # and panels are placed by their order: the probe (5) before credit (10)
    assert staff_page.index('id="probe"') < staff_page.index('id="credit"')


def test_taking_credits_panel_off_its_app_config_takes_it_off_the_file_page(
    tree: Any, staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    person = make_person(tree.village_a1, name="韩梅梅")
    officer = client_for(staff["village_a1_officer"])
    before = officer.get(f"/subjects/{person.pk}/", {"purpose": "service"}).content.decode()
    # when
    monkeypatch.setattr(apps.get_app_config("credit"), "file_panels", ())
    after = officer.get(f"/subjects/{person.pk}/", {"purpose": "service"}).content.decode()
    # then
    assert before.count('<section class="card" id="credit">') == 1
    assert 'id="credit"' not in after
    assert person.id_number_masked in after  # the rest of the file is still there


def test_an_apps_api_area_becomes_key_scopes_through_the_registry(settings: Any) -> None:
    # given
    before = all_scopes()
    outside_before = area_of_path("/api/v1/probe/things")
    # when
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, PROBE_APP]
    after = all_scopes()
    # then: its scopes sit by the area's order (65: after incentives, before lectures)
    assert "probe:read" not in before
    assert outside_before is None
    assert after == [*before[:12], "probe:read", "probe:write", *before[12:]]
    assert before[10:14] == ["incentives:read", "incentives:write", "lectures:read", "lectures:write"]
    assert area_of_path("/api/v1/probing/1") == "probe"
    assert scope_allows(["probe:read"], path="/api/v1/probe/x", method="GET") is True
    assert scope_allows(["probe:read"], path="/api/v1/probe/x", method="POST") is False
    assert scopes_normalise(["probe:write", "probe:read"]) == ["probe:write"]
