"""Page forms: shape only. Rules live in the services, whose errors are put back on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.core.models import AuditEvent
from rongxin.subjects.models import ConsentEvent, Person, Subject
from rongxin.subjects.selectors import PURPOSES


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


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


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), max_length=64, required=False)
    action = forms.CharField(label=_("Action"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *AuditEvent.Kind.choices], required=False)
    subject_id = forms.IntegerField(label=_("Subject number"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
