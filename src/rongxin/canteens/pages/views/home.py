"""The canteens hub (/canteens/): the overview of the viewer's region (canteens per town by
status, villages covered, elders enrolled and those aged 80+: counts only) and the doors into the
programme; village staff find their canteens' daily pages here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.canteens.selectors.sites import STATUSES, canteens_overview
from rongxin.core import clock
from rongxin.core.errors import NotFound


@login_required
@require_safe
def home(request: SignedInRequest) -> HttpResponse:
    """暖心食堂: for those who run or read canteens; anyone else gets the "not found" page."""
    overview = canteens_overview(actor=request.user, on=clock.today_local())
    if overview is None:
        raise NotFound()
    own = [(c, _daily_page(c.pk)) for c in overview.own]
    return render(request, "canteens/home.html", {"o": overview, "own": own, "statuses": STATUSES})


def _daily_page(canteen_id: int) -> str:
    """The manager's daily page of a canteen."""
    return reverse("canteens:service", kwargs={"canteen_id": canteen_id})


urls: list[URLPattern] = [path("canteens/", home, name="home")]
