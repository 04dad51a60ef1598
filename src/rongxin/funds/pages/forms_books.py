"""Forms of the books' pages: shape only. Amounts stay text (full-width digits, places and signs
are the service's to judge, with a Chinese message); the voucher's type and size are judged by
its content in the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.funds.models import BudgetLine, Fund, JournalEntry

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _amount_field() -> forms.CharField:
    return forms.CharField(
        label=_("Amount (yuan)"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )


class IncomeForm(forms.Form):
    prefix = "income"
    kind = forms.ChoiceField(label=_("Income from"))
    on = forms.DateField(label=pgettext_lazy("entry", "Date"), widget=DATE_WIDGET)
    amount = _amount_field()
    memo = forms.CharField(label=pgettext_lazy("books", "Memo"), max_length=200)
    voucher = forms.FileField(
        label=_("Voucher (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    )

    def __init__(self, *args: Any, fund: Fund, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = []
        if fund.kind != Fund.Kind.COUNTY_SPECIAL:
            choices += [
                (JournalEntry.Kind.WELFARE, JournalEntry.Kind.WELFARE.label),
                (JournalEntry.Kind.TRANSFER_IN, JournalEntry.Kind.TRANSFER_IN.label),
            ]
        choices.append(("other", _("Other income")))
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]


class SpendingForm(forms.Form):
    prefix = "spending"
    kind = forms.ChoiceField(label=_("Paid for"))
    budget_line_id = forms.TypedChoiceField(label=_("Budget line"), required=False, coerce=int, empty_value=None)
    on = forms.DateField(label=pgettext_lazy("entry", "Date"), widget=DATE_WIDGET)
    amount = _amount_field()
    memo = forms.CharField(label=pgettext_lazy("books", "Memo"), max_length=200)
    voucher = forms.FileField(
        label=_("Voucher (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"})
    )

    def __init__(self, *args: Any, fund: Fund, budget_lines: list[BudgetLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [(JournalEntry.Kind.SPENDING, JournalEntry.Kind.SPENDING.label)]
        if fund.kind != Fund.Kind.COUNTY_SPECIAL:
            choices.insert(0, (JournalEntry.Kind.REWARD, JournalEntry.Kind.REWARD.label))
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]
        if budget_lines:
            self.fields["budget_line_id"].choices = [  # type: ignore[attr-defined]
                ("", _("No budget line (other spending)")),
                *((str(b.pk), f"{b.year} {b.get_line_display()}") for b in budget_lines),
            ]
        else:
            del self.fields["budget_line_id"]


class ReverseForm(forms.Form):
    on = forms.DateField(label=_("Reverse on"), widget=DATE_WIDGET)
    reason = forms.CharField(label=pgettext_lazy("books", "Reason"), max_length=150)


class CloseForm(forms.Form):
    month = forms.CharField(label=pgettext_lazy("books", "Month"), max_length=7, widget=forms.HiddenInput)


class JournalFilterForm(forms.Form):
    month = forms.CharField(
        label=pgettext_lazy("books", "Month"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("books", "Kind"), required=False)
    account = forms.ChoiceField(label=pgettext_lazy("books", "Account"), required=False)

    def __init__(self, *args: Any, accounts: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds")), *JournalEntry.Kind.choices]  # type: ignore[attr-defined]
        self.fields["account"].choices = [("", _("All accounts")), *accounts]  # type: ignore[attr-defined]
