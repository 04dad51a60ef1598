"""Certificate pages: ask for one, see it, download its PDF, and the public verification page
that its QR code opens (no sign-in; rate-limited per client address together with the API)."""

from __future__ import annotations

import datetime as dt

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from rongxin.core import clock
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.core.forms import apply_error
from rongxin.volunteering import certificate_pdf as pdf
from rongxin.volunteering import certificates
from rongxin.volunteering.models import Team
from rongxin.volunteering.selectors import hours_text
from rongxin.web.responses import not_found


class CertificateForm(forms.Form):
    period_from = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_to = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    team_id = forms.TypedChoiceField(
        label=gettext_lazy("Issued by"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy(
            "Your village committee certifies all your service; a team certifies only the service it organised."
        ),
    )

    def __init__(self, *args: object, teams: list[Team], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = [("", _("My village committee (all service)")), *((str(t.pk), t.name) for t in teams)]
        self.fields["team_id"].choices = choices  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest) -> HttpResponse:
    try:
        teams = certificates.certificate_teams(actor=request.user)
    except NotFound:
        return not_found(request)
    today = clock.today_local()
    form = CertificateForm(
        request.POST or None, teams=teams, initial={"period_from": dt.date(today.year, 1, 1), "period_to": today}
    )
    if request.method == "POST" and form.is_valid():
        try:
            cert, created = certificates.certificate_issue(actor=request.user, **form.cleaned_data)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            if created:
                messages.success(request, _("Your certificate %(number)s is ready.") % {"number": cert.number})
            else:  # the form sent again (back button, double click): the same certificate
                messages.info(
                    request,
                    _("You already have certificate %(number)s for this period; here it is.") % {"number": cert.number},
                )
            return redirect("volunteering:certificate_detail", number=cert.number)
    status = 422 if request.method == "POST" else 200
    return render(request, "volunteering/certificates/new.html", {"form": form}, status=status)


def _qr_svg(url: str) -> str:
    # segno writes the SVG itself from the URL's bits; nothing user-typed reaches the markup.
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=4, dark="#1f2328", title=_("Verification code"))
    return mark_safe(svg)  # noqa: S308


@login_required
@require_GET
def certificate_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        cert = certificates.certificate_get(actor=request.user, number=number)
    except NotFound:
        return not_found(request)
    url = request.build_absolute_uri(certificates.verify_path(cert))
    return render(
        request,
        "volunteering/certificates/detail.html",
        {"cert": cert, "hours": hours_text(cert.minutes), "verify_url": url, "qr": _qr_svg(url)},
    )


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    try:
        data = pdf.certificate_pdf(actor=request.user, number=number, base_url=request.build_absolute_uri("/"))
    except NotFound:
        return not_found(request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificates.normalise_number(number)}.pdf"'
    return response


@ratelimit(group=certificates.VERIFY_RATE_GROUP, key="ip", rate=certificates.verify_rate, block=True)
@require_GET
def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    check = certificates.certificate_verify(number=number, digest=request.GET.get("d", ""))
    response = render(
        request,
        "volunteering/certificates/verify.html",
        {"check": check},
        status=404 if check.status == "unknown" else 200,
    )
    response["X-Robots-Tag"] = "noindex"
    return response
