from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from rongxin.regions import selectors
from rongxin.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class SiteOut(Schema):
    kind: str
    name: str
    address: str


class VenueOut(Schema):
    name: str
    kind: str
    region_code: str
    latitude: Decimal
    longitude: Decimal


class RegionDetailOut(Schema):
    region: RegionOut
    children: list[RegionOut]
    practice_site: SiteOut | None
    venues: list[VenueOut]


@router.get("/{code}", response=RegionDetailOut, operation_id="regions_detail")
def detail(request: HttpRequest, code: str) -> RegionDetailOut:
    """A region with its children, its practice site and the venues in its subtree (region names
    and codes are public; any signed-in account may read them)."""
    region = selectors.region_get_by_code(code=code)
    site = selectors.practice_site_for(region=region)
    return RegionDetailOut(
        region=_out(region),
        children=[_out(c) for c in region.children.order_by("code")],
        practice_site=SiteOut(kind=site.kind, name=site.name, address=site.address) if site else None,
        venues=[
            VenueOut(name=v.name, kind=v.kind, region_code=v.region.code, latitude=v.latitude, longitude=v.longitude)
            for v in selectors.venues_in(region=region)
        ],
    )


def _out(region: Region) -> RegionOut:
    return RegionOut(
        code=region.code,
        name=region.name,
        level=region.level,
        parent_code=region.parent.code if region.parent else None,
    )


# Mounted under /api/v1 by rongxin.config.api, which discovers every app's api.router.
mounts = (("/regions", router),)
