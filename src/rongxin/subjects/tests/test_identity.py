"""One identity per person: every spelling of a number finds the one subject registered under it;
registering it again is refused, audited, and limited per account."""

import json

import pytest
import time_machine
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rongxin.conftest import client_for, make_id_number, make_organisation, make_person, make_uscc
from rongxin.core import pii
from rongxin.core.errors import Conflict
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Organisation, Person, Subject
from rongxin.subjects.services import DuplicateProbesLimited, organisation_register, person_register
from rongxin.subjects.tests.spellings import id_spellings, uscc_spellings

pytestmark = pytest.mark.django_db
DB_EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def post(client, url, payload):
    return client.post(url, data=json.dumps(payload), content_type="application/json")


def state():
    return (Subject.objects.count(), Person.objects.count(), Organisation.objects.count(), AuditEvent.objects.count())


def duplicate_rows():
    return list(
        AuditEvent.objects.filter(action__endswith="register_duplicate")
        .order_by("id")
        .values("actor_name", "actor_role", "kind", "action", "object_type", "object_id", "subject_id", "details")
    )


# --- registering ----------------------------------------------------------------------------
def test_a_fullwidth_id_number_is_stored_hashed_and_masked_in_ascii(tree, staff):
    # given
    number = make_id_number(birth="19850704")
    # when
    person = person_register(
        actor=staff["village_a1_officer"],
        name="王芳",
        id_number=number.translate(FULLWIDTH),
        residency="resident",
        village_code=tree.village_a1.code,
    )
    # then
    person.refresh_from_db()
    assert pii.decrypt(person.id_number_encrypted) == number
    assert person.id_number_hash == pii.lookup_hash(number)
    assert person.id_number_masked == number[:4] + "**********" + number[-4:]


def test_an_id_number_registered_in_another_region_is_refused_and_audited_for_auditors_only(tree, staff):
    # given: a person in town B, outside town A's keeping
    number = make_id_number()
    existing = make_person(tree.village_b1, name="外镇居民", id_number=number)
    before = state()
    # when: town A's officer registers the same number, spelled in Arabic-Indic digits
    with pytest.raises(Conflict) as info:
        person_register(
            actor=staff["town_a_officer"],
            name="冒名",
            id_number=number.translate(ARABIC_INDIC),
            residency="resident",
            village_code=tree.village_a1.code,
        )
    # then: a bare 409 for the caller; one audit row naming the existing subject for auditors
    assert (info.value.code, str(info.value.message), info.value.errors) == (
        "duplicate_id_number",
        "该身份证号码已登记。",
        [],
    )
    assert state() == (before[0], before[1], before[2], before[3] + 1)
    assert duplicate_rows() == [
        {
            "actor_name": "town_a_officer",
            "actor_role": "town_officer",
            "kind": "write",
            "action": "person.register_duplicate",
            "object_type": "subject",
            "object_id": str(existing.pk),
            "subject_id": None,
            "details": {
                "village": tree.village_a1.code,
                "existing_subject": existing.pk,
                "existing_village": tree.village_b1.code,
            },
        }
    ]


def test_a_uscc_registered_elsewhere_in_other_digits_is_refused_and_audited(tree, staff):
    # given
    existing = make_organisation(tree.village_b2)
    before = state()
    # when
    with pytest.raises(Conflict) as info:
        organisation_register(
            actor=staff["village_a1_officer"],
            kind="enterprise",
            name="同码公司",
            uscc=existing.uscc.translate(FULLWIDTH),
            legal_representative="赵甲",
            village_code=tree.village_a1.code,
        )
    # then
    assert (info.value.code, str(info.value.message)) == ("duplicate_uscc", "该统一社会信用代码已登记。")
    assert state() == (before[0], before[1], before[2], before[3] + 1)
    assert duplicate_rows() == [
        {
            "actor_name": "village_a1_officer",
            "actor_role": "village_officer",
            "kind": "write",
            "action": "organisation.register_duplicate",
            "object_type": "subject",
            "object_id": str(existing.pk),
            "subject_id": None,
            "details": {
                "village": tree.village_a1.code,
                "existing_subject": existing.pk,
                "existing_village": tree.village_b2.code,
            },
        }
    ]


def test_duplicate_probes_are_limited_per_account(tree, staff, settings):
    # given: two refused duplicates allowed an hour
    settings.RONGXIN_DUPLICATE_PROBE_RATE = "2/h"
    taken = [make_person(tree.village_b1, id_number=make_id_number()) for _ in range(3)]
    officer = staff["town_a_officer"]

    def register(actor, number):
        return person_register(
            actor=actor, name="试探", id_number=number, residency="resident", village_code=tree.village_a1.code
        )

    # The counters are per window of the wall clock: stay inside one.
    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        # when
        for person in taken[:2]:
            with pytest.raises(Conflict):
                register(officer, pii.decrypt(person.id_number_encrypted))
        before = state()
        with pytest.raises(DuplicateProbesLimited) as limited_duplicate:
            register(officer, pii.decrypt(taken[2].id_number_encrypted))
        with pytest.raises(DuplicateProbesLimited) as limited_new:
            register(officer, make_id_number())
        after_limit = state()
        # another account keeps its own allowance
        other = register(staff["county_office"], make_id_number())
    # then: past the limit nothing is looked up, saved or audited, whatever the number
    assert (limited_duplicate.value.status, limited_duplicate.value.code) == (429, "rate_limited")
    assert str(limited_new.value.message) == "登记已登记号码的尝试过多，请稍后再试。"
    assert after_limit == before
    assert [row["details"]["existing_subject"] for row in duplicate_rows()] == [taken[0].pk, taken[1].pk]
    assert other.subject.name == "试探"


