"""The demo stages lectures: the publicity account (the lecture administrator), the lecturer
speaking as a head with the quota, the published book, a branded lecture team, an accepted order
from the demo village and its session starting within the hour."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.lectures.models import Book, Order, OrderEvent, Session, Speaker
from rongxin.lectures.permissions.common import is_lecture_admin
from rongxin.lectures.selectors.common import quota_applies
from rongxin.regions.models import Region
from rongxin.subjects.models import SubjectAccount
from rongxin.synth.demo import demo_accounts_ensure
from rongxin.synth.generator import generate_county
from rongxin.synth.lectures import generate_lectures

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.LOCAL_TZ)  # Monday morning in the county


@pytest.mark.parametrize("with_lectures", [True, False])
def test_the_demo_stages_lectures(db: Any, with_lectures: bool) -> None:
    # given a county, with or without its synthetic lectures
    with time_machine.travel(NOW, tick=False):
        generate_county(scale=0.001, seed=5, as_of=NOW.date(), workers=0)
        catalogue_load_starters()
        if with_lectures:
            generate_lectures(seed=5, now=NOW, scale=0.001)
        # when the demo prepares its accounts, twice
        accounts = {a.username: a for a in demo_accounts_ensure()}
        demo_accounts_ensure()
    # then the publicity account is listed and is the lecture administrator
    publicity = User.objects.get(username="publicity")
    assert is_lecture_admin(publicity)
    grant = publicity.grants.get()
    assert (grant.role, grant.department.code, grant.region.level) == ("department_recorder", "publicity", "county")
    assert accounts["publicity"].region == Region.objects.get(level="county").name
    assert accounts["publicity"].note.startswith("宣讲管理员 · ")
    # the lecturer speaks as a head of the demo town with the quota, with their own credit file
    town = Region.objects.filter(level="town").order_by("code").first()
    village = Region.objects.filter(level="village", parent=town).order_by("code").first()
    assert town is not None
    assert village is not None
    head = Speaker.objects.get(user__username="lecturer")
    assert head.kind == "head"
    assert head.area_id == town.pk
    assert quota_applies(head, NOW.date())
    assert SubjectAccount.objects.filter(user__username="lecturer", subject=head.subject).exists()
    assert "每两个月至少宣讲一次" in accounts["lecturer"].note
    # the book is published
    assert Book.objects.filter(status="published").count() == 1
    # one accepted order from the demo village, dispatched to the town's branded lecture team
    order = Order.objects.get(topic__endswith="（演示）")
    assert order.state == "accepted"
    assert order.region_id == village.pk
    assert list(OrderEvent.objects.filter(order=order).order_by("at", "id").values_list("action", flat=True)) == [
        "create",
        "dispatch",
        "accept",
    ]
    assert order.team is not None
    assert order.team.kind == "lecture"
    assert order.team.region_id == town.pk
    assert order.team.lecture_brand.brand
    # its session is planned within the hour, the lecturer among its speakers
    session = Session.objects.get(order=order)
    assert session.status == "planned"
    assert NOW < session.starts_at <= NOW + dt.timedelta(hours=1)
    assert session.region_id == village.pk
    assert list(session.speakers.values_list("speaker_id", flat=True)) == [head.pk]
    assert session.sayings.count() == 1
    assert Session.objects.filter(status="planned", title__endswith="（演示）").count() == 1
