"""The ceremony API: the centre's flow, a permission matrix over every write (a denied call, even
with a bad body, changes nothing), and the public screen figures (never cached)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Ceremony, Project
from rongxin.projects.tests.ceremony_helpers import STARTS, ceremony, pledge
from rongxin.projects.tests.helpers import MarketWorld

pytestmark = pytest.mark.django_db
API = "/api/v1/projects"
PROBLEM = "application/problem+json"
BODY = {
    "year": 2026,
    "title": "2026年公益典礼",
    "venue": "县文化中心",
    "starts_at": "2026-06-01T19:00:00+08:00",
    "ends_at": "2026-06-01T21:30:00+08:00",
}


def _send(user: Any, method: str, url: str, data: Any = None) -> Any:
    client = client_for(user)
    return getattr(client, method)(url, data if data is not None else {}, content_type="application/json")


def _state() -> list[tuple[Any, ...]]:
    return [
        *Ceremony.objects.order_by("pk").values_list("pk", "title", "starts_at", "launched_at"),
        *Project.objects.order_by("pk").values_list("pk", "state", "ceremony_id"),
        ("audit", AuditEvent.objects.filter(object_type="ceremony").count()),
    ]


def test_the_centre_runs_a_ceremony_through_the_api(world: MarketWorld) -> None:
    # given two drafts
    d1 = world.project(state=Project.State.DRAFT)
    d2 = world.project(state=Project.State.DRAFT)
    # when the centre sets up, changes, fills and launches the ceremony (twice)
    created = _send(world.centre, "post", f"{API}/ceremonies", BODY)
    changed = _send(world.centre, "patch", f"{API}/ceremonies/2026", {"venue": "县体育馆"})
    attached = _send(world.centre, "post", f"{API}/ceremonies/2026/projects", {"project_ids": [d1.pk, d2.pk]})
    detached = _send(world.centre, "post", f"{API}/ceremonies/2026/projects", {"project_ids": [d2.pk], "attach": False})
    launched = _send(world.centre, "post", f"{API}/ceremonies/2026/launch")
    again = _send(world.centre, "post", f"{API}/ceremonies/2026/launch")
    # then each answers as documented
    assert created.status_code == 201
    assert created.json() == {
        "year": 2026,
        "title": "2026年公益典礼",
        "venue": "县文化中心",
        "starts_at": "2026-06-01T19:00:00+08:00",
        "ends_at": "2026-06-01T21:30:00+08:00",
        "launched_at": None,
        "projects": 0,
    }
    assert (changed.status_code, changed.json()["venue"]) == (200, "县体育馆")
    assert attached.json() == {"changed": 2}
    assert detached.json() == {"changed": 1}
    assert launched.json()["published"] == 1
    assert launched.json()["ceremony"]["projects"] == 1
    assert again.json()["published"] == 0
    assert dict(Project.objects.values_list("pk", "state")) == {d1.pk: "published", d2.pk: "draft"}
    # and the public reads agree
    listed = client_for(None).get(f"{API}/ceremonies").json()
    assert [(c["year"], c["venue"], c["projects"]) for c in listed] == [(2026, "县体育馆", 1)]
    assert client_for(None).get(f"{API}/ceremonies/2030").status_code == 404


def test_bad_input_is_problem_json(world: MarketWorld) -> None:
    # given the centre and a ceremony
    ceremony()
    # when it sends a time in the past and a second ceremony for 2026
    past = _send(world.centre, "post", f"{API}/ceremonies", BODY | {"year": 2027, "starts_at": "2026-01-01T10:00"})
    dup = _send(world.centre, "post", f"{API}/ceremonies", BODY)
    # then each is a problem with its code
    assert (past.status_code, past["Content-Type"], past.json()["code"]) == (422, PROBLEM, "in_the_past")
    assert (dup.status_code, dup.json()["code"]) == (409, "duplicate_ceremony")


WHO = ["anonymous", "nobody", "auditor", "town_a", "village_a1", "traffic_rec", "firm_rep", "resident", "leader"]


@pytest.mark.parametrize("who", WHO)
def test_only_the_centre_writes(world: MarketWorld, who: str) -> None:
    # given a ceremony with a draft in its batch and one outside
    c = ceremony()
    inside = world.project(state=Project.State.DRAFT, ceremony=c)
    outside = world.project(state=Project.State.DRAFT)
    user = world.users()[who]
    before = _state()
    calls = [
        ("post", f"{API}/ceremonies", BODY | {"year": 2027}),
        ("post", f"{API}/ceremonies", {"year": "bad"}),
        ("patch", f"{API}/ceremonies/2026", {"title": "新名称"}),
        ("post", f"{API}/ceremonies/2026/projects", {"project_ids": [outside.pk]}),
        ("post", f"{API}/ceremonies/2026/projects", {"project_ids": [inside.pk], "attach": False}),
        ("post", f"{API}/ceremonies/2026/projects", {"project_ids": "bad"}),
        ("post", f"{API}/ceremonies/2026/launch", None),
    ]
    # when they call each write, then it is refused the same way and nothing changed
    for method, url, data in calls:
        r = _send(user, method, url, data)
        assert r.status_code == (401 if who == "anonymous" else 404), (method, url)
    assert _state() == before


def test_the_live_figures_are_public_and_not_cached(world: MarketWorld) -> None:
    # given a launched ceremony with an anonymous claim
    c = ceremony(launched_at=STARTS)
    p = world.project(ceremony=c, title="夕阳红助浴")
    at = STARTS + dt.timedelta(minutes=3)
    pledge(p, world.resident_subject, "800.00", anonymous=True, ceremony=c, pledged_at=at)
    # when anyone reads the screen's figures during the ceremony
    with time_machine.travel(at, tick=False):
        r = client_for(None).get(f"{API}/ceremonies/2026/live")
    # then they are exact and not to be stored
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    body = r.json()
    assert (body["launched"], body["claimed"], body["pledges"], body["pledged"], body["paid"]) == (
        1,
        0,
        1,
        "800.00",
        "0.00",
    )
    assert body["latest"] == [
        {
            "sponsor": "爱心人士（匿名）",
            "project_id": p.pk,
            "project": "夕阳红助浴",
            "amount": "800.00",
            "at": "2026-06-01T11:03:00Z",
            "title": False,
        }
    ]
    assert "李四" not in r.content.decode()
