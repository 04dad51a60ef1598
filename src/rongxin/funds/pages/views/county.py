"""The county special fund's budget page (/funds/county/<year>/): each line's budget, allocated,
spent and left with the totals, the allocations (to whom, when, how much, what for) with
filters, the direct spending; for the county fund keeper, the forms to set a line, record the
county's appropriation, allocate and spend. Auditors read it all; town and village officers read
the budget and the allocations into their own town or village.

Each form posts to its own route and the page is rendered again with the failed form and its
errors (``errors_on``); success redirects back to the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.models import Canteen
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.funds.domain.money import yuan
from rongxin.funds.models import BudgetLine, Fund
from rongxin.funds.pages.forms_county import (
    AllocationFilterForm,
    AllocationForm,
    AppropriationForm,
    LineSetForm,
    SpendingForm,
)
from rongxin.funds.permissions.county import access_county_fund, allocation_regions
from rongxin.funds.selectors.budget import (
    AllocationFilters,
    allocation_regions_in,
    allocations_list,
    budget_overview,
    direct_spending,
    recipient_funds,
)
from rongxin.funds.services.allocations import allocation_create, allocation_reverse
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.budget import appropriation_record, budget_line_set, line_spending_record

PER_PAGE = 50
FIRST_YEAR = 2020


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= clock.today_local().year + 1:
        raise NotFound()
    return year


def _line_choices(fund: Fund, year: int) -> list[tuple[int, str]]:
    return [(b.pk, str(b.get_line_display())) for b in BudgetLine.objects.filter(fund=fund, year=year)]


def _recipient_choices(fund: Fund) -> list[tuple[str, str]]:
    funds = [(f"fund:{f.pk}", f.name) for f in recipient_funds(fund)]
    canteens = [
        (f"canteen:{c.pk}", f"{c.name}（{c.village.name}）")
        for c in Canteen.objects.filter(village__code__startswith=fund.region.prefix)
        .exclude(status=Canteen.Status.CLOSED)
        .select_related("village")
        .order_by("village__code", "name")
    ]
    return [("", "—"), *funds, *canteens]


def _page(
    request: SignedInRequest, fund: Fund, year: int, *, failed: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    visible = allocation_regions(request.user, fund)
    keeper = visible is None and _keeps(request, fund)
    o = budget_overview(fund=fund, year=year)
    towns = list(allocation_regions_in(fund).values_list("code", "name"))
    filters_form = AllocationFilterForm(request.GET or None, towns=towns)
    filters = AllocationFilters()
    if filters_form.is_valid():
        town = filters_form.cleaned_data["town"]
        filters = AllocationFilters(
            line=filters_form.cleaned_data["line"],
            region=allocation_regions_in(fund).filter(code=town).first() if town else None,
            since=filters_form.cleaned_data["since"],
            until=filters_form.cleaned_data["until"],
        )
    paginator = Paginator(allocations_list(fund=fund, year=year, filters=filters, visible=visible), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    forms: dict[str, Form] = {}
    if keeper:
        lines = _line_choices(fund, year)
        forms = {
            "line_form": LineSetForm(),
            "appropriation_form": AppropriationForm(initial={"on": clock.today_local().isoformat()}),
            "allocation_form": AllocationForm(
                lines=lines, recipients=_recipient_choices(fund), initial={"on": clock.today_local().isoformat()}
            ),
            "spending_form": SpendingForm(lines=lines, initial={"on": clock.today_local().isoformat()}),
        }
        forms.update(failed or {})
    rows = [
        {
            "label": f.label,
            "budget": yuan(f.budget),
            "allocated": yuan(f.allocated),
            "spent": yuan(f.spent),
            "left": yuan(f.left),
            "set": f.line is not None,
        }
        for f in o.lines
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "funds/budget.html",
        {
            "fund": fund,
            "year": year,
            "years": [year - 1, year + 1] if year < clock.today_local().year + 1 else [year - 1],
            "rows": rows,
            "totals": {
                "budget": yuan(o.budget),
                "allocated": yuan(o.allocated),
                "spent": yuan(o.spent),
                "left": yuan(o.left),
                "appropriated": yuan(o.appropriated),
                "bank": yuan(o.bank),
            },
            "page": page,
            "allocations": [(a, yuan(a.amount), bool(getattr(a, "is_reversed", False))) for a in page.object_list],
            "today": clock.today_local().isoformat(),
            "spending": [(e, yuan(_gross(e))) for e in direct_spending(fund=fund, year=year)[:PER_PAGE]]
            if visible is None
            else [],
            "filters": filters_form,
            "query": query.urlencode(),
            "keeper": keeper,
            "own_only": visible is not None,
            **forms,
        },
        status=status,
    )


def _gross(entry: Any) -> Any:
    return sum((ln.amount for ln in entry.lines.all() if ln.amount > 0), 0)


def _keeps(request: SignedInRequest, fund: Fund) -> bool:
    try:
        return access_county_fund(request.user, keep=True).pk == fund.pk
    except NotFound:
        return False


@login_required
@require_safe
def budget(request: SignedInRequest, year: int) -> HttpResponse:
    fund = access_county_fund(request.user)
    return _page(request, fund, _year(year))


def _voucher(form: Form) -> tuple[bytes, str]:
    upload = form.cleaned_data["voucher"]
    return read_voucher_upload(upload), upload.name


@login_required
@require_POST
def line_set(request: SignedInRequest, year: int) -> HttpResponse:
    fund = access_county_fund(request.user, keep=True)
    year = _year(year)
    form = LineSetForm(request.POST)
    outcome = None
    if form.is_valid():
        with errors_on(form) as outcome:
            budget_line_set(actor=request.user, year=year, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("The budget line is set."))
            return redirect("funds:budget", year)
    return _page(request, fund, year, failed={"line_form": form}, status=form_status(form, outcome))


@login_required
@require_POST
def appropriation_new(request: SignedInRequest, year: int) -> HttpResponse:
    fund = access_county_fund(request.user, keep=True)
    year = _year(year)
    form = AppropriationForm(request.POST, request.FILES)
    outcome = None
    if form.is_valid():
        with errors_on(form) as outcome:
            data, name = _voucher(form)
            appropriation_record(
                actor=request.user,
                on=form.cleaned_data["on"],
                amount=form.cleaned_data["amount"],
                memo=form.cleaned_data["memo"],
                voucher_data=data,
                voucher_name=name,
            )
        if not outcome.failed:
            messages.success(request, _("The appropriation is recorded."))
            return redirect("funds:budget", year)
    return _page(request, fund, year, failed={"appropriation_form": form}, status=form_status(form, outcome))


@login_required
@require_POST
def allocation_new(request: SignedInRequest, year: int) -> HttpResponse:
    fund = access_county_fund(request.user, keep=True)
    year = _year(year)
    form = AllocationForm(
        request.POST, request.FILES, lines=_line_choices(fund, year), recipients=_recipient_choices(fund)
    )
    outcome = None
    if form.is_valid():
        kind, _sep, pk = form.cleaned_data["recipient"].partition(":")
        recipient_fund_id = int(pk) if kind == "fund" else None
        canteen_id = int(pk) if kind == "canteen" else None
        with errors_on(form) as outcome:
            data, name = _voucher(form)
            allocation_create(
                actor=request.user,
                budget_line_id=form.cleaned_data["budget_line_id"],
                on=form.cleaned_data["on"],
                amount=form.cleaned_data["amount"],
                purpose=form.cleaned_data["purpose"],
                voucher_data=data,
                voucher_name=name,
                recipient_fund_id=recipient_fund_id,
                canteen_id=canteen_id,
            )
        if not outcome.failed:
            messages.success(request, _("The allocation is recorded in both funds' books."))
            return redirect("funds:budget", year)
    return _page(request, fund, year, failed={"allocation_form": form}, status=form_status(form, outcome))


@login_required
@require_POST
def spending_new(request: SignedInRequest, year: int) -> HttpResponse:
    fund = access_county_fund(request.user, keep=True)
    year = _year(year)
    form = SpendingForm(request.POST, request.FILES, lines=_line_choices(fund, year))
    outcome = None
    if form.is_valid():
        with errors_on(form) as outcome:
            data, name = _voucher(form)
            line_spending_record(
                actor=request.user,
                budget_line_id=form.cleaned_data["budget_line_id"],
                on=form.cleaned_data["on"],
                amount=form.cleaned_data["amount"],
                memo=form.cleaned_data["memo"],
                voucher_data=data,
                voucher_name=name,
            )
        if not outcome.failed:
            messages.success(request, _("The spending is recorded."))
            return redirect("funds:budget", year)
    return _page(request, fund, year, failed={"spending_form": form}, status=form_status(form, outcome))


@login_required
@require_POST
def allocation_reverse_view(request: SignedInRequest, year: int, allocation_id: int) -> HttpResponse:
    """Reverse an allocation as a pair (the keeper); errors come back as a message on the page."""
    access_county_fund(request.user, keep=True)
    year = _year(year)
    with flash_errors(request) as outcome:
        allocation_reverse(
            actor=request.user,
            allocation_id=allocation_id,
            on=request.POST.get("on", ""),
            reason=request.POST.get("reason", ""),
        )
    if not outcome.failed:
        messages.success(request, _("The allocation is reversed in both funds' books."))
    return redirect("funds:budget", year)


urls: list[URLPattern] = [
    path("funds/county/<int:year>/", budget, name="budget"),
    path("funds/county/<int:year>/lines/", line_set, name="budget_line_set"),
    path("funds/county/<int:year>/appropriations/", appropriation_new, name="appropriation_new"),
    path("funds/county/<int:year>/allocations/", allocation_new, name="allocation_new"),
    path("funds/county/<int:year>/spending/", spending_new, name="line_spending_new"),
    path(
        "funds/county/<int:year>/allocations/<int:allocation_id>/reverse/",
        allocation_reverse_view,
        name="allocation_reverse",
    ),
]
