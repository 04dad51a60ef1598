"""Ordering a lecture: 点单 (order), 派单 (dispatch), 接单 (accept or decline), 评单 (rate), and
cancelling. Every change of state goes through
:func:`rongxin.lectures.services.order_events.order_transition_append` under the order's row
lock; the right is asked first (NotFound), then the input, then the state (Conflict).

Moving an accepted order to ``held`` is the sessions' closing, not this module's. The deadlines
(no answer in time, preferred dates passed) are applied by :func:`orders_deadlines_apply`, run
by the periodic job ``lectures.orders_deadlines``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.domain.orders import DISPATCHED, OPEN, RATED, next_state
from rongxin.lectures.models import Book, Order, Saying, Session, Speaker
from rongxin.lectures.permissions.orders import (
    answer_role,
    dispatch_grant,
    enterprise_region,
    is_orderer,
    orderer_grant,
    orderer_role,
)
from rongxin.lectures.services.order_events import order_locked, order_transition_append
from rongxin.regions.models import Region, Venue
from rongxin.regions.selectors import region_get_by_code
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Team

MAX_RANGE_DAYS = 60  # from the first to the last preferred day
MAX_AHEAD_DAYS = 366  # how far ahead a lecture may be ordered
MAX_AUDIENCE = 5000
# Stored in the order's history in the county's language (a fact, not a page's words).
TIMEOUT_REASON = "超时未接单"
EXPIRE_REASON = "期望日期已过"


def _text(value: Any, field: str, *, max_length: int, required: bool = True) -> str:
    return clean_text(value, field=field, required=required, max_length=max_length, multiline=False)


def _id(value: Any) -> int | None:
    """An object id as sent (int, or None when not given); anything else is no id."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return -1
    return value


def _date(value: Any, field: str) -> dt.date:
    if value is None or value == "":
        raise field_error(field, _("This field is required."), code="required")
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise field_error(field, _("Enter a date (YYYY-MM-DD)."), code="invalid_date")
    return value


def _whole(value: Any, field: str, *, low: int, high: int) -> int:
    if value is None or value == "":
        raise field_error(field, _("This field is required."), code="required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error(field, _("Enter a whole number."), code="invalid_number")
    if not low <= value <= high:
        raise field_error(
            field, _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}, code="out_of_range"
        )
    return value


def _town(region: Region) -> Region:
    if region.level == Region.Level.VILLAGE and region.parent is not None:
        return region.parent
    return region


def _clean_dates(preferred_from: Any, preferred_to: Any) -> tuple[dt.date, dt.date]:
    first, last = _date(preferred_from, "preferred_from"), _date(preferred_to, "preferred_to")
    today = clock.today_local()
    if first < today:
        raise field_error("preferred_from", _("The preferred dates cannot be in the past."), code="past_date")
    if first > today + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise field_error(
            "preferred_from",
            _("Order at most %(n)d days ahead.") % {"n": MAX_AHEAD_DAYS},
            code="too_far_ahead",
        )
    if last < first:
        raise field_error("preferred_to", _("The last preferred day is before the first."), code="dates_reversed")
    if (last - first).days > MAX_RANGE_DAYS:
        raise field_error(
            "preferred_to",
            _("The preferred dates span at most %(n)d days.") % {"n": MAX_RANGE_DAYS},
            code="range_too_long",
        )
    return first, last


def _locked_or_404(order_id: Any) -> Order:
    order = order_locked(order_id) if isinstance(order_id, int) and not isinstance(order_id, bool) else None
    if order is None:
        raise NotFound()
    return order


def _audit(actor: User | None, role: str, action: str, order: Order, **details: Any) -> None:
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type="lecture_order",
        object_id=order.pk,
        details={"state": order.state, **details},
    )


