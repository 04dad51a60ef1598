"""Reads of adoption links: the board the county sees for a day (which towns, villages and
enterprises have a leader and which towns and villages do not) and each leader's sessions at
their links during the term."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.lectures.models import AdoptionLink, Session, SessionSpeaker, Speaker
from rongxin.lectures.permissions.common import figure_regions, is_lecture_admin
from rongxin.regions.models import Region


def last_day(link: AdoptionLink) -> dt.date:
    """The last day a link is in force: the day before it was ended early, else its term's end."""
    if link.ended_at is not None:
        return min(link.term_end, link.ended_at - dt.timedelta(days=1))
    return link.term_end


@dataclass(frozen=True)
class LinkRow:
    link: AdoptionLink
    last_day: dt.date
    sessions: list[Session]  # the leader's sessions at this link during the term, newest first


@dataclass(frozen=True)
class LinkBoard:
    on: dt.date
    scope: list[Region]
    links: list[LinkRow]  # links in force on the day, by leader
    towns_with: list[Region]
    towns_without: list[Region]
    villages_with: list[Region]
    villages_without: list[Region]
    enterprises: list[tuple[int, str]]  # (credit file number, name) of the adopted enterprises
    leaders_without: list[Speaker]  # active leaders without a link in force on the day
    can_edit: bool
    ended: list[AdoptionLink]  # links of the scope that ended early, newest first (at most 50)


def _scope(actor: User | AnonymousUser | None) -> list[Region]:
    regions = figure_regions(actor)
    if not regions:
        raise NotFound()
    return regions


def _in(regions: list[Region], prefix_field: str) -> Q:
    """Rows whose ``prefix_field`` (a region's code prefix) lies in one of ``regions``."""
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(**{f"{prefix_field}__startswith": region.prefix})
    return q


def links_on(day: dt.date) -> Q:
    """Links in force on ``day`` (started, not past the term's end, not ended early by then)."""
    return Q(term_start__lte=day, term_end__gte=day) & (Q(ended_at__isnull=True) | Q(ended_at__gt=day))


def link_board(*, actor: User | AnonymousUser | None, on: dt.date | None = None) -> LinkBoard:
    """The adoption-link board on ``on`` (today in Beijing by default) for lecture
    administrators and auditors (the county) and town officers (their town). NotFound for
    everyone else."""
    scope = _scope(actor)
    day = on or clock.now().astimezone(clock.LOCAL_TZ).date()
    links = list(
        AdoptionLink.objects.filter(links_on(day))
        .filter(_in(scope, "town__prefix") | _in(scope, "village__prefix"))
        .select_related("speaker", "town", "village", "enterprise")
        .order_by("speaker__name", "speaker_id")
    )
    sessions = _sessions_at_links(links)
    rows = [LinkRow(link, last_day(link), sessions.get(link.pk, [])) for link in links]
    towns = list(Region.objects.filter(_in(scope, "prefix"), level=Region.Level.TOWN).order_by("code"))
    villages = list(
        Region.objects.filter(_in(scope, "prefix"), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    town_ids = {link.town_id for link in links}
    village_ids = {link.village_id for link in links}
    enterprises = sorted({(link.enterprise_id, link.enterprise.name) for link in links})
    linked_leaders = {link.speaker_id for link in links}
    leaders = Speaker.objects.filter(kind=Speaker.Kind.LEADER, active=True).exclude(pk__in=linked_leaders)
    ended = (
        AdoptionLink.objects.filter(ended_at__isnull=False)
        .filter(_in(scope, "town__prefix") | _in(scope, "village__prefix"))
        .select_related("speaker", "town", "village")
        .order_by("-ended_at", "-id")[:50]
    )
    return LinkBoard(
        on=day,
        scope=scope,
        links=rows,
        towns_with=[t for t in towns if t.pk in town_ids],
        towns_without=[t for t in towns if t.pk not in town_ids],
        villages_with=[v for v in villages if v.pk in village_ids],
        villages_without=[v for v in villages if v.pk not in village_ids],
        enterprises=enterprises,
        leaders_without=list(leaders.order_by("name", "id")) if is_lecture_admin(actor) or _county(scope) else [],
        can_edit=is_lecture_admin(actor),
        ended=list(ended),
    )


def _county(scope: list[Region]) -> bool:
    return any(r.level == Region.Level.COUNTY for r in scope)


def _sessions_at_links(links: list[AdoptionLink]) -> dict[int, list[Session]]:
    """For each link, the leader's sessions at their link (``at_link``) within its term: one
    query for all links."""
    if not links:
        return {}
    first = min(link.term_start for link in links)
    last = max(last_day(link) for link in links)
    start = dt.datetime.combine(first, dt.time(), tzinfo=clock.LOCAL_TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=clock.LOCAL_TZ)
    by_speaker: dict[int, list[AdoptionLink]] = defaultdict(list)
    for link in links:
        by_speaker[link.speaker_id].append(link)
    found: dict[int, list[Session]] = defaultdict(list)
    rows = (
        SessionSpeaker.objects.filter(
            speaker_id__in=list(by_speaker),
            at_link=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session", "session__region")
        .order_by("-session__starts_at", "-session_id")
    )
    for row in rows:
        day = row.session.starts_at.astimezone(clock.LOCAL_TZ).date()
        for link in by_speaker[row.speaker_id]:
            if link.term_start <= day <= last_day(link):
                found[link.pk].append(row.session)
    return found


def leader_links(*, actor: User | AnonymousUser | None, speaker_id: int) -> list[AdoptionLink]:
    """Every adoption link of a leader, newest term first (for the board's readers)."""
    _scope(actor)
    return list(
        AdoptionLink.objects.filter(speaker_id=speaker_id)
        .select_related("town", "village", "enterprise")
        .order_by("-term_start")
    )
