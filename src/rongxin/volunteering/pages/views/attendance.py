"""Attendance pages: the organiser's check-in screen (a rotating QR code, the assisted record
and the recent scans), the volunteer's scan and its result, and the roster the organiser
verifies to close the activity.

Views ask the right they need, call one service or selector and render; service errors go back
on the form (``errors_on``), and a missing or forbidden object is the one "not found" page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.forms import errors_on, form_status
from rongxin.volunteering import services
from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.models import Activity, Scan, Signup
from rongxin.volunteering.pages import display
from rongxin.volunteering.pages.form_errors import roster_field, service_fields, volunteer_number_field
from rongxin.volunteering.pages.forms import AssistForm, RosterForm, ScanForm
from rongxin.volunteering.permissions import access_activity_for_organising, access_own_scan, own_volunteer_or_none
from rongxin.volunteering.selectors.activities import activity_scans as recent_scans
from rongxin.volunteering.selectors.activities import activity_view, volunteer_state
from rongxin.volunteering.selectors.roster import roster_lines
from rongxin.volunteering.services.attendance import scanning_refusal

RECENT_SCANS = 20


# --- The organiser's check-in screen ------------------------------------------------------------
def _qr_svg(url: str) -> SafeString:
    # segno draws the code from our own URL only; the SVG holds paths, no user text.
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-svg", title=str(_("Check-in code"))
    )
    return mark_safe(svg)  # noqa: S308


def _code_context(request: SignedInRequest, activity: Activity) -> dict[str, Any]:
    refusal = scanning_refusal(activity, clock.now())
    if refusal is not None:
        return {"a": activity, "code_error": str(refusal.message)}
    code = services.attendance_code(actor=request.user, activity_id=activity.pk)
    url = request.build_absolute_uri(reverse("volunteering:scan") + "?" + urlencode({"t": code.token}))
    return {"a": activity, "scan_url": url, "qr": _qr_svg(url), "seconds_left": code.seconds_left}


def _scan_rows(scans: list[Scan]) -> list[dict[str, Any]]:
    return [
        {"scan": s, "flags": display.flags(s.flags), "problem": display.problem(s.problem)}
        for s in scans[:RECENT_SCANS]
    ]


@login_required
def activity_code(request: SignedInRequest, activity_id: int) -> HttpResponse:
    """The organiser's check-in screen: a QR code that changes every 30 seconds (the fragment
    is polled by htmx), the assisted record form and the recent scans."""
    a, _access = access_activity_for_organising(request.user, activity_id=activity_id)
    context = _code_context(request, a)
    if getattr(request, "htmx", False):
        return render(request, "volunteering/_code.html", context)
    return _code_page(request, a, context, AssistForm())


def _code_page(
    request: SignedInRequest, a: Activity, context: dict[str, Any], assist_form: AssistForm, status: int = 200
) -> HttpResponse:
    scans = recent_scans(actor=request.user, activity_id=a.pk)
    return render(
        request,
        "volunteering/activity_code.html",
        {**context, "assist_form": assist_form, "scans": _scan_rows(scans)},
        status=status,
    )


@login_required
def activity_scans(request: SignedInRequest, activity_id: int) -> HttpResponse:
    """The live list of recent scans on the code screen (an htmx fragment)."""
    scans = recent_scans(actor=request.user, activity_id=activity_id)
    return render(request, "volunteering/_scans.html", {"a_id": activity_id, "scans": _scan_rows(scans)})


@login_required
@require_POST
def attendance_assist(request: SignedInRequest, activity_id: int) -> HttpResponse:
    """The organiser records a check-in or check-out for a volunteer without a phone."""
    a, _access = access_activity_for_organising(request.user, activity_id=activity_id)
    form = AssistForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome, service_fields(volunteer_number_field):
            result = services.attendance_assist(
                actor=request.user,
                activity_id=a.pk,
                volunteer_number=data["volunteer_number"],
                kind=data["kind"],
                at=data["at"],
                reason=data["reason"],
            )
        if not outcome.failed:
            scan = result.scan
            text = (
                _("Check-in recorded for %(number)s at %(time)s.")
                if scan.kind == "in"
                else _("Check-out recorded for %(number)s at %(time)s.")
            ) % {"number": scan.volunteer.number, "time": f"{scan.at.astimezone(clock.LOCAL_TZ):%H:%M}"}
            if result.flags:
                text += " " + _("Flagged: %(flags)s") % {
                    "flags": "、".join(label for _c, label in display.flags(result.flags))
                }
            messages.success(request, text)
            return redirect("volunteering:activity_code", a.pk)
    return _code_page(request, a, _code_context(request, a), form, status=form_status(form))


# --- The volunteer's scan -----------------------------------------------------------------------
def _scan_context(request: SignedInRequest, token: str) -> dict[str, Any]:
    """The activity behind a check-in code and where the volunteer stands. NotFound when the
    activity is not public."""
    parsed = tokens.parse(token)
    if parsed is None:
        return {"bad_code": True}
    view = activity_view(actor=request.user, activity_id=parsed.activity_id)
    me = own_volunteer_or_none(request.user)
    return {
        "a": view.activity,
        "type_name": display.type_name(view.activity.type),
        "volunteer": me,
        "confirmed": view.my_signup is not None and view.my_signup.status == Signup.Status.CONFIRMED,
        "state": volunteer_state(activity=view.activity, volunteer=me),
    }


@login_required
@require_http_methods(["GET", "POST"])
def scan(request: SignedInRequest) -> HttpResponse:
    """The volunteer's side of the QR code: check in or out with the code in the link."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    context = _scan_context(request, token)
    error = ""
    status = 422 if request.method == "POST" and context.get("bad_code") else 200
    if request.method == "POST" and not context.get("bad_code"):
        form = ScanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            with errors_on(form) as outcome:
                result = services.attendance_scan(
                    actor=request.user,
                    token=data["t"],
                    kind=data["kind"],
                    latitude=data["latitude"] or None,
                    longitude=data["longitude"] or None,
                )
            if outcome.error is None:
                # Redirect, so that reloading the result does not scan again (a refused replay).
                return redirect("volunteering:scan_result", result.scan.pk)
            error, status = str(outcome.error.message), outcome.status
            context["state"] = volunteer_state(activity=context["a"], volunteer=context["volunteer"])
        else:
            error, status = _("Choose check-in or check-out."), 422
    return render(request, "volunteering/scan.html", {**context, "token": token, "error": error}, status=status)


