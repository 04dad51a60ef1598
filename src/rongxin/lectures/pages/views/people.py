"""People pages of lectures: speakers, the adoption-link board, the quota board and policy, a
head's history and the lecture teams in their three tiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.lectures.domain.periods import Period
from rongxin.lectures.pages.people_forms import (
    BrandForm,
    DayForm,
    LinkEndForm,
    LinkForm,
    PolicyForm,
    QuotaBoardForm,
    RangeForm,
    SpeakerEditForm,
    SpeakerFilterForm,
    SpeakerForm,
    TeamFilterForm,
)
from rongxin.lectures.permissions.common import figure_regions, is_lecture_admin, require_lecture_admin
from rongxin.lectures.permissions.people import access_quota_head, access_team_for_brand
from rongxin.lectures.selectors import links as link_reads
from rongxin.lectures.selectors import quota as quota_reads
from rongxin.lectures.selectors import speakers as speaker_reads
from rongxin.lectures.selectors import teams as team_reads
from rongxin.lectures.services import links as link_services
from rongxin.lectures.services import quota as quota_services
from rongxin.lectures.services import speakers as speaker_services
from rongxin.lectures.services import teams as team_services
from rongxin.regions.models import Region

PAGE = 50
HISTORY_YEARS = 3


def _page(request: SignedInRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _region(code: str) -> Region | None:
    return Region.objects.filter(code=code).first() if code else None


# --- Speakers ------------------------------------------------------------------------------------
@login_required
@require_safe
def speaker_list(request: SignedInRequest) -> HttpResponse:
    form = SpeakerFilterForm(request.GET or None)
    form.fields["area"].choices = [("", _("The whole county")), *speaker_reads.area_choices()]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_valid() else {}
    page = _page(request)
    speakers, total = speaker_reads.speaker_list(
        actor=request.user,
        kind=data.get("kind") or "",
        area=_region(data.get("area") or ""),
        q=data.get("q") or "",
        offset=(page - 1) * PAGE,
        limit=PAGE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "lectures/speaker_list.html",
        {
            "form": form,
            "speakers": speakers,
            "total": total,
            "page": page,
            "next_page": page + 1 if page * PAGE < total else None,
            "prev_page": page - 1 if page > 1 else None,
            "query": query.urlencode(),
            "can_create": is_lecture_admin(request.user),
        },
    )


@login_required
@require_safe
def speaker_detail(request: SignedInRequest, speaker_id: int) -> HttpResponse:
    view = speaker_reads.speaker_detail(actor=request.user, speaker_id=speaker_id)
    show_quota = view.speaker.kind == "head" and _sees_quota(request, view.speaker.pk)
    return render(request, "lectures/speaker_detail.html", {"v": view, "s": view.speaker, "show_quota": show_quota})


def _sees_quota(request: SignedInRequest, speaker_id: int) -> bool:
    try:
        access_quota_head(request.user, speaker_id)
    except NotFound:
        return False
    return True


def _speaker_form(data: Any = None) -> SpeakerForm:
    return _speaker_choices(SpeakerForm(data))


def _speaker_choices(form: SpeakerForm) -> SpeakerForm:
    form.fields["area_code"].choices = speaker_reads.area_choices()  # type: ignore[attr-defined]
    form.fields["department_code"].choices = [("", "—"), *speaker_reads.department_choices()]  # type: ignore[attr-defined]
    form.fields["team_id"].choices = [("", "—"), *speaker_reads.lecture_team_choices()]  # type: ignore[attr-defined]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def speaker_new(request: SignedInRequest) -> HttpResponse:
    """A lecture administrator adds a speaker."""
    require_lecture_admin(request.user)
    form = _speaker_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            user_id, subject_id = (
                speaker_reads.account_for_speaker(data["username"]) if data["username"] else (None, None)
            )
            speaker = speaker_services.speaker_create(
                actor=request.user,
                kind=data["kind"],
                name=data["name"],
                position=data["position"],
                area_code=data["area_code"],
                subject_id=subject_id,
                user_id=user_id,
                department_code=data["department_code"] or None,
                team_id=data["team_id"],
                topics=form.topic_list(),
                quota_since=data["quota_since"],
                quota_until=data["quota_until"],
            )
        if not outcome.failed:
            messages.success(request, _("Speaker added."))
            return redirect("lectures:speaker_detail", speaker.pk)
        return render(request, "lectures/speaker_form.html", {"form": form}, status=outcome.status)
    return render(request, "lectures/speaker_form.html", {"form": form}, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def speaker_edit(request: SignedInRequest, speaker_id: int) -> HttpResponse:
    """A lecture administrator changes a speaker (not their kind or account)."""
    require_lecture_admin(request.user)
    speaker = speaker_reads.speaker_get(speaker_id)
    initial = {
        "name": speaker.name,
        "position": speaker.position,
        "area_code": speaker.area.code,
        "department_code": speaker.department.code if speaker.department else "",
        "team_id": speaker.team_id,
        "topics": ", ".join(speaker.topics or []),
        "quota_since": speaker.quota_since,
        "quota_until": speaker.quota_until,
        "active": speaker.active,
    }
    form = SpeakerEditForm(request.POST or None, initial=initial)
    _speaker_choices(form)
    context = {"form": form, "speaker": speaker}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on(form) as outcome:
            speaker_services.speaker_update(
                actor=request.user,
                speaker_id=speaker.pk,
                name=data["name"],
                position=data["position"],
                area_code=data["area_code"],
                department_code=data["department_code"] or None,
                team_id=data["team_id"],
                topics=form.topic_list(),
                quota_since=data["quota_since"],
                quota_until=data["quota_until"],
                active=data["active"],
            )
        if not outcome.failed:
            messages.success(request, _("Speaker saved."))
            return redirect("lectures:speaker_detail", speaker.pk)
        return render(request, "lectures/speaker_form.html", context, status=outcome.status)
    return render(request, "lectures/speaker_form.html", context, status=form_status(form))


# --- Adoption links ------------------------------------------------------------------------------
@login_required
@require_safe
def link_board(request: SignedInRequest) -> HttpResponse:
    form = DayForm(request.GET or None)
    day = form.cleaned_data.get("on") if form.is_valid() else None
    board = link_reads.link_board(actor=request.user, on=day)
    return render(
        request,
        "lectures/link_board.html",
        {"form": form, "board": board},
    )


def _link_form(data: Any = None) -> LinkForm:
    form = LinkForm(data)
    form.fields["speaker_id"].choices = speaker_reads.leader_choices()  # type: ignore[attr-defined]
    form.fields["town_code"].choices = speaker_reads.town_choices()  # type: ignore[attr-defined]
    form.fields["village_code"].choices = speaker_reads.village_choices()  # type: ignore[attr-defined]
    return form


@login_required
@require_http_methods(["GET", "POST"])
def link_new(request: SignedInRequest) -> HttpResponse:
    """A lecture administrator links a county leader to a town, a village and an enterprise."""
    require_lecture_admin(request.user)
    form = _link_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            link_services.link_create(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Adoption link saved."))
            return redirect("lectures:link_board")
        return render(request, "lectures/link_form.html", {"form": form}, status=outcome.status)
    return render(request, "lectures/link_form.html", {"form": form}, status=form_status(form))


@login_required
@require_POST
def link_end(request: SignedInRequest, link_id: int) -> HttpResponse:
    """A lecture administrator ends a link early (a form on the board)."""
    require_lecture_admin(request.user)
    form = LinkEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("lectures:link_board")
    with flash_errors(request) as outcome:
        link_services.link_end(actor=request.user, link_id=link_id, **form.cleaned_data)
    if not outcome.failed:
        messages.success(request, _("The adoption link has ended."))
    return redirect("lectures:link_board")


# --- The quota -----------------------------------------------------------------------------------
def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    periods = quota_reads.quota_periods(today.replace(year=today.year - HISTORY_YEARS, day=1), today)
    return [(qp.key, f"{qp.period.start:%Y-%m-%d} – {qp.period.end:%Y-%m-%d}") for qp in reversed(periods)]


def _period_of(key: str, today: dt.date) -> Period:
    for qp in quota_reads.quota_periods(today.replace(year=today.year - HISTORY_YEARS, day=1), today):
        if qp.key == key:
            return qp.period
    return quota_reads.quota_periods(today, today)[0].period


@login_required
@require_safe
def quota_board(request: SignedInRequest) -> HttpResponse:
    """The quota board for a range of periods (the current one by default), with the overdue
    list on top and a filter by state (a head sees their own row)."""
    quota_reads.visible_heads(request.user)  # NotFound before anything is read
    today = quota_reads.today()
    choices = _period_choices(today)
    form = QuotaBoardForm(request.GET or None)
    form.fields["first"].choices = choices  # type: ignore[attr-defined]
    form.fields["last"].choices = choices  # type: ignore[attr-defined]
    form.fields["region"].choices = [("", _("The whole county")), *speaker_reads.area_choices()]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_valid() else {}
    first = _period_of(data.get("first") or "", today)
    last = _period_of(data.get("last") or "", today)
    if last.start < first.start:
        first, last = last, first
    board = quota_reads.quota_board(actor=request.user, first=first.start, last=last.end, region=data.get("region"))
    state = data.get("state") or ""
    rows = [row for row in board.rows if not state or row.has(state)]
    context = {"form": form, "board": board, "rows": rows, "state": state, "staff": bool(figure_regions(request.user))}
    return render(request, "lectures/quota_board.html", context)


@login_required
@require_safe
def quota_head(request: SignedInRequest, speaker_id: int) -> HttpResponse:
    """One head's history (the last three years by default)."""
    access_quota_head(request.user, speaker_id)
    form = RangeForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = quota_reads.today()
    last = data.get("last") or today
    first = data.get("first") or last.replace(year=last.year - HISTORY_YEARS, month=1, day=1)
    with errors_on(form) as outcome:
        history = quota_reads.quota_head(actor=request.user, speaker_id=speaker_id, first=first, last=last)
    if outcome.failed:
        history = quota_reads.quota_head(actor=request.user, speaker_id=speaker_id, first=today, last=today)
    return render(request, "lectures/quota_head.html", {"form": form, "h": history}, status=form_status(form, outcome))


