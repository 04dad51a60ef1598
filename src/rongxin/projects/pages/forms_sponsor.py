"""Forms of the sponsor pages: shape only. Amounts and dates stay text (full-width digits, places
and signs are the service's to judge, with a Chinese message); the voucher's type and size are
judged by its content in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.subjects.models import Subject

AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}


class PledgeForm(forms.Form):
    sponsor_subject_id = forms.CharField(label=_("Pledge for"), max_length=12)
    amount = forms.CharField(label=_("Amount pledged (yuan)"), max_length=30, widget=forms.TextInput(attrs=AMOUNT))
    title = forms.BooleanField(
        label=_("Title sponsorship: pledge the whole budget and give the project our name"), required=False
    )
    anonymous = forms.BooleanField(label=_("Stay anonymous on public pages"), required=False)

    def __init__(self, *args: Any, subjects: list[Subject], centre: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if centre:
            self.fields["sponsor_subject_id"] = forms.CharField(
                label=_("Sponsor's credit file number"),
                max_length=12,
                help_text=_("Find the person or enterprise with the subject search and enter the number of its file."),
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
        else:
            self.fields["sponsor_subject_id"] = forms.ChoiceField(
                label=_("Pledge for"), choices=[(str(s.pk), s.name) for s in subjects]
            )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("pledge", "Reason"), max_length=200)


class DeskFilterForm(forms.Form):
    number = forms.CharField(label=_("Project number"), max_length=16, required=False)


class PaymentForm(forms.Form):
    pledge_id = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.CharField(label=_("Amount received (yuan)"), max_length=30, widget=forms.TextInput(attrs=AMOUNT))
    received_on = forms.CharField(label=_("Received on"), max_length=20, widget=forms.DateInput(attrs={"type": "date"}))
    voucher = forms.FileField(
        label=_("Voucher"),
        help_text=_("A scan or PDF of the bank slip (PDF, JPEG or PNG)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
