"""Who keeps and who reads the county special fund's budget and allocations.

- The county fund keeper (see :mod:`rongxin.funds.permissions.common`) sets the budget, records
  the county's appropriations, allocates and spends; they read everything.
- Auditors (county grant) read the budget and every allocation.
- Town and village officers read the budget of their county and the allocations made to funds
  and canteens of their own town or village (:func:`allocation_regions`).

Missing and forbidden look the same (:class:`~rongxin.core.errors.NotFound`).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.funds.models import Fund
from rongxin.funds.permissions.common import admin_grants, signed_in
from rongxin.regions.models import Region


def _county_fund_over(region: Region) -> Fund | None:
    """The county special fund of the county that contains ``region``."""
    for fund in Fund.objects.filter(kind=Fund.Kind.COUNTY_SPECIAL).select_related("region"):
        if fund.region.contains(region):
            return fund
    return None


def keeper_county_fund(actor: User | AnonymousUser | None) -> Fund:
    """The county special fund the actor keeps (as the county fund keeper); NotFound otherwise."""
    grants = admin_grants(actor)
    for grant in grants:
        fund = Fund.objects.select_related("region").filter(kind=Fund.Kind.COUNTY_SPECIAL, region=grant.region).first()
        if fund is not None:
            return fund
    raise NotFound()


def allocation_regions(actor: User | AnonymousUser | None, fund: Fund) -> list[Region] | None:
    """The regions whose allocations the actor reads on the county fund's budget page: None for
    all of them (the keeper, an auditor over the county), the officer's own town or village
    otherwise; [] when the actor does not read the page at all."""
    if not signed_in(actor):
        return []
    if any(g.region.contains(fund.region) or fund.region.contains(g.region) for g in admin_grants(actor)):
        return None
    for grant in grants_with_roles(actor, [Role.AUDITOR]):
        if grant.region.contains(fund.region):
            return None
    return [
        g.region
        for g in grants_with_roles(actor, [Role.TOWN_OFFICER, Role.VILLAGE_OFFICER])
        if fund.region.contains(g.region)
    ]


def access_county_fund(actor: User | AnonymousUser | None, *, keep: bool = False) -> Fund:
    """The county special fund whose budget the actor reads (``keep``: keeps); NotFound otherwise.
    A keeper or auditor reads the fund of their county; an officer the fund of the county over
    their town or village."""
    if not signed_in(actor):
        raise NotFound()
    if keep or admin_grants(actor):
        return keeper_county_fund(actor)
    for grant in grants_with_roles(actor, [Role.AUDITOR, Role.TOWN_OFFICER, Role.VILLAGE_OFFICER]):
        fund = _county_fund_over(grant.region)
        if fund is not None and allocation_regions(actor, fund) != []:
            return fund
    raise NotFound()


def reads_county_budget(actor: User | AnonymousUser | None) -> bool:
    try:
        access_county_fund(actor)
    except NotFound:
        return False
    return True
