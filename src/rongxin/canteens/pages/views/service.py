"""The canteen manager's phone page for a day's lunch (``?date=``, today by default): the elders
enrolled that day, each with a big 「堂食」/「送餐」 toggle, the walk-ins and one button that saves
the day (a correction appends a revision). Then the last 30 days with missing days marked, and
one day's revisions.

Views ask the right they need, call one service or selector and render; service errors go back
on the form (``errors_on``), and a missing or forbidden canteen is the one "not found" page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.domain.days import RECORD_WINDOW_DAYS
from rongxin.canteens.models import Meal
from rongxin.canteens.permissions.common import is_village_staff
from rongxin.canteens.permissions.elders import access_canteen_staff
from rongxin.canteens.selectors.service_days import service_day_revisions, service_days, service_sheet
from rongxin.canteens.services.service_days import service_day_record
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status

HISTORY_DAYS = 30


class DayForm(forms.Form):
    # Text, so that the service refuses "１２" (full-width) with its own clear message.
    walk_ins = forms.CharField(
        label=gettext_lazy("Walk-ins"),
        max_length=6,
        initial="0",
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


def _date(raw: str | None) -> dt.date | None:
    if not raw:
        return clock.today_local()
    try:
        return dt.date.fromisoformat(raw) if raw.isascii() and len(raw) == 10 else None
    except ValueError:
        return None


def _choices(request: SignedInRequest) -> dict[int, str]:
    """The submitted toggles: ``meal_<subject id>`` = ``eat_in`` | ``delivered`` | ``""``."""
    out: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("meal_") and key[5:].isascii() and key[5:].isdigit() and len(key) < 16:
            out[int(key[5:])] = value if value in Meal.Kind.values else ""
    return out


@login_required
@require_http_methods(["GET", "POST"])
def service(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The day's sheet (village staff of the canteen's village only) and its save."""
    access_canteen_staff(request.user, canteen_id)
    on = _date(request.POST.get("date") if request.method == "POST" else request.GET.get("date"))
    if on is None:
        messages.error(request, _("This is not a date; showing today."))
        return redirect("canteens:service", canteen_id)
    form = DayForm(request.POST or None)
    status = 200
    posted: dict[int, str] | None = None
    if request.method == "POST":
        posted = _choices(request)
        if form.is_valid():
            with errors_on(form) as outcome:
                row = service_day_record(
                    actor=request.user,
                    canteen_id=canteen_id,
                    on=on,
                    eat_in=[pk for pk, kind in posted.items() if kind == Meal.Kind.EAT_IN],
                    delivered=[pk for pk, kind in posted.items() if kind == Meal.Kind.DELIVERED],
                    walk_ins=form.cleaned_data["walk_ins"],
                    note=form.cleaned_data["note"],
                )
            if not outcome.failed:
                messages.success(
                    request,
                    _("Saved: %(eat_in)d ate in, %(delivered)d delivered, %(walk_ins)d walk-ins (revision %(rev)d).")
                    % {"eat_in": row.eat_in, "delivered": row.delivered, "walk_ins": row.walk_ins, "rev": row.revision},
                )
                return redirect(reverse("canteens:service", args=[canteen_id]) + f"?date={on.isoformat()}")
            status = outcome.status
        else:
            status = form_status(form)
    sheet = service_sheet(actor=request.user, canteen_id=canteen_id, on=on)
    if posted is None and sheet.current is not None:
        form = DayForm(initial={"walk_ins": sheet.current.walk_ins, "note": sheet.current.note})
    chosen = posted if posted is not None else {r.subject_id: r.today for r in sheet.rows}
    today = clock.today_local()
    context: dict[str, Any] = {
        "sheet": sheet,
        "canteen": sheet.canteen,
        "rows": [(r, chosen.get(r.subject_id, "")) for r in sheet.rows],
        "form": form,
        "today": today,
        "window": RECORD_WINDOW_DAYS,
        "previous": on - dt.timedelta(days=1)
        if on - dt.timedelta(days=1) >= today - dt.timedelta(days=RECORD_WINDOW_DAYS)
        else None,
        "next": on + dt.timedelta(days=1) if on < today else None,
    }
    return render(request, "canteens/service.html", context, status=status)


@login_required
def service_history(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """The last 30 days (counts only; missing meal days marked), for whoever runs the canteen."""
    today = clock.today_local()
    canteen, lines = service_days(
        actor=request.user, canteen_id=canteen_id, date_from=today - dt.timedelta(days=HISTORY_DAYS - 1), date_to=today
    )
    return render(
        request,
        "canteens/service_history.html",
        {
            "canteen": canteen,
            "lines": lines,
            "staff": is_village_staff(request.user, canteen),
            "oldest_recordable": today - dt.timedelta(days=RECORD_WINDOW_DAYS),
            "missing": sum(1 for x in lines if x.missing),
        },
    )


@login_required
def service_day(request: SignedInRequest, canteen_id: int, on: str) -> HttpResponse:
    """One day's revisions, latest first."""
    day = _date(on)
    if day is None:
        return redirect("canteens:service_history", canteen_id)
    canteen, revisions = service_day_revisions(actor=request.user, canteen_id=canteen_id, on=day)
    return render(
        request,
        "canteens/service_day.html",
        {"canteen": canteen, "on": day, "revisions": revisions, "staff": is_village_staff(request.user, canteen)},
    )


urls: list[URLPattern] = [
    path("canteens/<int:canteen_id>/service/", service, name="service"),
    path("canteens/<int:canteen_id>/service/history/", service_history, name="service_history"),
    path("canteens/<int:canteen_id>/service/days/<str:on>/", service_day, name="service_day"),
]
