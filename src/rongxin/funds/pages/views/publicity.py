"""The public page of a meeting's list (公示): anyone, no sign-in, only meetings in publicity or
later; each name with village, category and reasons (never an ID number or a score), and during
publicity a form to object (CSRF-protected, rate-limited per client address)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from rongxin.core import clock
from rongxin.core.errors import TooManyRequests
from rongxin.core.forms import errors_on, form_status
from rongxin.funds.pages.forms_meetings import ObjectionForm
from rongxin.funds.permissions.meetings import (
    OBJECTION_RATE_GROUP,
    PUBLICITY_RATE_GROUP,
    objection_rate,
    publicity_rate,
)
from rongxin.funds.selectors.meetings import meeting_public
from rongxin.funds.services.objections import objection_lodge


@ratelimit(group=PUBLICITY_RATE_GROUP, key="ip", rate=publicity_rate, block=True)
@require_http_methods(["GET", "POST"])
def publicity(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The meeting's public list, and the objection form while publicity runs."""
    p = meeting_public(meeting_id=meeting_id, today=clock.today_local())
    names = [(n.nomination_id, f"{n.name}（{n.village}·{n.category_label}）") for n in p.names]
    form = ObjectionForm(request.POST or None, names=names)
    status = 200
    if request.method == "POST":
        if is_ratelimited(request, group=OBJECTION_RATE_GROUP, key="ip", rate=objection_rate, increment=True):
            raise TooManyRequests()
        if form.is_valid():
            with errors_on(form) as outcome:
                objection_lodge(meeting_id=meeting_id, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("Your objection is received; the committee will answer it."))
                return redirect("funds:publicity", meeting_id)
            status = outcome.status
        else:
            status = form_status(form)
    return render(request, "funds/publicity.html", {"p": p, "meeting": p.meeting, "form": form}, status=status)


urls: list[URLPattern] = [
    path("funds/public/meetings/<int:meeting_id>/", publicity, name="publicity"),
]
