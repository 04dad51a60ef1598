"""Incentive pages: the public list of offers; the holder's page (grade, offers, credentials shown
as QR codes, who checked my credit); the provider's page (check a credential scanned with the
camera or pasted, record redemptions, propose offers); the offline check in the browser; the
county credit office's page (providers, proposals, suspensions, statistics).

Privacy: a provider's page shows only "eligible or not" and why not; never a score, name, ID
number or phone. Each view asks :mod:`rongxin.incentives.permissions` (or the one selector or
service it calls, which asks it), validates the form's shape, calls one service or selector and
renders. A service error the user can fix lands on the form (``errors_on``) or in a message
(``flash_errors``); not found and forbidden pass to the page error middleware, which answers
the one "not found" page. Rate refusals answer the "too many attempts" page (429) the same way.
"""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rongxin.accounts.permissions import SignedInRequest
from rongxin.core import clock
from rongxin.core.errors import NotFound
from rongxin.core.forms import Outcome, errors_on, flash_errors, form_status
from rongxin.incentives import selectors
from rongxin.incentives.models import Check, Credential
from rongxin.incentives.pages.forms import (
    AccountForm,
    CategoryForm,
    CheckForm,
    DecideForm,
    IssueForm,
    ProposeForm,
    ProviderForm,
    RedeemForm,
    StatisticsForm,
)
from rongxin.incentives.permissions import (
    access_incentive_for_decision,
    access_provider,
    require_office,
)
from rongxin.incentives.services.allowance import allowance_take
from rongxin.incentives.services.credentials import credential_issue, credential_revoke
from rongxin.incentives.services.offers import IncentiveInput, incentive_decide, incentive_propose
from rongxin.incentives.services.providers import provider_account_link, provider_create
from rongxin.incentives.services.redemptions import redemption_record
from rongxin.incentives.services.verification import credentials_check
from rongxin.subjects.selectors import subject_links_of

KEYS_URL = "/api/v1/incentives/keys"  # the published key document (domain/signing.py describes it)
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


# --- Public list ------------------------------------------------------------------------------
@require_GET
def incentive_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.GET or None)
    category = form.cleaned_data["category"] if form.is_valid() else ""
    offers = selectors.incentives_open(category=category)
    return render(request, "incentives/list.html", {"form": form, "offers": offers, "category": category})


# --- Holders ----------------------------------------------------------------------------------
@login_required
@require_GET
def holder_home(request: SignedInRequest) -> HttpResponse:
    view = selectors.holder_view(actor=request.user, subject_id=_subject_param(request))
    eligible = sum(1 for o in view.offers if o.eligible)
    # Someone who also speaks for an enterprise switches between the subjects they hold for.
    links = subject_links_of(user=request.user)
    return render(
        request,
        "incentives/me.html",
        {
            "view": view,
            "eligible_count": eligible,
            "subject_param": view.subject.pk if len(links) > 1 else None,
            "links": links if len(links) > 1 else [],
        },
    )


@login_required
@require_GET
def holder_activity(request: SignedInRequest) -> HttpResponse:
    activity = selectors.holder_activity(actor=request.user, subject_id=_subject_param(request))
    credentials = [{"c": c, "state": activity.states[c.jti]} for c in activity.credentials]
    template = "incentives/_activity.html" if request.htmx else "incentives/activity.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"activity": activity, "credentials": credentials, "subject_param": _subject_param(request)},
    )


@login_required
@require_POST
def credential_new(request: SignedInRequest) -> HttpResponse:
    form = IssueForm(request.POST)
    if not form.is_valid():
        raise NotFound()  # the page's own hidden fields, altered
    back = reverse("incentives:incentives_me")
    if form.cleaned_data["subject"]:
        back += f"?subject={form.cleaned_data['subject']}"
    with flash_errors(request) as outcome:
        issued = credential_issue(
            actor=request.user,
            incentive_id=form.cleaned_data["incentive_id"],
            kind=form.cleaned_data["kind"],
            subject_id=form.cleaned_data["subject"],
        )
    if outcome.failed:
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
    template = "incentives/credential.html" if live else "incentives/card.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def credential_withdraw(request: SignedInRequest, jti: str) -> HttpResponse:
    c = credential_revoke(actor=request.user, jti=jti)
    messages.success(request, _("The credential was withdrawn; providers will refuse it from now on."))
    return redirect(reverse("incentives:incentives_me") + f"?subject={c.subject_id}#activity")


# --- Providers --------------------------------------------------------------------------------
# Checks and redemptions on the page share each account's allowance with the JSON API; the
# allowance is asked first, as the API does.
@login_required
@require_GET
def provider_home(request: SignedInRequest) -> HttpResponse:
    provider, offers = selectors.provider_offers(actor=request.user)
    return render(
        request,
        "incentives/provider.html",
        {"provider": provider, "offers": offers, "check_form": CheckForm(), "redeem_form": RedeemForm()},
    )


@login_required
@require_POST
def provider_check(request: SignedInRequest) -> HttpResponse:
    allowance_take(actor=request.user, credentials=1)
    provider = access_provider(actor=request.user)
    form = CheckForm(request.POST)
    verdict = None
    redeem_form = RedeemForm()
    outcome: Outcome | None = None
    if form.is_valid():
        token = form.cleaned_data["token"]
        with errors_on(form) as outcome:
            answer = credentials_check(actor=request.user, tokens=[token], channel=Check.Channel.PAGE)[0]
        if not outcome.failed:
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
                redeem_form = RedeemForm(initial={"token": token})
                redeem_form.fields["reference"].widget.attrs["autofocus"] = True
            form, outcome = CheckForm(), None
    return render(
        request,
        "incentives/provider_check.html",
        {"provider": provider, "check_form": form, "redeem_form": redeem_form, "verdict": verdict},
        status=form_status(form, outcome),
    )


