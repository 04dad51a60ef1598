import json

import pytest

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, SubjectCredit, Transition

pytestmark = pytest.mark.django_db


def post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def payload(people, **extra):
    return {
        "subject_id": people["person"].pk,
        "rule_code": "T-GEN",
        "points": 12,
        "occurred_at": "2026-02-28T09:00:00+08:00",
        "evidence": "电子警察抓拍 0228",
        "source_key": "tp-0001",
    } | extra


def facts():
    return (
        Entry.objects.count(),
        Transition.objects.count(),
        AuditEvent.objects.filter(kind="write", action__startswith="credit").count(),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("no_role", 404),
        ("auditor", 404),
        ("team_leader", 404),
        ("town_b_officer", 404),  # out of region
        ("village_a1_officer", 403),  # in region, but T-GEN is the traffic police's rule
        ("recorder", 201),
    ],
)
def test_record_matrix(catalogue, people, staff, who, status):
    before = facts()
    response = post(client_for(staff[who] if who else None), "/api/v1/credit/entries", payload(people))
    assert response.status_code == status
    if status == 201:
        assert response.json()["points"] == -12
        assert facts() == (before[0] + 1, before[1], before[2] + 1)
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert facts() == before


def test_retry_returns_200_and_conflict_is_409(catalogue, people):
    client = client_for(people["police"])
    first = post(client, "/api/v1/credit/entries", payload(people))
    again = post(client, "/api/v1/credit/entries", payload(people))
    other = post(client, "/api/v1/credit/entries", payload(people, points=13))
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert (again.json()["id"], again.json()["created"]) == (first.json()["id"], False)
    assert other.json()["code"] == "idempotency_conflict"


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"rule_code": "NOPE"}, "unknown_rule"),
        ({"points": 99}, "points_out_of_range"),
        ({"occurred_at": "2099-01-01T00:00:00+08:00"}, "future_date"),
        ({"evidence": " "}, "required"),
    ],
)
def test_bad_records_are_422_problems(catalogue, people, extra, code):
    response = post(client_for(people["police"]), "/api/v1/credit/entries", payload(people, **extra))
    assert (response.status_code, response.json()["errors"][0]["code"]) == (422, code)
    assert Entry.objects.count() == 0


def test_objection_and_decision_matrix(catalogue, people, staff):
    entry_id = post(client_for(people["police"]), "/api/v1/credit/entries", payload(people)).json()["id"]
    url = f"/api/v1/credit/entries/{entry_id}/objection"
    assert post(client_for(staff["village_a1_officer"]), url, {"reason": "代为异议"}).status_code == 404
    assert post(client_for(people["resident"]), url, {"reason": ""}).status_code == 422
    assert post(client_for(people["resident"]), url, {"reason": "不是我的车"}).status_code == 200
    assert SubjectCredit.objects.get(pk=people["person"].pk).score == 1000
    decision = f"/api/v1/credit/entries/{entry_id}/objection/decision"
    assert post(client_for(people["police"]), decision, {"decision": "uphold", "reason": "x"}).status_code == 404
    assert post(client_for(staff["town_a_officer"]), decision, {"decision": "uphold", "reason": "x"}).status_code == 404
    assert post(client_for(people["reviewer"]), decision, {"decision": "maybe", "reason": "x"}).status_code == 422
    ok = post(client_for(people["reviewer"]), decision, {"decision": "revoke", "reason": "车辆登记错误"})
    assert (ok.status_code, ok.json()["kind"]) == (200, "revoked")
    assert list(Transition.objects.values_list("kind", flat=True).order_by("seq")) == ["objected", "revoked"]


def test_explanation_for_self_and_staff(catalogue, people, staff):
    post(client_for(people["police"]), "/api/v1/credit/entries", payload(people))
    own = client_for(people["resident"]).get(
        f"/api/v1/credit/subjects/{people['person'].pk}/explanation", {"since": "2026-01-01"}
    )
    body = own.json()
    assert (body["score"], body["grade"], body["base"], body["consent"]) == (988, "A", 1000, True)
    assert [(e["rule_code"], e["points"], e["legal_basis"], e["counts_until"]) for e in body["counting"]] == [
        ("T-GEN", -12, "《中华人民共和国道路交通安全法》第四十七条", "2027-03-01T02:00:00Z")
    ]
    assert [c["what"] for c in body["changes"]] == ["recorded"]
    staff_client = client_for(staff["town_a_officer"])
    url = f"/api/v1/credit/subjects/{people['person'].pk}/explanation"
    assert staff_client.get(url).status_code == 422  # purpose required
    assert staff_client.get(url, {"purpose": "review"}).status_code == 200
    assert client_for(staff["town_b_officer"]).get(url, {"purpose": "review"}).status_code == 404
    assert AuditEvent.objects.filter(action="subject.view", subject_id=people["person"].pk).count() == 1


def test_score_as_of_endpoint(catalogue, people):
    post(client_for(people["police"]), "/api/v1/credit/entries", payload(people))
    url = f"/api/v1/credit/subjects/{people['person'].pk}/score"
    client = client_for(people["resident"])
    assert client.get(url, {"at": "2026-03-01T09:59:59+08:00"}).json()["score"] is None  # consent came at 10:00
    assert client.get(url, {"at": "2026-03-01T10:00:00+08:00"}).json()["score"] == 988
    assert client.get(url, {"at": "2026-03-01T10:00:00"}).status_code == 422


def test_catalogue_endpoints(catalogue, people, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongxin.credit.selectors.catalogues import catalogue_export_yaml

    listing = client_for(staff["team_leader"]).get("/api/v1/credit/catalogues").json()
    assert [(c["subject_kind"], c["version"], c["status"], c["rules"]) for c in listing] == [
        ("person", 1, "published", 6)
    ]
    text = catalogue_export_yaml(catalogue).replace("effective_from: 2025-01-01", "effective_from: 2027-01-01")
    upload = SimpleUploadedFile("next.yaml", text.encode())
    assert client_for(staff["town_a_officer"]).post("/api/v1/credit/catalogues", {"file": upload}).status_code == 404
    upload.seek(0)
    created = client_for(staff["county_office"]).post("/api/v1/credit/catalogues", {"file": upload})
    assert (created.status_code, created.json()["version"], created.json()["status"]) == (201, 2, "draft")
    new_id = created.json()["id"]
    assert (
        post(client_for(staff["town_a_officer"]), f"/api/v1/credit/catalogues/{new_id}/publish", {}).status_code == 404
    )
    published = post(client_for(staff["county_office"]), f"/api/v1/credit/catalogues/{new_id}/publish", {})
    assert published.json()["status"] == "published"
    xlsx = client_for(staff["county_office"]).get(f"/api/v1/credit/catalogues/{new_id}/export", {"format": "xlsx"})
    assert xlsx["Content-Disposition"] == 'attachment; filename="catalogue-person-v2.xlsx"'
    bad = client_for(staff["county_office"]).post(
        "/api/v1/credit/catalogues", {"file": SimpleUploadedFile("x.yaml", b"rules: [")}
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "yaml")
