"""The elders' and daily lunch's JSON endpoints: gated before the body is read, the same
services as the pages, problem+json for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from rongxin.canteens.models import Elder, Meal, ServiceDay
from rongxin.canteens.tests.service_helpers import TODAY, ServiceWorld, elder_person, service_world
from rongxin.conftest import Tree, client_for, link, make_user
from rongxin.core.models import AuditEvent

API = "/api/v1/canteens"
PROBLEM = "application/problem+json"
ACTORS = ["anonymous", "resident", "town", "admin", "auditor", "manager_b", "officer", "manager"]


@pytest.fixture
def svc(tree: Tree) -> Iterator[ServiceWorld]:
    yield from service_world(tree)


def send(user: Any, method: str, url: str, body: Any = None) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def matrix(world: ServiceWorld, method: str, url: str, body: Any = None) -> dict[str, int]:
    return {
        name: send(None if name == "anonymous" else getattr(world, name), method, url, body).status_code
        for name in ACTORS
    }


def expect(ok: set[str], status: int = 200) -> dict[str, int]:
    return {name: status if name in ok else 404 for name in ACTORS} | {"anonymous": 401}


def test_permission_matrix_of_the_reads(svc) -> None:
    staff = {"officer", "manager"}
    runs = staff | {"town", "admin"}
    assert matrix(svc, "get", f"{API}/{svc.canteen.pk}/elders") == expect(staff)
    assert matrix(svc, "get", f"{API}/{svc.canteen.pk}/days/{TODAY}") == expect(staff)
    assert matrix(svc, "get", f"{API}/{svc.canteen.pk}/days", {"from": "2026-03-01", "to": "2026-03-11"}) == expect(
        runs
    )
    assert matrix(svc, "get", f"{API}/{svc.canteen.pk + 99}/elders") == expect(set())


def test_permission_matrix_of_the_writes_asks_before_reading_the_body(svc) -> None:
    # given: empty bodies: outsiders get 404, staff a 422 about the body
    staff = {"officer", "manager"}
    elder = Elder.objects.get(subject=svc.elders[0])
    assert matrix(svc, "post", f"{API}/{svc.canteen.pk}/elders", {}) == expect(staff, 422)
    assert matrix(svc, "put", f"{API}/{svc.canteen.pk}/days/{TODAY}", {"walk_ins": -1}) == expect(staff, 422)
    assert matrix(svc, "patch", f"{API}/elders/{elder.pk}", {"needs_delivery": "maybe"}) == expect(staff, 422)
    assert matrix(svc, "post", f"{API}/elders/{elder.pk}/leave", {"reason": ""}) == expect(staff, 422)
    # then: nothing changed
    assert (Elder.objects.filter(left_on__isnull=True).count(), ServiceDay.objects.count()) == (5, 0)
    assert not AuditEvent.objects.filter(
        action__in=["elder.enrol", "elder.update", "elder.leave", "service_day.record"]
    ).exists()


def test_enrol_record_correct_and_read_the_day(svc) -> None:
    person = elder_person(svc.tree.village_a1, "孙奶奶", age=81)
    created = send(
        svc.manager,
        "post",
        f"{API}/{svc.canteen.pk}/elders",
        {"subject_id": person.pk, "consent_by": "family", "consent_name": "孙丽", "consent_relation": "女儿"},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["consent_relation"], body["enrolled_on"], body["left_on"]) == (
        "孙奶奶", "女儿", "2026-03-11", None,
    )  # fmt: skip
    assert "*" in body["id_number_masked"]
    ids = [s.pk for s in svc.elders]
    url = f"{API}/{svc.canteen.pk}/days/{TODAY}"
    first = send(svc.manager, "put", url, {"eat_in": ids[:3], "delivered": [person.pk], "walk_ins": 2})
    assert first.status_code == 200
    assert first.json()["current"]["revision"] == 1
    again = send(svc.manager, "put", url, {"eat_in": ids[:3], "delivered": [person.pk], "walk_ins": 2})
    assert again.json()["current"]["revision"] == 1
    fixed = send(svc.officer, "put", url, {"eat_in": ids[:2], "delivered": [person.pk], "walk_ins": 2, "note": "更正"})
    detail = fixed.json()
    assert (detail["state"], detail["current"]["revision"], detail["current"]["eat_in"]) == ("recorded", 2, 2)
    assert [r["revision"] for r in detail["revisions"]] == [2, 1]
    assert sorted((m["name"], m["kind"]) for m in detail["meals"]) == [
        ("孙奶奶", "delivered"), ("张大爷", "eat_in"), ("李奶奶", "eat_in"),
    ]  # fmt: skip
    assert Meal.objects.filter(current=True).count() == 3


def test_days_mark_missing_days(svc) -> None:
    send(svc.manager, "put", f"{API}/{svc.canteen.pk}/days/2026-03-09", {"eat_in": [svc.elders[0].pk]})
    response = send(svc.town, "get", f"{API}/{svc.canteen.pk}/days", {"from": "2026-03-07", "to": "2026-03-11"})
    body = response.json()
    assert [(x["date"], x["state"]) for x in body["items"]] == [
        ("2026-03-11", "missing"),
        ("2026-03-10", "missing"),
        ("2026-03-09", "recorded"),
        ("2026-03-08", "no_meal"),
        ("2026-03-07", "no_meal"),
    ]
    assert body["missing"] == 2
    assert body["items"][2]["current"]["eat_in"] == 1


def test_bad_input_is_problem_json_in_chinese(svc) -> None:
    young = elder_person(svc.tree.village_a1, "周先生", age=40)
    response = send(
        svc.manager, "post", f"{API}/{svc.canteen.pk}/elders", {"subject_id": young.pk, "consent_by": "self"}
    )
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert response.json()["code"] == "too_young"
    future = send(svc.manager, "put", f"{API}/{svc.canteen.pk}/days/2026-03-12", {"eat_in": []})
    assert (future.status_code, future.json()["code"]) == (422, "future_day")
    control = send(svc.manager, "put", f"{API}/{svc.canteen.pk}/days/{TODAY}", {"note": "好\u0007"})
    assert control.status_code == 422
    assert ServiceDay.objects.count() == 0


def test_the_elder_leaves_through_the_api(svc) -> None:
    user = make_user("zhang_daye")
    link(user, svc.elders[0])
    elder = Elder.objects.get(subject=svc.elders[0])
    other = Elder.objects.get(subject=svc.elders[1])
    assert send(user, "post", f"{API}/elders/{other.pk}/leave", {}).status_code == 404
    response = send(user, "post", f"{API}/elders/{elder.pk}/leave", {})
    assert (response.status_code, response.json()["left_on"]) == (200, "2026-03-11")
    assert send(user, "post", f"{API}/elders/{elder.pk}/leave", {}).status_code == 409
