"""The administration pages: who sees them, forms that put each error at its field, a generated
password or key shown once, and the navigation item for administrators only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.tests.conftest import make_account, signed_in
from rongxin.core.models import AuditEvent


@pytest.fixture
def people(tree: Any) -> dict[str, User]:
    return {
        "county_admin": make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county)),
        "town_a_admin": make_account("town_a_admin", (Role.PLATFORM_ADMIN, tree.town_a)),
        "town_b_admin": make_account("town_b_admin", (Role.PLATFORM_ADMIN, tree.town_b)),
        "county_office": make_account("county_office", (Role.COUNTY_CREDIT_OFFICE, tree.county)),
        "officer": make_account("officer", (Role.TOWN_OFFICER, tree.town_a)),
    }


def _soon() -> str:
    return (timezone.localdate() + dt.timedelta(days=30)).isoformat()


def _field_errors(html: str) -> dict[str, list[str]]:
    """Each field's errors as the page shows them beside it (``web/_field.html``), by name."""
    return {
        name: re.findall(r"<p>(.*?)</p>", block)
        for name, block in re.findall(r'<div class="error" id="id_([a-z_]+)_error">(.*?)</div>', html, flags=re.S)
    }


PAGE_MATRIX = [
    ("county_office", "/account/staff/new/", 404),
    ("officer", "/account/staff/new/", 404),
    ("town_a_admin", "/account/staff/new/", 200),
    ("town_b_admin", "/account/staff/{officer}/", 404),
    ("town_b_admin", "/account/staff/{officer}/password-reset/", 404),
    ("town_b_admin", "/account/staff/{officer}/deactivate/", 404),
    ("town_b_admin", "/account/staff/{officer}/api-keys/new/", 404),
    ("town_a_admin", "/account/staff/{officer}/", 200),
    ("town_a_admin", "/account/staff/{officer}/password-reset/", 200),
    ("town_a_admin", "/account/staff/{officer}/deactivate/", 200),
    ("town_a_admin", "/account/staff/{officer}/api-keys/new/", 200),
    ("town_a_admin", "/account/staff/{town_a_admin}/deactivate/", 404),  # never themself
    ("officer", "/account/api-keys/new/", 200),
    ("officer", "/account/password/", 200),
]


@pytest.mark.parametrize(("who", "path", "status"), PAGE_MATRIX)
def test_page_permission_matrix(people: dict[str, User], who: str, path: str, status: int) -> None:
    # when
    response = signed_in(people[who]).get(path.format(**{k: v.pk for k, v in people.items()}))
    # then
    assert response.status_code == status


def test_the_create_form_shows_each_error_at_its_field(people: dict[str, User]) -> None:
    # when: nothing filled in
    response = signed_in(people["town_a_admin"]).post("/account/staff/new/", {"username": ""})
    # then
    assert response.status_code == 422
    assert _field_errors(response.content.decode()) == {
        "username": ["此项为必填项。"],
        "display_name": ["此项为必填项。"],
        "role": ["此项为必填项。"],
        "region": ["此项为必填项。"],
    }
    assert User.objects.count() == 5


def test_a_region_out_of_reach_is_refused_at_the_region_field(people: dict[str, User]) -> None:
    # when: the town A administrator names the county for a town officer
    before = AuditEvent.objects.count()
    response = signed_in(people["town_a_admin"]).post(
        "/account/staff/new/",
        {"username": "wang", "display_name": "王", "role": "town_officer", "region": "371082000000"},
    )
    # then
    assert response.status_code == 422  # the county is not among the form's choices
    assert _field_errors(response.content.decode()) == {
        "region": ["选择一个有效的选项。 371082000000 不在可用的选项中。"]
    }
    assert (User.objects.filter(username="wang").exists(), AuditEvent.objects.count()) == (False, before)


def test_a_county_role_is_refused_to_a_town_administrator_at_the_role_field(people: dict[str, User]) -> None:
    # when
    response = signed_in(people["town_a_admin"]).post(
        "/account/staff/new/",
        {"username": "wang", "display_name": "王", "role": "auditor", "region": "371082001000"},
    )
    # then
    assert response.status_code == 403
    assert _field_errors(response.content.decode()) == {"role": ["只有全县的管理员可以授予此角色。"]}
    assert not User.objects.filter(username="wang").exists()


def test_a_created_account_shows_its_generated_password_once(people: dict[str, User]) -> None:
    # when
    response = signed_in(people["town_a_admin"]).post(
        "/account/staff/new/",
        {"username": "wang", "display_name": "王", "role": "town_officer", "region": "371082001000", "password": ""},
    )
    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    password = re.search(r'<code class="mono secret" id="secret">([^<]+)</code>', html)
    assert password is not None
    user = User.objects.get(username="wang")
    assert (user.check_password(password.group(1)), user.must_change_password) == (True, True)
    detail = signed_in(people["town_a_admin"]).get(f"/account/staff/{user.pk}/").content.decode()
    assert password.group(1) not in detail


def test_granting_on_the_account_page_and_its_errors(people: dict[str, User], tree: Any) -> None:
    # given
    client = signed_in(people["county_admin"])
    url = f"/account/staff/{people['officer'].pk}/grants/"
    # when
    missing_department = client.post(url, {"role": "department_recorder", "region": "371082000000"})
    granted = client.post(
        url, {"role": "department_recorder", "region": "371082000000", "department": "traffic_police"}
    )
    # then
    assert missing_department.status_code == 422
    assert _field_errors(missing_department.content.decode()) == {
        "department": ["部门记录员必须指定部门，其他角色不得指定部门。"]
    }
    assert (granted.status_code, granted["Location"]) == (302, f"/account/staff/{people['officer'].pk}/")
    assert list(
        Grant.objects.filter(user=people["officer"]).order_by("id").values_list("role", "department__code")
    ) == [("town_officer", None), ("department_recorder", "traffic_police")]


def test_deactivation_asks_first_then_deactivates(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["town_a_admin"])
    url = f"/account/staff/{people['officer'].pk}/deactivate/"
    # when
    confirm = client.get(url)
    done = client.post(url)
    # then
    assert "停用后该账号无法登录" in confirm.content.decode()
    assert done.status_code == 302
    people["officer"].refresh_from_db()
    assert people["officer"].is_active is False


def test_my_own_key_is_shown_once_with_its_scopes(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["officer"])
    # when
    response = client.post(
        "/account/api-keys/new/",
        {"name": "手机", "scopes": ["credit:read", "subjects:write"], "expires_at": "2099-01-01"},
    )
    refused_expiry = response
    ok = client.post(
        "/account/api-keys/new/", {"name": "手机", "scopes": ["credit:read", "subjects:write"], "expires_at": _soon()}
    )
    mine = client.get("/account/").content.decode()
    # then
    assert refused_expiry.status_code == 422
    assert _field_errors(refused_expiry.content.decode()) == {"expires_at": ["密钥最长有效 730 天。"]}
    assert ok.status_code == 200
    key = re.search(r'id="secret">(rx_[^<]+)</code>', ok.content.decode())
    assert key is not None
    assert ApiKey.objects.get().scopes == ["subjects:write", "credit:read"]
    assert key.group(1) not in mine
    assert "信用 · 只读" in mine


def test_the_navigation_shows_staff_accounts_to_administrators_only(people: dict[str, User]) -> None:
    # when
    admin = signed_in(people["town_a_admin"]).get("/account/").content.decode()
    officer = signed_in(people["officer"]).get("/account/").content.decode()
    # then
    assert 'href="/account/staff/"' in admin
    assert 'href="/account/staff/"' not in officer
