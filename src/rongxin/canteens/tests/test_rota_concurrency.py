"""Races on PostgreSQL, each caller on its own connection, released together:

- two cooks put on the same day at once make one activity for the day, with both invited;
- the same placement sent twice at once (a double submit) makes one place, the other is 409."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.canteens.models import RotaSlot
from rongxin.canteens.services.rota import rota_place
from rongxin.canteens.tests import cooks_helpers
from rongxin.canteens.tests.cooks_helpers import CookWorld, certificate
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.volunteering.models import Activity, Signup

cooks = cooks_helpers.cooks  # a fixture
frozen = cooks_helpers.frozen  # a fixture

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]

TUESDAY = dt.date(2026, 3, 3)


@pytest.fixture(autouse=True)
def seeded(transactional_db: Any) -> None:
    """The rows that migrations seed (departments, activity types), which an earlier
    transactional test may have flushed."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    from django.apps import apps

    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)


def placing(user_pk: int, canteen_id: int, number: str) -> Any:
    def run() -> Any:
        actor = User.objects.get(pk=user_pk)  # each "request" loads its own user
        return rota_place(actor=actor, canteen_id=canteen_id, on=TUESDAY, duty="cook", volunteer_number=number)

    return run


def test_two_cooks_placed_at_once_share_the_days_activity(cooks: CookWorld) -> None:
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    certificate(cooks.cook2, number="B1", issued="2026-01-01", expires="2026-12-31")
    results = in_threads(
        [
            placing(cooks.manager.pk, cooks.canteen.pk, cooks.cook.number),
            placing(cooks.village_officer.pk, cooks.canteen.pk, cooks.cook2.number),
        ],
        workers=2,
    )
    assert all(isinstance(r, RotaSlot) for r in results), results
    assert Activity.objects.count() == 1
    assert sorted(Signup.objects.values_list("volunteer_id", "status")) == sorted(
        [(cooks.cook.pk, "invited"), (cooks.cook2.pk, "invited")]
    )


def test_a_double_submit_makes_one_place(cooks: CookWorld) -> None:
    certificate(cooks.cook, number="A1", issued="2026-01-01", expires="2026-12-31")
    results = in_threads([placing(cooks.manager.pk, cooks.canteen.pk, cooks.cook.number) for _ in range(2)], workers=2)
    assert sum(isinstance(r, RotaSlot) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, Conflict)] == ["already_on_rota"]
    assert RotaSlot.objects.count() == 1
    assert Signup.objects.count() == 1


def test_a_double_submit_of_a_certificate_or_a_training_records_one(cooks: CookWorld) -> None:
    # given the same certificate and the same training sent twice at once
    from rongxin.canteens.models import HealthCertificate, Training
    from rongxin.canteens.services.cooks import health_certificate_record, training_record

    def certifying() -> Any:
        return health_certificate_record(
            actor=User.objects.get(pk=cooks.manager.pk),
            canteen_id=cooks.canteen.pk,
            volunteer_number=cooks.cook.number,
            number="JKZ-2026-001",
            issuer="荣成市疾病预防控制中心",
            issued_on="2026-01-05",
            expires_on="2027-01-04",
        )

    def training() -> Any:
        return training_record(
            actor=User.objects.get(pk=cooks.manager.pk),
            canteen_id=cooks.canteen.pk,
            volunteer_number=cooks.cook.number,
            course="食品安全知识培训",
            provider="荣成市市场监督管理局",
            on="2026-02-10",
            hours="2",
        )

    # when
    certs = in_threads([certifying, certifying], workers=2)
    trainings = in_threads([training, training], workers=2)
    # then one row each; the second call is told it is there already
    assert sorted(type(r).__name__ for r in certs) == ["Conflict", "HealthCertificate"]
    assert sorted(type(r).__name__ for r in trainings) == ["Conflict", "Training"]
    assert [r.code for r in [*certs, *trainings] if isinstance(r, Conflict)] == [
        "duplicate_certificate",
        "duplicate_training",
    ]
    assert (HealthCertificate.objects.count(), Training.objects.count()) == (1, 1)


def test_a_double_submit_of_a_clinic_schedules_one(cooks: CookWorld) -> None:
    # given the same clinic sent twice at once
    from rongxin.canteens.models import ClinicVisit
    from rongxin.canteens.services.clinics import clinic_schedule
    from rongxin.canteens.tests.cooks_helpers import at

    def scheduling() -> Any:
        return clinic_schedule(
            actor=User.objects.get(pk=cooks.manager.pk),
            canteen_id=cooks.canteen.pk,
            provider_kind="hospital",
            provider_name="荣成市人民医院",
            services="量血压、测血糖",
            starts_at=at("2026-03-05 09:00"),
            ends_at=at("2026-03-05 11:00"),
        )

    # when
    results = in_threads([scheduling, scheduling], workers=2)
    # then one visit; the second call is told it is scheduled already
    assert sorted(type(r).__name__ for r in results) == ["ClinicVisit", "Conflict"]
    assert [r.code for r in results if isinstance(r, Conflict)] == ["duplicate_clinic"]
    assert ClinicVisit.objects.count() == 1
