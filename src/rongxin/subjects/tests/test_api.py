"""The subjects API: permission matrices (denied calls change nothing), problem+json, audit."""

import json

import pytest

from rongxin.conftest import client_for, link, make_id_number, make_organisation, make_person, make_user
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import ConsentEvent, Person, Subject

pytestmark = pytest.mark.django_db


def post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def state():
    return (
        Subject.objects.count(),
        Person.objects.count(),
        ConsentEvent.objects.count(),
        AuditEvent.objects.filter(kind="write").count(),
    )


# --- reading a file ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("no_role", 404),
        ("team_leader", 404),  # right region, wrong role
        ("auditor", 404),
        ("town_b_officer", 404),  # right role, wrong region
        ("village_a2_officer", 404),
        ("village_a1_officer", 200),
        ("town_a_officer", 200),
        ("county_office", 200),
        ("recorder", 200),
    ],
)
def test_file_read_matrix(tree, staff, who, status):
    person = make_person(tree.village_a1, name="李雷")
    client = client_for(staff[who] if who else None)
    before = AuditEvent.objects.filter(action="subject.view").count()
    response = client.get(f"/api/v1/subjects/{person.pk}?purpose=service")
    assert response.status_code == status
    assert AuditEvent.objects.filter(action="subject.view").count() == before + (1 if status == 200 else 0)
    if status != 200:
        assert response["Content-Type"] == "application/problem+json"


def test_missing_and_forbidden_look_the_same(tree, staff):
    person = make_person(tree.village_b1)
    client = client_for(staff["village_a1_officer"])
    forbidden = client.get(f"/api/v1/subjects/{person.pk}?purpose=service")
    missing = client.get("/api/v1/subjects/999999?purpose=service")
    assert (forbidden.status_code, forbidden.json()) == (missing.status_code, missing.json())
    assert forbidden.json() == {"type": "/problems/not_found", "title": "未找到。", "status": 404, "code": "not_found"}


def test_staff_read_requires_a_purpose_and_is_audited_exactly(tree, staff):
    person = make_person(tree.village_a1, name="韩梅梅")
    client = client_for(staff["village_a1_officer"])
    assert client.get(f"/api/v1/subjects/{person.pk}").status_code == 422
    assert AuditEvent.objects.filter(action="subject.view").count() == 0
    response = client.get(f"/api/v1/subjects/{person.pk}?purpose=verification", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    body = response.json()
    assert body["subject"]["name"] == "韩梅梅"
    assert body["person"]["id_number_masked"] == person.id_number_masked
    assert "id_number" not in body["person"]
    event = AuditEvent.objects.get(action="subject.view")
    assert (event.actor_name, event.actor_role, event.kind, event.subject_id, event.purpose, event.ip) == (
        "village_a1_officer",
        "village_officer",
        "read",
        person.pk,
        "verification",  # the code; each reader sees its words (purposes in subjects/apps.py)
        "10.1.2.3",
    )


def test_resident_sees_own_file_and_who_viewed_it_but_not_others(tree, staff):
    me = make_person(tree.village_a1, name="本人")
    other = make_person(tree.village_a1, name="邻居")
    user = make_user("resident_me")
    link(user, me.subject)
    client_for(staff["town_a_officer"]).get(f"/api/v1/subjects/{me.pk}?purpose=supervision")
    client = client_for(user)
    assert client.get(f"/api/v1/subjects/{me.pk}").status_code == 200
    assert client.get(f"/api/v1/subjects/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/subjects/{other.pk}/views").status_code == 404
    views = client.get(f"/api/v1/subjects/{me.pk}/views").json()
    assert [(v["actor_name"], v["actor_role"], v["action"], v["purpose"]) for v in views] == [
        ("town_a_officer", "town_officer", "subject.view", "监督检查"),
    ]
    # The resident's own reads are not staff reads: nothing new is logged for them.
    assert AuditEvent.objects.filter(action="subject.view").count() == 1


# --- search --------------------------------------------------------------------------------
def test_search_by_name_prefix_id_number_and_uscc_within_scope(tree, staff):
    a = make_person(tree.village_a1, name="张伟")
    make_person(tree.village_b1, name="张伟强")  # town B: outside town A's scope
    number = make_id_number()
    b = make_person(tree.village_a2, name="王五", id_number=number)
    org = make_organisation(tree.village_a1, name="张氏水产有限公司")
    client = client_for(staff["town_a_officer"])
    names = [s["name"] for s in client.get("/api/v1/subjects/search", {"q": "张"}).json()]
    assert names == ["张伟", "张氏水产有限公司"]
    by_id = client.get("/api/v1/subjects/search", {"q": number}).json()
    assert [(s["id"], s["id_number_masked"]) for s in by_id] == [(b.pk, b.id_number_masked)]
    by_uscc = client.get("/api/v1/subjects/search", {"q": org.uscc}).json()
    assert [s["id"] for s in by_uscc] == [org.pk]
    assert a.pk in [
        s["id"] for s in client_for(staff["county_office"]).get("/api/v1/subjects/search", {"q": "张伟"}).json()
    ]


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("", "empty_query"),
        ("110105194912310021", "id_checksum"),
        ("3710821990", "partial_number"),
        ("张<script>", "bad_name"),
        ("91350100M000100Y44", "bad_number"),
    ],
)
def test_malformed_search_is_a_clear_problem(tree, staff, q, code):
    response = client_for(staff["county_office"]).get("/api/v1/subjects/search", {"q": q})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["code"] == code


