"""A fund's donations for staff (/funds/<fund_id>/donations/): the list with donors' full names
and the credit each earned or why not (whoever reads the fund's books; the read is audited), and
the form to record one (the fund's keeper). The public list of donations is the public
statement's (anonymous donors as 「爱心人士（匿名）」)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import Outcome, errors_on, form_status
from rongxin.funds.domain import donation_points as rules
from rongxin.funds.domain.money import yuan
from rongxin.funds.models import Donation
from rongxin.funds.pages.forms_county import FundDonationForm
from rongxin.funds.permissions.common import access_fund, keeper_role
from rongxin.funds.selectors.donations import donation_board
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.donations import donation_record

PER_PAGE = 50

CREDIT_TEXT = {
    rules.CREDIT_CREATED: gettext_lazy("Credit recorded: %(n)s points."),
    rules.CREDIT_HELD: gettext_lazy("%(n)s points recorded, awaiting the credit office's review."),
    rules.CREDIT_EXISTING: gettext_lazy("Credit recorded before: %(n)s points."),
    rules.CREDIT_CAPPED: gettext_lazy("No points: the donor reached this year's cap for donations."),
    rules.CREDIT_NO_CONSENT: gettext_lazy(
        "No credit: the donor has not agreed to credit scoring. The donation is recorded and made public all the same."
    ),
    rules.CREDIT_BELOW: gettext_lazy("No credit: the gift is worth less than the rule's smallest award."),
    rules.CREDIT_NO_FILE: gettext_lazy("No credit: the donor was not chosen from the credit files."),
}


TRIMMED = gettext_lazy("The yearly cap trimmed the points.")


def credit_text(d: Donation) -> str:
    return str(CREDIT_TEXT.get(d.credit_status, CREDIT_TEXT[rules.CREDIT_NO_FILE])) % {"n": d.credit_points or 0}


def _page_number(raw: str) -> int:
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _subject_id(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() else raw


@login_required
@require_http_methods(["GET", "POST"])
def donations(request: SignedInRequest, fund_id: int) -> HttpResponse:
    """The fund's donations and, for its keeper, the form to record one."""
    fund = access_fund(request.user, fund_id)
    keeps = bool(keeper_role(request.user, fund))
    form = FundDonationForm(
        request.POST or None, request.FILES or None, initial={"on": clock.today_local().isoformat()}
    )
    status = 200
    if request.method == "POST":
        fund = access_fund(request.user, fund_id, keep=True)
        outcome = Outcome()
        if form.is_valid():
            c = form.cleaned_data
            with errors_on(form) as outcome:
                result = donation_record(
                    actor=request.user,
                    fund_id=fund.pk,
                    kind=c["kind"],
                    amount=c["amount"],
                    on=c["on"],
                    donor_name=c["donor_name"],
                    anonymous=c["anonymous"],
                    voucher_data=read_voucher_upload(c["voucher"]),
                    voucher_name=c["voucher"].name,
                    donor_subject_id=_subject_id(c["donor_subject_id"]),
                    goods=c["goods"],
                )
            if not outcome.failed:
                if result.created:
                    messages.success(request, _("The donation is recorded in the fund's books."))
                else:
                    messages.info(request, _("This donation was recorded a moment ago; nothing was added."))
                d = result.donation
                if d.donor_id is not None:
                    text = credit_text(d)
                    if result.credit_note:
                        text = f"{text} {TRIMMED}"
                    messages.info(request, text)
                return redirect("funds:donations", fund.pk)
        status = form_status(form, outcome)
    page = _page_number(request.GET.get("page", "1"))
    board = donation_board(actor=request.user, fund_id=fund.pk, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render(
        request,
        "funds/donations.html",
        {
            "fund": fund,
            "board": board,
            "lines": [(d, yuan(d.amount), credit_text(d)) for d in board.donations],
            "money": yuan(board.money),
            "goods": yuan(board.goods),
            "form": form if keeps else None,
            "page": page,
            "has_previous": page > 1,
            "has_next": page * PER_PAGE < board.total,
        },
        status=status,
    )


urls: list[URLPattern] = [path("funds/<int:fund_id>/donations/", donations, name="donations")]
