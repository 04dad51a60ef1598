"""Commendation meeting pages for those who run and read them: the list of meetings in the
viewer's scope with the form to create one, and the working page of a meeting (names with
reasons, excluded names with why, the committee's changes, awards, publicity, objections, the
award payment with its voucher, publishing).

Each action on the working page is a small form posting to its own view, which calls one
service and redirects back; a service error comes back as a message on the page. A missing or
forbidden meeting is the one "not found" page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_status
from rongxin.funds.domain.money import yuan
from rongxin.funds.pages.forms_meetings import (
    AnswerForm,
    AwardForm,
    MeetingForm,
    NominationAddForm,
    PayForm,
    PublicityForm,
    ReasonForm,
)
from rongxin.funds.permissions.common import access_meeting, fund_regions
from rongxin.funds.selectors.meetings import meeting_board, meeting_list, meeting_regions
from rongxin.funds.services.awards import meeting_award
from rongxin.funds.services.books import read_voucher_upload
from rongxin.funds.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_nominate,
    meeting_publish,
    meeting_start_publicity,
    nomination_add,
    nomination_remove,
    nomination_set_award,
)
from rongxin.funds.services.objections import objection_answer


@login_required
@require_http_methods(["GET", "POST"])
def meetings(request: SignedInRequest) -> HttpResponse:
    """The meetings the viewer reads, and (for those who run one) the form to create one."""
    if not fund_regions(request.user):
        raise NotFound()
    regions = [(r.pk, r.name) for r in meeting_regions(actor=request.user)]
    today = clock.today_local()
    form = MeetingForm(
        request.POST or None, regions=regions, initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1}
    )
    status = 200
    if request.method == "POST":
        if not regions:
            raise NotFound()
        if form.is_valid():
            with errors_on(form) as outcome:
                m = meeting_create(actor=request.user, **form.cleaned_data)
            if not outcome.failed:
                messages.success(request, _("The meeting is created. Draw the nominations from the platform's data."))
                return redirect("funds:meeting", m.pk)
            status = outcome.status
        else:
            status = form_status(form)
    return render(
        request,
        "funds/meetings.html",
        {"meetings": meeting_list(actor=request.user), "form": form if regions else None},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def meeting(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """The working page of a meeting (an audited read)."""
    board = meeting_board(actor=request.user, meeting_id=meeting_id)
    m = board.meeting
    today = clock.today_local()
    return render(
        request,
        "funds/meeting.html",
        {
            "board": board,
            "meeting": m,
            "money": yuan(board.money),
            "goods": yuan(board.goods),
            "draft": m.status == "draft",
            "can_award_set": m.status in ("draft", "publicity", "awarding") and m.held_on is None,
            "answering": m.status in ("publicity", "awarding") and m.held_on is None,
            "payable": m.held_on is None
            and (
                m.status == "awarding"
                or (m.status == "publicity" and m.publicity_ends_on is not None and today > m.publicity_ends_on)
            ),
            "publishable": m.status == "awarding" and m.held_on is not None,
            "cancellable": m.status in ("draft", "publicity", "awarding") and m.held_on is None,
            "public": m.status in ("publicity", "awarding", "published"),
            "add_form": NominationAddForm(),
            "reason_form": ReasonForm(),
            "award_form": AwardForm(),
            "publicity_form": PublicityForm(),
            "answer_form": AnswerForm(),
            "pay_form": PayForm(),
        },
    )


def _back(meeting_id: int, anchor: str = "") -> HttpResponse:
    response = redirect("funds:meeting", meeting_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _act(request: SignedInRequest, meeting_id: int, form: Any, call: Any, done: str, anchor: str = "") -> HttpResponse:
    """Ask the right, check the form's shape, call the service, redirect back with a message."""
    access_meeting(request.user, meeting_id, run=True)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return _back(meeting_id, anchor)
    with flash_errors(request) as outcome:
        call(**form.cleaned_data)
    if not outcome.failed:
        messages.success(request, done)
    return _back(meeting_id, anchor)


class _Empty:
    cleaned_data: dict[str, Any] = {}
    errors: dict[str, Any] = {}

    def is_valid(self) -> bool:
        return True


