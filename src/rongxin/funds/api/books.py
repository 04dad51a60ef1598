"""JSON endpoints of the books (the pages call the same services and selectors):

- ``GET /funds``: the funds whose books the caller reads, with those they keep;
- ``GET /funds/{id}``: a fund with its trial balance (from the lines);
- ``GET /funds/{id}/entries`` (paged; ``month``, ``kind``, ``account`` filters) and
  ``GET /funds/{id}/entries/{entry_id}``: the journal, each entry with its lines;
- ``POST /funds/{id}/income`` and ``/spending`` (multipart, with the ``voucher`` file),
  ``POST /funds/{id}/entries/{entry_id}/reverse``, ``POST /funds/{id}/close``: the keeper's writes.

Who may is asked before the body or the query is read (404 for a fund missing or not the caller's,
whatever they send). Reads of the journal and of an entry are audited (``fund.read``). Amounts are
strings of yuan with at most two decimals (full-width digits accepted). Every error is
problem+json.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import File, Form, Query, Router, Status, UploadedFile

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.funds.api.books_schemas import (
    FundBooksOut,
    FundCloseIn,
    FundCloseOut,
    FundEntryOut,
    FundEntryPage,
    FundJournalQuery,
    FundListOut,
    FundListQuery,
    FundReverseIn,
    close_out,
    entry_out,
    fund_summary_out,
    trial_row_out,
)
from rongxin.funds.domain.money import FEN
from rongxin.funds.permissions.common import access_fund
from rongxin.funds.selectors.journal import fund_books, fund_entry, fund_journal, funds_list, journal_filter
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.movements import (
    fund_entry_reverse,
    fund_income_record,
    fund_period_close,
    fund_spending_record,
)

router = Router(tags=["funds"])


def fund_reader(user: Any, fund_id: int, **_: Any) -> None:
    access_fund(user, fund_id)


def fund_keeper(user: Any, fund_id: int, **_: Any) -> None:
    access_fund(user, fund_id, keep=True)


def _entry(request: SignedInRequest, fund_id: int, entry_id: int) -> FundEntryOut:
    row, _keeps = fund_entry(actor=request.user, fund_id=fund_id, entry_id=entry_id)
    return entry_out(row)


@router.get("", response=FundListOut, operation_id="funds_list")
def funds(request: SignedInRequest, filters: Query[FundListQuery]) -> FundListOut:
    """The funds whose books you read (county, towns, villages), with ``keeps`` for those you keep."""
    found = funds_list(actor=request.user, offset=filters.offset, limit=filters.limit)
    return FundListOut(
        total=found.total,
        offset=filters.offset,
        limit=filters.limit,
        items=[fund_summary_out(f, keeps=f.pk in found.kept) for f in found.funds],
    )


@router.get("/{int:fund_id}", response=FundBooksOut, operation_id="funds_fund", auth=gated(fund_reader))
def fund(request: SignedInRequest, fund_id: int) -> FundBooksOut:
    """A fund with its trial balance from the journal lines (debits equal credits). Audited."""
    b = fund_books(actor=request.user, fund_id=fund_id)
    return FundBooksOut(
        fund=fund_summary_out(b.fund, keeps=b.keeps),
        minimum_balance=b.fund.minimum_balance,
        chain_head=b.fund.chain_head,
        debits=b.debits.quantize(FEN),
        credits=b.credits.quantize(FEN),
        accounts=[trial_row_out(r) for r in b.trial],
    )


@router.get("/{int:fund_id}/entries", response=FundEntryPage, operation_id="funds_entries", auth=gated(fund_reader))
def entries(request: SignedInRequest, fund_id: int, filters: Query[FundJournalQuery]) -> FundEntryPage:
    """The fund's journal, newest first, each entry with its lines. Audited."""
    chosen = journal_filter(month=filters.month, kind=filters.kind, account=filters.account)
    page = fund_journal(actor=request.user, fund_id=fund_id, filters=chosen, offset=filters.offset, limit=filters.limit)
    return FundEntryPage(
        total=page.total, offset=page.offset, limit=page.limit, items=[entry_out(r) for r in page.rows]
    )


@router.get(
    "/{int:fund_id}/entries/{int:entry_id}",
    response=FundEntryOut,
    operation_id="funds_entry",
    auth=gated(fund_reader),
)
def entry(request: SignedInRequest, fund_id: int, entry_id: int) -> FundEntryOut:
    """One entry with its lines (404 for an entry of another fund). Audited."""
    return _entry(request, fund_id, entry_id)


@router.post(
    "/{int:fund_id}/income",
    response={201: FundEntryOut},
    operation_id="funds_income_record",
    auth=gated(fund_keeper),
)
def income(
    request: SignedInRequest,
    fund_id: int,
    kind: Form[str],
    on: Form[dt.date],
    amount: Form[str],
    memo: Form[str],
    voucher: File[UploadedFile],
) -> Status[FundEntryOut]:
    """Record money received (``kind``: welfare | transfer_in | other) with its voucher (PDF, JPEG
    or PNG by content, within the size limit). 201 with the entry; the same movement sent again
    by you within two minutes returns the entry already posted (same ``id``), nothing twice."""
    e = fund_income_record(
        actor=request.user,
        fund_id=fund_id,
        kind=kind,
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
    )
    return Status(201, _entry(request, fund_id, e.pk))


@router.post(
    "/{int:fund_id}/spending",
    response={201: FundEntryOut},
    operation_id="funds_spending_record",
    auth=gated(fund_keeper),
)
def spending(
    request: SignedInRequest,
    fund_id: int,
    kind: Form[str],
    on: Form[dt.date],
    amount: Form[str],
    memo: Form[str],
    voucher: File[UploadedFile],
    budget_line_id: Form[int | None] = None,
) -> Status[FundEntryOut]:
    """Record money paid out (``kind``: reward | spending; the county fund's spending may name a
    ``budget_line_id``). 422 ``insufficient_funds`` / ``below_minimum`` when the bank account
    cannot pay it; a double submit returns the entry already posted."""
    e = fund_spending_record(
        actor=request.user,
        fund_id=fund_id,
        kind=kind,
        on=on,
        amount=amount,
        memo=memo,
        voucher_data=read_voucher_upload(voucher),
        voucher_name=voucher.name or "",
        budget_line_id=budget_line_id,
    )
    return Status(201, _entry(request, fund_id, e.pk))


@router.post(
    "/{int:fund_id}/entries/{int:entry_id}/reverse",
    response={201: FundEntryOut},
    operation_id="funds_entry_reverse",
    auth=gated(fund_keeper),
)
def reverse(request: SignedInRequest, fund_id: int, entry_id: int, payload: FundReverseIn) -> Status[FundEntryOut]:
    """Post the reversal of an entry (every line negated). 409 ``already_reversed`` /
    ``is_reversal``; 422 ``period_closed`` for a date in a closed month."""
    r = fund_entry_reverse(actor=request.user, fund_id=fund_id, entry_id=entry_id, on=payload.on, reason=payload.reason)
    return Status(201, _entry(request, fund_id, r.pk))


@router.post(
    "/{int:fund_id}/close", response={201: FundCloseOut}, operation_id="funds_period_close", auth=gated(fund_keeper)
)
def close(request: SignedInRequest, fund_id: int, payload: FundCloseIn) -> Status[FundCloseOut]:
    """Close a month (``YYYY-MM``): months close in order, once, after they end (422
    ``close_in_order`` / ``month_not_over``, 409 ``already_closed``)."""
    c = fund_period_close(actor=request.user, fund_id=fund_id, month=payload.month)
    return Status(201, close_out(c))
