"""Coverage (全覆盖) and figures pages for those who read the programme's figures (lecture
administrators and auditors for the county, town officers for their towns); anyone else gets
the one "not found" page, before their input is even read.

``/lectures/coverage/`` lists every village or community by town, uncovered first, with a
months picker; ``?format=csv`` downloads the same table for a spreadsheet (UTF-8 with a byte
order mark, Chinese headers, every text cell made formula-safe). ``/lectures/figures/`` shows
sessions and listeners per month as plain CSS bars, and the breakdowns as tables. Aggregates
only: no listener's name appears.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, form_status
from rongxin.core.spreadsheet import spreadsheet_safe
from rongxin.lectures.permissions.common import figure_regions
from rongxin.lectures.selectors.figures import (
    MAX_MONTHS,
    MIN_MONTHS,
    Coverage,
    add_months,
    check_day,
    coverage,
    lecture_figures,
)

ASCII_ONLY = gettext_lazy("Use the digits 0–9.")


class AsciiIntegerField(forms.IntegerField):
    """An integer written with the digits 0–9 only (Django would read ``３`` as 3)."""

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and not str(value).strip().isascii():
            raise forms.ValidationError(ASCII_ONLY, code="ascii")
        return super().to_python(value)


class AsciiDateField(forms.DateField):
    """A date written ``YYYY-MM-DD`` with the digits 0–9 only."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(ASCII_ONLY, code="ascii")
        return super().to_python(value)


class CoverageForm(forms.Form):
    months = AsciiIntegerField(
        label=gettext_lazy("Months without a lecture"),
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    on = AsciiDateField(
        label=gettext_lazy("Checked on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class FiguresForm(forms.Form):
    first = AsciiDateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = AsciiDateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


def require_figure_reader(actor: Any) -> None:
    if not figure_regions(actor):
        raise NotFound()


def _bar(value: int, top: int) -> int:
    """A bar's width in steps of 5 % (the stylesheet has a class per step; no inline style)."""
    if top <= 0 or value <= 0:
        return 0
    return max(5, round(value * 20 / top) * 5)


# --- Coverage --------------------------------------------------------------------------------------
@login_required
@require_safe
def coverage_page(request: SignedInRequest) -> HttpResponse:
    """Which villages and communities had a closed lecture in the last months (全覆盖)."""
    require_figure_reader(request.user)
    data = request.GET.copy()
    data.setdefault("months", str(settings.RONGXIN_LECTURE_COVERAGE_MONTHS))
    data.setdefault("on", clock.today_local().isoformat())
    form = CoverageForm(data)
    result: Coverage | None = None
    if form.is_valid():
        with errors_on(form):
            result = coverage(
                actor=request.user,
                on=form.cleaned_data["on"] or clock.today_local(),
                months=form.cleaned_data["months"],
            )
    if result is not None and request.GET.get("format") == "csv":
        return coverage_csv(result)
    data["format"] = "csv"
    return render(
        request,
        "lectures/coverage.html",
        {"form": form, "c": result, "csv_query": data.urlencode()},
        status=form_status(form),
    )


def coverage_csv(result: Coverage) -> HttpResponse:
    """The coverage table as CSV for Excel and WPS: UTF-8 with a byte order mark, Chinese
    headers, one row per village or community, text cells formula-safe."""
    with translation.override(settings.LANGUAGE_CODE):
        yes, no = _("Yes"), _("No")
        header = [
            _("Town"),
            _("Village or community"),
            _("Region code"),
            _("Last lecture"),
            _("Sessions in the last %(months)s months") % {"months": result.months},
            _("Listeners in the last %(months)s months") % {"months": result.months},
            _("Covered"),
        ]
        name = _("lecture-coverage")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for town in result.towns:
        for v in town.villages:
            writer.writerow(
                [
                    spreadsheet_safe(town.name),
                    spreadsheet_safe(v.name),
                    v.code,
                    v.last_session.isoformat() if v.last_session else "",
                    v.sessions,
                    v.listeners,
                    yes if v.covered else no,
                ]
            )
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    filename = f"{name}-{result.on.isoformat()}.csv"
    response["Content-Disposition"] = (
        f"attachment; filename=\"lecture-coverage-{result.on.isoformat()}.csv\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


# --- Figures ---------------------------------------------------------------------------------------
@login_required
@require_safe
def figures_page(request: SignedInRequest) -> HttpResponse:
    """Sessions and listeners per month, town and team; sayings, ratings, formats and places."""
    require_figure_reader(request.user)
    today = clock.today_local()
    data = request.GET.copy()
    data.setdefault("last", today.isoformat())
    data.setdefault("first", add_months(today, -11).replace(day=1).isoformat())
    form = FiguresForm(data)
    result = None
    if form.is_valid():
        last = form.cleaned_data["last"] or today
        with errors_on(form):
            first = form.cleaned_data["first"] or add_months(check_day("last", last), -11).replace(day=1)
            result = lecture_figures(actor=request.user, first=first, last=last)
    context: dict[str, Any] = {"form": form, "f": result}
    if result is not None:
        top = max((m.sessions for m in result.months), default=0)
        context["month_bars"] = [(m, _bar(m.sessions, top)) for m in result.months]
        top_town = max((t.sessions for t in result.towns), default=0)
        context["town_bars"] = [(t, _bar(t.sessions, top_town)) for t in result.towns]
        top_rating = max(result.ratings.distribution.values(), default=0)
        context["rating_bars"] = [
            (stars, n, _bar(n, top_rating)) for stars, n in sorted(result.ratings.distribution.items(), reverse=True)
        ]
    return render(request, "lectures/figures.html", context, status=form_status(form))


urls: list[URLPattern] = [
    path("lectures/coverage/", coverage_page, name="coverage"),
    path("lectures/figures/", figures_page, name="figures"),
]
