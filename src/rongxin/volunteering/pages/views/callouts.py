"""Call-out pages: the list, calling volunteers out with shifts, a call-out's page (shifts to
take, the daily duty roster and counts), taking and leaving a shift, putting staff on one and
closing the call-out."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, flash_errors, form_keep, form_kept
from rongxin.volunteering.pages.form_errors import errors_on_shifts
from rongxin.volunteering.pages.forms import CallOutForm, ShiftFormSet, StaffForm, regions_under
from rongxin.volunteering.pages.views.volunteers import join_first
from rongxin.volunteering.permissions import (
    access_shift_for_admin,
    admin_regions,
    administers,
    administers_somewhere,
    own_volunteer_or_none,
)
from rongxin.volunteering.selectors.mobilisation import callout_list as callouts_listed
from rongxin.volunteering.selectors.mobilisation import callout_view
from rongxin.volunteering.services import mobilisation


@login_required
@require_safe
def callout_list(request: SignedInRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    items = callouts_listed(status=status if status in ("open", "closed") else "")
    return render(
        request,
        "volunteering/callout_list.html",
        {"items": items, "status": status, "can_create": administers_somewhere(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def callout_create(request: SignedInRequest) -> HttpResponse:
    """A team administrator calls volunteers out, with one or more shifts."""
    regions = regions_under(admin_regions(request.user))
    form = CallOutForm(request.POST or None)
    form.fields["region_code"].choices = regions  # type: ignore[attr-defined]
    formset = ShiftFormSet(request.POST or None, prefix="shifts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        shifts = [
            mobilisation.ShiftInput(
                place=f.cleaned_data["place"],
                starts_at=f.cleaned_data["starts_at"],
                ends_at=f.cleaned_data["ends_at"],
                needed=f.cleaned_data["needed"],
            )
            for f in formset.forms
            if f.has_changed() and f.cleaned_data
        ]
        with errors_on_shifts(form, formset) as outcome:
            c = mobilisation.callout_create(actor=request.user, shifts=shifts, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Call-out published. Volunteers can now take shifts."))
            return redirect("volunteering:callout_detail", c.pk)
    failed = bool(form.errors) or any(f.errors for f in formset.forms)
    return render(
        request,
        "volunteering/callout_form.html",
        {"form": form, "formset": formset},
        status=422 if failed else 200,
    )


@login_required
@require_safe
def callout_detail(request: SignedInRequest, callout_id: int) -> HttpResponse:
    """Shifts to take, the daily duty roster, and the daily counts with the share of
    volunteers."""
    c = callout_view(actor=request.user, callout_id=callout_id)
    now = clock.now()
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for s in c.shifts:
        duties = c.on_duty.get(s.pk, [])
        by_day[s.starts_at.astimezone(clock.LOCAL_TZ).date()].append(
            {
                "shift": s,
                "duties": duties,
                "count": len(duties),
                "mine": s.pk in c.my_shifts,
                "open": c.callout.status == "open" and now < s.ends_at,
                "started": now >= s.starts_at,
            }
        )
    return render(
        request,
        "volunteering/callout_detail.html",
        {
            "c": c,
            "callout": c.callout,
            "days": sorted(by_day.items()),
            "admin": administers(request.user, c.callout.region),
            "staff_form": StaffForm(),
            "kept_staff": form_kept(
                request,
                key=f"volunteering.staff:{c.callout.pk}",
                build=lambda data: StaffForm(data, auto_id="staff-kept-%s"),
            ),
            "volunteer": own_volunteer_or_none(request.user) is not None,
        },
    )


def _callout_back(request: HttpRequest) -> str:
    raw = request.POST.get("callout", "")
    return (
        reverse("volunteering:callout_detail", args=[int(raw)])
        if raw.isdigit()
        else reverse("volunteering:callout_list")
    )


@login_required
@require_POST
def duty_respond(request: SignedInRequest, shift_id: int) -> HttpResponse:
    if own_volunteer_or_none(request.user) is None:
        return join_first(request, _("Register as a volunteer first; then you can take a shift."))
    with flash_errors(request) as outcome:
        mobilisation.duty_respond(actor=request.user, shift_id=shift_id)
    if not outcome.failed:
        messages.success(request, _("Thank you! You are on this shift."))
    return redirect(_callout_back(request))


@login_required
@require_POST
def duty_withdraw(request: SignedInRequest, shift_id: int) -> HttpResponse:
    with flash_errors(request) as outcome:
        mobilisation.duty_withdraw(actor=request.user, shift_id=shift_id)
    if not outcome.failed:
        messages.success(request, _("You are off this shift."))
    return redirect(_callout_back(request))


@login_required
@require_POST
def duty_add_staff(request: SignedInRequest, shift_id: int) -> HttpResponse:
    access_shift_for_admin(request.user, shift_id=shift_id)  # an outsider learns nothing from the form
    form = StaffForm(request.POST)
    back = _callout_back(request)
    if form.is_valid():
        with errors_on(form) as outcome:
            duty = mobilisation.duty_add_staff(
                actor=request.user, shift_id=shift_id, staff_name=form.cleaned_data["staff_name"]
            )
        if not outcome.failed:
            messages.success(request, _("%(name)s is on the shift.") % {"name": duty.staff_name})
            return redirect(back)
    callout = request.POST.get("callout", "")
    if callout.isdigit():
        # The name typed and what is wrong with it, beside the field of this shift.
        form_keep(request, form, key=f"volunteering.staff:{callout}", about=shift_id)
    messages.error(request, _("Not added: correct the staff member's name below."))
    return redirect(back + f"#shift-{shift_id}")


@login_required
@require_POST
def callout_close(request: SignedInRequest, callout_id: int) -> HttpResponse:
    with flash_errors(request) as outcome:
        mobilisation.callout_close(actor=request.user, callout_id=callout_id)
    if not outcome.failed:
        messages.success(request, _("The call-out is closed."))
    return redirect("volunteering:callout_detail", callout_id)
