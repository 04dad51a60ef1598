"""Session pages: the lists (the sessions one runs, the lectures coming up in one's town), the
form to record a session, a session's page (speakers, sayings, photos, attendance; the listeners'
names and the buttons only for those who run it), the organiser's full-screen rotating code, the
listener's scan, "my lectures", a photo, and the POST routes behind the page's forms.

Views ask the right they need, call one service or selector and render; service errors go back
on the form (``errors_on``) or into a message (``flash_errors``), and a missing or forbidden
object is the one "not found" page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import Conflict, NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.core.rotating import seconds_left
from rongxin.lectures.models import Session
from rongxin.lectures.permissions.common import managed_regions, own_speaker
from rongxin.lectures.permissions.sessions import access_session_for_running, own_person_or_none
from rongxin.lectures.selectors.choices import (
    published_sayings,
    recordable_teams,
    recording_regions,
    session_region_choices,
    site_choices,
    speaker_choices,
    speaker_label,
    venue_choices,
)
from rongxin.lectures.selectors.sessions import (
    my_lectures as my_lectures_read,
)
from rongxin.lectures.selectors.sessions import (
    photo_for_read,
    runs_any,
    session_by_code,
    session_view,
    sessions_run,
    sessions_upcoming,
)
from rongxin.lectures.services.attendance import (
    CODE,
    PROBLEM_MESSAGES,
    attendance_assisted,
    checkin_refusal,
    lecture_checkin,
)
from rongxin.lectures.services.closing import session_close as close_service
from rongxin.lectures.services.photos import photo_add
from rongxin.lectures.services.sessions import session_cancel as cancel_service
from rongxin.lectures.services.sessions import session_create, session_update
from rongxin.regions.models import Region

PER_PAGE = 20


# --- Forms ------------------------------------------------------------------------------------
def _id_choice(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, coerce=int, required=False, empty_value=None)


class _SessionFields(forms.Form):
    """What a planned session says whether it is recorded or changed."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=Session.Format.choices)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place_kind = forms.ChoiceField(label=gettext_lazy("Kind of place"), choices=Session.PlaceKind.choices)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    site_id = _id_choice(gettext_lazy("Practice site"))
    venue_id = _id_choice(gettext_lazy("Venue"))
    latitude = forms.CharField(label=gettext_lazy("Latitude"), max_length=20, required=False)
    longitude = forms.CharField(label=gettext_lazy("Longitude"), max_length=20, required=False)
    speaker_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Speakers"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    saying_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Sayings covered"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    audience_count = forms.IntegerField(label=gettext_lazy("Audience count"), required=False, min_value=0)

    def _choices(self, *, roots: list[Region], region: Region | None, keep: list[int]) -> None:
        none = [("", "—")]
        self.fields["site_id"].choices = none + site_choices(roots=roots, region=region)  # type: ignore[attr-defined]
        self.fields["venue_id"].choices = none + venue_choices(roots=roots, region=region)  # type: ignore[attr-defined]
        self.fields["speaker_ids"].choices = [  # type: ignore[attr-defined]
            (s.pk, speaker_label(s)) for s in speaker_choices(roots=roots, keep=keep)
        ]
        self.fields["saying_ids"].choices = [  # type: ignore[attr-defined]
            (s.pk, f"{s.number}. {s.text}") for s in published_sayings()
        ]


