"""Sponsor pages: pledge to a project (a resident or enterprise representative for whom they speak;
the county centre for a credit file, recording a pledge made on paper or at the ceremony), one's
own pledges with what was paid and the certificates, withdrawing a pledge, the fund keeper's desk
of pledges still to be paid, and the certificate's public verification (no sign-in; rate-limited
per client address together with the volunteering certificates) and PDF."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.funds.domain import donation_points as rules
from rongxin.funds.domain.money import yuan
from rongxin.funds.services.books import read_voucher_upload
from rongxin.projects.models import Payment, Pledge
from rongxin.projects.pages.forms_sponsor import DeskFilterForm, PaymentForm, PledgeForm, WithdrawForm
from rongxin.projects.permissions.common import access_project, is_centre, keeps_project_fund, sponsor_subjects
from rongxin.projects.selectors.sponsor import certificate_pdf as certificate_pdf_read
from rongxin.projects.selectors.sponsor import certificate_verify, open_pledges, pledges_mine
from rongxin.projects.services.payments import payment_record
from rongxin.projects.services.pledges import pledge_create, pledge_withdraw
from rongxin.volunteering.permissions import VERIFY_RATE_GROUP, verify_rate

DESK_ROWS = 200

CREDIT_TEXT = {
    rules.CREDIT_CREATED: gettext_lazy("Credit recorded: %(n)s points."),
    rules.CREDIT_HELD: gettext_lazy("%(n)s points recorded, awaiting the credit office's review."),
    rules.CREDIT_EXISTING: gettext_lazy("Credit recorded before: %(n)s points."),
    rules.CREDIT_CAPPED: gettext_lazy("No points: the sponsor reached this year's cap for sponsorship."),
    rules.CREDIT_NO_CONSENT: gettext_lazy(
        "No credit: the sponsor has not agreed to credit scoring. The payment is recorded and made public all the same."
    ),
    rules.CREDIT_BELOW: gettext_lazy("No credit: the payment is less than the rule's smallest award."),
}


def credit_text(payment: Payment) -> str:
    text = CREDIT_TEXT.get(payment.credit_status)
    return str(text) % {"n": payment.credit_points or 0} if text is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def pledge(request: SignedInRequest, pk: int) -> HttpResponse:
    """The pledge form of a project: for whom, how much, title sponsorship, anonymity."""
    project = access_project(request.user, pk)
    subjects = sponsor_subjects(request.user)
    centre = is_centre(request.user)
    if not subjects and not centre:
        raise NotFound()
    form = PledgeForm(request.POST or None, subjects=subjects, centre=centre)
    status = 200
    if request.method == "POST":
        outcome = None
        if form.is_valid():
            c = form.cleaned_data
            with errors_on(form) as outcome:
                result = pledge_create(
                    actor=request.user,
                    project_id=project.pk,
                    sponsor_subject_id=c["sponsor_subject_id"],
                    amount=c["amount"],
                    title=c["title"],
                    anonymous=c["anonymous"],
                )
            if not outcome.failed:
                if result.created:
                    messages.success(
                        request,
                        _("%(sponsor)s pledged %(amount)s to %(project)s. Thank you!")
                        % {"sponsor": result.pledge.sponsor_name, "amount": yuan(result.pledge.amount),
                           "project": project.number},
                    )  # fmt: skip
                else:
                    messages.info(request, _("This pledge was made a moment ago; nothing was added."))
                if result.pledge.sponsor_id in {s.pk for s in subjects}:
                    return redirect("projects:pledges_mine")
                return redirect(reverse("projects:payments") + "?" + urlencode({"number": project.number}))
        status = form_status(form, outcome)
    project.refresh_from_db()
    return render(
        request,
        "projects/pledge.html",
        {
            "project": project,
            "form": form,
            "centre": centre,
            "budget": yuan(project.budget),
            "pledged": yuan(project.pledged),
            "need": yuan(project.budget - project.pledged),
        },
        status=status,
    )


@login_required
@require_GET
def mine(request: SignedInRequest) -> HttpResponse:
    """The pledges of every subject the actor speaks for, with what was paid and the certificates."""
    rows = [
        (p, yuan(p.amount), yuan(p.paid), yuan(p.amount - p.paid) if p.state == Pledge.State.OPEN else "")
        for p in pledges_mine(actor=request.user)
    ]
    return render(
        request,
        "projects/pledges_mine.html",
        {"rows": rows, "speaks": bool(sponsor_subjects(request.user))},
    )


@login_required
@require_POST
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    """Withdraw a pledge on which nothing has been paid (redirects back with what happened)."""
    form = WithdrawForm(request.POST)
    with flash_errors(request) as outcome:
        pledge_withdraw(actor=request.user, pledge_id=pk, reason=form.data.get("reason", ""))
    if not outcome.failed:
        messages.success(request, _("The pledge is withdrawn."))
    back = request.POST.get("next", "")
    if back == "payments" and keeps_project_fund(request.user):
        return redirect("projects:payments")
    return redirect("projects:pledges_mine")


@login_required
@require_http_methods(["GET", "POST"])
def payments(request: SignedInRequest) -> HttpResponse:
    """The fund keeper's desk: pledges with money still to come, and the form to record a payment
    with its bank slip."""
    if not keeps_project_fund(request.user):
        raise NotFound()
    filters = DeskFilterForm(request.GET or None)
    number = filters.cleaned_data["number"] if filters.is_valid() else ""
    chosen_raw = request.POST.get("pledge_id") if request.method == "POST" else request.GET.get("pledge", "")
    chosen = None
    if chosen_raw and str(chosen_raw).isascii() and str(chosen_raw).isdigit() and len(str(chosen_raw)) < 12:
        # A form is offered for a pledge still waiting for money; a sent form goes to the service
        # whatever the pledge's state now (a double submit of its last payment returns the first).
        pledges = open_pledges(actor=request.user, audit=False) if request.method == "GET" else Pledge.objects
        chosen = pledges.select_related("project").filter(pk=int(chosen_raw)).first()
    form = None
    status = 200
    if chosen is not None:
        form = PaymentForm(
            request.POST or None,
            request.FILES or None,
            initial={"pledge_id": chosen.pk, "amount": f"{chosen.amount - chosen.paid}",
                     "received_on": clock.today_local().isoformat()},
        )  # fmt: skip
    if request.method == "POST":
        if form is None:
            raise NotFound()
        outcome = None
        if form.is_valid():
            c = form.cleaned_data
            with errors_on(form) as outcome:
                result = payment_record(
                    actor=request.user,
                    pledge_id=chosen.pk,  # type: ignore[union-attr]
                    amount=c["amount"],
                    received_on=c["received_on"],
                    voucher_data=read_voucher_upload(c["voucher"]),
                    voucher_name=c["voucher"].name,
                )
            if not outcome.failed:
                if result.created:
                    messages.success(request, _("The payment is recorded in the project's books."))
                else:
                    messages.info(request, _("This payment was recorded a moment ago; nothing was added."))
                text = credit_text(result.payment)
                if text:
                    if result.credit_note:
                        text = f"{text} {_('The yearly cap trimmed the points.')}"
                    messages.info(request, text)
                return redirect(
                    reverse("projects:payments") + "?" + urlencode({"number": result.payment.project.number})
                )
        status = form_status(form, outcome)
    desk = list(open_pledges(actor=request.user, number=number)[:DESK_ROWS])
    rows = [(p, yuan(p.amount), yuan(p.paid), yuan(p.amount - p.paid)) for p in desk]
    return render(
        request,
        "projects/payments.html",
        {
            "filters": filters,
            "number": number,
            "rows": rows,
            "limited": len(desk) == DESK_ROWS,
            "chosen": chosen,
            "chosen_unpaid": yuan(chosen.amount - chosen.paid) if chosen is not None else "",
            "form": form,
        },
        status=status,
    )


@ratelimit(group=VERIFY_RATE_GROUP, key="ip", rate=verify_rate, block=True)
@require_GET
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """The public verification of a sponsor certificate (what its QR code opens)."""
    try:
        cert = certificate_verify(code=code)
    except NotFound:
        cert = None
    response = render(
        request,
        "projects/certificate.html",
        {"cert": cert, "code": code[:40],
         "pledged": yuan(cert.pledged) if cert else "", "paid": yuan(cert.paid) if cert else ""},
        status=200 if cert is not None else 404,
    )  # fmt: skip
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_GET
def certificate_pdf(request: SignedInRequest, code: str) -> HttpResponse:
    """The certificate as a PDF for the sponsor's speakers, the project's publishers and the centre."""
    data = certificate_pdf_read(actor=request.user, code=code, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{code}.pdf"'
    return response


urls: list[URLPattern] = [
    path("projects/<int:pk>/pledge/", pledge, name="pledge"),
    path("projects/pledges/mine/", mine, name="pledges_mine"),
    path("projects/pledges/<int:pk>/withdraw/", withdraw, name="pledge_withdraw"),
    path("projects/payments/", payments, name="payments"),
    path("projects/certificates/<str:code>/", certificate, name="certificate"),
    path("projects/certificates/<str:code>/pdf/", certificate_pdf, name="certificate_pdf"),
]
