"""A staff read of a file is in the audit log with its purpose, for auditors only (the audit
page and API belong to accounts; these tests make the events by reading files, so they live
with subjects, which may use both)."""

import pytest

from rongxin.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def test_audit_log_only_for_auditors_and_filters(tree, staff):
    person = make_person(tree.village_a1)
    client_for(staff["town_a_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "service"})
    assert client_for(staff["county_office"]).get("/audit/").status_code == 404
    html = (
        client_for(staff["auditor"])
        .get("/audit/", {"action": "subject.view", "actor": "town_a_officer"})
        .content.decode()
    )
    assert "town_a_officer" in html
    assert "查看档案" in html
    bad = client_for(staff["auditor"]).get("/audit/", {"since": "2026-05-01", "until": "2026-01-01"}).content.decode()
    assert "结束日期早于开始日期。" in bad


def test_audit_api_for_auditors_only(tree, staff):
    person = make_person(tree.village_a1)
    client_for(staff["town_a_officer"]).get(f"/api/v1/subjects/{person.pk}?purpose=review")
    assert client_for(staff["county_office"]).get("/api/v1/audit/events").status_code == 404
    body = client_for(staff["auditor"]).get("/api/v1/audit/events", {"action": "subject.view"}).json()
    assert body["count"] == 1
    assert (body["items"][0]["actor_name"], body["items"][0]["subject_id"], body["items"][0]["purpose"]) == (
        "town_a_officer",
        person.pk,
        "review",
    )
