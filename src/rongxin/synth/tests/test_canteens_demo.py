"""The demo stages canteens: the civil-affairs canteen administrator, and in the canteen manager's
village an open canteen with elders aged 60+, cooks with certificates (one expiring within 30
days), donations and a clinic coming up; with or without the synthetic canteens, and twice
without adding anything."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rongxin.accounts.models import User
from rongxin.canteens.models import Canteen, ClinicVisit, Donation, Elder, HealthCertificate
from rongxin.canteens.permissions.common import is_canteen_admin, is_village_staff
from rongxin.core import clock
from rongxin.regions.models import Region
from rongxin.subjects.models import Person
from rongxin.synth.canteens_support import years_before
from rongxin.synth.demo import demo_accounts_ensure
from rongxin.volunteering.models import Membership

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.LOCAL_TZ)  # Monday morning in the county
TODAY = NOW.date()


def _snapshot() -> tuple[int, ...]:
    return (
        Canteen.objects.count(),
        Elder.objects.count(),
        Donation.objects.count(),
        HealthCertificate.objects.count(),
        ClinicVisit.objects.count(),
        Membership.objects.count(),
    )


@pytest.mark.parametrize("with_canteens", [True, False])
def test_the_demo_stages_a_canteen(db: Any, with_canteens: bool) -> None:
    # given a county with volunteering, with or without its synthetic canteens
    with time_machine.travel(NOW, tick=False):
        call_command(
            "generate", scale=0.002, seed=3, no_progress=True, no_history=True, no_canteens=not with_canteens,
            workers=0, as_of=TODAY,
        )  # fmt: skip
        # when the demo prepares its accounts, twice
        accounts = {a.username: a for a in demo_accounts_ensure()}
        before = _snapshot()
        demo_accounts_ensure()
        after = _snapshot()
    # then nothing was added the second time
    assert after == before
    # the civil-affairs account is the county's canteen administrator
    admin = User.objects.get(username="civil_affairs")
    assert is_canteen_admin(admin)
    grant = admin.grants.get()
    assert (grant.role, grant.department.code, grant.region.level) == ("department_recorder", "civil_affairs", "county")
    assert admin.display_name == "民政局 食堂管理员"
    # the manager's village has one open canteen the manager runs
    town = Region.objects.filter(level="town").order_by("code").first()
    village = Region.objects.filter(level="village", parent=town).order_by("code").first()
    canteen = Canteen.objects.get(village=village)
    assert canteen.status == "open"
    assert is_village_staff(User.objects.get(username="canteen"), canteen)
    assert accounts["canteen"].note == f"{canteen.name} · 在册老人 {canteen.elder_count} 名 · 今日午餐登记"
    # with elders aged 60 and over
    elders = list(Elder.objects.filter(canteen=canteen, left_on__isnull=True).values_list("subject_id", flat=True))
    assert len(elders) == canteen.elder_count >= 8
    births = Person.objects.filter(pk__in=elders).values_list("birth_date", flat=True)
    assert all(b <= years_before(TODAY, 60) for b in births)
    # cooks of the canteen's team with certificates, one expiring within 30 days
    assert canteen.team is not None
    cooks = set(
        HealthCertificate.objects.filter(
            volunteer__memberships__team=canteen.team,
            volunteer__memberships__status="accepted",
            volunteer__subject__village=village,
        ).values_list("volunteer_id", flat=True)
    )
    assert len(cooks) >= 3
    latest = {}
    for volunteer, expires in HealthCertificate.objects.filter(volunteer_id__in=cooks).values_list(
        "volunteer_id", "expires_on"
    ):
        latest[volunteer] = max(latest.get(volunteer, expires), expires)
    assert any(TODAY <= e <= TODAY + dt.timedelta(days=30) for e in latest.values())
    # donations and a clinic coming up
    assert Donation.objects.filter(canteen=canteen).count() >= 3
    assert ClinicVisit.objects.filter(canteen=canteen, status="scheduled", starts_at__gt=NOW).exists()
