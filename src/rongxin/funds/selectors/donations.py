"""Reads of a fund's donations: the staff list (donors' full names, the credit each earned) and
the public list (anonymous donors as 「爱心人士（匿名）」), which the public statement pages use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, Sum

from rongxin.accounts.models import User
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent
from rongxin.funds.domain.donation_points import public_donor
from rongxin.funds.domain.money import FEN, ZERO
from rongxin.funds.models import Donation, Fund
from rongxin.funds.permissions.common import access_fund, reader_role


@dataclass(frozen=True)
class DonationBoard:
    fund: Fund
    donations: list[Donation]
    total: int  # donations in all
    money: Decimal  # money received in all
    goods: Decimal  # goods' assessed value in all


def donation_board(
    *, actor: User | AnonymousUser | None, fund_id: int, offset: int = 0, limit: int = 50
) -> DonationBoard:
    """The fund's donations, latest first, with donors' full names, for whoever reads the fund's
    books. The read is audited (``fund.read``: donors' names). Raises NotFound."""
    fund = access_fund(actor, fund_id)
    qs = Donation.objects.filter(fund=fund)
    sums = qs.aggregate(
        n=Count("id"),
        money=Sum("amount", filter=Q(kind=Donation.Kind.MONEY)),
        goods=Sum("amount", filter=Q(kind=Donation.Kind.GOODS)),
    )
    rows = list(qs.select_related("donor", "entry").order_by("-received_on", "-id")[offset : offset + limit])
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action="fund.read",
        role=reader_role(actor, fund),
        object_type="fund",
        object_id=fund.pk,
        details={"view": "donations", "rows": len(rows)},
    )
    return DonationBoard(
        fund=fund,
        donations=rows,
        total=sums["n"],
        money=(sums["money"] or ZERO).quantize(FEN),
        goods=(sums["goods"] or ZERO).quantize(FEN),
    )


@dataclass(frozen=True)
class PublicDonation:
    received_on: dt.date
    donor: str  # as the public sees them: 「爱心人士（匿名）」 for a donor who asked
    kind: str
    goods: str
    amount: Decimal


def public_donations(*, fund_id: int, year: int | None = None) -> list[PublicDonation]:
    """Every donation to the fund (in ``year`` if given), oldest first, as the public list shows
    it: no subject id, anonymous donors as 「爱心人士（匿名）」. Anyone may read it."""
    qs = Donation.objects.filter(fund_id=fund_id)
    if year is not None:
        qs = qs.filter(received_on__year=year)
    return [
        PublicDonation(
            received_on=on, donor=public_donor(name, anonymous=anonymous), kind=kind, goods=goods, amount=amount
        )
        for on, name, anonymous, kind, goods, amount in qs.order_by("received_on", "id").values_list(
            "received_on", "donor_name", "anonymous", "kind", "goods", "amount"
        )
    ]
