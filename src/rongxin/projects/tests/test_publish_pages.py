"""The catalogue's, the project's and the publisher's pages: they read in Chinese, a draft is the
one "not found" page to outsiders, anonymous sponsors are masked, the title sponsor names the
project, forms come back with their errors, and every write page refuses outsiders unchanged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from rongxin.conftest import client_for
from rongxin.core import clock
from rongxin.projects.models import Milestone, MilestonePhoto, Project
from rongxin.projects.tests.helpers import MarketWorld, png
from rongxin.projects.tests.publish_helpers import pledge, snapshot

pytestmark = pytest.mark.django_db

EVERYONE = [
    "anonymous",
    "nobody",
    "auditor",
    "centre",
    "town_a",
    "town_b",
    "village_a1",
    "village_b1",
    "traffic_rec",
    "firm_rep",
    "resident",
    "leader",
]
RUNS_TOWN_A = {"centre", "town_a"}
PUBLISHERS = {"centre", "town_a", "town_b", "village_a1", "village_b1", "traffic_rec"}


def _form(world: MarketWorld, **changes: str) -> dict[str, str]:
    return {
        "title": "夕阳红助浴",
        "need": "为村里行动不便的老人每月上门助浴一次。",
        "beneficiaries": "行动不便的独居老人",
        "beneficiary_count": "12",
        "region_code": world.tree.village_a1.code,
        "category": "elderly",
        "budget": "12000",
        "starts_on": "2026-06-01",
        "ends_on": "2026-11-30",
        "team_kind": "service",
    } | changes


def _text(r: Any) -> str:
    return r.content.decode()


# --- Public pages -------------------------------------------------------------------------------
def test_the_catalogue_reads_in_chinese_with_cards(world: MarketWorld) -> None:
    # given
    p = world.project(raised=Decimal("2500.00"), pledged=Decimal("2500.00"))
    world.project(title="草稿中的项目", state="draft")
    # when
    r = Client().get("/projects/")
    # then
    html = _text(r)
    assert r.status_code == 200
    for text in ("项目超市", "全部镇街", "最新发布", "缺口最大", "共 1 个项目", "关爱老人", "已发布"):
        assert text in html
    assert f'href="/projects/{p.pk}/"' in html
    assert '<progress class="raised" max="100" value="25"' in html
    assert "已筹 ¥2,500.00" in html
    assert "预算 ¥10,000.00" in html
    assert "尚需 ¥7,500.00" in html
    assert "草稿中的项目" not in html


def test_the_catalogue_filters_and_pages_by_query(world: MarketWorld) -> None:
    for i in range(21):
        world.project(title=f"项目{i:02d}", published_at=clock.now() + dt.timedelta(minutes=i))
    world.project(title="海岸净滩", category="environment", published_at=clock.now() - dt.timedelta(days=1))
    first = _text(Client().get("/projects/", {"category": "elderly"}))
    assert "项目20" in first
    assert "项目01" in first
    assert "项目00" not in first
    assert "海岸净滩" not in first
    assert 'href="?category=elderly&amp;page=2"' in first
    second = _text(Client().get("/projects/", {"category": "elderly", "page": "2"}))
    assert "项目00" in second
    assert "项目01" not in second
    only = _text(Client().get("/projects/", {"q": "净滩"}))
    assert "海岸净滩" in only
    assert "项目00" not in only


def test_a_bad_filter_is_a_400_with_the_form(world: MarketWorld) -> None:
    r = Client().get("/projects/", {"state": "draft"})
    assert r.status_code == 400
    assert "项目超市" in _text(r)


def test_a_projects_page_masks_anonymous_sponsors_and_carries_the_title_sponsor(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(project, world.firm, "6000.00", title=True)
    pledge(project, world.resident_subject, "500.00", anonymous=True)
    pledge(project, world.other_firm, "300.00", state="withdrawn")
    m = Milestone.objects.create(project=project, number=1, title="完成入户摸底", due_on=dt.date(2026, 6, 15))
    photo = MilestonePhoto.objects.create(
        milestone=m,
        file_name="a.png",
        content_type="image/png",
        size=40,
        sha256="a" * 64,
        data=png("a"),
        uploaded_at=clock.now(),
    )
    # when
    r = Client().get(f"/projects/{project.pk}/")
    # then
    html = _text(r)
    assert r.status_code == 200
    assert "<title>荣信海洋食品有限公司·夕阳红助浴 · " in html
    assert "<h1>荣信海洋食品有限公司·夕阳红助浴</h1>" in html
    assert "冠名单位：荣信海洋食品有限公司" in html
    assert "爱心人士（匿名）" in html
    assert "李四" not in html
    assert "石岛渔具商行" not in html
    for text in (
        "项目介绍",
        "受益对象",
        "认领方",
        "尚需认领",
        "项目节点",
        "完成入户摸底",
        "服务队与活动",
        "还没有支出。",
    ):
        assert text in html
    assert f'src="/projects/photos/{photo.pk}/"' in html
    assert "工作档案" not in html
    assert "发布方操作" not in html
    sponsors = html[html.index('id="sponsors"') :]
    assert sponsors.index("荣信海洋食品有限公司") < sponsors.index("爱心人士（匿名）")


def test_the_publisher_sees_the_working_file_and_the_actions(world: MarketWorld) -> None:
    project = world.project(state="draft")
    html = _text(client_for(world.town_a).get(f"/projects/{project.pk}/"))
    for text in ("工作档案", "发布方操作", "编辑草稿", "发布项目", "计划项目节点", "撤回项目"):
        assert text in html
    assert f'action="/projects/{project.pk}/publish/"' in html
    auditor = _text(client_for(world.auditor).get(f"/projects/{project.pk}/"))
    assert "工作档案" in auditor
    assert "发布方操作" not in auditor


@pytest.mark.parametrize("who", EVERYONE)
def test_a_draft_page_is_not_found_to_outsiders(world: MarketWorld, who: str) -> None:
    project = world.project(state="draft")
    r = client_for(world.users()[who]).get(f"/projects/{project.pk}/")
    assert r.status_code == (200 if who in RUNS_TOWN_A | {"auditor"} else 404)
    if r.status_code == 404:
        assert "夕阳红助浴" not in _text(r)


# --- The publisher's pages ----------------------------------------------------------------------
def test_a_new_project_through_the_form(world: MarketWorld) -> None:
    client = client_for(world.town_a)
    page = client.get("/projects/new/")
    html = _text(page)
    assert page.status_code == 200
    for text in ("新建项目", "发布方", "项目名称", "受益人数", "预算（元）", "保存草稿", "崖头街道 · 东山社区"):
        assert text in html
    assert world.tree.village_b1.code not in html
    r = client.post("/projects/new/", _form(world, budget="１２０００"))
    project = Project.objects.get()
    assert (r.status_code, r["Location"]) == (302, f"/projects/{project.pk}/")
    assert (project.budget, project.state) == (Decimal("12000.00"), "draft")
    again = client.post("/projects/new/", _form(world, budget="１２０００"))
    assert (again.status_code, again["Location"], Project.objects.count()) == (302, f"/projects/{project.pk}/", 1)


def test_the_form_comes_back_with_the_chinese_error_beside_its_field(world: MarketWorld) -> None:
    client = client_for(world.town_a)
    r = client.post("/projects/new/", _form(world, budget="6000000", ends_on="2026-05-01"))
    html = _text(r)
    assert r.status_code == 422
    assert "项目预算最多 ¥5,000,000，更大的项目请拆分。" in html
    assert 'value="6000000"' in html
    assert Project.objects.count() == 0


def test_control_characters_are_refused_on_the_page(world: MarketWorld) -> None:
    r = client_for(world.town_a).post("/projects/new/", _form(world, title="夕阳红\x1b助浴"))
    assert r.status_code in (400, 422)
    assert "控制字符" in _text(r)
    assert Project.objects.count() == 0


def test_a_draft_is_edited_published_given_a_milestone_and_withdrawn(world: MarketWorld) -> None:
    client = client_for(world.town_a)
    project = world.project(state="draft")
    edit = client.get(f"/projects/{project.pk}/edit/")
    assert edit.status_code == 200
    assert 'value="夕阳红助浴"' in _text(edit)
    r = client.post(f"/projects/{project.pk}/edit/", _form(world, title="夕阳红助浴二期"))
    assert r.status_code == 302
    r = client.post(f"/projects/{project.pk}/publish/")
    assert r.status_code == 302
    shown = _text(client.get(r["Location"]))
    assert f"项目 {project.number} 已发布到项目超市。" in shown
    r = client.post(
        f"/projects/{project.pk}/milestones/", {"milestone-title": "入户摸底", "milestone-due_on": "2026-06-10"}
    )
    assert (r.status_code, r["Location"]) == (302, f"/projects/{project.pk}/#milestones")
    bad = client.post(
        f"/projects/{project.pk}/milestones/", {"milestone-title": "太晚", "milestone-due_on": "2027-01-01"}
    )
    assert bad.status_code == 422
    assert "项目节点须在项目周期之内（2026-06-01 至 2026-11-30）。" in _text(bad)
    r = client.post(f"/projects/{project.pk}/withdraw/", {"withdraw-reason": "村里已另行安排"})
    assert r.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.state, project.close_reason) == ("夕阳红助浴二期", "closed", "村里已另行安排")
    assert list(Milestone.objects.values_list("number", "title")) == [(1, "入户摸底")]
    # a closed project offers no action and no edit
    assert "发布方操作" not in _text(client.get(f"/projects/{project.pk}/"))
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 302


def test_publishing_twice_shows_the_reason(world: MarketWorld) -> None:
    project = world.project()
    client = client_for(world.town_a)
    r = client.post(f"/projects/{project.pk}/publish/", follow=True)
    assert "只有草稿状态的项目可以发布或修改。" in _text(r)


def test_the_staff_list_counts_states(world: MarketWorld) -> None:
    world.project(state="draft")
    world.project(title="海岸净滩")
    html = _text(client_for(world.town_a).get("/projects/manage/"))
    for text in ("我发布的项目", "新建项目", "全部状态 2", "草稿 1", "已发布 1", "已认领 0", "海岸净滩"):
        assert text in html
    drafts = _text(client_for(world.town_a).get("/projects/manage/", {"state": "draft"}))
    assert "夕阳红助浴" in drafts
    assert "海岸净滩" not in drafts
    auditor = _text(client_for(world.auditor).get("/projects/manage/"))
    assert "新建项目" not in auditor
    assert "海岸净滩" in auditor


@pytest.mark.parametrize("who", EVERYONE)
def test_who_reaches_the_staff_pages(world: MarketWorld, who: str) -> None:
    project = world.project(state="draft")
    client = client_for(world.users()[who])
    pages = {
        "/projects/manage/": PUBLISHERS | {"auditor"},
        "/projects/new/": PUBLISHERS,
        f"/projects/{project.pk}/edit/": RUNS_TOWN_A,
    }
    for url, allowed in pages.items():
        r = client.get(url)
        if who == "anonymous":
            assert (r.status_code, r["Location"].split("?")[0]) == (302, resolve_url(settings.LOGIN_URL)), url
        else:
            assert r.status_code == (200 if who in allowed else 404), url


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_post_the_publishers_actions(world: MarketWorld, who: str) -> None:
    # given: a draft; outsiders post valid forms
    project = world.project(state="draft")
    client = client_for(world.users()[who])
    before = snapshot()
    posts = [
        ("/projects/new/", _form(world)),
        (f"/projects/{project.pk}/edit/", _form(world, title="改名")),
        (f"/projects/{project.pk}/milestones/", {"milestone-title": "入户", "milestone-due_on": "2026-06-10"}),
        (f"/projects/{project.pk}/publish/", {}),
        (f"/projects/{project.pk}/withdraw/", {"withdraw-reason": "不做了"}),
    ]
    if who in RUNS_TOWN_A:
        return  # the flow above covers them
    for url, data in posts:
        r = client.post(url, data)
        if who == "anonymous":
            assert (r.status_code, r["Location"].split("?")[0]) == (302, resolve_url(settings.LOGIN_URL)), url
        elif url == "/projects/new/" and who in PUBLISHERS:
            # their own seat: a draft of their own, or the region (village A1) outside it
            assert r.status_code == (302 if who in ("village_a1", "traffic_rec") else 422), url
        else:
            assert r.status_code == 404, url
    if who not in PUBLISHERS:
        assert snapshot() == before
    else:
        # only their own draft may appear, never a change to town A's
        assert Project.objects.get(pk=project.pk).title == "夕阳红助浴"
        assert Milestone.objects.count() == 0
        assert Project.objects.get(pk=project.pk).state == "draft"
