"""Exact values of the pure rules: service time from scans, hours into points, QR codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import pytest

from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.conversion import Policy, attendance_from_scans, validate_brackets

TZ = dt.timezone(dt.timedelta(hours=8))
P = Policy()


def h(hours: float) -> int:
    return round(hours * 60)


@pytest.mark.parametrize(
    ("hours", "points"),
    [
        (0, Fraction(0)),
        (1, Fraction(1)),
        (20, Fraction(20)),
        (21, Fraction(41, 2)),
        (22, Fraction(21)),
        (80, Fraction(50)),
        (83, Fraction(51)),
        (200, Fraction(90)),
        (204, Fraction(91)),
        (240, Fraction(100)),
        (300, Fraction(115)),
    ],
)
def test_curve_across_brackets(hours: int, points: Fraction) -> None:
    assert P.curve(h(hours)) == points


@pytest.mark.parametrize(
    ("before", "minutes", "points_before", "expected"),
    [
        (h(0), h(3), 0, 3),  # bracket 1: a point an hour
        (h(19), h(2), 19, 1),  # 19→21 h: 1 point (hour 20) + half a point carried
        (h(21), h(1), 20, 1),  # 21→22 h: the carried half completes
        (h(79), h(3), 49, 1),  # 79→82: floor(50⅔) − floor(49½) = 1
        (h(199), h(5), 89, 2),  # 199→204: floor(91) − floor(89⅔) = 2
        (h(236), h(8), 99, 1),  # the cap: 101 − 99 would be 2, cap leaves 1
        (h(240), h(10), 100, 0),  # cap reached
        (h(0), h(2.5), 0, 2),  # half hours carry, never round up
    ],
)
def test_points_for_a_record(before: int, minutes: int, points_before: int, expected: int) -> None:
    assert P.points(minutes_before=before, minutes=minutes, points_before=points_before) == expected


def test_a_years_points_do_not_depend_on_how_hours_are_split() -> None:
    total, before, got = 0, 0, 0
    for m in [h(1.5)] * 100 + [h(3.5)] * 30:  # 255 h in 130 records
        p = P.points(minutes_before=before, minutes=m, points_before=got)
        got += p
        before += m
        total += m
    assert total == h(255)
    assert got == 100  # 240 h reach the cap; the same as one record of 255 h
    assert P.points(minutes_before=0, minutes=h(255), points_before=0) == 100


def test_rounding_is_down_to_the_step() -> None:
    assert [P.round(m) for m in (0, 29, 30, 59, 60, 89, 179)] == [0, 0, 30, 30, 60, 60, 150]
    assert Policy(rounding_minutes=15).round(44) == 30


def test_custom_brackets_and_cap() -> None:
    p = Policy(brackets=[[10, 1], [None, 2]], yearly_cap=12, rounding_minutes=30)
    assert p.curve(h(14)) == 12
    assert p.points(minutes_before=0, minutes=h(30), points_before=0) == 12


@pytest.mark.parametrize(
    "bad",
    [[], [[10, 0], [None, 1]], [[10, 1], [5, 2], [None, 3]], [[10, 1]], [[None, 1], [None, 2]], "x"],
)
def test_bad_brackets_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        validate_brackets(bad)


@dataclass
class S:
    kind: str
    at: dt.datetime
    accepted: bool = True
    problem: str = ""
    flags: list[str] = field(default_factory=list)


def t(hm: str) -> dt.datetime:
    hour, minute = hm.split(":")
    return dt.datetime(2026, 3, 2, int(hour), int(minute), tzinfo=TZ)


START, END = t("09:00"), t("12:00")


def test_time_is_clipped_to_the_window_and_rounded_down() -> None:
    # Arrived 08:20 (travel and waiting do not count), left 12:40: 3 h of service.
    a = attendance_from_scans([S("in", t("08:20")), S("out", t("12:40"))], starts_at=START, ends_at=END, policy=P)
    assert (a.raw_minutes, a.minutes) == (180, 180)
    assert a.flags == ["beyond_window"]
    a = attendance_from_scans([S("in", t("09:10")), S("out", t("11:05"))], starts_at=START, ends_at=END, policy=P)
    assert (a.raw_minutes, a.minutes, a.flags) == (115, 90, [])
    assert (a.started_at, a.ended_at) == (t("09:10"), t("11:05"))


def test_two_stints_add_up_and_refused_scans_flag_duplicates() -> None:
    scans = [
        S("in", t("09:00")),
        S("in", t("09:01"), accepted=False, problem="already_in"),
        S("out", t("10:00")),
        S("in", t("10:30")),
        S("out", t("11:30"), flags=["outside_geofence"]),
    ]
    a = attendance_from_scans(scans, starts_at=START, ends_at=END, policy=P)
    assert a.minutes == 120
    assert a.flags == ["duplicate_scans", "outside_geofence"]


def test_check_in_without_check_out_earns_nothing_and_is_flagged() -> None:
    a = attendance_from_scans([S("in", t("09:00"))], starts_at=START, ends_at=END, policy=P)
    assert (a.minutes, a.flags) == (0, ["missing_checkout"])


def test_qr_tokens_rotate_and_expire() -> None:
    secret = b"k" * 32
    now = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=TZ)
    token = tokens.token_for(secret=secret, activity_id=7, at=now)
    parsed = tokens.parse(token)
    assert parsed is not None
    assert parsed.activity_id == 7
    assert tokens.check(parsed, secret=secret, at=now) == "ok"
    assert tokens.check(parsed, secret=secret, at=now + dt.timedelta(seconds=30)) == "ok"  # the next step
    assert tokens.check(parsed, secret=secret, at=now + dt.timedelta(seconds=60)) == "expired"
    assert tokens.check(parsed, secret=b"x" * 32, at=now) == "forged"
    assert tokens.token_for(secret=secret, activity_id=7, at=now + dt.timedelta(seconds=30)) != token
    other = tokens.parse(token.replace("v1.7.", "v1.8."))
    assert other is not None
    assert tokens.check(other, secret=secret, at=now) == "forged"
    assert tokens.parse("v1.7.x") is None
    assert tokens.parse("garbage") is None
