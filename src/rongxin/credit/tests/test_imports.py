"""Bulk import: per-row report, all-or-nothing, partial, idempotent re-import, chains intact."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from rongxin.conftest import client_for, link, make_id_number, make_person
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, ImportBatch, Rule, SubjectCredit
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.services.imports import import_create, import_process
from rongxin.credit.services.reconcile import credit_reconcile
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


def test_a_row_about_the_importer_is_reported_and_the_others_saved_with_partial(people, residents):
    # given a recorder who is also one of the subjects in the file
    numbers, persons = residents
    link(people["police"], persons[1].subject)
    content = csv_of(
        [f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1", f"{numbers[1]},T-GEN,12,2026-02-01,电子警察,TP-2"]
    )
    # when the recorder imports it, all-or-nothing then partial
    strict = run(people["police"], content)
    entries_after_strict = Entry.objects.count()
    lenient = run(people["police"], content, partial=True)
    # then the own row is refused on its line, and only the other row is saved, only with partial
    problem = [(3, "证件号码", "不得办理本人相关事项，请由其他工作人员办理。")]
    assert (strict.status, [(e["line"], e["column"], e["message"]) for e in strict.errors]) == ("failed", problem)
    assert entries_after_strict == 0
    assert (lenient.status, [(e["line"], e["column"], e["message"]) for e in lenient.errors]) == ("partial", problem)
    assert list(Entry.objects.values_list("subject_id", flat=True)) == [persons[0].pk]


def test_a_row_of_a_programme_rule_is_reported_on_its_line(people, residents):
    # given a rule that only the volunteering programme records
    numbers, _persons = residents
    Rule.objects.filter(code="T-GEN").update(programme="volunteering")
    content = csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"])
    # when a department imports it
    batch = run(people["police"], content, partial=True)
    # then the row is refused on its line and nothing is recorded
    assert [(e["line"], e["column"]) for e in batch.errors] == [(2, "规则编码")]
    assert batch.errors[0]["message"].startswith("规则 T-GEN 只能由“志愿服务”模块根据核验记录自动记录")
    assert Entry.objects.count() == 0


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

    from rongxin.credit.services.imports import import_process_queued

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


def test_an_upload_queues_its_own_job_keyed_by_the_batch(people, residents, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_tasks_db.models import DBTaskResult

    from rongxin.core.jobs import Enqueued, enqueue, run_pending

    # given a file uploaded through the API
    numbers, _ = residents
    client = client_for(people["police"])
    upload = SimpleUploadedFile("r.csv", csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"]))
    batch_id = client.post("/api/v1/credit/imports", {"file": upload, "department": "traffic_police"}).json()["id"]
    # then one job is queued for it, keyed by the batch, and queueing it again returns that job
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {
        "job": "credit.process_import",
        "params": {"batch_id": batch_id},
        "key": f"credit.import:{batch_id}",
        "max_attempts": 1,
        "retry_seconds": 30.0,
    }
    again = enqueue("credit.process_import", key=f"credit.import:{batch_id}", batch_id=batch_id)
    assert again == Enqueued(id=str(queued.pk), created=False)
    # when the worker runs (a second later, with the periodic jobs due behind it)
    frozen.shift(dt.timedelta(seconds=1))
    run_pending()
    # then the import's own job committed it and the sweep found nothing left
    queued.refresh_from_db()
    assert (queued.status, queued.return_value) == (
        "SUCCESSFUL",
        f"import {batch_id}: done, 1 created, 0 existing, 0 failed",
    )
    sweep = DBTaskResult.objects.get(args_kwargs__kwargs__job="credit.process_imports")
    assert (sweep.status, sweep.return_value) == ("SUCCESSFUL", "processed 0 imports")
    assert ImportBatch.objects.get(pk=batch_id).status == "done"
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__job="credit.process_import").count() == 1


def test_progress_shows_while_the_import_transaction_is_open(
    people, residents, settings, tmp_path, django_capture_on_commit_callbacks
):
    """The import's own row updates are invisible until it commits; the page reads the file."""
    from rongxin.core.progress import progress_read
    from rongxin.credit.selectors.imports import import_progress

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


