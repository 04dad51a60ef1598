"""Milestone reports with photos, completion, acceptance and the close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import override_settings

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Milestone, MilestonePhoto, Pledge, Project
from rongxin.projects.services.spending import spending_record
from rongxin.projects.services.work import milestone_report, project_accept, project_close, project_complete
from rongxin.projects.tests.helpers import JPEG, TODAY, MarketWorld, pdf, png
from rongxin.projects.tests.implement_helpers import funded, milestone, pay, pledge

REPORT = "六月上门助浴十二人次，老人满意。"


def _milestone_state(m: Milestone) -> tuple[object, ...]:
    m.refresh_from_db()
    return (m.state, m.report, m.reported_at, MilestonePhoto.objects.filter(milestone=m).count())


def test_the_team_reports_a_milestone_with_photos(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    # when
    reported = milestone_report(
        actor=world.leader,
        milestone_id=m.pk,
        report=REPORT,
        photos=[("a.png", png("a")), ("b.jpg", JPEG), ("again.png", png("a"))],
    )
    # then
    assert (reported.state, reported.report) == ("reported", REPORT)
    assert list(MilestonePhoto.objects.order_by("id").values_list("file_name", "content_type", "size")) == [
        ("a.png", "image/png", len(png("a"))),
        ("b.jpg", "image/jpeg", len(JPEG)),
    ]
    event = AuditEvent.objects.get(action="milestone.report")
    assert (event.actor_role, event.details["photos"]) == ("team_leader", 2)


def test_a_second_report_adds_photos_and_keeps_the_same_bytes_once(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    milestone_report(actor=world.leader, milestone_id=m.pk, report=REPORT, photos=[("a.png", png("a"))])
    # when
    milestone_report(
        actor=world.town_a, milestone_id=m.pk, report="补充照片", photos=[("a.png", png("a")), ("c.png", png("c"))]
    )
    # then
    assert MilestonePhoto.objects.filter(milestone=m).count() == 2
    assert Milestone.objects.get(pk=m.pk).report == "补充照片"


def test_a_file_that_is_not_an_image_is_refused_whole(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    before = _milestone_state(m)
    # when
    with pytest.raises(InvalidInput) as refused:
        milestone_report(
            actor=world.leader, milestone_id=m.pk, report=REPORT, photos=[("ok.png", png("x")), ("fake.png", pdf())]
        )
    # then
    assert (refused.value.code, refused.value.errors[0]["field"]) == ("photo_type", "photos")
    assert _milestone_state(m) == before


@override_settings(RONGXIN_PROJECTS_PHOTO_MAX_BYTES=40)
def test_an_oversized_photo_is_refused(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    big = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40 + b"IEND\xaeB`\x82"
    before = _milestone_state(m)
    # when
    with pytest.raises(InvalidInput) as refused:
        milestone_report(actor=world.leader, milestone_id=m.pk, report=REPORT, photos=[("big.png", big)])
    # then
    assert refused.value.code == "photo_too_large"
    assert _milestone_state(m) == before


def test_a_tenth_photo_is_refused(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    milestone_report(
        actor=world.leader, milestone_id=m.pk, report=REPORT, photos=[(f"{i}.png", png(str(i))) for i in range(9)]
    )
    before = _milestone_state(m)
    # when
    with pytest.raises(InvalidInput) as refused:
        milestone_report(actor=world.leader, milestone_id=m.pk, report="再加一张", photos=[("9.png", png("9"))])
    # then
    assert refused.value.code == "too_many_photos"
    assert str(refused.value.message) == "每个里程碑最多保存9张照片，已有9张。"
    assert _milestone_state(m) == before


def test_reports_only_while_in_progress(world: MarketWorld) -> None:
    project = funded(world, state=Project.State.COMPLETED)
    m = milestone(project)
    with pytest.raises(Conflict) as refused:
        milestone_report(actor=world.leader, milestone_id=m.pk, report=REPORT, photos=[])
    assert refused.value.code == "not_now"
    assert Milestone.objects.get(pk=m.pk).state == "planned"


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("anonymous", False),
        ("nobody", False),
        ("auditor", False),
        ("town_b", False),
        ("leader_b", False),
        ("resident", False),
        ("leader", True),
        ("town_a", True),
        ("centre", True),
    ],
)
def test_who_reports_a_milestone(world: MarketWorld, who: str, allowed: bool) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    actor = world.users()[who]
    before = _milestone_state(m)
    # when / then
    if allowed:
        milestone_report(actor=actor, milestone_id=m.pk, report=REPORT, photos=[("a.png", png("a"))])  # type: ignore[arg-type]
        assert _milestone_state(m)[0] == "reported"
    else:
        with pytest.raises(NotFound):
            milestone_report(actor=actor, milestone_id=m.pk, report="", photos=[("x", b"")])  # type: ignore[arg-type]
        assert _milestone_state(m) == before


def test_complete_then_accept(world: MarketWorld) -> None:
    # given
    project = funded(world)
    # when
    with pytest.raises(InvalidInput):
        project_complete(actor=world.leader, project_id=project.pk, report=" ")
    project_complete(actor=world.leader, project_id=project.pk, report="全部完成，服务96人次。")
    with pytest.raises(NotFound):
        project_accept(actor=world.leader, project_id=project.pk, note="验收合格", feedback="很满意")
    with pytest.raises(InvalidInput) as missing:
        project_accept(actor=world.town_a, project_id=project.pk, note="验收合格", feedback="")
    accepted = project_accept(actor=world.town_a, project_id=project.pk, note="验收合格", feedback="老人们很满意")
    # then
    assert missing.value.errors[0]["field"] == "feedback"
    row = Project.objects.get(pk=project.pk)
    assert (accepted.state, row.state, row.completion_report) == ("accepted", "accepted", "全部完成，服务96人次。")
    assert (row.acceptance_note, row.beneficiary_feedback, row.accepted_by_id) == (
        "验收合格",
        "老人们很满意",
        world.town_a.pk,
    )
    assert row.accepted_at is not None
    assert row.completed_at is not None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("auditor", False), ("town_b", False), ("leader_b", False), ("leader", True)],
)
def test_who_says_the_work_is_done(world: MarketWorld, who: str, allowed: bool) -> None:
    project = funded(world)
    actor = world.users()[who]
    if allowed:
        assert project_complete(actor=actor, project_id=project.pk, report="完成").state == "completed"  # type: ignore[arg-type]
    else:
        with pytest.raises(NotFound):
            project_complete(actor=actor, project_id=project.pk, report="完成")  # type: ignore[arg-type]
        assert Project.objects.get(pk=project.pk).state == "in_progress"


def test_close_needs_no_left_over_and_withdraws_the_unpaid_rest(world: MarketWorld) -> None:
    # given: ¥6,000 paid by the firm, ¥4,000 pledged by the other firm of which ¥1,000 paid
    project = world.project()
    paid = pledge(world, project, Decimal("6000.00"))
    pay(world, paid)
    partly = pledge(world, project, Decimal("4000.00"), sponsor=world.other_firm)
    pay(world, partly, Decimal("1000.00"))
    Project.objects.filter(pk=project.pk).update(state=Project.State.ACCEPTED, team=world.team)
    # when: money is left
    with pytest.raises(Conflict) as refused:
        project_close(actor=world.town_a, project_id=project.pk)
    assert refused.value.code == "left_over"
    # and after it is all spent
    Project.objects.filter(pk=project.pk).update(state=Project.State.COMPLETED)
    spending_record(
        actor=world.town_a,
        project_id=project.pk,
        amount="7000",
        paid_on=TODAY,
        purpose="助浴用品",
        voucher_data=pdf("s"),
        voucher_name="发票.pdf",
    )
    Project.objects.filter(pk=project.pk).update(state=Project.State.ACCEPTED)
    closed = project_close(actor=world.town_a, project_id=project.pk)
    # then
    assert closed.state == "closed"
    partly.refresh_from_db()
    assert (partly.state, partly.amount, partly.paid, partly.withdraw_reason) == (
        "paid",
        Decimal("1000.00"),
        Decimal("1000.00"),
        "项目结项",
    )
    assert Project.objects.get(pk=project.pk).pledged == Decimal("7000.00")
    assert Pledge.objects.get(pk=paid.pk).withdraw_reason == ""


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("anonymous", False), ("auditor", False), ("leader", False), ("town_b", False), ("centre", True)],
)
def test_who_closes(world: MarketWorld, who: str, allowed: bool) -> None:
    project = world.project(state=Project.State.ACCEPTED, team=world.team)
    actor = world.users()[who]
    if allowed:
        assert project_close(actor=actor, project_id=project.pk).state == "closed"  # type: ignore[arg-type]
    else:
        with pytest.raises(NotFound):
            project_close(actor=actor, project_id=project.pk)  # type: ignore[arg-type]
        assert Project.objects.get(pk=project.pk).state == "accepted"
