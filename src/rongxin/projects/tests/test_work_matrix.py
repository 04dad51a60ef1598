"""One permission matrix over the implementation's remaining writes (start, decline, withdraw an
application, unlink, accept, reverse a spending): every kind of caller; a denied call is NotFound
and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core.errors import NotFound
from rongxin.core.models import AuditEvent
from rongxin.funds.models import JournalEntry
from rongxin.projects.models import Project, ProjectActivity, Spending, TeamApplication
from rongxin.projects.services.spending import spending_record, spending_reverse
from rongxin.projects.services.teams import (
    activity_link,
    activity_unlink,
    application_create,
    application_decline,
    application_withdraw,
    project_start,
)
from rongxin.projects.services.work import project_accept
from rongxin.projects.tests.helpers import TODAY, MarketWorld, pdf
from rongxin.projects.tests.implement_helpers import funded, pledge, team_activity

WHO = [
    "anonymous",
    "nobody",
    "auditor",
    "centre",
    "town_a",
    "town_b",
    "village_a1",
    "traffic_rec",
    "firm_rep",
    "resident",
    "leader",
    "leader_b",
]


def _start(world: MarketWorld) -> Callable[[Any], object]:
    project = world.project(team=world.team)
    pledge(world, project, Decimal("10000.00"))
    return lambda actor: project_start(actor=actor, project_id=project.pk)


def _decline(world: MarketWorld) -> Callable[[Any], object]:
    project = world.project()
    app = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan="计划")
    return lambda actor: application_decline(actor=actor, application_id=app.pk)


def _withdraw(world: MarketWorld) -> Callable[[Any], object]:
    project = world.project()
    app = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan="计划")
    return lambda actor: application_withdraw(actor=actor, application_id=app.pk)


def _unlink(world: MarketWorld) -> Callable[[Any], object]:
    project = funded(world)
    activity = team_activity(world)
    activity_link(actor=world.leader, project_id=project.pk, activity_id=activity.pk)
    return lambda actor: activity_unlink(actor=actor, project_id=project.pk, activity_id=activity.pk)


def _accept(world: MarketWorld) -> Callable[[Any], object]:
    project = funded(world, state=Project.State.COMPLETED)
    return lambda actor: project_accept(actor=actor, project_id=project.pk, note="合格", feedback="满意")


def _reverse(world: MarketWorld) -> Callable[[Any], object]:
    project = funded(world)
    s = spending_record(
        actor=world.town_a,
        project_id=project.pk,
        amount="100",
        paid_on=TODAY,
        purpose="毛巾",
        voucher_data=pdf("m"),
        voucher_name="发票.pdf",
    )
    return lambda actor: spending_reverse(actor=actor, spending_id=s.pk, reason="冲销")


ACTIONS: dict[str, tuple[Callable[[MarketWorld], Callable[[Any], object]], set[str]]] = {
    "start": (_start, {"centre", "town_a"}),
    "decline": (_decline, {"centre", "town_a"}),
    "withdraw": (_withdraw, {"leader"}),
    "unlink": (_unlink, {"centre", "town_a", "leader"}),
    "accept": (_accept, {"centre", "town_a"}),
    "reverse": (_reverse, {"centre", "town_a"}),
}


def _snapshot() -> tuple[object, ...]:
    return (
        list(
            Project.objects.order_by("id").values_list("state", "team_id", "raised", "spent", "settled", "accepted_at")
        ),
        list(TeamApplication.objects.order_by("id").values_list("state", "decided_at")),
        list(ProjectActivity.objects.order_by("id").values_list("activity_id")),
        list(Spending.objects.order_by("id").values_list("reversal_id")),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE).count(),
    )


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", WHO)
def test_who_may(world: MarketWorld, action: str, who: str) -> None:
    # given
    make, allowed = ACTIONS[action]
    call = make(world)
    actor = world.users()[who]
    before = _snapshot()
    # when / then
    if who in allowed:
        call(actor)
        assert _snapshot() != before
    else:
        with pytest.raises(NotFound):
            call(actor)
        assert _snapshot() == before
