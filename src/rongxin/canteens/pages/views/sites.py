"""Canteen pages: the list, one canteen (details, status history, costs, links to the daily
service, cooks and donations pages), adding and changing a canteen, its status and its costs.

Thin views: the right is asked first (missing and forbidden look the same), then the form's
shape, then one service call; service errors land on the form's fields (``errors_on``). The
status and cost forms live on the canteen's page and post to their own views, which keep a
failed form for the page to show (``form_keep``)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest, grants_with_roles
from rongxin.canteens.domain.weekdays import format_weekdays, meets_five_day_rule
from rongxin.canteens.models import Canteen
from rongxin.canteens.pages.forms_sites import CanteenFilterForm, CanteenForm, CostForm, StatusForm
from rongxin.canteens.pages.views.cooks import cooks_section
from rongxin.canteens.permissions.common import access_canteen, admin_grants, figure_regions
from rongxin.canteens.selectors import sites as reads
from rongxin.canteens.services import sites as services
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, form_keep, form_kept, form_status
from rongxin.regions.models import Region

PAGE_SIZE = 50
MANAGER_ONLY = ("name", "planned_year", "team_id")
CREATE_ONLY = ("village_code", "status", "opened_on", "create_team")


def _choices_of(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _require_reader(actor: Any) -> None:
    if not figure_regions(actor):
        raise NotFound()


def _require_planner(actor: Any) -> None:
    if not (admin_grants(actor) or grants_with_roles(actor, [Role.TOWN_OFFICER])):
        raise NotFound()


# --- The list ----------------------------------------------------------------------------------------
@login_required
@require_safe
def site_list(request: SignedInRequest) -> HttpResponse:
    """The canteens the viewer reads, by village, filtered by town and status."""
    _require_reader(request.user)
    form = CanteenFilterForm(request.GET or None)
    towns = sorted({(c.town.code, c.town.name) for c in reads.visible_canteens(request.user)})
    _choices_of(form, "town").choices = [("", _("All towns")), *towns]
    town = status = ""
    if form.is_valid():
        town, status = form.cleaned_data["town"], form.cleaned_data["status"]
    rows = reads.canteen_list(actor=request.user, town_code=town, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "canteens/site_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "can_create": bool(_planner(request.user))},
        status=form_status(form),
    )


def _planner(actor: Any) -> bool:
    return bool(admin_grants(actor) or grants_with_roles(actor, [Role.TOWN_OFFICER]))


# --- One canteen -------------------------------------------------------------------------------------
def _status_key(canteen_id: int) -> str:
    return f"canteens.status:{canteen_id}"


def _cost_key(canteen_id: int) -> str:
    return f"canteens.cost:{canteen_id}"


@login_required
@require_safe
def canteen_page(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """One canteen: its details, status history and costs; the forms its managers use; links to
    the pages of the other areas (daily service, cooks, donations)."""
    canteen = reads.canteen_visible(request.user, canteen_id)
    rights = reads.canteen_rights(request.user, canteen)
    status_form = form_kept(request, key=_status_key(canteen.pk), build=StatusForm) or StatusForm(
        initial={"on": clock.today_local()}
    )
    cost_form = form_kept(request, key=_cost_key(canteen.pk), build=CostForm) or CostForm(
        initial={"year": clock.today_local().year}
    )
    allowed = sorted(
        services.TRANSITIONS[canteen.status]
        if rights.manage
        else {to for (frm, to) in services.STAFF_TRANSITIONS if frm == canteen.status}
    )
    _choices_of(status_form, "status").choices = [(s, Canteen.Status(s).label) for s in allowed]
    days = list(canteen.meal_weekdays or [])
    elders = reads.elder_counts([canteen.pk], clock.today_local()).get(canteen.pk, (0, 0))
    return render(
        request,
        "canteens/canteen.html",
        {
            "canteen": canteen,
            "rights": rights,
            "meal_days": format_weekdays(days),
            "five_days": meets_five_day_rule(days),
            "events": reads.canteen_events(canteen),
            "costs": reads.canteen_costs(canteen),
            "status_form": status_form if allowed and (rights.manage or rights.staff) else None,
            "cost_form": cost_form if rights.manage else None,
            "elders": elders[0],
            "elders_80": elders[1],
            "links": _area_links(canteen, rights),
            "cooks": cooks_section(request, canteen) if rights.manage or rights.staff else None,
        },
    )


# The other areas' pages of a canteen: (route, label, who): "staff" = village staff only (elders'
# names), "runs" = village staff and those who oversee the canteen, "any" = the public.
AREA_LINKS = (
    ("canteens:service", gettext_lazy("Today's lunch"), "staff"),
    ("canteens:service_history", gettext_lazy("Lunch records of the last 30 days"), "staff"),
    ("canteens:elders", gettext_lazy("Enrolled elders"), "staff"),
    ("canteens:cooks", gettext_lazy("Cooks and health certificates"), "runs"),
    ("canteens:rota", gettext_lazy("Weekly rota"), "runs"),
    ("canteens:clinics", gettext_lazy("Clinics"), "runs"),
    ("canteens:premeal", gettext_lazy("Pre-meal quarter hours"), "runs"),
    ("canteens:donations", gettext_lazy("Donations and stock"), "runs"),
    ("canteens:notice", gettext_lazy("Public notice"), "any"),
)


def _area_links(canteen: Canteen, rights: reads.CanteenRights) -> list[tuple[str, str]]:
    allowed = {"staff": rights.staff, "runs": rights.staff or rights.manage, "any": True}
    return [
        (str(label), reverse(name, kwargs={"canteen_id": canteen.pk}))
        for name, label, who in AREA_LINKS
        if allowed[who]
    ]


@login_required
@require_POST
def site_status(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """Change a canteen's status, from its page."""
    canteen = access_canteen(request.user, canteen_id)
    form = StatusForm(request.POST)
    _choices_of(form, "status").choices = Canteen.Status.choices
    if form.is_valid():
        with errors_on(form) as outcome:
            services.canteen_status_change(
                actor=request.user,
                canteen_id=canteen.pk,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
            )
        if not outcome.failed:
            messages.success(request, _("Status changed."))
            return redirect("canteens:canteen", canteen.pk)
    form_keep(request, form, key=_status_key(canteen.pk))
    return redirect("canteens:canteen", canteen.pk)


