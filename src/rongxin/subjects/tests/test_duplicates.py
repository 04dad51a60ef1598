"""``rongxin subjects duplicates``: finds the second files that non-ASCII digits used to open,
reads only, and exits non-zero when it finds anything."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rongxin.conftest import make_id_number, make_organisation, make_person
from rongxin.core import clock, pii
from rongxin.core.models import AuditEvent, RateCounter
from rongxin.regions.selectors import town_of
from rongxin.subjects.models import Organisation, Person, Subject

pytestmark = pytest.mark.django_db
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def insert_person_the_old_way(village, number_as_typed: str) -> Person:
    """What registration stored before identifiers were normalised: the number as typed."""
    subject = Subject.objects.create(
        kind="person", name="重复档案", village=village, town=town_of(village), created_at=clock.now()
    )
    return Person.objects.create(
        subject=subject,
        residency="resident",
        id_number_encrypted=pii.encrypt(number_as_typed),
        id_number_hash=pii.lookup_hash(number_as_typed),
        id_number_masked=pii.mask_id_number(number_as_typed),
        sex="M",
        birth_date="1990-01-01",
    )


def insert_organisation(village, uscc: str) -> Organisation:
    subject = Subject.objects.create(
        kind="enterprise", name="重复企业", village=village, town=town_of(village), created_at=clock.now()
    )
    return Organisation.objects.create(subject=subject, uscc=uscc, legal_representative="甲")


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("subjects", "duplicates", "--no-progress", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def stored():
    return (
        list(Subject.objects.order_by("id").values_list("id", "name")),
        list(Person.objects.order_by("subject_id").values_list("subject_id", "id_number_hash", "id_number_masked")),
        list(Organisation.objects.order_by("subject_id").values_list("subject_id", "uscc")),
        AuditEvent.objects.count(),
        RateCounter.objects.count(),
    )


def test_clean_data_exits_zero(tree):
    # given
    make_person(tree.village_a1)
    make_person(tree.village_b1)
    make_organisation(tree.village_a2)
    # when
    code, out, err = run()
    # then
    assert (code, out, err) == (
        0,
        "ok: 2 个自然人、1 个组织 / 2 persons, 1 organisations, 无重复 / no duplicates\n",
        "",
    )


def test_a_second_file_opened_with_foreign_digits_is_reported_with_both_subjects(tree):
    # given: a person, and a second file for the same number typed in fullwidth digits
    number = make_id_number()
    first = make_person(tree.village_a1, id_number=number)
    make_person(tree.village_a2)
    second = insert_person_the_old_way(tree.village_b1, number.translate(FULLWIDTH))
    before = stored()
    # when: one row per batch, so the pair is found across batches
    code, out, err = run("--batch-size", "1")
    # then
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"非标准写法 / not canonical: 身份证号码 id_number: subjects {second.pk}",
        f"重复 / duplicate: 身份证号码 id_number: subjects {first.pk}, {second.pk}",
        "发现 2 个问题 / 2 problem(s) in 3 个自然人、0 个组织 / 3 persons, 0 organisations",
    ]
    assert stored() == before  # read-only: not even an audit row or a counter


def test_two_foreign_spellings_of_one_number_are_one_duplicate(tree):
    number = make_id_number()
    a = insert_person_the_old_way(tree.village_a1, number.translate(FULLWIDTH))
    b = insert_person_the_old_way(tree.village_b2, number.translate(DEVANAGARI))
    code, _out, err = run()
    assert code == 1
    assert err.splitlines()[:3] == [
        f"非标准写法 / not canonical: 身份证号码 id_number: subjects {a.pk}",
        f"非标准写法 / not canonical: 身份证号码 id_number: subjects {b.pk}",
        f"重复 / duplicate: 身份证号码 id_number: subjects {a.pk}, {b.pk}",
    ]


def test_a_lone_non_canonical_id_number_is_reported(tree):
    # No twin, but its hash is not the ASCII spelling's: searches and imports miss it.
    lone = insert_person_the_old_way(tree.village_a1, make_id_number().translate(DEVANAGARI))
    code, _out, err = run()
    assert (code, err.splitlines()[0]) == (1, f"非标准写法 / not canonical: 身份证号码 id_number: subjects {lone.pk}")


def test_invalid_and_unreadable_id_numbers_are_reported(tree):
    # given: a stored number with a wrong check digit, and one encrypted under another key
    bad = make_id_number()
    invalid = insert_person_the_old_way(tree.village_a1, bad[:17] + ("0" if bad[17] != "0" else "1"))
    unreadable = make_person(tree.village_a2)
    Person.objects.filter(pk=unreadable.pk).update(
        id_number_encrypted=pii.PiiKeys(b"another key, not this platform's").encrypt(make_id_number())
    )
    # when
    code, _out, err = run()
    # then
    assert code == 1
    assert err.splitlines()[:2] == [
        f"无效 / invalid: 身份证号码 id_number: subjects {invalid.pk}",
        f"无法解密 / unreadable: 身份证号码 id_number: subjects {unreadable.pk}",
    ]


def test_a_uscc_stored_with_foreign_digits_is_reported_with_its_twin(tree):
    first = make_organisation(tree.village_a1)
    second = insert_organisation(tree.village_b1, first.uscc.translate(FULLWIDTH))
    code, _out, err = run()
    assert code == 1
    assert err.splitlines() == [
        f"非标准写法 / not canonical: 统一社会信用代码 uscc: subjects {second.pk}",
        f"重复 / duplicate: 统一社会信用代码 uscc: subjects {first.pk}, {second.pk}",
        "发现 2 个问题 / 2 problem(s) in 0 个自然人、2 个组织 / 0 persons, 2 organisations",
    ]


def test_a_bad_batch_size_is_refused():
    with pytest.raises(CommandError):
        call_command("subjects", "duplicates", "--no-progress", "--batch-size", "0")