# --- the API ---------------------------------------------------------------------------------
def test_api_duplicate_probes_past_the_limit_are_429_problems(tree, staff, settings):
    settings.RONGXIN_DUPLICATE_PROBE_RATE = "1/h"
    taken = make_person(tree.village_b1)
    client = client_for(staff["county_office"])
    payload = {
        "name": "赵甲",
        "id_number": pii.decrypt(taken.id_number_encrypted).translate(FULLWIDTH),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    with time_machine.travel("2026-03-01 10:00:05 +0800", tick=False):
        first = post(client, "/api/v1/subjects/persons", payload)
        before = state()
        second = post(client, "/api/v1/subjects/persons", payload | {"id_number": make_id_number()})
    assert (first.status_code, first.json()["code"]) == (409, "duplicate_id_number")
    assert (second.status_code, second["Content-Type"], second.json()["code"], second.json()["title"]) == (
        429,
        "application/problem+json",
        "rate_limited",
        "登记已登记号码的尝试过多，请稍后再试。",
    )
    assert state() == before


def test_api_uscc_with_foreign_digits_registers_in_ascii_and_is_then_a_conflict(tree, staff):
    # Such a code used to fail its check with a KeyError: HTTP 500.
    code = make_uscc()
    client = client_for(staff["county_office"])
    payload = {
        "kind": "enterprise",
        "name": "甲公司",
        "uscc": code.translate(ARABIC_INDIC),
        "legal_representative": "赵甲",
        "village_code": tree.village_a1.code,
    }
    created = post(client, "/api/v1/subjects/organisations", payload)
    again = post(client, "/api/v1/subjects/organisations", payload | {"uscc": code.translate(FULLWIDTH)})
    assert (created.status_code, created.json()["uscc"]) == (201, code)
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_uscc")
    assert list(Organisation.objects.values_list("uscc", flat=True)) == [code]


@pytest.mark.parametrize("uscc", ["9135０１00M000100Y4٤", "91٣50100M000100Y4\u0664", "𝟗𝟏35010０M000100Y44"])
def test_api_uscc_with_foreign_digits_and_a_bad_check_is_a_422_problem(tree, staff, uscc):
    payload = {
        "kind": "enterprise",
        "name": "乙公司",
        "uscc": uscc,
        "legal_representative": "钱乙",
        "village_code": tree.village_a1.code,
    }
    response = post(client_for(staff["county_office"]), "/api/v1/subjects/organisations", payload)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (422, "uscc_checksum")
    assert Organisation.objects.count() == 0


@DB_EXAMPLES
@given(data=st.data())
def test_every_spelling_of_an_id_number_finds_the_same_subject(tree, staff, data):
    # given
    number = "11010519491231002X"
    person = Person.objects.filter(id_number_hash=pii.lookup_hash(number)).first() or make_person(
        tree.village_a1, name="唯一", id_number=number
    )
    spelled = data.draw(id_spellings(number))
    # when
    found = client_for(staff["town_a_officer"]).get("/api/v1/subjects/search", {"q": spelled})
    # then
    assert (found.status_code, [s["id"] for s in found.json()]) == (200, [person.pk])


@DB_EXAMPLES
@given(data=st.data())
def test_every_spelling_of_a_uscc_finds_the_same_subject(tree, staff, data):
    org = Organisation.objects.first() or make_organisation(tree.village_a2)
    spelled = data.draw(uscc_spellings(org.uscc))
    found = client_for(staff["town_a_officer"]).get("/api/v1/subjects/search", {"q": spelled})
    assert (found.status_code, [s["id"] for s in found.json()]) == (200, [org.pk])


@DB_EXAMPLES
@given(data=st.data())
def test_every_spelling_of_a_registered_id_number_is_refused_as_a_duplicate(tree, staff, settings, data):
    # given: the person exists in the same region; the probe limit is out of the way
    settings.RONGXIN_DUPLICATE_PROBE_RATE = "100000/h"
    number = "11010519491231002X"
    if not Person.objects.filter(id_number_hash=pii.lookup_hash(number)).exists():
        make_person(tree.village_a1, name="唯一", id_number=number)
    before = state()
    payload = {
        "name": "另一个",
        "id_number": data.draw(id_spellings(number)),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    }
    # when
    response = post(client_for(staff["village_a1_officer"]), "/api/v1/subjects/persons", payload)
    # then
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_id_number")
    assert state() == (before[0], before[1], before[2], before[3] + 1)
