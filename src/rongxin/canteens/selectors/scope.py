"""Regions as filters: which towns lie under a region, and the canteens in it (the figures use the
``(date, town)`` index of the day's service, so they filter by town ids first)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from rongxin.canteens.models import Canteen
from rongxin.regions.models import Region


def town_ids(region: Region) -> list[int]:
    """The ids of the towns in ``region`` (a village: its town)."""
    if region.level == Region.Level.TOWN:
        return [region.pk]
    if region.level == Region.Level.VILLAGE:
        return [region.parent_id] if region.parent_id else []
    return list(
        Region.objects.filter(level=Region.Level.TOWN, prefix__startswith=region.prefix)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def canteen_filter(region: Region, prefix: str = "") -> Q:
    """Rows of canteens (``prefix``: the path to the canteen, e.g. ``"canteen__"``) in ``region``."""
    if region.level == Region.Level.VILLAGE:
        return Q(**{f"{prefix}village_id": region.pk})
    return Q(**{f"{prefix}town_id__in": town_ids(region)})


def canteens_in(region: Region) -> QuerySet[Canteen]:
    return Canteen.objects.filter(canteen_filter(region))
