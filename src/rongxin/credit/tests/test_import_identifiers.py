"""The import reads identifiers through subjects.domain.identifiers: any Unicode spelling of a number
lands on the subject registered under its ASCII spelling, and a USCC with a foreign digit is a
row error with its line, never a failed batch."""

from __future__ import annotations

import pytest

from rongxin.conftest import make_id_number, make_person
from rongxin.credit.models import Entry
from rongxin.credit.services.imports import import_create, import_process

pytestmark = pytest.mark.django_db
HEADER = "证件号码,规则编码,分值,发生时间,证据,记录编号\n"
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
MATH_BOLD = str.maketrans("0123456789", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗")


def run(actor, lines: list[str], *, partial: bool = False):
    content = (HEADER + "\n".join(lines) + "\n").encode("utf-8-sig")
    batch = import_create(
        actor=actor, department_code="traffic_police", file_name="r.csv", content=content, partial=partial
    )
    return import_process(batch_id=batch.pk)


def test_foreign_digit_spellings_of_an_id_number_land_on_the_one_person(people, catalogue, tree):
    # given
    number = make_id_number()
    person = make_person(tree.village_a1, name="居民", id_number=number, consent=True)
    # when
    batch = run(
        people["police"],
        [
            f"{number.translate(FULLWIDTH)},T-MIN,,2026-02-01,现场,TP-1",
            f"{number.translate(ARABIC_INDIC)},T-MIN,,2026-02-02,现场,TP-2",
            f"{number[:6].translate(MATH_BOLD)}{number[6:]},T-MIN,,2026-02-03,现场,TP-3",
        ],
    )
    # then
    assert (batch.status, batch.created, batch.failed, batch.errors) == ("done", 3, 0, [])
    assert list(Entry.objects.order_by("source_key").values_list("subject_id", "source_key")) == [
        (person.pk, "traffic_police:TP-1"),
        (person.pk, "traffic_police:TP-2"),
        (person.pk, "traffic_police:TP-3"),
    ]


def test_a_uscc_with_a_foreign_digit_and_a_bad_check_is_a_row_error_in_a_partial_import(people, catalogue, tree):
    # given: a good row, then a USCC whose area code has an Arabic-Indic digit and a wrong check
    number = make_id_number()
    make_person(tree.village_a1, id_number=number, consent=True)
    # when
    batch = run(
        people["police"],
        [f"{number},T-MIN,,2026-02-01,现场,TP-1", "9135٠١00M000100Y44,T-MIN,,2026-02-01,现场,TP-2"],
        partial=True,
    )
    # then
    assert (batch.status, batch.created, batch.failed) == ("partial", 1, 1)
    assert [(e["line"], e["column"], e["message"]) for e in batch.errors] == [
        (3, "证件号码", "统一社会信用代码校验位不正确。")
    ]
