"""An incentive provider's staff get their provider in the accounts grant flow: the grant form
asks which provider (a grant scope this app declares), and the grant links the account in the
same transaction, so it acts for that provider at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Grant, User
from rongxin.conftest import make_user
from rongxin.core.models import AuditEvent
from rongxin.incentives.models import Provider, ProviderAccount
from rongxin.incentives.tests.conftest import World


@pytest.fixture
def admin(world: World) -> User:
    return make_user("county_admin", Role.PLATFORM_ADMIN, world.tree.county)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _create(client: Client, **extra: str) -> Any:
    body = {
        "username": "driver",
        "display_name": "车队验码员",
        "role": "incentive_provider",
        "region_code": "371082000000",
        **extra,
    }
    return client.post("/api/v1/accounts/users", body, content_type="application/json")


def test_a_provider_grant_links_the_account_to_its_provider(world: World, admin: User) -> None:
    # when
    response = _create(_client(admin), scope="rc_bus")
    # then
    assert response.status_code == 201
    user = User.objects.get(username="driver")
    assert list(ProviderAccount.objects.filter(user=user).values_list("provider__code", flat=True)) == ["rc_bus"]
    assert list(Grant.objects.filter(user=user).values_list("role", "scope")) == [("incentive_provider", "rc_bus")]
    assert list(
        AuditEvent.objects.filter(actor_name="county_admin")
        .order_by("id")
        .values_list("action", "actor_name", "object_id")
    ) == [
        ("grant.add", "county_admin", str(user.pk)),
        ("provider.account", "county_admin", "rc_bus"),
        ("user.create", "county_admin", str(user.pk)),
    ]
    # (after the forced change of the generated password) it acts for the bus company at once
    User.objects.filter(pk=user.pk).update(must_change_password=False)
    user.refresh_from_db()
    assert _client(user).get("/api/v1/incentives/provider/offers").status_code == 200


@pytest.mark.parametrize(
    ("scope", "message"),
    [("", "请选择提供方。"), ("no_such_provider", "不是可选项：no_such_provider。")],
)
def test_a_provider_grant_needs_a_known_provider(world: World, admin: User, scope: str, message: str) -> None:
    # given
    before = (User.objects.count(), ProviderAccount.objects.count(), AuditEvent.objects.count())
    # when
    response = _create(_client(admin), scope=scope)
    # then
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "scope", "message": message, "code": "scope_required" if not scope else "scope"}
    ]
    assert (User.objects.count(), ProviderAccount.objects.count(), AuditEvent.objects.count()) == before


def test_an_account_acts_for_one_provider_at_a_time(world: World, admin: User) -> None:
    # given: the bus company's account (linked by the office, its grant without a scope) gets a
    # grant naming the bus company, then one naming the bank
    client = _client(admin)
    url = f"/api/v1/accounts/users/{world.bus.pk}/grants"
    same = client.post(
        url, {"role": "incentive_provider", "region_code": "371082001000", "scope": "rc_bus"},
        content_type="application/json",
    )  # fmt: skip
    before = (ProviderAccount.objects.get(user=world.bus).provider.code, Grant.objects.count())
    # when
    other = client.post(
        url, {"role": "incentive_provider", "region_code": "371082101000", "scope": "rc_rural_bank"},
        content_type="application/json",
    )  # fmt: skip
    # then
    assert same.status_code == 201
    assert (other.status_code, other.json()["code"]) == (409, "duplicate")
    assert (ProviderAccount.objects.get(user=world.bus).provider.code, Grant.objects.count()) == before


def test_the_grant_form_offers_the_providers(world: World, admin: User) -> None:
    # when
    html = _client(admin).get(f"/account/staff/{world.bus.pk}/").content.decode()
    # then
    assert '<label for="id_scope">提供方</label>' in html
    assert '<option value="rc_bus">' in html


def test_the_account_page_names_the_provider_of_a_grant(world: World, admin: User) -> None:
    # given
    _create(_client(admin), scope="rc_bus")
    user = User.objects.get(username="driver")
    # when
    html = _client(admin).get(f"/account/staff/{user.pk}/").content.decode()
    # then
    name = Provider.objects.get(code="rc_bus").name
    assert f"<td>激励措施提供方</td><td>荣成市</td><td>{name}</td>" in html
