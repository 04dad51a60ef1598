"""The credit pages: record, object, review, import, catalogues and simulation."""

import datetime as dt

import pytest

from rongxin.conftest import client_for
from rongxin.core.jobs import run_pending
from rongxin.credit.models import Entry, ImportBatch, Transition
from rongxin.credit.services.catalogue import catalogue_draft_create
from rongxin.credit.tests.conftest import person_document

pytestmark = pytest.mark.django_db


def test_recorder_records_from_the_file_page_and_a_double_submit_saves_one(catalogue, people):
    client = client_for(people["police"])
    page = client.get(f"/subjects/{people['person'].pk}/", {"purpose": "record"}).content.decode()
    assert "T-GEN 测试规则T-GEN（-10~20）" in page
    assert "T-AWD" not in page  # not the traffic police's rule
    form = {
        "rule_code": "T-GEN",
        "points": "12",
        "occurred_at": "2026-02-28T09:00",
        "evidence": "抓拍",
        "source_key": "web-abc",
    }
    first = client.post(f"/subjects/{people['person'].pk}/credit/", form)
    second = client.post(f"/subjects/{people['person'].pk}/credit/", form)
    assert (first.status_code, second.status_code) == (302, 302)
    assert list(Entry.objects.values_list("points", "occurred_at")) == [
        (-12, dt.datetime(2026, 2, 28, 1, 0, tzinfo=dt.UTC))
    ]


def test_resident_sees_score_and_objects_on_the_page(catalogue, people):
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
    client = client_for(people["resident"])
    page = client.get("/me/").content.decode()
    assert '<span class="score">988</span>' in page
    assert "对此记录提出异议" in page
    entry = Entry.objects.get()
    response = client.post(f"/credit/entries/{entry.pk}/objection/", {"reason": "不是我"})
    assert response.status_code == 302
    assert list(Transition.objects.values_list("kind", flat=True)) == ["objected"]
    assert (
        client_for(people["police"]).post(f"/credit/entries/{entry.pk}/objection/", {"reason": "x"}).status_code == 404
    )


def test_review_page_decides_and_is_for_the_credit_office_only(catalogue, people, staff):
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
    assert client_for(staff["town_a_officer"]).get("/credit/review/").status_code == 404
    reviewer = client_for(people["reviewer"])
    assert "测试规则T-GEN" in reviewer.get("/credit/review/").content.decode()
    reviewer.post("/credit/review/", {"entry_id": entry.pk, "action": "revoke", "reason": "核实有误"})
    entry.refresh_from_db()
    assert entry.status == "revoked"


def test_import_page_queues_a_file_for_the_department(catalogue, people, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert client_for(staff["team_leader"]).get("/credit/imports/").status_code == 404
    client = client_for(people["police"])
    upload = SimpleUploadedFile("a.csv", "证件号码,规则编码,分值,发生时间,证据,记录编号\n".encode())
    response = client.post("/credit/imports/", {"department": "traffic_police", "file": upload})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/credit/imports/{batch.pk}/"
    assert (batch.department.code, batch.status) == ("traffic_police", "queued")


def test_catalogue_pages_publish_and_simulate(catalogue, people, staff):
    draft = catalogue_draft_create(actor=None, document=person_document(base_score=900, effective_from="2027-01-01"))
    assert client_for(staff["team_leader"]).get(f"/credit/catalogues/{draft.pk}/simulate/").status_code == 404
    office = client_for(staff["county_office"])
    assert "运行模拟" in office.get(f"/credit/catalogues/{draft.pk}/simulate/").content.decode()
    followed = office.post(f"/credit/catalogues/{draft.pk}/simulate/", follow=True)
    assert "排队中" in followed.content.decode()
    run_pending()
    simulation = office.get(followed.redirect_chain[-1][0]).content.decode()
    assert "A → B: 1" in simulation
    assert client_for(staff["team_leader"]).post(f"/credit/catalogues/{draft.pk}/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == "draft"  # the team leader may look but not publish
    office.post(f"/credit/catalogues/{draft.pk}/")
    draft.refresh_from_db()
    assert draft.status == "published"


def test_the_credit_panel_and_navigation_come_only_from_the_apps_registry(catalogue, people, monkeypatch):
    from django.apps import apps

    # given a resident whose file shows the credit panel, and a credit office that sees its links
    resident, office = client_for(people["resident"]), client_for(people["reviewer"])
    assert '<span class="score">1000</span>' in resident.get("/me/").content.decode()
    assert [label in office.get("/").content.decode() for label in (">信用审核</a>", ">指标目录</a>")] == [True, True]
    # when the credit app declares neither a file panel nor navigation items
    config = apps.get_app_config("credit")
    monkeypatch.setattr(config, "file_panels", ())
    monkeypatch.setattr(config, "nav", ())
    # then the file page has no credit panel and the navigation no credit link
    assert '<span class="score">' not in resident.get("/me/").content.decode()
    assert [label in office.get("/").content.decode() for label in (">信用审核</a>", ">指标目录</a>")] == [False, False]


def test_the_recording_form_offers_no_rule_that_only_a_programme_records(catalogue, people):
    # given T-GEN, a traffic police rule, marked as recorded only by the volunteering programme
    from rongxin.credit.models import Rule

    Rule.objects.filter(catalogue=catalogue, code="T-GEN").update(programme="volunteering")
    # when the traffic police officer opens the person's file to record
    page = client_for(people["police"]).get(f"/subjects/{people['person'].pk}/", {"purpose": "record"})
    # then the rule is not offered, and their other rule still is
    html = page.content.decode()
    assert page.status_code == 200
    assert "T-GEN" not in html
    assert "T-MIN 测试规则T-MIN（-2）" in html


def test_catalogue_upload_problems_and_the_diff_name_fields_in_chinese(catalogue, people, staff):
    import yaml
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongxin.credit.tests.conftest import rule

    office = client_for(staff["county_office"])
    # given: a file with a bad date and a deduction without its legal basis
    bad = person_document(effective_from="someday", rules=[rule("X1", "deduction", 5, legal_basis="")])
    upload = SimpleUploadedFile("c.yaml", yaml.safe_dump(bad, allow_unicode=True).encode())
    # when: the credit office uploads it
    html = office.post("/credit/catalogues/", {"file": upload}).content.decode()
    # then: each problem names where it is in words
    assert "生效日期：必须是日期（YYYY-MM-DD）" in html
    assert "第 1 条指标（X1）：扣分项必须写明法律依据" in html
    # given: two versions where a rule's points and review changed
    doc = person_document()
    old = catalogue_draft_create(actor=None, document=doc)
    doc["rules"][0] = dict(doc["rules"][0], points=8, review_required=True)
    new = catalogue_draft_create(actor=None, document=doc)
    # when: the office compares them
    html = office.get(f"/credit/catalogues/{new.pk}/", {"compare": old.pk}).content.decode()
    # then: the fields are named and the values read as words
    assert "最低分值 5 → 8；最高分值 5 → 8；公示前须审核 否 → 是" in html
    assert "points_min" not in html
