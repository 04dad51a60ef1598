"""Certificate pages: ask for one, see it, download its PDF, and the public verification page
that its QR code opens (no sign-in; rate-limited per client address together with the API)."""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status
from rongxin.volunteering.domain.certificates import normalise_number
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.pages.forms import CertificateForm
from rongxin.volunteering.permissions import VERIFY_RATE_GROUP, verify_rate
from rongxin.volunteering.selectors import certificates as reads
from rongxin.volunteering.services.certificates import certificate_issue


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: SignedInRequest) -> HttpResponse:
    teams = reads.certificate_teams(actor=request.user)
    today = clock.today_local()
    form = CertificateForm(
        request.POST or None, teams=teams, initial={"period_from": dt.date(today.year, 1, 1), "period_to": today}
    )
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            cert, created = certificate_issue(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            if created:
                messages.success(request, _("Your certificate %(number)s is ready.") % {"number": cert.number})
            else:  # the form sent again (back button, double click): the same certificate
                messages.info(
                    request,
                    _("You already have certificate %(number)s for this period; here it is.") % {"number": cert.number},
                )
            return redirect("volunteering:certificate_detail", number=cert.number)
    status = form_status(form) if request.method == "POST" else 200
    return render(request, "volunteering/certificates/new.html", {"form": form}, status=status)


def _qr_svg(url: str) -> SafeString:
    # segno writes the SVG itself from the URL's bits; nothing user-typed reaches the markup.
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=4, dark="#1f2328", title=_("Verification code"))
    return mark_safe(svg)  # noqa: S308


@login_required
@require_GET
def certificate_detail(request: SignedInRequest, number: str) -> HttpResponse:
    cert = reads.certificate_get(actor=request.user, number=number)
    url = request.build_absolute_uri(reads.verify_path(cert))
    return render(
        request,
        "volunteering/certificates/detail.html",
        {"cert": cert, "hours": hours_text(cert.minutes), "verify_url": url, "qr": _qr_svg(url)},
    )


@login_required
@require_GET
def certificate_pdf(request: SignedInRequest, number: str) -> HttpResponse:
    data = reads.certificate_pdf(actor=request.user, number=number, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{normalise_number(number)}.pdf"'
    return response


@ratelimit(group=VERIFY_RATE_GROUP, key="ip", rate=verify_rate, block=True)
@require_GET
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    check = reads.certificate_verify(number=number, digest=request.GET.get("d", ""))
    response = render(
        request,
        "volunteering/certificates/verify.html",
        {"check": check},
        status=404 if check.status == "unknown" else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
