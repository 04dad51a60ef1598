"""Forms of the commendation pages: shape only (amounts stay text; the services parse them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.funds.models import Nomination


class MeetingForm(forms.Form):
    region_id = forms.TypedChoiceField(label=_("Town or village"), coerce=int, choices=[])
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), coerce=int, choices=[(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=100, required=False)

    def __init__(self, *args: object, regions: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["region_id"].choices = regions  # type: ignore[attr-defined]


class NominationAddForm(forms.Form):
    subject_id = forms.IntegerField(label=_("Credit file number"), min_value=1)
    category = forms.ChoiceField(label=_("Category"), choices=Nomination.Category.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class AwardForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("commendation", "Award"), choices=Nomination.AwardKind.choices)
    amount = forms.CharField(
        label=_("Amount or value (yuan)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    goods = forms.CharField(label=_("Goods"), max_length=100, required=False)


class PublicityForm(forms.Form):
    days = forms.IntegerField(label=_("Publicity (days)"), min_value=1, max_value=30, initial=7)


class AnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("0", _("Dismiss: the name stays")), ("1", _("Uphold: withdraw the name"))],
    )
    answer = forms.CharField(label=_("Answer"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    voucher = forms.FileField(
        label=_("Signed receipt list (PDF, JPEG or PNG)"),
        required=False,
        help_text=_("Needed when money or goods are paid."),
    )


class ObjectionForm(forms.Form):
    nomination_id = forms.TypedChoiceField(label=_("Name"), coerce=int, choices=[])
    text = forms.CharField(label=_("Your objection"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label=_("Contact (optional)"), max_length=60, required=False)

    def __init__(self, *args: object, names: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["nomination_id"].choices = names  # type: ignore[attr-defined]