@pytest.mark.parametrize("who", ["team_leader", "auditor", "no_role"])
def test_search_denied_for_non_readers(tree, staff, who):
    make_person(tree.village_a1, name="张伟")
    assert client_for(staff[who]).get("/api/v1/subjects/search", {"q": "张"}).status_code == 404


# --- registering ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("no_role", 404),
        ("recorder", 404),
        ("team_leader", 404),
        ("auditor", 404),
        ("town_b_officer", 422),  # the village is outside their keeping: reported as unknown
        ("village_a2_officer", 422),
        ("village_a1_officer", 201),
        ("town_a_officer", 201),
        ("county_office", 201),
    ],
)
def test_register_person_matrix(tree, staff, who, status):
    before = state()
    payload = {
        "name": "新居民",
        "id_number": make_id_number(),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    client = client_for(staff[who] if who else None)
    client.handler.enforce_csrf_checks = False
    response = post(client, "/api/v1/subjects/persons", payload)
    assert response.status_code == status
    if status == 201:
        assert (
            response.json()["id_number_masked"] == payload["id_number"][:4] + "**********" + payload["id_number"][-4:]
        )
        assert state() == (before[0] + 1, before[1] + 1, before[2], before[3] + 1)
    else:
        assert state() == before


def test_register_duplicate_person_is_409_problem(tree, staff):
    client = client_for(staff["county_office"])
    payload = {
        "name": "赵甲",
        "id_number": make_id_number(),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    assert post(client, "/api/v1/subjects/persons", payload).status_code == 201
    response = post(client, "/api/v1/subjects/persons", payload | {"village_code": tree.village_b2.code})
    assert (response.status_code, response.json()["code"], response.json()["title"]) == (
        409,
        "duplicate_id_number",
        "该身份证号码已登记。",
    )


def test_register_with_missing_field_is_422_problem(tree, staff):
    response = post(client_for(staff["county_office"]), "/api/v1/subjects/persons", {"name": "赵甲"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"id_number", "village_code"}


def test_session_api_writes_need_csrf(tree, staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["county_office"])
    payload = {
        "name": "赵甲",
        "id_number": make_id_number(),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    assert post(client, "/api/v1/subjects/persons", payload).status_code == 403
    assert Subject.objects.count() == 0


def test_api_key_authenticates(tree, staff):
    from rongxin.accounts.services import api_key_create

    _, key = api_key_create(actor=None, user=staff["county_office"], name="import script")
    from django.test import Client

    client = Client()
    payload = {
        "name": "赵甲",
        "id_number": make_id_number(),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    ok = client.post(
        "/api/v1/subjects/persons",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    bad = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION="Bearer rx_not-a-key")
    assert (ok.status_code, bad.status_code) == (201, 401)


# --- consent ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("no_role", 404),
        ("recorder", 404),
        ("town_b_officer", 404),
        ("village_a1_officer", 201),
        ("town_a_officer", 201),
    ],
)
def test_consent_matrix(tree, staff, who, status):
    person = make_person(tree.village_a1)
    before = state()
    response = post(
        client_for(staff[who] if who else None),
        f"/api/v1/subjects/{person.pk}/consent",
        {"action": "grant", "channel": "paper"},
    )
    assert response.status_code == status
    person.refresh_from_db()
    assert person.consent_given is (status == 201)
    if status != 201:
        assert state() == before


def test_region_counts(tree, staff):
    make_person(tree.village_a1)
    make_person(tree.village_a2)
    make_organisation(tree.village_a2)
    make_person(tree.village_b1)
    client = client_for(staff["team_leader"])
    county = client.get("/api/v1/subjects/counts").json()
    assert [(r["name"], r["persons"], r["organisations"]) for r in county] == [("崖头街道", 2, 1), ("俚岛镇", 1, 0)]
    town = client.get("/api/v1/subjects/counts", {"region": tree.town_a.code}).json()
    assert [(r["code"], r["persons"], r["organisations"]) for r in town] == [
        (tree.village_a1.code, 1, 0),
        (tree.village_a2.code, 1, 1),
    ]
    assert client.get("/api/v1/subjects/counts", {"region": "371082999999"}).status_code == 422
    assert client_for(None).get("/api/v1/subjects/counts").status_code == 401
