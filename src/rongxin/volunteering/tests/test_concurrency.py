"""Races on PostgreSQL, each caller on its own connection, released together:

- 50 volunteers sign up for an activity with 10 places at the same moment. The activity's row
  lock must give exactly 10 places and 40 on the waiting list, with the cached counters equal
  to the rows.
- 50 check-ins (and then 50 check-outs) of one volunteer at the same moment, half by their
  phone and half by the organiser: exactly one is accepted, the others are refused as a second
  tap is (never a server error), and all are kept.
- Ten identical certificate requests at the same moment: one certificate, returned to all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.volunteering.models import Activity, Certificate, Scan, ServiceRecord, Signup, Team, Volunteer
from rongxin.volunteering.services import (
    ActivityInput,
    activity_create,
    activity_publish,
    attendance_assist,
    attendance_code,
    attendance_scan,
    membership_apply,
    membership_decide,
    signup_cancel,
    signup_create,
    team_create,
    volunteer_register,
)
from rongxin.volunteering.services.certificates import certificate_issue
from rongxin.volunteering.services.people import leader_set

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]

VOLUNTEERS = 50
PLACES = 10


@pytest.fixture(autouse=True)
def seeded(migration_rows: None) -> None:
    """The departments and activity types, which an earlier transactional test may have flushed."""


def _setup() -> tuple[Activity, list[int]]:
    tree = Tree()
    town = make_user("town", Role.TOWN_OFFICER, tree.town_a)
    team = team_create(
        actor=town, name="并发测试队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE, region_code=tree.town_a.code
    )
    leader = make_user("leader", Role.TEAM_LEADER, tree.town_a)
    link(leader, make_person(tree.village_a1, name="队长", id_number=make_id_number(birth="19800101")).subject)
    lv = volunteer_register(actor=leader, agree=True)
    membership_decide(actor=town, membership_id=membership_apply(actor=leader, team_id=team.pk).pk, accept=True)
    leader_set(actor=town, team_id=team.pk, volunteer_number=lv.number)
    users = []
    for i in range(VOLUNTEERS):
        u = make_user(f"p{i}")
        birth = f"19{60 + i % 30:02d}{1 + i % 12:02d}{1 + i // 12:02d}"
        link(u, make_person(tree.village_a1, name=f"志愿者{i}", id_number=make_id_number(birth=birth)).subject)
        volunteer_register(actor=u, agree=True)
        users.append(u.pk)
    start = clock.now() + dt.timedelta(days=1)
    a = activity_create(
        actor=leader,
        team_id=team.pk,
        data=ActivityInput(
            type_code="elderly_care", title="并发报名", region_code=tree.village_a1.code, place="敬老院",
            starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=PLACES,
        ),
    )  # fmt: skip
    return activity_publish(actor=leader, activity_id=a.pk), users


def test_fifty_parallel_signups_for_ten_places() -> None:
    activity, users = _setup()

    def signing(pk: int) -> Any:
        return lambda: signup_create(actor=User.objects.get(pk=pk), activity_id=activity.pk).signup.status

    results = in_threads([signing(pk) for pk in users], workers=VOLUNTEERS)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert results.count("confirmed") == PLACES
    assert results.count("waitlisted") == VOLUNTEERS - PLACES
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waitlist_count) == (PLACES, VOLUNTEERS - PLACES)
    rows = Signup.objects.filter(activity=activity)
    assert rows.filter(status="confirmed").count() == PLACES
    assert rows.filter(status="waitlisted").count() == VOLUNTEERS - PLACES
    # Five confirmed volunteers cancel at once: the first five on the list move up, in order.
    confirmed = list(rows.filter(status="confirmed").values_list("volunteer__subject__account_links__user", flat=True))
    queue = list(rows.filter(status="waitlisted").order_by("queued_at", "id").values_list("volunteer_id", flat=True))

    def cancelling(pk: int) -> Any:
        return lambda: signup_cancel(actor=User.objects.get(pk=pk), activity_id=activity.pk).status

    assert in_threads([cancelling(pk) for pk in confirmed[:5]], workers=5) == ["cancelled"] * 5
    activity.refresh_from_db()
    assert (activity.confirmed_count, activity.waitlist_count) == (PLACES, VOLUNTEERS - PLACES - 5)
    promoted = set(rows.filter(status="confirmed").values_list("volunteer_id", flat=True))
    assert set(queue[:5]) <= promoted
    assert not (set(queue[5:]) & promoted)


def _taps(activity: Activity, volunteer: Volunteer, user_pk: int, leader_pk: int, kind: str) -> list[Any]:
    """25 scans of the current code by the volunteer's phone and 25 assisted records by the
    organiser, all for ``volunteer`` and ``kind``; each call answers the accepted scan's id."""
    code = attendance_code(actor=User.objects.get(pk=leader_pk), activity_id=activity.pk)

    def tap() -> int:
        return attendance_scan(actor=User.objects.get(pk=user_pk), token=code.token, kind=kind).scan.pk

    def assist() -> int:
        return attendance_assist(
            actor=User.objects.get(pk=leader_pk), activity_id=activity.pk, volunteer_number=volunteer.number,
            kind=kind, at=None, reason="手机没电",
        ).scan.pk  # fmt: skip

    return [tap if i % 2 == 0 else assist for i in range(VOLUNTEERS)]