@login_required
@require_http_methods(["GET", "POST"])
def quota_policy(request: SignedInRequest) -> HttpResponse:
    """The quota policies; lecture administrators set the next one."""
    admin = is_lecture_admin(request.user)
    if not admin and not figure_regions(request.user):
        raise NotFound()
    if request.method == "POST":
        require_lecture_admin(request.user)
    form = PolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            quota_services.quota_policy_set(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Quota policy saved."))
            return redirect("lectures:quota_policy")
    else:
        outcome = None
    context = {"form": form, "admin": admin, "policies": quota_reads.quota_policies(actor=request.user)}
    return render(request, "lectures/quota_policy.html", context, status=form_status(form, outcome))


# --- Lecture teams -------------------------------------------------------------------------------
@login_required
@require_safe
def team_list(request: SignedInRequest) -> HttpResponse:
    form = TeamFilterForm(request.GET or None)
    form.fields["region"].choices = [("", _("The whole county")), *speaker_reads.town_choices()]  # type: ignore[attr-defined]
    data = form.cleaned_data if form.is_valid() else {}
    tiers = team_reads.lecture_teams(
        actor=request.user, region=_region(data.get("region") or ""), tier=data.get("tier") or ""
    )
    return render(request, "lectures/team_list.html", {"form": form, "tiers": tiers})


@login_required
@require_http_methods(["GET", "POST"])
def team_brand(request: SignedInRequest, team_id: int) -> HttpResponse:
    """A lecture administrator or the town officer over the team sets its brand."""
    access_team_for_brand(request.user, team_id)
    row = team_reads.lecture_team_get(actor=request.user, team_id=team_id)
    form = BrandForm(request.POST or None, initial={"brand": row.brand, "audience": row.audience})
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            team_services.team_brand_set(actor=request.user, team_id=team_id, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Brand saved."))
            return redirect("lectures:team_list")
        return render(request, "lectures/team_brand.html", {"form": form, "row": row}, status=outcome.status)
    return render(request, "lectures/team_brand.html", {"form": form, "row": row}, status=form_status(form))


urls: list[URLPattern] = [
    path("lectures/speakers/", speaker_list, name="speaker_list"),
    path("lectures/speakers/new/", speaker_new, name="speaker_new"),
    path("lectures/speakers/<int:speaker_id>/", speaker_detail, name="speaker_detail"),
    path("lectures/speakers/<int:speaker_id>/edit/", speaker_edit, name="speaker_edit"),
    path("lectures/links/", link_board, name="link_board"),
    path("lectures/links/new/", link_new, name="link_new"),
    path("lectures/links/<int:link_id>/end/", link_end, name="link_end"),
    path("lectures/quota/", quota_board, name="quota_board"),
    path("lectures/quota/policy/", quota_policy, name="quota_policy"),
    path("lectures/quota/<int:speaker_id>/", quota_head, name="quota_head"),
    path("lectures/teams/", team_list, name="team_list"),
    path("lectures/teams/<int:team_id>/brand/", team_brand, name="team_brand"),
]
