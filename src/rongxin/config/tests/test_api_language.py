"""The API speaks the caller's language: validation problems name each field in Chinese (or in
English when the request asks for it), and the OpenAPI document is translated at generation."""

from __future__ import annotations

import json

import pytest

from rongxin.config.openapi import document, english_messages
from rongxin.config.openapi_messages import MESSAGES
from rongxin.conftest import client_for


def post(client, path, payload, **headers):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **headers)


def test_a_validation_error_names_each_field_in_chinese(tree, staff):
    # given: a village officer who may register persons
    client = client_for(staff["village_a1_officer"])
    # when: the body lacks the name and gives a number where text belongs
    response = post(client, "/api/v1/subjects/persons", {"id_number": 5, "village_code": tree.village_a1.code})
    # then: a problem+json 422 that names each field with its problem in Chinese
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "输入内容无效。"
    assert body["detail"] == "name：此项为必填项。；id_number：请填写文字。"
    assert body["errors"] == [
        {"field": "name", "message": "此项为必填项。", "code": "missing"},
        {"field": "id_number", "message": "请填写文字。", "code": "string_type"},
    ]


def test_a_validation_error_is_in_english_when_the_request_asks(tree, staff):
    # given: the same officer, asking for English
    client = client_for(staff["village_a1_officer"])
    # when: the name is missing
    response = post(
        client,
        "/api/v1/subjects/persons",
        {"id_number": "x", "village_code": tree.village_a1.code},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then: the same problem, in English
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "This field is required.", "code": "missing"}]
    assert response.json()["detail"] == "name: This field is required."


def test_choices_and_limits_read_without_english_words(tree, staff):
    # given: a query parameter limited to at least 1
    client = client_for(staff["auditor"])
    # when: page 0 is asked for
    response = client.get("/api/v1/audit/events", {"page": 0})
    # then: the limit is named in Chinese
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "page", "message": "须不小于 1。", "code": "greater_than_equal"}]


def test_the_message_module_lists_every_text_of_the_document():
    # When this fails: run `make openapi`, then `make messages` and translate the new messages.
    assert sorted(MESSAGES) == english_messages(document())


def test_the_openapi_document_reads_in_chinese_by_default(client):
    # given: the served document, in the default language
    doc = client.get("/api/v1/openapi.json").json()
    operations = {op["operationId"]: op for path in doc["paths"].values() for op in path.values()}
    # then: each operation's summary and description are the Chinese of the English ones
    assert operations["volunteering_scan"]["summary"] == "使用组织者当前的签到码签到或签退"
    assert operations["credit_entry_record"]["summary"] == "记录一条信用信息"
    untranslated = {
        op_id: op["summary"]
        for op_id, op in operations.items()
        if op["summary"].isascii() or op["description"].isascii()
    }
    assert untranslated == {}


@pytest.mark.parametrize("language", ["en", "en-US"])
def test_the_openapi_document_is_english_when_asked(client, language):
    doc = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE=language).json()
    op = doc["paths"]["/api/v1/credit/entries"]["post"]
    assert op["summary"] == "Record one entry"
    assert doc["info"]["description"] == "荣信 volunteer + credit platform. Errors are RFC 7807 problem+json."
