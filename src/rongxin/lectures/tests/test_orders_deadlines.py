"""The periodic job ``lectures.orders_deadlines`` with time travel: an order not answered in time
goes back to be dispatched; an open order whose preferred dates passed (Beijing date) expires;
a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rongxin.core import clock
from rongxin.core.jobs import discover
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Order, OrderEvent, Session
from rongxin.lectures.services.orders import order_accept, order_dispatch
from rongxin.lectures.tests.conftest import LectureWorld, at
from rongxin.lectures.tests.test_orders_services import new_order

JOB = "lectures.orders_deadlines"


def run() -> str:
    return str(discover()[JOB].func())


def events(order: Order) -> list[tuple[str, str, str, str]]:
    return list(
        OrderEvent.objects.filter(order=order).order_by("id").values_list("action", "from_state", "to_state", "reason")
    )


def test_the_job_is_registered_every_quarter_hour() -> None:
    assert discover()[JOB].every == dt.timedelta(minutes=15)


def test_an_unanswered_order_times_out_back_to_dispatch(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    order_dispatch(actor=lect.town_a, order_id=order.pk, team_id=lect.team.pk)
    frozen.move_to(at("2026-03-03 09:59"))  # answer_by is 03-03 10:00
    assert run() == "0 orders timed out, 0 expired"
    assert Order.objects.get(pk=order.pk).state == "dispatched"
    frozen.move_to(at("2026-03-03 10:00"))
    assert run() == "1 orders timed out, 0 expired"
    order.refresh_from_db()
    assert (order.state, order.team, order.speaker, order.answer_by) == ("ordered", None, None, None)
    last = OrderEvent.objects.filter(order=order).latest("id")
    assert (last.action, last.actor, last.reason, last.details, last.at) == (
        "timeout",
        None,
        "超时未接单",
        {"team": lect.team.name},
        clock.now(),
    )
    audit = AuditEvent.objects.get(action="order.timeout")
    assert (audit.actor, audit.actor_name, audit.object_id) == (None, "system", str(order.pk))
    # Twice is once.
    assert run() == "0 orders timed out, 0 expired"
    assert events(order) == [
        ("create", "", "ordered", ""),
        ("dispatch", "ordered", "dispatched", ""),
        ("timeout", "dispatched", "ordered", "超时未接单"),
    ]
    # The centre dispatches it again, to someone else.
    assert order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.head.pk).state == "dispatched"


def test_an_answered_order_does_not_time_out(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    order_dispatch(actor=lect.town_a, order_id=order.pk, speaker_id=lect.head.pk)
    order_accept(actor=lect.head_user, order_id=order.pk)
    frozen.move_to(at("2026-03-10 09:00"))
    assert run() == "0 orders timed out, 0 expired"
    assert Order.objects.get(pk=order.pk).state == "accepted"


def test_open_orders_expire_after_the_last_preferred_beijing_day(lect: LectureWorld, frozen: Any) -> None:
    ordered = new_order(lect, preferred_to=dt.date(2026, 3, 20))
    dispatched = new_order(lect, preferred_to=dt.date(2026, 3, 20))
    order_dispatch(actor=lect.town_a, order_id=dispatched.pk, speaker_id=lect.head.pk)
    accepted = new_order(lect, preferred_to=dt.date(2026, 3, 20))
    order_dispatch(actor=lect.town_a, order_id=accepted.pk, speaker_id=lect.head.pk)
    order_accept(actor=lect.head_user, order_id=accepted.pk)
    later = new_order(lect, preferred_to=dt.date(2026, 3, 21))
    # The dispatched one times out first (its answer time passed long ago), then expires.
    frozen.move_to(at("2026-03-20 23:59"))
    assert run() == "1 orders timed out, 0 expired"
    # 00:01 in Beijing is still the 20th in UTC: the Beijing date counts.
    frozen.move_to(at("2026-03-21 00:01"))
    assert run() == "0 orders timed out, 3 expired"
    states = {o.pk: o.state for o in Order.objects.all()}
    assert states == {ordered.pk: "expired", dispatched.pk: "expired", accepted.pk: "expired", later.pk: "ordered"}
    assert events(accepted)[-1] == ("expire", "accepted", "expired", "期望日期已过")
    assert AuditEvent.objects.filter(action="order.expire").count() == 3
    assert run() == "0 orders timed out, 0 expired"
    assert OrderEvent.objects.filter(action="expire").count() == 3


def test_final_orders_and_orders_with_a_planned_session_do_not_expire(lect: LectureWorld, frozen: Any) -> None:
    from rongxin.lectures.services.orders import order_cancel

    cancelled = new_order(lect, preferred_to=dt.date(2026, 3, 5))
    order_cancel(actor=lect.village_a1, order_id=cancelled.pk, reason="取消")
    planned = new_order(lect, preferred_to=dt.date(2026, 3, 5))
    order_dispatch(actor=lect.town_a, order_id=planned.pk, team_id=lect.team.pk)
    order_accept(actor=lect.team_leader, order_id=planned.pk)
    Session.objects.create(
        title="乡村振兴宣讲",
        team=lect.team,
        order=planned,
        region=lect.tree.village_a1,
        town=lect.tree.town_a,
        place_kind="site",
        place="东山社区",
        starts_at=at("2026-03-05 09:00"),
        ends_at=at("2026-03-05 10:00"),
        qr_secret=b"s" * 32,
        created_at=clock.now(),
    )
    frozen.move_to(at("2026-03-07 09:00"))
    assert run() == "0 orders timed out, 0 expired"
    assert {o.pk: o.state for o in Order.objects.all()} == {cancelled.pk: "cancelled", planned.pk: "accepted"}


def test_dispatchers_see_overdue_orders_marked(lect: LectureWorld, frozen: Any) -> None:
    from django.urls import reverse

    from rongxin.conftest import client_for

    waiting = new_order(lect)  # dispatch by 03-04 10:00
    answering = new_order(lect)
    order_dispatch(actor=lect.town_a, order_id=answering.pk, team_id=lect.team.pk)  # answer by 03-03 10:00
    frozen.move_to(at("2026-03-03 10:01"))
    rows = client_for(lect.town_a).get(reverse("lectures:order_list")).context["rows"]
    assert [(r.order.pk, r.overdue) for r in rows] == [(waiting.pk, False), (answering.pk, True)]
    frozen.move_to(at("2026-03-04 10:01"))
    rows = client_for(lect.town_a).get(reverse("lectures:order_list")).context["rows"]
    assert [(r.order.pk, r.overdue) for r in rows] == [(waiting.pk, True), (answering.pk, True)]
    page = client_for(lect.town_a).get(reverse("lectures:order_list")).content.decode()
    assert page.count("已逾期") == 2