@login_required
@require_POST
def site_cost(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """Record a cost, from the canteen's page."""
    canteen = access_canteen(request.user, canteen_id)
    form = CostForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            services.canteen_cost_add(
                actor=request.user,
                canteen_id=canteen.pk,
                kind=data["kind"],
                year=data["year"],
                source=data["source"],
                amount=data["amount"],
                note=data["note"],
            )
        if not outcome.failed:
            messages.success(request, _("Cost recorded."))
            return redirect("canteens:canteen", canteen.pk)
    form_keep(request, form, key=_cost_key(canteen.pk))
    return redirect("canteens:canteen", canteen.pk)


# --- Add and change ----------------------------------------------------------------------------------
def _choices(form: CanteenForm, village: Region | None) -> None:
    if "venue_id" in form.fields:
        venues = reads.canteen_venues(village) if village else []
        _choices_of(form, "venue_id").choices = [("", _("None, or a new site at the coordinates below"))] + [
            (str(v.pk), v.name) for v in venues
        ]
    if "team_id" in form.fields:
        teams = reads.canteen_teams(village) if village else []
        _choices_of(form, "team_id").choices = [("", _("None yet"))] + [(str(t.pk), t.name) for t in teams]


@login_required
def site_create(request: SignedInRequest) -> HttpResponse:
    """An administrator or a town officer adds a canteen in a village of their area. The cook
    team and the site are chosen from those of the village once it exists (edit)."""
    _require_planner(request.user)
    form = CanteenForm(request.POST or None, initial={"meal_weekdays": ["0", "1", "2", "3", "4"], "status": "planned"})
    villages = reads.planner_villages(request.user)
    _choices_of(form, "village_code").choices = [
        (v.code, f"{v.parent.name} {v.name}" if v.parent else v.name) for v in villages
    ]
    for name in ("venue_id", "team_id"):
        del form.fields[name]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            canteen = services.canteen_create(
                actor=request.user,
                village_code=data["village_code"],
                name=data["name"],
                operator=data["operator"],
                seats=data["seats"],
                meal_weekdays=data["meal_weekdays"],
                address=data["address"],
                status=data["status"],
                opened_on=data["opened_on"],
                planned_year=data["planned_year"] or None,
                latitude=data["latitude"],
                longitude=data["longitude"],
                create_team=data["create_team"],
                note=data["note"],
            )
        if not outcome.failed:
            messages.success(request, _("Canteen added."))
            return redirect("canteens:canteen", canteen.pk)
        return render(request, "canteens/site_form.html", {"form": form}, status=outcome.status)
    return render(request, "canteens/site_form.html", {"form": form}, status=form_status(form))


@login_required
def site_edit(request: SignedInRequest, canteen_id: int) -> HttpResponse:
    """Change a canteen: village staff its day-to-day details, its town and the county all."""
    canteen = access_canteen(request.user, canteen_id)
    rights = reads.canteen_rights(request.user, canteen)
    initial = {
        "name": canteen.name,
        "operator": canteen.operator,
        "seats": str(canteen.seats),
        "meal_weekdays": [str(d) for d in canteen.meal_weekdays or []],
        "address": canteen.address,
        "planned_year": str(canteen.planned_year or ""),
        "venue_id": str(canteen.venue_id or ""),
        "team_id": str(canteen.team_id or ""),
        "note": canteen.note,
    }
    form = CanteenForm(request.POST or None, initial=initial)
    for name in CREATE_ONLY + (() if rights.manage else MANAGER_ONLY):
        del form.fields[name]
    _choices(form, canteen.village)
    context = {"form": form, "canteen": canteen}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            "seats": data["seats"],
            "meal_weekdays": data["meal_weekdays"],
            "address": data["address"],
            "operator": data["operator"],
            "note": data["note"],
        }
        if rights.manage:
            changes["name"] = data["name"]
            changes["planned_year"] = data["planned_year"] or None
            changes["team_id"] = data["team_id"] or None
        if data["latitude"] or data["longitude"]:
            changes.update(venue_id=None, latitude=data["latitude"], longitude=data["longitude"])
        elif (data["venue_id"] or "") != str(canteen.venue_id or ""):
            changes["venue_id"] = data["venue_id"] or None
        with errors_on(form) as outcome:
            services.canteen_update(actor=request.user, canteen_id=canteen.pk, **changes)
        if not outcome.failed:
            messages.success(request, _("Canteen saved."))
            return redirect("canteens:canteen", canteen.pk)
        return render(request, "canteens/site_form.html", context, status=outcome.status)
    return render(request, "canteens/site_form.html", context, status=form_status(form))


urls: list[URLPattern] = [
    path("canteens/sites/", site_list, name="site_list"),
    path("canteens/sites/new/", site_create, name="site_create"),
    path("canteens/<int:canteen_id>/", canteen_page, name="canteen"),
    path("canteens/<int:canteen_id>/edit/", site_edit, name="site_edit"),
    path("canteens/<int:canteen_id>/status/", site_status, name="site_status"),
    path("canteens/<int:canteen_id>/costs/", site_cost, name="site_cost"),
]
