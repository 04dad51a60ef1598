"""My sign-ups: once an activity is over or cancelled, a sign-up no longer reads 已确认 but how it
ended, on the volunteer's page, the activity's page and in the API."""

from __future__ import annotations

import re
from typing import Any

from rongxin.conftest import client_for
from rongxin.volunteering.models import Activity
from rongxin.volunteering.services import (
    activity_cancel,
    activity_close,
    attendance_code,
    attendance_scan,
    signup_create,
)
from rongxin.volunteering.tests.conftest import World, at

API = "/api/v1/volunteering"


def _badge(page: str, signup_id: int) -> str:
    found = re.search(rf'<li id="signup-{signup_id}">.*?<span class="badge signup-(\w+)">([^<]+)</span>', page, re.S)
    assert found is not None
    return f"{found.group(1)}:{found.group(2)}"


def _mine(world: World, index: int) -> dict[int, str]:
    page = client_for(world.users[index]).get("/v/me/").content.decode()
    ids = [int(i) for i in re.findall(r'<li id="signup-(\d+)">', page)]
    return {i: _badge(page, i) for i in ids}


def _detail_badge(world: World, index: int, a: Activity) -> str:
    page = client_for(world.users[index]).get(f"/v/activities/{a.pk}/").content.decode()
    found = re.search(r'<strong class="badge signup-(\w+)">([^<]+)</strong>', page)
    assert found is not None
    return f"{found.group(1)}:{found.group(2)}"


def test_a_sign_up_reads_how_the_activity_ended(world: World, frozen: Any) -> None:
    # given: two volunteers signed up for a morning activity, a third for one later cancelled
    a = world.activity()
    b = world.activity(title="河道清理", starts_at=at("2026-03-03 09:00"), ends_at=at("2026-03-03 11:00"))
    s0 = signup_create(actor=world.users[0], activity_id=a.pk).signup
    s1 = signup_create(actor=world.users[1], activity_id=a.pk).signup
    s2 = signup_create(actor=world.users[2], activity_id=b.pk).signup
    # then: ahead of the activity, confirmed
    assert _mine(world, 0) == {s0.pk: "confirmed:已确认"}
    assert _detail_badge(world, 0, a) == "confirmed:已确认"

    # when: the first attends, the second never comes, the activity is over but not verified
    for kind, when in (("in", "2026-03-02 09:00"), ("out", "2026-03-02 12:00")):
        frozen.move_to(f"{when} +0800")
        code = attendance_code(actor=world.leader, activity_id=a.pk)
        attendance_scan(actor=world.users[0], token=code.token, kind=kind)
    frozen.move_to("2026-03-02 12:30 +0800")
    # then
    assert _mine(world, 0) == {s0.pk: "hours_pending:已结束，待核验时长"}
    assert _mine(world, 1) == {s1.pk: "hours_pending:已结束，待核验时长"}

    # when: the organiser verifies the hours and closes it, and cancels the other activity
    activity_close(actor=world.leader, activity_id=a.pk)
    activity_cancel(actor=world.leader, activity_id=b.pk, reason="河道涨水，改期举行")
    # then: hours verified for who came, no service for who did not, cancelled for the third
    assert _mine(world, 0) == {s0.pk: "hours_verified:已结束，时长已核验"}
    assert _mine(world, 1) == {s1.pk: "no_service:已结束，未记录服务"}
    assert _mine(world, 2) == {s2.pk: "activity_cancelled:活动已取消"}
    assert _detail_badge(world, 0, a) == "hours_verified:已结束，时长已核验"
    assert _detail_badge(world, 1, a) == "no_service:已结束，未记录服务"
    # and the API says the same beside the sign-up's own status
    body = client_for(world.users[1]).get(f"{API}/me").json()
    assert [(s["activity_id"], s["status"], s["state"]) for s in body["signups"]] == [(a.pk, "confirmed", "no_service")]


def test_a_waitlisted_sign_up_of_a_finished_activity_reads_ended(world: World, frozen: Any) -> None:
    # given: a full activity (one place) and a second volunteer on the waiting list
    a = world.activity(capacity=1)
    signup_create(actor=world.users[0], activity_id=a.pk)
    waiting = signup_create(actor=world.users[1], activity_id=a.pk).signup
    assert _mine(world, 1) == {waiting.pk: "waitlisted:候补中"}
    # when: the activity is over
    frozen.move_to("2026-03-02 12:01 +0800")
    # then
    assert _mine(world, 1) == {waiting.pk: "ended:已结束"}
