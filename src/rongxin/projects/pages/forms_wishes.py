"""Forms of the small wishes pages: shape only (the services check everything else)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.projects.models import Wish
from rongxin.projects.services.wishes import MAX_NOTE, MAX_STORY, MAX_TITLE

PUBLIC_STATE_CHOICES = [
    (Wish.State.OPEN.value, Wish.State.OPEN.label),
    (Wish.State.CLAIMED.value, Wish.State.CLAIMED.label),
    (Wish.State.FULFILLED.value, Wish.State.FULFILLED.label),
    (Wish.State.CONFIRMED.value, Wish.State.CONFIRMED.label),
]


class WishFilter(forms.Form):
    town = forms.TypedChoiceField(label=_("Town"), coerce=int, empty_value=None, required=False)
    village = forms.TypedChoiceField(
        label=pgettext_lazy("wish filter", "Village"), coerce=int, empty_value=None, required=False
    )
    category = forms.ChoiceField(label=pgettext_lazy("wish filter", "Category"), required=False)
    state = forms.ChoiceField(label=pgettext_lazy("wish filter", "State"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["category"].choices = [("", _("All categories")), *Wish.Category.choices]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("All states")), *PUBLIC_STATE_CHOICES]  # type: ignore[attr-defined]


class WishPostForm(forms.Form):
    title = forms.CharField(label=_("The wish"), max_length=MAX_TITLE, help_text=_("For example: a school bag."))
    story = forms.CharField(
        label=_("Why it is wished for"),
        max_length=MAX_STORY,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Do not write the address, phone or ID number: the story is public."),
    )
    category = forms.ChoiceField(label=pgettext_lazy("wish form", "Category"), choices=Wish.Category.choices)
    ceiling = forms.CharField(
        label=_("Ceiling value (yuan)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    beneficiary_subject_id = forms.CharField(required=False, widget=forms.HiddenInput)


class ResidentSearchForm(forms.Form):
    q = forms.CharField(label=_("Resident's name or ID number"), max_length=30, required=False)


class WishClaimForm(forms.Form):
    claimant = forms.TypedChoiceField(label=_("Claim as"), coerce=int)
    anonymous = forms.BooleanField(label=_("Stay anonymous in public"), required=False)


class WishFulfilForm(forms.Form):
    value = forms.CharField(
        label=_("Value given (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    note = forms.CharField(label=_("What was given"), max_length=MAX_NOTE)


class WishConfirmForm(forms.Form):
    thanks = forms.CharField(label=_("Words of thanks (optional)"), max_length=MAX_NOTE, required=False)


class WishWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=MAX_NOTE)
