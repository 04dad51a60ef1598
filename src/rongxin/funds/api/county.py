"""JSON endpoints of the county special fund and of donations to any fund (the pages call the
same services and selectors):

- ``GET /funds/county/{year}/budget``: each line's budget, allocated, spent and left, the totals
  (the keeper, auditors, town and village officers of the county);
- ``PUT /funds/county/{year}/lines/{line}``: set or revise a line (the county fund keeper);
- ``POST /funds/county/appropriations``, ``/funds/county/spending``, ``/funds/county/allocations``:
  multipart with the voucher file (the keeper);
- ``GET /funds/county/{year}/allocations``: the allocations, filtered (an officer sees those
  into their own town or village);
- ``GET|POST /funds/{fund_id}/donations``: a fund's donations with donors' full names (whoever
  reads its books) and a new donation, multipart with the voucher (its keeper).

Amounts are strings (``"1200.50"``) or integers, at most two decimals; never a float. Missing
and forbidden are the same 404, asked before the body is read.
"""

from __future__ import annotations

from typing import Any

from ninja import File, Form, Query, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.funds.api.county_schemas import (
    CountyAllocationOut,
    CountyAllocationPage,
    CountyAllocationQuery,
    CountyAllocationReverseIn,
    CountyBudgetOut,
    CountyEntryOut,
    CountyLineIn,
    CountyLineOut,
    FundDonationOut,
    FundDonationPage,
    FundDonationQuery,
    allocation_out,
    budget_out,
    donation_out,
    entry_out,
    line_out,
)
from rongxin.funds.models import BudgetLine
from rongxin.funds.permissions.common import access_fund
from rongxin.funds.permissions.county import access_county_fund, allocation_regions
from rongxin.funds.selectors.budget import AllocationFilters, allocation_regions_in, allocations_list, budget_overview
from rongxin.funds.selectors.donations import donation_board
from rongxin.funds.services.allocations import allocation_create, allocation_reverse
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.budget import appropriation_record, budget_line_set, line_spending_record
from rongxin.funds.services.donations import donation_record

router = Router(tags=["funds"])


def _reads_budget(user: Any, **_path: Any) -> None:
    access_county_fund(user)


def _keeps_county(user: Any, **_path: Any) -> None:
    access_county_fund(user, keep=True)


def _reads_fund(user: Any, fund_id: int, **_path: Any) -> None:
    access_fund(user, fund_id)


def _keeps_fund(user: Any, fund_id: int, **_path: Any) -> None:
    access_fund(user, fund_id, keep=True)


@router.get(
    "/county/{int:year}/budget",
    response=CountyBudgetOut,
    operation_id="funds_county_budget",
    auth=gated(_reads_budget),
)
def county_budget(request: SignedInRequest, year: int) -> CountyBudgetOut:
    """The county special fund's budget for ``year``: every line (unset lines at zero) with its
    budget, allocated, spent and left; the totals, the year's appropriations, the bank balance."""
    return budget_out(budget_overview(fund=access_county_fund(request.user), year=year))


@router.put(
    "/county/{int:year}/lines/{line}",
    response=CountyLineOut,
    operation_id="funds_county_line_set",
    auth=gated(_keeps_county),
)
def county_line_set(request: SignedInRequest, year: int, line: str, payload: CountyLineIn) -> CountyLineOut:
    """Set or revise a budget line; 422 ``below_used`` under what the line already allocated and
    spent."""
    b = budget_line_set(actor=request.user, year=year, line=line, amount=payload.amount)
    return line_out(BudgetLine.objects.select_related("account").get(pk=b.pk))


@router.post(
    "/county/appropriations",
    response={201: CountyEntryOut},
    operation_id="funds_county_appropriation_record",
    auth=gated(_keeps_county),
)
def county_appropriation(
    request: SignedInRequest, on: Form[str], amount: Form[str], memo: Form[str], voucher: File[UploadedFile]
) -> Status[CountyEntryOut]:
    """The county's money paid into the fund (Dr 1001 / Cr 4001), with its voucher (PDF, JPEG or
    PNG). The same submission again within two minutes returns the first entry."""
    entry = appropriation_record(
        actor=request.user,
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
    )
    return Status(201, entry_out(entry))


@router.post(
    "/county/spending",
    response={201: CountyEntryOut},
    operation_id="funds_county_spending_record",
    auth=gated(_keeps_county),
)
def county_spending(
    request: SignedInRequest,
    budget_line_id: Form[int],
    on: Form[str],
    amount: Form[str],
    memo: Form[str],
    voucher: File[UploadedFile],
) -> Status[CountyEntryOut]:
    """Spending straight from a budget line (Dr the line's account / Cr 1001); 422 ``beyond_line``
    beyond what the line has left."""
    entry = line_spending_record(
        actor=request.user,
        budget_line_id=budget_line_id,
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
    )
    return Status(201, entry_out(entry))


