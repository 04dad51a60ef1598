"""The sessions API: a permission matrix for every operation, and the journey (record, check in,
assisted record, photo, close, my lectures) with exact bodies; problem+json for bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rongxin.accounts.models import User
from rongxin.conftest import client_for, make_id_number, make_person
from rongxin.lectures.models import Attendance, Session
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import image_bytes, new_session, token

pytestmark = pytest.mark.django_db

API = "/api/v1/lectures"
PROBLEM = "application/problem+json"
ROLES = ["admin", "town_a", "town_b", "village_a1", "village_b1", "auditor", "team_leader", "head_user", "leader_user"]


def send(user: User | None, method: str, url: str, body: Any = None) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def _users(lect: LectureWorld) -> dict[str, User | None]:
    users: dict[str, User | None] = {name: getattr(lect, name) for name in ROLES}
    users["listener"], _subject = resident_user("listener_a", lect.tree.village_a2)
    users["anonymous"] = None
    return users


def _matrix(users: dict[str, User | None], method: str, url: str, body: Any = None) -> dict[str, int]:
    return {name: send(u, method, url, body).status_code for name, u in users.items()}


def _expect(ok: set[str], status: int = 200) -> dict[str, int]:
    return {name: status if name in ok else 404 for name in [*ROLES, "listener"]} | {"anonymous": 401}


def test_permission_matrix_of_the_api(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    users = _users(lect)
    runners = {"admin", "town_a", "head_user"}
    seers = runners | {"auditor", "village_a1", "team_leader", "listener"}
    organisers = {"admin", "town_a", "town_b", "team_leader", "head_user", "leader_user"}
    assert _matrix(users, "get", f"{API}/sessions") == _expect(organisers)
    upcoming = _matrix(users, "get", f"{API}/sessions", {"scope": "upcoming"})
    assert upcoming == _expect({*ROLES, "listener"})
    assert _matrix(users, "get", f"{API}/sessions/{s.pk}") == _expect(seers)
    assert _matrix(users, "get", f"{API}/sessions/{s.pk + 999}") == _expect(set())
    assert _matrix(users, "get", f"{API}/my-lectures") == _expect(
        {"team_leader", "head_user", "leader_user", "listener"}
    )
    # Gated: the right is asked before the body is read, so an empty body is a 404 for outsiders
    # and a 422 (or 409: the session has not ended) only for those who run the session.
    for op, status in (("attendance", 422), ("close", 409), ("cancel", 422)):
        assert _matrix(users, "post", f"{API}/sessions/{s.pk}/{op}", {}) == _expect(runners, status)
    photo = {name: (client_for(u).post(f"{API}/sessions/{s.pk}/photos", {}).status_code) for name, u in users.items()}
    assert photo == _expect(runners, 422)
    assert Session.objects.get(pk=s.pk).status == "planned"  # nothing changed


def test_record_check_in_close_and_read_credit(frozen: Any, lect: LectureWorld) -> None:
    body = {
        "title": "家风家训宣讲", "region_code": lect.tree.village_a1.code, "place_kind": "field",
        "latitude": "37.123456", "longitude": "122.5", "place": "东山麦田",
        "starts_at": "2026-03-02T09:00:00+08:00", "ends_at": "2026-03-02T10:00:00+08:00",
        "format": "theatre", "team_id": lect.team.pk, "speaker_ids": [lect.head.pk],
    }  # fmt: skip
    created = send(lect.team_leader, "post", f"{API}/sessions", body)
    assert created.status_code == 201, created.content
    out = created.json()
    sid = out["id"]
    assert {
        k: out[k] for k in ("status", "region_code", "town_code", "team_id", "latitude", "format", "starts_at")
    } == {
        "status": "planned",
        "region_code": lect.tree.village_a1.code,
        "town_code": lect.tree.town_a.code,
        "team_id": lect.team.pk,
        "latitude": "37.123456",
        "format": "theatre",
        "starts_at": "2026-03-02T09:00:00+08:00",
    }
    s = Session.objects.get(pk=sid)
    listener, subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:05"))
    checked = send(listener, "post", f"{API}/checkin", {"token": token(s, at("2026-03-02 09:05"))})
    assert (checked.status_code, checked.json()) == (
        201,
        {"session_id": sid, "subject_id": subject.pk, "method": "qr", "at": "2026-03-02T09:05:00+08:00"},
    )
    twice = send(listener, "post", f"{API}/checkin", {"token": token(s, at("2026-03-02 09:05"))})
    assert (twice.status_code, twice["Content-Type"], twice.json()["code"]) == (409, PROBLEM, "already_in")
    number = make_id_number(birth="19390101")
    elder = make_person(lect.tree.village_a1, name="张奶奶", id_number=number, consent=True)
    assisted = send(
        lect.team_leader, "post", f"{API}/sessions/{sid}/attendance",
        {"id_numbers": [number], "subject_ids": [subject.pk], "reason": "老人无手机"},
    )  # fmt: skip
    assert assisted.status_code == 200
    assert assisted.json()["skipped"] == [{"subject_id": subject.pk, "problem": "already_in"}]
    assert [r["subject_id"] for r in assisted.json()["recorded"]] == [elder.pk]
    up = client_for(lect.team_leader).post(
        f"{API}/sessions/{sid}/photos", {"file": SimpleUploadedFile("x.webp", image_bytes("WEBP")), "caption": "演出"}
    )
    assert (up.status_code, up.json()["content_type"], up.json()["caption"]) == (201, "image/webp", "演出")
    fake = client_for(lect.team_leader).post(
        f"{API}/sessions/{sid}/photos", {"file": SimpleUploadedFile("x.jpg", b"plain text, not a photo")}
    )
    assert (fake.status_code, fake.json()["code"]) == (422, "not_an_image")
    detail = send(lect.team_leader, "get", f"{API}/sessions/{sid}").json()
    assert (detail["runs"], sorted(x["name"] for x in detail["listeners"])) == (True, sorted(["listener", "张奶奶"]))
    assert "id_number" not in json.dumps(detail)
    early = send(lect.team_leader, "post", f"{API}/sessions/{sid}/close", {"audience_count": 60})
    assert (early.status_code, early.json()["code"]) == (409, "not_finished")
    frozen.move_to(at("2026-03-02 10:30"))
    closed = send(lect.team_leader, "post", f"{API}/sessions/{sid}/close", {"audience_count": 60})
    assert closed.status_code == 200
    c = closed.json()
    assert {k: c[k] for k in ("listeners", "listener_points", "speakers", "speaker_points", "capped", "order_held")} == {
        "listeners": 2, "listener_points": 2, "speakers": 1, "speaker_points": 3, "capped": 0, "order_held": False,
    }  # fmt: skip
    assert (c["session"]["status"], c["session"]["listener_count"], c["session"]["audience_count"]) == ("closed", 2, 60)
    again = send(lect.admin, "post", f"{API}/sessions/{sid}/close", {})
    assert (again.status_code, again.json()["code"]) == (409, "session_closed")
    mine = send(listener, "get", f"{API}/my-lectures").json()
    assert [(x["session"]["id"], x["role"], x["points"]) for x in mine["attended"]] == [(sid, "listener", 1)]
    given = send(lect.head_user, "get", f"{API}/my-lectures").json()["given"]
    assert [(x["session"]["id"], x["points"]) for x in given] == [(sid, 3)]
    public = send(listener, "get", f"{API}/sessions/{sid}").json()
    assert (public["runs"], public["listeners"], public["checked_in"]) == (False, [], True)


def test_bad_input_is_problem_json(frozen: Any, lect: LectureWorld) -> None:
    base = {
        "title": "宣讲", "region_code": lect.tree.village_a1.code, "place_kind": "other", "place": "广场",
        "starts_at": "2026-03-02T09:00:00+08:00", "ends_at": "2026-03-02T10:00:00+08:00", "speaker_ids": [lect.head.pk],
    }  # fmt: skip
    cases = [
        ({"title": "a\u0000b"}, 422),
        ({"ends_at": "2026-03-02T08:00:00+08:00"}, 422),
        ({"starts_at": "2026-03-02T09:00:00"}, 422),
        ({"region_code": lect.tree.village_b1.code}, 404),  # outside town A's officer's town
        ({"speaker_ids": ["x"]}, 422),
        ({"place_kind": "market", "latitude": "95", "longitude": "122"}, 422),
    ]
    for change, status in cases:
        r = send(lect.town_a, "post", f"{API}/sessions", base | change)
        assert (change, r.status_code, r["Content-Type"]) == (change, status, PROBLEM)
    assert Session.objects.count() == 0
    bad_token = send(lect.head_user, "post", f"{API}/checkin", {"token": "l1.1.2.AAAAAAAAAAAAAAAA"})
    assert (bad_token.status_code, bad_token.json()["code"]) == (422, "invalid_code")
    s = new_session(lect)
    cancel = send(lect.town_a, "post", f"{API}/sessions/{s.pk}/cancel", {"reason": "天气"})
    assert (cancel.status_code, cancel.json()["status"], cancel.json()["cancel_reason"]) == (200, "cancelled", "天气")
    assert Attendance.objects.count() == 0


def test_patch_changes_only_what_is_sent(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect, audience_count=5)
    url = f"{API}/sessions/{s.pk}"
    users = _users(lect)
    statuses = _matrix(users, "patch", url, {"audience_count": 9})
    assert statuses == _expect({"admin", "town_a", "head_user"})
    r = send(lect.head_user, "patch", url, {"title": "新的标题"})
    assert (r.status_code, r.json()["title"], r.json()["audience_count"], r.json()["place"]) == (
        200, "新的标题", 9, "东山社区广场",
    )  # fmt: skip
    bad = send(lect.head_user, "patch", url, {"ends_at": "2026-03-02T08:00:00+08:00"})
    assert (bad.status_code, bad.json()["code"]) == (422, "ends_before_start")
    listener, _subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:00"))
    send(listener, "post", f"{API}/checkin", {"token": token(s, at("2026-03-02 09:00"))})
    moved = send(lect.head_user, "patch", url, {"starts_at": "2026-03-02T08:45:00+08:00"})
    assert (moved.status_code, moved.json()["code"]) == (409, "session_has_listeners")
