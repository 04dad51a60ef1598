"""API keys: issued with scopes and an expiry, shown once and stored hashed; a revoked or
expired key is refused at its next request; a read-only key is refused on every write."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.tests.conftest import make_account, signed_in
from rongxin.core import clock
from rongxin.core.models import AuditEvent


@pytest.fixture
def people(tree: Any) -> dict[str, User]:
    return {
        "county_admin": make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county)),
        "town_a_admin": make_account("town_a_admin", (Role.PLATFORM_ADMIN, tree.town_a)),
        "officer": make_account("officer", (Role.TOWN_OFFICER, tree.town_a)),
        "other": make_account("other", (Role.TOWN_OFFICER, tree.town_b)),
    }


def _in_days(days: int) -> str:
    return (clock.now() + dt.timedelta(days=days)).isoformat()


def _issue(client: Any, user: User, scopes: list[str], *, name: str = "导入脚本", days: int = 30) -> Any:
    return client.post(
        f"/api/v1/accounts/users/{user.pk}/api-keys",
        {"name": name, "scopes": scopes, "expires_at": _in_days(days)},
        content_type="application/json",
    )


def _bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_key_is_answered_once_and_only_its_hash_is_kept(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["officer"])
    # when
    issued = _issue(client, people["officer"], ["accounts:read", "credit:write"])
    listed = client.get(f"/api/v1/accounts/users/{people['officer'].pk}/access")
    # then
    assert issued.status_code == 201
    body = issued.json()
    key = body["key"]
    row = ApiKey.objects.get()
    assert (body["id"], body["name"], body["prefix"], body["scopes"]) == (
        row.pk,
        "导入脚本",
        key[:8],
        ["accounts:read", "credit:write"],
    )
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiKey.objects.values_list()))
    assert key not in listed.content.decode()
    assert [k["id"] for k in listed.json()["api_keys"]] == [row.pk]
    audit = AuditEvent.objects.get(action="api_key.create")
    assert (audit.actor_name, audit.object_id, audit.details["scopes"]) == (
        "officer",
        str(people["officer"].pk),
        ["accounts:read", "credit:write"],
    )
    assert key not in str(audit.details)


KEY_MATRIX = [
    ("anonymous", "officer", 401),
    ("other", "officer", 404),  # another account, not an administrator
    ("town_a_admin", "county_admin", 404),  # out of a town administrator's reach
    ("officer", "officer", 201),  # their own
    ("town_a_admin", "officer", 201),  # an account they administer
]


@pytest.mark.parametrize(("who", "target", "status"), KEY_MATRIX)
def test_key_issue_permission_matrix(people: dict[str, User], who: str, target: str, status: int) -> None:
    # given
    client = signed_in(None if who == "anonymous" else people[who])
    # when
    response = _issue(client, people[target], ["accounts:read"])
    # then
    assert response.status_code == status
    assert ApiKey.objects.count() == (1 if status == 201 else 0)


def test_a_revoked_key_is_refused_at_its_next_request(people: dict[str, User]) -> None:
    # given
    owner = signed_in(people["officer"])
    key = _issue(owner, people["officer"], ["accounts:read"]).json()
    before = signed_in(None).get("/api/v1/accounts/me", **_bearer(key["key"]))
    # when
    revoked = owner.post(f"/api/v1/accounts/api-keys/{key['id']}/revoke")
    after = signed_in(None).get("/api/v1/accounts/me", **_bearer(key["key"]))
    # then
    assert (before.status_code, revoked.status_code, after.status_code) == (200, 200, 401)
    assert after.json()["code"] == "unauthenticated"


def test_an_expired_key_is_refused(people: dict[str, User]) -> None:
    # given: a key that lives one day
    key = _issue(signed_in(people["officer"]), people["officer"], ["accounts:read"], days=1).json()["key"]
    # when
    with time_machine.travel(clock.now() + dt.timedelta(hours=23), tick=False):
        still = signed_in(None).get("/api/v1/accounts/me", **_bearer(key))
    with time_machine.travel(clock.now() + dt.timedelta(days=1, seconds=1), tick=False):
        expired = signed_in(None).get("/api/v1/accounts/me", **_bearer(key))
    # then
    assert (still.status_code, expired.status_code) == (200, 401)


def test_a_read_only_key_is_refused_on_every_write_and_changes_nothing(people: dict[str, User]) -> None:
    # given: the town administrator's read-only key
    admin = people["town_a_admin"]
    key = _issue(signed_in(admin), admin, ["accounts:read", "volunteering:read", "incentives:read"]).json()["key"]
    before = (
        list(Grant.objects.values_list("pk", "revoked_at")),
        list(User.objects.values_list("pk", "is_active")),
        ApiKey.objects.count(),
    )
    grant = Grant.objects.get(user=people["officer"])
    client = signed_in(None)
    # when
    read = client.get(f"/api/v1/accounts/users/{people['officer'].pk}/access", **_bearer(key))
    writes = [
        client.post(f"/api/v1/accounts/users/{people['officer'].pk}/deactivate", **_bearer(key)),
        client.post(f"/api/v1/accounts/grants/{grant.pk}/revoke", **_bearer(key)),
        client.post(
            f"/api/v1/accounts/users/{admin.pk}/api-keys",
            {"name": "更多", "scopes": ["accounts:write"], "expires_at": _in_days(3)},
            content_type="application/json",
            **_bearer(key),
        ),
        client.put("/api/v1/volunteering/activities/1", {}, content_type="application/json", **_bearer(key)),
        client.patch("/api/v1/volunteering/me", {}, content_type="application/json", **_bearer(key)),
        client.delete("/api/v1/volunteering/activities/1/signup", **_bearer(key)),
        client.delete("/api/v1/incentives/me/credentials/x", **_bearer(key)),
    ]
    other_area = client.get("/api/v1/regions/371082000000", **_bearer(key))
    # then
    assert read.status_code == 200
    assert [(w.status_code, w.json()["code"]) for w in writes] == [(403, "scope_refused")] * 7
    assert writes[0].json()["title"] == "此 API 密钥的权限范围不允许此操作。"
    assert (other_area.status_code, other_area.json()["code"]) == (403, "scope_refused")
    after = (
        list(Grant.objects.values_list("pk", "revoked_at")),
        list(User.objects.values_list("pk", "is_active")),
        ApiKey.objects.count(),
    )
    assert after == before


def test_a_write_scope_lets_the_key_write_as_far_as_its_account_may(people: dict[str, User]) -> None:
    # given
    admin = people["town_a_admin"]
    key = _issue(signed_in(admin), admin, ["accounts:write"]).json()["key"]
    # when
    done = signed_in(None).post(f"/api/v1/accounts/users/{people['officer'].pk}/deactivate", **_bearer(key))
    beyond = signed_in(None).post(f"/api/v1/accounts/users/{people['county_admin'].pk}/deactivate", **_bearer(key))
    # then
    assert (done.status_code, done.json()["is_active"]) == (200, False)
    assert beyond.status_code == 404


def test_a_second_current_key_of_the_same_name_is_a_conflict(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["officer"])
    first = _issue(client, people["officer"], ["accounts:read"])
    # when
    second = _issue(client, people["officer"], ["accounts:read"])
    # then
    assert (first.status_code, second.status_code) == (201, 409)
    assert second.json()["code"] == "duplicate_key_name"
    assert ApiKey.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": [], "expires_at": None}, "scopes"),
        ({"name": "x", "scopes": ["credit:admin"], "expires_at": None}, "scopes"),
        ({"name": "x", "scopes": ["credit:read"], "expires_at": "past"}, "expires_at"),
        ({"name": "x", "scopes": ["credit:read"], "expires_at": "far"}, "expires_at"),
        ({"name": "  ", "scopes": ["credit:read"], "expires_at": None}, "name"),
    ],
)
def test_bad_key_requests_are_refused_at_the_field(people: dict[str, User], body: dict[str, Any], field: str) -> None:
    # given
    expires = {None: _in_days(3), "past": _in_days(-1), "far": _in_days(800)}[body["expires_at"]]
    # when
    response = signed_in(people["officer"]).post(
        f"/api/v1/accounts/users/{people['officer'].pk}/api-keys",
        {**body, "expires_at": expires},
        content_type="application/json",
    )
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize(
    ("scopes", "days", "status"),
    [
        (["accounts:write"], 10, 201),  # its own scope, sooner
        (["accounts:read"], 10, 201),  # write includes read
        (["accounts:write", "credit:write"], 10, 403),  # a scope it does not hold
        (["accounts:write"], 60, 403),  # beyond its own expiry
    ],
)
def test_a_key_issues_keys_only_within_its_own_scopes_and_expiry(
    people: dict[str, User], scopes: list[str], days: int, status: int
) -> None:
    # given: a key that may administer accounts only, for 30 days
    issued = _issue(signed_in(people["officer"]), people["officer"], ["accounts:write"], name="开户脚本", days=30)
    key = issued.json()["key"]
    client = Client()
    # when: the key asks for another key
    response = client.post(
        f"/api/v1/accounts/users/{people['officer'].pk}/api-keys",
        {"name": "新密钥", "scopes": scopes, "expires_at": _in_days(days)},
        content_type="application/json",
        **_bearer(key),
    )
    # then: only a key within its own reach is issued
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "scope_refused"
    assert ApiKey.objects.filter(user=people["officer"]).count() == (2 if status == 201 else 1)