class SessionForm(_SessionFields):
    """Recording a planned session: its region, team and speakers chosen among what the actor may
    use (ids still go to :func:`session_create`)."""

    region_code = forms.ChoiceField(label=gettext_lazy("Town or village"))
    team_id = _id_choice(gettext_lazy("Lecture team"))
    order_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    field_order = ["title", "region_code", "format", "starts_at", "ends_at", "place_kind", "place"]

    def __init__(self, *args: Any, actor: Any, order_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roots = recording_regions(actor)
        self.fields["region_code"].choices = session_region_choices(managed_regions(actor))  # type: ignore[attr-defined]
        teams = recordable_teams(actor, order_id=order_id)
        self.fields["team_id"].choices = [("", "—"), *[(t.pk, t.name) for t in teams]]  # type: ignore[attr-defined]
        if order_id is not None:
            self.fields["team_id"].disabled = True  # the order's team, set by the service
            self.fields["region_code"].required = False
            self.initial.setdefault("team_id", teams[0].pk if teams else None)
        me = own_speaker(actor)
        keep = [me.pk] if me is not None else []
        self._choices(roots=roots, region=None, keep=keep)
        if me is not None and not self.is_bound:
            self.initial.setdefault("speaker_ids", [me.pk])  # a speaker records for themself
        mine = me is not None and me.team_id is not None and any(t.pk == me.team_id for t in teams)
        if mine and me is not None and not self.is_bound and order_id is None:
            self.initial.setdefault("team_id", me.team_id)

    def for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("order_id") is not None:
            data["team_id"] = None  # the order gives the team
        return data


class SessionEditForm(_SessionFields):
    """Changing a planned session (its region, team and order stay)."""

    def __init__(self, *args: Any, actor: Any, session: Session, speaker_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices(roots=recording_regions(actor), region=session.region, keep=speaker_ids)


class PhotoForm(forms.Form):
    upload = forms.FileField(label=gettext_lazy("Photo"), allow_empty_file=True)
    caption = forms.CharField(label=gettext_lazy("Caption"), max_length=100, required=False)


class AssistForm(forms.Form):
    id_numbers = forms.CharField(
        label=gettext_lazy("ID numbers, one a line"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20_000
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class CloseForm(forms.Form):
    audience_count = forms.IntegerField(label=gettext_lazy("Audience count"), required=False, min_value=0)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


# --- Lists --------------------------------------------------------------------------------------
def _page(request: SignedInRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


@login_required
def session_list(request: SignedInRequest) -> HttpResponse:
    """The sessions the viewer runs (organisers) and the lectures coming up in their town."""
    page = _page(request)
    offset = (page - 1) * PER_PAGE
    run: list[Session] = []
    run_total = 0
    organiser = runs_any(request.user)
    if organiser:
        run, run_total = sessions_run(actor=request.user, offset=offset, limit=PER_PAGE)
    upcoming, _total = sessions_upcoming(actor=request.user, limit=PER_PAGE)
    return render(
        request,
        "lectures/session_list.html",
        {
            "organiser": organiser,
            "run": run,
            "upcoming": upcoming,
            "page": page,
            "has_next": offset + PER_PAGE < run_total,
            "has_previous": page > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: SignedInRequest) -> HttpResponse:
    """Record a planned session (``?order=`` for an accepted order's session)."""
    if not runs_any(request.user):
        raise NotFound()
    raw = request.POST.get("order_id", "") if request.method == "POST" else request.GET.get("order", "")
    order_id = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 10 else None
    initial = {"order_id": order_id} if order_id is not None else {}
    form = SessionForm(request.POST or None, initial=initial, actor=request.user, order_id=order_id)
    if request.method == "POST" and form.is_valid():
        data = form.for_service()
        with errors_on(form) as outcome:
            created = session_create(actor=request.user, **data)
        if not outcome.failed:
            messages.success(request, _("The lecture is recorded. Show its check-in code when it starts."))
            return redirect("lectures:session_detail", created.pk)
        return render(request, "lectures/session_form.html", {"form": form}, status=outcome.status)
    return render(request, "lectures/session_form.html", {"form": form}, status=form_status(form))


@login_required
def session_detail(request: SignedInRequest, session_id: int) -> HttpResponse:
    view = session_view(actor=request.user, session_id=session_id)
    s = view.session
    now = clock.now()
    return render(
        request,
        "lectures/session_detail.html",
        {
            "v": view,
            "s": s,
            "open": checkin_refusal(s, now) is None,
            "finished": s.status == Session.Status.PLANNED and now >= s.ends_at,
            "photo_form": PhotoForm(),
            "assist_form": AssistForm(),
            "close_form": CloseForm(initial={"audience_count": s.audience_count}),
            "cancel_form": CancelForm(auto_id="cancel_%s"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: SignedInRequest, session_id: int) -> HttpResponse:
    """Change a planned session (whoever runs it; a closed or cancelled one cannot change)."""
    s = access_session_for_running(request.user, session_id=session_id).session
    if s.status != Session.Status.PLANNED:
        raise Conflict(_("A closed or cancelled lecture cannot be changed."), code="session_closed")
    view = session_view(actor=request.user, session_id=session_id, with_listeners=False)
    current = [x.speaker_id for x in view.speakers]
    initial = {
        "title": s.title,
        "format": s.format,
        "starts_at": timezone.localtime(s.starts_at),
        "ends_at": timezone.localtime(s.ends_at),
        "place_kind": s.place_kind,
        "place": s.place,
        "site_id": s.site_id,
        "venue_id": s.venue_id,
        "latitude": "" if s.latitude is None else str(s.latitude),
        "longitude": "" if s.longitude is None else str(s.longitude),
        "speaker_ids": current,
        "saying_ids": [x.saying_id for x in view.sayings],
        "audience_count": s.audience_count,
    }
    form = SessionEditForm(request.POST or None, initial=initial, actor=request.user, session=s, speaker_ids=current)
    context = {"form": form, "s": s}
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            session_update(actor=request.user, session_id=session_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("The lecture is changed."))
            return redirect("lectures:session_detail", session_id)
        return render(request, "lectures/session_edit.html", context, status=outcome.status)
    return render(request, "lectures/session_edit.html", context, status=form_status(form))


# --- The organiser's code screen ---------------------------------------------------------------
def _qr_svg(url: str) -> SafeString:
    # segno draws the code from our own URL only; the SVG holds paths, no user text.
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="qr-svg", title=str(_("Check-in code"))
    )
    return mark_safe(svg)  # noqa: S308


@login_required
def session_code(request: SignedInRequest, session_id: int) -> HttpResponse:
    """The full-screen check-in code, changing every 30 seconds (the fragment is polled)."""
    s = access_session_for_running(request.user, session_id=session_id).session
    now = clock.now()
    refusal = checkin_refusal(s, now)
    context: dict[str, Any] = {"s": s}
    if refusal is not None:
        context["code_error"] = str(refusal.message)
    else:
        token = CODE.token_for(secret=bytes(s.qr_secret), object_id=s.pk, at=now)
        url = request.build_absolute_uri(reverse("lectures:scan") + "?" + urlencode({"t": token}))
        context.update({"scan_url": url, "qr": _qr_svg(url), "seconds_left": seconds_left(now)})
    if request.headers.get("HX-Request"):
        return render(request, "lectures/_session_code.html", context)
    return render(request, "lectures/session_code.html", context)


# --- The listener -------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def scan(request: SignedInRequest) -> HttpResponse:
    """Where the phone's camera lands: the lecture behind the code, and a button to check in."""
    token = (request.POST.get("t") if request.method == "POST" else request.GET.get("t")) or ""
    parsed = CODE.parse(token)
    s = session_by_code(parsed.object_id) if parsed else None
    if (
        s is not None
        and parsed is not None
        and CODE.check(parsed, secret=bytes(s.qr_secret), at=clock.now()) == "forged"
    ):
        s = None  # only a real code of the session shows it (an expired one is refused on check-in)
    if s is None:
        return render(
            request, "lectures/scan.html", {"bad_code": True}, status=422 if request.method == "POST" else 200
        )
    error, status = "", 200
    person = own_person_or_none(request.user)
    if person is None or not person.consent_given:
        # Credit needs the person's own file and their consent to scoring: say so, do not refuse blindly.
        return render(request, "lectures/scan.html", {"s": s, "no_file": True}, status=200)
    if request.method == "POST":
        form = forms.Form(request.POST)
        with errors_on(form) as outcome:
            lecture_checkin(actor=request.user, token=token)
        if not outcome.failed:
            messages.success(request, _("You are checked in. Thank you for listening!"))
            return redirect("lectures:my_lectures")
        assert outcome.error is not None
        error, status = str(outcome.error.message), outcome.status
    return render(
        request,
        "lectures/scan.html",
        {"s": s, "token": token, "error": error, "problems": PROBLEM_MESSAGES},
        status=status,
    )


@login_required
def my_lectures(request: SignedInRequest) -> HttpResponse:
    """The lectures the signed-in person attended and gave, with the credit each brought."""
    attended, given = my_lectures_read(actor=request.user)
    return render(request, "lectures/my_lectures.html", {"attended": attended, "given": given})


@login_required
def photo(request: SignedInRequest, photo_id: int) -> HttpResponse:
    """A session photo's bytes, for those who may see the session."""
    p = photo_for_read(actor=request.user, photo_id=photo_id)
    response = HttpResponse(bytes(p.data), content_type=p.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="lecture-{p.session_id}-{p.pk}"'
    return response


# --- POST routes of the session page ------------------------------------------------------------
@login_required
@require_POST
def session_photo_add(request: SignedInRequest, session_id: int) -> HttpResponse:
    access_session_for_running(request.user, session_id=session_id)
    with flash_errors(request) as outcome:
        photo_add(
            actor=request.user,
            session_id=session_id,
            upload=request.FILES.get("upload"),
            caption=request.POST.get("caption", ""),
        )
    if not outcome.failed:
        messages.success(request, _("The photo is added."))
    return redirect("lectures:session_detail", session_id)


@login_required
@require_POST
def session_assist(request: SignedInRequest, session_id: int) -> HttpResponse:
    access_session_for_running(request.user, session_id=session_id)
    numbers = [line.strip() for line in request.POST.get("id_numbers", "").splitlines() if line.strip()]
    with flash_errors(request) as outcome:
        result = attendance_assisted(
            actor=request.user, session_id=session_id, id_numbers=numbers, reason=request.POST.get("reason", "")
        )
    if not outcome.failed:
        text = _("%(n)d listeners recorded.") % {"n": len(result.recorded)}
        if result.skipped:
            text += " " + _("%(n)d not recorded: %(why)s") % {
                "n": len(result.skipped),
                "why": "、".join(sorted({str(PROBLEM_MESSAGES[c]) for _s, c in result.skipped})),
            }
        messages.success(request, text)
    return redirect("lectures:session_detail", session_id)


@login_required
@require_POST
def session_close(request: SignedInRequest, session_id: int) -> HttpResponse:
    access_session_for_running(request.user, session_id=session_id)
    raw = request.POST.get("audience_count", "").strip()
    audience: Any = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 8 else (raw or None)
    with flash_errors(request) as outcome:
        result = close_service(actor=request.user, session_id=session_id, audience_count=audience)
    if not outcome.failed:
        messages.success(
            request,
            _("The lecture is closed: %(l)d listeners and %(s)d speakers earned credit.")
            % {"l": result.listeners, "s": result.speakers},
        )
    return redirect("lectures:session_detail", session_id)


@login_required
@require_POST
def session_cancel(request: SignedInRequest, session_id: int) -> HttpResponse:
    access_session_for_running(request.user, session_id=session_id)
    with flash_errors(request) as outcome:
        cancel_service(actor=request.user, session_id=session_id, reason=request.POST.get("reason", ""))
    if not outcome.failed:
        messages.success(request, _("The lecture is cancelled."))
    return redirect("lectures:session_detail", session_id)


urls: list[URLPattern] = [
    path("lectures/sessions/", session_list, name="session_list"),
    path("lectures/sessions/new/", session_new, name="session_new"),
    path("lectures/sessions/<int:session_id>/", session_detail, name="session_detail"),
    path("lectures/sessions/<int:session_id>/edit/", session_edit, name="session_edit"),
    path("lectures/sessions/<int:session_id>/code/", session_code, name="session_code"),
    path("lectures/sessions/<int:session_id>/photos/", session_photo_add, name="session_photo_add"),
    path("lectures/sessions/<int:session_id>/assist/", session_assist, name="session_assist"),
    path("lectures/sessions/<int:session_id>/close/", session_close, name="session_close"),
    path("lectures/sessions/<int:session_id>/cancel/", session_cancel, name="session_cancel"),
    path("lectures/scan/", scan, name="scan"),
    path("lectures/me/", my_lectures, name="my_lectures"),
    path("lectures/photos/<int:photo_id>/", photo, name="photo"),
]
