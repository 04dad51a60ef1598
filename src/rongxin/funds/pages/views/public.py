"""Transparency pages (村务公开), for everyone, signed in or not:

- ``funds/public/``: the county special fund and every town's and village's credit fund, grouped
  by town, each with its latest quarterly statement; a search by village name and a town filter;
  paged;
- ``funds/public/<fund_id>/<year>/q<quarter>/``: a fund's quarterly statement (balances, income
  and spending by account, the county fund's budget lines, the quarter's donations with their
  donors, anonymous ones as 爱心人士（匿名）), with the previous and next quarters;
- ``…/pdf/``: the same as an A4 PDF.

An unknown fund or a quarter without a statement is the one "not found" page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from rongxin.funds.domain.statement_pdf import render_statement
from rongxin.funds.selectors.public import public_funds, public_towns
from rongxin.funds.selectors.statements import quarter_statement

PER_PAGE = 50
MAX_PAGE = 10_000


class PublicFundFilter(forms.Form):
    q = forms.CharField(label=_("Village or community"), max_length=30, required=False)
    town = forms.TypedChoiceField(label=_("Town"), coerce=int, empty_value=None, required=False)


def page_number(request: HttpRequest) -> int:
    """The ``page`` query parameter (1 … MAX_PAGE; anything else is page 1)."""
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else 1


def pager(request: HttpRequest, *, page: int, total: int, per_page: int) -> dict[str, Any]:
    """What the pager needs: this page, the number of pages, the query without ``page``."""
    query = request.GET.copy()
    query.pop("page", None)
    pages = max(1, (total + per_page - 1) // per_page)
    return {
        "number": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "query": query.urlencode(),
    }


@require_safe
def public_index(request: HttpRequest) -> HttpResponse:
    """Every fund with its latest statement, grouped by town."""
    towns = public_towns()
    form = PublicFundFilter(request.GET or None)
    form.fields["town"].choices = [("", _("All towns")), *((t.pk, t.name) for t in towns)]  # type: ignore[attr-defined]
    town_id: int | None = None
    q = ""
    valid = form.is_valid() if form.is_bound else True
    if form.is_bound and valid:
        town_id, q = form.cleaned_data["town"], form.cleaned_data["q"]
    page = page_number(request)
    # An invalid filter (an unknown town) shows no fund rather than every fund.
    result = public_funds(town_id=town_id if valid else 0, q=q, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    groups: list[tuple[Any, list[Any]]] = []
    for row in result.rows:
        if not groups or groups[-1][0] != row.town:
            groups.append((row.town, []))
        groups[-1][1].append(row)
    return render(
        request,
        "funds/public_index.html",
        {
            "form": form,
            "result": result,
            "groups": groups,
            "pager": pager(request, page=page, total=result.total, per_page=PER_PAGE),
        },
        status=200 if valid else 400,
    )


@require_safe
def statement(request: HttpRequest, fund_id: int, year: int, quarter: int) -> HttpResponse:
    """A fund's quarterly statement."""
    s = quarter_statement(fund_id=fund_id, year=year, quarter=quarter)
    return render(request, "funds/statement.html", {"s": s})


@require_safe
def statement_pdf(request: HttpRequest, fund_id: int, year: int, quarter: int) -> HttpResponse:
    """The statement as an A4 PDF (opened in the browser, saved under a readable name)."""
    s = quarter_statement(fund_id=fund_id, year=year, quarter=quarter)
    response = HttpResponse(render_statement(s), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{s.fund_id}-{s.period.year}q{s.period.quarter}.pdf"'
    return response


urls: list[URLPattern] = [
    path("funds/public/", public_index, name="public_index"),
    path("funds/public/<int:fund_id>/<int:year>/q<int:quarter>/", statement, name="statement"),
    path("funds/public/<int:fund_id>/<int:year>/q<int:quarter>/pdf/", statement_pdf, name="statement_pdf"),
]
