"""Credit page forms: shape only. Rules live in the services, whose errors are put back on the
form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EntryForm(forms.Form):
    rule_code = forms.ChoiceField(label=_("Rule"))
    points = forms.IntegerField(label=_("Points (for rules with a range)"), required=False, min_value=1)
    occurred_at = forms.DateTimeField(
        label=_("When it happened"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    source_key = forms.CharField(widget=forms.HiddenInput, max_length=120)


class DecisionReasonForm(forms.Form):
    """The reason of a reviewer's decision (required for some decisions: the service says which)."""

    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ObjectionForm(ReasonForm):
    evidence = forms.CharField(
        label=_("Evidence"),
        help_text=_("What shows the record is wrong (documents, witnesses, photos you can show)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class RepairForm(forms.Form):
    commitment = forms.CharField(
        label=_("Written commitment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )
    evidence = forms.CharField(
        label=_("Evidence of correction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label=_("Catalogue file (YAML or XLSX)"))


class ImportForm(forms.Form):
    department = forms.ChoiceField(label=_("Department"))
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    partial = forms.BooleanField(label=_("Save the valid rows even if some rows have errors"), required=False)
