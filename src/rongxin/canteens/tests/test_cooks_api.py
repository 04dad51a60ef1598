"""The cooks, rota and clinics API: gated operations and the same services."""

from __future__ import annotations

import pytest

from rongxin.canteens.models import HealthCertificate, RotaSlot
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, actor, certificate
from rongxin.conftest import client_for

BASE = "/api/v1/canteens"

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("resident", 404), ("town_a", 404), ("manager_b", 404), ("manager", 201)],
)
def test_certificate_create_permission_matrix(cooks: CookWorld, who: str, status: int):
    response = client_for(actor(cooks, who)).post(
        f"{BASE}/{cooks.canteen.pk}/cooks/certificates",
        {
            "volunteer_number": cooks.cook.number,
            "number": "JK-9",
            "issuer": "疾控中心",
            "issued_on": "2026-02-01",
            "expires_on": "2027-01-31",
        },
        content_type="application/json",
    )
    assert response.status_code == status
    assert HealthCertificate.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        assert response.json()["number"] == "JK-9"


def test_an_invalid_body_from_an_outsider_is_404_not_422(cooks: CookWorld):
    response = client_for(cooks.town_b).post(
        f"{BASE}/{cooks.canteen.pk}/rota", {"on": 5}, content_type="application/json"
    )
    assert response.status_code == 404


def test_rota_place_and_read_the_week(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    client = client_for(cooks.manager)
    response = client.post(
        f"{BASE}/{cooks.canteen.pk}/rota",
        {"on": "2026-03-03", "duty": "serve", "volunteer_number": cooks.cook.number},
        content_type="application/json",
    )
    assert response.status_code == 201
    week = client.get(f"{BASE}/{cooks.canteen.pk}/rota?week=2026-W10").json()
    assert week["week"] == "2026-W10"
    assert [(d["date"], [p["duty"] for p in d["places"]]) for d in week["days"]][:2] == [
        ("2026-03-02", []),
        ("2026-03-03", ["serve"]),
    ]
    assert RotaSlot.objects.count() == 1


def test_an_expired_certificate_is_422_in_chinese(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2025-03-01", expires="2026-03-01")
    response = client_for(cooks.manager).post(
        f"{BASE}/{cooks.canteen.pk}/rota",
        {"on": "2026-03-03", "duty": "cook", "volunteer_number": cooks.cook.number},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "健康证已于 2026-03-01 到期" in response.json()["errors"][0]["message"]


def test_the_cooks_list(cooks: CookWorld):
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-03-20")
    rows = client_for(cooks.town_a).get(f"{BASE}/{cooks.canteen.pk}/cooks").json()
    states = {r["volunteer_number"]: r["certificate_state"] for r in rows}
    assert states[cooks.cook.number] == "expiring"
    assert states[cooks.cook2.number] == "none"
    assert len(rows) == 3  # the manager is on the team too


def test_clinics_upcoming_is_for_administrators_and_town_officers(cooks: CookWorld):
    assert client_for(cooks.admin).get(f"{BASE}/clinics/upcoming").json() == []
    assert client_for(cooks.manager).get(f"{BASE}/clinics/upcoming").status_code == 404
