"""The lectures hub (/lectures/): the doors into the programme that are the signed-in user's, and
what waits for them there."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from rongxin.accounts.permissions import SignedInRequest
from rongxin.lectures.selectors.home import UPCOMING_DAYS, lectures_hub


@login_required
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    """理论宣讲: the book for everyone; ordering for villages, communities, enterprises, schools
    and canteens; orders and sessions for speakers and teams; the programme's boards for the
    publicity office, town institutes and auditors."""
    hub = lectures_hub(actor=request.user)
    return render(request, "lectures/home.html", {"hub": hub, "upcoming_days": UPCOMING_DAYS})


urls = [path("lectures/", home, name="home")]
