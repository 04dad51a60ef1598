"""Parallel sign-ups on PostgreSQL: 50 volunteers, each on their own connection, sign up for an
activity with 10 places at the same moment. The activity's row lock must give exactly 10 places
and 40 on the waiting list, with the cached counters equal to the rows."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.accounts.roles import Role
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core import clock
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.volunteering.models import Activity, Signup, Team
from rongxin.volunteering.services import (
    ActivityInput,
    activity_create,
    activity_publish,
    membership_apply,
    membership_decide,
    signup_cancel,
    signup_create,
    team_create,
    volunteer_register,
)
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
def departments(transactional_db: Any) -> None:
    seed = importlib.import_module("rongxin.accounts.migrations.0002_departments")
    for code, name in seed.DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    types = importlib.import_module("rongxin.volunteering.migrations.0002_activity_types_policy")
    from django.apps import apps

    if not apps.get_model("volunteering", "ActivityType").objects.exists():
        types.forward(apps, None)


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
