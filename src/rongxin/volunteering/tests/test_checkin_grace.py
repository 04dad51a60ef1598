"""Check-in grace: a volunteer who checks in a little before the start (within
``RONGXIN_CHECKIN_EARLY_MINUTES``, default 30) is on time; earlier is flagged as outside the
activity's time. Only the time inside the activity counts either way."""

from __future__ import annotations

from typing import Any

import pytest

from rongxin.volunteering.models import Activity, ServiceRecord
from rongxin.volunteering.services import activity_close, attendance_code, attendance_scan, signup_create
from rongxin.volunteering.tests.conftest import World


def _attend(world: World, frozen: Any, a: Activity, index: int, check_in: str, check_out: str) -> None:
    for kind, when in (("in", check_in), ("out", check_out)):
        frozen.move_to(f"{when} +0800")
        code = attendance_code(actor=world.leader, activity_id=a.pk)
        attendance_scan(actor=world.users[index], token=code.token, kind=kind)


def _closed_records(world: World, frozen: Any, a: Activity) -> dict[int, tuple[int, list[str]]]:
    frozen.move_to("2026-03-02 12:30 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    return {r.volunteer_id: (r.minutes, r.flags) for r in ServiceRecord.objects.filter(activity=a)}


def test_a_check_in_within_the_default_grace_is_on_time(world: World, frozen: Any) -> None:
    # given: an activity 09:00–12:00, three volunteers checking in 30, 31 and 0 minutes early
    a = world.activity()
    for u in world.users:
        signup_create(actor=u, activity_id=a.pk)
    _attend(world, frozen, a, 0, "2026-03-02 08:30", "2026-03-02 11:00")
    _attend(world, frozen, a, 1, "2026-03-02 08:29", "2026-03-02 11:00")
    _attend(world, frozen, a, 2, "2026-03-02 09:00", "2026-03-02 11:00")
    # when
    records = _closed_records(world, frozen, a)
    # then: 30 minutes early is within the grace; 31 is flagged; all count from 09:00
    v = world.volunteers
    assert records == {
        v[0].pk: (120, []),
        v[1].pk: (120, ["beyond_window"]),
        v[2].pk: (120, []),
    }


@pytest.mark.parametrize(
    ("grace", "flags"),
    [(10, [["beyond_window"], []]), (0, [["beyond_window"], ["beyond_window"]]), (45, [[], []])],
)
def test_the_grace_is_a_setting(world: World, frozen: Any, settings: Any, grace: int, flags: list[list[str]]) -> None:
    # given: the county sets its own grace; volunteers check in 11 and 10 minutes early
    settings.RONGXIN_CHECKIN_EARLY_MINUTES = grace
    a = world.activity()
    for u in world.users[:2]:
        signup_create(actor=u, activity_id=a.pk)
    _attend(world, frozen, a, 0, "2026-03-02 08:49", "2026-03-02 11:00")
    _attend(world, frozen, a, 1, "2026-03-02 08:50", "2026-03-02 11:00")
    # when
    records = _closed_records(world, frozen, a)
    # then: flagged exactly when earlier than the grace
    v = world.volunteers
    assert records == {v[0].pk: (120, flags[0]), v[1].pk: (120, flags[1])}