# --- Bounded, robust imports ----------------------------------------------------------------
def test_a_cell_over_the_csv_field_limit_is_reported_on_its_line(people, residents):
    # given a file whose second data row has a 131,073-character evidence cell
    numbers, _ = residents
    content = csv_of(
        [
            f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1",
            f"{numbers[1]},T-GEN,12,2026-02-01,{'证' * 131_073},TP-2",
            f"{numbers[2]},T-GEN,12,2026-02-01,电子警察,TP-3",
        ]
    )
    # when it is imported all-or-nothing, then with partial
    strict = run(people["police"], content)
    entries_after_strict = Entry.objects.count()
    lenient = run(people["police"], content, partial=True)
    # then the line is reported, nothing is saved without partial, the other rows with it
    problem = [(3, "", "有单元格超过 131072 个字符。")]
    assert (strict.status, strict.created, strict.failed, strict.rows_total) == ("failed", 0, 1, 3)
    assert [(e["line"], e["column"], e["message"]) for e in strict.errors] == problem
    assert entries_after_strict == 0
    assert (lenient.status, lenient.created, lenient.failed) == ("partial", 2, 1)
    assert [(e["line"], e["column"], e["message"]) for e in lenient.errors] == problem
    assert sorted(Entry.objects.values_list("source_key", flat=True)) == ["traffic_police:TP-1", "traffic_police:TP-3"]


def test_invalid_utf8_and_nul_bytes_are_reported_on_their_lines(people, residents):
    # given a UTF-8 file with a line of bytes that are not UTF-8 and a line with a NUL byte
    numbers, _ = residents
    content = (
        HEADER.encode()
        + f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1\n".encode()
        + f"{numbers[1]},T-GEN,12,2026-02-01,".encode()
        + b"\xff\xfe\xc3(,TP-2\n"
        + f"{numbers[2]},T-GEN,12,2026-02-01,电子\x00警察,TP-3\n".encode()
        + f"{numbers[2]},T-MIN,,2026-02-02,现场,TP-4\n".encode()
    )
    # when it is imported all-or-nothing, then with partial
    strict = run(people["police"], content)
    entries_after_strict = Entry.objects.count()
    lenient = run(people["police"], content, partial=True)
    # then both lines are reported with their numbers and the valid rows are saved only with partial
    problems = [
        (3, "", "该行不是有效的 UTF-8 编码文本。"),
        (4, "", "该行含有空字符（NUL），文件可能不是文本文件。"),
    ]
    assert (strict.status, strict.created, strict.failed) == ("failed", 0, 2)
    assert [(e["line"], e["column"], e["message"]) for e in strict.errors] == problems
    assert entries_after_strict == 0
    assert (lenient.status, lenient.created, lenient.failed) == ("partial", 2, 2)
    assert [(e["line"], e["column"], e["message"]) for e in lenient.errors] == problems
    assert sorted(Entry.objects.values_list("source_key", flat=True)) == ["traffic_police:TP-1", "traffic_police:TP-4"]


