"""The catalogue's and the publisher's API under /api/v1/projects: who may write (asked before the
body is read; a denied call changes nothing), the public reads (a draft is 404 to outsiders),
bad input as problem+json in Chinese."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Milestone, Project
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.projects.tests.publish_helpers import facts, pledge, snapshot

pytestmark = pytest.mark.django_db

API = "/api/v1/projects"
PROBLEM = "application/problem+json"
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
    "leader_b",
]
# Who runs town A's institute project in village A1: its town's officers and the county centre.
RUNS_TOWN_A = {"centre", "town_a"}
PUBLISHERS = {"centre", "town_a", "town_b", "village_a1", "village_b1", "traffic_rec"}


def _body(world: MarketWorld, **changes: Any) -> dict[str, Any]:
    data = facts(world, **changes)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


# --- Permission matrices --------------------------------------------------------------------------
@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_create_a_project(world: MarketWorld, who: str) -> None:
    # given: the ones who may not send an invalid body as well
    before = snapshot()
    body = _body(world)
    if who in PUBLISHERS:
        body["region_code"] = {
            "centre": world.tree.village_b1.code,
            "traffic_rec": world.tree.village_b1.code,
            "town_a": world.tree.village_a1.code,
            "town_b": world.tree.village_b1.code,
            "village_a1": world.tree.village_a1.code,
            "village_b1": world.tree.village_b1.code,
        }[who]
    else:
        body["budget"] = "nonsense"
    # when
    r = _send(client_for(world.users()[who]), "post", API, body)
    # then
    if who in PUBLISHERS:
        assert r.status_code == 201, r.content
        assert (r.json()["state"], r.json()["number"]) == ("draft", "XM2026-0001")
        assert Project.objects.count() == 1
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)
        assert snapshot() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_change_a_draft(world: MarketWorld, who: str) -> None:
    project = world.project(state="draft")
    before = snapshot()
    ok = who in RUNS_TOWN_A
    r = _send(
        client_for(world.users()[who]),
        "patch",
        f"{API}/{project.pk}",
        {"title": "夕阳红助浴（二期）"} if ok else {"budget": "x", "title": 5},
    )
    if ok:
        assert (r.status_code, r.json()["title"]) == (200, "夕阳红助浴（二期）")
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)
        assert snapshot() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_publish(world: MarketWorld, who: str) -> None:
    project = world.project(state="draft")
    before = snapshot()
    r = _send(client_for(world.users()[who]), "post", f"{API}/{project.pk}/publish")
    if who in RUNS_TOWN_A:
        assert (r.status_code, r.json()["state"]) == (200, "published")
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)
        assert snapshot() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_withdraw(world: MarketWorld, who: str) -> None:
    project = world.project()
    pledge(project, world.firm, "1000.00")
    before = snapshot()
    ok = who in RUNS_TOWN_A
    r = _send(
        client_for(world.users()[who]),
        "post",
        f"{API}/{project.pk}/withdraw",
        {"reason": "村里已另行安排"} if ok else {"reason": ""},
    )
    if ok:
        assert (r.status_code, r.json()["state"], r.json()["close_reason"]) == (200, "closed", "村里已另行安排")
        assert r.json()["sponsors"] == []
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)
        assert snapshot() == before


@pytest.mark.parametrize("who", EVERYONE)
def test_who_may_plan_a_milestone(world: MarketWorld, who: str) -> None:
    project = world.project()
    before = snapshot()
    ok = who in RUNS_TOWN_A
    r = _send(
        client_for(world.users()[who]),
        "post",
        f"{API}/{project.pk}/milestones",
        {"title": "完成入户摸底", "due_on": "2026-06-15"} if ok else {"title": "", "due_on": "soon"},
    )
    if ok:
        assert r.status_code == 201
        assert {k: r.json()[k] for k in ("number", "title", "due_on", "state", "photo_ids")} == {
            "number": 1,
            "title": "完成入户摸底",
            "due_on": "2026-06-15",
            "state": "planned",
            "photo_ids": [],
        }
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)
        assert snapshot() == before


def test_a_village_station_project_is_run_by_its_village_and_town(world: MarketWorld) -> None:
    # given: village A1's station project
    project = world.project(state="draft", publisher="station", publisher_region=world.tree.village_a1)
    # then
    for who, status in [("village_a1", 200), ("town_a", 200), ("centre", 200), ("village_b1", 404), ("town_b", 404)]:
        r = _send(client_for(world.users()[who]), "patch", f"{API}/{project.pk}", {"need": f"{who}改的需求"})
        assert r.status_code == status, who


def test_a_department_project_is_run_by_its_department(world: MarketWorld) -> None:
    created = _send(client_for(world.traffic_rec), "post", API, _body(world, region_code=world.tree.village_b1.code))
    pk = created.json()["id"]
    assert created.json()["publisher"] == "department"
    for who, status in [("traffic_rec", 200), ("centre", 200), ("town_b", 404), ("village_b1", 404)]:
        r = _send(client_for(world.users()[who]), "patch", f"{API}/{pk}", {"need": f"{who}改的需求"})
        assert r.status_code == status, who


# --- Reads ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", EVERYONE)
def test_a_draft_is_seen_only_by_its_publishers_and_auditors(world: MarketWorld, who: str) -> None:
    project = world.project(state="draft")
    r = client_for(world.users()[who]).get(f"{API}/{project.pk}")
    if who in RUNS_TOWN_A | {"auditor"}:
        assert (r.status_code, r.json()["state"]) == (200, "draft")
        assert r.json()["working"]["manages"] is (who != "auditor")
    else:
        assert (r.status_code, r["Content-Type"], r.json()["code"]) == (404, PROBLEM, "not_found")


def test_a_published_project_for_anyone(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(project, world.resident_subject, "400.00", anonymous=True)
    pledge(project, world.firm, "600.00", title=True)
    # when
    body = Client().get(f"{API}/{project.pk}").json()
    # then
    assert (body["shown_title"], body["title_sponsor"], body["working"]) == (
        "荣信海洋食品有限公司·夕阳红助浴",
        "荣信海洋食品有限公司",
        None,
    )
    assert body["sponsors"] == [
        {"name": "荣信海洋食品有限公司", "title": True, "amount": "600.00", "paid": "0.00", "state": "open"},
        {"name": "爱心人士（匿名）", "title": False, "amount": "400.00", "paid": "0.00", "state": "open"},
    ]
    assert body["money"] == {
        "budget": "10000.00",
        "pledged": "1000.00",
        "needed": "9000.00",
        "raised": "0.00",
        "spent": "0.00",
        "settled": "0.00",
        "left": "0.00",
    }
    assert "李四" not in json.dumps(body, ensure_ascii=False)
    assert AuditEvent.objects.filter(action="project.read").count() == 0


def test_the_publisher_sees_the_anonymous_sponsors_name_and_the_read_is_audited(world: MarketWorld) -> None:
    project = world.project()
    pledge(project, world.resident_subject, "400.00", anonymous=True)
    body = client_for(world.town_a).get(f"{API}/{project.pk}").json()
    assert [(p["sponsor_name"], p["anonymous"]) for p in body["working"]["open_pledges"]] == [("李四", True)]
    assert AuditEvent.objects.filter(action="project.read", actor=world.town_a).count() == 1


def test_the_catalogue_for_anyone_with_filters(world: MarketWorld) -> None:
    world.project(title="夕阳红助浴")
    world.project(title="海岸净滩", category="environment", region=world.tree.town_a)
    world.project(title="草稿", state="draft")
    r = Client().get(API, {"category": "environment", "town": world.tree.town_a.code})
    assert r.status_code == 200
    assert [(x["title"], x["region"], x["town"], x["needed"]) for x in r.json()["items"]] == [
        ("海岸净滩", "崖头街道", "", "10000.00")
    ]
    assert (r.json()["total"], r.json()["pages"], r.json()["per_page"]) == (1, 1, 20)
    everything = Client().get(API).json()
    assert [x["title"] for x in everything["items"]] == ["海岸净滩", "夕阳红助浴"]


def test_the_catalogue_refuses_unknown_filters_in_chinese(world: MarketWorld) -> None:
    r = Client().get(API, {"state": "draft"})
    assert (r.status_code, r["Content-Type"]) == (422, PROBLEM)
    assert r.json()["errors"] == [{"field": "state", "message": "请从列表中选择状态。", "code": "bad_state"}]
    r = Client().get(API, {"q": "a\x01"})
    assert (r.status_code, r.json()["code"]) == (422, "invalid")


@pytest.mark.parametrize("who", EVERYONE)
def test_who_has_the_staff_list(world: MarketWorld, who: str) -> None:
    world.project(state="draft")
    world.project(publisher_region=world.tree.town_b, region=world.tree.village_b1)
    r = client_for(world.users()[who]).get(f"{API}/manage", {"state": "draft"})
    expected = {"centre": 1, "auditor": 1, "town_a": 1, "town_b": 0, "village_a1": 0, "village_b1": 0, "traffic_rec": 0}
    if who in expected:
        assert r.status_code == 200
        assert (r.json()["total"], r.json()["counts"]["draft"]) == (expected[who], expected[who])
    else:
        assert (r.status_code, r["Content-Type"]) == (401 if who == "anonymous" else 404, PROBLEM)


# --- Bad input --------------------------------------------------------------------------------------
def test_create_refuses_each_field_in_chinese(world: MarketWorld) -> None:
    client = client_for(world.town_a)
    r = _send(client, "post", API, _body(world, budget="12.345"))
    assert (r.status_code, r["Content-Type"]) == (422, PROBLEM)
    assert r.json()["errors"] == [
        {"field": "budget", "message": "金额最多两位小数（到分）。", "code": "too_many_decimals"}
    ]
    r = _send(client, "post", API, _body(world, region_code=world.tree.village_b1.code))
    assert r.json()["errors"][0]["message"] == "项目所在区域必须在您发布的范围（崖头街道）之内。"
    r = _send(client, "post", API, _body(world, title="助浴\u0007"))
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "title")
    assert Project.objects.count() == 0


def test_create_accepts_full_width_digits_and_a_double_submit_returns_the_first(world: MarketWorld) -> None:
    client = client_for(world.town_a)
    first = _send(client, "post", API, _body(world, budget="１２０００.００"))
    again = _send(client, "post", API, _body(world, budget="１２０００.００"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert (first.json()["id"], first.json()["money"]["budget"]) == (again.json()["id"], "12000.00")
    assert Project.objects.count() == 1


def test_state_refusals_are_409(world: MarketWorld) -> None:
    project = world.project(state="completed")
    client = client_for(world.town_a)
    r = _send(client, "post", f"{API}/{project.pk}/publish")
    assert (r.status_code, r.json()["code"], r.json()["title"]) == (
        409,
        "not_draft",
        "只有草稿状态的项目可以发布或修改。",
    )
    r = _send(client, "post", f"{API}/{project.pk}/withdraw", {"reason": "不做了"})
    assert (r.status_code, r.json()["code"]) == (409, "already_started")
    r = _send(client, "post", f"{API}/{project.pk}/milestones", {"title": "补", "due_on": "2026-07-01"})
    assert (r.status_code, r.json()["code"]) == (409, "not_now")
    r = _send(client, "patch", f"{API}/{project.pk}", {"title": "改名"})
    assert (r.status_code, r.json()["code"]) == (409, "not_now")
    assert Milestone.objects.count() == 0
