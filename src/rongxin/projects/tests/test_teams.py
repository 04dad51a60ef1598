"""Teams apply, the publisher picks one, the project starts, the picked team's activities carry it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Project, ProjectActivity, TeamApplication
from rongxin.projects.services.teams import (
    activity_link,
    activity_unlink,
    application_create,
    application_decline,
    application_pick,
    application_withdraw,
    project_start,
)
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.projects.tests.implement_helpers import funded, pledge, team_activity
from rongxin.volunteering.models import Activity, ServiceRecord, Volunteer

PLAN = "每月第一个周六上门助浴，每次四名队员。"


def _snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    return (
        list(TeamApplication.objects.order_by("id").values_list("id", "state", "team_id")),
        list(Project.objects.order_by("id").values_list("id", "state", "team_id", "started_at")),
        AuditEvent.objects.filter(kind=AuditEvent.Kind.WRITE, action__startswith="team_application").count(),
    )


def test_a_leader_applies_and_the_publisher_picks_declining_the_others(world: MarketWorld) -> None:
    # given
    project = world.project()
    mine = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    theirs = application_create(actor=world.leader_b, project_id=project.pk, team_id=world.team_b.pk, plan=PLAN)
    # when
    picked = application_pick(actor=world.town_a, application_id=mine.pk)
    # then
    theirs.refresh_from_db()
    project.refresh_from_db()
    assert (picked.state, theirs.state) == ("picked", "declined")
    assert project.team_id == world.team.pk
    assert picked.plan == PLAN
    assert list(
        AuditEvent.objects.filter(action__startswith="team_application")
        .order_by("id")
        .values_list("action", "actor_role")
    ) == [
        ("team_application.create", "team_leader"),
        ("team_application.create", "team_leader"),
        ("team_application.pick", "town_officer"),
    ]


def test_a_second_team_cannot_be_picked(world: MarketWorld) -> None:
    # given
    project = world.project()
    mine = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    application_pick(actor=world.town_a, application_id=mine.pk)
    # when: the second team applies after the pick, or its earlier application is picked
    with pytest.raises(Conflict) as late:
        application_create(actor=world.leader_b, project_id=project.pk, team_id=world.team_b.pk, plan=PLAN)
    # then
    assert str(late.value.message) == "该项目已选定实施团队"
    assert TeamApplication.objects.filter(project=project).count() == 1


def test_picking_a_declined_application_after_a_pick_is_refused(world: MarketWorld) -> None:
    # given
    project = world.project()
    mine = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    theirs = application_create(actor=world.leader_b, project_id=project.pk, team_id=world.team_b.pk, plan=PLAN)
    application_pick(actor=world.town_a, application_id=mine.pk)
    before = _snapshot()
    # when
    with pytest.raises(Conflict) as refused:
        application_pick(actor=world.centre, application_id=theirs.pk)
    # then
    assert refused.value.code == "team_picked"
    assert str(refused.value.message) == "该项目已选定实施团队"
    assert _snapshot() == before


def test_one_application_per_team_and_a_plan_is_needed(world: MarketWorld) -> None:
    # given
    project = world.project()
    application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    # when / then
    with pytest.raises(Conflict) as twice:
        application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan="再来一次")
    assert twice.value.code == "already_applied"
    other = world.project()
    with pytest.raises(InvalidInput) as empty:
        application_create(actor=world.leader, project_id=other.pk, team_id=world.team.pk, plan="  ")
    assert empty.value.errors[0]["field"] == "plan"
    assert TeamApplication.objects.count() == 1


def test_applications_only_while_the_team_is_chosen(world: MarketWorld) -> None:
    # given
    draft = world.project(state=Project.State.DRAFT)
    started = world.project(state=Project.State.IN_PROGRESS)
    # when / then
    with pytest.raises(NotFound):
        application_create(actor=world.leader, project_id=draft.pk, team_id=world.team.pk, plan=PLAN)
    with pytest.raises(Conflict) as late:
        application_create(actor=world.leader, project_id=started.pk, team_id=world.team.pk, plan=PLAN)
    assert late.value.code == "not_now"
    assert TeamApplication.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("centre", False),
        ("town_a", False),
        ("firm_rep", False),
        ("leader_b", False),
        ("leader", True),
    ],
)
def test_who_applies_for_a_team(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = world.project()
    actor = world.users()[who]
    before = _snapshot()
    # when / then
    if allowed:
        app = application_create(actor=actor, project_id=project.pk, team_id=world.team.pk, plan=PLAN)  # type: ignore[arg-type]
        assert app.state == "applied"
    else:
        with pytest.raises(NotFound):
            application_create(actor=actor, project_id=project.pk, team_id=world.team.pk, plan=PLAN)  # type: ignore[arg-type]
        assert _snapshot() == before


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("town_b", False),
        ("village_a1", False),
        ("traffic_rec", False),
        ("leader", False),
        ("town_a", True),
        ("centre", True),
    ],
)
def test_who_picks_a_team(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = world.project()
    app = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    actor = world.users()[who]
    before = _snapshot()
    # when / then
    if allowed:
        assert application_pick(actor=actor, application_id=app.pk).state == "picked"  # type: ignore[arg-type]
    else:
        with pytest.raises(NotFound):
            application_pick(actor=actor, application_id=app.pk)  # type: ignore[arg-type]
        with pytest.raises(NotFound):
            application_decline(actor=actor, application_id=app.pk)  # type: ignore[arg-type]
        assert _snapshot() == before


def test_withdraw_and_decline_only_while_waiting(world: MarketWorld) -> None:
    # given
    project = world.project()
    mine = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    theirs = application_create(actor=world.leader_b, project_id=project.pk, team_id=world.team_b.pk, plan=PLAN)
    # when
    with pytest.raises(NotFound):
        application_withdraw(actor=world.leader_b, application_id=mine.pk)
    application_withdraw(actor=world.leader, application_id=mine.pk)
    application_decline(actor=world.town_a, application_id=theirs.pk)
    # then
    with pytest.raises(Conflict) as again:
        application_pick(actor=world.town_a, application_id=mine.pk)
    assert again.value.code == "not_applied"
    assert list(TeamApplication.objects.order_by("id").values_list("state", flat=True)) == ["withdrawn", "declined"]


def test_the_publisher_starts_a_claimed_project_with_its_team(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(world, project, Decimal("10000.00"))
    app = application_create(actor=world.leader, project_id=project.pk, team_id=world.team.pk, plan=PLAN)
    # when: no team yet, then with the team
    with pytest.raises(Conflict) as early:
        project_start(actor=world.town_a, project_id=project.pk)
    application_pick(actor=world.town_a, application_id=app.pk)
    with pytest.raises(NotFound):
        project_start(actor=world.leader, project_id=project.pk)
    started = project_start(actor=world.town_a, project_id=project.pk)
    # then
    assert early.value.code == "no_team"
    assert started.state == "in_progress"
    assert Project.objects.get(pk=project.pk).started_at is not None


def test_a_published_project_does_not_start(world: MarketWorld) -> None:
    project = world.project(team=world.team)
    with pytest.raises(Conflict) as refused:
        project_start(actor=world.town_a, project_id=project.pk)
    assert refused.value.code == "not_claimed"
    assert Project.objects.get(pk=project.pk).state == "published"


def test_the_picked_team_links_its_activities_once(world: MarketWorld) -> None:
    # given
    project = funded(world)
    activity = team_activity(world)
    foreign = team_activity(world, world.team_b)
    # when
    link = activity_link(actor=world.leader, project_id=project.pk, activity_id=activity.pk)
    # then
    assert (link.project_id, link.activity_id) == (project.pk, activity.pk)
    other = funded(world)
    with pytest.raises(Conflict) as twice:
        activity_link(actor=world.town_a, project_id=other.pk, activity_id=activity.pk)
    assert twice.value.code == "already_linked"
    with pytest.raises(InvalidInput) as wrong_team:
        activity_link(actor=world.leader, project_id=project.pk, activity_id=foreign.pk)
    assert wrong_team.value.errors[0]["field"] == "activity_id"
    with pytest.raises(NotFound):
        activity_link(actor=world.leader_b, project_id=project.pk, activity_id=foreign.pk)
    assert ProjectActivity.objects.count() == 1


def test_a_cancelled_activity_is_not_linked_and_only_while_in_progress(world: MarketWorld) -> None:
    # given
    project = funded(world)
    done = funded(world, state=Project.State.COMPLETED)
    cancelled = team_activity(world, title="取消的活动")
    Activity.objects.filter(pk=cancelled.pk).update(status=Activity.Status.CANCELLED)
    fresh = team_activity(world)
    # when / then
    with pytest.raises(Conflict) as c:
        activity_link(actor=world.leader, project_id=project.pk, activity_id=cancelled.pk)
    assert c.value.code == "activity_cancelled"
    with pytest.raises(Conflict) as late:
        activity_link(actor=world.leader, project_id=done.pk, activity_id=fresh.pk)
    assert late.value.code == "not_now"
    assert ProjectActivity.objects.count() == 0


def test_an_activity_with_verified_hours_stays_linked(world: MarketWorld) -> None:
    # given
    project = funded(world)
    kept = team_activity(world)
    loose = team_activity(world, title="第二次助浴")
    activity_link(actor=world.leader, project_id=project.pk, activity_id=kept.pk)
    activity_link(actor=world.leader, project_id=project.pk, activity_id=loose.pk)
    volunteer = Volunteer.objects.get(subject__account_links__user=world.leader)
    ServiceRecord.objects.create(
        activity=kept,
        volunteer=volunteer,
        team=world.team,
        service_date=kept.starts_at.date(),
        place="东山社区",
        content="助浴",
        minutes=180,
        rating="good",
        recorded_at=kept.ends_at,
    )
    # when
    with pytest.raises(Conflict) as refused:
        activity_unlink(actor=world.leader, project_id=project.pk, activity_id=kept.pk)
    activity_unlink(actor=world.town_a, project_id=project.pk, activity_id=loose.pk)
    # then
    assert refused.value.code == "hours_verified"
    assert list(ProjectActivity.objects.values_list("activity_id", flat=True)) == [kept.pk]
    assert AuditEvent.objects.filter(action="project_activity.unlink").count() == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("town_b", False),
        ("leader_b", False),
        ("firm_rep", False),
        ("leader", True),
        ("town_a", True),
        ("centre", True),
    ],
)
def test_who_links_activities(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = funded(world)
    activity = team_activity(world)
    actor = world.users()[who]
    # when / then
    if allowed:
        activity_link(actor=actor, project_id=project.pk, activity_id=activity.pk)  # type: ignore[arg-type]
        assert ProjectActivity.objects.filter(project=project, activity=activity).count() == 1
    else:
        with pytest.raises(NotFound):
            activity_link(actor=actor, project_id=project.pk, activity_id=activity.pk)  # type: ignore[arg-type]
        assert ProjectActivity.objects.count() == 0
