"""The order pages: who gets which page and which buttons, forms with their errors in Chinese,
and the whole path 点单–派单–接单–评单 through the browser's requests."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.lectures.models import Order, OrderEvent
from rongxin.lectures.services.orders import order_accept, order_dispatch
from rongxin.lectures.tests.conftest import LectureWorld, resident_user
from rongxin.lectures.tests.test_orders_services import enterprise_rep, hold, new_order

ROLES = ["admin", "town_a", "town_b", "village_a1", "village_b1", "auditor", "team_leader", "head_user", "leader_user"]


def user_of(lect: LectureWorld, role: str) -> Any:
    return None if role == "anonymous" else getattr(lect, role)


def dispatched(lect: LectureWorld) -> Order:
    order = new_order(lect)
    order_dispatch(actor=lect.town_a, order_id=order.pk, team_id=lect.team.pk)
    return order


FORM = {
    "orderer_kind": "village",
    "region_code": "",
    "orderer_name": "东山社区",
    "topic": "移风易俗",
    "preferred_from": "2026-03-05",
    "preferred_to": "2026-03-20",
    "audience": "村民",
    "audience_size": "60",
    "place": "村委会",
}


# --- Permission matrix --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "status"),
    [(r, 200) for r in ROLES] + [("anonymous", 302)],
)
def test_matrix_order_list(lect: LectureWorld, frozen: Any, role: str, status: int) -> None:
    assert client_for(user_of(lect, role)).get(reverse("lectures:order_list")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 404),
        ("town_a", 200),
        ("town_b", 200),
        ("village_a1", 200),
        ("village_b1", 200),
        ("auditor", 404),
        ("team_leader", 404),
        ("head_user", 404),
        ("leader_user", 404),
        ("anonymous", 302),
    ],
)
def test_matrix_order_new(lect: LectureWorld, frozen: Any, role: str, status: int) -> None:
    assert client_for(user_of(lect, role)).get(reverse("lectures:order_new")).status_code == status


DETAIL = {
    "admin": 200,
    "town_a": 200,
    "town_b": 404,
    "village_a1": 200,
    "village_b1": 404,
    "auditor": 404,
    "team_leader": 200,
    "head_user": 404,
    "leader_user": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize(("role", "status"), sorted(DETAIL.items()))
def test_matrix_order_detail(lect: LectureWorld, frozen: Any, role: str, status: int) -> None:
    order = dispatched(lect)
    assert client_for(user_of(lect, role)).get(reverse("lectures:order_detail", args=[order.pk])).status_code == status


# Who may use each action on a dispatched order: 302 back to the order when allowed (or refused
# for its state, as a message), 404 for everyone who may not read the order.
ACTIONS = {
    "order_accept": ({}, {"team_leader"}),
    "order_decline": ({"decline-reason": "没空"}, {"team_leader"}),
    "order_cancel": ({"cancel-reason": "不需要了"}, {"village_a1", "town_a", "admin"}),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_actions(lect: LectureWorld, frozen: Any, action: str, role: str) -> None:
    data, allowed = ACTIONS[action]
    order = dispatched(lect)
    response = client_for(user_of(lect, role)).post(reverse(f"lectures:{action}", args=[order.pk]), data)
    state = Order.objects.get(pk=order.pk).state
    if role == "anonymous":
        assert response.status_code == 302
        assert "/login" in response["Location"]
        assert state == "dispatched"
    elif role in allowed:
        assert response.status_code == 302
        assert response["Location"] == reverse("lectures:order_detail", args=[order.pk])
        assert state == {"order_accept": "accepted", "order_decline": "ordered", "order_cancel": "cancelled"}[action]
    elif DETAIL[role] == 200:
        # May read the order but not do this: the one "not found" page, nothing changed.
        assert response.status_code == 404
        assert state == "dispatched"
    else:
        assert response.status_code == 404
        assert state == "dispatched"


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_dispatch(lect: LectureWorld, frozen: Any, role: str) -> None:
    order = new_order(lect)
    response = client_for(user_of(lect, role)).post(
        reverse("lectures:order_dispatch", args=[order.pk]), {"team_id": str(lect.team.pk)}
    )
    state = Order.objects.get(pk=order.pk).state
    if role in ("admin", "town_a"):
        assert (response.status_code, state) == (302, "dispatched")
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert state == "ordered"


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_matrix_order_rate(lect: LectureWorld, frozen: Any, role: str) -> None:
    order = dispatched(lect)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    hold(order.pk)
    response = client_for(user_of(lect, role)).post(
        reverse("lectures:order_rate", args=[order.pk]), {"rating": "5", "comment": "好"}
    )
    state = Order.objects.get(pk=order.pk).state
    if role == "village_a1":
        assert (response.status_code, state) == (302, "rated")
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)
        assert state == "held"


def test_a_rating_by_a_stranger_is_not_found(lect: LectureWorld, frozen: Any) -> None:
    order = dispatched(lect)
    order_accept(actor=lect.team_leader, order_id=order.pk)
    hold(order.pk)
    stranger, _s = resident_user("stranger", lect.tree.village_a1)
    response = client_for(stranger).post(reverse("lectures:order_rate", args=[order.pk]), {"rating": "1"})
    assert response.status_code == 404
    missing = client_for(stranger).post(reverse("lectures:order_rate", args=[order.pk + 999]), {"rating": "1"})
    assert missing.status_code == 404
    assert response.content.decode().count("未找到") == missing.content.decode().count("未找到")


# --- Buttons ------------------------------------------------------------------------------------
def _buttons(lect: LectureWorld, role: str, order: Order) -> set[str]:
    html = client_for(user_of(lect, role)).get(reverse("lectures:order_detail", args=[order.pk])).content.decode()
    return {
        name
        for name in ("dispatch", "accept", "decline", "cancel", "rate")
        if reverse(f"lectures:order_{name}", args=[order.pk]) in html
    }


def test_each_viewer_sees_only_the_buttons_they_may_use(lect: LectureWorld, frozen: Any) -> None:
    order = new_order(lect)
    assert _buttons(lect, "village_a1", order) == {"cancel"}
    assert _buttons(lect, "town_a", order) == {"dispatch", "cancel"}
    assert _buttons(lect, "admin", order) == {"dispatch", "cancel"}
    order_dispatch(actor=lect.town_a, order_id=order.pk, team_id=lect.team.pk)
    assert _buttons(lect, "team_leader", order) == {"accept", "decline"}
    assert _buttons(lect, "town_a", order) == {"cancel"}
    order_accept(actor=lect.team_leader, order_id=order.pk)
    assert _buttons(lect, "team_leader", order) == set()
    hold(order.pk)
    assert _buttons(lect, "village_a1", order) == {"rate"}
    assert _buttons(lect, "town_a", order) == set()


# --- The path through the pages -------------------------------------------------------------------
def test_order_dispatch_accept_rate_through_the_pages(lect: LectureWorld, frozen: Any) -> None:
    village = client_for(lect.village_a1)
    response = village.post(reverse("lectures:order_new"), {**FORM, "region_code": lect.tree.village_a1.code})
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("lectures:order_detail", args=[order.pk])
    town = client_for(lect.town_a)
    listing = town.get(reverse("lectures:order_list")).content.decode()
    assert "移风易俗" in listing
    assert "待您处理" in listing
    town.post(reverse("lectures:order_dispatch", args=[order.pk]), {"team_id": str(lect.team.pk)})
    client_for(lect.team_leader).post(reverse("lectures:order_accept", args=[order.pk]))
    hold(order.pk)
    village.post(reverse("lectures:order_rate", args=[order.pk]), {"rating": "4", "comment": "很受欢迎"})
    order.refresh_from_db()
    assert (order.state, order.rating, order.rating_comment) == ("rated", 4, "很受欢迎")
    page = village.get(reverse("lectures:order_detail", args=[order.pk])).content.decode()
    for words in ("已点单", "已派单", "已接单", "已宣讲", "已评单", lect.team.name, "4/5"):
        assert words in page
    # Never an ID number on the page (the team leader's file has one), not even masked.
    assert re.search(r"\d{17}[\dX]", page) is None
    assert lect.team_leader.subject_links.get().subject.person.id_number_masked not in page


def test_a_decline_shows_its_reason_in_the_history(lect: LectureWorld, frozen: Any) -> None:
    order = dispatched(lect)
    client_for(lect.team_leader).post(
        reverse("lectures:order_decline", args=[order.pk]), {"decline-reason": "队员外出培训"}
    )
    page = client_for(lect.town_a).get(reverse("lectures:order_detail", args=[order.pk])).content.decode()
    assert "队员外出培训" in page
    assert "已拒单" in page


# --- Bad input on the pages -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"preferred_from": "2026-03-20", "preferred_to": "2026-03-05"}, "preferred_to", "最后一个期望日期早于第一个"),
        ({"preferred_from": "2026-02-01", "preferred_to": "2026-02-05"}, "preferred_from", "期望日期不能早于今天"),
        ({"audience_size": "６０"}, "audience_size", "0-9"),
        ({"audience_size": "٦٠"}, "audience_size", "0-9"),
        ({"preferred_from": "２０２６-03-05"}, "preferred_from", "YYYY-MM-DD"),
        ({"audience_size": "0"}, "audience_size", "1 到 5000"),
        ({"place": "长" * 201}, "place", ""),
        ({"region_code": ""}, "region_code", ""),
    ],
)
def test_the_order_form_shows_errors_beside_their_fields(
    lect: LectureWorld, frozen: Any, over: dict[str, str], field: str, message: str
) -> None:
    data = {**FORM, "region_code": lect.tree.village_a1.code, **over}
    response = client_for(lect.village_a1).post(reverse("lectures:order_new"), data)
    assert response.status_code == 422
    assert Order.objects.count() == 0
    form = response.context["form"]
    assert field in form.errors
    assert message in " ".join(form.errors[field])


def test_the_form_offers_only_the_regions_and_kinds_of_the_orderer(lect: LectureWorld, frozen: Any) -> None:
    form = client_for(lect.village_a1).get(reverse("lectures:order_new")).context["form"]
    assert [c for c, _l in form.fields["region_code"].choices] == ["", lect.tree.village_a1.code]
    assert [c for c, _l in form.fields["orderer_kind"].choices] == ["village", "community", "school"]
    rep = enterprise_rep(lect)
    rep_form = client_for(rep).get(reverse("lectures:order_new")).context["form"]
    assert [c for c, _l in rep_form.fields["orderer_kind"].choices] == ["enterprise"]
    response = client_for(rep).post(
        reverse("lectures:order_new"),
        {**FORM, "orderer_kind": "enterprise", "enterprise_id": str(lect.enterprise.pk), "orderer_name": ""},
    )
    assert response.status_code == 302
    assert Order.objects.get().region == lect.tree.village_b1


@pytest.mark.parametrize("bad", ["移风\x00易俗", "讲座\u202e", "原因\x1b[2J"])
def test_control_characters_are_refused_and_nothing_is_saved(lect: LectureWorld, frozen: Any, bad: str) -> None:
    village = client_for(lect.village_a1)
    response = village.post(
        reverse("lectures:order_new"), {**FORM, "region_code": lect.tree.village_a1.code, "topic": bad}
    )
    assert response.status_code == 400
    assert Order.objects.count() == 0
    order = dispatched(lect)
    response = client_for(lect.team_leader).post(
        reverse("lectures:order_decline", args=[order.pk]), {"decline-reason": bad}
    )
    assert response.status_code == 400
    assert Order.objects.get(pk=order.pk).state == "dispatched"


def test_a_failed_decline_is_shown_again_with_its_error(lect: LectureWorld, frozen: Any) -> None:
    order = dispatched(lect)
    leader = client_for(lect.team_leader)
    response = leader.post(reverse("lectures:order_decline", args=[order.pk]), {"decline-reason": "长" * 301})
    assert response.status_code == 302
    page = leader.get(reverse("lectures:order_detail", args=[order.pk]))
    form = page.context["forms"]["decline"]
    assert "reason" in form.errors
    assert Order.objects.get(pk=order.pk).state == "dispatched"
    assert OrderEvent.objects.filter(order=order, action="decline").count() == 0


def test_a_double_accept_is_a_message_not_an_error_page(lect: LectureWorld, frozen: Any) -> None:
    order = dispatched(lect)
    leader = client_for(lect.team_leader)
    leader.post(reverse("lectures:order_accept", args=[order.pk]))
    second = leader.post(reverse("lectures:order_accept", args=[order.pk]), follow=True)
    assert second.status_code == 200
    assert [str(m) for m in second.context["messages"]][-1].startswith("该点单")
    assert OrderEvent.objects.filter(order=order, action="accept").count() == 1


def test_the_list_filters_by_state_and_puts_awaiting_dispatch_first(lect: LectureWorld, frozen: Any) -> None:
    first = dispatched(lect)
    second = new_order(lect, topic="第二单")
    rows = client_for(lect.admin).get(reverse("lectures:order_list")).context["rows"]
    assert [r.order.pk for r in rows] == [second.pk, first.pk]
    rows = client_for(lect.admin).get(reverse("lectures:order_list") + "?state=dispatched").context["rows"]
    assert [r.order.pk for r in rows] == [first.pk]
    assert client_for(lect.admin).get(reverse("lectures:order_list") + "?state=bogus&page=٣").status_code == 200
