"""The volunteering services end to end: registration, teams, activities, sign-up and waiting
list, scans, closing into records and credit, corrections, cancellation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from rongxin.conftest import link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, SubjectCredit
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.services.reconcile import credit_reconcile_fast
from rongxin.subjects.models import Notice
from rongxin.volunteering.domain.volunteers import number_is_valid, volunteer_number
from rongxin.volunteering.models import (
    Activity,
    Correction,
    HoursAward,
    Scan,
    ServiceRecord,
    Signup,
    Volunteer,
)
from rongxin.volunteering.services import (
    activity_cancel,
    activity_close,
    activity_update,
    attendance,
    attendance_assist,
    attendance_code,
    attendance_scan,
    correction_decide,
    correction_request,
    invitation_decline,
    invitation_send,
    signup_cancel,
    signup_create,
    volunteer_register,
)
from rongxin.volunteering.services.activities import ActivityInput
from rongxin.volunteering.tests.conftest import World, at


# --- Volunteers -----------------------------------------------------------------------------
def test_volunteer_numbers_carry_a_check_digit() -> None:
    assert volunteer_number(1) == "RX0000000018"
    assert number_is_valid("RX0000000018")
    assert not number_is_valid("RX0000000017")
    assert not number_is_valid("RX000000018")


def test_registration_is_by_the_person_and_minors_need_a_guardian(world: World) -> None:
    stranger = make_user("stranger")
    with pytest.raises(NotFound):
        volunteer_register(actor=stranger, agree=True)  # no own person record
    kid = make_user("kid")
    link(kid, make_person(world.tree.village_a1, name="小明", id_number=make_id_number(birth="20150101")).subject)
    with pytest.raises(InvalidInput) as e:
        volunteer_register(actor=kid, agree=True)
    assert e.value.errors[0]["field"] == "guardian_name"
    with pytest.raises(InvalidInput) as e:
        volunteer_register(actor=kid, agree=True, guardian_name="王芳", guardian_relation="母亲")
    assert e.value.code == "guardian_required"
    v = volunteer_register(actor=kid, agree=True, guardian_name="王芳", guardian_relation="母亲", guardian_consent=True)
    assert (v.guardian_name, v.guardian_relation) == ("王芳", "母亲")
    assert v.number == volunteer_number(v.pk)
    with pytest.raises(Conflict):
        volunteer_register(actor=kid, agree=True)
    adult = make_user("adult")
    link(adult, make_person(world.tree.village_a2, name="李华").subject)
    with pytest.raises(InvalidInput) as e:
        volunteer_register(actor=adult, agree=False)
    assert e.value.code == "consent_required"
    assert not Volunteer.objects.filter(subject__name="李华").exists()


# --- Activities and sign-up -----------------------------------------------------------------
def test_only_the_teams_organisers_create_activities(world: World) -> None:
    town_b = make_user("town_b", "town_officer", world.tree.town_b)
    data = ActivityInput(
        type_code="elderly_care", title="x", region_code=world.tree.village_a1.code, place="p",
        starts_at=at("2026-03-02 09:00"), ends_at=at("2026-03-02 10:00"), capacity=3,
    )  # fmt: skip
    from rongxin.volunteering.services import activity_create

    for actor in (town_b, world.users[0], make_user("nobody")):
        with pytest.raises(NotFound):
            activity_create(actor=actor, team_id=world.team.pk, data=data)
    assert Activity.objects.count() == 0
    a = activity_create(actor=world.town_a, team_id=world.team.pk, data=data)  # an administrator may
    assert a.status == Activity.Status.DRAFT


def test_risky_types_need_insurance_before_publishing(world: World) -> None:
    with pytest.raises(InvalidInput) as e:
        world.activity(type_code="flood_duty")
    assert e.value.code == "insurance_required"
    a = world.activity(type_code="flood_duty", insured=True)
    assert a.status == Activity.Status.PUBLISHED


def test_capacity_waitlist_and_promotion(world: World) -> None:
    a = world.activity(capacity=2)
    results = [signup_create(actor=u, activity_id=a.pk) for u in world.users]
    assert [r.signup.status for r in results] == ["confirmed", "confirmed", "waitlisted"]
    a.refresh_from_db()
    assert (a.confirmed_count, a.waitlist_count) == (2, 1)
    with pytest.raises(Conflict):
        signup_create(actor=world.users[0], activity_id=a.pk)
    signup_cancel(actor=world.users[0], activity_id=a.pk)
    statuses = dict(Signup.objects.filter(activity=a).values_list("volunteer_id", "status"))
    assert statuses == {
        world.volunteers[0].pk: "cancelled",
        world.volunteers[1].pk: "confirmed",
        world.volunteers[2].pk: "confirmed",
    }
    assert Notice.objects.filter(subject_id=world.volunteers[2].pk, kind="volunteering.promoted").count() == 1
    # More places move the list up; fewer than confirmed is refused.
    with pytest.raises(InvalidInput) as e:
        activity_update(
            actor=world.leader,
            activity_id=a.pk,
            data=ActivityInput(
                type_code="elderly_care",
                title="敬老院陪伴",
                region_code=world.tree.village_a1.code,
                place="p",
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                capacity=1,
            ),
        )
    assert e.value.code == "capacity_below_confirmed"


def test_signup_window_age_and_overlap(world: World, frozen: Any) -> None:
    a = world.activity(min_age=55)
    with pytest.raises(InvalidInput) as e:
        signup_create(actor=world.users[2], activity_id=a.pk)  # born 1972
    assert e.value.code == "too_young"
    b = world.activity(title="重叠的活动", starts_at=at("2026-03-02 11:00"), ends_at=at("2026-03-02 13:00"))
    c = world.activity(title="另一个活动")
    signup_create(actor=world.users[0], activity_id=b.pk)
    result = signup_create(actor=world.users[0], activity_id=c.pk)
    assert len(result.warnings) == 1
    assert "重叠的活动" in result.warnings[0]
    frozen.move_to("2026-03-02 09:00 +0800")
    with pytest.raises(InvalidInput) as e:
        signup_create(actor=world.users[1], activity_id=c.pk)
    assert e.value.code == "signup_closed"


def test_an_invitation_takes_no_place_until_accepted(world: World) -> None:
    a = world.activity(capacity=1)
    invitation_send(actor=world.leader, activity_id=a.pk, volunteer_number=world.volunteers[0].number)
    a.refresh_from_db()
    assert a.confirmed_count == 0
    assert Signup.objects.get(activity=a, volunteer=world.volunteers[0]).status == "invited"
    invitation_decline(actor=world.users[0], activity_id=a.pk)
    assert Signup.objects.get(activity=a, volunteer=world.volunteers[0]).status == "declined"
    invitation_send(actor=world.leader, activity_id=a.pk, volunteer_number=world.volunteers[1].number)
    assert signup_create(actor=world.users[1], activity_id=a.pk).signup.status == "confirmed"
    with pytest.raises(NotFound):
        invitation_send(actor=world.users[0], activity_id=a.pk, volunteer_number=world.volunteers[2].number)


def test_cancelling_notifies_everyone_holding_a_place(world: World) -> None:
    a = world.activity(capacity=1)
    signup_create(actor=world.users[0], activity_id=a.pk)
    signup_create(actor=world.users[1], activity_id=a.pk)
    activity_cancel(actor=world.leader, activity_id=a.pk, reason="台风预警")
    assert set(Notice.objects.filter(kind="volunteering.cancelled").values_list("subject_id", flat=True)) == {
        world.volunteers[0].pk,
        world.volunteers[1].pk,
    }
    assert set(Signup.objects.filter(activity=a).values_list("status", flat=True)) == {"dropped"}
    with pytest.raises(Conflict):
        activity_cancel(actor=world.leader, activity_id=a.pk, reason="again")


# --- Attendance -----------------------------------------------------------------------------
def _scan(world: World, frozen: Any, a: Activity, user_index: int, kind: str, when: str, **geo: Any) -> Any:
    frozen.move_to(f"{when} +0800")
    code = attendance_code(actor=world.leader, activity_id=a.pk)
    return attendance_scan(actor=world.users[user_index], token=code.token, kind=kind, **geo)


def test_scans_replays_and_double_check_ins(world: World, frozen: Any) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    frozen.move_to("2026-03-02 07:30 +0800")
    with pytest.raises(InvalidInput) as e:
        attendance_code(actor=world.leader, activity_id=a.pk)
    assert e.value.code == "too_early"
    frozen.move_to("2026-03-02 08:55 +0800")
    code = attendance_code(actor=world.leader, activity_id=a.pk)
    attendance_scan(actor=world.users[0], token=code.token, kind="in")
    with pytest.raises(Conflict) as e:
        attendance_scan(actor=world.users[0], token=code.token, kind="in")
    assert e.value.code == "replayed_code"
    frozen.move_to("2026-03-02 08:56 +0800")
    fresh = attendance_code(actor=world.leader, activity_id=a.pk)
    with pytest.raises(Conflict) as e:
        attendance_scan(actor=world.users[0], token=fresh.token, kind="in")
    assert e.value.code == "already_checked_in"
    with pytest.raises(InvalidInput) as e:
        attendance_scan(actor=world.users[0], token=code.token, kind="out")  # 60 s later: expired
    assert e.value.code == "expired_code"
    with pytest.raises(InvalidInput) as e:
        attendance_scan(actor=world.users[1], token=fresh.token, kind="in")
    assert e.value.code == "not_signed_up"
    forged = fresh.token[:-2] + ("AA" if not fresh.token.endswith("AA") else "BB")
    with pytest.raises(InvalidInput) as e:
        attendance_scan(actor=world.users[0], token=forged, kind="out")
    assert e.value.code == "invalid_code"
    kept = list(Scan.objects.filter(activity=a).order_by("id").values_list("accepted", "problem"))
    assert kept == [(True, ""), (False, "replayed"), (False, "already_in")]


def test_geofence_flags_and_does_not_drop(world: World, frozen: Any) -> None:
    a = world.activity(latitude="37.165000", longitude="122.486000", geofence_m=200)
    signup_create(actor=world.users[0], activity_id=a.pk)
    result = _scan(world, frozen, a, 0, "in", "2026-03-02 09:00", latitude="37.175000", longitude="122.486000")
    assert result.flags == ["outside_geofence"]
    assert result.scan.accepted
    assert result.scan.distance_m == 1112
    result = _scan(world, frozen, a, 0, "out", "2026-03-02 11:00", latitude="37.165100", longitude="122.486100")
    assert (result.flags, result.scan.distance_m) == ([], 14)


def test_assisted_records_need_a_reason_and_flag_walk_ins(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 09:05 +0800")
    with pytest.raises(InvalidInput):
        attendance_assist(
            actor=world.leader, activity_id=a.pk, volunteer_number=world.volunteers[2].number, kind="in", at=None,
            reason="",
        )  # fmt: skip
    r = attendance_assist(
        actor=world.leader, activity_id=a.pk, volunteer_number=world.volunteers[2].number, kind="in",
        at=at("2026-03-02 09:00"), reason="老人无智能手机",
    )  # fmt: skip
    assert r.flags == ["walk_in"]
    assert r.scan.method == "assisted"
    with pytest.raises(Forbidden):
        attendance_assist(
            actor=world.leader, activity_id=a.pk, volunteer_number=world.leader_volunteer.number, kind="in",
            at=None, reason="自己",
        )  # fmt: skip


def _assist(world: World, frozen: Any, a: Activity, kind: str, when: str) -> Any:
    frozen.move_to(f"{when} +0800")
    return attendance_assist(
        actor=world.leader, activity_id=a.pk, volunteer_number=world.volunteers[0].number, kind=kind,
        at=at(when), reason="手机没电",
    )  # fmt: skip


def test_qr_and_assisted_scans_pass_one_guard_and_accepted_scans_are_numbered(world: World, frozen: Any) -> None:
    # given: v0 confirmed, checked in with their phone
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    _scan(world, frozen, a, 0, "in", "2026-03-02 09:00")
    # when: the organiser records a second check-in, then the check-out; v0 then taps "out"
    with pytest.raises(Conflict) as e:
        _assist(world, frozen, a, "in", "2026-03-02 09:04")
    assert e.value.code == "already_checked_in"
    _assist(world, frozen, a, "out", "2026-03-02 10:00")
    with pytest.raises(Conflict) as e:
        _scan(world, frozen, a, 0, "out", "2026-03-02 10:01")
    assert e.value.code == "not_checked_in"
    # v0 comes back after a break: a second pair is fine
    _scan(world, frozen, a, 0, "in", "2026-03-02 10:30")
    _scan(world, frozen, a, 0, "out", "2026-03-02 11:30")
    # then
    rows = list(
        Scan.objects.filter(activity=a).order_by("id").values_list("kind", "method", "accepted", "problem", "seq")
    )
    assert rows == [
        ("in", "qr", True, "", 1),
        ("in", "assisted", False, "already_in", None),
        ("out", "assisted", True, "", 2),
        ("out", "qr", False, "not_in", None),
        ("in", "qr", True, "", 3),
        ("out", "qr", True, "", 4),
    ]


def test_a_scan_that_loses_the_race_is_judged_again(world: World, frozen: Any, monkeypatch: Any) -> None:
    # given: while v0's phone scan has read v0's past but not yet written, the organiser's assisted
    # check-in for v0 commits with the number the scan is about to ask for
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    frozen.move_to("2026-03-02 09:00 +0800")
    code = attendance_code(actor=world.leader, activity_id=a.pk)
    read_past = attendance._past_scans
    raced: list[Scan] = []

    def past_then_race(activity: Activity, volunteer: Volunteer) -> Any:
        past = read_past(activity, volunteer)
        if not raced:
            raced.append(
                Scan.objects.create(
                    activity=activity,
                    volunteer=volunteer,
                    kind="in",
                    method="assisted",
                    at=clock.now(),
                    accepted=True,
                    seq=1,
                    recorded_by=world.leader,
                    reason="代为签到",
                )
            )
        return past

    monkeypatch.setattr(attendance, "_past_scans", past_then_race)
    # when
    with pytest.raises(Conflict) as e:
        attendance_scan(actor=world.users[0], token=code.token, kind="in")
    # then: refused as a second tap is, and kept as a refused scan
    assert e.value.code == "already_checked_in"
    rows = list(Scan.objects.filter(activity=a).order_by("id").values_list("method", "accepted", "problem", "seq"))
    assert rows == [("assisted", True, "", 1), ("qr", False, "already_in", None)]
    event = AuditEvent.objects.get(action="attendance.in")
    assert event.details == {"accepted": False, "problem": "already_in", "flags": []}


def test_two_accepted_scans_cannot_share_a_number(world: World, frozen: Any) -> None:
    # given: an accepted check-in numbered 1
    a = world.activity()
    v = world.volunteers[0]
    fields = {"activity": a, "volunteer": v, "method": "qr", "at": a.starts_at}
    Scan.objects.create(kind="in", accepted=True, seq=1, **fields)
    # when / then: a second accepted scan with 1, or a refused scan with a number, is refused
    with pytest.raises(IntegrityError), transaction.atomic():
        Scan.objects.create(kind="out", accepted=True, seq=1, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scan.objects.create(kind="in", accepted=False, problem="already_in", seq=2, **fields)
    # refused scans carry no number, as many as there are
    Scan.objects.create(kind="in", accepted=False, problem="already_in", **fields)
    Scan.objects.create(kind="in", accepted=False, problem="already_in", **fields)
    assert list(Scan.objects.filter(activity=a).order_by("id").values_list("accepted", "seq")) == [
        (True, 1),
        (False, None),
        (False, None),
    ]


# --- Closing and credit ---------------------------------------------------------------------
def _attend(world: World, frozen: Any, a: Activity, index: int, start: str, end: str) -> None:
    _scan(world, frozen, a, index, "in", start)
    _scan(world, frozen, a, index, "out", end)


def test_close_turns_verified_hours_into_records_and_credit(world: World, frozen: Any) -> None:
    a = world.activity()
    for u in world.users:
        signup_create(actor=u, activity_id=a.pk)
    _attend(world, frozen, a, 0, "2026-03-02 08:40", "2026-03-02 12:30")  # 3 h inside the window
    _attend(world, frozen, a, 1, "2026-03-02 09:10", "2026-03-02 10:50")  # 1 h 40 → 1.5 h
    _scan(world, frozen, a, 2, "in", "2026-03-02 09:00")  # never checked out
    frozen.move_to("2026-03-02 11:00 +0800")
    with pytest.raises(Conflict) as e:
        activity_close(actor=world.leader, activity_id=a.pk)
    assert e.value.code == "not_finished"
    frozen.move_to("2026-03-02 13:00 +0800")
    with pytest.raises(InvalidInput) as e:
        activity_close(actor=world.leader, activity_id=a.pk, lines={world.volunteers[2].number: {"minutes": 120}})
    assert e.value.code == "note_required"
    result = activity_close(
        actor=world.leader,
        activity_id=a.pk,
        lines={world.volunteers[2].number: {"minutes": 120, "note": "忘记签退，队长现场核实", "rating": "excellent"}},
    )
    assert (result.records, result.minutes, result.points) == (3, 180 + 90 + 120, 3 + 1 + 2)
    records = {r.volunteer_id: r for r in ServiceRecord.objects.filter(activity=a)}
    assert records[world.volunteers[0].pk].minutes == 180
    assert records[world.volunteers[0].pk].flags == ["beyond_window"]
    assert records[world.volunteers[1].pk].minutes == 90
    assert records[world.volunteers[2].pk].flags == ["missing_checkout", "adjusted"]
    assert records[world.volunteers[2].pk].rating == "excellent"
    entries = {e.subject_id: e for e in Entry.objects.filter(source="volunteering").select_related("rule")}
    assert {sid: e.points for sid, e in entries.items()} == {
        world.volunteers[0].pk: 3,
        world.volunteers[1].pk: 1,
        world.volunteers[2].pk: 2,
    }
    assert {e.rule.code for e in entries.values()} == {"P-VOL-01"}
    assert entries[world.volunteers[0].pk].source_key == f"volunteering:{a.pk}:{world.volunteers[0].pk}:r1"
    assert SubjectCredit.objects.get(subject_id=world.volunteers[0].pk).score == 1003
    assert Volunteer.objects.get(pk=world.volunteers[1].pk).total_minutes == 90
    with pytest.raises(Conflict):
        activity_close(actor=world.leader, activity_id=a.pk)
    assert chains_verify()[2] is None
    assert credit_reconcile_fast()[1] == []
    assert AuditEvent.objects.filter(action="activity.close", object_id=str(a.pk)).count() == 1


def test_yearly_diminishing_returns_across_activities(world: World, frozen: Any) -> None:
    """Four 6-hour activities: 6 + 6 + 6 + (2 + 4/2 = 4) points."""
    points = []
    for day in range(2, 6):
        a = world.activity(
            title=f"第{day}天", starts_at=at(f"2026-03-0{day} 08:00"), ends_at=at(f"2026-03-0{day} 14:00")
        )
        signup_create(actor=world.users[0], activity_id=a.pk)
        _attend(world, frozen, a, 0, f"2026-03-0{day} 08:00", f"2026-03-0{day} 14:00")
        frozen.move_to(f"2026-03-0{day} 15:00 +0800")
        points.append(activity_close(actor=world.leader, activity_id=a.pk).points)
    assert points == [6, 6, 6, 4]
    awards = list(HoursAward.objects.order_by("id").values_list("minutes_before", "points"))
    assert awards == [(0, 6), (360, 6), (720, 6), (1080, 4)]


def test_a_correction_appends_a_revision_and_replaces_the_award(world: World, frozen: Any) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    _attend(world, frozen, a, 0, "2026-03-02 09:00", "2026-03-02 10:00")
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    record = ServiceRecord.objects.get(activity=a)
    with pytest.raises(NotFound):
        correction_request(actor=world.users[1], record_id=record.pk, minutes=180, reason="x")
    c = correction_request(actor=world.users[0], record_id=record.pk, minutes=180, reason="签退时手机没电")
    with pytest.raises(Conflict):
        correction_request(actor=world.users[0], record_id=record.pk, minutes=150, reason="again")
    with pytest.raises(NotFound):
        correction_decide(actor=world.users[1], correction_id=c.pk, accept=True)
    with pytest.raises(InvalidInput):
        correction_decide(actor=world.leader, correction_id=c.pk, accept=False)  # a refusal needs a reason
    correction_decide(actor=world.leader, correction_id=c.pk, accept=True)
    assert Correction.objects.get(pk=c.pk).status == "accepted"
    rows = list(
        ServiceRecord.objects.filter(activity=a).order_by("revision").values_list("revision", "minutes", "current")
    )
    assert rows == [(1, 60, False), (2, 180, True)]
    states = dict(Entry.objects.filter(source="volunteering").values_list("source_key", "status"))
    assert states == {
        f"volunteering:{a.pk}:{world.volunteers[0].pk}:r1": "revoked",
        f"volunteering:{a.pk}:{world.volunteers[0].pk}:r2": "active",
    }
    assert SubjectCredit.objects.get(subject_id=world.volunteers[0].pk).score == 1003
    assert Volunteer.objects.get(pk=world.volunteers[0].pk).total_minutes == 180
    assert chains_verify()[2] is None
    assert credit_reconcile_fast()[1] == []


def test_closed_activities_cannot_be_edited(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    with pytest.raises(Conflict) as e:
        activity_cancel(actor=world.leader, activity_id=a.pk, reason="x")
    assert e.value.code == "activity_closed"
    assert dt.datetime.now(dt.UTC).year >= 2026