@login_required
@require_POST
def nominate(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, _Empty(),
        lambda: meeting_nominate(actor=request.user, meeting_id=meeting_id),
        _("The nominations are drawn from the platform's data."), "names",
    )  # fmt: skip


@login_required
@require_POST
def add(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, NominationAddForm(request.POST),
        lambda **d: nomination_add(actor=request.user, meeting_id=meeting_id, **d),
        _("The name is added to the list."), "names",
    )  # fmt: skip


@login_required
@require_POST
def remove(request: SignedInRequest, meeting_id: int, nomination_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, ReasonForm(request.POST),
        lambda **d: nomination_remove(actor=request.user, meeting_id=meeting_id, nomination_id=nomination_id, **d),
        _("The name is removed from the list."), "names",
    )  # fmt: skip


@login_required
@require_POST
def set_award(request: SignedInRequest, meeting_id: int, nomination_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, AwardForm(request.POST),
        lambda **d: nomination_set_award(
            actor=request.user, meeting_id=meeting_id, nomination_id=nomination_id, **d
        ),
        _("The award is set."), f"n{nomination_id}",
    )  # fmt: skip


@login_required
@require_POST
def publicity(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, PublicityForm(request.POST),
        lambda **d: meeting_start_publicity(actor=request.user, meeting_id=meeting_id, **d),
        _("The list is in publicity on the public page."),
    )  # fmt: skip


@login_required
@require_POST
def answer(request: SignedInRequest, meeting_id: int, objection_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, AnswerForm(request.POST),
        lambda **d: objection_answer(actor=request.user, meeting_id=meeting_id, objection_id=objection_id, **d),
        _("The objection is answered."), "objections",
    )  # fmt: skip


@login_required
@require_POST
def pay(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    """Pay and record the awards, with the signed receipt list."""
    access_meeting(request.user, meeting_id, run=True)
    form = PayForm(request.POST, request.FILES)
    with flash_errors(request) as outcome:
        if not form.is_valid():
            return _back(meeting_id, "pay")
        upload = form.cleaned_data.get("voucher")
        data = read_voucher_upload(upload) if upload else None
        result = meeting_award(
            actor=request.user, meeting_id=meeting_id, voucher_data=data, voucher_name=getattr(upload, "name", "")
        )
    if not outcome.failed:
        messages.success(
            request,
            _("%(n)s awards paid and recorded; %(paid)s paid out.") % {"n": result.awarded, "paid": yuan(result.paid)},
        )
    return _back(meeting_id, "pay")


@login_required
@require_POST
def publish(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, _Empty(),
        lambda: meeting_publish(actor=request.user, meeting_id=meeting_id),
        _("The honour roll is published."),
    )  # fmt: skip


@login_required
@require_POST
def cancel(request: SignedInRequest, meeting_id: int) -> HttpResponse:
    return _act(
        request, meeting_id, ReasonForm(request.POST),
        lambda **d: meeting_cancel(actor=request.user, meeting_id=meeting_id, **d),
        _("The meeting is cancelled."),
    )  # fmt: skip


urls: list[URLPattern] = [
    path("funds/meetings/", meetings, name="meetings"),
    path("funds/meetings/<int:meeting_id>/", meeting, name="meeting"),
    path("funds/meetings/<int:meeting_id>/nominate/", nominate, name="meeting_nominate"),
    path("funds/meetings/<int:meeting_id>/nominations/", add, name="nomination_add"),
    path("funds/meetings/<int:meeting_id>/nominations/<int:nomination_id>/remove/", remove, name="nomination_remove"),
    path("funds/meetings/<int:meeting_id>/nominations/<int:nomination_id>/award/", set_award, name="nomination_award"),
    path("funds/meetings/<int:meeting_id>/publicity/", publicity, name="meeting_publicity"),
    path("funds/meetings/<int:meeting_id>/objections/<int:objection_id>/answer/", answer, name="objection_answer"),
    path("funds/meetings/<int:meeting_id>/award/", pay, name="meeting_award"),
    path("funds/meetings/<int:meeting_id>/publish/", publish, name="meeting_publish"),
    path("funds/meetings/<int:meeting_id>/cancel/", cancel, name="meeting_cancel"),
]
