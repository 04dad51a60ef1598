"""Pages of the charity ceremony (公益典礼), the figures and the sponsors' roll:

- ``projects/ceremonies/``: every ceremony (public); the county centre also sets one up here;
- ``projects/ceremonies/<year>/``: the big screen (public): dark, large type, for a projector; its
  live part is fetched again every 5 seconds by htmx from ``…/live/`` (served here, no other host);
- ``projects/ceremonies/<year>/live/``: that fragment (``Cache-Control: no-store``);
- ``projects/ceremonies/<year>/manage/``: the centre's working page: change the ceremony, put
  projects into its batch by number or take them out, launch it now;
- ``projects/figures/``: projects and money per year, town and category (public);
- ``projects/sponsors/``: the sponsors' roll (public).

A missing ceremony, and the working page for anyone but the centre, is the one "not found" page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.projects.pages.forms_ceremony import BatchForm, CeremonyEditForm, CeremonyForm, FiguresFilter
from rongxin.projects.permissions.common import is_centre
from rongxin.projects.selectors.ceremony import (
    ceremony_batch,
    ceremony_get,
    ceremony_list,
    ceremony_live,
    project_ids_by_number,
)
from rongxin.projects.selectors.figures import figure_towns, projects_figures, sponsors_roll
from rongxin.projects.services.ceremonies import ceremony_attach, ceremony_create, ceremony_launch, ceremony_update

PER_PAGE = 50
MAX_PAGE = 1000


@require_http_methods(["GET", "POST"])
def ceremonies(request: HttpRequest) -> HttpResponse:
    """Every ceremony; the county centre also sets one up."""
    centre = is_centre(request.user)
    if request.method == "POST" and not centre:
        raise NotFound()
    form = CeremonyForm(request.POST or None, initial={"year": clock.today_local().year}) if centre else None
    status = 200
    if form is not None and request.method == "POST":
        if form.is_valid():
            with errors_on(form) as outcome:
                c = ceremony_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            if not outcome.failed:
                messages.success(request, _("The ceremony is set up. Put projects into its batch."))
                return redirect("projects:ceremony_manage", c.year)
            status = outcome.status
        else:
            status = form_status(form)
    return render(
        request,
        "projects/ceremonies.html",
        {"ceremonies": ceremony_list(), "form": form, "centre": centre},
        status=status,
    )


def _live_context(year: int) -> dict[str, Any]:
    c = ceremony_get(year=year)
    now = clock.now()
    return {
        "ceremony": c,
        "live": ceremony_live(ceremony=c),
        "running": c.starts_at <= now < c.ends_at,
        "ended": now >= c.ends_at,
        "now": now,
    }


@require_safe
def ceremony(request: HttpRequest, year: int) -> HttpResponse:
    """The big screen of the ceremony."""
    return render(request, "projects/ceremony_screen.html", _live_context(year))


@require_safe
def ceremony_live_fragment(request: HttpRequest, year: int) -> HttpResponse:
    """The screen's live part, fetched again every 5 seconds."""
    response = render(request, "projects/_ceremony_live.html", _live_context(year))
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def ceremony_manage(request: HttpRequest, year: int) -> HttpResponse:
    """The centre's working page of a ceremony; each form posts its ``action`` here."""
    if not is_centre(request.user):
        raise NotFound()
    c = ceremony_get(year=year)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    edit = CeremonyEditForm(
        request.POST if action == "edit" else None,
        initial={
            "title": c.title,
            "venue": c.venue,
            "starts_at": c.starts_at.astimezone(clock.LOCAL_TZ),
            "ends_at": c.ends_at.astimezone(clock.LOCAL_TZ),
        },
    )
    batch = BatchForm(request.POST if action in ("attach", "detach") else None)
    status = 200
    if action == "edit":
        if edit.is_valid():
            with errors_on(edit) as outcome:
                ceremony_update(actor=request.user, year=year, **edit.cleaned_data)  # type: ignore[arg-type]
            if not outcome.failed:
                messages.success(request, _("The ceremony is changed."))
                return redirect("projects:ceremony_manage", year)
            status = outcome.status
        else:
            status = form_status(edit)
    elif action in ("attach", "detach"):
        if batch.is_valid():
            numbers = batch.cleaned_data["numbers"]
            ids = project_ids_by_number(numbers)
            unknown = [n for n in numbers if n not in ids]
            if unknown:
                batch.add_error("numbers", _("No such project: %(numbers)s") % {"numbers": "、".join(unknown[:5])})
                status = 422
            else:
                with errors_on(batch) as outcome:
                    n = ceremony_attach(
                        actor=request.user,  # type: ignore[arg-type]
                        year=year,
                        project_ids=list(ids.values()),
                        attach=action == "attach",
                    )
                if not outcome.failed:
                    done = (
                        _("%(n)d projects put into the batch.")
                        if action == "attach"
                        else _("%(n)d projects taken out of the batch.")
                    )
                    messages.success(request, done % {"n": n})
                    return redirect("projects:ceremony_manage", year)
                status = outcome.status
        else:
            status = form_status(batch)
    elif action == "launch":
        with flash_errors(request) as outcome:
            n = ceremony_launch(actor=request.user, year=year)  # type: ignore[arg-type]
        if not outcome.failed:
            messages.success(request, _("The ceremony is launched: %(n)d projects published.") % {"n": n})
        return redirect("projects:ceremony_manage", year)
    elif request.method == "POST":
        raise NotFound()
    now = clock.now()
    return render(
        request,
        "projects/ceremony_manage.html",
        {
            "ceremony": c,
            "batch_projects": ceremony_batch(ceremony=c),
            "edit_form": edit,
            "batch_form": batch,
            "changeable": c.launched_at is None and now < c.starts_at,
            "launchable": c.launched_at is None,
        },
        status=status,
    )


