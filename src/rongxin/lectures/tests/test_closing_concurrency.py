"""Races on PostgreSQL, each caller on its own connection, released together:

- ten closes of the same session at the same moment: one closes it, nine are refused, and each
  listener and speaker is credited exactly once;
- twenty taps of one listener's phone on the same code at the same moment: one attendance row,
  the others answered "already checked in";
- one listener's taps on two overlapping sessions at the same moment: one row in all.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, make_person
from rongxin.core.errors import Conflict
from rongxin.credit.models import Entry
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.lectures.models import Attendance, Session
from rongxin.lectures.services.attendance import lecture_checkin
from rongxin.lectures.services.closing import session_close
from rongxin.lectures.tests.conftest import START, LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import new_session, token

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def tree(transactional_db: Any) -> Tree:
    """The departments the migrations seed (a transactional test empties every table), then the tree."""
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    publicity = importlib.import_module("rongxin.lectures.migrations.0002_publicity_department")
    Department.objects.get_or_create(code=publicity.PUBLICITY[0], defaults={"name": publicity.PUBLICITY[1]})
    return Tree()


def test_ten_closes_at_once_credit_once(lect: LectureWorld) -> None:
    with time_machine.travel(START, tick=False):
        s = new_session(lect, audience_count=20)
        for i in range(5):
            person = make_person(lect.tree.village_a1, name=f"听众{i}", consent=True)
            Attendance.objects.create(session=s, subject=person.subject, method="qr", at=s.starts_at)
    admin_pk = lect.admin.pk
    with time_machine.travel(at("2026-03-02 11:00"), tick=False):
        results = in_threads(
            [lambda: session_close(actor=User.objects.get(pk=admin_pk), session_id=s.pk).listeners] * 10, workers=10
        )
    assert sorted(r for r in results if isinstance(r, int)) == [5]
    assert sorted(r.code for r in results if isinstance(r, Conflict)) == ["session_closed"] * 9
    assert Entry.objects.filter(source="lecture").count() == 6
    assert Session.objects.get(pk=s.pk).status == "closed"


def test_twenty_taps_at_once_make_one_row(lect: LectureWorld) -> None:
    with time_machine.travel(START, tick=False):
        s = new_session(lect)
        other = new_session(lect, title="同时段的另一场")
        user, subject = resident_user("listener", lect.tree.village_a1)
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        code, code_other = token(s, at("2026-03-02 09:00")), token(other, at("2026-03-02 09:00"))
        calls = [
            (lambda c=c: lecture_checkin(actor=User.objects.get(pk=user.pk), token=c).pk)
            for c in [code] * 10 + [code_other] * 10
        ]
        results = in_threads(calls, workers=20)
    assert [r for r in results if not isinstance(r, int | Conflict)] == []
    assert len([r for r in results if isinstance(r, int)]) == 1
    assert sorted({r.code for r in results if isinstance(r, Conflict)}) == ["already_in", "elsewhere"]
    assert Attendance.objects.filter(subject=subject).count() == 1
    assert sum(Session.objects.filter(pk__in=[s.pk, other.pk]).values_list("listener_count", flat=True)) == 1
