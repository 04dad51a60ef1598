"""The account pages: your own grants and keys, the staff of an administrator's region, and the
two-step (confirm, then POST with CSRF) revocation of grants and keys."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.services import api_key_create
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
        "village_officer": make_account("village_officer", (Role.VILLAGE_OFFICER, tree.village_b1)),
    }


def _state() -> list[Any]:
    return [
        *Grant.objects.order_by("pk").values_list("pk", "revoked_at"),
        *ApiKey.objects.order_by("pk").values_list("pk", "revoked_at"),
        AuditEvent.objects.count(),
    ]


def test_my_account_lists_my_grants_and_keys_with_revoke_links_for_keys_only(people: dict[str, User]) -> None:
    # given
    row, _key = api_key_create(actor=None, user=people["officer"], name="导入脚本")
    # when
    page = signed_in(people["officer"]).get("/account/")
    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>我的账户</h1>" in html
    assert "镇街工作人员" in html
    assert "导入脚本" in html
    assert f'href="/account/api-keys/{row.pk}/revoke/"' in html
    assert "/account/grants/" not in html
    assert "/account/staff/" not in html
    assert '<a href="/account/" aria-current="page">我的账户</a>' in html


def test_anonymous_visitors_are_sent_to_sign_in(db: Any) -> None:
    # when
    response = Client().get("/account/")
    # then
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/account/")


def test_the_staff_list_shows_the_users_of_the_administrators_region(people: dict[str, User]) -> None:
    # when
    town = signed_in(people["town_a_admin"]).get("/account/staff/")
    county = signed_in(people["county_admin"]).get("/account/staff/?q=officer")
    refused = signed_in(people["county_office"]).get("/account/staff/")
    # then
    assert [u.username for u in town.context["page"]] == ["officer", "town_a_admin"]
    assert [u.username for u in county.context["page"]] == ["officer", "village_officer"]
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [("county_office", 404), ("town_b_admin", 404), ("town_a_admin", 200), ("county_admin", 200)],
)
def test_the_staff_page_of_a_user(people: dict[str, User], who: str, status: int) -> None:
    # given
    grant = Grant.objects.get(user=people["officer"])
    # when
    response = signed_in(people[who]).get(f"/account/staff/{people['officer'].pk}/")
    # then
    assert response.status_code == status
    if status == 200:
        assert f'href="/account/grants/{grant.pk}/revoke/"' in response.content.decode()


def test_revoking_a_grant_asks_first_then_revokes(people: dict[str, User]) -> None:
    # given
    grant = Grant.objects.get(user=people["officer"])
    admin = signed_in(people["town_a_admin"])
    before = _state()
    # when
    confirm = admin.get(f"/account/grants/{grant.pk}/revoke/")
    unchanged = _state()
    done = admin.post(f"/account/grants/{grant.pk}/revoke/")
    # then
    assert confirm.status_code == 200
    assert "撤销授权" in confirm.content.decode()
    assert unchanged == before
    assert (done.status_code, done["Location"]) == (302, f"/account/staff/{people['officer'].pk}/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert list(AuditEvent.objects.filter(action="grant.revoke").values_list("actor_name", "object_id")) == [
        ("town_a_admin", str(people["officer"].pk))
    ]
    after = admin.get(done["Location"])
    assert "已撤销角色授权。" in after.content.decode()
    assert admin.get(f"/account/grants/{grant.pk}/revoke/").content.decode().count('<form method="post">') == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("county_office", 404), ("town_b_admin", 404), ("officer", 404), ("town_a_admin", 302)],
)
def test_grant_revocation_page_matrix(people: dict[str, User], who: str, status: int) -> None:
    # given
    grant = Grant.objects.get(user=people["officer"])
    client = signed_in(None if who == "anonymous" else people[who])
    before = _state()
    # when
    response = client.post(f"/account/grants/{grant.pk}/revoke/")
    # then
    assert response.status_code == status
    if who == "town_a_admin":
        assert Grant.objects.get(pk=grant.pk).revoked_at is not None
    else:
        assert _state() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("county_office", 404), ("town_b_admin", 404), ("officer", 302), ("county_admin", 302)],
)
def test_key_revocation_page_matrix(people: dict[str, User], who: str, status: int) -> None:
    # given
    row, _key = api_key_create(actor=None, user=people["officer"], name="script")
    client = signed_in(None if who == "anonymous" else people[who])
    before = _state()
    # when
    response = client.post(f"/account/api-keys/{row.pk}/revoke/")
    # then
    assert response.status_code == status
    if who in ("officer", "county_admin"):
        expected = "/account/" if who == "officer" else f"/account/staff/{people['officer'].pk}/"
        assert response["Location"] == expected
        assert ApiKey.objects.get(pk=row.pk).revoked_at is not None
    else:
        assert _state() == before


def test_revocation_pages_need_the_csrf_token(people: dict[str, User]) -> None:
    # given
    row, _key = api_key_create(actor=None, user=people["officer"], name="script")
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["officer"])
    before = _state()
    # when
    forged = client.post(f"/account/api-keys/{row.pk}/revoke/")
    confirm = client.get(f"/account/api-keys/{row.pk}/revoke/")
    token = confirm.context["csrf_token"]
    real = client.post(f"/account/api-keys/{row.pk}/revoke/", {"csrfmiddlewaretoken": str(token)})
    # then
    assert forged.status_code == 403
    assert real.status_code == 302
    assert [*before[:-2], before[-1]] == [*_state()[:-2], AuditEvent.objects.count() - 1]


def test_my_last_admin_grant_is_refused_with_a_message(people: dict[str, User]) -> None:
    # given
    grant = Grant.objects.get(user=people["county_admin"])
    client = signed_in(people["county_admin"])
    before = _state()
    # when
    response = client.post(f"/account/grants/{grant.pk}/revoke/", follow=True)
    # then
    assert response.redirect_chain == [("/account/", 302)]
    assert "这是您最后一项管理员授权" in response.content.decode()
    assert _state() == before
