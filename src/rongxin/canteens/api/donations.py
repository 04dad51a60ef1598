"""JSON endpoints of canteen donations and stock (the pages call the same services):

- ``GET|POST /canteens/{id}/donations``: the list (donors' full names, credit state) and a new
  donation (201; 200 with the first one when the same donation is submitted again), for whoever
  runs the canteen (404 for everyone else, asked before the body is read);
- ``GET|POST /canteens/{id}/stock-uses``: stock used, the same people;
- ``GET /canteens/{id}/notice``: the public notice (公示), no sign-in, rate-limited per client
  address like the notice page; never an ID number, a phone or an elder; donors masked or
  anonymous.

Amounts are sent as strings (``"12.50"``) or numbers; at most two decimal places.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited
from ninja import Field, Query, Router, Schema, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.domain.donations import CREDIT_STATES
from rongxin.canteens.models import StockUse
from rongxin.canteens.permissions.donations import NOTICE_RATE_GROUP, access_canteen_for_donations, notice_rate
from rongxin.canteens.selectors.donations import DonationLine, StockLine, canteen_notice, donation_board, stock_uses
from rongxin.canteens.services.donations import donation_record, stock_use_record
from rongxin.core.errors import TooManyRequests

router = Router(tags=["canteens"])

MAX_OFFSET = 10_000_000
Amount = str | int | None


# --- Schemas ------------------------------------------------------------------------------------
class CanteenDonationIn(Schema):
    kind: str = Field(description="money | goods")
    donor_kind: str = Field(description="person | organisation")
    donor_name: str = Field(max_length=500)
    donor_identifier: str = Field(
        "",
        max_length=100,
        description="A full ID number (person) or USCC (organisation) of a credit file bearing ``donor_name``.",
    )
    donor_subject_id: int | None = Field(
        None, description="A credit file chosen from ``/subjects/search`` (instead of ``donor_identifier``)."
    )
    anonymous: bool = Field(False, description="Shown as 爱心人士 / 爱心企业 on the public notice.")
    item: str = Field("", max_length=500, description="Goods only.")
    quantity: Amount = Field(None, description="Goods only; above zero, at most two decimal places.")
    unit: str = Field("", max_length=100, description="Goods only.")
    value: Amount = Field(
        None, description="Money given (above zero) or the goods' assessed value (zero or more), yuan."
    )
    received_on: dt.date
    note: str = Field("", max_length=1000)


class CanteenDonationOut(Schema):
    id: int
    canteen_id: int
    kind: str
    donor_kind: str
    donor_subject_id: int | None
    donor_name: str
    anonymous: bool
    item: str
    quantity: Decimal | None
    unit: str
    value: Decimal
    received_on: dt.date
    note: str
    credit: str = Field(description=" | ".join(CREDIT_STATES))
    credit_points: int | None


class CanteenDonationPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CanteenDonationOut]


class CanteenListQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class CanteenStockUseIn(Schema):
    item: str = Field(max_length=500)
    quantity: Amount = Field(description="Above zero, at most two decimal places; never more than is on hand.")
    unit: str = Field(max_length=100)
    used_on: dt.date
    note: str = Field("", max_length=1000)


class CanteenStockUseOut(Schema):
    id: int
    canteen_id: int
    item: str
    quantity: Decimal
    unit: str
    used_on: dt.date
    note: str


class CanteenStockUsePage(Schema):
    total: int
    offset: int
    limit: int
    items: list[CanteenStockUseOut]


class CanteenStockLineOut(Schema):
    item: str
    unit: str
    received: Decimal
    used: Decimal
    on_hand: Decimal


class CanteenNoticeDonationOut(Schema):
    received_on: dt.date
    donor: str = Field(
        description="The donor as the public sees them: 爱心人士 / 爱心企业 when anonymous, a person by surname only."
    )
    kind: str
    item: str
    quantity: Decimal | None
    unit: str
    value: Decimal


class CanteenNoticeMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    donations: int
    money: Decimal
    goods_value: Decimal


class CanteenNoticeStockUseOut(Schema):
    used_on: dt.date
    item: str
    quantity: Decimal
    unit: str


class CanteenNoticeOut(Schema):
    canteen_id: int
    canteen_name: str
    town: str
    village: str
    since: dt.date
    until: dt.date
    money_total: Decimal
    goods_total: Decimal
    donations: list[CanteenNoticeDonationOut]
    months: list[CanteenNoticeMonthOut]
    stock_used: list[CanteenNoticeStockUseOut]
    stock: list[CanteenStockLineOut]


# --- Presenters ---------------------------------------------------------------------------------
def donation_out(x: DonationLine) -> CanteenDonationOut:
    d = x.donation
    return CanteenDonationOut(
        id=d.pk,
        canteen_id=d.canteen_id,
        kind=d.kind,
        donor_kind=d.donor_kind,
        donor_subject_id=d.donor_id,
        donor_name=d.donor_name,
        anonymous=d.anonymous,
        item=d.item,
        quantity=d.quantity,
        unit=d.unit,
        value=d.value,
        received_on=d.received_on,
        note=d.note,
        credit=x.credit,
        credit_points=x.credit_points,
    )


def stock_use_out(u: StockUse) -> CanteenStockUseOut:
    return CanteenStockUseOut(
        id=u.pk, canteen_id=u.canteen_id, item=u.item, quantity=u.quantity, unit=u.unit, used_on=u.used_on, note=u.note
    )


def stock_line_out(s: StockLine) -> CanteenStockLineOut:
    return CanteenStockLineOut(item=s.item, unit=s.unit, received=s.received, used=s.used, on_hand=s.on_hand)


# --- Operations ---------------------------------------------------------------------------------
@router.get(
    "/{int:canteen_id}/donations",
    response=CanteenDonationPage,
    operation_id="canteens_donations",
    auth=gated(access_canteen_for_donations),
)
def donations(request: SignedInRequest, canteen_id: int, filters: Query[CanteenListQuery]) -> CanteenDonationPage:
    """The canteen's donations, latest first, with donors' full names and the credit each earned
    (or why not), for whoever runs the canteen."""
    board = donation_board(actor=request.user, canteen_id=canteen_id, offset=filters.offset, limit=filters.limit)
    return CanteenDonationPage(
        total=board.total, offset=filters.offset, limit=filters.limit, items=[donation_out(x) for x in board.lines]
    )


@router.post(
    "/{int:canteen_id}/donations",
    response={200: CanteenDonationOut, 201: CanteenDonationOut},
    operation_id="canteens_donation_record",
    auth=gated(access_canteen_for_donations),
)
def donation_new(request: SignedInRequest, canteen_id: int, payload: CanteenDonationIn) -> Status[CanteenDonationOut]:
    """Record a donation of money or goods. 201 with the new donation; 200 with the first when the
    same donation was submitted by you within two minutes. A donor identified by a consenting
    person file earns P-DON-01 credit once (``credit``); 409 ``canteen_closed``."""
    r = donation_record(actor=request.user, canteen_id=canteen_id, **payload.dict())
    return Status(201 if r.created else 200, donation_out(DonationLine(r.donation, r.credit, r.donation.credit_points)))


@router.get(
    "/{int:canteen_id}/stock-uses",
    response=CanteenStockUsePage,
    operation_id="canteens_stock_uses",
    auth=gated(access_canteen_for_donations),
)
def stock_use_list(request: SignedInRequest, canteen_id: int, filters: Query[CanteenListQuery]) -> CanteenStockUsePage:
    """Donated goods used at the canteen, latest first."""
    items, total = stock_uses(actor=request.user, canteen_id=canteen_id, offset=filters.offset, limit=filters.limit)
    return CanteenStockUsePage(
        total=total, offset=filters.offset, limit=filters.limit, items=[stock_use_out(u) for u in items]
    )


@router.post(
    "/{int:canteen_id}/stock-uses",
    response={201: CanteenStockUseOut},
    operation_id="canteens_stock_use_record",
    auth=gated(access_canteen_for_donations),
)
def stock_use_new(request: SignedInRequest, canteen_id: int, payload: CanteenStockUseIn) -> Status[CanteenStockUseOut]:
    """Record goods used; 422 ``more_than_received`` when more of the item (same name and unit)
    would be used than was received in all."""
    return Status(201, stock_use_out(stock_use_record(actor=request.user, canteen_id=canteen_id, **payload.dict())))


@router.get("/{int:canteen_id}/notice", auth=None, response=CanteenNoticeOut, operation_id="canteens_notice")
def notice(request: HttpRequest, canteen_id: int) -> CanteenNoticeOut:
    """The canteen's public notice (公示) over the last year: donations (anonymous donors as
    爱心人士 / 爱心企业, persons by surname only), totals per month, stock used and on hand. No
    sign-in; 404 for a canteen still planned; 429 when a client asks too often."""
    if is_ratelimited(request, group=NOTICE_RATE_GROUP, key="ip", rate=notice_rate, increment=True):
        raise TooManyRequests()
    n = canteen_notice(canteen_id=canteen_id)
    return CanteenNoticeOut(
        canteen_id=n.canteen.pk,
        canteen_name=n.canteen.name,
        town=n.canteen.town.name,
        village=n.canteen.village.name,
        since=n.since,
        until=n.until,
        money_total=n.money_total,
        goods_total=n.goods_total,
        donations=[
            CanteenNoticeDonationOut(
                received_on=d.received_on,
                donor=d.donor,
                kind=d.kind,
                item=d.item,
                quantity=d.quantity,
                unit=d.unit,
                value=d.value,
            )
            for d in n.donations
        ],
        months=[
            CanteenNoticeMonthOut(month=m.month, donations=m.donations, money=m.money, goods_value=m.goods_value)
            for m in n.months
        ],
        stock_used=[
            CanteenNoticeStockUseOut(used_on=u.used_on, item=u.item, quantity=u.quantity, unit=u.unit) for u in n.uses
        ],
        stock=[stock_line_out(s) for s in n.stock],
    )
