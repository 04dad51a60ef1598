"""Reading lecture orders: each actor's list (their own orders; the orders of the regions they
dispatch for, awaiting dispatch first; the orders dispatched to them), one order with its
history, and what may be dispatched to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.lectures.domain.orders import ACCEPTED, DISPATCHED, HELD, OPEN, ORDERED
from rongxin.lectures.models import Order, OrderEvent, Session, Speaker
from rongxin.lectures.permissions.common import led_lecture_teams, managed_regions, own_speaker, signed_in
from rongxin.lectures.permissions.orders import OrderRights, access_order, order_rights
from rongxin.volunteering.models import Team

# What each step of the history is called.
ACTION_LABELS: dict[str, Any] = {
    "create": pgettext_lazy("lecture order step", "Ordered"),
    "dispatch": pgettext_lazy("lecture order step", "Dispatched"),
    "accept": pgettext_lazy("lecture order step", "Accepted"),
    "decline": pgettext_lazy("lecture order step", "Declined"),
    "timeout": pgettext_lazy("lecture order step", "Not answered in time"),
    "hold": pgettext_lazy("lecture order step", "Held"),
    "rate": pgettext_lazy("lecture order step", "Rated"),
    "cancel": pgettext_lazy("lecture order step", "Cancelled"),
    "expire": pgettext_lazy("lecture order step", "Expired"),
}
# Awaiting dispatch first, then what waits for an answer, then the rest.
_STATE_RANK = {ORDERED: 0, DISPATCHED: 1, ACCEPTED: 2, HELD: 3}


def _scope(actor: User | AnonymousUser | None) -> Q | None:
    """The orders the actor reads, or None for none."""
    if not signed_in(actor):
        return None
    q = Q(ordered_by=actor)
    for region in managed_regions(actor):
        q |= Q(region__prefix__startswith=region.prefix)
    speaker = own_speaker(actor)
    if speaker is not None:
        q |= Q(speaker=speaker)
    teams = [t.pk for t in led_lecture_teams(actor)]
    if teams:
        q |= Q(team_id__in=teams)
    return q


def overdue(order: Order, now: dt.datetime) -> bool:
    """Whether a deadline of the order's current step has passed (dispatch or answer)."""
    if order.state == ORDERED:
        return order.dispatch_by < now
    if order.state == DISPATCHED:
        return order.answer_by is not None and order.answer_by < now
    return False


@dataclass
class OrderRow:
    order: Order
    overdue: bool
    mine_to_act: bool  # the viewer is the one to act next (dispatch, answer or rate)


def _base() -> QuerySet[Order]:
    return Order.objects.select_related("region__parent", "team", "speaker", "saying")


def order_list(
    *, actor: User | AnonymousUser | None, state: str = "", offset: int = 0, limit: int = 50
) -> tuple[list[OrderRow], int]:
    """The orders the actor reads, awaiting dispatch first, then newest first; ``state`` filters
    (an unknown one is ignored). Returns one page and the total."""
    scope = _scope(actor)
    if scope is None:
        return [], 0
    qs = _base().filter(scope)
    if state in Order.State.values:
        qs = qs.filter(state=state)
    rank = Case(
        *[When(state=s, then=Value(n)) for s, n in _STATE_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )
    qs = qs.annotate(rank=rank).order_by("rank", "-ordered_at", "-id")
    total = qs.count()
    now = clock.now()
    rows = []
    for order in qs[offset : offset + limit]:
        rights = order_rights(actor, order)
        rows.append(OrderRow(order=order, overdue=overdue(order, now), mine_to_act=_mine(rights)))
    return rows, total


def _mine(rights: OrderRights) -> bool:
    state = rights.order.state
    return (
        (state == ORDERED and rights.dispatcher)
        or (state == DISPATCHED and rights.answerer)
        or (state == HELD and rights.orderer)
    )


@dataclass
class EventView:
    action: str
    label: str
    from_state: str
    to_state: str
    at: dt.datetime
    who: str  # a display name or "system", never an ID number
    role: str
    reason: str
    to: str  # the team or speaker dispatched to (or who declined), if any
    rating: int | None


@dataclass
class OrderView:
    order: Order
    rights: OrderRights
    events: list[EventView]
    overdue: bool
    actions: list[str] = field(default_factory=list)  # what the viewer may do now
    session: Session | None = None  # the lecture recorded for the order, if any


def order_actions(rights: OrderRights) -> list[str]:
    """The actions the viewer may take on the order in its current state."""
    state = rights.order.state
    out = []
    if state == ORDERED and rights.dispatcher:
        out.append("dispatch")
    if state == DISPATCHED and rights.answerer:
        out += ["accept", "decline"]
    if state in OPEN and (rights.orderer or rights.dispatcher):
        out.append("cancel")
    if state == HELD and rights.orderer:
        out.append("rate")
    if state == ACCEPTED and (rights.answerer or rights.dispatcher):
        out.append("record_session")  # the lecture itself, on the sessions' form
    return out


def _role_label(code: str) -> str:
    if code in Role.values:
        return str(Role(code).label)
    return ""


def order_events(order: Order) -> list[EventView]:
    events = OrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "id")
    out = []
    for e in events:
        details = e.details or {}
        out.append(
            EventView(
                action=e.action,
                label=str(ACTION_LABELS.get(e.action, e.action)),
                from_state=e.from_state,
                to_state=e.to_state,
                at=e.at,
                who=(e.actor.display_name or e.actor.username) if e.actor is not None else str(_("System")),
                role=_role_label(str(details.get("role", ""))),
                reason=e.reason,
                to=str(details.get("team") or details.get("speaker") or ""),
                rating=details.get("rating") if isinstance(details.get("rating"), int) else None,
            )
        )
    return out


def order_detail(*, actor: User | AnonymousUser | None, order_id: int) -> OrderView:
    """One order with its history and what the viewer may do; NotFound unless the actor may
    read it."""
    rights = access_order(actor, order_id=order_id)
    order = rights.order
    session = Session.objects.filter(order=order).first()
    actions = order_actions(rights)
    if session is not None and "record_session" in actions:
        actions.remove("record_session")
    return OrderView(
        order=order,
        rights=rights,
        events=order_events(order),
        overdue=overdue(order, clock.now()),
        actions=actions,
        session=session,
    )


def dispatch_targets() -> tuple[list[Team], list[Speaker]]:
    """The active lecture teams and the active speakers with an account, to dispatch to."""
    teams = list(Team.objects.filter(kind=Team.Kind.LECTURE, active=True).select_related("region").order_by("name"))
    speakers = list(Speaker.objects.filter(active=True, user__isnull=False).select_related("area").order_by("name"))
    return teams, speakers


def order_fresh(order_id: int) -> Order:
    """An order just written by a service, read again for the answer."""
    return Order.objects.select_related("region", "team", "speaker").get(pk=order_id)
