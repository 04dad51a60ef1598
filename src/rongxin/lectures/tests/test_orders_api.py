"""The order API: the permission matrix of every operation, problem+json errors, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rongxin.accounts.models import User
from rongxin.conftest import client_for
from rongxin.lectures.models import Order, OrderEvent
from rongxin.lectures.services.orders import order_accept, order_dispatch
from rongxin.lectures.tests.conftest import LectureWorld, resident_user
from rongxin.lectures.tests.test_orders_pages import DETAIL, ROLES, dispatched, user_of
from rongxin.lectures.tests.test_orders_services import hold, new_order

API = "/api/v1/lectures/orders"
PROBLEM = "application/problem+json"


def send(user: User | None, method: str, url: str, body: Any = None) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {})
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def body(lect: LectureWorld, **over: Any) -> dict[str, Any]:
    data = {
        "orderer_kind": "village",
        "region_code": lect.tree.village_a1.code,
        "orderer_name": "东山社区",
        "topic": "移风易俗",
        "preferred_from": "2026-03-05",
        "preferred_to": "2026-03-20",
        "audience": "村民",
        "audience_size": 60,
        "place": "村委会",
    }
    data.update(over)
    return data


def test_order_dispatch_accept_rate_through_the_api(lect: LectureWorld, frozen: Any) -> None:
    created = send(lect.village_a1, "post", API, body(lect))
    assert created.status_code == 201
    out = created.json()
    assert (out["state"], out["region_code"], out["dispatch_by"], out["actions"]) == (
        "ordered",
        lect.tree.village_a1.code,
        "2026-03-04T10:00:00+08:00",
        ["cancel"],
    )
    oid = out["id"]
    dispatched_out = send(lect.town_a, "post", f"{API}/{oid}/dispatch", {"team_id": lect.team.pk}).json()
    assert (dispatched_out["state"], dispatched_out["team_name"], dispatched_out["answer_by"]) == (
        "dispatched",
        lect.team.name,
        "2026-03-03T10:00:00+08:00",
    )
    assert send(lect.team_leader, "post", f"{API}/{oid}/accept").json()["state"] == "accepted"
    hold(oid)
    rated = send(lect.village_a1, "post", f"{API}/{oid}/rate", {"rating": 5, "comment": "好"})
    assert (rated.status_code, rated.json()["rating"]) == (200, 5)
    again = send(lect.village_a1, "post", f"{API}/{oid}/rate", {"rating": 4, "comment": "再评"})
    assert (again.status_code, again["Content-Type"], again.json()["code"]) == (409, PROBLEM, "already_rated")
    detail = send(lect.village_a1, "get", f"{API}/{oid}").json()
    assert [(e["action"], e["from_state"], e["to_state"]) for e in detail["events"]] == [
        ("create", "", "ordered"),
        ("dispatch", "ordered", "dispatched"),
        ("accept", "dispatched", "accepted"),
        ("hold", "accepted", "held"),
        ("rate", "held", "rated"),
    ]
    assert detail["events"][1]["who"] == "town_a"
    assert detail["events"][1]["role"] == "镇街工作人员"
    assert detail["events"][3]["who"] == "系统"


@pytest.mark.parametrize(("role", "status"), sorted(DETAIL.items()))
def test_matrix_order_detail(lect: LectureWorld, frozen: Any, role: str, status: int) -> None:
    order = dispatched(lect)
    response = send(user_of(lect, role), "get", f"{API}/{order.pk}")
    expected = 401 if role == "anonymous" else status
    assert response.status_code == expected
    if expected != 200:
        assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_list(lect: LectureWorld, frozen: Any, role: str) -> None:
    order = dispatched(lect)
    response = send(user_of(lect, role), "get", API)
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = [o["id"] for o in response.json()["items"]]
    assert ids == ([order.pk] if DETAIL[role] == 200 else [])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 404),
        ("town_a", 201),
        ("town_b", 404),  # an officer of another town, for a village of town A
        ("village_a1", 201),
        ("village_b1", 404),
        ("auditor", 404),
        ("team_leader", 404),
        ("head_user", 404),
        ("leader_user", 404),
        ("anonymous", 401),
    ],
)
def test_matrix_order_create(lect: LectureWorld, frozen: Any, role: str, status: int) -> None:
    response = send(user_of(lect, role), "post", API, body(lect))
    assert response.status_code == status
    assert Order.objects.count() == (1 if status == 201 else 0)


ACTIONS: dict[str, tuple[dict[str, Any], set[str], str]] = {
    "accept": ({}, {"team_leader"}, "accepted"),
    "decline": ({"reason": "没空"}, {"team_leader"}, "ordered"),
    "cancel": ({"reason": "不需要"}, {"village_a1", "town_a", "admin"}, "cancelled"),
    "dispatch": ({"speaker_id": None, "team_id": None}, set(), "dispatched"),  # 409 for dispatchers
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_actions(lect: LectureWorld, frozen: Any, action: str, role: str) -> None:
    payload, allowed, after = ACTIONS[action]
    order = dispatched(lect)
    if action == "dispatch":
        payload = {"team_id": lect.team.pk}
    response = send(user_of(lect, role), "post", f"{API}/{order.pk}/{action}", payload)
    state = Order.objects.get(pk=order.pk).state
    if role == "anonymous":
        assert (response.status_code, state) == (401, "dispatched")
    elif role in allowed:
        assert (response.status_code, state) == (200, after)
    elif action == "dispatch" and role in ("admin", "town_a"):
        assert (response.status_code, response.json()["code"], state) == (409, "order_state", "dispatched")
    else:
        assert (response.status_code, response["Content-Type"], state) == (404, PROBLEM, "dispatched")


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_rate(lect: LectureWorld, frozen: Any, role: str) -> None:
    order = dispatched(lect)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    hold(order.pk)
    response = send(user_of(lect, role), "post", f"{API}/{order.pk}/rate", {"rating": 3, "comment": ""})
    expected = {"village_a1": 200, "anonymous": 401}.get(role, 404)
    assert response.status_code == expected
    assert Order.objects.get(pk=order.pk).state == ("rated" if expected == 200 else "held")


def test_a_rating_by_a_stranger_answers_as_a_missing_order(lect: LectureWorld, frozen: Any) -> None:
    order = dispatched(lect)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    hold(order.pk)
    stranger, _s = resident_user("stranger", lect.tree.village_a1)
    here = send(stranger, "post", f"{API}/{order.pk}/rate", {"rating": 1})
    missing = send(stranger, "post", f"{API}/{order.pk + 999}/rate", {"rating": 1})
    assert here.status_code == missing.status_code == 404
    assert here.json() == missing.json()
    # The gate answers before the body is read: a bad body from a stranger is still a 404.
    assert send(stranger, "post", f"{API}/{order.pk}/rate", {"rating": "x"}).status_code == 404


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"preferred_from": "2026-03-20", "preferred_to": "2026-03-05"}, "preferred_to"),
        ({"preferred_from": "2026-02-20", "preferred_to": "2026-03-05"}, "preferred_from"),
        ({"preferred_from": "2026-03-05", "preferred_to": "2026-06-05"}, "preferred_to"),
        ({"preferred_from": "２０２６-03-05"}, "preferred_from"),
        ({"audience_size": "٦٠"}, "audience_size"),
        ({"audience_size": "６０"}, "audience_size"),
        ({"audience_size": 10**12}, "audience_size"),
        ({"audience_size": 0}, "audience_size"),
        ({"topic": "讲\x07座"}, "topic"),
        ({"topic": "讲" * 10_000}, "topic"),
        ({"place": "村\u202e委会"}, "place"),
        ({"orderer_kind": "club"}, "orderer_kind"),
        ({"saying_id": 123456}, "saying_id"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(
    lect: LectureWorld, frozen: Any, over: dict[str, Any], field: str
) -> None:
    response = send(lect.village_a1, "post", API, body(lect, **over))
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Order.objects.count() == 0


def test_dispatch_and_decline_problems(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    both = send(lect.admin, "post", f"{API}/{order.pk}/dispatch", {"team_id": lect.team.pk, "speaker_id": lect.head.pk})
    assert (both.status_code, both.json()["errors"][0]["field"]) == (422, "team_id")
    order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.head.pk)
    empty = send(lect.head_user, "post", f"{API}/{order.pk}/decline", {"reason": ""})
    assert (empty.status_code, empty.json()["errors"][0]["field"]) == (422, "reason")
    assert OrderEvent.objects.filter(order=order).count() == 2


def test_the_list_filters_by_state_and_pages(lect: LectureWorld, frozen: Any) -> None:
    first = dispatched(lect)
    second = new_order(lect, topic="第二单")
    page = send(lect.admin, "get", API, {"limit": 1}).json()
    assert (page["total"], [o["id"] for o in page["items"]]) == (2, [second.pk])
    page = send(lect.admin, "get", API, {"state": "dispatched"}).json()
    assert [o["id"] for o in page["items"]] == [first.pk]
    assert send(lect.admin, "get", API, {"limit": 1000}).status_code == 422
