"""The forced password change: an account whose password an administrator set is held on the
change-password page (pages) and refused 403 ``password_change_required`` (API with a session)
until it has chosen its own; its API keys are not affected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.services import GrantSpec, api_key_issue, staff_account_create
from rongxin.accounts.tests.conftest import make_account
from rongxin.core import clock
from rongxin.core.models import AuditEvent


@pytest.fixture
def newcomer(tree: Any) -> tuple[User, str]:
    admin = make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county))
    created = staff_account_create(
        actor=admin,
        username="newcomer",
        display_name="新人",
        password=None,
        grant=GrantSpec(role=Role.TOWN_OFFICER, region=tree.town_a),
    )
    assert created.password is not None
    return created.user, created.password


def _signed_in_with_password(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_every_page_leads_to_the_change_page_until_the_password_is_changed(newcomer: tuple[User, str]) -> None:
    # given: signed in with the generated password
    _user, password = newcomer
    client = _signed_in_with_password("newcomer", password)
    # when
    home = client.get("/")
    account = client.get("/account/")
    posted = client.post("/account/api-keys/new/", {"name": "x"})
    change_page = client.get("/account/password/")
    api = client.get("/api/v1/accounts/me")
    # then
    assert (home.status_code, home["Location"]) == (302, "/account/password/?next=%2F")
    assert (account.status_code, account["Location"]) == (302, "/account/password/?next=%2Faccount%2F")
    assert (posted.status_code, posted["Location"]) == (302, "/account/password/")
    assert change_page.status_code == 200
    assert "您的密码由管理员设置。继续之前请设置您自己的密码。" in change_page.content.decode()
    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    assert api.json() == {
        "type": "/problems/password_change_required",
        "title": "请先修改密码。",
        "status": 403,
        "code": "password_change_required",
    }


def test_changing_the_password_opens_the_platform_and_keeps_the_session(newcomer: tuple[User, str]) -> None:
    # given
    user, password = newcomer
    client = _signed_in_with_password("newcomer", password)
    # when
    changed = client.post(
        "/account/password/?next=/account/",
        {"old_password": password, "new_password": "my-own-secret-42", "new_password_again": "my-own-secret-42"},
    )
    account = client.get("/account/")
    api = client.get("/api/v1/accounts/me")
    # then
    assert (changed.status_code, changed["Location"]) == (302, "/account/")
    assert (account.status_code, api.status_code) == (200, 200)
    user.refresh_from_db()
    assert (user.must_change_password, user.check_password("my-own-secret-42")) == (False, True)
    assert AuditEvent.objects.filter(action="user.password_change", actor_name="newcomer").count() == 1


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"old_password": "wrong", "new_password": "my-own-secret-42", "new_password_again": "my-own-secret-42"},
         "old_password", "当前密码不正确。"),
        ({"old_password": "OLD", "new_password": "my-own-secret-42", "new_password_again": "my-own-secret-43"},
         "new_password_again", "两次输入的新密码不一致。"),
        ({"old_password": "OLD", "new_password": "1234567890", "new_password_again": "1234567890"},
         "new_password", "这个密码太常见。 这个密码只有数字。"),
        ({"old_password": "OLD", "new_password": "OLD", "new_password_again": "OLD"},
         "new_password", "请选择一个与当前密码不同的密码。"),
    ],
)  # fmt: skip
def test_a_refused_change_shows_its_error_at_the_field(
    newcomer: tuple[User, str], form: dict[str, str], field: str, message: str
) -> None:
    # given
    user, password = newcomer
    client = _signed_in_with_password("newcomer", password)
    form = {k: (password if v == "OLD" else v) for k, v in form.items()}
    # when
    response = client.post("/account/password/", form)
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {field: [message]}
    assert f'<div class="error" id="id_{field}_error"><p>{message}</p></div>' in response.content.decode()
    user.refresh_from_db()
    assert (user.must_change_password, user.check_password(password)) == (True, True)


def test_api_keys_of_an_account_that_must_change_its_password_still_work(newcomer: tuple[User, str]) -> None:
    # given: a key issued for the account (by an administrator, say) before the change
    user, _password = newcomer
    _row, key = api_key_issue(
        actor=None, user=user, name="设备", scopes=["accounts:read"], expires_at=clock.now() + dt.timedelta(days=5)
    )
    # when
    response = Client().get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    # then
    assert (response.status_code, response.json()["username"]) == (200, "newcomer")
