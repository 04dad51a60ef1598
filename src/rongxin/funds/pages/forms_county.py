"""Forms of the county fund's budget page and of the donations page: shape only. Amounts and
dates stay text where the services read them (full-width digits, places and signs are theirs);
the voucher is a file the view reads within the size limit."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.funds.models import BudgetLine, Donation

AMOUNT = {"inputmode": "decimal", "autocomplete": "off"}
DATE = {"type": "date"}


class LineSetForm(forms.Form):
    line = forms.ChoiceField(label=_("Budget line"), choices=BudgetLine.Line.choices)
    amount = forms.CharField(label=_("Budget (yuan)"), max_length=30, widget=forms.TextInput(attrs=AMOUNT))


class VoucheredForm(forms.Form):
    on = forms.CharField(label=pgettext_lazy("movement", "Date"), max_length=20, widget=forms.DateInput(attrs=DATE))
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=30, widget=forms.TextInput(attrs=AMOUNT))
    voucher = forms.FileField(
        label=_("Voucher"),
        help_text=_("A scan or PDF of the receipt, invoice or bank slip (PDF, JPEG or PNG)."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class AppropriationForm(VoucheredForm):
    memo = forms.CharField(label=_("Memo"), max_length=200)


class SpendingForm(VoucheredForm):
    budget_line_id = forms.TypedChoiceField(label=_("Budget line"), coerce=int, choices=())
    memo = forms.CharField(label=_("Memo"), max_length=200)

    def __init__(self, *args: object, lines: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["budget_line_id"].choices = lines  # type: ignore[attr-defined]


class AllocationForm(VoucheredForm):
    budget_line_id = forms.TypedChoiceField(label=_("Budget line"), coerce=int, choices=())
    recipient = forms.ChoiceField(label=pgettext_lazy("allocation", "To"), choices=())
    purpose = forms.CharField(label=pgettext_lazy("allocation", "Purpose"), max_length=200)

    def __init__(
        self, *args: object, lines: list[tuple[int, str]], recipients: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["budget_line_id"].choices = lines  # type: ignore[attr-defined]
        self.fields["recipient"].choices = recipients  # type: ignore[attr-defined]


class AllocationFilterForm(forms.Form):
    line = forms.ChoiceField(
        label=_("Budget line"), choices=[("", _("All lines")), *BudgetLine.Line.choices], required=False
    )
    town = forms.ChoiceField(label=_("Town"), choices=(), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: object, towns: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["town"].choices = [("", _("All towns")), *towns]  # type: ignore[attr-defined]


class FundDonationForm(VoucheredForm):
    kind = forms.ChoiceField(label=_("Gift of"), choices=Donation.Kind.choices)
    donor_name = forms.CharField(
        label=_("Donor's name"),
        max_length=100,
        required=False,
        help_text=_("May stay empty when the donor's credit file is chosen."),
    )
    donor_subject_id = forms.CharField(
        label=_("Donor's credit file number (optional)"),
        max_length=12,
        required=False,
        help_text=_("From the subject search; a donor with a credit file earns credit once."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    anonymous = forms.BooleanField(label=_("The donor asks to stay anonymous"), required=False)
    goods = forms.CharField(label=_("Goods (what was given)"), max_length=100, required=False)
