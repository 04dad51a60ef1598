"""Registration and search pages with identifiers spelled in non-ASCII digits."""

import pytest
import time_machine

from rongxin.conftest import client_for, make_id_number, make_organisation, make_person
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Organisation, Person, Subject

pytestmark = pytest.mark.django_db
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def test_search_page_finds_a_person_by_a_fullwidth_id_number(tree, staff):
    number = make_id_number()
    person = make_person(tree.village_a1, name="张伟", id_number=number)
    html = (
        client_for(staff["village_a1_officer"])
        .get("/subjects/", {"q": number.translate(FULLWIDTH), "purpose": "record"})
        .content.decode()
    )
    assert f'href="/subjects/{person.pk}/?purpose=record"' in html
    assert person.id_number_masked in html


def test_registering_a_known_id_number_in_other_digits_is_refused_in_chinese(tree, staff):
    # given: the person lives in town B; town A's officer tries to register them again
    number = make_id_number()
    existing = make_person(tree.village_b1, name="外镇居民", id_number=number)
    before = (Subject.objects.count(), Person.objects.count())
    # when
    response = client_for(staff["town_a_officer"]).post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": number.translate(ARABIC_INDIC),
            "residency": "resident",
            "village_code": tree.village_a1.code,
        },
    )
    # then: the form again with the message; nothing about the other region; audited
    html = response.content.decode()
    assert response.status_code == 422
    assert "该身份证号码已登记。" in html
    assert "外镇居民" not in html
    assert tree.village_b1.name not in html
    assert (Subject.objects.count(), Person.objects.count()) == before
    assert list(AuditEvent.objects.filter(action="person.register_duplicate").values_list("object_id", flat=True)) == [
        str(existing.pk)
    ]


def test_registering_a_person_with_a_fullwidth_id_number_stores_it_in_ascii(tree, staff):
    number = make_id_number()
    response = client_for(staff["village_a1_officer"]).post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": number.translate(FULLWIDTH),
            "residency": "resident",
            "village_code": tree.village_a1.code,
        },
    )
    person = Person.objects.get()
    assert response["Location"] == f"/subjects/{person.pk}/?purpose=verification"
    assert person.id_number_masked == number[:4] + "**********" + number[-4:]


def test_registering_a_uscc_with_a_foreign_digit_is_no_server_error(tree, staff):
    code = make_organisation(tree.village_b1).uscc
    response = client_for(staff["county_office"]).post(
        "/subjects/new/organisation/",
        {
            "kind": "enterprise",
            "name": "同码公司",
            "uscc": code[:4] + code[4:8].translate(ARABIC_INDIC) + code[8:],
            "legal_representative": "赵甲",
            "village_code": tree.village_a1.code,
        },
    )
    assert response.status_code == 422
    assert "该统一社会信用代码已登记。" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_duplicate_probes_past_the_limit_get_a_chinese_429_page(tree, staff, settings):
    # given
    settings.RONGXIN_DUPLICATE_PROBE_RATE = "1/h"
    taken = make_id_number()
    make_person(tree.village_b1, id_number=taken)
    client = client_for(staff["town_a_officer"])

    def register(number):
        return client.post(
            "/subjects/new/person/",
            {"name": "王五", "id_number": number, "residency": "resident", "village_code": tree.village_a1.code},
        )

    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        # when
        refused = register(taken)
        limited = register(make_id_number())
    # then
    assert refused.status_code == 422
    assert limited.status_code == 429
    assert "登记已登记号码的尝试过多，请稍后再试。" in limited.content.decode()
    assert Subject.objects.count() == 1
