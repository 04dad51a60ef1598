"""Pages of canteens as places: the hub, the list, a canteen's page, adding and changing one, its
status and costs, the coverage plan and the figures (with CSV); elders appear as counts only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.canteens.models import BuildPlan, Canteen, CanteenEvent, Cost, CoveragePolicy, Elder, ServiceDay
from rongxin.canteens.tests.sites_helpers import SitesWorld, frozen, make_canteen, world  # noqa: F401
from rongxin.conftest import client_for, make_id_number, make_person
from rongxin.core import clock

WHO = ["anonymous", "nobody", "auditor", "village_b1", "town_b", "manager_a1", "village_a1", "town_a", "admin"]


def _client(world: SitesWorld, who: str) -> Any:
    return client_for(world.users()[who])


def _elder(canteen: Canteen, name: str, birth: str) -> Elder:
    person = make_person(canteen.village, name=name, id_number=make_id_number(birth=birth))
    now = clock.now()
    return Elder.objects.create(
        canteen=canteen,
        subject=person.subject,
        village=canteen.village,
        enrolled_on=dt.date(2026, 1, 5),
        consent_by="self",
        consent_at=now,
        recorded_at=now,
    )


def _denied(response: Any, who: str) -> None:
    if who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


# --- The hub -----------------------------------------------------------------------------------------
def test_hub_counts_without_names(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    make_canteen(world.tree.village_a2, status="planned")
    make_canteen(
        world.tree.village_b1, status="paused", history=[("open", dt.date(2025, 6, 1)), ("paused", dt.date(2026, 1, 1))]
    )
    _elder(a1, "王秀英", "19460310")  # exactly 80 today
    _elder(a1, "李桂兰", "19460311")
    gone = _elder(a1, "赵大爷", "19300101")
    gone.left_on = dt.date(2026, 2, 1)
    gone.save(update_fields=["left_on"])
    # when
    response = client_for(world.admin).get("/canteens/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    towns = response.context["o"].towns
    assert [
        (
            t.region.name,
            t.by_status["open"],
            t.by_status["planned"],
            t.by_status["paused"],
            t.covered,
            t.villages,
            t.elders,
            t.elders_80,
        )
        for t in towns
    ] == [
        ("崖头街道", 1, 1, 0, 1, 2, 2, 1),
        ("俚岛镇", 0, 0, 1, 0, 2, 0, 0),
    ]
    assert 'id="total-elders">2<' in html and 'id="total-elders-80">1<' in html
    for name in ("王秀英", "李桂兰", "赵大爷"):
        assert name not in html


def test_hub_for_village_staff_links_their_canteen(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    make_canteen(world.tree.village_b1)
    # when
    response = client_for(world.manager_a1).get("/canteens/")
    # then
    assert [c.pk for c in response.context["o"].own] == [a1.pk]
    assert f'href="/canteens/{a1.pk}/"' in response.content.decode()
    assert [t.region.name for t in response.context["o"].towns] == ["崖头街道"]
    assert response.context["o"].total.canteens == 1


@pytest.mark.parametrize("who", ["anonymous", "nobody"])
def test_hub_denied(world: SitesWorld, who: str) -> None:
    _denied(_client(world, who).get("/canteens/"), who)


# --- A canteen's page --------------------------------------------------------------------------------
@pytest.mark.parametrize("who", WHO)
def test_canteen_page_readers(world: SitesWorld, who: str) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    _elder(a1, "王秀英", "19400101")
    # when
    response = _client(world, who).get(f"/canteens/{a1.pk}/")
    # then
    if who in ("auditor", "manager_a1", "village_a1", "town_a", "admin"):
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="elders">1<' in html and "王秀英" not in html
        assert ("record the cost" in html.lower() or "登记费用" in html) == (who in ("town_a", "admin"))
    else:
        _denied(response, who)


@pytest.mark.parametrize("who", WHO)
def test_status_post_matrix(world: SitesWorld, who: str) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    # when
    response = _client(world, who).post(f"/canteens/{a1.pk}/status/", {"status": "paused", "on": "2026-03-10"})
    # then
    a1.refresh_from_db()
    if who in ("manager_a1", "village_a1", "town_a", "admin"):
        assert (response.status_code, response["Location"]) == (302, f"/canteens/{a1.pk}/")
        assert a1.status == "paused"
    else:
        _denied(response, who)
        assert (a1.status, CanteenEvent.objects.count()) == ("open", 1)


def test_status_post_error_shows_on_the_page(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1, status="planned")
    client = client_for(world.admin)
    # when
    client.post(f"/canteens/{a1.pk}/status/", {"status": "open", "on": "2026-03-10"})
    page = client.get(f"/canteens/{a1.pk}/")
    # then
    assert "不能变为" in page.content.decode()
    a1.refresh_from_db()
    assert a1.status == "planned"


@pytest.mark.parametrize("who", WHO)
def test_cost_post_matrix(world: SitesWorld, who: str) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    # when
    response = _client(world, who).post(
        f"/canteens/{a1.pk}/costs/", {"kind": "build", "year": "2025", "source": "county", "amount": "20000"}
    )
    # then
    if who in ("town_a", "admin"):
        assert response.status_code == 302
        assert list(Cost.objects.values_list("amount", flat=True)) == [20000]
    elif who in ("manager_a1", "village_a1"):
        assert response.status_code == 302  # back to the page, with the error kept
        assert Cost.objects.count() == 0
    else:
        _denied(response, who)
        assert Cost.objects.count() == 0


# --- Add and change ----------------------------------------------------------------------------------
@pytest.mark.parametrize("who", WHO)
def test_create_page_matrix(world: SitesWorld, who: str) -> None:
    # given
    body = {
        "village_code": world.tree.village_a2.code,
        "name": "西山暖心食堂",
        "operator": "committee",
        "seats": "30",
        "meal_weekdays": ["0", "1", "2", "3", "4"],
        "status": "planned",
    }
    # when
    response = _client(world, who).post("/canteens/sites/new/", body)
    # then
    if who in ("town_a", "admin"):
        canteen = Canteen.objects.get()
        assert (response.status_code, response["Location"]) == (302, f"/canteens/{canteen.pk}/")
        assert canteen.meal_weekdays == [0, 1, 2, 3, 4]
    elif who == "town_b":
        assert response.status_code == 200 or response.status_code == 422
        assert Canteen.objects.count() == 0
    else:
        _denied(response, who)
        assert Canteen.objects.count() == 0


def test_create_page_full_width_seats(world: SitesWorld) -> None:
    # when
    response = client_for(world.admin).post(
        "/canteens/sites/new/",
        {
            "village_code": world.tree.village_a2.code,
            "name": "西山暖心食堂",
            "operator": "committee",
            "seats": "３０",
            "meal_weekdays": ["0"],
            "status": "planned",
        },
    )
    # then
    assert response.status_code == 422
    assert "请填写整数。" in response.content.decode() or "whole number" in response.content.decode()
    assert Canteen.objects.count() == 0


def test_village_staff_edit_form_has_only_their_fields(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1)
    client = client_for(world.manager_a1)
    # when
    form = client.get(f"/canteens/{a1.pk}/edit/").context["form"]
    response = client.post(
        f"/canteens/{a1.pk}/edit/",
        {
            "operator": "party_branch",
            "seats": "45",
            "meal_weekdays": ["0", "1", "2", "3", "4", "5"],
            "address": "东山路1号",
            "latitude": "37.2",
            "longitude": "122.5",
        },
    )
    # then
    assert sorted(form.fields) == [
        "address",
        "latitude",
        "longitude",
        "meal_weekdays",
        "note",
        "operator",
        "seats",
        "venue_id",
    ]
    assert response.status_code == 302
    a1.refresh_from_db()
    assert (a1.operator, a1.seats, a1.meal_weekdays, a1.venue.kind, a1.venue.region_id) == (
        "party_branch",
        45,
        [0, 1, 2, 3, 4, 5],
        "canteen",
        world.tree.village_a1.pk,
    )


# --- Plan --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", WHO)
def test_plan_page_readers(world: SitesWorld, who: str) -> None:
    # given
    make_canteen(world.tree.village_a1)
    # when
    response = _client(world, who).get("/canteens/plan/")
    # then
    if who in ("auditor", "town_a", "town_b", "admin"):
        assert response.status_code == 200
        assert 'id="villages">4<' in response.content.decode()
        assert ('name="action" value="target"' in response.content.decode()) == (who == "admin")
    else:
        _denied(response, who)


@pytest.mark.parametrize("who", WHO)
def test_plan_post_matrix(world: SitesWorld, who: str) -> None:
    # when
    target = _client(world, who).post("/canteens/plan/", {"action": "target", "target_percent": "85"})
    year = _client(world, who).post("/canteens/plan/", {"action": "year", "year": "2026", "planned": "100"})
    # then
    if who == "admin":
        assert (target.status_code, year.status_code) == (302, 302)
        assert list(CoveragePolicy.objects.values_list("target_percent", flat=True)) == [85]
        assert list(BuildPlan.objects.values_list("year", "planned")) == [(2026, 100)]
    else:
        _denied(target, who)
        _denied(year, who)
        assert (CoveragePolicy.objects.count(), BuildPlan.objects.count()) == (0, 0)


def test_plan_csv_ranks_villages(world: SitesWorld) -> None:
    # given
    make_canteen(world.tree.village_a1)
    make_person(world.tree.village_b2, name="老人", id_number=make_id_number(birth="19400101"))
    # when
    response = client_for(world.auditor).get("/canteens/plan/", {"format": "csv"})
    # then
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [line.split(",")[1:4] for line in lines[1:]] == [
        ["马栏湾村", world.tree.village_b2.code, "1"],
        ["西山社区", world.tree.village_a2.code, "0"],
        ["烟墩角村", world.tree.village_b1.code, "0"],
    ]
    assert "老人" not in response.content.decode("utf-8-sig")


# --- Figures -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", WHO)
def test_figures_page_readers(world: SitesWorld, who: str) -> None:
    # when
    response = _client(world, who).get("/canteens/figures/")
    # then
    if who in ("auditor", "town_a", "town_b", "admin", "manager_a1", "village_a1", "village_b1"):
        assert response.status_code == 200
    else:
        _denied(response, who)


def test_figures_csv_of_each_table(world: SitesWorld) -> None:
    # given
    a1 = make_canteen(world.tree.village_a1, name="=东山食堂")
    ServiceDay.objects.create(
        canteen=a1, town=a1.town, date=dt.date(2026, 3, 2), eat_in=9, delivered=2, walk_ins=1, recorded_at=clock.now()
    )
    client = client_for(world.admin)
    query = {"date_from": "2026-03-01", "date_to": "2026-03-08", "week": "2026-03-02", "format": "csv"}
    # when
    days = client.get("/canteens/figures/", {**query, "table": "days"}).content.decode("utf-8-sig").splitlines()
    canteens = client.get("/canteens/figures/", {**query, "table": "canteens"}).content.decode("utf-8-sig").splitlines()
    unknown = client.get("/canteens/figures/", {**query, "table": "elders"})
    # then
    assert days[1:] == ["2026-03-02,9,2,1,1"]
    assert canteens[1:] == ["'=东山食堂,1,9,2,1"]
    assert unknown.status_code == 404
