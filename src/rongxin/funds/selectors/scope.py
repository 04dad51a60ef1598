"""Which funds and meetings an actor reads, for the hub and the lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from rongxin.accounts.models import User
from rongxin.funds.domain.accounts import BANK
from rongxin.funds.models import Account, Fund, Meeting
from rongxin.funds.permissions.common import fund_regions
from rongxin.regions.models import Region


def _region_q(regions: list[Region], field: str) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(**{f"{field}__code__startswith": region.prefix})
    return q


def funds_in_scope(actor: User | AnonymousUser | None) -> QuerySet[Fund]:
    """The funds whose books the actor reads: every fund of their regions (a county grant: all),
    in kind order (county, towns, villages) then region code."""
    regions = fund_regions(actor)
    return Fund.objects.filter(_region_q(regions, "region")).select_related("region").order_by("kind", "region__code")


def meetings_in_scope(actor: User | AnonymousUser | None) -> QuerySet[Meeting]:
    """The commendation meetings the actor reads, newest quarter first."""
    regions = fund_regions(actor)
    return (
        Meeting.objects.filter(_region_q(regions, "region"))
        .select_related("region")
        .order_by("-year", "-quarter", "region__code")
    )


@dataclass(frozen=True)
class FundRow:
    fund: Fund
    bank: object  # Decimal: what the bank account holds


def fund_rows(funds: list[Fund]) -> list[FundRow]:
    """Each fund with its bank balance (one query)."""
    banks = dict(Account.objects.filter(fund__in=[f.pk for f in funds], code=BANK).values_list("fund_id", "balance"))
    return [FundRow(fund=f, bank=banks.get(f.pk)) for f in funds]
