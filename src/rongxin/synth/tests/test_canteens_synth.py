"""The synthetic canteens: exact counts at a small scale, per-elder meals that add up to each
day's counts, elders aged 60+ of the canteen's village in one canteen only, cooks from the
canteen's team with certificates, and a second load refused."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rongxin.canteens.models import (
    BuildPlan,
    Canteen,
    ClinicVisit,
    Cost,
    CoveragePolicy,
    Donation,
    Elder,
    HealthCertificate,
    Meal,
    ServiceDay,
)
from rongxin.conftest import module_transaction
from rongxin.subjects.models import Person, Subject
from rongxin.synth.canteens import CanteensRefused, generate_canteens
from rongxin.synth.canteens_support import years_before
from rongxin.volunteering.models import Membership

SCALE = 0.003
SEED = 5
NOW = dt.datetime(2026, 6, 30, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
TODAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The county and its canteens, once for the module (rolled back after it)."""
    with module_transaction(django_db_blocker, NOW):
        call_command(
            "generate", scale=SCALE, seed=SEED, no_progress=True, no_history=True, no_canteens=True, workers=0,
            as_of=TODAY,
        )  # fmt: skip
        yield generate_canteens(seed=SEED, now=NOW, scale=SCALE)


@pytest.fixture
def canteens(loaded: Any, db: Any) -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False):
        yield loaded


def test_the_county_has_its_canteens(canteens: Any) -> None:
    # given: the load (the fixture)
    # then: its counts, exactly (deterministic for the seed and the moment)
    assert canteens.counts == {
        "build_plans": 4, "canteen_events": 73, "canteens": 25, "canteens_building": 1, "canteens_open": 22,
        "canteens_paused": 1, "canteens_planned": 1, "clinic_visits": 201, "clinic_visits_scheduled": 16, "cooks": 64,
        "costs": 283, "coverage_policies": 1, "donations": 156, "elders": 48, "elders_current": 48, "elders_left": 0,
        "health_certificates": 96, "meals": 2282, "service_days": 10292, "stock_uses": 148, "trainings": 129,
    }  # fmt: skip
    statuses = Counter(Canteen.objects.values_list("status", flat=True))
    assert statuses == {"open": 22, "building": 1, "planned": 1, "paused": 1}
    assert Elder.objects.count() == 48 == round(15_000 * SCALE / 0.93)
    assert CoveragePolicy.objects.get().target_percent == 80
    assert list(BuildPlan.objects.order_by("year").values_list("year", "planned")) == [
        (2024, 1),
        (2025, 1),
        (2026, 1),
        (2027, 1),
    ]
    # every canteen that was built has its building cost, ¥20,000 of it from the county
    built = Canteen.objects.exclude(status=Canteen.Status.PLANNED)
    county_paid = Cost.objects.filter(kind=Cost.Kind.BUILD, source=Cost.Source.COUNTY)
    assert county_paid.count() == built.count()
    assert {str(a) for a in county_paid.values_list("amount", flat=True)} == {"20000.00"}
    # open canteens serve lunch on four to seven weekdays; planned ones have not opened
    for weekdays, status, opened in Canteen.objects.values_list("meal_weekdays", "status", "opened_on"):
        assert 4 <= len(weekdays) <= 7
        assert (opened is None) == (status in (Canteen.Status.PLANNED, Canteen.Status.BUILDING))


def test_elders_are_60_or_over_of_the_canteens_village_and_in_one_canteen(canteens: Any) -> None:
    # given: the load
    rows = list(
        Elder.objects.values_list(
            "subject_id", "canteen_id", "village_id", "canteen__village_id", "enrolled_on", "left_on"
        )
    )
    births = dict(Person.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "birth_date"))
    homes = dict(Subject.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "village_id"))
    # then: no elder is enrolled twice; each lives in the canteen's village and was 60 on enrolling
    assert len({r[0] for r in rows}) == len(rows) > 0
    for subject, _canteen, village, canteen_village, enrolled, left in rows:
        assert village == canteen_village == homes[subject]
        assert years_before(enrolled, 60) >= births[subject]
        assert left is None or enrolled < left < TODAY
    # most are 70 or over
    old = sum(1 for r in rows if years_before(TODAY, 70) >= births[r[0]])
    assert old / len(rows) > 0.6
    # the cached count is the current elders
    current = Counter(r[1] for r in rows if r[5] is None)
    for pk, count in Canteen.objects.values_list("pk", "elder_count"):
        assert count == current.get(pk, 0)


