"""Lecture order pages (点单–派单–接单–评单): the list, ordering a lecture, an order's page with
its history as a timeline and the buttons the viewer may use, and one POST route per action
(dispatch, accept, decline, cancel, rate) that goes back to the order's page.

Forms are shape only; the rules live in :mod:`rongxin.lectures.services.orders`, whose errors
land on the fields of the same name. A form that fails on the order's page is kept
(:func:`rongxin.core.forms.form_keep`) and shown again there with its errors beside the fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import SignedInRequest, grants_with_roles
from rongxin.core.errors import NotFound
from rongxin.core.forms import errors_on, flash_errors, form_keep, form_kept, form_status
from rongxin.lectures.models import Order
from rongxin.lectures.permissions.orders import (
    COMMUNITY_KINDS,
    access_order,
    is_orderer,
    order_regions,
    represented_enterprises,
)
from rongxin.lectures.selectors.choices import order_region_choices, published_sayings
from rongxin.lectures.selectors.orders import dispatch_targets, order_detail, order_list
from rongxin.lectures.services import orders as svc

PER_PAGE = 30


# --- Fields that take ASCII digits only ---------------------------------------------------------
class WholeNumberField(forms.CharField):
    """A whole number typed with the digits 0–9 (Django's IntegerField would read fullwidth or
    Arabic-Indic digits as numbers)."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"}))
        super().__init__(max_length=6, **kwargs)

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().clean(value)
        if text in self.empty_values:
            return None
        if not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(gettext_lazy("Enter a whole number with the digits 0-9."), code="invalid")
        number = int(text)
        if not self.min_value <= number <= self.max_value:
            raise forms.ValidationError(
                gettext_lazy("Enter a number from %(low)d to %(high)d.")
                % {"low": self.min_value, "high": self.max_value},
                code="out_of_range",
            )
        return number