def _outcome(results: list[Any]) -> tuple[list[int], list[str], list[Any]]:
    accepted = [r for r in results if isinstance(r, int)]
    codes = sorted(r.code for r in results if isinstance(r, Conflict))
    others = [r for r in results if not isinstance(r, int | Conflict)]
    return accepted, codes, others


def test_fifty_simultaneous_check_ins_and_check_outs_accept_one_each() -> None:
    # given: one confirmed volunteer, the activity under way
    activity, users = _setup()
    leader = User.objects.get(username="leader")
    user = User.objects.get(pk=users[0])
    signup_create(actor=user, activity_id=activity.pk)
    volunteer = Volunteer.objects.get(subject__account_links__user=user)
    with time_machine.travel(activity.starts_at + dt.timedelta(minutes=5), tick=False):
        # when: 50 check-ins at the same moment
        results = in_threads(_taps(activity, volunteer, user.pk, leader.pk, "in"), workers=VOLUNTEERS)
        # then: one accepted; the rest refused as a second tap is (replayed code for the other
        # phone taps when a phone tap won, else already checked in)
        accepted, codes, others = _outcome(results)
        assert others == []
        assert len(accepted) == 1
        first = Scan.objects.get(pk=accepted[0])
        replays = VOLUNTEERS // 2 - 1 if first.method == "qr" else 0
        assert codes == ["already_checked_in"] * (VOLUNTEERS - 1 - replays) + ["replayed_code"] * replays
    with time_machine.travel(activity.starts_at + dt.timedelta(minutes=6), tick=False):
        # and when: 50 check-outs at the same moment, a minute later (a new code)
        results = in_threads(_taps(activity, volunteer, user.pk, leader.pk, "out"), workers=VOLUNTEERS)
        accepted, codes, others = _outcome(results)
        assert others == []
        assert len(accepted) == 1
        last = Scan.objects.get(pk=accepted[0])
        replays = VOLUNTEERS // 2 - 1 if last.method == "qr" else 0
        assert codes == ["not_checked_in"] * (VOLUNTEERS - 1 - replays) + ["replayed_code"] * replays
    # every attempt is kept; the accepted pair is numbered 1 and 2
    scans = Scan.objects.filter(activity=activity, volunteer=volunteer)
    assert scans.count() == 2 * VOLUNTEERS
    assert list(scans.filter(accepted=True).order_by("seq").values_list("kind", "seq")) == [("in", 1), ("out", 2)]


def test_ten_simultaneous_certificate_requests_issue_one() -> None:
    # given: a volunteer with a verified record yesterday
    activity, users = _setup()
    user = User.objects.get(pk=users[0])
    volunteer = Volunteer.objects.get(subject__account_links__user=user)
    yesterday = clock.today_local() - dt.timedelta(days=1)
    ServiceRecord.objects.create(
        activity=activity, volunteer=volunteer, team=activity.team, service_date=yesterday, place=activity.place,
        content="关爱老人：并发报名", minutes=120, rating="good", recorder=User.objects.get(username="leader"),
        recorded_at=clock.now(),
    )  # fmt: skip

    def asking() -> tuple[str, bool]:
        cert, created = certificate_issue(
            actor=User.objects.get(pk=user.pk), period_from=yesterday, period_to=yesterday
        )
        return cert.number, created

    # when
    results = in_threads([asking] * 10, workers=10)
    # then: one certificate, every caller gets its number, one of them as the creator
    cert = Certificate.objects.get()
    assert sorted(results) == [(cert.number, False)] * 9 + [(cert.number, True)]
    assert (cert.minutes, cert.records) == (120, 1)