@login_required
@require_POST
def provider_redeem(request: SignedInRequest) -> HttpResponse:
    allowance_take(actor=request.user, credentials=1)
    provider = access_provider(actor=request.user)
    form = RedeemForm(request.POST)
    outcome: Outcome | None = None
    if form.is_valid():
        with errors_on(form) as outcome:
            result = redemption_record(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            r = result.redemption
            if result.created:
                messages.success(
                    request,
                    _("Redemption recorded: %(title)s, your reference %(reference)s.")
                    % {"title": r.incentive.title(request.LANGUAGE_CODE), "reference": r.reference},
                )
            else:
                messages.info(request, _("This redemption was already recorded; nothing was added."))
            return redirect("incentives:incentives_provider")
    return render(
        request,
        "incentives/provider_check.html",
        {"provider": provider, "check_form": CheckForm(), "redeem_form": form, "verdict": None},
        status=form_status(form, outcome),
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_propose(request: SignedInRequest) -> HttpResponse:
    provider = access_provider(actor=request.user)
    form = ProposeForm(request.POST or None, initial={"valid_from": clock.today_local()})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            incentive = incentive_propose(actor=request.user, data=IncentiveInput(**form.cleaned_data))
        if not outcome.failed:
            messages.success(
                request,
                _("Offer %(code)s proposed. It applies once the county credit office approves it.")
                % {"code": incentive.code},
            )
            return redirect("incentives:incentives_provider")
    return render(
        request, "incentives/propose.html", {"provider": provider, "form": form}, status=form_status(form, outcome)
    )


@require_GET
def verify_offline(request: HttpRequest) -> HttpResponse:
    """A static page: the browser verifies the token itself with the published public keys and
    the provider's signed status list (fetched with the provider's session when online). Public,
    like the key document: it sends no credential to the server and shows nothing stored."""
    language = get_language() or "zh-hans"
    # The names of the open offers, kept in the page so that a credential reads by its offer's
    # name offline too (a credential carries only the offer's code).
    offers = {i.code: i.title(language) for i in selectors.incentives_open()}
    return render(
        request,
        "incentives/verify_offline.html",
        {"keys_url": KEYS_URL, "status_url": STATUS_URL, "offer_names": offers},
    )


# --- County credit office ---------------------------------------------------------------------
@login_required
@require_GET
def manage(request: SignedInRequest) -> HttpResponse:
    form = StatisticsForm(request.GET or None)
    since = form.cleaned_data["since"] if form.is_valid() else None
    overview = selectors.office_overview(actor=request.user, since=since)
    total = sum(r.redemptions for r in overview.statistics)
    return render(request, "incentives/manage.html", {"o": overview, "form": form, "total": total})


@login_required
@require_http_methods(["GET", "POST"])
def manage_decide(request: SignedInRequest, incentive_id: int) -> HttpResponse:
    incentive = access_incentive_for_decision(actor=request.user, incentive_id=incentive_id)
    form = DecideForm(request.POST or None, status=incentive.status)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            decided = incentive_decide(
                actor=request.user,
                incentive_id=incentive.pk,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        if not outcome.failed:
            messages.success(
                request,
                _("%(code)s is now: %(status)s.") % {"code": decided.code, "status": decided.get_status_display()},
            )
            return redirect(reverse("incentives:incentives_manage") + "#offers")
    return render(
        request,
        "incentives/decide.html",
        {"incentive": incentive, "form": form},
        status=form_status(form, outcome),
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_provider_new(request: SignedInRequest) -> HttpResponse:
    require_office(actor=request.user)
    form = ProviderForm(request.POST or None)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            provider = provider_create(actor=request.user, **form.cleaned_data)
        if not outcome.failed:
            messages.success(request, _("Provider %(name)s added.") % {"name": provider.name})
            return redirect(reverse("incentives:incentives_manage") + "#providers")
    return render(request, "incentives/provider_new.html", {"form": form}, status=form_status(form, outcome))


@login_required
@require_http_methods(["GET", "POST"])
def manage_provider_accounts(request: SignedInRequest, provider_id: int) -> HttpResponse:
    """The accounts acting for a provider, and a form to link one more (the county credit
    office; the account needs an incentive-provider grant first)."""
    provider, accounts = selectors.provider_accounts(actor=request.user, provider_id=provider_id)
    form = AccountForm(request.POST or None)
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        with errors_on(form) as outcome:
            account = provider_account_link(
                actor=request.user, provider_id=provider.pk, username=form.cleaned_data["username"]
            )
        if not outcome.failed:
            messages.success(
                request,
                _("%(user)s now acts for %(provider)s.")
                % {"user": account.user.get_username(), "provider": provider.name},
            )
            return redirect("incentives:incentives_provider_accounts", provider_id=provider.pk)
    return render(
        request,
        "incentives/provider_accounts.html",
        {"provider": provider, "accounts": accounts, "form": form},
        status=form_status(form, outcome),
    )
