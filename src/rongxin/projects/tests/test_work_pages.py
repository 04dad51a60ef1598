"""The implementation's pages: who sees them, the forms post through the services, errors come
back on the form, and a milestone photo is served safely."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongxin.conftest import client_for
from rongxin.projects.models import MilestonePhoto, Project, ProjectActivity, Spending, TeamApplication
from rongxin.projects.services.work import milestone_report
from rongxin.projects.tests.helpers import MarketWorld, pdf, png
from rongxin.projects.tests.implement_helpers import funded, milestone, team_activity


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("nobody", 404),
        ("town_b", 404),
        ("leader_b", 404),
        ("firm_rep", 404),
        ("leader", 200),
        ("town_a", 200),
        ("auditor", 200),
    ],
)
def test_who_sees_the_work_page(world: MarketWorld, who: str, status: int) -> None:
    project = funded(world)
    milestone(project)
    r = client_for(world.users()[who]).get(f"/projects/{project.pk}/work/")
    assert r.status_code == status
    if status == 200:
        assert "第1次上门服务" in r.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("leader", 404), ("town_b", 404), ("town_a", 200), ("centre", 200), ("auditor", 200)],
)
def test_who_sees_the_money_page(world: MarketWorld, who: str, status: int) -> None:
    project = funded(world)
    r = client_for(world.users()[who]).get(f"/projects/{project.pk}/money/")
    assert r.status_code == status


def test_a_leader_applies_and_the_publisher_picks_on_the_pages(world: MarketWorld) -> None:
    # given
    project = world.project()
    leader = client_for(world.leader)
    # when
    form = leader.get(f"/projects/{project.pk}/apply/")
    posted = leader.post(f"/projects/{project.pk}/apply/", {"team_id": world.team.pk, "plan": "每月上门一次"})
    app = TeamApplication.objects.get(project=project)
    listed = leader.get("/projects/teams/")
    picked = client_for(world.town_a).post(f"/projects/applications/{app.pk}/pick/")
    # then
    assert form.status_code == 200
    assert posted.status_code == 302
    assert project.number in listed.content.decode()
    assert picked.status_code == 302
    assert Project.objects.get(pk=project.pk).team_id == world.team.pk


def test_an_empty_plan_comes_back_on_the_form(world: MarketWorld) -> None:
    project = world.project()
    r = client_for(world.leader).post(f"/projects/{project.pk}/apply/", {"team_id": world.team.pk, "plan": ""})
    assert r.status_code == 422
    assert TeamApplication.objects.count() == 0


def test_the_teams_page_is_for_team_leaders(world: MarketWorld) -> None:
    # given: an open project needing a service team and one needing another kind
    wanted = world.project()
    other = world.project(team_kind="culture", title="文化下乡")
    # when
    r = client_for(world.leader).get("/projects/teams/")
    # then
    text = r.content.decode()
    assert r.status_code == 200
    assert wanted.number in text
    assert other.number not in text
    assert client_for(world.town_a).get("/projects/teams/").status_code == 404


def test_link_report_and_complete_on_the_work_page(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    activity = team_activity(world)
    leader = client_for(world.leader)
    # when
    linked = leader.post(f"/projects/{project.pk}/work/activities/", {"activity_id": activity.pk})
    reported = leader.post(
        f"/projects/milestones/{m.pk}/report/",
        {f"m{m.pk}-report": "完成第一次", f"m{m.pk}-photos": [SimpleUploadedFile("a.png", png("a"))]},
    )
    refused = leader.post(
        f"/projects/milestones/{m.pk}/report/",
        {f"m{m.pk}-report": "假照片", f"m{m.pk}-photos": [SimpleUploadedFile("b.png", pdf("b"))]},
    )
    done = leader.post(f"/projects/{project.pk}/work/complete/", {"report": "全部完成"})
    # then
    assert (linked.status_code, reported.status_code, refused.status_code, done.status_code) == (302, 302, 422, 302)
    assert ProjectActivity.objects.filter(project=project).count() == 1
    assert MilestonePhoto.objects.count() == 1
    assert Project.objects.get(pk=project.pk).state == "completed"


def test_spending_beyond_left_comes_back_on_the_money_page(world: MarketWorld) -> None:
    # given
    project = funded(world)
    centre = client_for(world.centre)
    # when
    r = centre.post(
        f"/projects/{project.pk}/money/spend/",
        {
            "spend-amount": "10000.01",
            "spend-paid_on": "2026-05-20",
            "spend-purpose": "超支",
            "spend-voucher": SimpleUploadedFile("发票.pdf", pdf("z")),
        },
    )
    ok = centre.post(
        f"/projects/{project.pk}/money/spend/",
        {
            "spend-amount": "100",
            "spend-paid_on": "2026-05-20",
            "spend-purpose": "毛巾",
            "spend-voucher": SimpleUploadedFile("发票.pdf", pdf("y")),
        },
    )
    page = centre.get(f"/projects/{project.pk}/money/")
    # then
    assert r.status_code == 422
    assert ok.status_code == 302
    assert Spending.objects.count() == 1
    assert "毛巾" in page.content.decode()


def test_accept_settle_and_close_on_the_money_page(world: MarketWorld) -> None:
    # given
    project = funded(world, state=Project.State.COMPLETED)
    other = world.project()
    town_a = client_for(world.town_a)
    # when
    accepted = town_a.post(f"/projects/{project.pk}/money/accept/", {"accept-note": "合格", "accept-feedback": "满意"})
    settled = town_a.post(
        f"/projects/{project.pk}/money/settle/",
        {"settle-kind": "project", "settle-amount": "10000", "settle-to_project_id": other.pk, "settle-note": "转入"},
    )
    closed = town_a.post(f"/projects/{project.pk}/money/close/")
    # then
    assert (accepted.status_code, settled.status_code, closed.status_code) == (302, 302, 302)
    assert Project.objects.get(pk=project.pk).state == "closed"
    assert Project.objects.get(pk=other.pk).raised == Decimal("10000.00")


def test_a_photo_is_served_inline_to_anyone_when_the_project_is_public(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    milestone_report(actor=world.leader, milestone_id=m.pk, report="完成", photos=[("现场.png", png("p"))])
    photo = MilestonePhoto.objects.get()
    # when
    r = client_for(None).get(f"/projects/photos/{photo.pk}/")
    # then
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["Content-Disposition"].startswith("inline")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r.content == png("p")
    Project.objects.filter(pk=project.pk).update(state=Project.State.DRAFT)
    assert client_for(None).get(f"/projects/photos/{photo.pk}/").status_code == 404


def test_a_voucher_is_served_to_those_who_read_the_projects_money(world: MarketWorld) -> None:
    # given
    project = funded(world)
    other = funded(world)
    client_for(world.town_a).post(
        f"/projects/{project.pk}/money/spend/",
        {
            "spend-amount": "100",
            "spend-paid_on": "2026-05-20",
            "spend-purpose": "毛巾",
            "spend-voucher": SimpleUploadedFile("发票.pdf", pdf("t")),
        },
    )
    voucher_id = Spending.objects.get().entry.voucher_id
    url = f"/projects/{project.pk}/vouchers/{voucher_id}/"
    # when
    ok = client_for(world.town_a).get(url)
    # then
    assert ok.status_code == 200
    assert (ok["Content-Type"], ok.content) == ("application/pdf", pdf("t"))
    assert ok["Content-Disposition"].startswith("attachment")
    assert client_for(world.auditor).get(url).status_code == 200
    assert client_for(world.leader).get(url).status_code == 404
    assert client_for(world.town_b).get(url).status_code == 404
    assert client_for(world.town_a).get(f"/projects/{other.pk}/vouchers/{voucher_id}/").status_code == 404
