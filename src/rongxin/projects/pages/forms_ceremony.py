"""Forms of the charity ceremony's pages (the services check the rules; these check the shape)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.projects.models import Project

NUMBER = re.compile(r"^XM\d{4}-\d{4,6}$")
MAX_NUMBERS = 200


class CeremonyForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=120)
    venue = forms.CharField(label=_("Venue"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class CeremonyEditForm(CeremonyForm):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["year"]


class BatchForm(forms.Form):
    numbers = forms.CharField(
        label=_("Project numbers"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more numbers such as XM2026-0001, separated by spaces, commas or lines."),
    )

    def clean_numbers(self) -> list[str]:
        raw = re.split(r"[\s,，、;；]+", self.cleaned_data["numbers"].strip().upper())
        numbers = sorted({n for n in raw if n})
        bad = [n for n in numbers if not NUMBER.match(n)]
        if bad:
            raise forms.ValidationError(_("Not a project number: %(numbers)s") % {"numbers": "、".join(bad[:5])})
        if not numbers:
            raise forms.ValidationError(_("Name at least one project."))
        if len(numbers) > MAX_NUMBERS:
            raise forms.ValidationError(_("At most 200 projects at a time."))
        return numbers


class FiguresFilter(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    town = forms.ChoiceField(label=_("Town"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Project.Category.choices]
    )