def test_meals_add_up_to_each_days_counts(canteens: Any) -> None:
    # given: the load
    meals_from = TODAY - dt.timedelta(days=90)
    by_day: dict[int, Counter[str]] = {}
    for day, kind in Meal.objects.values_list("day_id", "kind"):
        by_day.setdefault(day, Counter())[kind] += 1
    enrolled = {
        (s, c): (e, left)
        for s, c, e, left in Elder.objects.values_list("subject_id", "canteen_id", "enrolled_on", "left_on")
    }
    weekdays = dict(Canteen.objects.values_list("pk", "meal_weekdays"))
    opened = dict(Canteen.objects.values_list("pk", "opened_on"))
    days = list(
        ServiceDay.objects.values_list("pk", "canteen_id", "date", "revision", "current", "eat_in", "delivered")
    )
    # then: every day is a current first revision on one of the canteen's meal days, up to yesterday
    assert days
    for pk, canteen, date, revision, current, eat_in, delivered in days:
        assert (revision, current) == (1, True)
        assert date.weekday() in weekdays[canteen]
        assert opened[canteen] <= date < TODAY
        assert date >= years_before(TODAY, 3)
        # in the last 90 days the meals are the counts; before, counts only
        if date >= meals_from:
            assert (by_day.get(pk, Counter())["eat_in"], by_day.get(pk, Counter())["delivered"]) == (eat_in, delivered)
        else:
            assert pk not in by_day
    # every meal's elder was enrolled at that canteen that day, and has one meal a day at most
    seen: set[tuple[int, dt.date]] = set()
    for subject, date, canteen in Meal.objects.values_list("subject_id", "date", "day__canteen_id"):
        start, left = enrolled[(subject, canteen)]
        assert start <= date
        assert left is None or date < left
        assert (subject, date) not in seen
        seen.add((subject, date))
    # a few meal days are missing (not zero)
    assert Meal.objects.count() > 0


def test_cooks_come_from_the_canteen_team_with_certificates(canteens: Any) -> None:
    # given: the load
    cooks = set(HealthCertificate.objects.values_list("volunteer_id", flat=True))
    team_of_village = {
        (team, village)
        for team, village in Canteen.objects.exclude(team__isnull=True).values_list("team_id", "village_id")
    }
    # then: each cook is an accepted member of a canteen's team living in its village
    members = set(
        Membership.objects.filter(volunteer_id__in=cooks, status=Membership.Status.ACCEPTED).values_list(
            "volunteer_id", "team_id", "volunteer__subject__village_id"
        )
    )
    assert cooks == {v for v, team, village in members if (team, village) in team_of_village}
    # certificates last a year; some expire within 30 days, some have expired
    latest: dict[int, dt.date] = {}
    for volunteer, issued, expires in HealthCertificate.objects.values_list("volunteer_id", "issued_on", "expires_on"):
        assert expires == issued + dt.timedelta(days=365)
        latest[volunteer] = max(latest.get(volunteer, expires), expires)
    assert any(TODAY <= e <= TODAY + dt.timedelta(days=30) for e in latest.values())
    assert any(e < TODAY for e in latest.values())
    # donations (some anonymous) and clinics (held in the past, scheduled ahead)
    assert Donation.objects.filter(anonymous=True).exists()
    assert set(Donation.objects.values_list("kind", flat=True)) == {"money", "goods"}
    for status, starts, seen in ClinicVisit.objects.values_list("status", "starts_at", "elders_seen"):
        assert (starts > NOW) == (status == ClinicVisit.Status.SCHEDULED)
        assert (seen is not None) == (status == ClinicVisit.Status.HELD)


def test_a_second_load_is_refused_and_changes_nothing(canteens: Any) -> None:
    # given: the load's rows
    before = list(ServiceDay.objects.order_by("id").values_list("canteen__name", "date", "eat_in", "delivered"))
    # when: another load is tried
    with time_machine.travel(NOW, tick=False), pytest.raises(CanteensRefused):
        generate_canteens(seed=SEED, now=NOW, scale=SCALE)
    # then: nothing changed
    assert list(ServiceDay.objects.order_by("id").values_list("canteen__name", "date", "eat_in", "delivered")) == before


class _Undo(Exception):
    pass
