"""Donation pages: the staff list and form of a canteen's donations (donors' full names, the
credit each earned or why not), the stock-use form, and the public notice (公示), which anyone
may read without signing in (rate-limited per client address).

Views ask the right they need, call one service or selector and render; service errors go back
on the form (``errors_on``); a missing or forbidden canteen is the one "not found" page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.domain import donations as rules
from rongxin.canteens.models import Donation
from rongxin.canteens.permissions.donations import NOTICE_RATE_GROUP, access_canteen_for_donations, notice_rate
from rongxin.canteens.selectors.donations import canteen_notice, donation_board, stock_lines
from rongxin.canteens.services.donations import donation_record, stock_use_record
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status

PER_PAGE = 50

CREDIT_TEXT = {
    rules.CREDIT_RECORDED: gettext_lazy("Credit recorded: %(n)s points."),
    rules.CREDIT_HELD: gettext_lazy("%(n)s points recorded, awaiting the credit office's review."),
    rules.CREDIT_CAPPED: gettext_lazy("No points: the donor reached this year's cap for donations."),
    rules.CREDIT_NO_FILE: gettext_lazy("No credit: the donor has no credit file."),
    rules.CREDIT_NO_CONSENT: gettext_lazy(
        "No credit: the donor has not agreed to credit scoring. The donation is recorded and made public all the same."
    ),
    rules.CREDIT_BELOW: gettext_lazy("No credit: gifts worth less than ¥100 earn no point."),
}


def credit_text(state: str, points: int | None) -> str:
    return str(CREDIT_TEXT[state]) % {"n": points or 0}


# --- Forms ----------------------------------------------------------------------------------------
class DonationForm(forms.Form):
    """Shape only: amounts stay text (full-width digits, places and signs are the service's)."""

    kind = forms.ChoiceField(label=gettext_lazy("Gift of"), choices=Donation.Kind.choices, initial="goods")
    donor_kind = forms.ChoiceField(label=gettext_lazy("Donor is"), choices=Donation.DonorKind.choices)
    donor_name = forms.CharField(label=gettext_lazy("Donor's name"), max_length=100)
    donor_identifier = forms.CharField(
        label=gettext_lazy("ID number or USCC (optional)"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("With it, a donor with a consenting credit file earns credit. Never shown in public."),
    )
    anonymous = forms.BooleanField(label=gettext_lazy("The donor asks to stay anonymous"), required=False)
    item = forms.CharField(label=gettext_lazy("Item (goods)"), max_length=60, required=False)
    quantity = forms.CharField(
        label=gettext_lazy("Quantity (goods)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.CharField(label=pgettext_lazy("quantity", "Unit (goods)"), max_length=10, required=False)
    value = forms.CharField(
        label=gettext_lazy("Amount or assessed value (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class StockUseForm(forms.Form):
    item = forms.CharField(label=gettext_lazy("Item"), max_length=60)
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    unit = forms.CharField(label=pgettext_lazy("quantity", "Unit"), max_length=10)
    used_on = forms.DateField(
        label=gettext_lazy("Used on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


# --- Staff ------------------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def donations(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The canteen's donations and the form to record one (whoever runs the canteen)."""
    access_canteen_for_donations(request.user, canteen_id)
    form = DonationForm(request.POST or None, initial={"received_on": clock.today_local()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_on(form) as outcome:
                result = donation_record(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
            if not outcome.failed:
                if result.created:
                    messages.success(request, _("The donation is recorded and shown on the public notice."))
                else:
                    messages.info(request, _("This donation was recorded a moment ago; nothing was added."))
                d = result.donation
                level = (
                    messages.SUCCESS if result.credit in (rules.CREDIT_RECORDED, rules.CREDIT_HELD) else messages.INFO
                )
                messages.add_message(request, level, credit_text(result.credit, d.credit_points))
                return redirect("canteens:donations", canteen_id)
            status = outcome.status
        else:
            status = form_status(form)
    page = _page(request)
    board = donation_board(actor=request.user, canteen_id=canteen_id, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    lines = [(x, credit_text(x.credit, x.credit_points)) for x in board.lines]
    return render(
        request,
        "canteens/donations.html",
        {
            "board": board,
            "canteen": board.canteen,
            "lines": lines,
            "form": form,
            "page": page,
            "has_previous": page > 1,
            "has_next": page * PER_PAGE < board.total,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stock_use_new(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """Record donated goods used (whoever runs the canteen)."""
    canteen = access_canteen_for_donations(request.user, canteen_id)
    form = StockUseForm(request.POST or None, initial={"used_on": clock.today_local()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_on(form) as outcome:
                stock_use_record(actor=request.user, canteen_id=canteen_id, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("The stock used is recorded."))
                return redirect("canteens:donations", canteen_id)
            status = outcome.status
        else:
            status = form_status(form)
    return render(
        request,
        "canteens/stock_use_form.html",
        {"canteen": canteen, "form": form, "stock": stock_lines(canteen.pk)},
        status=status,
    )


# --- Public -------------------------------------------------------------------------------------------
@ratelimit(group=NOTICE_RATE_GROUP, key="ip", rate=notice_rate, block=True)
@require_GET
def notice(request: HttpRequest, canteen_id: int) -> HttpResponse:
    """The canteen's public notice (公示): anyone, no sign-in."""
    return render(request, "canteens/notice.html", {"n": canteen_notice(canteen_id=canteen_id)})


urls: list[URLPattern] = [
    path("canteens/<int:canteen_id>/donations/", donations, name="donations"),
    path("canteens/<int:canteen_id>/donations/stock-use/", stock_use_new, name="stock_use"),
    path("canteens/<int:canteen_id>/notice/", notice, name="notice"),
]
