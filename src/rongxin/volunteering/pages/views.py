"""Volunteering pages: activities (list, shareable page, sign-up), the organiser's check-in
screen and the volunteer's scan, roster and close, the volunteer's own page, teams and call-outs.

Each view authorizes, validates the form's shape, calls one service or selector and renders.
Service errors are put on the form they concern (in the page's language, Chinese by default);
a refused form is shown again with everything the user typed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseFormSet, Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import grant_covering, grants_with_roles, user_roles
from rongxin.accounts.roles import Role
from rongxin.core import clock
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.core.forms import apply_error
from rongxin.regions.models import Region
from rongxin.volunteering import selectors, services, tokens
from rongxin.volunteering.models import Activity, ActivityType, Membership, Scan, ServiceRecord, Signup, Team
from rongxin.volunteering.pages.forms import (
    ActivityFilterForm,
    ActivityForm,
    AssistForm,
    CallOutForm,
    CancelForm,
    CorrectionRequestForm,
    DecisionForm,
    InviteForm,
    JoinForm,
    LeaderForm,
    ProfileForm,
    RosterForm,
    ScanForm,
    ShiftFormSet,
    StaffForm,
    TeamFilterForm,
    TeamForm,
    WithdrawForm,
)
from rongxin.volunteering.permissions import (
    TEAM_ADMINS,
    access_activity_for_organising,
    own_person,
    own_volunteer,
    own_volunteer_or_none,
)
from rongxin.volunteering.services import mobilisation
from rongxin.volunteering.services.attendance import volunteer_state
from rongxin.volunteering.services.common import age_on
from rongxin.volunteering.services.people import ADULT_AGE
from rongxin.web.responses import not_found

LIST_PAGE = 20
RECENT_SCANS = 20

# What the flags on scans, roster lines and records mean, for organisers and volunteers.
FLAG_LABELS = {
    "overlap": gettext_lazy("Overlaps another activity"),
    "duplicate_scans": gettext_lazy("Repeated or refused scans"),
    "beyond_window": gettext_lazy("Scanned outside the activity's time"),
    "missing_checkout": gettext_lazy("Checked in, never checked out"),
    "outside_geofence": gettext_lazy("Scanned away from the venue"),
    "no_location": gettext_lazy("No location with the scan"),
    "walk_in": gettext_lazy("Came without signing up"),
    "absent": gettext_lazy("Signed up, never scanned"),
    "adjusted": gettext_lazy("Time changed by the organiser"),
    "entered_by_organiser": gettext_lazy("Time entered by the organiser"),
    "corrected": gettext_lazy("Corrected at the volunteer's request"),
}
PROBLEM_LABELS = {
    "replayed": gettext_lazy("Code used twice"),
    "already_in": gettext_lazy("Already checked in"),
    "not_in": gettext_lazy("Check-out without check-in"),
}
PHASE_LABELS = {
    "draft": gettext_lazy("Draft"),
    "published": gettext_lazy("Not started"),
    "ongoing": gettext_lazy("Under way"),
    "finished": gettext_lazy("Ended, awaiting verification"),
    "cancelled": gettext_lazy("Cancelled"),
    "closed": gettext_lazy("Closed (hours verified)"),
}
# Service error fields that a page form names differently.
FIELD_ALIASES = {"volunteer": "volunteer_number"}


# --- Small helpers ------------------------------------------------------------------------
def _flags(codes: list[str] | None) -> list[tuple[str, str]]:
    return [(c, str(FLAG_LABELS.get(c, c))) for c in codes or []]


def _put_error(form: Form, exc: ApplicationError) -> None:
    """:func:`apply_error`, with the service's field names mapped to this page's."""
    for err in exc.errors:
        alias = FIELD_ALIASES.get(str(err.get("field")))
        if alias and alias in form.fields:
            err["field"] = alias
    apply_error(form, exc)


def _error_text(exc: ApplicationError) -> str:
    details = [str(e["message"]) for e in exc.errors if str(e["message"]) != str(exc.message)]
    return " ".join([str(exc.message), *details])


def _signed_in(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated)


def _is_admin(request: HttpRequest) -> bool:
    return bool(grants_with_roles(request.user, TEAM_ADMINS))


def _type_choices() -> list[tuple[str, str]]:
    english = (get_language() or "").startswith("en")
    return [(t.code, t.name_en if english else t.name_zh) for t in selectors.activity_types()]


def _type_name(t: ActivityType) -> str:
    return t.name(get_language() or "zh-hans")


def _region_label(r: Region) -> str:
    return f"{r.parent.name} · {r.name}" if r.level == Region.Level.VILLAGE and r.parent else r.name


def _regions_under(roots: list[Region]) -> list[tuple[str, str]]:
    """The regions at and below ``roots``, in code order, for a region select."""
    if not roots:
        return []
    from django.db.models import Q

    q = Q(pk__in=[])
    for root in roots:
        q |= Q(prefix__startswith=root.prefix)
    return [(r.code, _region_label(r)) for r in Region.objects.filter(q).select_related("parent").order_by("code")]


def _towns() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(level=Region.Level.TOWN).order_by("code")]


def _admin_regions(request: HttpRequest) -> list[tuple[str, str]]:
    return _regions_under([g.region for g in grants_with_roles(request.user, TEAM_ADMINS)])


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _hours(minutes: int) -> str:
    return selectors.hours_text(minutes)


# --- Activities: list and page ------------------------------------------------------------
@require_safe
def activity_list(request: HttpRequest) -> HttpResponse:
    """Public activities with filters; "near my village" for a signed-in resident."""
    form = ActivityFilterForm(request.GET or None)
    form.fields["type"].choices = [("", _("All types")), *_type_choices()]  # type: ignore[attr-defined]
    form.fields["region"].choices = [("", _("The whole county")), *_towns()]  # type: ignore[attr-defined]
    filters = selectors.ActivityFilters()
    near_note = ""
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ActivityFilters(
            region_code=data["region"],
            type_code=data["type"],
            phase=data["phase"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
        if data["near"]:
            try:
                village = own_person(request.user).subject.village
            except NotFound:
                village = None
            if village is None:
                near_note = _("Sign in with your own account to see activities near your village.")
            else:
                filters.near_village_code = village.code
                near_note = _("Activities in %(town)s, around %(village)s.") % {
                    "town": village.parent.name if village.parent else village.name,
                    "village": village.name,
                }
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    items, total = selectors.activity_list(filters=filters, offset=(number - 1) * LIST_PAGE, limit=LIST_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    pages = max((total + LIST_PAGE - 1) // LIST_PAGE, 1)
    template = (
        "volunteering/_activity_results.html" if getattr(request, "htmx", False) else "volunteering/activity_list.html"
    )
    return render(
        request,
        template,
        {
            "form": form,
            "items": [(a, _type_name(a.type), PHASE_LABELS[a.phase(clock.now())]) for a in items],
            "total": total,
            "page": number,
            "pages": pages,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < pages else None,
            "query": query.urlencode(),
            "near_note": near_note,
        },
    )


def _activity_page(
    request: HttpRequest,
    activity_id: int,
    *,
    cancel_form: CancelForm | None = None,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        view = selectors.activity_view(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    a = view.activity
    mine = view.my_signup
    return render(
        request,
        "volunteering/activity_detail.html",
        {
            "v": view,
            "a": a,
            "type_name": _type_name(a.type),
            "phase_label": PHASE_LABELS[view.phase],
            "skills": [label for value, label in _skill_choices() if value in a.skills],
            "mine": mine,
            "holding": mine is not None and mine.status in (Signup.Status.CONFIRMED, Signup.Status.WAITLISTED),
            "invited": mine is not None and mine.status == Signup.Status.INVITED,
            "editable": view.phase in ("draft", "published"),
            "cancellable": view.phase in ("draft", "published", "ongoing"),
            "scanning": a.status == Activity.Status.PUBLISHED and view.phase in ("published", "ongoing", "finished"),
            "closable": view.phase in ("ongoing", "finished", "closed"),
            "cancel_form": cancel_form or CancelForm(),
            "invite_form": invite_form or InviteForm(),
            "share_url": request.build_absolute_uri(reverse("volunteering:activity_detail", args=[a.pk])),
        },
        status=status,
    )


def _skill_choices() -> list[tuple[str, str]]:
    from rongxin.volunteering.models import Skill

    return [(str(v), str(label)) for v, label in Skill.choices]


@require_safe
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The shareable page of an activity: public once published; drafts for organisers only."""
    return _activity_page(request, activity_id)


