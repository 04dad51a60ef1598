"""The subjects pages: search, the purpose prompt, the file, the person's own file and consent,
registration, and the region tree."""

import pytest

from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.core.models import AuditEvent
from rongxin.subjects.models import Person, Subject

pytestmark = pytest.mark.django_db


def test_search_page_shows_results_in_scope_with_masked_numbers(tree, staff):
    inside = make_person(tree.village_a1, name="张伟")
    make_person(tree.village_b1, name="张伟民")
    html = (
        client_for(staff["village_a1_officer"]).get("/subjects/", {"q": "张伟", "purpose": "record"}).content.decode()
    )
    assert f'href="/subjects/{inside.pk}/?purpose=record"' in html
    assert inside.id_number_masked in html
    assert "张伟民" not in html


def test_bad_search_shows_a_chinese_error(tree, staff):
    html = (
        client_for(staff["county_office"])
        .get("/subjects/", {"q": "110105194912310021", "purpose": "service"})
        .content.decode()
    )
    assert "身份证号码校验位不正确。" in html


def test_file_page_asks_for_a_purpose_before_showing_anything(tree, staff):
    person = make_person(tree.village_a1, name="李雷")
    client = client_for(staff["village_a1_officer"])
    prompt = client.get(f"/subjects/{person.pk}/").content.decode()
    assert person.id_number_masked not in prompt
    assert AuditEvent.objects.filter(action="subject.view").count() == 0
    page = client.get(f"/subjects/{person.pk}/", {"purpose": "service"}).content.decode()
    assert person.id_number_masked in page
    assert AuditEvent.objects.filter(action="subject.view", subject_id=person.pk).count() == 1


def test_file_page_out_of_scope_is_404(tree, staff):
    person = make_person(tree.village_b1)
    response = client_for(staff["village_a1_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "service"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="subject.view").count() == 0


def test_my_file_shows_full_id_number_and_who_viewed(tree, staff):
    number = make_id_number()
    person = make_person(tree.village_a1, name="本人", id_number=number)
    user = make_user("me")
    link(user, person.subject)
    client_for(staff["village_a1_officer"]).get(f"/subjects/{person.pk}/", {"purpose": "verification"})
    html = client_for(user).get("/me/").content.decode()
    assert number in html
    assert "<td>village_a1_officer</td>" in html  # the officer's display name (tests use the username)
    assert "核实登记信息" in html


def test_resident_gives_consent_on_their_page(tree):
    person = make_person(tree.village_a1)
    user = make_user("me")
    link(user, person.subject)
    response = client_for(user).post("/me/consent/", {"action": "grant"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.consent_given is True


def test_register_person_page_reports_errors_in_chinese_and_saves_nothing(tree, staff):
    client = client_for(staff["village_a1_officer"])
    response = client.post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": "110105194912310021",
            "residency": "resident",
            "village_code": tree.village_a1.code,
        },
    )
    assert response.status_code == 422
    assert "身份证号码校验位不正确。" in response.content.decode()
    assert Subject.objects.count() == 0


def test_register_person_page_offers_only_own_villages_and_saves(tree, staff):
    client = client_for(staff["village_a1_officer"])
    form = client.get("/subjects/new/person/").content.decode()
    assert tree.village_a1.code in form
    assert tree.village_a2.code not in form
    number = make_id_number()
    response = client.post(
        "/subjects/new/person/",
        {
            "name": "王五",
            "id_number": number,
            "residency": "resident",
            "village_code": tree.village_a1.code,
            "phone": "",
        },
    )
    person = Person.objects.get()
    assert response["Location"] == f"/subjects/{person.pk}/?purpose=verification"


def test_region_pages_show_counts(tree, staff):
    make_person(tree.village_a1)
    make_person(tree.village_a2)
    html = client_for(staff["team_leader"]).get(f"/regions/{tree.town_a.code}/").content.decode()
    assert tree.village_a1.name in html
    assert tree.village_a2.name in html
    assert client_for(staff["team_leader"]).get("/regions/371082999999/").status_code == 404
    resident = make_user("res")
    assert client_for(resident).get("/regions/").status_code == 404
