"""Forms of the implementation's pages: shape only. Amounts stay text (the service judges them,
with a Chinese message); photos and vouchers are judged by their content in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.projects.models import Settlement

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one input (the service checks each)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png", "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, (list, tuple)):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class ApplyForm(forms.Form):
    team_id = forms.TypedChoiceField(label=_("Team"), coerce=int)
    plan = forms.CharField(
        label=_("Plan"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the team will carry out the project: who, how often, what."),
    )

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team_id"].choices = teams  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    activity_id = forms.TypedChoiceField(label=_("Activity of the team"), coerce=int)

    def __init__(self, *args: Any, activities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity_id"].choices = activities  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Progress report"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleImageField(label=_("Photos (JPEG or PNG, up to 9)"), required=False)


class CompleteForm(forms.Form):
    report = forms.CharField(label=_("Completion report"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))


class SpendForm(forms.Form):
    prefix = "spend"
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET)
    purpose = forms.CharField(label=pgettext_lazy("project money", "Purpose"), max_length=200)
    voucher = forms.FileField(
        label=_("Voucher (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    )


class ReverseForm(forms.Form):
    prefix = "reverse"
    reason = forms.CharField(label=_("Reason"), max_length=150)


class AcceptForm(forms.Form):
    prefix = "accept"
    note = forms.CharField(label=_("Acceptance"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    feedback = forms.CharField(
        label=_("Beneficiaries' feedback"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SettleForm(forms.Form):
    prefix = "settle"
    kind = forms.ChoiceField(label=pgettext_lazy("settlement", "What happens"), choices=Settlement.Kind.choices)
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    pledge_id = forms.TypedChoiceField(label=_("Return to"), coerce=int, required=False, empty_value=None)
    to_project_id = forms.TypedChoiceField(label=_("Move to project"), coerce=int, required=False, empty_value=None)
    to_fund_id = forms.TypedChoiceField(label=_("Move to fund"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=200)
    voucher = forms.FileField(
        label=_("Voucher (optional: a settlement note is generated)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(
        self,
        *args: Any,
        pledges: list[tuple[int, str]],
        projects: list[tuple[int, str]],
        funds: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        self.fields["pledge_id"].choices = blank + pledges  # type: ignore[attr-defined]
        self.fields["to_project_id"].choices = blank + projects  # type: ignore[attr-defined]
        self.fields["to_fund_id"].choices = blank + funds  # type: ignore[attr-defined]
