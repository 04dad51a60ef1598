"""The figures page (/canteens/figures/) for those who read canteen figures, over their region:
lunches per day, totals per town and canteen, meal days in a week against each canteen's
commitment and the five-day rule, cooks and hours per month, donations per month. Tables only
(the insight module charts them); ``?table=<name>&format=csv`` downloads one table (UTF-8 with a
byte order mark, formula-safe text). Counts only: no elder's name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.models import Donation
from rongxin.canteens.pages.forms_sites import FiguresForm
from rongxin.canteens.permissions.common import figure_regions
from rongxin.canteens.selectors.figures import Figures, canteen_figures
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, form_status
from rongxin.core.spreadsheet import spreadsheet_safe


def csv_response(name: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    """A table as CSV for Excel and WPS: UTF-8 with a byte order mark, text cells formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    response = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f"attachment; filename=\"{name}.csv\"; filename*=UTF-8''{quote(name)}.csv"
    return response


def _yes(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _tables(f: Figures) -> dict[str, tuple[list[str], Callable[[], list[list[Any]]]]]:
    kinds = dict(Donation.Kind.choices)
    totals = [_("Days recorded"), _("Ate in"), _("Delivered"), _("Walk-ins")]
    return {
        "days": (
            [_("Date"), _("Ate in"), _("Delivered"), _("Walk-ins"), _("Canteens reporting")],
            lambda: [[d.date.isoformat(), d.eat_in, d.delivered, d.walk_ins, d.canteens] for d in f.days],
        ),
        "towns": (
            [_("Town"), *totals],
            lambda: [[t.label, t.days, t.eat_in, t.delivered, t.walk_ins] for t in f.towns],
        ),
        "canteens": (
            [_("Canteen"), *totals],
            lambda: [[t.label, t.days, t.eat_in, t.delivered, t.walk_ins] for t in f.canteens],
        ),
        "weeks": (
            [
                _("Canteen"),
                _("Village or community"),
                _("Meal days committed"),
                _("Days served"),
                _("Days missing"),
                _("Meets its commitment"),
                _("Five days or more"),
            ],
            lambda: [
                [
                    w.canteen.name,
                    w.canteen.village.name,
                    w.committed,
                    w.served,
                    w.missing,
                    _yes(w.meets_commitment),
                    _yes(w.meets_five_day_rule),
                ]
                for w in f.weeks
            ],
        ),
        "cooks": (
            [_("Month"), _("Cooks"), _("Service records"), _("Hours")],
            lambda: [[f"{m.month:%Y-%m}", m.cooks, m.records, str(m.hours)] for m in f.cooks],
        ),
        "donations": (
            [_("Month"), _("Kind"), _("Donations"), _("Value (yuan)")],
            lambda: [[f"{m.month:%Y-%m}", kinds.get(m.kind, m.kind), m.donations, str(m.value)] for m in f.donations],
        ),
    }


@login_required
@require_safe
def figures_page(request: SignedInRequest) -> HttpResponse:
    """The canteens' figures over the viewer's region for a period (default: the last 30 days)
    and a week (default: last week)."""
    regions = figure_regions(request.user)
    if not regions:
        raise NotFound()
    region = regions[0]
    today = clock.today_local()
    data = request.GET.copy()
    data.setdefault("date_to", today.isoformat())
    data.setdefault("date_from", (today - dt.timedelta(days=29)).isoformat())
    data.setdefault("week", (today - dt.timedelta(days=7)).isoformat())
    form = FiguresForm(data)
    result: Figures | None = None
    if form.is_valid():
        d = form.cleaned_data
        with errors_on(form):
            result = canteen_figures(
                region=region,
                date_from=d["date_from"] or today - dt.timedelta(days=29),
                date_to=d["date_to"] or today,
                week=d["week"] or today - dt.timedelta(days=7),
            )
    tables = _tables(result) if result is not None else {}
    wanted = request.GET.get("table", "")
    if result is not None and request.GET.get("format") == "csv":
        if wanted not in tables:
            raise NotFound()
        header, rows = tables[wanted]
        return csv_response(f"canteen-{wanted}-{form.cleaned_data['date_to'].isoformat()}", header, rows())
    links = {}
    for name in tables:
        q = data.copy()
        q["table"], q["format"] = name, "csv"
        links[name] = q.urlencode()
    below = [w for w in result.weeks if not w.meets_commitment] if result else []
    return render(
        request,
        "canteens/site_figures.html",
        {"form": form, "f": result, "region": region, "csv": links, "below": below},
        status=form_status(form),
    )


urls: list[URLPattern] = [path("canteens/figures/", figures_page, name="figures")]
