import pytest
import time_machine

from rongxin.conftest import link, make_id_number, make_person, make_uscc, make_user
from rongxin.core import pii
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import ConsentEvent, Organisation, Person, Subject
from rongxin.subjects.services import consent_grant, consent_withdraw, organisation_register, person_register

pytestmark = pytest.mark.django_db


def test_register_person_stores_the_id_number_encrypted_hashed_and_masked(tree, staff):
    # given
    number = make_id_number(birth="19850704", male=False)
    # when
    person = person_register(
        actor=staff["village_a1_officer"],
        name="王 芳",
        id_number=number,
        residency="resident",
        village_code=tree.village_a1.code,
        phone="13812345678",
    )
    # then
    person.refresh_from_db()
    assert person.subject.name == "王芳"  # spaces typed between Han characters are dropped
    assert (person.subject.village_id, person.subject.town_id) == (tree.village_a1.id, tree.town_a.id)
    assert number.encode() not in bytes(person.id_number_encrypted)
    assert pii.decrypt(person.id_number_encrypted) == number
    assert person.id_number_hash == pii.lookup_hash(number)
    assert person.id_number_masked == number[:4] + "**********" + number[-4:]
    assert (person.sex, person.birth_date.isoformat()) == ("F", "1985-07-04")
    assert person.phone_masked == "138****5678"
    assert pii.decrypt(person.phone_encrypted) == "13812345678"
    assert person.consent_given is False


def test_register_person_writes_one_audit_row(tree, staff):
    before = AuditEvent.objects.count()
    person = person_register(
        actor=staff["town_a_officer"],
        name="赵六",
        id_number=make_id_number(),
        residency="migrant",
        village_code=tree.village_a2.code,
    )
    rows = list(
        AuditEvent.objects.order_by("id")[before:].values(
            "actor_name", "actor_role", "kind", "action", "object_type", "object_id", "subject_id", "details"
        )
    )
    assert rows == [
        {
            "actor_name": "town_a_officer",
            "actor_role": "town_officer",
            "kind": "write",
            "action": "person.register",
            "object_type": "subject",
            "object_id": str(person.pk),
            "subject_id": person.pk,
            "details": {"residency": "migrant", "village": tree.village_a2.code},
        }
    ]


