"""Forms on the file page say what is wrong beside each field (issue 12, item 4), not in one
banner without names: the recording form and the resident's objection form."""

from __future__ import annotations

import re

import pytest

from rongxin.conftest import client_for
from rongxin.credit.models import Entry, Transition

pytestmark = pytest.mark.django_db


def tag(page: str, name: str) -> str:
    """The opening tag of the form control named ``name``."""
    found = re.findall(rf'<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', page)
    assert len(found) == 1, found
    return found[0]


def test_a_record_form_with_missing_fields_shows_each_error_at_its_field(catalogue, people):
    # given
    client = client_for(people["police"])
    subject = people["person"].pk
    # when: the recorder sends the form without a time or evidence
    response = client.post(
        f"/subjects/{subject}/credit/", {"rule_code": "T-GEN", "points": "12", "source_key": "web-1"}
    )
    page = client.get(response["Location"]).content.decode()
    # then: back on the file page at the form, each error beside its field, what was typed kept
    assert response["Location"] == f"/subjects/{subject}/?purpose=record#record"
    assert "未记录：请按下方表单中标出的提示修改。" in page
    assert "此项为必填项。; 此项为必填项。" not in page
    for field in ("occurred_at", "evidence"):
        control = tag(page, field)
        assert ('aria-invalid="true"' in control, f'aria-describedby="id_{field}_error"' in control) == (True, True)
        assert f'<div class="error" id="id_{field}_error"><p>此项为必填项。</p></div>' in page
    assert "aria-invalid" not in tag(page, "points")
    assert 'value="12"' in tag(page, "points")
    assert Entry.objects.count() == 0
    # and a fresh visit shows the empty form again
    again = client.get(f"/subjects/{subject}/", {"purpose": "record"}).content.decode()
    assert ("aria-invalid" in again, "id_evidence_error" in again) == (False, False)


def test_a_service_refusal_of_a_record_lands_on_its_field(catalogue, people):
    # given
    client = client_for(people["police"])
    subject = people["person"].pk
    # when: points outside the rule's range (the service's check, not the form's)
    response = client.post(
        f"/subjects/{subject}/credit/",
        {
            "rule_code": "T-GEN",
            "points": "99",
            "occurred_at": "2026-02-28T09:00",
            "evidence": "抓拍",
            "source_key": "k",
        },
    )
    page = client.get(response["Location"]).content.decode()
    # then
    assert 'aria-invalid="true"' in tag(page, "points")
    assert re.search(r'<div class="error" id="id_points_error"><p>[^<]+</p></div>', page)
    assert Entry.objects.count() == 0


def test_an_empty_objection_comes_back_open_under_its_record_with_the_error_at_the_reason(catalogue, people):
    # given a deduction on the resident's record
    client_for(people["police"]).post(
        f"/subjects/{people['person'].pk}/credit/",
        {
            "rule_code": "T-GEN",
            "points": "12",
            "occurred_at": "2026-02-28T09:00",
            "evidence": "抓拍",
            "source_key": "k",
        },
    )
    entry = Entry.objects.get()
    client = client_for(people["resident"])
    # when the resident objects without a reason
    response = client.post(f"/credit/entries/{entry.pk}/objection/", {"reason": "", "evidence": "照片"})
    page = client.get(response["Location"]).content.decode()
    # then
    assert response["Location"] == f"/me/#objection-{entry.pk}"
    assert "未提交：请按下方表单中标出的提示修改。" in page
    assert f'<details class="act" id="objection-{entry.pk}" open>' in page
    control = tag(page, "reason")
    assert ('aria-invalid="true"' in control, 'aria-describedby="id_objection_kept_reason_error"' in control) == (
        True,
        True,
    )
    assert '<div class="error" id="id_objection_kept_reason_error"><p>此项为必填项。</p></div>' in page
    assert "\n照片</textarea>" in page
    assert Transition.objects.count() == 0


def test_a_decision_without_its_reason_shows_the_error_at_that_records_reason(catalogue, people):
    # given an objection awaiting the reviewer
    client_for(people["police"]).post(
        f"/subjects/{people['person'].pk}/credit/",
        {
            "rule_code": "T-GEN",
            "points": "12",
            "occurred_at": "2026-02-28T09:00",
            "evidence": "抓拍",
            "source_key": "k",
        },
    )
    entry = Entry.objects.get()
    client_for(people["resident"]).post(f"/credit/entries/{entry.pk}/objection/", {"reason": "不是我"})
    reviewer = client_for(people["reviewer"])
    # when the reviewer revokes without a reason
    response = reviewer.post("/credit/review/", {"entry_id": entry.pk, "action": "revoke", "reason": ""})
    page = reviewer.get(response["Location"]).content.decode()
    # then: nothing decided; the error beside the reason of that record
    assert response["Location"] == f"/credit/review/#review-{entry.pk}"
    assert "未作决定：请按下方表单中标出的提示修改。" in page
    kept = re.findall(r'<input[^>]*id="review-kept-reason"[^>]*>', page)
    assert len(kept) == 1
    assert ('aria-invalid="true"' in kept[0], 'aria-describedby="review-kept-reason_error"' in kept[0]) == (True, True)
    assert re.search(r'<div class="error" id="review-kept-reason_error"><p>[^<]+</p></div>', page)
    entry.refresh_from_db()
    assert entry.status != "revoked"
