"""The coverage plan page (/canteens/plan/): the share of villages with an open canteen against
the target, the villages still needed, the villages without one ranked by residents aged 80+
(counts only), the build plan per year. Administrators set the target and the yearly plan; town
officers read their town's part; auditors read it all. ``?format=csv`` downloads the ranked list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest, grants_with_roles
from rongxin.canteens.models import Canteen
from rongxin.canteens.pages.forms_sites import PlanDayForm, TargetForm, YearPlanForm
from rongxin.canteens.pages.views.site_figures import csv_response
from rongxin.canteens.permissions.common import admin_grants
from rongxin.canteens.selectors.plan import Coverage, coverage
from rongxin.canteens.services import sites as services
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on
from rongxin.regions.models import Region


def plan_scope(actor: Any) -> tuple[Region, Region | None]:
    """The county whose plan the actor reads and the town they are limited to (None: all)."""
    admin = admin_grants(actor)
    if admin:
        return admin[0].region, None
    auditors = grants_with_roles(actor, [Role.AUDITOR])
    if auditors:
        return auditors[0].region, None
    towns = [g.region for g in grants_with_roles(actor, [Role.TOWN_OFFICER]) if g.region.level == Region.Level.TOWN]
    if towns and towns[0].parent is not None:
        return towns[0].parent, towns[0]
    raise NotFound()


@login_required
def plan_page(request: SignedInRequest) -> HttpResponse:
    """The coverage plan; an administrator's POST sets the target (``action=target``) or a
    year's plan (``action=year``)."""
    county, town = plan_scope(request.user)
    admin = bool(admin_grants(request.user))
    target_form, year_form = TargetForm(), YearPlanForm()
    status = 200
    if request.method == "POST":
        if not admin:
            raise NotFound()
        action = request.POST.get("action")
        if action == "target":
            target_form = TargetForm(request.POST)
            if target_form.is_valid():
                with errors_on(target_form) as outcome:
                    services.coverage_policy_set(
                        actor=request.user, target_percent=target_form.cleaned_data["target_percent"]
                    )
                if not outcome.failed:
                    messages.success(request, _("Coverage target saved."))
                    return redirect("canteens:plan")
                status = outcome.status
            else:
                status = 422
        elif action == "year":
            year_form = YearPlanForm(request.POST)
            if year_form.is_valid():
                with errors_on(year_form) as outcome:
                    services.build_plan_set(
                        actor=request.user,
                        year=year_form.cleaned_data["year"],
                        planned=year_form.cleaned_data["planned"],
                    )
                if not outcome.failed:
                    messages.success(request, _("Build plan saved."))
                    return redirect("canteens:plan")
                status = outcome.status
            else:
                status = 422
        else:
            raise NotFound()
    day_form = PlanDayForm(request.GET or None)
    on = clock.today_local()
    if day_form.is_bound and day_form.is_valid() and day_form.cleaned_data["on"]:
        on = day_form.cleaned_data["on"]
    elif day_form.is_bound and not day_form.is_valid():
        status = 422
    result = coverage(county=county, on=on)
    towns = [t for t in result.towns if town is None or t.region.pk == town.pk]
    uncovered = [v for v in result.uncovered if town is None or v.town.pk == town.pk]
    if request.GET.get("format") == "csv":
        return _uncovered_csv(result, uncovered)
    if not target_form.is_bound:
        target_form = TargetForm(initial={"target_percent": str(result.target_percent)})
    query = request.GET.copy()
    query["format"] = "csv"
    return render(
        request,
        "canteens/site_plan.html",
        {
            "c": result,
            "town": town,
            "towns": towns,
            "uncovered": uncovered,
            "admin": admin,
            "target_form": target_form,
            "year_form": year_form,
            "day_form": day_form,
            "csv_query": query.urlencode(),
        },
        status=status,
    )


def _uncovered_csv(result: Coverage, uncovered: list[Any]) -> HttpResponse:
    statuses = dict(Canteen.Status.choices)
    return csv_response(
        f"canteen-plan-{result.on.isoformat()}",
        [_("Town"), _("Village or community"), _("Region code"), _("Residents aged 80+"), _("Canteen")],
        [
            [v.town.name, v.region.name, v.region.code, v.residents_80, statuses.get(v.canteen_status, "")]
            for v in uncovered
        ],
    )


urls: list[URLPattern] = [path("canteens/plan/", plan_page, name="plan")]
