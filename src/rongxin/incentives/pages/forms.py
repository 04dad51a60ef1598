"""Forms of the incentive pages: each validates the shape of what a page sends; the services
check the rest (and their errors land on these forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rongxin.incentives.domain.eligibility import GRADES
from rongxin.incentives.models import Credential, Incentive


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
