import pytest

from rongxin.core.errors import Conflict, InvalidInput
from rongxin.credit.models import Catalogue, Rule
from rongxin.credit.selectors.catalogues import (
    catalogue_diff,
    catalogue_export_xlsx,
    catalogue_export_yaml,
    catalogue_in_force,
)
from rongxin.credit.services.catalogue import (
    STARTER_FILES,
    catalogue_document_from_xlsx,
    catalogue_document_from_yaml,
    catalogue_draft_create,
    catalogue_load_starters,
    catalogue_publish,
    parse_catalogue,
)
from rongxin.credit.tests.conftest import person_document, rule

pytestmark = pytest.mark.django_db


def test_starter_catalogues_are_valid_and_large_enough():
    sizes = {}
    for kind, path in STARTER_FILES.items():
        header, rules, problems = parse_catalogue(catalogue_document_from_yaml(path.read_text()))
        assert problems == []
        assert header["subject_kind"] == kind
        sizes[kind] = len(rules)
        assert all(r["legal_basis"] for r in rules if r["direction"] == "deduction")
    assert sizes["person"] >= 60
    assert sizes["organisation"] >= 40


def test_load_starters_publishes_once():
    loaded = catalogue_load_starters()
    assert [(c.subject_kind, c.version, c.status) for c in loaded] == [
        ("person", 1, "published"),
        ("organisation", 1, "published"),
    ]
    assert catalogue_load_starters() == []
    assert Rule.objects.filter(catalogue__subject_kind="person", direction="deduction", legal_basis="").count() == 0


def test_every_problem_is_reported_and_nothing_is_saved():
    doc = person_document(
        effective_from="someday",
        rules=[
            rule("X1", "deduction", 5, legal_basis=""),
            rule("X1", "award", 0),
            rule("X3", "deduction", 5, severity="huge"),
            rule("X4", "award", 5, departments=["nowhere"], category="misc"),
        ],
    )
    with pytest.raises(InvalidInput) as info:
        catalogue_draft_create(actor=None, document=doc)
    assert [(e["field"], e["message"]) for e in info.value.errors] == [
        ("effective_from", "必须是日期（YYYY-MM-DD）"),
        ("rules[0] X1", "扣分项必须写明法律依据"),
        ("rules[1] X1", "编码重复"),
        ("rules[1] X1", "分值必须为正整数，或 points_min ≤ points_max"),
        ("rules[2] X3", "扣分项需要严重程度：minor、general 或 serious"),
        ("rules[3] X4", "未知类别 misc"),
        ("rules[3] X4", "未知部门 nowhere"),
    ]
    assert Catalogue.objects.count() == 0


def test_publish_rules(frozen):
    first = catalogue_publish(
        actor=None, catalogue_id=catalogue_draft_create(actor=None, document=person_document()).pk
    )
    with pytest.raises(Conflict) as info:
        catalogue_publish(actor=None, catalogue_id=first.pk)
    assert info.value.code == "already_published"
    same_day = catalogue_draft_create(actor=None, document=person_document())
    with pytest.raises(Conflict) as info:
        catalogue_publish(actor=None, catalogue_id=same_day.pk)
    assert info.value.code == "effective_date"
    later = catalogue_draft_create(actor=None, document=person_document(effective_from="2026-07-01", base_score=900))
    catalogue_publish(actor=None, catalogue_id=later.pk)
    import datetime as dt

    assert catalogue_in_force(subject_kind="person", on=dt.date(2026, 6, 30)).pk == first.pk
    assert catalogue_in_force(subject_kind="person", on=dt.date(2026, 7, 1)).pk == later.pk
    assert (later.version, later.based_on_id) == (3, same_day.pk)


def test_diff_between_versions():
    old = catalogue_draft_create(actor=None, document=person_document())
    rules = person_document()["rules"]
    rules[0] = dict(rules[0], points=8)
    rules = [r for r in rules if r["code"] != "T-MIN"] + [rule("T-NEW", "award", 3)]
    grades = [dict(g) for g in person_document()["grades"]]
    grades[0]["min"] = 1060
    new = catalogue_draft_create(actor=None, document=person_document(rules=rules, grades=grades))
    diff = catalogue_diff(old=old, new=new)
    assert [(c.code, c.change, c.fields) for c in diff["rules"]] == [
        ("T-AWD", "changed", {"points_min": (5, 8), "points_max": (5, 8)}),
        ("T-MIN", "removed", {}),
        ("T-NEW", "added", {}),
    ]
    assert diff["grades"][1][0] == ("AAA", 1060)


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_export_round_trips(fmt):
    original = catalogue_draft_create(actor=None, document=person_document())
    if fmt == "yaml":
        doc = catalogue_document_from_yaml(catalogue_export_yaml(original))
    else:
        doc = catalogue_document_from_xlsx(catalogue_export_xlsx(original))
    copy = catalogue_draft_create(actor=None, document=doc)
    diff = catalogue_diff(old=original, new=copy)
    assert (diff["rules"], diff["grades"], diff["base_score"]) == ([], None, (1000, 1000))


def test_garbage_files_are_clear_errors():
    with pytest.raises(InvalidInput) as info:
        catalogue_document_from_yaml("rules: [unclosed")
    assert info.value.code == "yaml"
    with pytest.raises(InvalidInput) as info:
        catalogue_document_from_xlsx(b"not a workbook")
    assert info.value.code == "xlsx"


FORMULA_TEXTS = ['=HYPERLINK("http://example.invalid","点此")', "+1+1", "-2+3", "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


def test_the_xlsx_export_writes_formula_like_text_as_text():
    # given rules whose texts begin like spreadsheet formulas
    doc = person_document()
    doc["rules"] = [
        rule(f"T-F{i}", "award", 5, evidence=text, name_zh=text, name_en=text) for i, text in enumerate(FORMULA_TEXTS)
    ]
    draft = catalogue_draft_create(actor=None, document=doc)
    # when the catalogue is exported as a workbook
    data = catalogue_export_xlsx(draft)
    # then no cell is a formula, each holds the text exactly, and the workbook reads back the same
    import io
    import zipfile

    from openpyxl import load_workbook

    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet_xml
    rows = list(load_workbook(io.BytesIO(data))["rules"].iter_rows(min_row=2))
    header = [c.value for c in next(load_workbook(io.BytesIO(data))["rules"].iter_rows(max_row=1))]
    evidence = header.index("evidence")
    assert [(r[evidence].data_type, r[evidence].value) for r in rows] == [("s", t) for t in FORMULA_TEXTS]
    copy = catalogue_draft_create(actor=None, document=catalogue_document_from_xlsx(data))
    assert catalogue_diff(old=draft, new=copy)["rules"] == []
