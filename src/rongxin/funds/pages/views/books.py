"""The books' pages: a fund (its accounts and trial balance, the journal with filters and pages,
and for its keeper the forms to record income and spending and to close a month), an entry with
its lines (and the keeper's reversal form), and a voucher's file.

Views ask the right they need first (a fund missing or not the viewer's is the one "not found"
page), check the form's shape, call one service and redirect; a service error goes back on the
form (``errors_on``), which is shown again on its page with what was typed and a 422/409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status
from rongxin.funds.models import Fund, JournalEntry
from rongxin.funds.pages.forms_books import CloseForm, IncomeForm, JournalFilterForm, ReverseForm, SpendingForm
from rongxin.funds.permissions.common import access_fund
from rongxin.funds.selectors.journal import (
    JournalFilter,
    fund_books,
    fund_budget_lines,
    fund_entry,
    fund_journal,
    fund_voucher,
    journal_filter,
)
from rongxin.funds.services.books import next_month_to_close, read_voucher_upload
from rongxin.funds.services.movements import (
    fund_entry_reverse,
    fund_income_record,
    fund_period_close,
    fund_spending_record,
)

PER_PAGE = 50


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _closable(fund: Fund) -> str:
    """The month the keeper may close now (``YYYY-MM``), or "" while it has not ended."""
    month = next_month_to_close(fund)
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return month.strftime("%Y-%m") if following <= clock.today_local() else ""


def _fund_page(
    request: SignedInRequest,
    fund_id: int,
    *,
    income: IncomeForm | None = None,
    spending: SpendingForm | None = None,
    close: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    books = fund_books(actor=request.user, fund_id=fund_id, audit=False)
    fund = books.fund
    accounts = [(r.account.code, f"{r.account.code} {r.account.name}") for r in books.trial]
    filter_form = JournalFilterForm(request.GET or None, accounts=accounts)
    chosen = JournalFilter()
    if filter_form.is_valid():
        with errors_on(filter_form):
            chosen = journal_filter(**filter_form.cleaned_data)
    page = _page(request)
    journal = fund_journal(
        actor=request.user, fund_id=fund_id, filters=chosen, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    context: dict[str, Any] = {
        "fund": fund,
        "books": books,
        "journal": journal,
        "filter_form": filter_form,
        "query": _query(request),
        "page": page,
        "has_previous": page > 1,
        "has_next": page * PER_PAGE < journal.total,
    }
    if books.keeps:
        today = clock.today_local()
        lines = fund_budget_lines(fund=fund, year=today.year) if fund.kind == Fund.Kind.COUNTY_SPECIAL else []
        closable = _closable(fund)
        context |= {
            "income_form": income or IncomeForm(fund=fund, initial={"on": today}),
            "spending_form": spending or SpendingForm(fund=fund, budget_lines=lines, initial={"on": today}),
            "close_form": close or (CloseForm(initial={"month": closable}) if closable else None),
            "closable": closable,
        }
    return render(request, "funds/fund.html", context, status=status)


def _query(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


@login_required
@require_safe
def fund(request: SignedInRequest, fund_id: int) -> HttpResponse:
    """A fund's books (whoever reads them); the keeper's forms."""
    access_fund(request.user, fund_id)
    return _fund_page(request, fund_id)


@login_required
@require_POST
def fund_income(request: SignedInRequest, fund_id: int) -> HttpResponse:
    """Record income (the fund's keeper)."""
    found = access_fund(request.user, fund_id, keep=True)
    form = IncomeForm(request.POST, request.FILES, fund=found)
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            entry = fund_income_record(
                actor=request.user,
                fund_id=fund_id,
                kind=d["kind"],
                on=d["on"],
                amount=d["amount"],
                memo=d["memo"],
                voucher_data=read_voucher_upload(d["voucher"]),
                voucher_name=d["voucher"].name or "",
            )
        if not outcome.failed:
            messages.success(request, _("Entry No. %(n)s is posted.") % {"n": entry.number})
            return redirect("funds:fund", fund_id)
        return _fund_page(request, fund_id, income=form, status=outcome.status)
    return _fund_page(request, fund_id, income=form, status=form_status(form))


@login_required
@require_POST
def fund_spending(request: SignedInRequest, fund_id: int) -> HttpResponse:
    """Record spending (the fund's keeper)."""
    found = access_fund(request.user, fund_id, keep=True)
    lines = (
        fund_budget_lines(fund=found, year=clock.today_local().year) if found.kind == Fund.Kind.COUNTY_SPECIAL else []
    )
    form = SpendingForm(request.POST, request.FILES, fund=found, budget_lines=lines)
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            entry = fund_spending_record(
                actor=request.user,
                fund_id=fund_id,
                kind=d["kind"],
                on=d["on"],
                amount=d["amount"],
                memo=d["memo"],
                voucher_data=read_voucher_upload(d["voucher"]),
                voucher_name=d["voucher"].name or "",
                budget_line_id=d.get("budget_line_id"),
            )
        if not outcome.failed:
            messages.success(request, _("Entry No. %(n)s is posted.") % {"n": entry.number})
            return redirect("funds:fund", fund_id)
        return _fund_page(request, fund_id, spending=form, status=outcome.status)
    return _fund_page(request, fund_id, spending=form, status=form_status(form))


@login_required
@require_POST
def fund_close(request: SignedInRequest, fund_id: int) -> HttpResponse:
    """Close the next month (the fund's keeper)."""
    access_fund(request.user, fund_id, keep=True)
    form = CloseForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            closed = fund_period_close(actor=request.user, fund_id=fund_id, month=form.cleaned_data["month"])
        if not outcome.failed:
            messages.success(request, _("%(month)s is closed.") % {"month": closed.month.strftime("%Y-%m")})
            return redirect("funds:fund", fund_id)
        return _fund_page(request, fund_id, close=form, status=outcome.status)
    return _fund_page(request, fund_id, close=form, status=form_status(form))


def _entry_page(
    request: SignedInRequest, fund_id: int, entry_id: int, *, form: ReverseForm | None = None, status: int = 200
) -> HttpResponse:
    row, keeps = fund_entry(actor=request.user, fund_id=fund_id, entry_id=entry_id)
    e = row.entry
    reversible = keeps and e.kind != JournalEntry.Kind.REVERSAL and row.reversed_by_number is None
    return render(
        request,
        "funds/entry.html",
        {
            "fund": e.fund,
            "row": row,
            "entry": e,
            "keeps": keeps,
            "reverse_form": (form or ReverseForm(initial={"on": clock.today_local()})) if reversible else None,
        },
        status=status,
    )


@login_required
@require_safe
def entry(request: SignedInRequest, fund_id: int, entry_id: int) -> HttpResponse:
    """One entry with its lines and voucher (whoever reads the fund)."""
    access_fund(request.user, fund_id)
    return _entry_page(request, fund_id, entry_id)


@login_required
@require_POST
def entry_reverse(request: SignedInRequest, fund_id: int, entry_id: int) -> HttpResponse:
    """Reverse an entry (the fund's keeper)."""
    access_fund(request.user, fund_id, keep=True)
    form = ReverseForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            reversal = fund_entry_reverse(
                actor=request.user,
                fund_id=fund_id,
                entry_id=entry_id,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        if not outcome.failed:
            messages.success(request, _("Entry No. %(n)s reverses it.") % {"n": reversal.number})
            return redirect("funds:entry", fund_id, reversal.pk)
        return _entry_page(request, fund_id, entry_id, form=form, status=outcome.status)
    return _entry_page(request, fund_id, entry_id, form=form, status=form_status(form))


@login_required
@require_safe
def voucher(request: SignedInRequest, fund_id: int, voucher_id: int) -> HttpResponse:
    """A voucher's file, as an attachment of its checked type (whoever reads the fund; audited)."""
    access_fund(request.user, fund_id)
    v = fund_voucher(actor=request.user, fund_id=fund_id, voucher_id=voucher_id)
    response = HttpResponse(bytes(v.data), content_type=v.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=v.file_name)
    response["Content-Length"] = str(v.size)
    response["Cache-Control"] = "private, no-store"
    return response


urls: list[URLPattern] = [
    path("funds/<int:fund_id>/", fund, name="fund"),
    path("funds/<int:fund_id>/income/", fund_income, name="fund_income"),
    path("funds/<int:fund_id>/spending/", fund_spending, name="fund_spending"),
    path("funds/<int:fund_id>/close/", fund_close, name="fund_close"),
    path("funds/<int:fund_id>/entries/<int:entry_id>/", entry, name="entry"),
    path("funds/<int:fund_id>/entries/<int:entry_id>/reverse/", entry_reverse, name="entry_reverse"),
    path("funds/<int:fund_id>/vouchers/<int:voucher_id>/", voucher, name="voucher"),
]
