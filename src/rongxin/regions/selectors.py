"""Reads over the region tree."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import field_error
from rongxin.regions.models import PracticeSite, Region, Venue


def region_get_by_code(*, code: str, level: str | None = None, field: str = "region") -> Region:
    """The region with this 12-digit code; :class:`InvalidInput` on ``field`` if there is none."""
    code = (code or "").strip()
    try:
        region = Region.objects.select_related("parent").get(code=code)
    except Region.DoesNotExist:
        raise field_error(
            field, _("No region has the code “%(code)s”.") % {"code": code[:20]}, code="unknown_region"
        ) from None
    if level is not None and region.level != level:
        raise field_error(
            field,
            _("Region %(code)s is a %(level)s; a %(wanted)s is required.")
            % {"code": code, "level": region.get_level_display(), "wanted": Region.Level(level).label},
            code="wrong_region_level",
        )
    return region


def town_of(village: Region) -> Region:
    """The town a village belongs to (every village has one: enforced by the tree's shape)."""
    if village.parent is None:
        raise ValueError(f"region {village.code} has no parent")
    return village.parent


def region_root() -> Region | None:
    return Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()


@dataclass(frozen=True)
class RegionNode:
    region: Region
    persons: int
    organisations: int
    children: int

    @property
    def subjects(self) -> int:
        return self.persons + self.organisations


def region_children_with_counts(*, region: Region, counts: dict[int, tuple[int, int]]) -> list[RegionNode]:
    """The children of ``region`` with subject counts taken from ``counts`` (id → persons, orgs)."""
    children = list(region.children.order_by("code"))
    sub_counts: dict[int, int] = {}
    for parent_id in Region.objects.filter(parent__in=children).values_list("parent_id", flat=True):
        sub_counts[parent_id] = sub_counts.get(parent_id, 0) + 1
    return [
        RegionNode(
            region=child,
            persons=counts.get(child.id, (0, 0))[0],
            organisations=counts.get(child.id, (0, 0))[1],
            children=sub_counts.get(child.id, 0),
        )
        for child in children
    ]


def practice_site_for(*, region: Region) -> PracticeSite | None:
    return PracticeSite.objects.filter(region=region).first()


def venues_in(*, region: Region) -> list[Venue]:
    return list(
        Venue.objects.filter(region__prefix__startswith=region.prefix)
        .select_related("region")
        .order_by("region__code", "name")
    )
