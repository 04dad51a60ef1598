"""The one free-text rule at the HTTP edge: a 422 problem on the API, a 400 Chinese page on pages."""

from __future__ import annotations

import pytest

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Subject

# --- API and pages ------------------------------------------------------------------------------
LONE_SURROGATE_BODY = '{"village_code": "371082001001", "name": "\\ud800", "id_number": "x"}'


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (LONE_SURROGATE_BODY, "name"),
        ('{"village_code": "371082001001", "name": "张\\u0000三", "id_number": "x"}', "name"),
        ('{"village_code": "371082001001", "name": "\\u202e三张", "id_number": "x"}', "name"),
    ],
    ids=["lone-surrogate", "nul", "bidi"],
)
def test_the_api_refuses_bad_text_with_a_422_problem(tree, staff, raw, field):
    # given a file keeper registering a person
    client = client_for(staff["village_a1_officer"])
    # when the JSON holds a refused character
    response = client.post("/api/v1/subjects/persons", raw, content_type="application/json")
    # then a 422 problem names the field, nothing is saved, and the answer is in Chinese
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["errors"][0]["field"], body["errors"][0]["code"]) == ("invalid", field, "invalid_text")
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_the_api_refuses_bad_text_in_a_query(tree, staff):
    response = client_for(staff["county_office"]).get("/api/v1/subjects/search", {"q": "张\x00", "purpose": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "q",
        "message": response.json()["errors"][0]["message"],
        "code": "invalid_text",
    }


@pytest.mark.django_db
def test_a_page_refuses_bad_text_with_a_chinese_page_and_saves_nothing(tree, staff):
    # given a village officer on the registration page
    client = client_for(staff["village_a1_officer"])
    before = AuditEvent.objects.count()
    # when the form carries a bidi override
    response = client.post(
        "/subjects/new/person/",
        {"village": tree.village_a1.code, "name": "\u202e三张", "id_number": "371082199001010019"},
    )
    # then a 400 page in Chinese, nothing saved
    assert response.status_code == 400
    assert "阅读顺序" in response.content.decode()
    assert Subject.objects.count() == 0
    assert AuditEvent.objects.count() == before
