"""The implementation's API under /api/v1/projects: who may (asked before the body is read), the
flow from application to close, and bad input as problem+json."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongxin.conftest import client_for
from rongxin.projects.models import MilestonePhoto, Project, Spending, TeamApplication
from rongxin.projects.tests.helpers import MarketWorld, pdf, png
from rongxin.projects.tests.implement_helpers import funded, milestone, pledge, team_activity

API = "/api/v1/projects"
PROBLEM = "application/problem+json"


def _json(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_the_flow_through_the_api(world: MarketWorld) -> None:
    # given
    project = world.project()
    pledge(world, project, Decimal("10000.00"))
    leader, publisher = client_for(world.leader), client_for(world.town_a)
    # when
    applied = _json(leader, f"{API}/{project.pk}/applications", {"team_id": world.team.pk, "plan": "每月上门"})
    picked = _json(publisher, f"{API}/applications/{applied.json()['id']}/pick")
    started = _json(publisher, f"{API}/{project.pk}/start")
    activity = team_activity(world)
    linked = _json(leader, f"{API}/{project.pk}/activities", {"activity_id": activity.pk})
    unlinked = leader.delete(f"{API}/{project.pk}/activities/{activity.pk}")
    # then
    assert applied.status_code == 201
    assert (picked.status_code, picked.json()["state"]) == (200, "picked")
    assert (started.status_code, started.json()["state"], started.json()["team_id"]) == (
        200,
        "in_progress",
        world.team.pk,
    )
    assert (linked.status_code, linked.json()["activity_id"]) == (201, activity.pk)
    assert unlinked.status_code == 204


def test_a_second_pick_is_a_conflict(world: MarketWorld) -> None:
    # given
    project = world.project()
    a = _json(client_for(world.leader), f"{API}/{project.pk}/applications", {"team_id": world.team.pk, "plan": "甲"})
    b = _json(
        client_for(world.leader_b), f"{API}/{project.pk}/applications", {"team_id": world.team_b.pk, "plan": "乙"}
    )
    publisher = client_for(world.town_a)
    _json(publisher, f"{API}/applications/{a.json()['id']}/pick")
    # when
    r = _json(publisher, f"{API}/applications/{b.json()['id']}/pick")
    # then
    assert (r.status_code, r["Content-Type"], r.json()["code"]) == (409, PROBLEM, "team_picked")
    assert TeamApplication.objects.get(pk=b.json()["id"]).state == "declined"


def test_milestone_photos_by_multipart(world: MarketWorld) -> None:
    # given
    project = funded(world)
    m = milestone(project)
    leader = client_for(world.leader)
    # when
    ok = leader.post(
        f"{API}/milestones/{m.pk}/report",
        data={"report": "第一次服务完成", "photos": [SimpleUploadedFile("a.png", png("a"), content_type="image/png")]},
    )
    bad = leader.post(
        f"{API}/milestones/{m.pk}/report",
        data={"report": "再报", "photos": [SimpleUploadedFile("b.png", pdf("x"), content_type="image/png")]},
    )
    # then
    assert (ok.status_code, len(ok.json()["photo_ids"]), ok.json()["state"]) == (200, 1, "reported")
    assert (bad.status_code, bad["Content-Type"], bad.json()["code"]) == (422, PROBLEM, "photo_type")
    assert MilestonePhoto.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("leader", 404), ("auditor", 404), ("town_b", 404)])
def test_who_may_not_spend_learns_nothing_from_the_body(world: MarketWorld, who: str, status: int) -> None:
    # given
    project = funded(world)
    # when: a body that would not even validate
    r = client_for(world.users()[who]).post(f"{API}/{project.pk}/spendings", data={"amount": "x"})
    # then
    assert r.status_code == status
    assert r["Content-Type"] == PROBLEM
    assert Spending.objects.count() == 0


def test_spend_accept_settle_and_close(world: MarketWorld) -> None:
    # given
    project = funded(world)
    publisher = client_for(world.centre)
    # when
    spent = publisher.post(
        f"{API}/{project.pk}/spendings",
        data={
            "amount": "9000",
            "paid_on": "2026-05-20",
            "purpose": "助浴用品",
            "voucher": SimpleUploadedFile("发票.pdf", pdf("v"), content_type="application/pdf"),
        },
    )
    beyond = publisher.post(
        f"{API}/{project.pk}/spendings",
        data={
            "amount": "1000.01",
            "paid_on": "2026-05-20",
            "purpose": "再买",
            "voucher": SimpleUploadedFile("发票2.pdf", pdf("w"), content_type="application/pdf"),
        },
    )
    done = _json(client_for(world.leader), f"{API}/{project.pk}/complete", {"report": "完成"})
    accepted = _json(publisher, f"{API}/{project.pk}/accept", {"note": "合格", "feedback": "满意"})
    other = world.project()
    settled = _json(
        publisher,
        f"{API}/{project.pk}/settlements",
        {"kind": "project", "amount": "1000", "to_project_id": other.pk, "note": "转入其他项目"},
    )
    closed = _json(publisher, f"{API}/{project.pk}/close")
    # then
    assert (spent.status_code, spent.json()["amount"]) == (201, "9000.00")
    assert (beyond.status_code, beyond.json()["code"]) == (422, "beyond_left")
    assert (done.json()["state"], accepted.json()["state"]) == ("completed", "accepted")
    assert (settled.status_code, settled.json()["kind"]) == (201, "project")
    assert (closed.status_code, closed.json()["state"], closed.json()["left"]) == (200, "closed", "0.00")
    assert Project.objects.get(pk=other.pk).raised == Decimal("1000.00")