# --- 点单: ordering ------------------------------------------------------------------------------
@transaction.atomic
def order_create(
    *,
    actor: User,
    region_code: str = "",
    orderer_kind: str,
    orderer_name: str,
    topic: str,
    saying_id: int | None = None,
    preferred_from: dt.date,
    preferred_to: dt.date,
    audience: str,
    audience_size: int,
    place: str,
    venue_id: int | None = None,
    enterprise_id: int | None = None,
) -> Order:
    """A village, community, school, canteen or enterprise orders a lecture: a topic or a saying
    of the published book, preferred dates (from today, at most 60 days apart), the audience and
    the place. The centre or the town's institute is to dispatch it within
    ``RONGXIN_LECTURE_DISPATCH_DAYS``."""
    if not is_orderer(actor):
        raise NotFound()
    if orderer_kind not in Order.Orderer.values:
        raise field_error("orderer_kind", _("Choose who the lecture is for."), code="invalid_choice")
    enterprise: Subject | None = None
    region: Region | None
    if orderer_kind == Order.Orderer.ENTERPRISE:
        wanted = _id(enterprise_id)
        if wanted is None:
            raise field_error("enterprise_id", _("Choose your enterprise."), code="required")
        enterprise = (
            Subject.objects.select_related("village__parent", "town")
            .filter(pk=wanted, kind=Subject.Kind.ENTERPRISE)
            .first()
        )
        region = enterprise_region(enterprise) if enterprise is not None else None
    else:
        if not region_code:
            raise field_error("region_code", _("Choose the village, community or town."), code="required")
        region = region_get_by_code(code=str(region_code), field="region_code")
    grant = orderer_grant(actor, kind=orderer_kind, region=region, enterprise=enterprise)
    if grant is None or region is None:
        raise NotFound()

    # Validation, after the right.
    first, last = _clean_dates(preferred_from, preferred_to)
    size = _whole(audience_size, "audience_size", low=1, high=MAX_AUDIENCE)
    saying: Saying | None = None
    wanted_saying = _id(saying_id)
    if wanted_saying is not None:
        saying = Saying.objects.filter(pk=wanted_saying, book__status=Book.Status.PUBLISHED).first()
        if saying is None:
            raise field_error("saying_id", _("Choose a saying of the published book."), code="unknown_saying")
    topic_text = _text(topic, "topic", max_length=200, required=saying is None) or (saying.text if saying else "")
    # A school or a canteen names itself; a village, community, town or enterprise is its own name.
    named = orderer_kind in (Order.Orderer.SCHOOL, Order.Orderer.CANTEEN)
    name = _text(orderer_name, "orderer_name", max_length=100, required=named) or (
        enterprise.name if enterprise is not None else region.name
    )
    audience_text = _text(audience, "audience", max_length=200)
    place_text = _text(place, "place", max_length=200)
    venue: Venue | None = None
    wanted_venue = _id(venue_id)
    if wanted_venue is not None:
        venue = Venue.objects.select_related("region").filter(pk=wanted_venue).first()
        if venue is None or not _town(region).contains(venue.region):
            raise field_error("venue_id", _("Choose a venue in the order's town."), code="unknown_venue")

    now = clock.now()
    order = Order.objects.create(
        region=region,
        orderer_kind=orderer_kind,
        orderer_name=name,
        enterprise=enterprise,
        ordered_by=actor,
        ordered_at=now,
        topic=topic_text[:200],
        saying=saying,
        preferred_from=first,
        preferred_to=last,
        audience=audience_text,
        audience_size=size,
        place=place_text,
        venue=venue,
        state="",  # the "create" event below makes it "ordered"
        dispatch_by=now + dt.timedelta(days=int(settings.RONGXIN_LECTURE_DISPATCH_DAYS)),
    )
    order_transition_append(order=order, action="create", actor=actor, at=now, details={"role": grant.role})
    _audit(actor, grant.role, "order.create", order, kind=orderer_kind, region=region.code)
    return order


# --- 派单: dispatching ---------------------------------------------------------------------------
@transaction.atomic
def order_dispatch(*, actor: User, order_id: int, team_id: int | None = None, speaker_id: int | None = None) -> Order:
    """The centre or the town's institute sends an order to one lecture team or one speaker, who
    is to answer within ``RONGXIN_LECTURE_ANSWER_DAYS``."""
    order = _locked_or_404(order_id)
    grant = dispatch_grant(actor, order)
    if grant is None:
        raise NotFound()
    wanted_team, wanted_speaker = _id(team_id), _id(speaker_id)
    if (wanted_team is None) == (wanted_speaker is None):
        raise field_error("team_id", _("Choose either a lecture team or a speaker, not both."), code="one_of")
    team: Team | None = None
    speaker: Speaker | None = None
    if wanted_team is not None:
        team = Team.objects.filter(pk=wanted_team, kind=Team.Kind.LECTURE, active=True).first()
        if team is None:
            raise field_error("team_id", _("Choose an active lecture team."), code="unknown_team")
    elif wanted_speaker is not None:
        speaker = Speaker.objects.filter(pk=wanted_speaker, active=True).first()
        if speaker is None:
            raise field_error("speaker_id", _("Choose an active speaker."), code="unknown_speaker")
        if speaker.user_id is None:
            raise field_error(
                "speaker_id", _("This speaker has no account to answer with."), code="speaker_without_account"
            )
    now = clock.now()
    order.team, order.speaker = team, speaker
    order.answer_by = now + dt.timedelta(days=int(settings.RONGXIN_LECTURE_ANSWER_DAYS))
    to = {"team": team.name} if team is not None else {"speaker": speaker.name if speaker else ""}
    order_transition_append(
        order=order,
        action="dispatch",
        actor=actor,
        at=now,
        details={"role": grant.role, **to},
        update_fields=("team", "speaker", "answer_by"),
    )
    _audit(actor, grant.role, "order.dispatch", order, team=team.pk if team else None, speaker=order.speaker_id)
    return order


def _dispatched_to(order: Order) -> dict[str, str]:
    """Whom the order was dispatched to, by name, for its history."""
    if order.team is not None:
        return {"team": order.team.name}
    if order.speaker is not None:
        return {"speaker": order.speaker.name}
    return {}


# --- 接单: answering -----------------------------------------------------------------------------
def _answerer(actor: User, order: Order) -> str:
    role = answer_role(actor, order)
    if role is None:
        raise NotFound()
    return role