def test_a_gb18030_file_is_read_as_gb18030(people, residents):
    # given a file saved by a spreadsheet in GB18030
    numbers, _ = residents
    content = (HEADER + f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1\n").encode("gb18030")
    # when it is imported
    batch = run(people["police"], content)
    # then the Chinese header and evidence are read as such
    assert (batch.status, batch.created) == ("done", 1)
    assert Entry.objects.get().evidence == "电子警察"


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize("extra", [1, 2 * 1024 * 1024])
def test_a_file_over_the_byte_limit_is_refused_and_not_stored(people, residents, settings, extra):
    # given a limit of 4,000 bytes and a file just over it, or one whose request is far over it
    numbers, _ = residents
    settings.RONGXIN_IMPORT_MAX_BYTES = 4000
    row = f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1\n"
    content = csv_of([row.strip()]) + b"#" * (4000 - len(csv_of([row.strip()])) + extra)
    client = client_for(people["police"])
    # when it is uploaded through the API and the page
    api = client.post("/api/v1/credit/imports", {"file": _upload("r.csv", content), "department": "traffic_police"})
    page = client.post("/credit/imports/", {"file": _upload("r.csv", content), "department": "traffic_police"})
    # then the API answers 413 problem+json with a stable code, the page a Chinese error; nothing stored
    message = "文件超过 4000 B，即单次导入的上限。请拆分为较小的文件后再上传。"
    assert (api.status_code, api["Content-Type"]) == (413, "application/problem+json")
    assert (api.json()["code"], api.json()["title"]) == ("import_too_large", message)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "每个文件最大 4000 B、最多 200000 行数据；更大的文件请拆分后上传。" in page.content.decode()
    assert (ImportBatch.objects.count(), AuditEvent.objects.filter(action="credit.import.queued").count()) == (0, 0)


@pytest.mark.parametrize(
    ("size", "kept"), [(4000, 4000), (4001, 0), (2 * 1024 * 1024, 0)], ids=["at", "over", "far-over"]
)
def test_the_upload_handler_keeps_no_byte_of_an_oversized_file(settings, size, kept):
    from django.test import RequestFactory

    # given a limit of 4,000 bytes
    settings.RONGXIN_IMPORT_MAX_BYTES = 4000
    request = RequestFactory().post("/", {"department": "traffic_police", "file": _upload("r.csv", b"x" * size)})
    # when Django parses the upload
    upload = request.FILES["file"]
    # then a file over the limit arrives empty with its size, and the other fields arrive whole
    assert (upload.size, len(upload.read()), request.POST["department"]) == (size, kept, "traffic_police")


def test_a_file_at_the_byte_limit_is_accepted(people, residents, settings):
    # given a file of exactly the limit
    numbers, _ = residents
    content = csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-1"])
    settings.RONGXIN_IMPORT_MAX_BYTES = len(content)
    # when it is uploaded through the API
    response = client_for(people["police"]).post(
        "/api/v1/credit/imports", {"file": _upload("r.csv", content), "department": "traffic_police"}
    )
    # then it is queued with its bytes
    assert response.status_code == 202
    assert bytes(ImportBatch.objects.get().content) == content


def test_a_file_over_the_row_limit_is_refused_and_not_stored(people, residents, settings):
    # given a limit of 2 data rows and a file of 3 (a blank line does not count)
    numbers, _ = residents
    settings.RONGXIN_IMPORT_MAX_ROWS = 2
    rows = [f"{numbers[i]},T-GEN,12,2026-02-01,电子警察,TP-{i}" for i in range(3)]
    client = client_for(people["police"])
    # when it is uploaded through the API, the page and the service
    api = client.post(
        "/api/v1/credit/imports", {"file": _upload("r.csv", csv_of(rows)), "department": "traffic_police"}
    )
    page = client.post("/credit/imports/", {"file": _upload("r.csv", csv_of(rows)), "department": "traffic_police"})
    with pytest.raises(InvalidInput) as info:
        import_create(actor=people["police"], department_code="traffic_police", file_name="r.csv", content=csv_of(rows))
    # then all three refuse it with the same code and Chinese message; nothing is stored
    message = "文件的数据行超过 2 行，请拆分为每个不超过 2 行的文件。"
    assert (api.status_code, api.json()["code"], api.json()["title"]) == (422, "import_too_many_rows", message)
    assert message in page.content.decode()
    assert (info.value.code, str(info.value.message)) == ("import_too_many_rows", message)
    assert ImportBatch.objects.count() == 0
    # and two rows with a blank line between them are within the limit
    batch = run(people["police"], csv_of([rows[0], "", rows[1]]))
    assert (batch.status, batch.created) == ("done", 2)


def test_the_worker_fails_a_stored_file_over_the_row_limit(people, residents, settings):
    # given a queued file of 3 rows, and the limit lowered to 2 before the worker runs
    numbers, _ = residents
    rows = [f"{numbers[i]},T-GEN,12,2026-02-01,电子警察,TP-{i}" for i in range(3)]
    batch = import_create(
        actor=people["police"], department_code="traffic_police", file_name="r.csv", content=csv_of(rows)
    )
    settings.RONGXIN_IMPORT_MAX_ROWS = 2
    # when the worker processes it with partial rows allowed or not
    batch = import_process(batch_id=batch.pk)
    # then it fails on the first row past the limit and nothing is saved
    assert (batch.status, batch.created, batch.errors) == (
        "failed",
        0,
        [{"line": 4, "column": "", "message": "文件的数据行超过 2 行，请拆分为每个不超过 2 行的文件。"}],
    )
    assert (Entry.objects.count(), batch.content) == (0, None)


def test_a_job_that_raises_fails_its_batch_and_the_next_batch_runs(people, residents, monkeypatch):
    from rongxin.credit.services import imports
    from rongxin.credit.services.imports import import_process_queued

    # given two queued files, the first of which makes the ledger write raise
    numbers, _ = residents
    poisoned = import_create(
        actor=people["police"], department_code="traffic_police", file_name="a.csv",
        content=csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,POISON"]),
    )  # fmt: skip
    healthy = import_create(
        actor=people["police"], department_code="traffic_police", file_name="b.csv",
        content=csv_of([f"{numbers[1]},T-GEN,12,2026-02-01,电子警察,TP-2"]),
    )  # fmt: skip
    real_append = imports.ledger_bulk_append

    def append(*, entries, cause):
        if any(e.source_key.endswith(":POISON") for e in entries):
            raise RuntimeError("disk full")
        return real_append(entries=entries, cause=cause)

    monkeypatch.setattr(imports, "ledger_bulk_append", append)
    # when the worker's job runs
    processed = import_process_queued()
    # then the first batch failed with its error recorded and the second was imported
    poisoned.refresh_from_db()
    healthy.refresh_from_db()
    assert processed == 2
    assert (poisoned.status, poisoned.created, poisoned.content, poisoned.attempts) == ("failed", 0, None, 1)
    assert poisoned.errors == [
        {"line": 0, "column": "", "message": "导入因意外错误（RuntimeError）中止，该文件的记录均未保存。"}
    ]
    assert list(AuditEvent.objects.filter(action="credit.import.failed").values_list("object_id", "details")) == [
        (str(poisoned.pk), {"error": "RuntimeError: disk full", "attempt": 1})
    ]
    assert (healthy.status, healthy.created) == ("done", 1)
    assert list(Entry.objects.values_list("source_key", flat=True)) == ["traffic_police:TP-2"]
    assert import_process_queued() == 0


class Killed(BaseException):
    """The worker process dying mid-import (out of memory, killed): no handler runs."""


def test_a_batch_interrupted_three_times_fails_and_the_next_batch_runs(
    people, residents, monkeypatch, frozen, settings, tmp_path
):
    from rongxin.credit.services import imports
    from rongxin.credit.services.imports import import_process_queued

    # given a file that kills the worker every time it is checked, queued before a healthy file
    settings.DATA_DIR = tmp_path
    numbers, _ = residents
    poisoned = import_create(
        actor=people["police"], department_code="traffic_police", file_name="a.csv",
        content=csv_of([f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,POISON"]),
    )  # fmt: skip
    frozen.shift(dt.timedelta(seconds=1))
    healthy = import_create(
        actor=people["police"], department_code="traffic_police", file_name="b.csv",
        content=csv_of([f"{numbers[1]},T-GEN,12,2026-02-01,电子警察,TP-2"]),
    )  # fmt: skip
    real_check = imports.check_rows

    def check(*, rows, **kwargs):
        if any(r.values.get("record_id") == "POISON" for r in rows):
            raise Killed
        return real_check(rows=rows, **kwargs)

    monkeypatch.setattr(imports, "check_rows", check)
    # when the worker dies on it three times, each time after it was found stale and queued again
    for _attempt in range(3):
        with pytest.raises(Killed):
            import_process_queued()
        frozen.shift(dt.timedelta(minutes=11))
    processed = import_process_queued()
    # then the fourth turn fails it instead of queueing it again, and the healthy file is imported
    poisoned.refresh_from_db()
    healthy.refresh_from_db()
    assert processed == 1
    assert (poisoned.status, poisoned.attempts, poisoned.content, poisoned.created) == ("failed", 3, None, 0)
    assert poisoned.errors == [{"line": 0, "column": "", "message": "导入已中断 3 次仍未完成，该文件的记录均未保存。"}]
    assert list(
        AuditEvent.objects.filter(object_type="import", object_id=str(poisoned.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "credit.import.queued",
        "credit.import.requeued",
        "credit.import.requeued",
        "credit.import.failed",
    ]
    assert (healthy.status, healthy.created) == ("done", 1)
    assert import_process_queued() == 0


def test_a_cell_with_a_control_character_is_reported_on_its_line(people, residents):
    numbers, _persons = residents
    content = csv_of(
        [f"{numbers[0]},T-GEN,12,2026-02-01,电子警察\x1b[2J,TP-1", f"{numbers[1]},T-GEN,12,2026-02-01,电子警察,TP-2"]
    )
    batch = run(people["police"], content, partial=True)
    assert [(e["line"], e["column"], e["message"]) for e in batch.errors] == [
        (2, "证据", "内容中有不可见的控制字符，请删除后重试。")
    ]
    assert Entry.objects.count() == 1


def test_an_xlsx_that_expands_like_a_zip_bomb_fails_without_being_expanded(people, residents):
    # given a workbook-shaped zip whose shared strings expand 36 MB from a few dozen KB
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b"<si><t>a</t></si>" * 2_000_000)
    # when it is imported, then the batch fails with a clear reason and nothing is recorded
    batch = run(people["police"], out.getvalue(), name="bomb.xlsx")
    assert batch.status == "failed"
    assert batch.errors[0]["message"] == "该 XLSX 文件解压后远大于一张记录表，请重新保存后再上传，或改用 CSV 文件。"
    assert Entry.objects.count() == 0


def test_a_header_with_refused_characters_is_reported_escaped(people, residents):
    content = "证件号码,规则编码,分值,发生时间,证据,记录编号,\u202e备注\x1b\n1,2,3,4,5,6,7\n".encode()
    batch = run(people["police"], content)
    assert batch.status == "failed"
    assert batch.errors[0]["message"] == "未知列：\\u202e备注\\u001b"


def test_a_record_id_shared_by_two_subjects_is_found_again_for_both(people, residents):
    # given a file whose one record id names two people, imported once
    numbers, _persons = residents
    content = csv_of(
        [f"{numbers[0]},T-GEN,12,2026-02-01,电子警察,TP-9", f"{numbers[1]},T-GEN,12,2026-02-01,电子警察,TP-9"]
    )
    first = run(people["police"], content)
    # when the same file is imported again
    again = run(people["police"], content)
    # then both rows are found as already imported and nothing is added
    assert (first.status, first.created, first.existing) == ("done", 2, 0)
    assert (again.status, again.created, again.existing) == ("done", 0, 2)
    assert Entry.objects.count() == 2
