"""The choices lecture forms offer: regions, lecture teams, practice sites and venues, speakers
and sayings, each limited to what the actor may use."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.lectures.models import Saying, Speaker
from rongxin.lectures.permissions.common import is_lecture_admin, managed_regions, own_speaker, signed_in
from rongxin.lectures.permissions.orders import access_order
from rongxin.lectures.selectors.common import current_book
from rongxin.lectures.selectors.sessions import led_team_ids
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.volunteering.models import Team


def _within(roots: list[Region], field: str = "prefix") -> Q:
    cond = Q(pk__in=[])
    for r in roots:
        cond |= Q(**{f"{field}__startswith": r.prefix})
    return cond


def _unrestricted(roots: list[Region]) -> bool:
    return not roots or any(r.level == Region.Level.COUNTY for r in roots)


# --- Regions --------------------------------------------------------------------------------------
def order_region_choices(roots: list[Region]) -> list[tuple[str, str]]:
    """``(code, label)`` of every region within ``roots`` (a village labelled "town · village")."""
    if not roots:
        return []
    qs = Region.objects.filter(_within(roots)).select_related("parent").order_by("code").distinct()
    return [
        (r.code, f"{r.parent.name} · {r.name}" if r.level == Region.Level.VILLAGE and r.parent else r.name) for r in qs
    ]


def session_region_choices(roots: list[Region]) -> list[tuple[str, str]]:
    """``(code, label)`` of the towns and villages within ``roots`` (all of them for the county or
    no root at all: the service decides then)."""
    qs = Region.objects.filter(level__in=[Region.Level.TOWN, Region.Level.VILLAGE]).select_related("parent")
    if not _unrestricted(roots):
        qs = qs.filter(_within(roots))
    return [
        (r.code, f"{r.parent.name} · {r.name}" if r.level == Region.Level.VILLAGE and r.parent else r.name)
        for r in qs.order_by("code")
    ]


def recording_regions(actor: User | AnonymousUser | None) -> list[Region]:
    """The regions the actor records lectures in: those they manage, else those of their team
    leader and lecturer grants (empty: no limit known)."""
    if not signed_in(actor):
        return []
    regions = managed_regions(actor)
    if regions:
        return regions
    return [g.region for g in grants_with_roles(actor, [Role.TEAM_LEADER, Role.LECTURER])]


# --- Lecture teams --------------------------------------------------------------------------------
def _lecture_teams() -> QuerySet[Team]:
    return Team.objects.filter(kind=Team.Kind.LECTURE, active=True).select_related("region")


def recordable_teams(actor: User | AnonymousUser | None, *, order_id: int | None = None) -> list[Team]:
    """The active lecture teams ``actor`` may record a session for: all for a lecture
    administrator, those of their towns for a town officer, those they lead, and a speaker's own
    team. For an order the order's team only (none when the order has none or is not the
    actor's to see)."""
    if not signed_in(actor):
        return []
    assert isinstance(actor, User)
    if order_id is not None:
        try:
            order = access_order(actor, order_id=order_id).order
        except NotFound:  # no choice; the service answers the same
            return []
        return [order.team] if order.team is not None and order.team.active else []
    if is_lecture_admin(actor):
        return list(_lecture_teams().order_by("region__code", "name", "id"))
    cond = Q(pk__in=led_team_ids(actor))
    towns = [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER])]
    if towns:
        cond |= _within(towns, "region__prefix")
    me = own_speaker(actor)
    if me is not None and me.team_id is not None:
        cond |= Q(pk=me.team_id)
    return list(_lecture_teams().filter(cond).order_by("region__code", "name", "id"))


# --- Places ---------------------------------------------------------------------------------------
def _place_label(region: Region, name: str) -> str:
    parts: list[str] = []
    if region.level == Region.Level.VILLAGE and region.parent is not None:
        parts.append(region.parent.name)
    if region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
        parts.append(region.name)
    return " · ".join([*parts, name])


def site_choices(*, roots: list[Region], region: Region | None = None) -> list[tuple[int, str]]:
    """``(id, "town · village · name")`` of the practice sites in ``region``, or within ``roots``."""
    qs = PracticeSite.objects.select_related("region__parent")
    if region is not None:
        qs = qs.filter(region__prefix__startswith=region.prefix)
    elif not _unrestricted(roots):
        qs = qs.filter(_within(roots, "region__prefix"))
    return [(s.pk, _place_label(s.region, s.name)) for s in qs.order_by("region__code", "name", "id")]


def venue_choices(*, roots: list[Region], region: Region | None = None) -> list[tuple[int, str]]:
    """``(id, "town · village · name")`` of the venues in ``region``, or within ``roots``."""
    qs = Venue.objects.select_related("region__parent")
    if region is not None:
        qs = qs.filter(region__prefix__startswith=region.prefix)
    elif not _unrestricted(roots):
        qs = qs.filter(_within(roots, "region__prefix"))
    return [(v.pk, _place_label(v.region, v.name)) for v in qs.order_by("region__code", "name", "id")]


# --- Speakers and sayings -------------------------------------------------------------------------
def speaker_label(s: Speaker) -> str:
    return f"{s.name}（{s.position}）" if s.position else s.name


def speaker_choices(*, roots: list[Region], keep: list[int] | tuple[int, ...] = ()) -> list[Speaker]:
    """The active speakers sensible for a session in ``roots``: those whose area lies within a
    root or contains one (a town's heads, the county's leaders; all for the county or no root),
    and the speakers in ``keep`` (those a session has already)."""
    qs = Speaker.objects.filter(active=True)
    if not _unrestricted(roots):
        cond = _within(roots, "area__prefix")
        for r in roots:
            ancestors = [r.prefix[:n] for n in range(1, len(r.prefix))]
            cond |= Q(area__prefix__in=ancestors)
        qs = qs.filter(cond)
    found = list(qs.order_by("name", "id"))
    missing = [i for i in keep if i not in {s.pk for s in found}]
    if missing:
        found += list(Speaker.objects.filter(pk__in=missing).order_by("name", "id"))
    return found


def published_sayings() -> list[Saying]:
    """The sayings of the current published book, in order."""
    book = current_book()
    return list(book.sayings.order_by("number")) if book is not None else []