class PlainDateField(forms.DateField):
    """A date as YYYY-MM-DD in the digits 0–9."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = ["%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and not value.strip().isascii():
            raise forms.ValidationError(gettext_lazy("Enter a date (YYYY-MM-DD)."), code="invalid")
        return super().to_python(value)


def _choice(value: str) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


# --- Forms ----------------------------------------------------------------------------------
class OrderForm(forms.Form):
    orderer_kind = forms.ChoiceField(label=gettext_lazy("Who the lecture is for"))
    region_code = forms.ChoiceField(label=gettext_lazy("Village, community or town"), required=False)
    enterprise_id = forms.ChoiceField(label=gettext_lazy("Enterprise"), required=False)
    orderer_name = forms.CharField(
        label=gettext_lazy("Name of the orderer"),
        max_length=100,
        required=False,
        help_text=gettext_lazy(
            "The school's or canteen's name; left blank, the village's, community's or enterprise's own."
        ),
    )
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)
    saying_id = forms.ChoiceField(label=gettext_lazy("Saying"), required=False)
    preferred_from = PlainDateField(label=gettext_lazy("Preferred from"))
    preferred_to = PlainDateField(label=gettext_lazy("Preferred until"))
    audience = forms.CharField(label=gettext_lazy("Audience"), max_length=200)
    audience_size = WholeNumberField(label=gettext_lazy("Expected listeners"), min_value=1, max_value=5000)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds: list[str] = []
        roles = {
            g.role for g in grants_with_roles(actor, [Role.VILLAGE_OFFICER, Role.TOWN_OFFICER, Role.CANTEEN_MANAGER])
        }
        if roles & {Role.VILLAGE_OFFICER, Role.TOWN_OFFICER}:
            kinds += [k for k in Order.Orderer.values if k in COMMUNITY_KINDS]
        if Role.CANTEEN_MANAGER in roles:
            kinds.append(Order.Orderer.CANTEEN)
        enterprises = represented_enterprises(actor)
        if enterprises:
            kinds.append(Order.Orderer.ENTERPRISE)
        labels = dict(Order.Orderer.choices)
        self.fields["orderer_kind"].choices = [(k, labels[k]) for k in kinds]  # type: ignore[attr-defined]
        self.fields["region_code"].choices = [("", "—"), *order_region_choices(order_regions(actor))]  # type: ignore[attr-defined]
        self.fields["enterprise_id"].choices = [("", "—"), *[(str(e.pk), e.name) for e in enterprises]]  # type: ignore[attr-defined]
        sayings = [(str(s.pk), f"{s.number}. {s.text}") for s in published_sayings()]
        self.fields["saying_id"].choices = [("", "—"), *sayings]  # type: ignore[attr-defined]
        self.has_enterprises = bool(enterprises)
        self.has_regions = len(self.fields["region_code"].choices) > 1  # type: ignore[attr-defined]

    def for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["enterprise_id"] = _choice(data.get("enterprise_id") or "")
        data["saying_id"] = _choice(data.get("saying_id") or "")
        return data


class DispatchForm(forms.Form):
    team_id = forms.ChoiceField(label=gettext_lazy("Lecture team"), required=False)
    speaker_id = forms.ChoiceField(label=gettext_lazy("Or a speaker"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams, speakers = dispatch_targets()
        self.fields["team_id"].choices = [("", "—"), *[(str(t.pk), t.name) for t in teams]]  # type: ignore[attr-defined]
        self.fields["speaker_id"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(str(s.pk), f"{s.name}（{s.get_kind_display()}）") for s in speakers],
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"),
        choices=[(str(n), "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Views ----------------------------------------------------------------------------------
@login_required
@require_safe
def order_list_view(request: SignedInRequest) -> HttpResponse:
    """The orders the viewer reads: their own, those they dispatch (awaiting dispatch first) and
    those dispatched to them."""
    state = request.GET.get("state", "")
    state = state if state in Order.State.values else ""
    raw_page = request.GET.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) < 6 else 1
    page = max(page, 1)
    rows, total = order_list(actor=request.user, state=state, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render(
        request,
        "lectures/order_list.html",
        {
            "rows": rows,
            "total": total,
            "state": state,
            "states": Order.State.choices,
            "page": page,
            "has_next": page * PER_PAGE < total,
            "can_order": is_orderer(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_new(request: SignedInRequest) -> HttpResponse:
    """A village, community, school, canteen or enterprise orders a lecture."""
    if not is_orderer(request.user):
        raise NotFound()
    form = OrderForm(request.POST or None, actor=request.user)
    outcome = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            order = svc.order_create(actor=request.user, **form.for_service())
        if not outcome.failed:
            messages.success(request, _("Your order is in. The centre or the town's institute will dispatch it."))
            return redirect("lectures:order_detail", order.pk)
    return render(request, "lectures/order_form.html", {"form": form}, status=form_status(form, outcome))


def _kept(request: SignedInRequest, order_id: int, name: str, build: Any) -> Any:
    return form_kept(request, key=f"lectures.order.{name}:{order_id}", build=build)


@login_required
@require_safe
def order_detail_view(request: SignedInRequest, order_id: int) -> HttpResponse:
    """An order, its history as a timeline and the buttons the viewer may use."""
    view = order_detail(actor=request.user, order_id=order_id)
    forms_by_action: dict[str, Any] = {}
    if "dispatch" in view.actions:
        forms_by_action["dispatch"] = _kept(request, order_id, "dispatch", lambda d: DispatchForm(d)) or DispatchForm()
    if "decline" in view.actions:
        forms_by_action["decline"] = _kept(
            request, order_id, "decline", lambda d: ReasonForm(d, prefix="decline")
        ) or ReasonForm(prefix="decline")
    if "cancel" in view.actions:
        forms_by_action["cancel"] = _kept(
            request, order_id, "cancel", lambda d: ReasonForm(d, prefix="cancel")
        ) or ReasonForm(prefix="cancel")
    if "rate" in view.actions:
        forms_by_action["rate"] = _kept(request, order_id, "rate", lambda d: RateForm(d)) or RateForm()
    return render(
        request,
        "lectures/order_detail.html",
        {"v": view, "order": view.order, "forms": forms_by_action},
    )


def _act(
    request: SignedInRequest, order_id: int, name: str, form: forms.Form | None, call: Any, done: str
) -> HttpResponse:
    """Run ``call(form)`` for a POST route: the right first (an outsider gets the one "not
    found" page), then the form; a failure keeps the form for the order's page."""
    access_order(request.user, order_id=order_id)
    back = redirect("lectures:order_detail", order_id)
    if form is not None and not form.is_valid():
        form_keep(request, form, key=f"lectures.order.{name}:{order_id}")
        messages.error(request, _("Not saved: correct the fields below."))
        return back
    if form is not None:
        with errors_on(form) as outcome:
            call(form)
        if outcome.failed:
            if any(form.errors.get(f) for f in form.fields):
                form_keep(request, form, key=f"lectures.order.{name}:{order_id}")
                messages.error(request, _("Not saved: correct the fields below."))
            elif outcome.error is not None:
                messages.error(request, str(outcome.error.message))
            return back
    else:
        with flash_errors(request) as outcome:
            call(None)
        if outcome.failed:
            return back
    messages.success(request, done)
    return back


@login_required
@require_POST
def order_dispatch(request: SignedInRequest, order_id: int) -> HttpResponse:
    form = DispatchForm(request.POST)
    return _act(
        request,
        order_id,
        "dispatch",
        form,
        lambda f: svc.order_dispatch(
            actor=request.user,
            order_id=order_id,
            team_id=_choice(f.cleaned_data["team_id"]),
            speaker_id=_choice(f.cleaned_data["speaker_id"]),
        ),
        _("The order is dispatched."),
    )


@login_required
@require_POST
def order_accept(request: SignedInRequest, order_id: int) -> HttpResponse:
    return _act(
        request,
        order_id,
        "accept",
        None,
        lambda _f: svc.order_accept(actor=request.user, order_id=order_id),
        _("You have accepted the order. Plan the session with the orderer."),
    )


@login_required
@require_POST
def order_decline(request: SignedInRequest, order_id: int) -> HttpResponse:
    form = ReasonForm(request.POST, prefix="decline")
    return _act(
        request,
        order_id,
        "decline",
        form,
        lambda f: svc.order_decline(actor=request.user, order_id=order_id, reason=f.cleaned_data["reason"]),
        _("You have declined the order; it goes back to be dispatched again."),
    )


@login_required
@require_POST
def order_cancel(request: SignedInRequest, order_id: int) -> HttpResponse:
    form = ReasonForm(request.POST, prefix="cancel")
    return _act(
        request,
        order_id,
        "cancel",
        form,
        lambda f: svc.order_cancel(actor=request.user, order_id=order_id, reason=f.cleaned_data["reason"]),
        _("The order is cancelled."),
    )


@login_required
@require_POST
def order_rate(request: SignedInRequest, order_id: int) -> HttpResponse:
    form = RateForm(request.POST)
    return _act(
        request,
        order_id,
        "rate",
        form,
        lambda f: svc.order_rate(
            actor=request.user, order_id=order_id, rating=f.cleaned_data["rating"], comment=f.cleaned_data["comment"]
        ),
        _("Thank you for rating the lecture."),
    )


urls: list[URLPattern] = [
    path("lectures/orders/", order_list_view, name="order_list"),
    path("lectures/orders/new/", order_new, name="order_new"),
    path("lectures/orders/<int:order_id>/", order_detail_view, name="order_detail"),
    path("lectures/orders/<int:order_id>/dispatch/", order_dispatch, name="order_dispatch"),
    path("lectures/orders/<int:order_id>/accept/", order_accept, name="order_accept"),
    path("lectures/orders/<int:order_id>/decline/", order_decline, name="order_decline"),
    path("lectures/orders/<int:order_id>/cancel/", order_cancel, name="order_cancel"),
    path("lectures/orders/<int:order_id>/rate/", order_rate, name="order_rate"),
]
