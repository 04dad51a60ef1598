"""The public list of funds (村务公开 index): the county special fund, then every town's and
village's credit fund grouped by town, each with its latest statement's quarter. Paged (a county
has some 900 villages) and searchable by the name of a village or town; a fixed number of queries
per page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from rongxin.core.text import clean_text
from rongxin.funds.domain.public import Quarter
from rongxin.funds.models import Fund
from rongxin.funds.selectors.statements import latest_quarters
from rongxin.regions.models import Region


@dataclass(frozen=True)
class PublicFundRow:
    fund: Fund
    town: Region | None  # the town a credit fund belongs to (its own region for a town's fund)
    latest: Quarter | None  # the latest statement, None before the first entry


@dataclass(frozen=True)
class PublicFundPage:
    county: list[PublicFundRow]  # the county special fund(s), on every page
    rows: list[PublicFundRow]  # credit funds by region code: a town's fund, then its villages'
    total: int
    offset: int
    limit: int


def public_towns() -> list[Region]:
    """The towns that have a credit fund of their own or of a village (for the filter)."""
    ids: set[int] = set(Fund.objects.filter(kind=Fund.Kind.TOWN_CREDIT).values_list("region_id", flat=True))
    parents = Fund.objects.filter(kind=Fund.Kind.VILLAGE_CREDIT).values_list("region__parent_id", flat=True)
    ids |= {p for p in parents if p is not None}
    return list(Region.objects.filter(pk__in=sorted(ids), level=Region.Level.TOWN).order_by("code"))


def public_funds(*, town_id: int | None = None, q: str = "", offset: int = 0, limit: int = 50) -> PublicFundPage:
    """A page of the credit funds (in a town, of a region whose name contains ``q``) and the county
    fund(s), each with its latest statement's quarter. An unknown ``town_id`` gives no row; a ``q``
    with control characters raises InvalidInput."""
    q = clean_text(q, field="q", required=False, max_length=30, multiline=False)
    credit = Fund.objects.filter(kind__in=[Fund.Kind.TOWN_CREDIT, Fund.Kind.VILLAGE_CREDIT])
    if town_id is not None:
        town = Region.objects.filter(pk=town_id, level=Region.Level.TOWN).first()
        credit = credit.filter(region__prefix__startswith=town.prefix) if town is not None else credit.none()
    if q:
        credit = credit.filter(Q(region__name__contains=q) | Q(name__contains=q))
    total = credit.count()
    page = list(credit.select_related("region", "region__parent").order_by("region__code")[offset : offset + limit])
    county = list(Fund.objects.filter(kind=Fund.Kind.COUNTY_SPECIAL).select_related("region").order_by("region__code"))
    latest = latest_quarters(fund_ids=[f.pk for f in page + county])

    def row(f: Fund) -> PublicFundRow:
        town = f.region if f.region.level == Region.Level.TOWN else f.region.parent
        return PublicFundRow(fund=f, town=town if f.kind != Fund.Kind.COUNTY_SPECIAL else None, latest=latest.get(f.pk))

    return PublicFundPage(
        county=[row(f) for f in county], rows=[row(f) for f in page], total=total, offset=offset, limit=limit
    )
