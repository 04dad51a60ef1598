"""Incentive pages: the public list of offers; the holder's page (grade, offers, credentials shown
as QR codes, who checked my credit); the provider's page (check a credential scanned with the
camera or pasted, record redemptions, propose offers); the offline check in the browser; the
county credit office's page (providers, proposals, suspensions, statistics).

Privacy: a provider's page shows only "eligible or not" and why not; never a score, name, ID
number or phone. Each view authorizes, validates the form's shape, calls one service or
selector and renders; errors are shown on the form in the page language (Chinese by default).
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.exceptions import Ratelimited

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.permissions import require_role
from rongxin.core import clock
from rongxin.core.errors import ApplicationError, NotFound
from rongxin.core.forms import apply_error
from rongxin.incentives import selectors, services
from rongxin.incentives.api.router import allowance_take
from rongxin.incentives.models import GRADES, Check, Credential, Incentive, Provider
from rongxin.subjects.selectors import subject_links_of
from rongxin.web.responses import not_found

KEYS_URL = "/api/v1/incentives/keys"  # the published key document (signing.py describes it)
STATUS_URL = "/api/v1/incentives/status"  # the provider's signed status list

# What a provider is told about a credential: yes or no, and why not. Nothing about the holder.
VERDICTS: dict[str, Any] = {
    Check.Result.ELIGIBLE: gettext_lazy("The holder qualifies for this offer now. Give the benefit."),
    Check.Result.NOT_ELIGIBLE: gettext_lazy("The holder does not qualify for this offer now."),
    Check.Result.EXPIRED: gettext_lazy("This credential has expired; ask the holder to show a new one."),
    Check.Result.INVALID: gettext_lazy("This is not a valid credential (forged, altered or unknown)."),
    Check.Result.WRONG_PROVIDER: gettext_lazy("This credential is for another provider's incentive."),
    Check.Result.REVOKED: gettext_lazy("The holder has withdrawn this credential."),
    Check.Result.USED: gettext_lazy("This live code was already used; ask the holder to show a new one."),
}


# --- Forms ------------------------------------------------------------------------------------
class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("All categories")), *Incentive.Category.choices],
    )


class IssueForm(forms.Form):
    incentive_id = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(choices=Credential.Kind.choices)
    subject = forms.IntegerField(required=False, min_value=1)


class TokenField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=gettext_lazy("Credential"),
            max_length=1000,
            strip=True,
            widget=forms.Textarea(
                attrs={"rows": 3, "class": "mono", "autocomplete": "off", "spellcheck": "false", "data-token": ""}
            ),
            error_messages={
                "required": gettext_lazy("Scan the holder's code or paste the text under it."),
                "max_length": gettext_lazy("This is not a valid credential (forged, altered or unknown)."),
            },
            **kwargs,
        )


class CheckForm(forms.Form):
    token = TokenField(help_text=gettext_lazy("Scan the holder's code with the camera, or paste the text under it."))


class RedeemForm(forms.Form):
    token = TokenField()
    reference = forms.CharField(
        label=gettext_lazy("Your reference"),
        max_length=64,
        help_text=gettext_lazy(
            "Your own ticket, receipt or case number. Sending the same one again records nothing twice."
        ),
        error_messages={"required": gettext_lazy("Give your own reference (1–64 characters).")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "redeem_%s")  # the check form on the same page has id_token
        super().__init__(*args, **kwargs)


class ProposeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=30,
        help_text=gettext_lazy("Lowercase letters, digits and hyphens, e.g. bus-free-aaa."),
    )
    title_zh = forms.CharField(label=gettext_lazy("Title (Chinese)"), max_length=100)
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=140)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=Incentive.Category.choices)
    min_grade = forms.ChoiceField(label=gettext_lazy("Minimum grade"), choices=[(g, g) for g in GRADES], initial="AA")
    benefit_zh = forms.CharField(
        label=gettext_lazy("Benefit (Chinese)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    benefit_en = forms.CharField(
        label=gettext_lazy("Benefit (English)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty for no end date."),
    )
    for_persons = forms.BooleanField(label=gettext_lazy("For persons"), required=False, initial=True)
    for_organisations = forms.BooleanField(
        label=gettext_lazy("For enterprises and individual businesses"), required=False
    )
    quota_per_holder = forms.IntegerField(label=gettext_lazy("Times per holder"), required=False, min_value=1)
    quota_period = forms.ChoiceField(
        label=gettext_lazy("Per"), required=False, choices=[("", "—"), *Incentive.Period.choices]
    )
    quota_total = forms.IntegerField(
        label=gettext_lazy("Times in all"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("Leave empty for no overall limit."),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required when you reject or suspend; the provider sees it."),
    )

    def __init__(self, *args: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["decision"]
        if status == Incentive.Status.PROPOSED:
            field.choices = [("approve", _("Approve")), ("reject", _("Reject"))]
        elif status == Incentive.Status.APPROVED:
            field.choices = [("reject", _("Suspend"))]
        else:
            field.choices = [("approve", _("Approve again"))]
        field.initial = field.choices[0][0]


class ProviderForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=30,
        help_text=gettext_lazy("Lowercase letters, digits and underscores, e.g. rc_bus."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    contact = forms.CharField(label=gettext_lazy("Contact"), max_length=100, required=False)


class AccountForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username"),
        max_length=150,
        help_text=gettext_lazy("The staff account that will act for this provider."),
    )


class StatisticsForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("Since"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


# --- Small helpers ----------------------------------------------------------------------------
def _qr_svg(text: str, title: str) -> SafeString:
    # segno draws the code from a token the platform signed; the SVG holds paths, no user text.
    svg = segno.make(text, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, light="#fff", svgclass="inc-qr-svg", title=title
    )
    return mark_safe(svg)  # noqa: S308


def _subject_param(request: HttpRequest) -> int | None:
    """The subject a holder acts for when they hold several (their own file, a business)."""
    raw = request.GET.get("subject") or request.POST.get("subject") or ""
    return int(raw) if raw.isdigit() else None


def _form_status(form: forms.Form, exc: ApplicationError | None = None) -> int:
    if exc is not None:
        return exc.status
    return 422 if form.errors else 200


# --- Public list ------------------------------------------------------------------------------
@require_GET
def incentive_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.GET or None)
    category = form.cleaned_data["category"] if form.is_valid() else ""
    offers = selectors.incentives_open(category=category)
    return render(request, "web/incentives/list.html", {"form": form, "offers": offers, "category": category})


# --- Holders ----------------------------------------------------------------------------------
@login_required
@require_GET
def holder_home(request: HttpRequest) -> HttpResponse:
    try:
        view = selectors.holder_view(actor=request.user, subject_id=_subject_param(request))
    except NotFound:
        return not_found(request)
    eligible = sum(1 for o in view.offers if o.eligible)
    # Someone who also speaks for an enterprise switches between the subjects they hold for.
    links = subject_links_of(user=request.user)
    return render(
        request,
        "web/incentives/me.html",
        {
            "view": view,
            "eligible_count": eligible,
            "subject_param": view.subject.pk if len(links) > 1 else None,
            "links": links if len(links) > 1 else [],
        },
    )


@login_required
@require_GET
def holder_activity(request: HttpRequest) -> HttpResponse:
    try:
        activity = selectors.holder_activity(actor=request.user, subject_id=_subject_param(request))
    except NotFound:
        return not_found(request)
    credentials = [{"c": c, "state": activity.states[c.jti]} for c in activity.credentials]
    template = "web/incentives/_activity.html" if request.htmx else "web/incentives/activity.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"activity": activity, "credentials": credentials, "subject_param": _subject_param(request)},
    )


@login_required
@require_POST
def credential_new(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.POST)
    if not form.is_valid():
        return not_found(request)
    back = reverse("web:incentives_me")
    if form.cleaned_data["subject"]:
        back += f"?subject={form.cleaned_data['subject']}"
    try:
        issued = services.credential_issue(
            actor=request.user,
            incentive_id=form.cleaned_data["incentive_id"],
            kind=form.cleaned_data["kind"],
            subject_id=form.cleaned_data["subject"],
        )
    except NotFound:
        return not_found(request)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    c = issued.credential
    live = c.kind == Credential.Kind.LIVE
    context = {
        "c": c,
        "incentive": c.incentive,
        "provider": c.incentive.provider,
        "token": issued.token,
        "qr": _qr_svg(issued.token, _("Credit code")),
        "seconds_left": max(0, int((c.expires_at - clock.now()).total_seconds())),
        "back": back,
        "subject_param": form.cleaned_data["subject"],
    }
    template = "web/incentives/credential.html" if live else "web/incentives/card.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def credential_withdraw(request: HttpRequest, jti: str) -> HttpResponse:
    try:
        c = services.credential_revoke(actor=request.user, jti=jti)
    except NotFound:
        return not_found(request)
    messages.success(request, _("The credential was withdrawn; providers will refuse it from now on."))
    return redirect(reverse("web:incentives_me") + f"?subject={c.subject_id}#activity")


# --- Providers --------------------------------------------------------------------------------
# Checks and redemptions on the page share each account's allowance with the JSON API.
def _provider(request: HttpRequest) -> Provider | None:
    try:
        return services.provider_of(request.user)
    except NotFound:
        return None


@login_required
@require_GET
def provider_home(request: HttpRequest) -> HttpResponse:
    try:
        provider, offers = selectors.provider_offers(actor=request.user)
    except NotFound:
        return not_found(request)
    return render(
        request,
        "web/incentives/provider.html",
        {"provider": provider, "offers": offers, "check_form": CheckForm(), "redeem_form": RedeemForm()},
    )


@login_required
@require_POST
def provider_check(request: HttpRequest) -> HttpResponse:
    if not allowance_take(request, credentials=1):
        raise Ratelimited()
    provider = _provider(request)
    if provider is None:
        return not_found(request)
    form = CheckForm(request.POST)
    verdict = None
    redeem_form = RedeemForm()
    if form.is_valid():
        try:
            answer = services.credentials_check(
                actor=request.user, tokens=[form.cleaned_data["token"]], channel=Check.Channel.PAGE
            )[0]
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            headline = Check.Result.NOT_ELIGIBLE.label
            if answer.eligible:
                headline = Check.Result.ELIGIBLE.label
            elif answer.reason == Check.Result.USED:
                headline = Check.Result.USED.label
            verdict = {
                "eligible": answer.eligible,
                "headline": headline,
                "reason": VERDICTS.get(answer.reason, VERDICTS[Check.Result.INVALID]),
            }
            if answer.eligible:
                redeem_form = RedeemForm(initial={"token": form.cleaned_data["token"]})
                redeem_form.fields["reference"].widget.attrs["autofocus"] = True
            form = CheckForm()
    return render(
        request,
        "web/incentives/provider_check.html",
        {"provider": provider, "check_form": form, "redeem_form": redeem_form, "verdict": verdict},
        status=_form_status(form),
    )


@login_required
@require_POST
def provider_redeem(request: HttpRequest) -> HttpResponse:
    if not allowance_take(request, credentials=1):
        raise Ratelimited()
    provider = _provider(request)
    if provider is None:
        return not_found(request)
    form = RedeemForm(request.POST)
    error: ApplicationError | None = None
    if form.is_valid():
        try:
            result = services.redemption_record(actor=request.user, **form.cleaned_data)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            error = exc
            apply_error(form, exc)
        else:
            r = result.redemption
            if result.created:
                messages.success(
                    request,
                    _("Redemption recorded: %(title)s, your reference %(reference)s.")
                    % {"title": r.incentive.title(request.LANGUAGE_CODE), "reference": r.reference},
                )
            else:
                messages.info(request, _("This redemption was already recorded; nothing was added."))
            return redirect("web:incentives_provider")
    return render(
        request,
        "web/incentives/provider_check.html",
        {"provider": provider, "check_form": CheckForm(), "redeem_form": form, "verdict": None},
        status=_form_status(form, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_propose(request: HttpRequest) -> HttpResponse:
    provider = _provider(request)
    if provider is None:
        return not_found(request)
    form = ProposeForm(request.POST or None, initial={"valid_from": clock.today_local()})
    if request.method == "POST" and form.is_valid():
        try:
            incentive = services.incentive_propose(
                actor=request.user, data=services.IncentiveInput(**form.cleaned_data)
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Offer %(code)s proposed. It applies once the county credit office approves it.")
                % {"code": incentive.code},
            )
            return redirect("web:incentives_provider")
    return render(
        request, "web/incentives/propose.html", {"provider": provider, "form": form}, status=_form_status(form)
    )


@require_GET
def verify_offline(request: HttpRequest) -> HttpResponse:
    """A static page: the browser verifies the token itself with the published public keys and
    the provider's signed status list (fetched with the provider's session when online). Public,
    like the key document: it sends no credential to the server and shows nothing stored."""
    return render(request, "web/incentives/verify_offline.html", {"keys_url": KEYS_URL, "status_url": STATUS_URL})


# --- County credit office ---------------------------------------------------------------------
def _office_incentive(actor: Any, incentive_id: int) -> Incentive:
    require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    incentive = Incentive.objects.select_related("provider").filter(pk=incentive_id).first()
    if incentive is None:
        raise NotFound()
    return incentive


@login_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    since = form.cleaned_data["since"] if form.is_valid() else None
    try:
        overview = selectors.office_overview(actor=request.user, since=since)
    except NotFound:
        return not_found(request)
    total = sum(r.redemptions for r in overview.statistics)
    return render(request, "web/incentives/manage.html", {"o": overview, "form": form, "total": total})


@login_required
@require_http_methods(["GET", "POST"])
def manage_decide(request: HttpRequest, incentive_id: int) -> HttpResponse:
    try:
        incentive = _office_incentive(request.user, incentive_id)
    except NotFound:
        return not_found(request)
    form = DecideForm(request.POST or None, status=incentive.status)
    error: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.incentive_decide(
                actor=request.user,
                incentive_id=incentive.pk,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            error = exc
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(code)s is now: %(status)s.") % {"code": decided.code, "status": decided.get_status_display()},
            )
            return redirect(reverse("web:incentives_manage") + "#offers")
    return render(
        request,
        "web/incentives/decide.html",
        {"incentive": incentive, "form": form},
        status=_form_status(form, error),
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_provider_new(request: HttpRequest) -> HttpResponse:
    try:
        require_role(request.user, [Role.COUNTY_CREDIT_OFFICE])
    except NotFound:
        return not_found(request)
    form = ProviderForm(request.POST or None)
    error: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            provider = services.provider_create(actor=request.user, **form.cleaned_data)
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            error = exc
            apply_error(form, exc)
        else:
            messages.success(request, _("Provider %(name)s added.") % {"name": provider.name})
            return redirect(reverse("web:incentives_manage") + "#providers")
    return render(request, "web/incentives/provider_new.html", {"form": form}, status=_form_status(form, error))


@login_required
@require_http_methods(["GET", "POST"])
def manage_provider_accounts(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The accounts acting for a provider, and a form to link one more (the county credit
    office; the account needs an incentive-provider grant first)."""
    try:
        provider, accounts = selectors.provider_accounts(actor=request.user, provider_id=provider_id)
    except NotFound:
        return not_found(request)
    form = AccountForm(request.POST or None)
    error: ApplicationError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            account = services.provider_account_link(
                actor=request.user, provider_id=provider.pk, username=form.cleaned_data["username"]
            )
        except NotFound:
            return not_found(request)
        except ApplicationError as exc:
            error = exc
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("%(user)s now acts for %(provider)s.")
                % {"user": account.user.get_username(), "provider": provider.name},
            )
            return redirect("web:incentives_provider_accounts", provider_id=provider.pk)
    return render(
        request,
        "web/incentives/provider_accounts.html",
        {"provider": provider, "accounts": accounts, "form": form},
        status=_form_status(form, error),
    )
