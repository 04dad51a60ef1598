"""Ordering through the services: who may order, dispatch, answer, cancel and rate; bad input;
the history and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import link, make_user
from rongxin.core import clock
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Book, Order, OrderEvent, Saying
from rongxin.lectures.services.order_events import order_locked, order_transition_append
from rongxin.lectures.services.orders import (
    order_accept,
    order_cancel,
    order_create,
    order_decline,
    order_dispatch,
    order_rate,
)
from rongxin.lectures.tests.conftest import LectureWorld, resident_user
from rongxin.regions.models import Venue
from rongxin.volunteering.services import team_create

D = dt.date


def order_data(lect: LectureWorld, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "actor": lect.village_a1,
        "region_code": lect.tree.village_a1.code,
        "orderer_kind": "village",
        "orderer_name": "东山社区",
        "topic": "乡村振兴与文明新风",
        "preferred_from": D(2026, 3, 5),
        "preferred_to": D(2026, 3, 20),
        "audience": "村民",
        "audience_size": 50,
        "place": "东山社区党群服务中心",
    }
    data.update(over)
    return data


def new_order(lect: LectureWorld, **over: Any) -> Order:
    return order_create(**order_data(lect, **over))


def hold(order_id: int) -> Order:
    """What the sessions' closing does: accepted → held, under the order's lock."""
    from django.db import transaction

    with transaction.atomic():
        order = order_locked(order_id)
        assert order is not None
        order_transition_append(order=order, action="hold", actor=None)
    return Order.objects.get(pk=order_id)


def held_order(lect: LectureWorld, **over: Any) -> Order:
    order = new_order(lect, **over)
    order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    return hold(order.pk)


def enterprise_rep(lect: LectureWorld) -> User:
    rep = make_user("ent_rep", Role.ENTERPRISE_REP, lect.tree.town_b)
    link(rep, lect.enterprise, relation="representative")
    return rep


def published_saying() -> Saying:
    now = clock.now()
    book = Book.objects.create(
        title="金句", version=1, status="published", created_at=now, published_at=now, content_hash="x" * 64
    )
    return Saying.objects.create(book=book, key="S01", number=1, text="绿水青山就是金山银山", interpretation="释义")


def states(order: Order) -> list[tuple[str, str, str]]:
    return list(OrderEvent.objects.filter(order=order).order_by("id").values_list("action", "from_state", "to_state"))


# --- Ordering -----------------------------------------------------------------------------------
def test_a_village_orders_a_lecture(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    assert order.state == "ordered"
    assert order.region == lect.tree.village_a1
    assert order.ordered_by == lect.village_a1
    assert order.dispatch_by == clock.now() + dt.timedelta(days=3)
    assert order.answer_by is None
    assert states(order) == [("create", "", "ordered")]
    audit = AuditEvent.objects.get(action="order.create")
    assert (audit.actor, audit.actor_role, audit.object_type, audit.object_id) == (
        lect.village_a1,
        Role.VILLAGE_OFFICER,
        "lecture_order",
        str(order.pk),
    )


def test_who_may_order_where(lect: LectureWorld, frozen: Any) -> None:
    tree = lect.tree
    # A town officer for a village of their town; not for another town.
    assert new_order(lect, actor=lect.town_a, region_code=tree.village_a2.code, orderer_kind="school").pk
    with pytest.raises(NotFound):
        new_order(lect, actor=lect.town_a, region_code=tree.village_b1.code)
    # A village officer only for their own village.
    with pytest.raises(NotFound):
        new_order(lect, region_code=tree.village_a2.code)
    # Nobody orders for the county as a whole.
    with pytest.raises(NotFound):
        new_order(lect, actor=lect.admin, region_code=tree.county.code)
    # A village officer cannot order as a canteen or an enterprise.
    with pytest.raises(NotFound):
        new_order(lect, orderer_kind="canteen")
    # Roles that do not order: the administrator, the auditor, speakers, team leaders.
    for user in (lect.admin, lect.auditor, lect.head_user, lect.team_leader):
        with pytest.raises(NotFound):
            new_order(lect, actor=user)


def test_a_canteen_manager_orders_for_a_canteen_in_their_region(lect: LectureWorld, frozen: Any) -> None:
    manager = make_user("canteen", Role.CANTEEN_MANAGER, lect.tree.village_b1)
    order = new_order(
        lect, actor=manager, region_code=lect.tree.village_b1.code, orderer_kind="canteen", orderer_name="暖心食堂"
    )
    assert (order.orderer_kind, order.region) == ("canteen", lect.tree.village_b1)
    with pytest.raises(NotFound):
        new_order(lect, actor=manager, region_code=lect.tree.village_b1.code, orderer_kind="village")
    with pytest.raises(NotFound):
        new_order(lect, actor=manager, region_code=lect.tree.village_a1.code, orderer_kind="canteen")


def test_an_enterprise_orders_for_itself_in_its_region(lect: LectureWorld, frozen: Any) -> None:
    rep = enterprise_rep(lect)
    order = new_order(
        lect, actor=rep, region_code="", orderer_kind="enterprise", orderer_name="", enterprise_id=lect.enterprise.pk
    )
    assert (order.region, order.enterprise, order.orderer_name) == (
        lect.tree.village_b1,
        lect.enterprise,
        lect.enterprise.name,
    )
    # Not for an enterprise it does not represent; a village officer not for an enterprise.
    other = make_user("other_rep", Role.ENTERPRISE_REP, lect.tree.town_b)
    with pytest.raises(NotFound):
        new_order(lect, actor=other, orderer_kind="enterprise", enterprise_id=lect.enterprise.pk)
    with pytest.raises(NotFound):
        new_order(lect, orderer_kind="enterprise", enterprise_id=lect.enterprise.pk)
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, actor=rep, orderer_kind="enterprise")
    assert exc.value.errors[0]["field"] == "enterprise_id"


def test_an_order_for_a_saying_takes_its_text_as_topic(lect: LectureWorld, frozen: Any) -> None:
    saying = published_saying()
    order = new_order(lect, topic="", saying_id=saying.pk)
    assert (order.saying, order.topic) == (saying, "绿水青山就是金山银山")
    draft = Book.objects.create(title="草稿", version=2, status="draft", created_at=clock.now())
    in_draft = Saying.objects.create(book=draft, key="S02", number=1, text="草稿金句", interpretation="释义")
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, saying_id=in_draft.pk)
    assert exc.value.errors[0]["field"] == "saying_id"
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, topic="")
    assert exc.value.errors[0]["field"] == "topic"


def test_a_venue_must_be_in_the_orders_town(lect: LectureWorld, frozen: Any) -> None:
    near = Venue.objects.create(
        region=lect.tree.village_a2, kind="lecture_hall", name="西山讲堂", latitude=37, longitude=122
    )
    far = Venue.objects.create(
        region=lect.tree.village_b1, kind="lecture_hall", name="烟墩角讲堂", latitude=37, longitude=122
    )
    assert new_order(lect, venue_id=near.pk).venue == near
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, venue_id=far.pk)
    assert exc.value.errors[0]["field"] == "venue_id"


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"preferred_from": D(2026, 2, 28)}, "preferred_from", "past_date"),
        ({"preferred_from": D(2026, 3, 10), "preferred_to": D(2026, 3, 9)}, "preferred_to", "dates_reversed"),
        ({"preferred_from": D(2026, 3, 1), "preferred_to": D(2026, 5, 1)}, "preferred_to", "range_too_long"),
        ({"preferred_from": D(2027, 6, 1), "preferred_to": D(2027, 6, 2)}, "preferred_from", "too_far_ahead"),
        ({"preferred_from": dt.datetime(2026, 3, 5, 9, 0)}, "preferred_from", "invalid_date"),
        ({"audience_size": 0}, "audience_size", "out_of_range"),
        ({"audience_size": 5001}, "audience_size", "out_of_range"),
        ({"audience_size": "５０"}, "audience_size", "invalid_number"),
        ({"audience_size": True}, "audience_size", "invalid_number"),
        ({"topic": "讲\x00座"}, "topic", "invalid_text"),
        ({"topic": "讲座\u202e"}, "topic", "invalid_text"),
        ({"topic": "长" * 201}, "topic", "too_long"),
        ({"place": "  "}, "place", "required"),
        ({"audience": "村\n民"}, "audience", "invalid_text"),
        ({"orderer_kind": "club"}, "orderer_kind", "invalid_choice"),
        ({"region_code": "999999999999"}, "region_code", "unknown_region"),
    ],
)
def test_bad_input_is_refused_on_its_field(
    lect: LectureWorld, frozen: Any, over: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, **over)
    assert (exc.value.errors[0]["field"], exc.value.errors[0]["code"]) == (field, code)
    assert Order.objects.count() == 0


def test_the_last_allowed_range_and_today_are_accepted(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect, preferred_from=D(2026, 3, 1), preferred_to=D(2026, 4, 30))
    assert (order.preferred_to - order.preferred_from).days == 60


# --- Dispatching and answering -------------------------------------------------------------------
def test_dispatch_accept_hold_rate(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    order = order_dispatch(actor=lect.town_a, order_id=order.pk, team_id=lect.team.pk)
    assert (order.state, order.team, order.speaker) == ("dispatched", lect.team, None)
    assert order.answer_by == clock.now() + dt.timedelta(days=2)
    order = order_accept(actor=lect.team_leader, order_id=order.pk)
    assert order.state == "accepted"
    hold(order.pk)
    order = order_rate(actor=lect.village_a1, order_id=order.pk, rating=5, comment="讲得生动")
    assert (order.state, order.rating, order.rating_comment, order.rated_by) == (
        "rated",
        5,
        "讲得生动",
        lect.village_a1,
    )
    assert states(order) == [
        ("create", "", "ordered"),
        ("dispatch", "ordered", "dispatched"),
        ("accept", "dispatched", "accepted"),
        ("hold", "accepted", "held"),
        ("rate", "held", "rated"),
    ]
    assert list(
        AuditEvent.objects.filter(object_type="lecture_order").order_by("id").values_list("action", "actor_role")
    ) == [
        ("order.create", Role.VILLAGE_OFFICER),
        ("order.dispatch", Role.TOWN_OFFICER),
        ("order.accept", Role.TEAM_LEADER),
        ("order.rate", Role.VILLAGE_OFFICER),
    ]


def test_who_may_dispatch(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    for user in (lect.town_b, lect.village_a1, lect.auditor, lect.team_leader, lect.head_user):
        with pytest.raises(NotFound):
            order_dispatch(actor=user, order_id=order.pk, team_id=lect.team.pk)
    with pytest.raises(NotFound):
        order_dispatch(actor=lect.admin, order_id=order.pk + 1000, team_id=lect.team.pk)
    assert order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.head.pk).speaker == lect.head
    # Not twice.
    with pytest.raises(Conflict):
        order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)


def test_dispatch_needs_exactly_one_active_target(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    service_team = team_create(
        actor=lect.town_a, name="服务队", tier="town_village", kind="service", region_code=lect.tree.town_a.code
    )
    cases = [
        ({}, "team_id", "one_of"),
        ({"team_id": lect.team.pk, "speaker_id": lect.head.pk}, "team_id", "one_of"),
        ({"team_id": service_team.pk}, "team_id", "unknown_team"),
        ({"speaker_id": 99999}, "speaker_id", "unknown_speaker"),
    ]
    for kwargs, field, code in cases:
        with pytest.raises(InvalidInput) as exc:
            order_dispatch(actor=lect.admin, order_id=order.pk, **kwargs)
        assert (exc.value.errors[0]["field"], exc.value.errors[0]["code"]) == (field, code)
    lect.head.active = False
    lect.head.save()
    with pytest.raises(InvalidInput):
        order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.head.pk)
    assert Order.objects.get(pk=order.pk).state == "ordered"


def test_only_the_dispatched_speaker_or_team_leader_answers(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.head.pk)
    for user in (lect.leader_user, lect.team_leader, lect.admin, lect.village_a1, lect.town_a):
        with pytest.raises(NotFound):
            order_accept(actor=user, order_id=order.pk)
        with pytest.raises(NotFound):
            order_decline(actor=user, order_id=order.pk, reason="没空")
    assert order_accept(actor=lect.head_user, order_id=order.pk).state == "accepted"
    with pytest.raises(Conflict):
        order_accept(actor=lect.head_user, order_id=order.pk)
    with pytest.raises(Conflict):
        order_decline(actor=lect.head_user, order_id=order.pk, reason="改主意")


def test_a_decline_needs_a_reason_and_returns_the_order_for_dispatch(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    order_dispatch(actor=lect.admin, order_id=order.pk, team_id=lect.team.pk)
    with pytest.raises(InvalidInput) as exc:
        order_decline(actor=lect.team_leader, order_id=order.pk, reason=" ")
    assert exc.value.errors[0]["field"] == "reason"
    order = order_decline(actor=lect.team_leader, order_id=order.pk, reason="队员外出培训")
    assert (order.state, order.team, order.speaker, order.answer_by) == ("ordered", None, None, None)
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert (event.action, event.reason, event.details["team"], event.actor) == (
        "decline",
        "队员外出培训",
        lect.team.name,
        lect.team_leader,
    )
    # The team that declined no longer reaches the order; it can be dispatched again.
    with pytest.raises(NotFound):
        order_accept(actor=lect.team_leader, order_id=order.pk)
    assert order_dispatch(actor=lect.admin, order_id=order.pk, speaker_id=lect.leader.pk).state == "dispatched"


# --- Cancelling and rating -----------------------------------------------------------------------
def test_who_may_cancel(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    for user in (lect.town_b, lect.auditor, lect.team_leader, lect.village_b1):
        with pytest.raises(NotFound):
            order_cancel(actor=user, order_id=order.pk, reason="不需要了")
    with pytest.raises(InvalidInput):
        order_cancel(actor=lect.village_a1, order_id=order.pk, reason="")
    assert order_cancel(actor=lect.village_a1, order_id=order.pk, reason="村里有事").state == "cancelled"
    with pytest.raises(Conflict):
        order_cancel(actor=lect.village_a1, order_id=order.pk, reason="再取消")
    other = new_order(lect)
    order_dispatch(actor=lect.admin, order_id=other.pk, team_id=lect.team.pk)
    assert order_cancel(actor=lect.town_a, order_id=other.pk, reason="重复点单").state == "cancelled"


def test_rating_only_by_the_orderer_only_once_only_when_held(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    with pytest.raises(Conflict):
        order_rate(actor=lect.village_a1, order_id=order.pk, rating=5, comment="")
    order = held_order(lect)
    stranger, _subject = resident_user("stranger", lect.tree.village_a1)
    for user in (stranger, lect.town_a, lect.admin, lect.team_leader, lect.village_b1):
        with pytest.raises(NotFound):
            order_rate(actor=user, order_id=order.pk, rating=5, comment="好")
    for bad in (0, 6, "５", None):
        with pytest.raises(InvalidInput):
            order_rate(actor=lect.village_a1, order_id=order.pk, rating=bad, comment="")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        order_rate(actor=lect.village_a1, order_id=order.pk, rating=4, comment="评" * 501)
    order_rate(actor=lect.village_a1, order_id=order.pk, rating=4, comment="不错")
    with pytest.raises(Conflict) as exc:
        order_rate(actor=lect.village_a1, order_id=order.pk, rating=5, comment="再评")
    assert exc.value.code == "already_rated"
    assert Order.objects.get(pk=order.pk).rating == 4


def test_a_village_left_unnamed_orders_under_its_own_name_a_school_must_name_itself(
    lect: LectureWorld, frozen: Any
) -> None:
    # when
    order = new_order(lect, orderer_name="")
    # then
    assert order.orderer_name == lect.tree.village_a1.name
    with pytest.raises(InvalidInput) as exc:
        new_order(lect, orderer_kind="school", orderer_name="  ")
    assert [(e["field"], e["code"]) for e in exc.value.errors] == [("orderer_name", "required")]
    assert Order.objects.count() == 1
