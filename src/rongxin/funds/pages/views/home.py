"""The funds hub (/funds/): the funds whose books the viewer reads, with what each holds, and the
commendation meetings of their regions; for everyone else, the "not found" page (the public
statements and honour rolls have pages of their own)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.funds.permissions.common import fund_regions
from rongxin.funds.permissions.county import reads_county_budget
from rongxin.funds.selectors.scope import fund_rows, funds_in_scope, meetings_in_scope

HUB_FUNDS = 60
HUB_MEETINGS = 20


@login_required
@require_safe
def home(request: SignedInRequest) -> HttpResponse:
    if not fund_regions(request.user):
        raise NotFound()
    funds = list(funds_in_scope(request.user)[: HUB_FUNDS + 1])
    meetings = list(meetings_in_scope(request.user)[:HUB_MEETINGS])
    return render(
        request,
        "funds/home.html",
        {
            "rows": fund_rows(funds[:HUB_FUNDS]),
            "more_funds": len(funds) > HUB_FUNDS,
            "meetings": meetings,
            "county_year": clock.today_local().year if reads_county_budget(request.user) else None,
        },
    )


urls: list[URLPattern] = [path("funds/", home, name="home")]
