"""The accounts pages' forms: shape only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.core.models import AuditEvent


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), max_length=64, required=False)
    action = forms.CharField(label=_("Action"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *AuditEvent.Kind.choices], required=False)
    subject_id = forms.IntegerField(label=_("Subject number"), required=False, min_value=1)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
