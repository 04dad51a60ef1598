"""What the lectures hub shows a signed-in user: which parts of the programme are theirs, and the
few numbers that tell them what waits for them (orders to dispatch or answer, sessions coming up
near them, their quota in the current period)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core import clock
from rongxin.lectures.domain.periods import Period, period_containing
from rongxin.lectures.models import Order, Session, SessionSpeaker, Speaker
from rongxin.lectures.permissions.common import (
    ORDERER_ROLES,
    figure_regions,
    is_lecture_admin,
    led_lecture_teams,
    managed_regions,
    own_speaker,
)
from rongxin.lectures.selectors.common import current_book, quota_applies, quota_policy_on
from rongxin.regions.models import Region
from rongxin.volunteering.models import Team
from rongxin.volunteering.permissions import own_person_or_none

UPCOMING_DAYS = 14


@dataclass(frozen=True)
class QuotaNow:
    period: Period
    required: int
    done: int


@dataclass(frozen=True)
class Hub:
    book_title: str | None
    admin: bool
    manages: bool  # dispatches orders and records sessions in their regions
    reads_figures: bool
    orders: bool  # may order a lecture
    listener: bool  # has their own person file (lectures attended, credit)
    speaker: Speaker | None
    teams: list[Team]  # lecture teams the user leads
    to_dispatch: int
    to_answer: int
    upcoming: int  # sessions in the coming days in the user's town (or the regions they run)
    quota: QuotaNow | None


def _in_regions(field: str, regions: list[Region]) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(**{f"{field}__prefix__startswith": region.prefix})
    return q


def upcoming_sessions_count(*, regions: list[Region], now: dt.datetime, days: int = UPCOMING_DAYS) -> int:
    """Planned sessions starting from ``now`` to ``days`` ahead in ``regions``."""
    if not regions:
        return 0
    return (
        Session.objects.filter(
            status=Session.Status.PLANNED, starts_at__gte=now, starts_at__lt=now + dt.timedelta(days=days)
        )
        .filter(_in_regions("region", regions))
        .count()
    )


def _quota_now(speaker: Speaker, today: dt.date) -> QuotaNow | None:
    if not quota_applies(speaker, today):
        return None
    policy = quota_policy_on(today)
    period = period_containing(today, policy.period_months)
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=clock.LOCAL_TZ)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.LOCAL_TZ)
    done = SessionSpeaker.objects.filter(
        speaker=speaker,
        counts_for_quota=True,
        session__status=Session.Status.CLOSED,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).count()
    return QuotaNow(period=period, required=policy.lectures_per_period, done=done)


def lectures_hub(*, actor: User) -> Hub:
    now = clock.now()
    managed = managed_regions(actor)
    speaker = own_speaker(actor)
    teams = led_lecture_teams(actor)
    book = current_book()
    to_dispatch = (
        Order.objects.filter(state=Order.State.ORDERED).filter(_in_regions("region", managed)).count() if managed else 0
    )
    answer = Q(pk__in=[])
    if speaker is not None:
        answer |= Q(speaker=speaker)
    if teams:
        answer |= Q(team__in=teams)
    to_answer = Order.objects.filter(state=Order.State.DISPATCHED).filter(answer).count()
    person = own_person_or_none(actor)
    near: list[Region] = list(managed)
    if not near and person is not None:
        near = [person.subject.town]
    return Hub(
        book_title=book.title if book else None,
        admin=is_lecture_admin(actor),
        manages=bool(managed),
        reads_figures=bool(figure_regions(actor)),
        orders=bool(grants_with_roles(actor, list(ORDERER_ROLES))),
        listener=person is not None,
        speaker=speaker,
        teams=teams,
        to_dispatch=to_dispatch,
        to_answer=to_answer,
        upcoming=upcoming_sessions_count(regions=near, now=now),
        quota=_quota_now(speaker, clock.today_local()) if speaker is not None else None,
    )
