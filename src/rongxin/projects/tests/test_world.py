"""The shared world holds what every projects test leans on."""

from __future__ import annotations

from decimal import Decimal

from rongxin.funds.models import Account, Fund
from rongxin.projects.permissions.common import publisher_role, publisher_seats, sponsor_subjects
from rongxin.projects.tests.helpers import MarketWorld


def test_world_opens_the_marketplace_fund_and_project_accounts(world: MarketWorld) -> None:
    # when
    project = world.project()
    # then
    assert world.fund.kind == Fund.Kind.PROJECTS
    codes = sorted(Account.objects.filter(fund=world.fund).values_list("code", flat=True))
    assert codes == sorted(
        [
            "1001",
            "1002",
            "3001",
            "4002",
            "4004",
            "4005",
            "4009",
            "5109",
            f"41{project.pk:06d}",
            f"53{project.pk:06d}",
            f"54{project.pk:06d}",
        ]
    )
    assert project.number == "XM2026-0001"
    assert project.left == Decimal("0.00")


def test_who_publishes_and_who_sponsors(world: MarketWorld) -> None:
    project = world.project()
    assert [s.publisher for s in publisher_seats(world.centre)] == ["centre"]
    assert [s.publisher for s in publisher_seats(world.town_a)] == ["institute"]
    assert [s.publisher for s in publisher_seats(world.village_a1)] == ["station"]
    assert [s.publisher for s in publisher_seats(world.traffic_rec)] == ["department"]
    assert publisher_seats(world.firm_rep) == []
    assert publisher_role(world.town_a, project) == "town_officer"
    assert publisher_role(world.centre, project) == "department_recorder"
    assert publisher_role(world.town_b, project) == ""
    assert publisher_role(world.village_a1, project) == ""
    assert [s.pk for s in sponsor_subjects(world.firm_rep)] == [world.firm.pk]
    assert [s.pk for s in sponsor_subjects(world.resident)] == [world.resident_subject.pk]
    assert sponsor_subjects(world.town_a) == []
