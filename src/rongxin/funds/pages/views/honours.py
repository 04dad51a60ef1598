"""Honour roll pages (光荣榜), for everyone, signed in or not:

- ``funds/public/honours/``: the published rolls, newest quarter first, filtered by town or
  village, year and quarter, searchable by region name; paged;
- ``funds/public/honours/<meeting_id>/``: one published roll, names by category with village,
  a short reason and the kind of award;
- ``…/pdf/``: the printable A3 poster.

A meeting that is not published is the one "not found" page, exactly as an unknown id.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from rongxin.funds.domain.honour_pdf import render_honour_roll
from rongxin.funds.models import Nomination
from rongxin.funds.pages.views.public import page_number, pager
from rongxin.funds.selectors.honour_roll import honour_roll, honour_rolls
from rongxin.funds.selectors.public import public_towns

PER_PAGE = 50


class HonourFilter(forms.Form):
    town = forms.TypedChoiceField(label=_("Town"), coerce=int, empty_value=None, required=False)
    q = forms.CharField(label=_("Village or community"), max_length=30, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("All quarters")), *((q, f"Q{q}") for q in range(1, 5))],
    )


@require_safe
def honours_index(request: HttpRequest) -> HttpResponse:
    """The published honour rolls."""
    form = HonourFilter(request.GET or None)
    form.fields["town"].choices = [("", _("All towns")), *((t.pk, t.name) for t in public_towns())]  # type: ignore[attr-defined]
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    page = page_number(request)
    result = honour_rolls(
        region_id=data.get("town") if valid else 0,
        year=data.get("year"),
        quarter=data.get("quarter"),
        q=data.get("q") or "",
        offset=(page - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    return render(
        request,
        "funds/honour_index.html",
        {"form": form, "result": result, "pager": pager(request, page=page, total=result.total, per_page=PER_PAGE)},
        status=200 if valid else 400,
    )


AWARDS = {
    "money": pgettext_lazy("honour award", "Prize money"),
    "goods": pgettext_lazy("honour award", "Prize"),
    "certificate": pgettext_lazy("honour award", "Certificate of honour"),
}


@require_safe
def roll(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One published honour roll, with the words for each category and award in the page's
    language."""
    data = honour_roll(meeting_id=meeting_id)
    categories = dict(Nomination.Category.choices)
    groups = [
        (g, categories.get(g.category, g.title), [(n, AWARDS.get(n.award_kind, "")) for n in g.names])
        for g in data.groups
    ]
    return render(request, "funds/honour_roll.html", {"roll": data, "groups": groups})


@require_safe
def roll_pdf(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The roll as an A3 poster."""
    data = honour_roll(meeting_id=meeting_id)
    response = HttpResponse(render_honour_roll(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="honour-roll-{data.meeting_id}.pdf"'
    return response


urls: list[URLPattern] = [
    path("funds/public/honours/", honours_index, name="honours"),
    path("funds/public/honours/<int:meeting_id>/", roll, name="honour_roll"),
    path("funds/public/honours/<int:meeting_id>/pdf/", roll_pdf, name="honour_roll_pdf"),
]
