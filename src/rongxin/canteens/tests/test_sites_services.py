"""Canteens as places: create, change, status changes, costs; the coverage target and build plan
(services, with a permission matrix per write)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.canteens.models import BuildPlan, Canteen, CanteenEvent, Cost, CoveragePolicy
from rongxin.canteens.services import plan as plan_services
from rongxin.canteens.services import sites as services
from rongxin.canteens.tests import sites_helpers
from rongxin.canteens.tests.sites_helpers import TODAY, SitesWorld, make_canteen
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.regions.models import Venue
from rongxin.volunteering.models import Team

world, frozen = sites_helpers.world, sites_helpers.frozen  # the fixtures, used by name


def _create(world: SitesWorld, actor: Any, **kw: Any) -> Canteen:
    args: dict[str, Any] = {
        "village_code": world.tree.village_a1.code,
        "name": "东山暖心食堂",
        "operator": "committee",
        "seats": 40,
        "meal_weekdays": [4, 0, 1, 2, 3],
    }
    args.update(kw)
    return services.canteen_create(actor=actor, **args)


# --- Create ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("village_a1", False),
        ("manager_a1", False),
        ("town_b", False),
        ("town_a", True),
        ("admin", True),
    ],
)
def test_canteen_create_matrix(world: SitesWorld, who: str, allowed: bool) -> None:
    # given
    actor = world.users()[who]
    # when / then
    if allowed:
        canteen = _create(world, actor)
        assert (canteen.village_id, canteen.town_id, canteen.status) == (
            world.tree.village_a1.pk,
            world.tree.town_a.pk,
            "planned",
        )
        assert canteen.meal_weekdays == [0, 1, 2, 3, 4]
        assert list(CanteenEvent.objects.values_list("status", "on")) == [("planned", TODAY)]
        assert AuditEvent.objects.filter(action="canteen.create", object_id=str(canteen.pk)).count() == 1
    else:
        with pytest.raises((NotFound, InvalidInput)) as caught:
            _create(world, actor)
        if who == "town_b":  # a village outside their town: the same words as a missing one
            assert caught.value.errors[0]["field"] == "village_code"
        assert Canteen.objects.count() == 0
        assert AuditEvent.objects.filter(action="canteen.create").count() == 0


def test_canteen_create_refuses_a_town_as_the_village(world: SitesWorld) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        _create(world, world.admin, village_code=world.tree.town_a.code)
    # then
    assert caught.value.errors[0]["code"] == "wrong_region_level"
    assert str(caught.value.message) == "食堂设在村或社区。"
    assert Canteen.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("seats", "１２", "invalid"),
        ("seats", 0, "out_of_range"),
        ("seats", "12\x00", "invalid"),
        ("name", "食堂\x07", "invalid_text"),
        ("name", "长" * 101, "too_long"),
        ("meal_weekdays", [], "required"),
        ("meal_weekdays", [7], "invalid"),
        ("meal_weekdays", ["１"], "invalid"),
        ("operator", "mayor", "invalid_choice"),
        ("latitude", "95", "invalid"),
    ],
)
def test_canteen_create_bad_input_saves_nothing(world: SitesWorld, field: str, value: Any, code: str) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        _create(world, world.admin, **{field: value}, **({"longitude": "122.4"} if field == "latitude" else {}))
    # then
    assert (caught.value.errors[0]["field"], caught.value.errors[0]["code"]) == (field, code)
    assert (Canteen.objects.count(), Venue.objects.count(), CanteenEvent.objects.count()) == (0, 0, 0)


def test_canteen_create_with_coordinates_creates_the_venue(world: SitesWorld) -> None:
    # when
    canteen = _create(world, world.town_a, latitude="37.165432", longitude="122.486123", address="东山路1号")
    # then
    venue = Venue.objects.get()
    assert canteen.venue_id == venue.pk
    assert (venue.kind, venue.region_id, venue.name, venue.latitude, venue.longitude, venue.capacity) == (
        "canteen",
        world.tree.village_a1.pk,
        "东山暖心食堂",
        Decimal("37.165432"),
        Decimal("122.486123"),
        40,
    )


def test_canteen_create_links_a_venue_of_its_village_only(world: SitesWorld) -> None:
    # given
    other = Venue.objects.create(region=world.tree.village_a2, kind="canteen", name="西山", latitude=37, longitude=122)
    hall = Venue.objects.create(
        region=world.tree.village_a1, kind="lecture_hall", name="礼堂", latitude=37, longitude=122
    )
    own = Venue.objects.create(region=world.tree.village_a1, kind="canteen", name="东山", latitude=37, longitude=122)
    # when / then
    for venue in (other, hall):
        with pytest.raises(InvalidInput) as caught:
            _create(world, world.admin, venue_id=venue.pk)
        assert caught.value.errors[0]["code"] == "unknown_venue"
    assert _create(world, world.admin, venue_id=own.pk).venue_id == own.pk


def test_canteen_create_chooses_a_canteen_team_of_the_village_or_town(world: SitesWorld) -> None:
    # given
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    town_team = Team.objects.create(
        name="崖头巧厨娘", tier="town_village", kind="canteen", region=world.tree.town_a, created_at=now
    )
    lecture = Team.objects.create(
        name="宣讲队", tier="town_village", kind="lecture", region=world.tree.town_a, created_at=now
    )
    elsewhere = Team.objects.create(
        name="俚岛巧厨娘", tier="town_village", kind="canteen", region=world.tree.town_b, created_at=now
    )
    # when / then
    for team in (lecture, elsewhere):
        with pytest.raises(InvalidInput):
            _create(world, world.admin, team_id=team.pk)
    assert _create(world, world.admin, team_id=town_team.pk).team_id == town_team.pk


def test_canteen_create_open_needs_a_past_opening_day(world: SitesWorld) -> None:
    # when / then
    with pytest.raises(InvalidInput) as caught:
        _create(world, world.admin, status="open")
    assert caught.value.errors[0]["field"] == "opened_on"
    with pytest.raises(InvalidInput) as caught:
        _create(world, world.admin, status="open", opened_on=TODAY + dt.timedelta(days=1))
    assert caught.value.errors[0]["code"] == "in_the_future"
    canteen = _create(world, world.admin, status="open", opened_on=dt.date(2024, 5, 6))
    assert (canteen.status, canteen.opened_on) == ("open", dt.date(2024, 5, 6))
    assert list(canteen.events.values_list("status", "on")) == [("open", dt.date(2024, 5, 6))]


# --- Update ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("village_b1", False),
        ("town_b", False),
        ("village_a1", True),
        ("manager_a1", True),
        ("town_a", True),
        ("admin", True),
    ],
)
def test_canteen_update_matrix(world: SitesWorld, who: str, allowed: bool) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when / then
    if allowed:
        services.canteen_update(
            actor=world.users()[who], canteen_id=canteen.pk, seats="55", meal_weekdays="0,1,2,3,4,5"
        )
        canteen.refresh_from_db()
        assert (canteen.seats, canteen.meal_weekdays) == (55, [0, 1, 2, 3, 4, 5])
        assert AuditEvent.objects.get(action="canteen.update").details == {"fields": ["meal_weekdays", "seats"]}
    else:
        with pytest.raises(NotFound):
            services.canteen_update(actor=world.users()[who], canteen_id=canteen.pk, seats="x")
        canteen.refresh_from_db()
        assert canteen.seats == 30
        assert AuditEvent.objects.filter(action="canteen.update").count() == 0


def test_village_staff_cannot_rename_or_change_the_team(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    with pytest.raises(InvalidInput) as caught:
        services.canteen_update(actor=world.manager_a1, canteen_id=canteen.pk, name="新名", seats=60)
    # then
    assert (caught.value.errors[0]["field"], str(caught.value.message)) == ("name", "只有镇街或县级可以修改此项。")
    canteen.refresh_from_db()
    assert (canteen.name, canteen.seats) == ("东山社区暖心食堂", 30)


# --- Status ------------------------------------------------------------------------------------------
def test_status_walks_planned_to_open_and_sets_opened_on_once(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1, status="planned", history=[("planned", dt.date(2026, 2, 1))])
    # when
    services.canteen_status_change(actor=world.town_a, canteen_id=canteen.pk, status="building", on=dt.date(2026, 3, 1))
    services.canteen_status_change(actor=world.town_a, canteen_id=canteen.pk, status="open", on=dt.date(2026, 3, 5))
    services.canteen_status_change(actor=world.manager_a1, canteen_id=canteen.pk, status="paused", on=TODAY)
    services.canteen_status_change(actor=world.manager_a1, canteen_id=canteen.pk, status="open", on=TODAY)
    # then
    canteen.refresh_from_db()
    assert (canteen.status, canteen.opened_on) == ("open", dt.date(2026, 3, 5))
    assert [e.status for e in canteen.events.order_by("at", "id")] == ["planned", "building", "open", "paused", "open"]
    assert AuditEvent.objects.filter(action="canteen.status").count() == 4


def test_impossible_transition_is_a_clear_chinese_conflict(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1, status="planned")
    # when
    with pytest.raises(Conflict) as caught:
        services.canteen_status_change(actor=world.admin, canteen_id=canteen.pk, status="open")
    # then
    assert str(caught.value.message) == "状态为“计划中”的食堂不能变为“开放”。"
    canteen.refresh_from_db()
    assert (canteen.status, canteen.events.count()) == ("planned", 1)


def test_closed_is_final(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1, status="closed")
    # when / then
    with pytest.raises(Conflict):
        services.canteen_status_change(actor=world.admin, canteen_id=canteen.pk, status="open")


def test_village_staff_may_only_pause_and_reopen(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    with pytest.raises(InvalidInput):
        services.canteen_status_change(actor=world.village_a1, canteen_id=canteen.pk, status="closed")
    # then
    canteen.refresh_from_db()
    assert (canteen.status, canteen.events.count()) == ("open", 1)


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "village_b1", "town_b"])
def test_status_change_denied(world: SitesWorld, who: str) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    with pytest.raises(NotFound):
        services.canteen_status_change(actor=world.users()[who], canteen_id=canteen.pk, status="paused")
    # then
    canteen.refresh_from_db()
    assert (canteen.status, canteen.events.count()) == ("open", 1)


def test_status_date_not_before_the_last_change_nor_in_the_future(world: SitesWorld) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1, opened_on=dt.date(2026, 3, 1))
    # when / then
    with pytest.raises(InvalidInput) as caught:
        services.canteen_status_change(
            actor=world.admin, canteen_id=canteen.pk, status="paused", on=dt.date(2026, 2, 28)
        )
    assert caught.value.errors[0]["code"] == "before_last_change"
    with pytest.raises(InvalidInput) as caught:
        services.canteen_status_change(
            actor=world.admin, canteen_id=canteen.pk, status="paused", on=dt.date(2026, 3, 11)
        )
    assert caught.value.errors[0]["code"] == "in_the_future"
    assert canteen.events.count() == 1


# --- Costs -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("manager_a1", False),
        ("town_b", False),
        ("town_a", True),
        ("admin", True),
    ],
)
def test_cost_add_matrix(world: SitesWorld, who: str, allowed: bool) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when / then
    if allowed:
        cost = services.canteen_cost_add(
            actor=world.users()[who], canteen_id=canteen.pk, kind="build", year=2025, source="county", amount="20000.00"
        )
        assert (cost.amount, cost.year, cost.source) == (Decimal("20000.00"), 2025, "county")
    else:
        with pytest.raises((NotFound, InvalidInput)):
            services.canteen_cost_add(
                actor=world.users()[who], canteen_id=canteen.pk, kind="build", year=2025, source="county", amount="1"
            )
        assert Cost.objects.count() == 0


@pytest.mark.parametrize("amount", ["0", "-5", "12.345", 12.5, "１２", "NaN", "Infinity", "1e20", "abc"])
def test_cost_amount_must_be_positive_yuan(world: SitesWorld, amount: Any) -> None:
    # given
    canteen = make_canteen(world.tree.village_a1)
    # when
    with pytest.raises(InvalidInput) as caught:
        services.canteen_cost_add(
            actor=world.admin, canteen_id=canteen.pk, kind="running", year=2026, source="town", amount=amount
        )
    # then
    assert caught.value.errors[0]["field"] == "amount"
    assert Cost.objects.count() == 0


# --- The plan ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "town_a", "manager_a1"])
def test_plan_writes_are_for_the_administrator_only(world: SitesWorld, who: str) -> None:
    # when / then
    with pytest.raises(NotFound):
        plan_services.coverage_policy_set(actor=world.users()[who], target_percent=90)
    with pytest.raises(NotFound):
        plan_services.build_plan_set(actor=world.users()[who], year=2026, planned=100)
    assert (CoveragePolicy.objects.count(), BuildPlan.objects.count()) == (0, 0)


def test_administrator_sets_target_and_plan_again(world: SitesWorld) -> None:
    # when
    plan_services.coverage_policy_set(actor=world.admin, target_percent="85")
    plan_services.coverage_policy_set(actor=world.admin, target_percent=90)
    plan_services.build_plan_set(actor=world.admin, year=2026, planned=100)
    plan_services.build_plan_set(actor=world.admin, year=2026, planned=120)
    # then
    assert list(CoveragePolicy.objects.values_list("county_id", "target_percent")) == [(world.tree.county.pk, 90)]
    assert list(BuildPlan.objects.values_list("year", "planned")) == [(2026, 120)]
    with pytest.raises(InvalidInput):
        plan_services.coverage_policy_set(actor=world.admin, target_percent=101)
    with pytest.raises(InvalidInput):
        plan_services.coverage_policy_set(actor=world.admin, target_percent="８０")


def test_a_second_canteen_of_the_same_name_in_the_village_is_a_conflict(world: SitesWorld) -> None:
    # given
    _create(world, world.admin)
    # when
    with pytest.raises(Conflict) as caught:
        _create(world, world.town_a)
    # then
    assert (caught.value.code, str(caught.value.message)) == ("duplicate_canteen", "本村已有同名的食堂。")
    assert Canteen.objects.count() == 1


def test_a_town_officer_creates_the_cook_team_with_the_canteen(world: SitesWorld) -> None:
    # when
    canteen = _create(world, world.town_a, create_team=True)
    # then
    team = Team.objects.get()
    assert canteen.team_id == team.pk
    assert (team.name, team.kind, team.tier, team.region_id) == (
        "东山社区暖心食堂志愿服务队",
        "canteen",
        "town_village",
        world.tree.village_a1.pk,
    )
    assert AuditEvent.objects.filter(action="team.create").count() == 1


def test_the_administrator_cannot_create_a_team_and_nothing_is_saved(world: SitesWorld) -> None:
    # when
    with pytest.raises(InvalidInput) as caught:
        _create(world, world.admin, create_team=True, latitude="37.1", longitude="122.4")
    # then
    assert (caught.value.errors[0]["field"], caught.value.errors[0]["code"]) == ("create_team", "not_team_admin")
    assert (Canteen.objects.count(), Team.objects.count(), Venue.objects.count()) == (0, 0, 0)
