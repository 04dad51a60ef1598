"""Small wishes (微心愿) pages, mobile-first (residents use phones):

- ``projects/wishes/`` (``projects:wishes``): the public list with filters (town, village,
  category, state), the resident's masked name and village only; a 「我要认领」 button for a
  signed-in sponsor on each open wish;
- ``projects/wishes/<pk>/`` (``projects:wish``): the public page of one wish, and the forms of
  whoever may act on it: claim (a resident or an enterprise representative), give up and deliver
  (the claimant's speakers), confirm receipt and withdraw (the resident or the village's officer);
  those who read the full record see the resident's name there;
- ``projects/wishes/new/`` (``projects:wish_new``): a resident posts for themselves; a village
  officer searches the village's residents and posts for one;
- ``projects/wishes/mine/`` (``projects:wishes_mine``): a resident's own wishes and the wishes
  their subjects claimed; a village officer's villages' wishes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core.errors import NotFound
from rongxin.core.forms import Outcome, errors_on, flash_errors, form_status
from rongxin.funds.domain.money import yuan
from rongxin.projects.models import Wish
from rongxin.projects.pages.forms_wishes import (
    ResidentSearchForm,
    WishClaimForm,
    WishConfirmForm,
    WishFilter,
    WishFulfilForm,
    WishPostForm,
    WishWithdrawForm,
)
from rongxin.projects.permissions.common import (
    access_wish,
    own_person_subject,
    reads_wish,
    signed_in,
    sponsor_subjects,
)
from rongxin.projects.permissions.wishes import (
    access_wish_as_claimant,
    access_wish_as_resident,
    claimant_speaker,
    resident_role,
)
from rongxin.projects.selectors.wishes import (
    PER_PAGE,
    ResidentChoice,
    officer_villages,
    wish_board,
    wish_public,
    wish_record,
    wish_resident_search,
    wish_towns,
    wish_villages_of,
)
from rongxin.projects.selectors.wishes import wishes_mine as mine_select
from rongxin.projects.services import wishes as services
from rongxin.projects.services.wishes import (
    ceiling_max,
    wish_claim,
    wish_confirm,
    wish_fulfil,
    wish_post,
    wish_release,
    wish_withdraw,
)

MAX_PAGE = 10_000

CREDIT_TEXT = {
    services.CREDIT_CREATED: gettext_lazy("The claimant earned %(n)s credit points."),
    services.CREDIT_HELD: gettext_lazy("%(n)s points recorded for the claimant, awaiting the credit office's review."),
    services.CREDIT_EXISTING: gettext_lazy("The claimant's credit was recorded before: %(n)s points."),
    services.CREDIT_CAPPED: gettext_lazy("No points: the claimant reached this year's cap for small wishes."),
    services.CREDIT_NO_CONSENT: gettext_lazy("No credit: the claimant has not agreed to credit scoring."),
}


def credit_text(wish: Wish) -> str:
    text = CREDIT_TEXT.get(wish.credit_status)
    return str(text) % {"n": wish.credit_points or 0} if text is not None else ""


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else 1


def _int_or_raw(raw: str) -> int | str | None:
    raw = raw.strip()
    if not raw:
        return None
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else raw


@require_safe
def wishes(request: HttpRequest) -> HttpResponse:
    """The public list of small wishes with filters."""
    form = WishFilter(request.GET or None)
    towns = wish_towns()
    town_raw = request.GET.get("town", "")
    town_id = int(town_raw) if town_raw.isascii() and town_raw.isdigit() and len(town_raw) < 12 else None
    villages = wish_villages_of(town_id)
    form.fields["town"].choices = [("", _("All towns")), *((t.pk, t.name) for t in towns)]  # type: ignore[attr-defined]
    form.fields["village"].choices = [("", _("All villages")), *((v.pk, v.name) for v in villages)]  # type: ignore[attr-defined]
    valid = form.is_valid() if form.is_bound else True
    c: dict[str, Any] = form.cleaned_data if form.is_bound and valid else {}
    page = _page_number(request)
    board = wish_board(
        town_id=c.get("town"),
        village_id=c.get("village"),
        category=c.get("category") or "",
        state=c.get("state") or "",
        page=page,
    )
    if not valid:
        # An unknown town or village shows no wish rather than every wish.
        board = wish_board(village_id=0, page=1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/wishes.html",
        {
            "form": form,
            "board": board,
            "rows": [(w, yuan(w.ceiling), yuan(w.value)) for w in board.rows],
            "sponsor": bool(sponsor_subjects(request.user)),
            "posts": signed_in(request.user)
            and (own_person_subject(request.user) is not None or bool(officer_villages(request.user))),
            "pager": {
                "number": board.page,
                "pages": board.pages,
                "previous": board.page - 1 if board.page > 1 else None,
                "next": board.page + 1 if board.page < board.pages else None,
                "query": query.urlencode(),
            },
            "per_page": PER_PAGE,
        },
        status=200 if valid else 400,
    )


def _claim_form(request: HttpRequest, wish: Wish, data: Any = None) -> WishClaimForm | None:
    """The claim form with the subjects the actor speaks for (never offering the wish's own resident;
    a posted claim for them reaches the service, which refuses it)."""
    subjects = [s for s in sponsor_subjects(request.user) if data is not None or s.pk != wish.beneficiary_id]
    if not subjects:
        return None
    form = WishClaimForm(data)
    form.fields["claimant"].choices = [(s.pk, s.name) for s in subjects]  # type: ignore[attr-defined]
    return form


ACTIONS = ("claim", "release", "fulfil", "confirm", "withdraw")


@require_http_methods(["GET", "POST"])
def wish(request: HttpRequest, pk: int) -> HttpResponse:
    """One wish as the public sees it, and the forms of whoever may act on it."""
    found = access_wish(request.user, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        if not signed_in(request.user) or action not in ACTIONS:
            raise NotFound()
        # Who may act is asked before anything typed is looked at.
        if action == "claim" and not sponsor_subjects(request.user):
            raise NotFound()
        if action in ("release", "fulfil"):
            access_wish_as_claimant(request.user, pk)
        if action in ("confirm", "withdraw"):
            access_wish_as_resident(request.user, pk)
    user: Any = request.user
    forms_: dict[str, forms.Form | None] = {
        "claim": _claim_form(request, found, request.POST if action == "claim" else None),
        "fulfil": WishFulfilForm(request.POST if action == "fulfil" else None),
        "confirm": WishConfirmForm(request.POST if action == "confirm" else None),
        "withdraw": WishWithdrawForm(request.POST if action == "withdraw" else None),
    }
    status = 200
    failed: forms.Form | None = None
    if action == "release":
        with flash_errors(request):
            wish_release(actor=user, wish_id=pk)
            messages.info(request, _("You gave the wish up; it is waiting for someone again."))
        return redirect("projects:wish", pk)
    form = forms_.get(action)
    if form is not None and action:
        outcome = Outcome()
        if form.is_valid():
            c = form.cleaned_data
            with errors_on(form) as outcome:
                if action == "claim":
                    wish_claim(actor=user, wish_id=pk, claimant_subject_id=c["claimant"], anonymous=c["anonymous"])
                    messages.success(request, _("You claimed this wish. Deliver it, then say so here."))
                elif action == "fulfil":
                    wish_fulfil(actor=user, wish_id=pk, value=c["value"], note=c["note"])
                    messages.success(request, _("Delivered. The resident will confirm receipt."))
                elif action == "confirm":
                    result = wish_confirm(actor=user, wish_id=pk, thanks=c["thanks"])
                    messages.success(request, _("Receipt confirmed. Thank you."))
                    if result.confirmed and credit_text(result.wish):
                        messages.info(request, credit_text(result.wish))
                else:
                    wish_withdraw(actor=user, wish_id=pk, reason=c["reason"])
                    messages.info(request, _("The wish is withdrawn."))
            if not outcome.failed:
                return redirect("projects:wish", pk)
        status = form_status(form, outcome)
        failed = form if status != 200 else None
        found = access_wish(request.user, pk)
    public = wish_public(actor=request.user, wish_id=pk)
    record = wish_record(actor=user, wish_id=pk) if reads_wish(request.user, found) else None
    state = found.state
    claims = claimant_speaker(request.user, found) is not None
    speaks = bool(resident_role(request.user, found))
    live = state in (Wish.State.OPEN, Wish.State.CLAIMED)
    return render(
        request,
        "projects/wish.html",
        {
            "w": public,
            "ceiling": yuan(public.ceiling),
            "value": yuan(public.value),
            "record": record,
            "credit": credit_text(record.wish) if record is not None else "",
            "claim_form": forms_["claim"] if state == Wish.State.OPEN else None,
            "release": claims and state == Wish.State.CLAIMED,
            "fulfil_form": forms_["fulfil"] if claims and state == Wish.State.CLAIMED else None,
            "confirm_form": forms_["confirm"] if speaks and state == Wish.State.FULFILLED else None,
            "withdraw_form": forms_["withdraw"] if speaks and live else None,
            "failed": failed,
            "sign_in": not signed_in(request.user) and state == Wish.State.OPEN,
        },
        status=status,
    )


def _resident_choices(request: SignedInRequest, search: ResidentSearchForm) -> tuple[list[ResidentChoice], int]:
    if not search.is_bound or not search.is_valid() or not search.cleaned_data["q"]:
        return [], 200
    found: list[ResidentChoice] = []
    with errors_on(search) as outcome:
        found = wish_resident_search(actor=request.user, query=search.cleaned_data["q"])
    return found, outcome.status if outcome.failed else 200


@login_required
@require_http_methods(["GET", "POST"])
def wish_new(request: SignedInRequest) -> HttpResponse:
    """A resident posts a wish for themselves; a village officer for a resident of the village."""
    own = own_person_subject(request.user)
    villages = officer_villages(request.user)
    if own is None and not villages:
        raise NotFound()
    search = ResidentSearchForm(request.GET if "q" in request.GET else None)
    choices, status = _resident_choices(request, search) if villages else ([], 200)
    chosen_raw = request.POST.get("beneficiary_subject_id", "") or request.GET.get("subject", "")
    form = WishPostForm(
        request.POST or None,
        initial={"beneficiary_subject_id": chosen_raw, "ceiling": ""},
    )
    chosen_name = ""
    chosen_id = _int_or_raw(chosen_raw)
    if villages and isinstance(chosen_id, int):
        chosen = next((c for c in choices if c.subject_id == chosen_id), None)
        if chosen is not None:
            chosen_name = chosen.name
    if request.method == "POST":
        outcome = Outcome()
        if form.is_valid():
            c = form.cleaned_data
            with errors_on(form) as outcome:
                result = wish_post(
                    actor=request.user,
                    title=c["title"],
                    story=c["story"],
                    category=c["category"],
                    ceiling=c["ceiling"],
                    beneficiary_subject_id=_int_or_raw(c["beneficiary_subject_id"]),
                )
            if not outcome.failed:
                if result.created:
                    messages.success(request, _("The wish is posted. Caring people can claim it now."))
                else:
                    messages.info(request, _("This wish was posted a moment ago; nothing was added."))
                return redirect("projects:wish", result.wish.pk)
        status = form_status(form, outcome)
    return render(
        request,
        "projects/wish_new.html",
        {
            "form": form,
            "search": search if villages else None,
            "choices": choices,
            "own": own,
            "villages": villages,
            "chosen_name": chosen_name,
            "chosen_raw": chosen_raw,
            "most": yuan(ceiling_max()),
        },
        status=status,
    )


@login_required
@require_safe
def wishes_mine(request: SignedInRequest) -> HttpResponse:
    """The wishes that are the actor's business."""
    mine = wishes_mine_of(request)
    return render(request, "projects/wishes_mine.html", {"mine": mine})


def wishes_mine_of(request: SignedInRequest) -> Any:
    m = mine_select(actor=request.user)

    def rows(items: list[Wish]) -> list[tuple[Wish, str]]:
        return [(w, yuan(w.ceiling)) for w in items]

    return {"own": rows(m.own), "claimed": rows(m.claimed), "village": rows(m.village), "villages": m.villages}


urls: list[URLPattern] = [
    path("projects/wishes/", wishes, name="wishes"),
    path("projects/wishes/new/", wish_new, name="wish_new"),
    path("projects/wishes/mine/", wishes_mine, name="wishes_mine"),
    path("projects/wishes/<int:pk>/", wish, name="wish"),
]