@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    """Projects and money per year, town and category, with filters."""
    towns = figure_towns()
    form = FiguresFilter(request.GET or None)
    form.fields["town"].choices = [("", _("All towns")), *((t.code, t.name) for t in towns)]  # type: ignore[attr-defined]
    filters: dict[str, Any] = {}
    valid = form.is_valid() if form.is_bound else True
    if form.is_bound and valid:
        filters = {
            "year": form.cleaned_data["year"],
            "town_code": form.cleaned_data["town"] or None,
            "category": form.cleaned_data["category"] or None,
        }
    return render(
        request,
        "projects/figures.html",
        {"form": form, "f": projects_figures(**filters) if valid else None},
        status=200 if valid else 400,
    )


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else 1


@require_safe
def sponsors(request: HttpRequest) -> HttpResponse:
    """The sponsors' roll, a page at a time, with the same filters as the figures."""
    towns = figure_towns()
    form = FiguresFilter(request.GET or None)
    form.fields["town"].choices = [("", _("All towns")), *((t.code, t.name) for t in towns)]  # type: ignore[attr-defined]
    filters: dict[str, Any] = {}
    valid = form.is_valid() if form.is_bound else True
    if form.is_bound and valid:
        filters = {
            "year": form.cleaned_data["year"],
            "town_code": form.cleaned_data["town"] or None,
            "category": form.cleaned_data["category"] or None,
        }
    page = _page(request)
    roll = sponsors_roll(**filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE) if valid else None
    query = request.GET.copy()
    query.pop("page", None)
    pages = max(1, ((roll.total if roll else 0) + PER_PAGE - 1) // PER_PAGE)
    pager = {
        "number": page,
        "pages": pages,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if page < pages else None,
        "query": query.urlencode(),
    }
    return render(
        request,
        "projects/sponsors.html",
        {"form": form, "roll": roll, "pager": pager},
        status=200 if valid else 400,
    )


urls: list[URLPattern] = [
    path("projects/ceremonies/", ceremonies, name="ceremonies"),
    path("projects/ceremonies/<int:year>/", ceremony, name="ceremony"),
    path("projects/ceremonies/<int:year>/live/", ceremony_live_fragment, name="ceremony_live"),
    path("projects/ceremonies/<int:year>/manage/", ceremony_manage, name="ceremony_manage"),
    path("projects/figures/", figures, name="figures"),
    path("projects/sponsors/", sponsors, name="sponsors"),
]
