"""Revoking role grants and API keys: who may, what it writes, and that it bites on the next
request (the API and the pages)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import ApiKey, Grant, User
from rongxin.accounts.services import GrantSpec, api_key_create, grant_add, grant_revoke
from rongxin.accounts.tests.conftest import make_account, signed_in
from rongxin.core.models import AuditEvent


@pytest.fixture
def people(tree: Any) -> dict[str, User]:
    return {
        "county_admin": make_account("county_admin", (Role.PLATFORM_ADMIN, tree.county)),
        "town_a_admin": make_account("town_a_admin", (Role.PLATFORM_ADMIN, tree.town_a)),
        "town_b_admin": make_account("town_b_admin", (Role.PLATFORM_ADMIN, tree.town_b)),
        "county_office": make_account("county_office", (Role.COUNTY_CREDIT_OFFICE, tree.county)),
        "officer": make_account("officer", (Role.TOWN_OFFICER, tree.town_a), (Role.AUDITOR, tree.village_a1)),
        "no_role": make_account("no_role"),
    }


def _state() -> list[tuple[Any, ...]]:
    grants = Grant.objects.order_by("pk").values_list("pk", "revoked_at")
    keys = ApiKey.objects.order_by("pk").values_list("pk", "revoked_at")
    return [*grants, *keys, ("audit", AuditEvent.objects.count())]


def _revocations() -> list[tuple[Any, ...]]:
    return list(
        AuditEvent.objects.filter(action__endswith=".revoke")
        .order_by("id")
        .values_list("action", "actor_name", "actor_role", "kind", "object_type", "object_id", "details")
    )


def _officer_grant(people: dict[str, User]) -> Grant:
    return Grant.objects.get(user=people["officer"], role=Role.TOWN_OFFICER)


# --- Who may revoke a grant ---------------------------------------------------------------------
GRANT_MATRIX = [
    ("anonymous", 401),
    ("no_role", 404),  # signed in, no role
    ("county_office", 404),  # wrong role (staff over the whole county, not an administrator)
    ("town_b_admin", 404),  # right role, wrong region
    ("officer", 404),  # the holder themself (no one grants or revokes their own roles)
    ("town_a_admin", 200),  # right role, right region
    ("county_admin", 200),  # right role, the region above
]


@pytest.mark.parametrize(("who", "status"), GRANT_MATRIX)
def test_grant_revocation_permission_matrix(people: dict[str, User], who: str, status: int) -> None:
    # given
    grant = _officer_grant(people)
    client = signed_in(None if who == "anonymous" else people[who])
    before = _state()
    # when
    response = client.post(f"/api/v1/accounts/grants/{grant.pk}/revoke", content_type="application/json")
    # then
    assert response.status_code == status
    grant.refresh_from_db()
    if status == 200:
        body = response.json()
        assert (body["id"], body["role"], body["region_code"]) == (grant.pk, "town_officer", "371082001000")
        assert body["revoked_at"] is not None
        assert grant.revoked_at is not None
        assert _revocations() == [
            (
                "grant.revoke",
                who,
                "platform_admin",
                "write",
                "user",
                str(people["officer"].pk),
                {"grant": grant.pk, "role": "town_officer", "region": "371082001000"},
            )
        ]
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert _state() == before


def test_a_missing_grant_looks_like_a_forbidden_one(people: dict[str, User]) -> None:
    # given
    client = signed_in(people["town_b_admin"])
    forbidden = client.post(f"/api/v1/accounts/grants/{_officer_grant(people).pk}/revoke")
    # when
    missing = client.post("/api/v1/accounts/grants/999999/revoke")
    # then
    assert (missing.status_code, missing.json()) == (forbidden.status_code, forbidden.json())
    assert missing.json() == {"type": "/problems/not_found", "title": "未找到。", "status": 404, "code": "not_found"}


def test_a_town_administrator_cannot_reach_a_user_who_also_works_elsewhere(people: dict[str, User], tree: Any) -> None:
    # given: the officer also held a grant in town B (since revoked: it still places them there)
    other = grant_add(
        actor=people["county_admin"], user=people["officer"], spec=GrantSpec(role=Role.TEAM_LEADER, region=tree.town_b)
    )
    grant_revoke(actor=people["county_admin"], grant=other)
    before = _state()
    # when
    town = signed_in(people["town_a_admin"]).post(f"/api/v1/accounts/grants/{_officer_grant(people).pk}/revoke")
    key_row, _key = api_key_create(actor=None, user=people["officer"], name="script")
    town_key = signed_in(people["town_a_admin"]).post(f"/api/v1/accounts/api-keys/{key_row.pk}/revoke")
    county = signed_in(people["county_admin"]).post(f"/api/v1/accounts/grants/{_officer_grant(people).pk}/revoke")
    # then
    assert (town.status_code, town_key.status_code, county.status_code) == (404, 404, 200)
    assert Grant.objects.filter(user=people["officer"], revoked_at__isnull=True).count() == 1  # the auditor grant
    assert before[-1] == ("audit", AuditEvent.objects.count() - 2)  # key created, one revocation


def test_a_town_administrator_cannot_revoke_a_county_officer(people: dict[str, User]) -> None:
    # given
    grant = Grant.objects.get(user=people["county_office"])
    before = _state()
    # when
    response = signed_in(people["town_a_admin"]).post(f"/api/v1/accounts/grants/{grant.pk}/revoke")
    # then
    assert response.status_code == 404
    assert _state() == before


# --- Idempotency and the lock-out guard -----------------------------------------------------------
def test_revoking_twice_answers_the_same_and_audits_once(people: dict[str, User]) -> None:
    # given
    grant = _officer_grant(people)
    client = signed_in(people["town_a_admin"])
    # when
    first = client.post(f"/api/v1/accounts/grants/{grant.pk}/revoke")
    second = client.post(f"/api/v1/accounts/grants/{grant.pk}/revoke")
    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert [r[0] for r in _revocations()] == ["grant.revoke"]


def test_nobody_revokes_their_own_last_administrator_grant(people: dict[str, User], tree: Any) -> None:
    # given
    admin = people["county_admin"]
    own = Grant.objects.get(user=admin, role=Role.PLATFORM_ADMIN)
    client = signed_in(admin)
    before = _state()
    # when
    refused = client.post(f"/api/v1/accounts/grants/{own.pk}/revoke")
    # then
    assert refused.status_code == 403
    assert refused.json()["code"] == "last_admin_grant"
    assert _state() == before


def test_an_administrator_with_a_second_admin_grant_may_give_one_up(people: dict[str, User], tree: Any) -> None:
    # given
    admin = people["county_admin"]
    county = Grant.objects.get(user=admin, role=Role.PLATFORM_ADMIN)
    town = grant_add(actor=None, user=admin, spec=GrantSpec(role=Role.PLATFORM_ADMIN, region=tree.town_a))
    client = signed_in(admin)
    # when: the town grant first (the county grant still covers it), then the last one
    gave_up = client.post(f"/api/v1/accounts/grants/{town.pk}/revoke")
    last = client.post(f"/api/v1/accounts/grants/{county.pk}/revoke")
    # then
    assert (gave_up.status_code, last.status_code, last.json()["code"]) == (200, 403, "last_admin_grant")
    assert list(Grant.objects.filter(user=admin, revoked_at__isnull=True).values_list("pk", flat=True)) == [county.pk]
    assert [r[0] for r in _revocations()] == ["grant.revoke"]


# --- API keys -------------------------------------------------------------------------------------
KEY_MATRIX = [
    ("anonymous", 401),
    ("no_role", 404),
    ("county_office", 404),  # wrong role
    ("town_b_admin", 404),  # right role, wrong region
    ("town_a_admin", 200),  # right role, right region
    ("county_admin", 200),
    ("officer", 200),  # the holder: their own key
]


@pytest.mark.parametrize(("who", "status"), KEY_MATRIX)
def test_api_key_revocation_permission_matrix(people: dict[str, User], who: str, status: int) -> None:
    # given
    row, _key = api_key_create(actor=None, user=people["officer"], name="import script")
    client = signed_in(None if who == "anonymous" else people[who])
    before = _state()
    # when
    response = client.post(f"/api/v1/accounts/api-keys/{row.pk}/revoke")
    # then
    assert response.status_code == status
    row.refresh_from_db()
    if status == 200:
        body = response.json()
        assert (body["id"], body["name"], body["prefix"], body["revoked_at"] is not None) == (
            row.pk,
            "import script",
            row.prefix,
            True,
        )
        role = "" if who == "officer" else "platform_admin"
        assert _revocations() == [
            (
                "api_key.revoke",
                who,
                role,
                "write",
                "user",
                str(people["officer"].pk),
                {"api_key": row.pk, "name": "import script", "prefix": row.prefix},
            )
        ]
    else:
        assert _state() == before


def test_a_revoked_key_is_refused_on_the_next_request(people: dict[str, User]) -> None:
    # given: a script revokes its own key with the key
    row, key = api_key_create(actor=None, user=people["officer"], name="script")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    working = client.get("/api/v1/accounts/me")
    # when
    revoked = client.post(f"/api/v1/accounts/api-keys/{row.pk}/revoke")
    after = client.get("/api/v1/accounts/me")
    # then
    assert (working.status_code, working.json()["username"]) == (200, "officer")
    assert revoked.status_code == 200
    assert (after.status_code, after.json()["code"]) == (401, "unauthenticated")
    assert (
        Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(f"/api/v1/accounts/api-keys/{row.pk}/revoke").status_code == 401
    )


def test_key_revocation_is_idempotent(people: dict[str, User]) -> None:
    # given
    row, _key = api_key_create(actor=None, user=people["officer"], name="script")
    client = signed_in(people["officer"])
    # when
    first = client.post(f"/api/v1/accounts/api-keys/{row.pk}/revoke")
    second = client.post(f"/api/v1/accounts/api-keys/{row.pk}/revoke")
    # then
    assert (first.status_code, second.status_code, second.json()) == (200, 200, first.json())
    assert [r[0] for r in _revocations()] == ["api_key.revoke"]


# --- Grants bite on the next request ---------------------------------------------------------------
def test_a_revoked_grant_loses_access_on_the_next_page_and_api_request(people: dict[str, User]) -> None:
    # given: the officer is signed in and reads the audit log as auditor
    officer = signed_in(people["officer"])
    auditor = Grant.objects.get(user=people["officer"], role=Role.AUDITOR)
    page_before = officer.get("/audit/")
    api_before = officer.get("/api/v1/audit/events")
    # when
    signed_in(people["town_a_admin"]).post(f"/api/v1/accounts/grants/{auditor.pk}/revoke")
    page_after = officer.get("/audit/")
    api_after = officer.get("/api/v1/audit/events")
    me = officer.get("/api/v1/accounts/me").json()
    # then
    assert (page_before.status_code, api_before.status_code) == (200, 200)
    assert (page_after.status_code, api_after.status_code) == (404, 404)
    assert [g["role"] for g in me["grants"]] == ["town_officer"]


# --- Listing over the API ---------------------------------------------------------------------------
def test_the_access_listing_shows_current_grants_first(people: dict[str, User]) -> None:
    # given
    auditor = Grant.objects.get(user=people["officer"], role=Role.AUDITOR)
    grant_revoke(actor=people["county_admin"], grant=auditor)
    row, _key = api_key_create(actor=None, user=people["officer"], name="script")
    officer_id = people["officer"].pk
    # when
    own = signed_in(people["officer"]).get(f"/api/v1/accounts/users/{officer_id}/access")
    admin = signed_in(people["town_a_admin"]).get(f"/api/v1/accounts/users/{officer_id}/access")
    outsider = signed_in(people["town_b_admin"]).get(f"/api/v1/accounts/users/{officer_id}/access")
    # then
    assert own.status_code == 200
    body = own.json()
    assert [(g["role"], g["revoked_at"] is None) for g in body["grants"]] == [
        ("town_officer", True),
        ("auditor", False),
    ]
    assert [(k["id"], k["name"]) for k in body["api_keys"]] == [(row.pk, "script")]
    assert (body["may_revoke_grants"], body["may_revoke_keys"]) == (False, True)
    assert (admin.json()["may_revoke_grants"], admin.json()["may_revoke_keys"]) == (True, True)
    assert outsider.status_code == 404


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------------
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: concurrent connections")
@pytest.mark.django_db(transaction=True)
def test_concurrent_self_revocations_never_remove_the_last_admin_grant(tree: Any) -> None:
    # given: an administrator with two admin grants revokes both at once (the county has
    # another administrator, so only the rule under test can refuse)
    make_account("county_admin_other", (Role.PLATFORM_ADMIN, tree.county))
    admin = make_account("admin2", (Role.PLATFORM_ADMIN, tree.county), (Role.PLATFORM_ADMIN, tree.town_a))
    grants = list(Grant.objects.filter(user=admin).order_by("pk"))
    start = threading.Event()

    def revoke(grant_id: int) -> str:
        start.wait(timeout=30)
        try:
            actor = User.objects.get(pk=admin.pk)
            grant_revoke(actor=actor, grant=Grant.objects.select_related("user").get(pk=grant_id))
            return "revoked"
        except Exception as exc:  # the outcome is what the test compares
            return getattr(exc, "code", type(exc).__name__)
        finally:
            connections.close_all()

    # when
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(revoke, g.pk) for g in grants]
        start.set()
        outcomes = sorted(f.result(timeout=60) for f in futures)
    # then
    assert outcomes == ["last_admin_grant", "revoked"]
    assert Grant.objects.filter(user=admin, revoked_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(action="grant.revoke").count() == 1
