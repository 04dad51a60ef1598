"""Figures on a small known set of service days: per-day series (current revisions only, missing
days absent), totals per canteen, town and county, meal days in a week against commitments and
the five-day rule, cooks and hours, donations per month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.canteens.models import Canteen, Donation, ServiceDay
from rongxin.canteens.selectors import figures
from rongxin.canteens.tests.sites_helpers import SitesWorld, frozen, make_canteen, world  # noqa: F401
from rongxin.conftest import make_person
from rongxin.core import clock
from rongxin.core.errors import InvalidInput
from rongxin.volunteering.models import Activity, ActivityType, ServiceRecord, Team, Volunteer

MON = dt.date(2026, 3, 2)


def _day(
    canteen: Canteen, day: dt.date, eat: int, delivered: int, walk: int, *, rev: int = 1, current: bool = True
) -> None:
    ServiceDay.objects.create(
        canteen=canteen,
        town=canteen.town,
        date=day,
        revision=rev,
        eat_in=eat,
        delivered=delivered,
        walk_ins=walk,
        recorded_at=clock.now(),
        current=current,
    )


@pytest.fixture
def days(world: SitesWorld) -> dict[str, Canteen]:
    t = world.tree
    a1 = make_canteen(t.village_a1, days=[0, 1, 2, 3, 4])
    b1 = make_canteen(t.village_b1, days=[0, 1, 2, 3, 4, 5])
    a2 = make_canteen(t.village_a2, status="paused", history=[("open", dt.date(2025, 6, 1)), ("paused", MON)])
    _day(a1, MON, 10, 2, 1)
    _day(a1, MON + dt.timedelta(1), 99, 9, 9, rev=1, current=False)
    _day(a1, MON + dt.timedelta(1), 12, 3, 0, rev=2)
    _day(a1, MON + dt.timedelta(2), 0, 0, 0)  # recorded, no lunch
    _day(a1, MON + dt.timedelta(3), 11, 2, 2)
    _day(b1, MON, 20, 5, 3)
    for i in range(1, 6):
        _day(b1, MON + dt.timedelta(i), 20, 5, 0)
    _day(a2, MON - dt.timedelta(1), 7, 7, 7)  # the Sunday before: outside the period
    return {"a1": a1, "b1": b1, "a2": a2}


def test_service_series_of_the_county(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # when
    series = figures.service_series(region=world.tree.county, date_from=MON, date_to=MON + dt.timedelta(6))
    # then
    assert [(d.date.day, d.eat_in, d.delivered, d.walk_ins, d.canteens) for d in series] == [
        (2, 30, 7, 4, 2),
        (3, 32, 8, 0, 2),
        (4, 20, 5, 0, 2),
        (5, 31, 7, 2, 2),
        (6, 20, 5, 0, 1),
        (7, 20, 5, 0, 1),
    ]


def test_service_series_of_a_town_and_a_village(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # when
    town = figures.service_series(
        region=world.tree.town_a, date_from=MON - dt.timedelta(1), date_to=MON + dt.timedelta(6)
    )
    village = figures.service_series(region=world.tree.village_b1, date_from=MON, date_to=MON + dt.timedelta(1))
    # then
    assert [(d.date.day, d.eat_in, d.delivered, d.walk_ins, d.canteens) for d in town] == [
        (1, 7, 7, 7, 1),
        (2, 10, 2, 1, 1),
        (3, 12, 3, 0, 1),
        (4, 0, 0, 0, 1),
        (5, 11, 2, 2, 1),
    ]
    assert [(d.date.day, d.eat_in, d.canteens) for d in village] == [(2, 20, 1), (3, 20, 1)]


def test_service_series_is_one_query(
    world: SitesWorld, days: dict[str, Canteen], django_assert_num_queries: Any
) -> None:
    # when / then: the towns under the county, then the sums
    with django_assert_num_queries(2):
        figures.service_series(region=world.tree.county, date_from=MON, date_to=MON + dt.timedelta(6))


def test_period_totals(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # given
    args = {"region": world.tree.county, "date_from": MON, "date_to": MON + dt.timedelta(6)}
    # when
    region = figures.period_totals(**args, by="region")
    towns = figures.period_totals(**args, by="town")
    canteens = figures.period_totals(**args, by="canteen")
    # then
    assert [(t.days, t.eat_in, t.delivered, t.walk_ins) for t in region] == [(10, 153, 37, 6)]
    assert [(t.label, t.days, t.eat_in, t.delivered, t.walk_ins) for t in towns] == [
        ("崖头街道", 4, 33, 7, 3),
        ("俚岛镇", 6, 120, 30, 3),
    ]
    assert [(t.key, t.days, t.eat_in) for t in canteens] == [(days["a1"].pk, 4, 33), (days["b1"].pk, 6, 120)]


def test_meal_days_against_the_commitment(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # when
    week = figures.meal_days_week(region=world.tree.county, week=MON + dt.timedelta(3))
    below = figures.below_commitment(region=world.tree.county, week=MON)
    # then: 东山 served Mon, Tue, Thu (Wed recorded with no lunch; Fri missing); the paused one is left out
    assert [
        (r.canteen.pk, r.committed, r.served, r.missing, r.meets_commitment, r.meets_five_day_rule) for r in week
    ] == [
        (days["a1"].pk, 5, 3, 1, False, False),
        (days["b1"].pk, 6, 6, 0, True, True),
    ]
    assert [r.canteen.pk for r in below] == [days["a1"].pk]


def test_meal_days_of_the_current_week_count_up_to_yesterday(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # when: today is Tuesday 10 March; Monday is missing for both
    week = figures.meal_days_week(region=world.tree.county, week=dt.date(2026, 3, 10))
    # then
    assert [(r.committed, r.served, r.missing) for r in week] == [(1, 0, 1), (1, 0, 1)]


def test_cooks_and_hours_per_month(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # given
    now = clock.now()
    team = Team.objects.create(
        name="东山巧厨娘", tier="town_village", kind="canteen", region=world.tree.village_a1, created_at=now
    )
    other = Team.objects.create(
        name="别的队", tier="town_village", kind="service", region=world.tree.village_a1, created_at=now
    )
    days["a1"].team = team
    days["a1"].save(update_fields=["team"])
    cooking = ActivityType.objects.get(code="canteen_cooking")
    delivery = ActivityType.objects.get(code="meal_delivery")
    lecture = ActivityType.objects.exclude(code__in=["canteen_cooking", "meal_delivery"]).first()
    assert lecture is not None
    people = [make_person(world.tree.village_a1, name=f"厨{i}") for i in range(3)]
    cooks = [
        Volunteer.objects.create(subject=p.subject, number=f"V{i:05d}", registered_at=now, consent_at=now)
        for i, p in enumerate(people)
    ]

    def activity(kind: ActivityType, owner: Team) -> Activity:
        return Activity.objects.create(
            team=owner,
            type=kind,
            title="帮厨",
            region=world.tree.village_a1,
            place="食堂",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=3),
            capacity=5,
            signup_opens_at=now,
            signup_closes_at=now + dt.timedelta(hours=1),
            qr_secret=b"x",
            created_at=now,
        )

    def record(v: Volunteer, a: Activity, day: dt.date, minutes: int, *, rev: int = 1, current: bool = True) -> None:
        ServiceRecord.objects.create(
            activity=a,
            volunteer=v,
            revision=rev,
            team=a.team,
            service_date=day,
            place="食堂",
            content="帮厨",
            minutes=minutes,
            rating="good",
            recorded_at=now,
            current=current,
        )

    cook_feb, cook_mar, deliver_mar = activity(cooking, team), activity(cooking, team), activity(delivery, team)
    record(cooks[0], cook_feb, dt.date(2026, 2, 10), 180)
    record(cooks[0], cook_mar, dt.date(2026, 3, 3), 120, rev=1, current=False)
    record(cooks[0], cook_mar, dt.date(2026, 3, 3), 150, rev=2)
    record(cooks[1], cook_mar, dt.date(2026, 3, 3), 150)
    record(cooks[0], deliver_mar, dt.date(2026, 3, 4), 60)
    record(cooks[2], activity(lecture, team), dt.date(2026, 3, 4), 600)  # not cooking
    record(cooks[2], activity(cooking, other), dt.date(2026, 3, 4), 600)  # not a canteen's team
    # when
    months = figures.cooks_hours(region=world.tree.county, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))
    # then
    assert [(m.month, m.cooks, m.records, m.minutes, m.hours) for m in months] == [
        (dt.date(2026, 2, 1), 1, 1, 180, Decimal("3.0")),
        (dt.date(2026, 3, 1), 2, 3, 360, Decimal("6.0")),
    ]


def test_donations_per_month(world: SitesWorld, days: dict[str, Canteen]) -> None:
    # given
    def give(canteen: Canteen, kind: str, value: str, on: dt.date) -> None:
        Donation.objects.create(
            canteen=canteen,
            kind=kind,
            donor_kind="person",
            donor_name="张",
            value=Decimal(value),
            received_on=on,
            recorded_at=clock.now(),
        )

    give(days["a1"], "money", "500.00", dt.date(2026, 2, 3))
    give(days["b1"], "money", "1200.50", dt.date(2026, 2, 28))
    give(days["b1"], "goods", "300.00", dt.date(2026, 3, 1))
    give(days["a1"], "money", "99.99", dt.date(2025, 12, 31))  # before the period
    # when
    county = figures.donations_per_month(
        region=world.tree.county, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31)
    )
    town_a = figures.donations_per_month(
        region=world.tree.town_a, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31)
    )
    # then
    assert [(m.month, m.kind, m.donations, m.value) for m in county] == [
        (dt.date(2026, 2, 1), "money", 2, Decimal("1700.50")),
        (dt.date(2026, 3, 1), "goods", 1, Decimal("300.00")),
    ]
    assert [(m.month, m.kind, m.donations, m.value) for m in town_a] == [
        (dt.date(2026, 2, 1), "money", 1, Decimal("500.00"))
    ]


def test_period_checks(world: SitesWorld) -> None:
    # when / then
    with pytest.raises(InvalidInput) as caught:
        figures.service_series(region=world.tree.county, date_from=MON, date_to=MON - dt.timedelta(1))
    assert caught.value.errors[0]["code"] == "period_order"
    with pytest.raises(InvalidInput) as caught:
        figures.service_series(region=world.tree.county, date_from=dt.date(2020, 1, 1), date_to=MON)
    assert caught.value.errors[0]["code"] == "period_too_long"