@router.post(
    "/county/allocations",
    response={201: CountyAllocationOut},
    operation_id="funds_county_allocation_create",
    auth=gated(_keeps_county),
)
def county_allocation_new(
    request: SignedInRequest,
    budget_line_id: Form[int],
    on: Form[str],
    amount: Form[str],
    purpose: Form[str],
    voucher: File[UploadedFile],
    recipient_fund_id: Form[int | None] = None,
    canteen_id: Form[int | None] = None,
) -> Status[CountyAllocationOut]:
    """Allocate money of a line to a town or village credit fund of the county
    (``recipient_fund_id``: an entry in each fund) or to a canteen (``canteen_id``). 422
    ``beyond_line``, ``insufficient_funds``, ``unknown_recipient``, ``period_closed``."""
    a = allocation_create(
        actor=request.user,
        budget_line_id=budget_line_id,
        on=on,
        amount=amount,
        purpose=purpose,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
        recipient_fund_id=recipient_fund_id,
        canteen_id=canteen_id,
    )
    return Status(201, allocation_out(a))


@router.post(
    "/county/allocations/{int:allocation_id}/reverse",
    response=CountyAllocationOut,
    operation_id="funds_county_allocation_reverse",
    auth=gated(_keeps_county),
)
def county_allocation_reverse(
    request: SignedInRequest, allocation_id: int, payload: CountyAllocationReverseIn
) -> CountyAllocationOut:
    """Reverse an allocation as a pair (the county's entry and the recipient's transfer); 409
    ``already_reversed``; 422 ``insufficient_funds`` when the recipient has spent the money."""
    a = allocation_reverse(actor=request.user, allocation_id=allocation_id, on=payload.on, reason=payload.reason)
    out = allocation_out(a)
    return out.model_copy(update={"reversed": True})


@router.get(
    "/county/{int:year}/allocations",
    response=CountyAllocationPage,
    operation_id="funds_county_allocations",
    auth=gated(_reads_budget),
)
def county_allocations(
    request: SignedInRequest, year: int, filters: Query[CountyAllocationQuery]
) -> CountyAllocationPage:
    """The year's allocations, latest first; an officer sees those into their own town or village."""
    fund = access_county_fund(request.user)
    town = allocation_regions_in(fund).filter(code=filters.town).first() if filters.town else None
    if filters.town and town is None:
        raise NotFound()
    qs = allocations_list(
        fund=fund,
        year=year,
        filters=AllocationFilters(line=filters.line, region=town, since=filters.since, until=filters.until),
        visible=allocation_regions(request.user, fund),
    )
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    return CountyAllocationPage(
        total=qs.count(), offset=filters.offset, limit=filters.limit, items=[allocation_out(a) for a in rows]
    )


@router.get(
    "/{int:fund_id}/donations",
    response=FundDonationPage,
    operation_id="funds_donations",
    auth=gated(_reads_fund),
)
def fund_donations(request: SignedInRequest, fund_id: int, filters: Query[FundDonationQuery]) -> FundDonationPage:
    """The fund's donations, latest first, with donors' full names and the credit each earned
    (whoever reads the fund's books; the read is audited)."""
    board = donation_board(actor=request.user, fund_id=fund_id, offset=filters.offset, limit=filters.limit)
    return FundDonationPage(
        total=board.total,
        offset=filters.offset,
        limit=filters.limit,
        money=board.money,
        goods=board.goods,
        items=[donation_out(d) for d in board.donations],
    )


@router.post(
    "/{int:fund_id}/donations",
    response={200: FundDonationOut, 201: FundDonationOut},
    operation_id="funds_donation_record",
    auth=gated(_keeps_fund),
)
def fund_donation_new(
    request: SignedInRequest,
    fund_id: int,
    kind: Form[str],
    amount: Form[str],
    on: Form[str],
    voucher: File[UploadedFile],
    donor_name: Form[str] = "",
    anonymous: Form[bool] = False,
    donor_subject_id: Form[int | None] = None,
    goods: Form[str] = "",
) -> Status[FundDonationOut]:
    """Record money (Dr 1001 / Cr 4004) or goods at their assessed value (Dr 1002 / Cr 4005) given
    to the fund. A donor chosen from ``/subjects/search`` (``donor_subject_id``) earns P-DON-02 /
    E-DON-02 credit once, capped (``credit_status``). 201 new; 200 the same donation submitted
    again within two minutes."""
    r = donation_record(
        actor=request.user,
        fund_id=fund_id,
        kind=kind,
        amount=amount,
        on=on,
        donor_name=donor_name,
        anonymous=anonymous,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
        donor_subject_id=donor_subject_id,
        goods=goods,
    )
    return Status(201 if r.created else 200, donation_out(r.donation))
