"""Reads of lecture teams: the three tiers (department experts, urban professionals, town and
village self-service) with each team's brand, members and sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from rongxin.accounts.models import User
from rongxin.core.errors import NotFound
from rongxin.lectures.models import Session, TeamBrand
from rongxin.lectures.permissions.common import covers_region, signed_in
from rongxin.regions.models import Region
from rongxin.volunteering.models import Membership, Team


@dataclass(frozen=True)
class TeamRow:
    team: Team
    brand: str
    audience: str
    members: int
    sessions: int
    can_edit: bool


@dataclass(frozen=True)
class Tier:
    code: str
    label: Any
    teams: list[TeamRow]


def _count(queryset: Any) -> Any:
    return Coalesce(Subquery(queryset.values("n")[:1], output_field=IntegerField()), 0, output_field=IntegerField())


def lecture_teams(*, actor: User | AnonymousUser | None, region: Region | None = None, tier: str = "") -> list[Tier]:
    """Active lecture teams (home region inside ``region``), grouped by the three tiers in their
    order, each with brand, accepted members and sessions (not cancelled). Anyone signed in
    reads it; ``can_edit`` says who may set the brand. NotFound when not signed in."""
    if not signed_in(actor):
        raise NotFound()
    members = (
        Membership.objects.filter(team=OuterRef("pk"), status=Membership.Status.ACCEPTED)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
    )
    sessions = (
        Session.objects.filter(team=OuterRef("pk"))
        .exclude(status=Session.Status.CANCELLED)
        .order_by()
        .values("team")
        .annotate(n=Count("pk"))
    )
    brands = TeamBrand.objects.filter(team=OuterRef("pk"))
    teams = (
        Team.objects.filter(kind=Team.Kind.LECTURE, active=True)
        .select_related("region")
        .annotate(
            members_n=_count(members),
            sessions_n=_count(sessions),
            brand_name=Subquery(brands.values("brand")[:1]),
            brand_audience=Subquery(brands.values("audience")[:1]),
        )
        .order_by("region__code", "name", "pk")
    )
    if region is not None:
        teams = teams.filter(region__prefix__startswith=region.prefix)
    if tier:
        teams = teams.filter(tier=tier)
    by_tier: dict[str, list[TeamRow]] = {code: [] for code in Team.Tier.values}
    edit_cache: dict[int, bool] = {}
    for t in teams:
        if t.region_id not in edit_cache:
            edit_cache[t.region_id] = covers_region(actor, t.region)
        by_tier[t.tier].append(
            TeamRow(t, t.brand_name or "", t.brand_audience or "", t.members_n, t.sessions_n, edit_cache[t.region_id])
        )
    return [Tier(code, Team.Tier(code).label, rows) for code, rows in by_tier.items() if not tier or code == tier]


def lecture_team_get(*, actor: User | AnonymousUser | None, team_id: int) -> TeamRow:
    """One lecture team's row, for the page that sets its brand. NotFound when it is not an
    active lecture team or the actor may not set its brand."""
    team = Team.objects.select_related("region").filter(pk=team_id, kind=Team.Kind.LECTURE, active=True).first()
    if team is None or not covers_region(actor, team.region):
        raise NotFound()
    brand = TeamBrand.objects.filter(team=team).first()
    members = Membership.objects.filter(team=team, status=Membership.Status.ACCEPTED).count()
    sessions = Session.objects.filter(team=team).exclude(status=Session.Status.CANCELLED).count()
    return TeamRow(team, brand.brand if brand else "", brand.audience if brand else "", members, sessions, True)
