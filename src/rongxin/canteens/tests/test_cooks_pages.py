"""The cooks, rota, clinics and pre-meal pages: who sees them, and the forms calling the
services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.canteens.models import ClinicVisit, HealthCertificate, RotaSlot
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor, certificate
from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 404),
        ("manager_b", 404),
        ("town_b", 404),
        ("town_a", 200),
        ("admin", 200),
        ("manager", 200),
        ("village_officer", 200),
    ],
)
@pytest.mark.parametrize("page", ["cooks", "rota", "clinics", "pre-meal"])
def test_who_sees_the_cook_pages(cooks: CookWorld, who: str, status: int, page: str):
    response = client_for(actor(cooks, who)).get(f"/canteens/{cooks.canteen.pk}/{page}/")
    assert response.status_code == status


def test_anonymous_is_sent_to_sign_in(cooks: CookWorld):
    response = client_for(None).get(f"/canteens/{cooks.canteen.pk}/cooks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_cooks_page_shows_certificate_states_and_the_expiring_list(cooks: CookWorld):
    # given one cook expiring within 30 days, one with none, the manager (a team member) valid
    certificate(cooks.cook, number="A1", issued="2025-03-20", expires="2026-03-20")
    # when the manager opens the cooks page
    body = client_for(cooks.manager).get(f"/canteens/{cooks.canteen.pk}/cooks/").content.decode()
    # then the states show, and the expiring list names the cook
    assert body.count('class="cert-expiring"') == 2  # the expiring list and the table
    assert 'id="expiring"' in body
    assert "30 天内到期" in body
    assert "记录健康证" in body


def test_town_officers_see_cooks_but_no_forms(cooks: CookWorld):
    body = client_for(cooks.town_a).get(f"/canteens/{cooks.canteen.pk}/cooks/").content.decode()
    assert 'id="certificate-form"' not in body


def test_the_certificate_form_records_and_errors_come_back_in_chinese(cooks: CookWorld):
    client = client_for(cooks.manager)
    url = f"/canteens/{cooks.canteen.pk}/cooks/certificates/"
    data = {
        "volunteer_number": cooks.cook.number,
        "number": "JK-1",
        "issuer": "疾控中心",
        "issued_on": "2026-02-01",
        "expires_on": "2026-01-01",
    }
    # a bad expiry comes back as a message, nothing saved
    response = client.post(url, data, follow=True)
    assert "有效期截止日期必须晚于发证日期。" in response.content.decode()
    assert HealthCertificate.objects.count() == 0
    # a good one is recorded
    data["expires_on"] = "2027-01-31"
    response = client.post(url, data)
    assert response.status_code == 302
    assert HealthCertificate.objects.get().expires_on == dt.date(2027, 1, 31)


def test_a_forbidden_post_changes_nothing(cooks: CookWorld):
    response = client_for(cooks.town_a).post(
        f"/canteens/{cooks.canteen.pk}/cooks/certificates/",
        {
            "volunteer_number": cooks.cook.number,
            "number": "JK-1",
            "issuer": "x",
            "issued_on": "2026-02-01",
            "expires_on": "2027-01-01",
        },
    )
    assert response.status_code == 404
    assert HealthCertificate.objects.count() == 0


def test_the_rota_page_places_and_removes_a_cook(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    client = client_for(cooks.manager)
    response = client.post(
        f"/canteens/{cooks.canteen.pk}/rota/place/",
        {"on": "2026-03-03", "duty": "cook", "volunteer_number": cooks.cook.number},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/canteens/{cooks.canteen.pk}/rota/?week=2026-W10"
    body = client.get(response["Location"]).content.decode()
    assert body.count('class="rota-place"') == 1
    assert "cook_wang" in body
    client.post(
        f"/canteens/{cooks.canteen.pk}/rota/remove/", {"on": "2026-03-03", "volunteer_number": cooks.cook.number}
    )
    assert RotaSlot.objects.get().removed_at is not None
    assert AuditEvent.objects.filter(action__startswith="canteen_rota.").count() == 2


def test_the_clinic_form_schedules(cooks: CookWorld):
    response = client_for(cooks.town_a).post(
        f"/canteens/{cooks.canteen.pk}/clinics/",
        {
            "provider_kind": "hospital",
            "provider_name": "荣成市人民医院",
            "services": "量血压",
            "starts_at": "2026-03-05T09:00",
            "ends_at": "2026-03-05T11:00",
        },
    )
    assert response.status_code == 302
    clinic = ClinicVisit.objects.get()
    assert clinic.starts_at == dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)


def test_the_county_list_of_upcoming_clinics(cooks: CookWorld):
    assert client_for(cooks.admin).get("/canteens/clinics/").status_code == 200
    assert client_for(cooks.town_a).get("/canteens/clinics/").status_code == 200
    assert client_for(cooks.manager).get("/canteens/clinics/").status_code == 404


def test_the_premeal_form_is_for_those_lectures_lets_schedule(cooks: CookWorld):
    assert 'id="schedule"' in client_for(cooks.town_a).get(f"/canteens/{cooks.canteen.pk}/pre-meal/").content.decode()
    assert (
        'id="schedule"' not in client_for(cooks.manager).get(f"/canteens/{cooks.canteen.pk}/pre-meal/").content.decode()
    )


def test_the_canteen_page_section_lists_expiring_certificates(cooks: CookWorld, rf: Any):
    from django.template.loader import render_to_string

    from rongxin.canteens.pages.views.cooks import cooks_section

    # given one cook's certificate expiring within 30 days and one expired
    certificate(cooks.cook, number="A1", issued="2025-03-20", expires="2026-03-20")
    certificate(cooks.cook2, number="B1", issued="2025-03-01", expires="2026-03-01")
    request = rf.get("/")
    request.user = cooks.manager
    # when the section is rendered
    context = cooks_section(request, cooks.canteen)
    html = render_to_string("canteens/_canteen_cooks.html", context, request=request)
    # then both show, with their state
    assert context["cook_count"] == 3
    assert [r.volunteer.pk for r in context["expiring"]] == [cooks.cook.pk, cooks.cook2.pk]
    assert html.count('class="cert-expiring"') == 1
    assert html.count('class="cert-expired"') == 1
