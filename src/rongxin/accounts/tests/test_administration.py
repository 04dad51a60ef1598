"""Account administration in the API and its services: who may create accounts, grant roles,
deactivate and reset passwords (the permission matrix), what each write leaves behind, and the
rules (no self-administration, the county's last administrator, town administrators stay in
their town and out of the county roles)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.services import GrantSpec, grant_add, user_active_set
from rongxin.accounts.tests.conftest import make_account, signed_in
from rongxin.core import clock
from rongxin.core.errors import Forbidden, NotFound
from rongxin.core.models import AuditEvent


@pytest.fixture
def people(tree: Any) -> dict[str, User]:
    return {
        "county_admin": make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county)),
        "town_a_admin": make_account("town_a_admin", (Role.PLATFORM_ADMIN, tree.town_a)),
        "town_b_admin": make_account("town_b_admin", (Role.PLATFORM_ADMIN, tree.town_b)),
        "county_office": make_account("county_office", (Role.COUNTY_CREDIT_OFFICE, tree.county)),
        "officer": make_account("officer", (Role.TOWN_OFFICER, tree.town_a)),
        "no_role": make_account("no_role"),
    }


def _state() -> list[Any]:
    return [
        *User.objects.order_by("pk").values_list("pk", "username", "is_active", "password", "must_change_password"),
        *Grant.objects.order_by("pk").values_list("pk", "role", "region_id", "revoked_at"),
        *ApiKey.objects.order_by("pk").values_list("pk", "revoked_at"),
        ("audit", AuditEvent.objects.count()),
    ]


def _client(people: dict[str, User], who: str) -> Any:
    return signed_in(None if who == "anonymous" else people[who])


NEW_TOWN_A_OFFICER = {
    "username": "new_officer",
    "display_name": "新干部",
    "password": "",
    "role": "town_officer",
    "region_code": "371082001000",
}

# --- Creating an account ------------------------------------------------------------------------
CREATE_MATRIX = [
    ("anonymous", NEW_TOWN_A_OFFICER, 401, "unauthenticated"),
    ("no_role", NEW_TOWN_A_OFFICER, 404, "not_found"),
    ("county_office", NEW_TOWN_A_OFFICER, 404, "not_found"),  # county staff, not an administrator
    ("officer", NEW_TOWN_A_OFFICER, 404, "not_found"),
    ("town_b_admin", NEW_TOWN_A_OFFICER, 403, "region_out_of_reach"),  # right role, wrong town
    ("town_a_admin", {**NEW_TOWN_A_OFFICER, "role": "county_credit_office", "region_code": "371082000000"}, 403,
     "region_out_of_reach"),  # a county role over the county
    ("town_a_admin", {**NEW_TOWN_A_OFFICER, "role": "auditor", "region_code": "371082001000"}, 403,
     "county_role"),  # a county role, even over the town
    ("town_a_admin", {**NEW_TOWN_A_OFFICER, "role": "platform_admin", "region_code": "371082000000"}, 403,
     "region_out_of_reach"),  # an administrator of the county
    ("town_a_admin", NEW_TOWN_A_OFFICER, 201, ""),
    ("county_admin", NEW_TOWN_A_OFFICER, 201, ""),
    ("county_admin", {**NEW_TOWN_A_OFFICER, "role": "county_credit_office", "region_code": "371082000000"}, 201, ""),
]  # fmt: skip


@pytest.mark.parametrize(("who", "body", "status", "code"), CREATE_MATRIX)
def test_account_creation_permission_matrix(
    people: dict[str, User], who: str, body: dict[str, str], status: int, code: str
) -> None:
    # given
    client = _client(people, who)
    before = _state()
    # when
    response = client.post("/api/v1/accounts/users", body, content_type="application/json")
    # then
    assert response.status_code == status
    if status != 201:
        assert response.json()["code"] == code
        assert _state() == before
        return
    answer = response.json()
    user = User.objects.get(username="new_officer")
    assert answer["user"] == {
        "id": user.pk,
        "username": "new_officer",
        "display_name": "新干部",
        "is_active": True,
        "must_change_password": True,
    }
    assert user.check_password(answer["password"])
    assert len(answer["password"]) == 19
    assert list(Grant.objects.filter(user=user).values_list("role", "region__code", "granted_by__username")) == [
        (body["role"], body["region_code"], who)
    ]
    assert list(
        AuditEvent.objects.filter(object_id=str(user.pk))
        .order_by("id")
        .values_list("action", "actor_name", "actor_role")
    ) == [("grant.add", who, "platform_admin"), ("user.create", who, "platform_admin")]


def test_creating_the_same_account_twice_is_a_conflict_on_the_username(people: dict[str, User]) -> None:
    # given: created once (with a typed password)
    client = signed_in(people["town_a_admin"])
    body = {**NEW_TOWN_A_OFFICER, "password": "a-fine-passphrase"}
    first = client.post("/api/v1/accounts/users", body, content_type="application/json")
    before = _state()
    # when: the same again, and once more in another case
    again = client.post("/api/v1/accounts/users", body, content_type="application/json")
    upper = client.post("/api/v1/accounts/users", {**body, "username": "NEW_OFFICER"}, content_type="application/json")
    # then
    assert (first.status_code, first.json()["password"]) == (201, None)
    assert (again.status_code, upper.status_code) == (409, 409)
    assert again.json()["errors"] == [
        {"field": "username", "message": "该用户名已被使用。", "code": "duplicate_username"}
    ]
    assert _state() == before


def test_usernames_are_normalised_as_sign_in_spells_them(people: dict[str, User]) -> None:
    # when: typed with a Chinese input method's full-width letters and a trailing space
    response = signed_in(people["county_admin"]).post(
        "/api/v1/accounts/users",
        {**NEW_TOWN_A_OFFICER, "username": "ｗａｎｇ_01 "},
        content_type="application/json",
    )
    # then
    assert response.status_code == 201
    assert response.json()["user"]["username"] == "wang_01"


@pytest.mark.parametrize("display_name", ["王\x00芳", "王\u202e芳", "王\x1b芳"])
def test_a_display_name_with_control_or_invisible_characters_is_refused(
    people: dict[str, User], display_name: str
) -> None:
    # given
    before = _state()
    # when
    response = signed_in(people["county_admin"]).post(
        "/api/v1/accounts/users", {**NEW_TOWN_A_OFFICER, "display_name": display_name}, content_type="application/json"
    )
    # then: refused at the field, nothing created
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("display_name", "invalid_text")]
    assert _state() == before


def test_a_weak_password_is_refused_with_django_validators_in_chinese(people: dict[str, User]) -> None:
    # given
    before = _state()
    # when
    response = signed_in(people["county_admin"]).post(
        "/api/v1/accounts/users", {**NEW_TOWN_A_OFFICER, "password": "1234567"}, content_type="application/json"
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "password",
            "message": "密码太短：至少 10 个字符。 这个密码太常见。 这个密码只有数字。",
            "code": "weak_password",
        }
    ]
    assert _state() == before


def test_a_recorder_needs_a_department(people: dict[str, User]) -> None:
    # when
    client = signed_in(people["county_admin"])
    body = {**NEW_TOWN_A_OFFICER, "role": "department_recorder", "region_code": "371082000000"}
    missing = client.post("/api/v1/accounts/users", body, content_type="application/json")
    given = client.post(
        "/api/v1/accounts/users", {**body, "department_code": "traffic_police"}, content_type="application/json"
    )
    # then
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "department"
    assert given.status_code == 201
    assert Grant.objects.get(user__username="new_officer").department.code == "traffic_police"


# --- Granting a role to an existing account -----------------------------------------------------
GRANT_MATRIX = [
    ("anonymous", "officer", "371082001001", 401, "unauthenticated"),
    ("no_role", "officer", "371082001001", 404, "not_found"),
    ("county_office", "officer", "371082001001", 404, "not_found"),
    ("officer", "officer", "371082001001", 404, "not_found"),  # themself, not an administrator
    ("town_b_admin", "officer", "371082101001", 404, "not_found"),  # the officer is out of reach
    ("town_a_admin", "town_a_admin", "371082001001", 404, "not_found"),  # nobody grants themself
    ("town_a_admin", "officer", "371082101001", 403, "region_out_of_reach"),  # a village of town B
    ("town_a_admin", "officer", "371082001001", 201, ""),
    ("county_admin", "officer", "371082101001", 201, ""),
]


@pytest.mark.parametrize(("who", "target", "region", "status", "code"), GRANT_MATRIX)
def test_grant_permission_matrix(
    people: dict[str, User], tree: Any, who: str, target: str, region: str, status: int, code: str
) -> None:
    # given
    client = _client(people, who)
    before = _state()
    body = {"role": "team_leader", "region_code": region}
    # when
    response = client.post(f"/api/v1/accounts/users/{people[target].pk}/grants", body, content_type="application/json")
    # then
    assert response.status_code == status
    if status != 201:
        assert response.json()["code"] == code
        assert _state() == before
        return
    assert (response.json()["role"], response.json()["region_code"]) == ("team_leader", region)
    assert AuditEvent.objects.filter(action="grant.add", actor_name=who).count() == 1


def test_a_double_submitted_grant_is_granted_once(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["town_a_admin"])
    url = f"/api/v1/accounts/users/{people['officer'].pk}/grants"
    body = {"role": "team_leader", "region_code": "371082001001"}
    first = client.post(url, body, content_type="application/json")
    before = _state()
    # when
    second = client.post(url, body, content_type="application/json")
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert _state() == before


def test_nobody_grants_themself_a_role_through_the_service(people: dict[str, User], tree: Any) -> None:
    # given
    before = _state()
    # when
    with pytest.raises(Forbidden) as refused:
        grant_add(
            actor=people["county_admin"],
            user=people["county_admin"],
            spec=GrantSpec(role=Role.AUDITOR, region=tree.county),
        )
    # then
    assert refused.value.code == "own_account"
    assert _state() == before


def test_residents_roles_are_not_granted_by_administrators(people: dict[str, User]) -> None:
    # when
    response = signed_in(people["county_admin"]).post(
        f"/api/v1/accounts/users/{people['officer'].pk}/grants",
        {"role": "resident", "region_code": "371082001001"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "role"


# --- Deactivating and reactivating --------------------------------------------------------------
ACTIVE_MATRIX = [
    ("anonymous", "officer", 401),
    ("no_role", "officer", 404),
    ("county_office", "officer", 404),
    ("town_b_admin", "officer", 404),
    ("town_a_admin", "town_a_admin", 404),  # nobody changes their own active state
    ("town_a_admin", "county_office", 404),  # a county account is out of a town's reach
    ("town_a_admin", "officer", 200),
    ("county_admin", "officer", 200),
]


@pytest.mark.parametrize(("who", "target", "status"), ACTIVE_MATRIX)
def test_deactivation_permission_matrix(people: dict[str, User], who: str, target: str, status: int) -> None:
    # given
    client = _client(people, who)
    before = _state()
    # when
    response = client.post(f"/api/v1/accounts/users/{people[target].pk}/deactivate")
    # then
    assert response.status_code == status
    people[target].refresh_from_db()
    if status != 200:
        assert _state() == before
        return
    assert response.json()["is_active"] is False
    assert people[target].is_active is False
    assert AuditEvent.objects.filter(action="user.deactivate", actor_name=who).count() == 1


def test_a_deactivated_account_is_refused_at_its_next_request_and_reactivation_restores_it(
    people: dict[str, User],
) -> None:
    # given: the officer is signed in and has an API key
    officer_session = signed_in(people["officer"])
    admin = signed_in(people["town_a_admin"])
    key = admin.post(
        f"/api/v1/accounts/users/{people['officer'].pk}/api-keys",
        {"name": "脚本", "scopes": ["accounts:read"], "expires_at": (clock.now() + dt.timedelta(days=30)).isoformat()},
        content_type="application/json",
    )
    # when
    admin.post(f"/api/v1/accounts/users/{people['officer'].pk}/deactivate")
    session_after = officer_session.get("/api/v1/accounts/me")
    key_after = signed_in(None).get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key.json()['key']}")
    again = admin.post(f"/api/v1/accounts/users/{people['officer'].pk}/deactivate")
    back = admin.post(f"/api/v1/accounts/users/{people['officer'].pk}/reactivate")
    key_back = signed_in(None).get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {key.json()['key']}")
    # then
    assert key.status_code == 201
    assert (session_after.status_code, key_after.status_code) == (401, 401)
    assert (again.status_code, again.json()["is_active"]) == (200, False)
    assert (back.status_code, back.json()["is_active"], key_back.status_code) == (200, True, 200)
    assert list(
        AuditEvent.objects.filter(action__startswith="user.").order_by("id").values_list("action", flat=True)
    ) == ["user.create"] * 6 + ["user.deactivate", "user.reactivate"]


def test_nobody_deactivates_the_last_active_county_administrator(people: dict[str, User], tree: Any) -> None:
    # given: a second county administrator, deactivated by the first
    second = make_account("second_admin", (Role.PLATFORM_ADMIN, tree.county))
    user_active_set(actor=people["county_admin"], user=second, active=False)
    before = _state()
    # when: the system (the command) tries the last one; the last one tries themself
    with pytest.raises(Forbidden) as last:
        user_active_set(actor=None, user=people["county_admin"], active=False)
    with pytest.raises(Forbidden) as own:
        user_active_set(actor=people["county_admin"], user=people["county_admin"], active=False)
    # then
    assert (last.value.code, str(last.value.message)) == (
        "last_county_admin",
        "这是本县最后一位在用的管理员：请先指定另一位。",
    )
    assert own.value.code == "own_account"
    assert _state() == before


def test_an_administrator_out_of_reach_learns_nothing(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["town_b_admin"])
    # when
    out_of_reach = client.post(
        f"/api/v1/accounts/users/{people['officer'].pk}/password-reset", {}, content_type="application/json"
    )
    missing = client.post("/api/v1/accounts/users/999999/password-reset", {}, content_type="application/json")
    # then
    assert (out_of_reach.status_code, out_of_reach.json()) == (missing.status_code, missing.json())
    assert missing.status_code == 404
    with pytest.raises(NotFound):
        user_active_set(actor=people["town_b_admin"], user=people["officer"], active=False)


# --- Password reset -----------------------------------------------------------------------------
def test_a_password_reset_answers_a_generated_password_once_and_forces_a_change(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["town_a_admin"])
    old_hash = people["officer"].password
    # when
    response = client.post(
        f"/api/v1/accounts/users/{people['officer'].pk}/password-reset", {}, content_type="application/json"
    )
    # then
    assert response.status_code == 200
    generated = response.json()["password"]
    people["officer"].refresh_from_db()
    assert people["officer"].password != old_hash
    assert people["officer"].check_password(generated)
    assert people["officer"].must_change_password is True
    row = AuditEvent.objects.get(action="user.password_reset")
    assert (row.actor_name, row.actor_role, row.object_id, row.details) == (
        "town_a_admin",
        "platform_admin",
        str(people["officer"].pk),
        {},
    )
    assert generated not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_an_administrator_names_accounts_in_the_letters_sign_in_takes(people: dict[str, User]) -> None:
    # given
    before = _state()
    # when
    response = signed_in(people["county_admin"]).post(
        "/api/v1/accounts/users", {**NEW_TOWN_A_OFFICER, "username": "王 五"}, content_type="application/json"
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "username", "message": "只能包含字母、数字及 _ . @ - 字符。", "code": "username_format"}
    ]
    assert _state() == before
