"""Reads of a canteen's donations and stock: the staff list (donors' full names, the credit each
donation earned and why not) and the public notice (公示: masked or anonymous donor names, totals
per month, stock used and on hand; never an ID number, a phone or an elder)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Sum

from rongxin.accounts.models import User
from rongxin.canteens.domain import donations as rules
from rongxin.canteens.models import Canteen, Donation, StockUse
from rongxin.canteens.permissions.donations import access_canteen_for_donations, public_canteen
from rongxin.core import clock
from rongxin.credit.models import Entry

NOTICE_DAYS = 365  # the notice covers the last year
NOTICE_MAX_ROWS = 500
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StockLine:
    item: str
    unit: str
    received: Decimal
    used: Decimal

    @property
    def on_hand(self) -> Decimal:
        return self.received - self.used


@dataclass(frozen=True)
class DonationLine:
    donation: Donation
    credit: str  # one of rules.CREDIT_STATES
    credit_points: int | None


@dataclass(frozen=True)
class DonationBoard:
    canteen: Canteen
    lines: list[DonationLine]
    total: int
    stock: list[StockLine]
    uses: list[StockUse]


@dataclass(frozen=True)
class MonthTotal:
    month: str  # "2026-03"
    donations: int
    money: Decimal
    goods_value: Decimal


@dataclass(frozen=True)
class NoticeDonation:
    received_on: dt.date
    donor: str  # as the public sees it
    kind: str
    item: str
    quantity: Decimal | None
    unit: str
    value: Decimal


@dataclass(frozen=True)
class Notice:
    canteen: Canteen
    since: dt.date
    until: dt.date
    donations: list[NoticeDonation]
    months: list[MonthTotal]
    uses: list[StockUse]
    stock: list[StockLine]
    money_total: Decimal = ZERO
    goods_total: Decimal = ZERO


def credit_state(donation: Donation, entry_status: str | None) -> str:
    """Why the donation did or did not earn credit, from what was stored when it was recorded."""
    if donation.donor_id is None:
        return rules.CREDIT_NO_FILE
    if donation.credit_key:
        if not donation.credit_points:
            return rules.CREDIT_CAPPED
        return rules.CREDIT_HELD if entry_status == Entry.Status.PENDING_REVIEW else rules.CREDIT_RECORDED
    if donation.value < rules.YUAN_PER_POINT:
        return rules.CREDIT_BELOW
    return rules.CREDIT_NO_CONSENT


def _lines(donations: list[Donation]) -> list[DonationLine]:
    keyed = [d for d in donations if d.credit_key and d.donor_id is not None]
    statuses: dict[tuple[int, str], str] = {}
    if keyed:
        for sid, key, status in Entry.objects.filter(
            subject_id__in={d.donor_id for d in keyed},
            source=Entry.Source.CANTEEN,
            source_key__in=[d.credit_key for d in keyed],
        ).values_list("subject_id", "source_key", "status"):
            statuses[(sid, key)] = status
    return [
        DonationLine(
            donation=d,
            credit=credit_state(d, statuses.get((d.donor_id or 0, d.credit_key))),
            credit_points=d.credit_points,
        )
        for d in donations
    ]


def _fen(value: Decimal | None) -> Decimal:
    # SQLite's SUM drops the scale (Decimal("50")); amounts always show two places.
    return (value or ZERO).quantize(ZERO)


def stock_lines(canteen_id: int) -> list[StockLine]:
    """Goods received, used and on hand per (item, unit), by item."""
    received = {
        (r["item"], r["unit"]): _fen(r["n"])
        for r in Donation.objects.filter(canteen_id=canteen_id, kind=Donation.Kind.GOODS)
        .values("item", "unit")
        .annotate(n=Sum("quantity"))
        .order_by()
    }
    used = {
        (r["item"], r["unit"]): _fen(r["n"])
        for r in StockUse.objects.filter(canteen_id=canteen_id)
        .values("item", "unit")
        .annotate(n=Sum("quantity"))
        .order_by()
    }
    keys = sorted(set(received) | set(used))
    return [
        StockLine(item=i, unit=u, received=received.get((i, u), ZERO), used=used.get((i, u), ZERO)) for i, u in keys
    ]


def donation_board(*, actor: User | AnonymousUser, canteen_id: int, offset: int = 0, limit: int = 50) -> DonationBoard:
    """The canteen's donations for those who run it, latest first, each with its credit state;
    stock per item and the latest stock used. Raises NotFound."""
    canteen = access_canteen_for_donations(actor, canteen_id)
    qs = Donation.objects.filter(canteen=canteen).order_by("-received_on", "-id")
    total = qs.count()
    donations = list(qs[offset : offset + limit])
    uses = list(StockUse.objects.filter(canteen=canteen).order_by("-used_on", "-id")[:50])
    return DonationBoard(
        canteen=canteen, lines=_lines(donations), total=total, stock=stock_lines(canteen.pk), uses=uses
    )


def stock_uses(
    *, actor: User | AnonymousUser, canteen_id: int, offset: int = 0, limit: int = 50
) -> tuple[list[StockUse], int]:
    """Stock used at the canteen, latest first, for those who run it. Raises NotFound."""
    canteen = access_canteen_for_donations(actor, canteen_id)
    qs = StockUse.objects.filter(canteen=canteen).order_by("-used_on", "-id")
    return list(qs[offset : offset + limit]), qs.count()


def canteen_notice(*, canteen_id: int) -> Notice:
    """The public notice of a canteen past planning: the last :data:`NOTICE_DAYS` days of
    donations (donors as :func:`rules.public_donor_name` shows them) with totals per month and
    stock used, and the stock on hand per item. Raises NotFound."""
    canteen = public_canteen(canteen_id)
    until = clock.today_local()
    since = until - dt.timedelta(days=NOTICE_DAYS - 1)
    rows = list(
        Donation.objects.filter(canteen=canteen, received_on__gte=since, received_on__lte=until)
        .order_by("-received_on", "-id")
        .values("received_on", "donor_name", "donor_kind", "anonymous", "kind", "item", "quantity", "unit", "value")[
            :NOTICE_MAX_ROWS
        ]
    )
    months: dict[str, list[Decimal | int]] = defaultdict(lambda: [0, ZERO, ZERO])
    donations = []
    for r in rows:
        donations.append(
            NoticeDonation(
                received_on=r["received_on"],
                donor=rules.public_donor_name(
                    donor_name=r["donor_name"], donor_kind=r["donor_kind"], anonymous=r["anonymous"]
                ),
                kind=r["kind"],
                item=r["item"],
                quantity=r["quantity"],
                unit=r["unit"],
                value=r["value"],
            )
        )
        m = months[f"{r['received_on']:%Y-%m}"]
        m[0] = int(m[0]) + 1
        if r["kind"] == Donation.Kind.MONEY:
            m[1] = Decimal(m[1]) + r["value"]
        else:
            m[2] = Decimal(m[2]) + r["value"]
    month_totals = [
        MonthTotal(month=k, donations=int(v[0]), money=Decimal(v[1]), goods_value=Decimal(v[2]))
        for k, v in sorted(months.items(), reverse=True)
    ]
    uses = list(
        StockUse.objects.filter(canteen=canteen, used_on__gte=since, used_on__lte=until).order_by("-used_on", "-id")[
            :NOTICE_MAX_ROWS
        ]
    )
    return Notice(
        canteen=canteen,
        since=since,
        until=until,
        donations=donations,
        months=month_totals,
        uses=uses,
        stock=stock_lines(canteen.pk),
        money_total=sum((m.money for m in month_totals), ZERO),
        goods_total=sum((m.goods_value for m in month_totals), ZERO),
    )
