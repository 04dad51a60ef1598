"""The templates beside each import form: downloaded, filled in with valid rows and uploaded
again, each imports cleanly (the credit records import as CSV and XLSX; the catalogue upload
from the catalogue in force, as YAML and XLSX)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from rongxin.conftest import client_for, make_id_number, make_person
from rongxin.core.jobs import run_pending
from rongxin.credit.models import Catalogue, Entry, ImportBatch

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "规则编码", "分值", "发生时间", "证据", "记录编号"]


@pytest.fixture
def residents(tree, catalogue, frozen):
    numbers = [make_id_number(birth=f"19{80 + i}0101") for i in range(2)]
    for i, n in enumerate(numbers):
        make_person(tree.village_a1, name=f"居民{i}", id_number=n, consent=True)
    return numbers


def rows(numbers):
    return [
        [numbers[0], "T-GEN", "12", "2026-02-01", "电子警察抓拍", "TP-1"],
        [numbers[1], "T-MIN", "", "2026-02-02 08:30", "现场执法记录", "TP-2"],
    ]


def upload_and_run(client, name, content, frozen):
    response = client.post(
        "/credit/imports/", {"department": "traffic_police", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    frozen.shift(dt.timedelta(seconds=1))
    run_pending()
    return ImportBatch.objects.get(file_name=name)


def test_the_imports_page_links_both_templates(people):
    page = client_for(people["police"]).get("/credit/imports/").content.decode()
    assert (
        '模板（表头与导入要求完全一致）： <a href="/credit/imports/template.csv" download>CSV</a> · '
        '<a href="/credit/imports/template.xlsx" download>XLSX</a>' in page
    )


def test_the_csv_template_filled_in_imports_cleanly(people, residents, frozen):
    client = client_for(people["police"])
    # given the CSV template as downloaded: the exact header row and nothing else
    response = client.get("/credit/imports/template.csv")
    assert (response.status_code, response["Content-Type"]) == (200, "text/csv; charset=utf-8")
    assert response.content == "\ufeff证件号码,规则编码,分值,发生时间,证据,记录编号\r\n".encode()
    # when a department fills in two rows under it and uploads it
    filled = response.content + "".join(",".join(r) + "\r\n" for r in rows(residents)).encode()
    batch = upload_and_run(client, "filled.csv", filled, frozen)
    # then both rows are recorded, with no error
    assert (batch.status, batch.created, batch.failed, batch.errors) == ("done", 2, 0, [])
    assert sorted(Entry.objects.values_list("source_key", "points")) == [
        ("traffic_police:TP-1", -12),
        ("traffic_police:TP-2", -2),
    ]


def test_the_xlsx_template_explains_each_column_and_filled_in_imports_cleanly(people, residents, frozen):
    client = client_for(people["police"])
    # given the XLSX template as downloaded
    response = client.get("/credit/imports/template.xlsx")
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    wb = load_workbook(io.BytesIO(response.content))
    # then its first sheet is the header row alone, its second explains each column in Chinese
    assert wb.sheetnames == ["信用记录", "填写说明"]
    assert [list(r) for r in wb["信用记录"].iter_rows(values_only=True)] == [HEADER]
    explained = list(wb["填写说明"].iter_rows(values_only=True))
    assert explained[0] == ("列名", "也可写作", "必填", "填写内容", "示例")
    assert [(r[0], r[1], r[2], r[4]) for r in explained[1:7]] == [
        ("证件号码", "subject", "是", "371082199001011239"),
        ("规则编码", "rule_code", "是", "P-TRA-01"),
        ("分值", "points", "否", "5"),
        ("发生时间", "occurred_at", "是", "2026-02-01 09:30"),
        ("证据", "evidence", "是", "交警决定书编号 3710822026000123"),
        ("记录编号", "record_id", "是", "JT-2026-000123"),
    ]
    assert explained[2][3].startswith("记录行为发生当日施行的目录中的规则编码")
    # when a department fills in two rows on the first sheet and uploads the workbook
    for r in rows(residents):
        wb["信用记录"].append(r)
    out = io.BytesIO()
    wb.save(out)
    batch = upload_and_run(client, "filled.xlsx", out.getvalue(), frozen)
    # then both rows are recorded, the explanation sheet is not read
    assert (batch.status, batch.created, batch.failed, batch.errors) == ("done", 2, 0, [])
    assert Entry.objects.count() == 2


def test_only_those_who_see_imports_download_the_templates(people, staff):
    for who in (staff["team_leader"], staff["town_a_officer"], staff["no_role"]):
        assert client_for(who).get("/credit/imports/template.xlsx").status_code == 404
    assert client_for(None).get("/credit/imports/template.csv").status_code == 302
    assert client_for(people["reviewer"]).get("/credit/imports/template.csv").status_code == 200
    assert client_for(people["police"]).get("/credit/imports/template.json").status_code == 404


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_the_catalogue_template_filled_in_creates_a_draft(catalogue, people, fmt):
    office = client_for(people["reviewer"])
    # given the catalogue page's template link (the catalogue in force)
    page = office.get("/credit/catalogues/").content.decode()
    link = re.search(rf'<a href="(/api/v1/credit/catalogues/\d+/export\?format={fmt})" download>', page)
    assert link is not None
    assert link.group(1) == f"/api/v1/credit/catalogues/{catalogue.pk}/export?format={fmt}"
    content = office.get(link.group(1)).content
    # when its effective date is moved on and it is uploaded
    if fmt == "yaml":
        content = content.replace(b"effective_from: 2025-01-01", b"effective_from: 2027-01-01")
    else:
        wb = load_workbook(io.BytesIO(content))
        for row in wb["catalogue"].iter_rows():
            if row[0].value == "effective_from":
                row[1].value = dt.date(2027, 1, 1)
        out = io.BytesIO()
        wb.save(out)
        content = out.getvalue()
    response = office.post("/credit/catalogues/", {"file": SimpleUploadedFile(f"new.{fmt}", content)})
    # then a draft of the next version is created with the same rules
    draft = Catalogue.objects.get(version=catalogue.version + 1)
    assert response["Location"] == f"/credit/catalogues/{draft.pk}/"
    assert (draft.status, draft.effective_from) == ("draft", dt.date(2027, 1, 1))
    assert sorted(draft.rules.values_list("code", flat=True)) == sorted(catalogue.rules.values_list("code", flat=True))


def test_an_empty_template_uploaded_as_it_is_says_it_has_no_rows(people, frozen):
    # given the XLSX template uploaded without filling it in
    client = client_for(people["police"])
    content = client.get("/credit/imports/template.xlsx").content
    # when the worker checks it
    batch = upload_and_run(client, "empty.xlsx", content, frozen)
    # then nothing is recorded and its page says why
    assert (batch.status, batch.created, Entry.objects.count()) == ("failed", 0, 0)
    assert "文件中没有数据行。" in client.get(f"/credit/imports/{batch.pk}/").content.decode()
