"""The subjects pages' forms: shape only. Rules live in the services, whose errors are put back
on the form (:func:`rongxin.core.forms.errors_on`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.subjects.models import ConsentEvent, Person, Subject
from rongxin.subjects.selectors import PURPOSES


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Name, ID number or USCC"), max_length=60, required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=list(PURPOSES.items()), initial="service")


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Why are you opening this file?"), choices=list(PURPOSES.items()))


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(label=_("ID number"), max_length=18, min_length=18)
    residency = forms.ChoiceField(label=_("Residency"), choices=Person.Residency.choices)
    village_code = forms.ChoiceField(label=_("Village"))
    phone = forms.CharField(label=_("Mobile phone"), max_length=11, required=False)


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Subject.Kind.ENTERPRISE, Subject.Kind.ENTERPRISE.label),
            (Subject.Kind.INDIVIDUAL_BUSINESS, Subject.Kind.INDIVIDUAL_BUSINESS.label),
        ],
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18, min_length=18)
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=60)
    village_code = forms.ChoiceField(label=_("Village"))


class ConsentForm(forms.Form):
    action = forms.ChoiceField(choices=ConsentEvent.Action.choices)
    channel = forms.ChoiceField(
        label=_("How the person consented"),
        choices=[c for c in ConsentEvent.Channel.choices if c[0] in ("counter", "paper")],
    )