@transaction.atomic
def order_accept(*, actor: User, order_id: int) -> Order:
    """The dispatched speaker, or a leader of the dispatched team, takes the order on."""
    order = _locked_or_404(order_id)
    role = _answerer(actor, order)
    order_transition_append(order=order, action="accept", actor=actor, details={"role": role})
    _audit(actor, role, "order.accept", order)
    return order


@transaction.atomic
def order_decline(*, actor: User, order_id: int, reason: str) -> Order:
    """The dispatched speaker, or a leader of the dispatched team, declines with a reason; the
    order goes back to the centre or institute to be dispatched again."""
    order = _locked_or_404(order_id)
    role = _answerer(actor, order)
    why = _text(reason, "reason", max_length=300)
    if next_state(order.state, "decline") is None:
        order_transition_append(order=order, action="decline", actor=actor)  # raises the state's Conflict
    was = _dispatched_to(order)
    order.team, order.speaker, order.answer_by = None, None, None
    order_transition_append(
        order=order,
        action="decline",
        actor=actor,
        reason=why,
        details={"role": role, **was},
        update_fields=("team", "speaker", "answer_by"),
    )
    _audit(actor, role, "order.decline", order)
    return order


# --- Cancelling ---------------------------------------------------------------------------------
@transaction.atomic
def order_cancel(*, actor: User, order_id: int, reason: str) -> Order:
    """The orderer, or whoever may dispatch the order, cancels it with a reason (before it is
    held)."""
    order = _locked_or_404(order_id)
    grant = dispatch_grant(actor, order)
    if order.ordered_by_id == actor.pk:
        role = grant.role if grant is not None else (orderer_role(actor) or "")
    elif grant is not None:
        role = grant.role
    else:
        raise NotFound()
    why = _text(reason, "reason", max_length=300)
    order_transition_append(order=order, action="cancel", actor=actor, reason=why, details={"role": role})
    _audit(actor, role, "order.cancel", order)
    return order


# --- 评单: rating --------------------------------------------------------------------------------
@transaction.atomic
def order_rate(*, actor: User, order_id: int, rating: int, comment: str = "") -> Order:
    """The account that ordered the lecture rates it once it is held: 1 to 5 and a comment.
    Anyone else gets NotFound; a second rating is a Conflict."""
    order = _locked_or_404(order_id)
    if order.ordered_by_id != getattr(actor, "pk", None):
        raise NotFound()
    stars = _whole(rating, "rating", low=1, high=5)
    text = clean_text(comment, field="comment", required=False, max_length=500, fold=True)
    if order.state == RATED:
        raise Conflict(_("You have already rated this lecture."), code="already_rated")
    now = clock.now()
    order.rating, order.rating_comment, order.rated_by, order.rated_at = stars, text, actor, now
    role = orderer_role(actor) or ""
    order_transition_append(
        order=order,
        action="rate",
        actor=actor,
        at=now,
        details={"role": role, "rating": stars},
        update_fields=("rating", "rating_comment", "rated_by", "rated_at"),
    )
    _audit(actor, role, "order.rate", order, rating=stars)
    return order


# --- Deadlines ----------------------------------------------------------------------------------
def _timeout_one(order_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        order = order_locked(order_id)
        if order is None or order.state != DISPATCHED or order.answer_by is None or order.answer_by > now:
            return False
        was = _dispatched_to(order)
        order.team, order.speaker, order.answer_by = None, None, None
        order_transition_append(
            order=order,
            action="timeout",
            actor=None,
            at=now,
            reason=TIMEOUT_REASON,
            details=was,
            update_fields=("team", "speaker", "answer_by"),
        )
        _audit(None, "", "order.timeout", order)
        return True


def _expire_one(order_id: int, now: dt.datetime, today: dt.date) -> bool:
    with transaction.atomic():
        order = order_locked(order_id)
        if order is None or order.state not in OPEN or order.preferred_to >= today or _has_session(order):
            return False
        order_transition_append(order=order, action="expire", actor=None, at=now, reason=EXPIRE_REASON)
        _audit(None, "", "order.expire", order)
        return True


def _has_session(order: Order) -> bool:
    return Session.objects.filter(order=order, status__in=[Session.Status.PLANNED, Session.Status.CLOSED]).exists()


def orders_deadlines_apply() -> tuple[int, int]:
    """Dispatched orders not answered by ``answer_by`` go back to be dispatched again
    (``timeout``); open orders whose last preferred day (Beijing date) has passed expire, unless
    a session for them is planned or held (its closing moves the order on). Each order in its
    own transaction under its lock, so a run can stop anywhere and a second run changes nothing.
    Returns (timed out, expired)."""
    now = clock.now()
    today = clock.today_local()
    late = Order.objects.filter(state=DISPATCHED, answer_by__lte=now).order_by("pk").values_list("pk", flat=True)
    timed_out = sum(_timeout_one(pk, now) for pk in list(late))
    past = (
        Order.objects.filter(state__in=sorted(OPEN), preferred_to__lt=today)
        .exclude(session__status__in=[Session.Status.PLANNED, Session.Status.CLOSED])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = sum(_expire_one(pk, now, today) for pk in list(past))
    return timed_out, expired