@login_required
def scan_result(request: SignedInRequest, scan_id: int) -> HttpResponse:
    """What the volunteer's scan recorded, with its flags explained."""
    scan = access_own_scan(request.user, scan_id=scan_id)
    return render(
        request, "volunteering/scan_result.html", {"a": scan.activity, "scan": scan, "flags": list(scan.flags)}
    )


# --- Roster and close ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def roster(request: SignedInRequest, activity_id: int) -> HttpResponse:
    """The organiser verifies each volunteer's time and closes the activity: records, hours and
    credit follow."""
    a, lines = roster_lines(actor=request.user, activity_id=activity_id)
    form = RosterForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome, service_fields(roster_field):
            result = services.activity_close(actor=request.user, activity_id=a.pk, lines=form.lines_for_service())
        if not outcome.failed:
            return render(
                request,
                "volunteering/close_result.html",
                {"a": a, "r": result, "hours": hours_text(result.minutes), "without_time": len(result.without_time)},
            )
    statuses = dict(Signup.Status.choices)
    rows = [
        {
            "line": line,
            "minutes": m,
            "rating": r,
            "note": n,
            "flags": display.flags(line.attendance.flags),
            "status": statuses.get(line.signup_status, _("Not signed up")),
            "hours": hours_text(line.attendance.minutes),
        }
        for line, m, r, n in form.bound_rows()
    ]
    return render(
        request,
        "volunteering/roster.html",
        {
            "a": a,
            "form": form,
            "rows": rows,
            "now": clock.now(),
            "phase_label": display.phase(a.phase(clock.now())),
            "finished": a.status == Activity.Status.PUBLISHED and clock.now() >= a.ends_at,
            "total_minutes": sum(line.attendance.minutes for line in lines),
        },
        status=form_status(form),
    )