@pytest.mark.parametrize(
    ("field", "overrides", "code"),
    [
        ("id_number", {"id_number": "110105194912310021"}, "id_checksum"),
        ("village_code", {"village_code": "371082999999"}, "unknown_region"),
        ("village_code", {"village_code": "371082001000"}, "wrong_region_level"),
        ("phone", {"phone": "12345"}, "phone_format"),
        ("residency", {"residency": "tourist"}, "residency"),
        ("name", {"name": "   "}, "required"),
    ],
)
def test_bad_person_input_is_refused_and_nothing_is_saved(tree, staff, field, overrides, code):
    args = {
        "name": "钱七",
        "id_number": make_id_number(),
        "residency": "resident",
        "village_code": tree.village_a1.code,
    } | overrides
    counts = (Subject.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InvalidInput) as info:
        person_register(actor=staff["village_a1_officer"], **args)
    assert (info.value.code, info.value.errors[0]["field"]) == (code, field)
    assert (Subject.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == counts


def test_second_person_with_the_same_id_number_is_a_conflict(tree, staff):
    number = make_id_number()
    person_register(
        actor=staff["town_a_officer"],
        name="赵甲",
        id_number=number,
        residency="resident",
        village_code=tree.village_a1.code,
    )
    with pytest.raises(Conflict) as info:
        person_register(
            actor=staff["county_office"],
            name="钱乙",
            id_number=number.lower(),
            residency="resident",
            village_code=tree.village_b1.code,
        )
    assert info.value.code == "duplicate_id_number"
    assert Person.objects.count() == 1
    assert str(info.value.message) == "该身份证号码已登记。"


def test_village_officer_cannot_register_in_another_village(tree, staff):
    with pytest.raises(InvalidInput) as info:
        person_register(
            actor=staff["village_a1_officer"],
            name="孙丙",
            id_number=make_id_number(),
            residency="resident",
            village_code=tree.village_a2.code,
        )
    assert info.value.code == "unknown_region"
    assert Subject.objects.count() == 0


@pytest.mark.parametrize("who", ["recorder", "team_leader", "auditor", "no_role"])
def test_non_keepers_cannot_register(tree, staff, who):
    with pytest.raises(NotFound):
        person_register(
            actor=staff[who],
            name="李丁",
            id_number=make_id_number(),
            residency="resident",
            village_code=tree.village_a1.code,
        )
    assert Subject.objects.count() == 0


def test_register_organisation(tree, staff):
    code = make_uscc(kind_digit="2")
    org = organisation_register(
        actor=staff["town_a_officer"],
        kind="individual_business",
        name="东山渔具店",
        uscc=code.lower(),
        legal_representative="孙八",
        village_code=tree.village_a1.code,
    )
    org.refresh_from_db()
    assert (org.uscc, org.subject.kind, org.subject.name, org.legal_representative) == (
        code,
        "individual_business",
        "东山渔具店",
        "孙八",
    )


def test_duplicate_and_invalid_uscc(tree, staff):
    code = make_uscc()
    organisation_register(
        actor=staff["county_office"],
        kind="enterprise",
        name="甲公司",
        uscc=code,
        legal_representative="赵甲",
        village_code=tree.village_b1.code,
    )
    with pytest.raises(Conflict):
        organisation_register(
            actor=staff["county_office"],
            kind="enterprise",
            name="乙公司",
            uscc=code,
            legal_representative="钱乙",
            village_code=tree.village_b1.code,
        )
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    with pytest.raises(InvalidInput) as info:
        organisation_register(
            actor=staff["county_office"],
            kind="enterprise",
            name="丙公司",
            uscc=bad,
            legal_representative="孙丙",
            village_code=tree.village_b1.code,
        )
    assert info.value.errors[0] == {
        "field": "uscc",
        "message": "统一社会信用代码校验位不正确。",
        "code": "uscc_checksum",
    }
    assert Organisation.objects.count() == 1


def test_person_grants_and_withdraws_own_consent_online(tree):
    person = make_person(tree.village_a1)
    user = make_user("resident")
    link(user, person.subject)
    with time_machine.travel("2026-03-01 09:00 +0800", tick=False):
        consent_grant(actor=user, subject_id=person.pk, channel="online")
    with time_machine.travel("2026-05-01 09:00 +0800", tick=False):
        consent_withdraw(actor=user, subject_id=person.pk, channel="online")
    person.refresh_from_db()
    assert person.consent_given is False
    assert person.consent_changed_at.isoformat() == "2026-05-01T01:00:00+00:00"
    assert list(ConsentEvent.objects.values_list("action", "channel")) == [("grant", "online"), ("withdraw", "online")]
    assert list(AuditEvent.objects.filter(subject_id=person.pk).values_list("action", "actor_role").order_by("id")) == [
        ("consent.grant", "resident"),
        ("consent.withdraw", "resident"),
    ]


def test_consent_twice_is_a_conflict(tree, staff):
    person = make_person(tree.village_a1, consent=True)
    before = list(ConsentEvent.objects.values_list("id", flat=True))
    with pytest.raises(Conflict):
        consent_grant(actor=staff["village_a1_officer"], subject_id=person.pk, channel="paper")
    assert list(ConsentEvent.objects.values_list("id", flat=True)) == before


def test_staff_may_not_record_consent_on_their_own_record(tree, staff):
    officer = staff["village_a1_officer"]
    person = make_person(tree.village_a1)
    link(officer, person.subject)
    # The officer's own record: as the person they use the online channel; as staff they are refused.
    with pytest.raises(InvalidInput):
        consent_grant(actor=officer, subject_id=person.pk, channel="paper")
    assert ConsentEvent.objects.count() == 0


def test_keeper_link_forbidden_when_not_self(tree, staff):
    # A town officer representing an enterprise in their town may not act on it as staff.
    from rongxin.conftest import make_organisation
    from rongxin.subjects.permissions import access_subject_for_keeping

    org = make_organisation(tree.village_a1)
    link(staff["town_a_officer"], org.subject, relation="representative")
    with pytest.raises(Forbidden) as info:
        access_subject_for_keeping(actor=staff["town_a_officer"], subject_id=org.pk)
    assert info.value.code == "own_record"
