"""Bulk import: per-row report, all-or-nothing, partial, idempotent re-import, chains intact."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from rongxin.conftest import client_for, make_id_number, make_person
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.imports import import_create, import_process
from rongxin.credit.models import Entry, ImportBatch, SubjectCredit
from rongxin.credit.selectors import chains_verify, credit_reconcile
from rongxin.subjects.models import Notice

pytestmark = pytest.mark.django_db
HEADER = "证件号码,规则编码,分值,发生时间,证据,记录编号\n"


def csv_of(lines: list[str]) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8-sig")


def run(actor, content: bytes, *, name="records.csv", partial=False, department="traffic_police"):
    batch = import_create(actor=actor, department_code=department, file_name=name, content=content, partial=partial)
    return import_process(batch_id=batch.pk)


@pytest.fixture
def residents(tree, catalogue, frozen):
    numbers = [make_id_number(birth=f"19{70 + i}0101") for i in range(3)]
    persons = [
        make_person(tree.village_a1 if i < 2 else tree.village_b1, name=f"居民{i}", id_number=n, consent=True)
        for i, n in enumerate(numbers)
    ]
    return numbers, persons


def test_a_clean_file_is_imported_with_scores_chains_and_notices(people, residents):
    numbers, persons = residents
    content = csv_of(
        [
            f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1",
            f"{numbers[0]},T-MIN,,2026-02-02 08:30,现场,TP-2",
            f"{numbers[1].lower()},T-GEN,20,2026/02/03,现场,TP-3",
            f"{numbers[2]},T-MIN,,2026-02-04,现场,TP-4",
        ]
    )
    batch = run(people["police"], content)
    assert (batch.status, batch.rows_total, batch.created, batch.existing, batch.failed, batch.errors) == (
        "done",
        4,
        4,
        0,
        0,
        [],
    )
    scores = dict(
        SubjectCredit.objects.filter(subject_id__in=[p.pk for p in persons]).values_list("subject_id", "score")
    )
    assert scores == {persons[0].pk: 986, persons[1].pk: 980, persons[2].pk: 998}
    assert Notice.objects.filter(kind="credit.deduction").count() == 4
    assert chains_verify()[2] is None
    assert credit_reconcile()[1] == []
    assert list(AuditEvent.objects.filter(action="credit.import.committed").values_list("details", flat=True)) == [
        {"entries": 4, "subjects": 3, "existing": 0, "failed": 0}
    ]


def test_the_same_file_twice_adds_nothing(people, residents):
    numbers, _ = residents
    content = csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"])
    run(people["police"], content)
    again = run(people["police"], content)
    assert (again.status, again.created, again.existing) == ("done", 0, 1)
    assert Entry.objects.count() == 1


def test_a_bad_row_is_reported_and_nothing_is_saved(people, residents):
    numbers, _ = residents
    content = csv_of(
        [
            f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1",
            "110105194912310021,T-GEN,12,2026-02-01,电子警察,TP-2",
            f"{numbers[1]},T-GEN,99,2026-02-01,电子警察,TP-3",
            f"{numbers[1]},T-AWD,,2026-02-01,好人好事,TP-4",
            f"{numbers[1]},T-GEN,12,2031-01-01,电子警察,TP-5",
            f"{numbers[1]},T-GEN,12,2026-02-01,,TP-6",
            f"{make_id_number()},T-GEN,12,2026-02-01,电子警察,TP-7",
        ]
    )
    batch = run(people["police"], content)
    assert (batch.status, batch.created, batch.failed) == ("failed", 0, 6)
    assert [(e["line"], e["column"], e["message"]) for e in batch.errors] == [
        (3, "证件号码", "身份证号码校验位不正确。"),
        (6, "发生时间", "行为发生时间不能晚于当前时间。"),
        (7, "证据", "必填。"),
        (4, "分值", "分值必须在 10 至 20 分之间。"),
        (5, "规则编码", "规则 T-AWD 不由您所在部门记录。"),
        (8, "证件号码", "本部门管辖范围内没有该证件号码对应的信用主体。"),
    ]
    assert (Entry.objects.count(), SubjectCredit.objects.count(), Notice.objects.count()) == (0, 0, 0)


def test_partial_import_saves_the_valid_rows(people, residents):
    numbers, _ = residents
    content = csv_of(
        [f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1", f"{numbers[1]},T-GEN,99,2026-02-01,电子警察,TP-3"]
    )
    batch = run(people["police"], content, partial=True)
    assert (batch.status, batch.created, batch.failed, [e["line"] for e in batch.errors]) == ("partial", 1, 1, [3])


def test_reused_record_id_with_other_content_is_an_error(people, residents):
    numbers, _ = residents
    run(people["police"], csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"]))
    batch = run(people["police"], csv_of([f"{numbers[0]},T-GEN,13,2026-02-01,电子警察,TP-1"]))
    assert (batch.status, batch.errors[0]["column"]) == ("failed", "记录编号")


def test_header_and_file_problems(people, residents):
    bad_header = "证件号码,规则,分值\n1,2,3\n".encode()
    batch = run(people["police"], bad_header)
    assert batch.status == "failed"
    assert batch.errors[0]["message"] == "缺少列：规则编码、发生时间、证据、记录编号；未知列：规则"
    assert run(people["police"], b"\xff\xfe\x00garbage", name="x.xlsx").status == "failed"
    with pytest.raises(InvalidInput):
        import_create(actor=people["police"], department_code="traffic_police", file_name="e.csv", content=b"")


def test_only_recorders_of_the_department_may_import(people, residents, staff):
    with pytest.raises(NotFound):
        import_create(actor=staff["county_office"], department_code="traffic_police", file_name="a.csv", content=b"x")
    with pytest.raises(NotFound):
        import_create(actor=people["court"], department_code="traffic_police", file_name="a.csv", content=b"x")
    assert ImportBatch.objects.count() == 0


def test_xlsx_import(people, residents):
    from openpyxl import Workbook

    numbers, _ = residents
    wb = Workbook()
    ws = wb.active
    ws.append(["subject", "rule_code", "points", "occurred_at", "evidence", "record_id"])
    ws.append([numbers[0], "T-GEN", 15, dt.datetime(2026, 2, 1, 9, 0), "现场", 1001])
    out = io.BytesIO()
    wb.save(out)
    batch = run(people["police"], out.getvalue(), name="records.xlsx")
    assert (batch.status, batch.created) == ("done", 1)
    assert Entry.objects.get().source_key == "traffic_police:1001"


def test_cli_import(people, residents, tmp_path, capsys):
    numbers, _ = residents
    path = tmp_path / "r.csv"
    path.write_bytes(csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"]))
    call_command("credit", "import", str(path), "--department", "traffic_police", "--no-progress")
    assert "新增 1 条" in capsys.readouterr().out
    path.write_bytes(csv_of(["110105194912310021,T-GEN,12,2026-02-01,电子警察,TP-9"]))
    with pytest.raises(SystemExit) as info:
        call_command("credit", "import", str(path), "--department", "traffic_police", "--no-progress")
    assert info.value.code == 1


def test_api_upload_queues_and_the_worker_processes(people, residents):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rongxin.credit.imports import import_process_queued

    numbers, _ = residents
    client = client_for(people["police"])
    upload = SimpleUploadedFile("r.csv", csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"]))
    response = client.post("/api/v1/credit/imports", {"file": upload, "department": "traffic_police"})
    assert (response.status_code, response.json()["status"]) == (202, "queued")
    assert import_process_queued() == 1
    status = client.get(f"/api/v1/credit/imports/{response.json()['id']}").json()
    assert (status["status"], status["created"]) == ("done", 1)
    assert client_for(people["court"]).get(f"/api/v1/credit/imports/{response.json()['id']}").status_code == 404
    assert json.loads(json.dumps(status))["errors"] == []


def test_progress_shows_while_the_import_transaction_is_open(
    people, residents, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The import's own row updates are invisible until it commits; the page reads the file."""
    from rongxin.core.progress import progress_read
    from rongxin.credit.imports import import_progress

    settings.DATA_DIR = tmp_path
    numbers, _persons = residents
    seen = []
    batch = import_create(
        actor=people["police"], department_code="traffic_police", file_name="p.csv",
        content=csv_of([f"{numbers[0]},T-MIN,,2026-02-02,现场,PG-{i}" for i in range(3)]),
    )  # fmt: skip

    def watch(done, total):
        seen.append((progress_read("import", batch.pk), import_progress(ImportBatch.objects.get(pk=batch.pk))))

    with django_capture_on_commit_callbacks(execute=True):
        import_process(batch_id=batch.pk, progress=watch)
    assert seen == [((1, 3), (1, 3)), ((2, 3), (2, 3)), ((3, 3), (3, 3))]
    assert progress_read("import", batch.pk) is None  # cleared once committed
    assert import_progress(ImportBatch.objects.get(pk=batch.pk)) == (3, 3)