@login_required
@require_POST
def signup(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The volunteer signs up (or accepts an invitation): the sign-up is their own act."""
    back = reverse("volunteering:activity_detail", args=[activity_id])
    try:
        result = services.signup_create(actor=request.user, activity_id=activity_id)
    except NotFound:
        if own_volunteer_or_none(request.user) is None:
            messages.info(request, _("Register as a volunteer first; then you can sign up."))
            return redirect(reverse("volunteering:volunteer_join") + "?" + urlencode({"next": back}))
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(back)
    if result.signup.status == Signup.Status.CONFIRMED:
        messages.success(request, _("You are signed up. Thank you!"))
    else:
        messages.info(
            request,
            _("All places are taken; you are on the waiting list and move up automatically when a place comes free."),
        )
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect(back)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    back = reverse("volunteering:activity_detail", args=[activity_id])
    try:
        services.signup_cancel(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect(back)


@login_required
@require_POST
def invitation_decline(request: HttpRequest, activity_id: int) -> HttpResponse:
    try:
        services.invitation_decline(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    messages.success(request, _("You declined the invitation."))
    return redirect("volunteering:activity_detail", activity_id)


@login_required
@require_POST
def activity_publish(request: HttpRequest, activity_id: int) -> HttpResponse:
    try:
        services.activity_publish(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Published. Share this page with volunteers."))
    return redirect("volunteering:activity_detail", activity_id)


def _organises(request: HttpRequest, activity_id: int) -> bool:
    try:
        access_activity_for_organising(actor=request.user, activity_id=activity_id)
    except NotFound:
        return False
    return True


@login_required
@require_POST
def activity_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    if not _organises(request, activity_id):  # the right first: an outsider learns nothing from the form
        return not_found(request)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.activity_cancel(actor=request.user, activity_id=activity_id, reason=form.cleaned_data["reason"])
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, _("The activity is cancelled; everyone signed up has been told."))
            return redirect("volunteering:activity_detail", activity_id)
    return _activity_page(request, activity_id, cancel_form=form, status=422)


@login_required
@require_POST
def invitation_send(request: HttpRequest, activity_id: int) -> HttpResponse:
    if not _organises(request, activity_id):  # the right first: an outsider learns nothing from the form
        return not_found(request)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            s = services.invitation_send(
                actor=request.user, activity_id=activity_id, volunteer_number=form.cleaned_data["volunteer_number"]
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(number)s. It takes a place only when they accept.")
                % {"number": s.volunteer.number},
            )
            return redirect("volunteering:activity_detail", activity_id)
    return _activity_page(request, activity_id, invite_form=form, status=422)


# --- Activities: create and edit ------------------------------------------------------------
def _activity_form(data: Any, team: Team, initial: dict[str, Any] | None = None) -> ActivityForm:
    form = ActivityForm(data, initial=initial)
    form.fields["type_code"].choices = [("", "—"), *_type_choices()]  # type: ignore[attr-defined]
    roots = [team.region] if team.tier == Team.Tier.TOWN_VILLAGE else list(Region.objects.filter(parent=None))
    form.fields["region_code"].choices = _regions_under(roots)  # type: ignore[attr-defined]
    return form


def _activity_input(data: dict[str, Any]) -> services.ActivityInput:
    return services.ActivityInput(
        type_code=data["type_code"],
        title=data["title"],
        region_code=data["region_code"],
        place=data["place"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        capacity=data["capacity"],
        description=data["description"],
        signup_opens_at=data["signup_opens_at"],
        signup_closes_at=data["signup_closes_at"],
        min_age=data["min_age"] or 0,
        skills=data["skills"],
        insured=data["insured"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        geofence_m=data["geofence_m"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest, team_id: int) -> HttpResponse:
    """An organiser drafts an activity of their team; it is published from its page."""
    from rongxin.volunteering.permissions import access_team_for_organising

    try:
        team = access_team_for_organising(actor=request.user, team_id=team_id).team
    except NotFound:
        return not_found(request)
    form = _activity_form(request.POST or None, team, initial={"region_code": team.region.code, "min_age": 0})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.activity_create(
                actor=request.user, team_id=team.pk, data=_activity_input(form.cleaned_data)
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Draft saved. Check it and publish it when ready."))
            return redirect("volunteering:activity_detail", created.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {"form": form, "team": team, "activity": None},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    try:
        a, access = access_activity_for_organising(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    initial = {
        "title": a.title,
        "type_code": a.type.code,
        "description": a.description,
        "region_code": a.region.code,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "signup_opens_at": a.signup_opens_at,
        "signup_closes_at": a.signup_closes_at,
        "min_age": a.min_age,
        "skills": a.skills,
        "insured": a.insured,
        "latitude": a.latitude,
        "longitude": a.longitude,
        "geofence_m": a.geofence_m,
    }
    form = _activity_form(request.POST or None, access.team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(actor=request.user, activity_id=a.pk, data=_activity_input(form.cleaned_data))
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("volunteering:activity_detail", a.pk)
    return render(
        request,
        "volunteering/activity_form.html",
        {"form": form, "team": access.team, "activity": a},
        status=422 if form.errors else 200,
    )


# --- Check-in: the organiser's code screen and the volunteer's scan -------------------------
def _qr_svg(url: str) -> SafeString:
    # segno draws the code from our own URL only; the SVG holds paths, no user text.
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-svg", title=str(_("Check-in code"))
    )
    return mark_safe(svg)  # noqa: S308


def _code_context(request: HttpRequest, activity: Activity) -> dict[str, Any]:
    try:
        code = services.attendance_code(actor=request.user, activity_id=activity.pk)
    except ApplicationError as exc:
        return {"a": activity, "code_error": str(exc.message)}
    url = request.build_absolute_uri(reverse("volunteering:scan") + "?" + urlencode({"t": code.token}))
    return {"a": activity, "scan_url": url, "qr": _qr_svg(url), "seconds_left": code.seconds_left}


def _scan_rows(scans: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "scan": s,
            "flags": _flags(s.flags),
            "problem": str(PROBLEM_LABELS.get(s.problem, s.problem)) if s.problem else "",
        }
        for s in scans[:RECENT_SCANS]
    ]


@login_required
def activity_code(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser's check-in screen: a QR code that changes every 30 seconds (the fragment
    is polled by htmx), the assisted record form and the recent scans."""
    try:
        a, _access = access_activity_for_organising(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    context = _code_context(request, a)
    if getattr(request, "htmx", False):
        return render(request, "volunteering/_code.html", context)
    return _code_page(request, a, context, AssistForm())


def _code_page(
    request: HttpRequest, a: Activity, context: dict[str, Any], assist_form: AssistForm, status: int = 200
) -> HttpResponse:
    scans = selectors.activity_scans(actor=request.user, activity_id=a.pk)
    return render(
        request,
        "volunteering/activity_code.html",
        {**context, "assist_form": assist_form, "scans": _scan_rows(scans)},
        status=status,
    )


@login_required
def activity_scans(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The live list of recent scans on the code screen (an htmx fragment)."""
    try:
        scans = selectors.activity_scans(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    return render(request, "volunteering/_scans.html", {"a_id": activity_id, "scans": _scan_rows(scans)})


@login_required
@require_POST
def attendance_assist(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser records a check-in or check-out for a volunteer without a phone."""
    try:
        a, _access = access_activity_for_organising(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    form = AssistForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.attendance_assist(
                actor=request.user,
                activity_id=a.pk,
                volunteer_number=data["volunteer_number"],
                kind=data["kind"],
                at=data["at"],
                reason=data["reason"],
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            scan = result.scan
            text = (
                _("Check-in recorded for %(number)s at %(time)s.")
                if scan.kind == "in"
                else _("Check-out recorded for %(number)s at %(time)s.")
            ) % {"number": scan.volunteer.number, "time": f"{scan.at.astimezone(clock.LOCAL_TZ):%H:%M}"}
            if result.flags:
                text += " " + _("Flagged: %(flags)s") % {
                    "flags": "、".join(label for _c, label in _flags(result.flags))
                }
            messages.success(request, text)
            return redirect("volunteering:activity_code", a.pk)
    return _code_page(request, a, _code_context(request, a), form, status=422)


def _scan_context(request: HttpRequest, token: str) -> dict[str, Any]:
    """The activity behind a check-in code and where the volunteer stands. NotFound when the
    activity is not public."""
    parsed = tokens.parse(token)
    if parsed is None:
        return {"bad_code": True}
    view = selectors.activity_view(actor=request.user, activity_id=parsed.activity_id)
    me = own_volunteer_or_none(request.user)
    return {
        "a": view.activity,
        "type_name": _type_name(view.activity.type),
        "volunteer": me,
        "confirmed": view.my_signup is not None and view.my_signup.status == Signup.Status.CONFIRMED,
        "state": volunteer_state(activity=view.activity, volunteer=me),
    }


@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest) -> HttpResponse:
    """The volunteer's side of the QR code: check in or out with the code in the link."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    try:
        context = _scan_context(request, token)
    except NotFound:
        return not_found(request)
    error = ""
    status = 422 if request.method == "POST" and context.get("bad_code") else 200
    if request.method == "POST" and not context.get("bad_code"):
        form = ScanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.attendance_scan(
                    actor=request.user,
                    token=data["t"],
                    kind=data["kind"],
                    latitude=data["latitude"] or None,
                    longitude=data["longitude"] or None,
                )
            except NotFound:
                return not_found(request)
            except ApplicationError as exc:
                error, status = _error_text(exc), exc.status
                context["state"] = volunteer_state(activity=context["a"], volunteer=context["volunteer"])
            else:
                # Redirect, so that reloading the result does not scan again (a refused replay).
                return redirect("volunteering:scan_result", result.scan.pk)
        else:
            error, status = _("Choose check-in or check-out."), 422
    return render(request, "volunteering/scan.html", {**context, "token": token, "error": error}, status=status)


def _own_scan(request: HttpRequest, scan_id: int) -> Scan:
    """One of the volunteer's own accepted scans (NotFound otherwise)."""
    me = own_volunteer(request.user)
    scan = Scan.objects.select_related("activity").filter(pk=scan_id, volunteer=me, accepted=True).first()
    if scan is None:
        raise NotFound()
    return scan


@login_required
def scan_result(request: HttpRequest, scan_id: int) -> HttpResponse:
    """What the volunteer's scan recorded, with its flags explained."""
    try:
        scan = _own_scan(request, scan_id)
    except NotFound:
        return not_found(request)
    return render(
        request, "volunteering/scan_result.html", {"a": scan.activity, "scan": scan, "flags": list(scan.flags)}
    )


# --- Roster and close -----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The organiser verifies each volunteer's time and closes the activity: records, hours and
    credit follow."""
    try:
        a, lines = services.roster_lines(actor=request.user, activity_id=activity_id)
    except NotFound:
        return not_found(request)
    form = RosterForm(request.POST or None, lines=lines)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.activity_close(actor=request.user, activity_id=a.pk, lines=form.lines_for_service())
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            _roster_error(form, exc)
        else:
            return render(
                request,
                "volunteering/close_result.html",
                {"a": a, "r": result, "hours": _hours(result.minutes), "without_time": len(result.without_time)},
            )
    statuses = dict(Signup.Status.choices)
    rows = [
        {
            "line": line,
            "minutes": m,
            "rating": r,
            "note": n,
            "flags": _flags(line.attendance.flags),
            "status": statuses.get(line.signup_status, _("Not signed up")),
            "hours": _hours(line.attendance.minutes),
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
            "phase_label": PHASE_LABELS[a.phase(clock.now())],
            "finished": a.status == Activity.Status.PUBLISHED and clock.now() >= a.ends_at,
            "total_minutes": sum(line.attendance.minutes for line in lines),
        },
        status=422 if form.errors else 200,
    )


def _roster_error(form: RosterForm, exc: ApplicationError) -> None:
    """Put ``lines.<number>.<field>`` errors on that row's input; the rest on the form."""
    placed = False
    for err in exc.errors:
        parts = str(err.get("field", "")).split(".")
        if len(parts) >= 2 and parts[0] == "lines":
            name = f"{parts[1]}-{parts[2] if len(parts) > 2 else 'minutes'}"
            if name in form.fields:
                form.add_error(name, err["message"])
                placed = True
    if not placed:
        form.add_error(None, str(exc.message))


# --- The volunteer ----------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def volunteer_join(request: HttpRequest) -> HttpResponse:
    """A person registers themself as a volunteer (the terms; a guardian for a minor)."""
    try:
        person = own_person(request.user)
    except NotFound:
        return not_found(request)
    if own_volunteer_or_none(request.user) is not None:
        return redirect("volunteering:my_volunteering")
    minor = age_on(person.birth_date, clock.today_local()) < ADULT_AGE
    form = JoinForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            v = services.volunteer_register(
                actor=request.user,
                agree=data["agree"],
                skills=data["skills"],
                availability=data["availability"],
                guardian_name=data["guardian_name"],
                guardian_relation=data["guardian_relation"],
                guardian_consent=data["guardian_consent"],
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Welcome! Your volunteer number is %(number)s.") % {"number": v.number})
            if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("volunteering:my_volunteering")
    return render(
        request,
        "volunteering/join.html",
        {"form": form, "person": person, "minor": minor, "next": next_url},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_profile_edit(request: HttpRequest) -> HttpResponse:
    """The volunteer changes their skills and availability, or leaves the register."""
    volunteer = own_volunteer_or_none(request.user)
    if volunteer is None:
        return redirect("volunteering:volunteer_join")
    form = ProfileForm(
        request.POST if request.POST.get("action") == "save" else None,
        initial={"skills": volunteer.skills, "availability": volunteer.availability},
    )
    leave = WithdrawForm(request.POST if request.POST.get("action") == "withdraw" else None)
    if request.method == "POST" and request.POST.get("action") == "save" and form.is_valid():
        try:
            services.volunteer_update(
                actor=request.user, skills=form.cleaned_data["skills"], availability=form.cleaned_data["availability"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your volunteer profile is saved."))
            return redirect("volunteering:my_volunteering")
    if request.method == "POST" and request.POST.get("action") == "withdraw" and leave.is_valid():
        services.volunteer_withdraw(actor=request.user)
        messages.success(request, _("You have left the volunteer register. Your records and certificates are kept."))
        return redirect("web:home")
    return render(
        request,
        "volunteering/profile_edit.html",
        {"form": form, "leave": leave, "v": volunteer},
        status=422 if form.errors or leave.errors else 200,
    )


@login_required
def my_volunteering(request: HttpRequest) -> HttpResponse:
    """The volunteer's own page: number, hours and stars, records with points, sign-ups, teams,
    certificates."""
    try:
        p = selectors.volunteer_profile(actor=request.user)
    except NotFound:
        return redirect("volunteering:volunteer_join")
    next_hours = (
        _hours(max(p.next_star_hours * 60 - p.volunteer.total_minutes, 0)) if p.next_star_hours is not None else None
    )
    pending = {c.record_id for c in p.corrections if c.status == "pending"}
    return render(
        request,
        "volunteering/me.html",
        {
            "p": p,
            "v": p.volunteer,
            "stars": range(p.stars),
            "no_stars": range(len(selectors.STAR_HOURS) - p.stars),
            "next_star_hours": p.next_star_hours,
            "hours_to_next": next_hours,
            "records": [
                {"r": r, "hours": _hours(r.minutes), "flags": _flags(r.flags), "pending": r.pk in pending}
                for r in p.records
            ],
            "skills": [label for value, label in _skill_choices() if value in p.volunteer.skills],
        },
    )


def _own_record(request: HttpRequest, record_id: int) -> ServiceRecord:
    """One of the volunteer's own current service records (NotFound otherwise)."""
    me = own_volunteer(request.user)
    record = (
        ServiceRecord.objects.select_related("activity", "team")
        .filter(pk=record_id, volunteer=me, current=True)
        .first()
    )
    if record is None:
        raise NotFound()
    return record


@login_required
@require_http_methods(["GET", "POST"])
def correction_new(request: HttpRequest, record_id: int) -> HttpResponse:
    """The volunteer asks the organiser to correct the time of one of their records."""
    try:
        record = _own_record(request, record_id)
    except NotFound:
        return not_found(request)
    form = CorrectionRequestForm(request.POST or None, initial={"minutes": record.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_request(actor=request.user, record_id=record.pk, **form.cleaned_data)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your request was sent to the organiser."))
            return redirect("volunteering:my_volunteering")
    return render(
        request,
        "volunteering/correction_form.html",
        {"form": form, "r": record, "hours": _hours(record.minutes)},
        status=422 if form.errors else 200,
    )


# --- Teams ------------------------------------------------------------------------------------
@require_safe
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamFilterForm(request.GET or None)
    form.fields["region"].choices = [("", _("The whole county")), *_towns()]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_valid() else {}
    teams = selectors.team_list(
        region_code=data.get("region") or "", tier=data.get("tier") or "", kind=data.get("kind") or ""
    )
    return render(
        request,
        "volunteering/team_list.html",
        {"form": form, "teams": teams, "can_create": _signed_in(request) and _is_admin(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    """A team administrator creates a team in their region."""
    regions = _admin_regions(request)
    if not regions:
        return not_found(request)
    form = TeamForm(request.POST or None)
    form.fields["region_code"].choices = regions  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **form.cleaned_data)
        except NotFound:
            form.add_error("region_code", _("This region is outside your responsibility."))
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Team created. Appoint its leaders once they have joined."))
            return redirect("volunteering:team_detail", team.pk)
    return render(request, "volunteering/team_form.html", {"form": form}, status=422 if form.errors else 200)


@login_required
def teams_mine(request: HttpRequest) -> HttpResponse:
    """The teams the user organises (leads or administers), with their drafts and activities."""
    if not user_roles(request.user) & {Role.TEAM_LEADER, *TEAM_ADMINS}:
        return not_found(request)
    return render(request, "volunteering/teams_mine.html", {"teams": selectors.teams_i_organise(actor=request.user)})


@require_safe
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    try:
        t = selectors.team_view(actor=request.user, team_id=team_id)
    except NotFound:
        return not_found(request)
    admin = _signed_in(request) and grant_covering(request.user, TEAM_ADMINS, t.team.region) is not None
    mine = t.my_membership
    return render(
        request,
        "volunteering/team_detail.html",
        {
            "t": t,
            "team": t.team,
            "admin": admin,
            "member": mine is not None and mine.status in (Membership.Status.APPLIED, Membership.Status.ACCEPTED),
            "upcoming": [(a, _type_name(a.type), PHASE_LABELS[a.phase(clock.now())]) for a in t.upcoming],
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_POST
def team_apply(request: HttpRequest, team_id: int) -> HttpResponse:
    try:
        services.membership_apply(actor=request.user, team_id=team_id)
    except NotFound:
        if own_volunteer_or_none(request.user) is None:
            messages.info(request, _("Register as a volunteer first; then you can join a team."))
            back = reverse("volunteering:team_detail", args=[team_id])
            return redirect(reverse("volunteering:volunteer_join") + "?" + urlencode({"next": back}))
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Application sent. The team's leaders will decide."))
    return redirect("volunteering:team_detail", team_id)


@login_required
@require_POST
def team_leave(request: HttpRequest, team_id: int) -> HttpResponse:
    try:
        services.membership_leave(actor=request.user, team_id=team_id)
    except NotFound:
        return not_found(request)
    messages.success(request, _("You have left the team."))
    return redirect("volunteering:team_detail", team_id)


@login_required
@require_POST
def membership_decide(request: HttpRequest, membership_id: int) -> HttpResponse:
    accept = request.POST.get("action") == "accept"
    try:
        m = services.membership_decide(actor=request.user, membership_id=membership_id, accept=accept)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(_back(request, reverse("volunteering:teams_mine")))
    messages.success(request, _("Application accepted.") if accept else _("Application declined."))
    return redirect("volunteering:team_detail", m.team_id)


@login_required
@require_POST
def correction_decide(request: HttpRequest, correction_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    accept = request.POST.get("action") == "accept"
    back = _back(request, reverse("volunteering:teams_mine"))
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect(back)
    try:
        services.correction_decide(
            actor=request.user, correction_id=correction_id, accept=accept, reason=form.cleaned_data["reason"]
        )
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Correction accepted; the record and credit are updated.") if accept else _("Correction refused."),
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def leader_set(request: HttpRequest, team_id: int) -> HttpResponse:
    """A team administrator appoints a member as leader (or makes a leader a member again)."""
    try:
        t = selectors.team_view(actor=request.user, team_id=team_id)
    except NotFound:
        return not_found(request)
    if grant_covering(request.user, TEAM_ADMINS, t.team.region) is None:
        return not_found(request)
    form = LeaderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            m = services.leader_set(actor=request.user, team_id=t.team.pk, **form.cleaned_data)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(
                request,
                (_("%(number)s now leads the team.") if m.role == "leader" else _("%(number)s is now a member."))
                % {"number": m.volunteer.number},
            )
            return redirect("volunteering:team_detail", t.team.pk)
    return render(request, "volunteering/leader_form.html", {"form": form, "t": t}, status=422 if form.errors else 200)


# --- Call-outs --------------------------------------------------------------------------------
@login_required
@require_safe
def callout_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    items = selectors.callout_list(status=status if status in ("open", "closed") else "")
    return render(
        request,
        "volunteering/callout_list.html",
        {"items": items, "status": status, "can_create": _is_admin(request)},
    )


def _shift_error(form: Form, formset: BaseFormSet, exc: ApplicationError) -> None:
    """Put ``shifts.<i>.<field>`` errors on that shift's input; the rest on the main form."""
    placed = False
    for err in exc.errors:
        parts = str(err.get("field", "")).split(".")
        if len(parts) == 3 and parts[0] == "shifts" and parts[1].isdigit():
            index, name = int(parts[1]), parts[2]
            filled = [f for f in formset.forms if f.has_changed()]
            if index < len(filled) and name in filled[index].fields:
                filled[index].add_error(name, err["message"])
                placed = True
    if not placed:
        _put_error(form, exc)


@login_required
@require_http_methods(["GET", "POST"])
def callout_create(request: HttpRequest) -> HttpResponse:
    """A team administrator calls volunteers out, with one or more shifts."""
    regions = _admin_regions(request)
    if not regions:
        return not_found(request)
    form = CallOutForm(request.POST or None)
    form.fields["region_code"].choices = regions  # type: ignore[attr-defined]
    formset = ShiftFormSet(request.POST or None, prefix="shifts")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        shifts = [
            mobilisation.ShiftInput(
                place=f.cleaned_data["place"],
                starts_at=f.cleaned_data["starts_at"],
                ends_at=f.cleaned_data["ends_at"],
                needed=f.cleaned_data["needed"],
            )
            for f in formset.forms
            if f.has_changed() and f.cleaned_data
        ]
        try:
            c = mobilisation.callout_create(actor=request.user, shifts=shifts, **form.cleaned_data)
        except NotFound:
            form.add_error("region_code", _("This region is outside your responsibility."))
        except ApplicationError as exc:
            _shift_error(form, formset, exc)
        else:
            messages.success(request, _("Call-out published. Volunteers can now take shifts."))
            return redirect("volunteering:callout_detail", c.pk)
    failed = bool(form.errors) or any(f.errors for f in formset.forms)
    return render(
        request,
        "volunteering/callout_form.html",
        {"form": form, "formset": formset},
        status=422 if failed else 200,
    )


@login_required
@require_safe
def callout_detail(request: HttpRequest, callout_id: int) -> HttpResponse:
    """Shifts to take, the daily duty roster, and the daily counts with the share of
    volunteers."""
    try:
        c = selectors.callout_view(actor=request.user, callout_id=callout_id)
    except NotFound:
        return not_found(request)
    admin = grant_covering(request.user, TEAM_ADMINS, c.callout.region) is not None
    now = clock.now()
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for s in c.shifts:
        duties = c.on_duty.get(s.pk, [])
        by_day[s.starts_at.astimezone(clock.LOCAL_TZ).date()].append(
            {
                "shift": s,
                "duties": duties,
                "count": len(duties),
                "mine": s.pk in c.my_shifts,
                "open": c.callout.status == "open" and now < s.ends_at,
                "started": now >= s.starts_at,
            }
        )
    return render(
        request,
        "volunteering/callout_detail.html",
        {
            "c": c,
            "callout": c.callout,
            "days": sorted(by_day.items()),
            "admin": admin,
            "staff_form": StaffForm(),
            "volunteer": own_volunteer_or_none(request.user) is not None,
        },
    )


def _callout_back(request: HttpRequest) -> str:
    raw = request.POST.get("callout", "")
    return (
        reverse("volunteering:callout_detail", args=[int(raw)])
        if raw.isdigit()
        else reverse("volunteering:callout_list")
    )


@login_required
@require_POST
def duty_respond(request: HttpRequest, shift_id: int) -> HttpResponse:
    try:
        mobilisation.duty_respond(actor=request.user, shift_id=shift_id)
    except NotFound:
        if own_volunteer_or_none(request.user) is None:
            messages.info(request, _("Register as a volunteer first; then you can take a shift."))
            return redirect("volunteering:volunteer_join")
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Thank you! You are on this shift."))
    return redirect(_callout_back(request))


@login_required
@require_POST
def duty_withdraw(request: HttpRequest, shift_id: int) -> HttpResponse:
    try:
        mobilisation.duty_withdraw(actor=request.user, shift_id=shift_id)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("You are off this shift."))
    return redirect(_callout_back(request))


@login_required
@require_POST
def duty_add_staff(request: HttpRequest, shift_id: int) -> HttpResponse:
    form = StaffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the staff member's name."))
        return redirect(_callout_back(request))
    try:
        mobilisation.duty_add_staff(actor=request.user, shift_id=shift_id, staff_name=form.cleaned_data["staff_name"])
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("%(name)s is on the shift.") % {"name": form.cleaned_data["staff_name"]})
    return redirect(_callout_back(request))


@login_required
@require_POST
def callout_close(request: HttpRequest, callout_id: int) -> HttpResponse:
    try:
        mobilisation.callout_close(actor=request.user, callout_id=callout_id)
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The call-out is closed."))
    return redirect("volunteering:callout_detail", callout_id)
