"""A project's money page (the publisher, the county centre, auditors): raised, spent, settled and
left; the spendings with their vouchers and the publisher's forms to record and reverse them; the
acceptance; the left-over's settlements and the close.

Views ask the right first, check the form's shape, call one service and redirect; a service error
goes back on its form (422/409) or, for a button, as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.funds.domain.money import yuan
from rongxin.funds.services.books import read_voucher_upload
from rongxin.projects.domain import states
from rongxin.projects.models import Spending
from rongxin.projects.pages.forms_work import AcceptForm, ReverseForm, SettleForm, SpendForm
from rongxin.projects.permissions.work import access_project_publisher
from rongxin.projects.selectors.work import ProjectMoney, project_money, project_voucher
from rongxin.projects.services.spending import settlement_record, spending_record, spending_reverse
from rongxin.projects.services.work import project_accept, project_close


def _settle_form(money: ProjectMoney, data: Any = None, files: Any = None) -> SettleForm:
    at_most = _("at most")
    return SettleForm(
        data,
        files,
        pledges=[
            (r.pledge.pk, f"{r.pledge.sponsor_name} · {at_most} {yuan(r.room)}") for r in money.pledges if r.room > 0
        ],
        projects=[(p.pk, f"{p.number} {p.shown_title}") for p in money.receiving_projects],
        funds=[(f.pk, f.name) for f in money.receiving_funds],
    )


def _money_page(
    request: SignedInRequest,
    pk: int,
    *,
    spend: SpendForm | None = None,
    accept: AcceptForm | None = None,
    settle: SettleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    money = project_money(actor=request.user, project_id=pk)
    project = money.project
    context: dict[str, Any] = {
        "money": money,
        "project": project,
        "spending": money.publishes and project.state in states.SPENDABLE,
        "settling": money.publishes and project.state in states.SETTLING,
        "closable": money.publishes and project.state in states.SETTLING and project.left == 0,
        "reverse_form": ReverseForm(),
    }
    if context["spending"]:
        context["spend_form"] = spend or SpendForm(initial={"paid_on": clock.today_local()})
    if money.publishes and project.state == states.COMPLETED:
        context["accept_form"] = accept or AcceptForm()
    if context["settling"]:
        context["settle_form"] = settle or _settle_form(money)
    return render(request, "projects/money.html", context, status=status)


@login_required
@require_safe
def money(request: SignedInRequest, pk: int) -> HttpResponse:
    """A project's money (the publisher, the county centre, auditors)."""
    return _money_page(request, pk)


@login_required
@require_POST
def money_spend(request: SignedInRequest, pk: int) -> HttpResponse:
    """Record spending with its voucher (the publisher)."""
    access_project_publisher(request.user, pk)
    form = SpendForm(request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            spending_record(
                actor=request.user,
                project_id=pk,
                amount=d["amount"],
                paid_on=d["paid_on"],
                purpose=d["purpose"],
                voucher_data=read_voucher_upload(d["voucher"]),
                voucher_name=d["voucher"].name or "",
            )
        if not outcome.failed:
            messages.success(request, _("The spending is recorded."))
            return redirect("projects:money", pk)
        return _money_page(request, pk, spend=form, status=outcome.status)
    return _money_page(request, pk, spend=form, status=form_status(form))


@login_required
@require_POST
def money_reverse(request: SignedInRequest, pk: int) -> HttpResponse:
    """Reverse a spending (the publisher); an error comes back as a message."""
    project_id = Spending.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise NotFound()
    access_project_publisher(request.user, project_id)
    with flash_errors(request) as outcome:
        spending_reverse(actor=request.user, spending_id=pk, reason=request.POST.get("reverse-reason", ""))
    if not outcome.failed:
        messages.success(request, _("The spending is reversed."))
    return redirect("projects:money", project_id)


@login_required
@require_POST
def money_accept(request: SignedInRequest, pk: int) -> HttpResponse:
    """Accept the completed work (the publisher)."""
    access_project_publisher(request.user, pk)
    form = AcceptForm(request.POST)
    if form.is_valid():
        with errors_on(form) as outcome:
            project_accept(
                actor=request.user,
                project_id=pk,
                note=form.cleaned_data["note"],
                feedback=form.cleaned_data["feedback"],
            )
        if not outcome.failed:
            messages.success(request, _("The project is accepted."))
            return redirect("projects:money", pk)
        return _money_page(request, pk, accept=form, status=outcome.status)
    return _money_page(request, pk, accept=form, status=form_status(form))


@login_required
@require_POST
def money_settle(request: SignedInRequest, pk: int) -> HttpResponse:
    """Return or move (part of) the left-over (the publisher)."""
    access_project_publisher(request.user, pk)
    found = project_money(actor=request.user, project_id=pk)
    form = _settle_form(found, request.POST, request.FILES)
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form) as outcome:
            settlement_record(
                actor=request.user,
                project_id=pk,
                kind=d["kind"],
                amount=d["amount"],
                note=d["note"],
                pledge_id=d.get("pledge_id"),
                to_project_id=d.get("to_project_id"),
                to_fund_id=d.get("to_fund_id"),
                voucher_data=read_voucher_upload(d["voucher"]) if d.get("voucher") else None,
                voucher_name=d["voucher"].name if d.get("voucher") else "",
            )
        if not outcome.failed:
            messages.success(request, _("The left-over is settled."))
            return redirect("projects:money", pk)
        return _money_page(request, pk, settle=form, status=outcome.status)
    return _money_page(request, pk, settle=form, status=form_status(form))


@login_required
@require_POST
def money_close(request: SignedInRequest, pk: int) -> HttpResponse:
    """Close the project (the publisher); an error comes back as a message."""
    access_project_publisher(request.user, pk)
    with flash_errors(request) as outcome:
        project_close(actor=request.user, project_id=pk)
    if not outcome.failed:
        messages.success(request, _("The project is closed."))
    return redirect("projects:money", pk)


@login_required
@require_safe
def voucher(request: SignedInRequest, pk: int, voucher_id: int) -> HttpResponse:
    """A voucher of the project's spending or settlement, as an attachment of its checked type
    (the publisher, the county centre, auditors; audited)."""
    v = project_voucher(actor=request.user, project_id=pk, voucher_id=voucher_id)
    response = HttpResponse(bytes(v.data), content_type=v.content_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=v.file_name) or "attachment"
    )
    response["Content-Length"] = str(v.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urls: list[URLPattern] = [
    path("projects/<int:pk>/money/", money, name="money"),
    path("projects/<int:pk>/money/spend/", money_spend, name="money_spend"),
    path("projects/spendings/<int:pk>/reverse/", money_reverse, name="money_reverse"),
    path("projects/<int:pk>/money/accept/", money_accept, name="money_accept"),
    path("projects/<int:pk>/money/settle/", money_settle, name="money_settle"),
    path("projects/<int:pk>/money/close/", money_close, name="money_close"),
    path("projects/<int:pk>/vouchers/<int:voucher_id>/", voucher, name="voucher"),
]
