"""JSON endpoints of lecture orders (点单–派单–接单–评单), under ``/api/v1/lectures/orders``.

Thin: each endpoint calls one service or selector of :mod:`rongxin.lectures`. Every operation
whose path names an order is gated by :func:`rongxin.lectures.permissions.orders.access_order`
(its orderer, a dispatcher over its region, the dispatched speaker or a leader of the dispatched
team); anyone else gets 404, before the body is read. Times go out in Beijing time with the
offset; dates are ``YYYY-MM-DD``. People appear by display name and role, never by an ID number.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.lectures.models import Order
from rongxin.lectures.permissions.orders import access_order, order_rights
from rongxin.lectures.selectors.orders import (
    EventView,
    order_actions,
    order_detail,
    order_fresh,
    order_list,
    overdue,
)
from rongxin.lectures.services import orders as svc

router = Router(tags=["lectures"])

MAX_OFFSET = 10_000_000


def _local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(clock.LOCAL_TZ)


Instant = Annotated[dt.datetime, AfterValidator(_local)]


# --- Shapes -------------------------------------------------------------------------------------
class OrderIn(Schema):
    orderer_kind: str = Field(description="village, community, school, canteen or enterprise.")
    region_code: str = Field("", description="The village, community or town (12 digits); not for an enterprise.")
    enterprise_id: int | None = Field(None, description="The enterprise you represent (kind enterprise).")
    orderer_name: str = Field("", description="Who orders; an enterprise's own name when blank.")
    topic: str = Field("", description="Required unless a saying is given.")
    saying_id: int | None = Field(None, description="A saying of the published book.")
    preferred_from: dt.date
    preferred_to: dt.date = Field(description="At most 60 days after preferred_from.")
    audience: str
    audience_size: int = Field(description="1 to 5000.")
    place: str
    venue_id: int | None = Field(None, description="A venue in the order's town.")


class OrderQuery(Schema):
    state: str = Field("", description="Only orders in this state.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class DispatchIn(Schema):
    team_id: int | None = Field(None, description="An active lecture team; or give speaker_id.")
    speaker_id: int | None = Field(None, description="An active speaker with an account; or give team_id.")


class ReasonIn(Schema):
    reason: str


class RateIn(Schema):
    rating: int = Field(description="1 to 5.")
    comment: str = ""


class OrderOut(Schema):
    id: int
    state: str
    state_label: str
    orderer_kind: str
    orderer_name: str
    region_code: str
    region_name: str
    topic: str
    saying_id: int | None
    preferred_from: dt.date
    preferred_to: dt.date
    audience: str
    audience_size: int
    place: str
    venue_id: int | None
    ordered_at: Instant
    dispatch_by: Instant
    answer_by: Instant | None
    team_id: int | None
    team_name: str
    speaker_id: int | None
    speaker_name: str
    rating: int | None
    rating_comment: str
    rated_at: Instant | None
    overdue: bool = Field(description="The deadline of the current step (dispatch or answer) has passed.")
    actions: list[str] = Field(description="What you may do with the order now.")


class OrderEventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    at: Instant
    who: str = Field(description="A display name, or the system.")
    role: str
    reason: str
    to: str = Field(description="The team or speaker dispatched to, or who declined.")
    rating: int | None


class OrderDetailOut(OrderOut):
    events: list[OrderEventOut]


class OrderPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[OrderOut]


# --- Presenters ---------------------------------------------------------------------------------
def order_out(order: Order, actions: list[str], *, now: dt.datetime | None = None) -> OrderOut:
    return OrderOut(
        id=order.pk,
        state=order.state,
        state_label=str(Order.State(order.state).label),
        orderer_kind=order.orderer_kind,
        orderer_name=order.orderer_name,
        region_code=order.region.code,
        region_name=order.region.name,
        topic=order.topic,
        saying_id=order.saying_id,
        preferred_from=order.preferred_from,
        preferred_to=order.preferred_to,
        audience=order.audience,
        audience_size=order.audience_size,
        place=order.place,
        venue_id=order.venue_id,
        ordered_at=order.ordered_at,
        dispatch_by=order.dispatch_by,
        answer_by=order.answer_by,
        team_id=order.team_id,
        team_name=order.team.name if order.team is not None else "",
        speaker_id=order.speaker_id,
        speaker_name=order.speaker.name if order.speaker is not None else "",
        rating=order.rating,
        rating_comment=order.rating_comment,
        rated_at=order.rated_at,
        overdue=overdue(order, now or clock.now()),
        actions=actions,
    )


def event_out(e: EventView) -> OrderEventOut:
    return OrderEventOut(
        action=e.action,
        label=e.label,
        from_state=e.from_state,
        to_state=e.to_state,
        at=e.at,
        who=e.who,
        role=e.role,
        reason=e.reason,
        to=e.to,
        rating=e.rating,
    )


def _detail(request: SignedInRequest, order_id: int) -> OrderDetailOut:
    view = order_detail(actor=request.user, order_id=order_id)
    base = order_out(view.order, view.actions)
    return OrderDetailOut(**base.dict(), events=[event_out(e) for e in view.events])


def _after(request: SignedInRequest, order: Order) -> OrderOut:
    order = order_fresh(order.pk)
    return order_out(order, order_actions(order_rights(request.user, order)))


# --- Endpoints ----------------------------------------------------------------------------------
@router.get("/orders", response=OrderPage, operation_id="lectures_orders")
def orders(request: SignedInRequest, filters: Query[OrderQuery]) -> OrderPage:
    """The lecture orders you read: your own, those of the regions you dispatch for (awaiting
    dispatch first) and those dispatched to you or your team; ``state`` filters."""
    rows, total = order_list(actor=request.user, state=filters.state, offset=filters.offset, limit=filters.limit)
    now = clock.now()
    items = [order_out(r.order, order_actions(order_rights(request.user, r.order)), now=now) for r in rows]
    return OrderPage(total=total, offset=filters.offset, limit=filters.limit, items=items)


@router.post("/orders", response={201: OrderOut}, operation_id="lectures_order_create")
def order_create(request: SignedInRequest, payload: OrderIn) -> Status[OrderOut]:
    """Order a lecture for your village, community, school, canteen or enterprise: a topic or a
    saying, preferred dates (from today, at most 60 days apart), the audience and the place."""
    order = svc.order_create(actor=request.user, **payload.dict())
    return Status(201, _after(request, order))


@router.get(
    "/orders/{int:order_id}",
    response=OrderDetailOut,
    operation_id="lectures_order",
    auth=gated(access_order),
)
def order(request: SignedInRequest, order_id: int) -> OrderDetailOut:
    """One lecture order with its history (each step, who took it in which role, the reason)
    and what you may do with it now."""
    return _detail(request, order_id)


@router.post(
    "/orders/{int:order_id}/dispatch",
    response=OrderOut,
    operation_id="lectures_order_dispatch",
    auth=gated(access_order),
)
def order_dispatch(request: SignedInRequest, order_id: int, payload: DispatchIn) -> OrderOut:
    """Dispatch an order awaiting dispatch to one lecture team or one speaker (the centre, or
    the institute of the order's town). 409 if it is not awaiting dispatch."""
    return _after(request, svc.order_dispatch(actor=request.user, order_id=order_id, **payload.dict()))


@router.post(
    "/orders/{int:order_id}/accept",
    response=OrderOut,
    operation_id="lectures_order_accept",
    auth=gated(access_order),
)
def order_accept(request: SignedInRequest, order_id: int) -> OrderOut:
    """Accept an order dispatched to you or to a team you lead. 409 if it is no longer awaiting
    an answer."""
    return _after(request, svc.order_accept(actor=request.user, order_id=order_id))


@router.post(
    "/orders/{int:order_id}/decline",
    response=OrderOut,
    operation_id="lectures_order_decline",
    auth=gated(access_order),
)
def order_decline(request: SignedInRequest, order_id: int, payload: ReasonIn) -> OrderOut:
    """Decline an order dispatched to you or to a team you lead, with a reason; it goes back to
    be dispatched again."""
    return _after(request, svc.order_decline(actor=request.user, order_id=order_id, reason=payload.reason))


@router.post(
    "/orders/{int:order_id}/cancel",
    response=OrderOut,
    operation_id="lectures_order_cancel",
    auth=gated(access_order),
)
def order_cancel(request: SignedInRequest, order_id: int, payload: ReasonIn) -> OrderOut:
    """Cancel an open order with a reason (its orderer, or whoever may dispatch it)."""
    return _after(request, svc.order_cancel(actor=request.user, order_id=order_id, reason=payload.reason))


@router.post(
    "/orders/{int:order_id}/rate",
    response=OrderOut,
    operation_id="lectures_order_rate",
    auth=gated(access_order),
)
def order_rate(request: SignedInRequest, order_id: int, payload: RateIn) -> OrderOut:
    """Rate a held lecture you ordered, 1 to 5 with a comment; once (409 the second time)."""
    return _after(
        request, svc.order_rate(actor=request.user, order_id=order_id, rating=payload.rating, comment=payload.comment)
    )
