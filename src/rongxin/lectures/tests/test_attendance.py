"""Listeners checking in with the rotating code, and the organiser's assisted record."""

from __future__ import annotations

from typing import Any

import pytest

from rongxin.conftest import make_id_number, make_person
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Attendance, Session
from rongxin.lectures.services.attendance import attendance_assisted, lecture_checkin
from rongxin.lectures.services.sessions import session_cancel
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import new_session, token

pytestmark = pytest.mark.django_db


def _count(s: Session) -> int:
    s.refresh_from_db()
    return s.listener_count


def test_a_listener_checks_in_once(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    user, subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 08:45"))
    row = lecture_checkin(actor=user, token=token(s, at("2026-03-02 08:45")))
    assert (row.subject_id, row.method, row.session_id) == (subject.pk, "qr", s.pk)
    assert _count(s) == 1
    event = AuditEvent.objects.get(action="lecture_attendance.in")
    assert (event.subject_id, event.object_id) == (subject.pk, str(s.pk))
    frozen.move_to(at("2026-03-02 09:10"))
    with pytest.raises(Conflict) as exc:
        lecture_checkin(actor=user, token=token(s, at("2026-03-02 09:10")))
    assert (exc.value.code, str(exc.value.message)) == ("already_in", "已在本场宣讲签到")
    assert Attendance.objects.filter(session=s).count() == 1
    assert _count(s) == 1


def test_two_overlapping_sessions_take_one_check_in(frozen: Any, lect: LectureWorld) -> None:
    first = new_session(lect)
    second = new_session(lect, starts_at=at("2026-03-02 10:00"), ends_at=at("2026-03-02 11:00"))
    later = new_session(lect, starts_at=at("2026-03-02 10:30"), ends_at=at("2026-03-02 11:30"))
    user, _subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:50"))
    lecture_checkin(actor=user, token=token(first, at("2026-03-02 09:50")))
    with pytest.raises(Conflict) as exc:
        lecture_checkin(actor=user, token=token(second, at("2026-03-02 09:50")))
    assert exc.value.code == "elsewhere"
    frozen.move_to(at("2026-03-02 10:30"))
    assert lecture_checkin(actor=user, token=token(later, at("2026-03-02 10:30"))).session_id == later.pk


def test_a_speaker_does_not_check_in_as_a_listener(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    frozen.move_to(at("2026-03-02 09:00"))
    with pytest.raises(Conflict) as exc:
        lecture_checkin(actor=lect.head_user, token=token(s, at("2026-03-02 09:00")))
    assert exc.value.code == "speaker"
    assert Attendance.objects.count() == 0


@pytest.mark.parametrize("when", ["2026-03-02 08:29", "2026-03-02 10:31"])
def test_check_in_is_open_from_half_an_hour_before_until_the_end(frozen: Any, lect: LectureWorld, when: str) -> None:
    s = new_session(lect)
    user, _subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at(when))
    with pytest.raises(Conflict) as exc:
        lecture_checkin(actor=user, token=token(s, at(when)))
    assert exc.value.code == "not_open"


def test_a_cancelled_session_is_not_open(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    session_cancel(actor=lect.admin, session_id=s.pk, reason="下雨")
    user, _subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:00"))
    with pytest.raises(Conflict) as exc:
        lecture_checkin(actor=user, token=token(s, at("2026-03-02 09:00")))
    assert exc.value.code == "not_open"


def test_expired_forged_and_foreign_codes_are_refused(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    user, _subject = resident_user("listener", lect.tree.village_a1)
    frozen.move_to(at("2026-03-02 09:05"))
    old = token(s, at("2026-03-02 09:03"))
    good = token(s, at("2026-03-02 09:05"))
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    cases = {
        old: "expired_code",
        forged: "invalid_code",
        good.replace("l1.", "v1.", 1): "invalid_code",
        f"l1.{s.pk + 1000}.1.AAAAAAAAAAAAAAAA": "invalid_code",
        "l1.١.٢.AAAAAAAAAAAAAAAA": "invalid_code",
        "": "invalid_code",
        "x" * 5000: "invalid_code",
    }
    for value, code in cases.items():
        with pytest.raises(InvalidInput) as exc:
            lecture_checkin(actor=user, token=value)
        assert (exc.value.code, exc.value.errors[0]["field"]) == (code, "token")
    assert Attendance.objects.count() == 0


def test_check_in_needs_ones_own_consenting_file(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    frozen.move_to(at("2026-03-02 09:00"))
    refuser, _subject = resident_user("refuser", lect.tree.village_a1, consent=False)
    for actor in (refuser, lect.admin, lect.town_a):
        with pytest.raises(NotFound):
            lecture_checkin(actor=actor, token=token(s, at("2026-03-02 09:00")))


def test_the_organiser_records_elders_by_id_number(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    numbers = [make_id_number(birth="19400101"), make_id_number(birth="19420202")]
    elders = [
        make_person(lect.tree.village_a1, name=f"老人{i}", id_number=n, consent=True) for i, n in enumerate(numbers)
    ]
    frozen.move_to(at("2026-03-02 10:45"))  # after the end, before closing
    # Full-width digits are read as the same number.
    wide = numbers[1].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    result = attendance_assisted(
        actor=lect.head_user, session_id=s.pk, id_numbers=[numbers[0], wide], reason="老人无手机"
    )
    assert sorted(r.subject_id for r in result.recorded) == sorted(e.pk for e in elders)
    assert {r.method for r in result.recorded} == {"assisted"}
    assert _count(s) == 2
    assert AuditEvent.objects.filter(action="lecture_attendance.assisted").count() == 2
    again = attendance_assisted(
        actor=lect.admin, session_id=s.pk, subject_ids=[elders[0].pk, lect.head.subject_id], reason="补录"
    )
    assert (again.recorded, sorted(again.skipped)) == (
        [],
        sorted([(elders[0].pk, "already_in"), (lect.head.subject_id, "speaker")]),
    )
    assert _count(s) == 2


def test_assisted_bad_input_saves_nothing(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    elder = make_person(lect.tree.village_a1, name="老人", consent=True)
    frozen.move_to(at("2026-03-02 09:30"))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"id_numbers": ["123"]}, "id_length"),
        ({"id_numbers": [make_id_number(birth="19500101")]}, "unknown_person"),
        ({"subject_ids": [elder.pk, 999999]}, "unknown_person"),
        ({"subject_ids": ["1"]}, "invalid_choice"),
        ({}, "required"),
    ]
    for kwargs, code in cases:
        with pytest.raises(InvalidInput) as exc:
            attendance_assisted(actor=lect.admin, session_id=s.pk, reason="无手机", **kwargs)
        assert exc.value.code == code
    with pytest.raises(InvalidInput) as exc:
        attendance_assisted(actor=lect.admin, session_id=s.pk, subject_ids=[elder.pk], reason="\u202e")
    assert exc.value.code == "invalid_text"
    assert Attendance.objects.count() == 0


def test_assisted_is_for_those_who_run_the_session(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    elder = make_person(lect.tree.village_a1, name="老人", consent=True)
    frozen.move_to(at("2026-03-02 09:30"))
    for outsider in (lect.town_b, lect.village_a1, lect.auditor, lect.leader_user, lect.team_leader):
        with pytest.raises(NotFound):
            attendance_assisted(actor=outsider, session_id=s.pk, subject_ids=[elder.pk], reason="无手机")
    organiser, me = resident_user("organiser", lect.tree.village_a1)
    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.services import GrantSpec, grant_add

    grant_add(actor=None, user=organiser, spec=GrantSpec(role=Role.TOWN_OFFICER, region=lect.tree.town_a))
    with pytest.raises(Forbidden):
        attendance_assisted(actor=organiser, session_id=s.pk, subject_ids=[me.pk], reason="自己")


def test_assisted_before_the_window_is_refused(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    elder = make_person(lect.tree.village_a1, name="老人", consent=True)
    with pytest.raises(Conflict) as exc:
        attendance_assisted(actor=lect.admin, session_id=s.pk, subject_ids=[elder.pk], reason="无手机")
    assert exc.value.code == "not_open"
