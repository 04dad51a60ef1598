"""/api/v1/canteens/sites, /coverage, /plan and /figures: bodies, a permission matrix for every
write (a denied call changes nothing), problem+json errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.canteens.models import BuildPlan, Canteen, CanteenEvent, Cost, CoveragePolicy, ServiceDay
from rongxin.canteens.tests.sites_helpers import SitesWorld, frozen, make_canteen, world  # noqa: F401
from rongxin.conftest import client_for
from rongxin.core import clock

API = "/api/v1/canteens"
PROBLEM = "application/problem+json"
WHO = ["anonymous", "nobody", "auditor", "village_b1", "town_b", "manager_a1", "village_a1", "town_a", "admin"]


def _client(world: SitesWorld, who: str) -> Any:
    return client_for(world.users()[who])


def _denied(response: Any, who: str) -> None:
    assert response.status_code == (401 if who == "anonymous" else 404)
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("who", WHO)
def test_create_matrix(world: SitesWorld, who: str) -> None:
    # given
    body = {
        "village_code": world.tree.village_a1.code,
        "name": "东山暖心食堂",
        "operator": "party_branch",
        "seats": 40,
        "meal_weekdays": [0, 1, 2, 3, 4, 5],
        "latitude": "37.1",
        "longitude": "122.4",
    }
    # when
    response = _client(world, who).post(f"{API}/sites", body, content_type="application/json")
    # then
    if who in ("town_a", "admin"):
        assert response.status_code == 201
        data = response.json()
        assert (data["status"], data["meal_days"], data["five_day_rule"], data["village"]["name"]) == (
            "planned",
            "周一至周六",
            True,
            "东山社区",
        )
        assert data["venue"]["latitude"] == "37.100000"
    elif who == "town_b":
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "village_code"
        assert Canteen.objects.count() == 0
    else:
        _denied(response, who)
        assert Canteen.objects.count() == 0


@pytest.mark.parametrize("who", WHO)
def test_update_matrix(world: SitesWorld, who: str) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    response = _client(world, who).patch(
        f"{API}/sites/{canteen.pk}", {"seats": 48, "note": "周三包饺子"}, content_type="application/json"
    )
    # then
    canteen.refresh_from_db()
    if who in ("town_a", "admin", "manager_a1", "village_a1"):
        assert response.status_code == 200
        assert (response.json()["seats"], canteen.seats, canteen.note) == (48, 48, "周三包饺子")
    else:
        _denied(response, who)
        assert (canteen.seats, canteen.note) == (30, "")


def test_update_by_an_outsider_with_a_bad_body_is_still_404(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    response = client_for(world.town_b).patch(
        f"{API}/sites/{canteen.pk}", {"seats": "many"}, content_type="application/json"
    )
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("who", WHO)
def test_status_matrix(world: SitesWorld, who: str) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    response = _client(world, who).post(
        f"{API}/sites/{canteen.pk}/status", {"status": "paused", "note": "春节"}, content_type="application/json"
    )
    # then
    canteen.refresh_from_db()
    if who in ("town_a", "admin", "manager_a1", "village_a1"):
        assert response.status_code == 200
        assert [e["status"] for e in response.json()["events"]] == ["open", "paused"]
        assert canteen.status == "paused"
    else:
        _denied(response, who)
        assert (canteen.status, CanteenEvent.objects.count()) == ("open", 1)


def test_impossible_status_is_a_409_problem(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1, status="planned")
    # when
    response = client_for(world.admin).post(
        f"{API}/sites/{canteen.pk}/status", {"status": "paused"}, content_type="application/json"
    )
    # then
    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (
        409,
        PROBLEM,
        "status_transition",
    )


@pytest.mark.parametrize("who", WHO)
def test_cost_matrix(world: SitesWorld, who: str) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    body = {"kind": "build", "year": 2025, "source": "county", "amount": "20000.00"}
    # when
    response = _client(world, who).post(f"{API}/sites/{canteen.pk}/costs", body, content_type="application/json")
    # then
    if who in ("town_a", "admin"):
        assert response.status_code == 201
        assert response.json()["amount"] == "20000.00"
    elif who in ("manager_a1", "village_a1"):
        assert response.status_code == 422
        assert Cost.objects.count() == 0
    else:
        _denied(response, who)
        assert Cost.objects.count() == 0


def test_cost_refuses_a_negative_amount(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    body = {"kind": "build", "year": 2025, "source": "county", "amount": "-1"}
    # when
    response = client_for(world.admin).post(f"{API}/sites/{canteen.pk}/costs", body, content_type="application/json")
    # then
    assert response.status_code == 422
    assert Cost.objects.count() == 0


@pytest.mark.parametrize("who", WHO)
def test_plan_writes_matrix(world: SitesWorld, who: str) -> None:
    # when
    target = _client(world, who).put(f"{API}/plan/target", {"target_percent": 85}, content_type="application/json")
    year = _client(world, who).put(f"{API}/plan/years/2026", {"planned": 100}, content_type="application/json")
    # then
    if who == "admin":
        assert (target.status_code, target.json()) == (200, {"target_percent": 85})
        assert (year.status_code, year.json()) == (200, {"year": 2026, "planned": 100, "opened": 0})
    else:
        _denied(target, who)
        _denied(year, who)
        assert (CoveragePolicy.objects.count(), BuildPlan.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", WHO)
def test_coverage_readers(world: SitesWorld, who: str) -> None:
    # given
    make_canteen(world.tree.village_a1)
    make_canteen(world.tree.village_b1, status="planned")
    # when
    response = _client(world, who).get(f"{API}/coverage", {"on": "2026-03-10"})
    # then
    if who in ("admin", "auditor"):
        assert response.status_code == 200
        body = response.json()
        assert (body["villages"], body["covered"], body["share"], body["needed"]) == (4, 1, "25.0", 3)
        assert [v["code"] for v in body["uncovered"]] == [
            world.tree.village_a2.code,
            world.tree.village_b1.code,
            world.tree.village_b2.code,
        ]
    elif who in ("town_a", "town_b"):
        assert response.status_code == 200
        town = world.tree.town_a if who == "town_a" else world.tree.town_b
        assert [t["code"] for t in response.json()["towns"]] == [town.code]
        assert {v["code"][:9] for v in response.json()["uncovered"]} == {town.prefix}
    else:
        _denied(response, who)


def test_sites_list_and_one_site_are_scoped(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    b1 = make_canteen(world.tree.village_b1)
    # when
    town_a = client_for(world.town_a).get(f"{API}/sites").json()
    staff_b = client_for(world.village_b1).get(f"{API}/sites").json()
    county = client_for(world.auditor).get(f"{API}/sites", {"town": world.tree.town_b.code}).json()
    # then
    assert ([c["id"] for c in town_a["items"]], town_a["total"]) == ([a1.pk], 1)
    assert [c["id"] for c in staff_b["items"]] == [b1.pk]
    assert [c["id"] for c in county["items"]] == [b1.pk]
    assert client_for(world.town_a).get(f"{API}/sites/{b1.pk}").status_code == 404
    assert client_for(world.town_a).get(f"{API}/sites/{a1.pk}").json()["events"] == [
        {"status": "open", "on": "2025-06-01", "note": ""}
    ]
    assert client_for(world.nobody).get(f"{API}/sites").status_code == 404


def test_figures_body(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    ServiceDay.objects.create(
        canteen=a1, town=a1.town, date=dt.date(2026, 3, 2), eat_in=9, delivered=2, walk_ins=1, recorded_at=clock.now()
    )
    # when
    response = client_for(world.town_a).get(
        f"{API}/figures", {"date_from": "2026-03-01", "date_to": "2026-03-08", "week": "2026-03-04"}
    )
    series = client_for(world.village_a1).get(
        f"{API}/figures/series", {"date_from": "2026-03-01", "date_to": "2026-03-08"}
    )
    # then
    body = response.json()
    assert body["region"] == {"code": world.tree.town_a.code, "name": "崖头街道"}
    assert body["days"] == [{"date": "2026-03-02", "eat_in": 9, "delivered": 2, "walk_ins": 1, "canteens": 1}]
    assert body["region_total"] == {"id": 0, "name": "崖头街道", "days": 1, "eat_in": 9, "delivered": 2, "walk_ins": 1}
    assert body["meal_days"] == [
        {
            "canteen_id": a1.pk,
            "canteen": "东山社区暖心食堂",
            "village": "东山社区",
            "committed": 5,
            "served": 1,
            "missing": 4,
            "meets_commitment": False,
            "meets_five_day_rule": False,
        }
    ]
    assert series.json() == body["days"]
    assert client_for(world.nobody).get(f"{API}/figures").status_code == 404
    bad = client_for(world.town_a).get(f"{API}/figures", {"date_from": "2026-03-08", "date_to": "2026-03-01"})
    assert (bad.status_code, bad["Content-Type"]) == (422, PROBLEM)
