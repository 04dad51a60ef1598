"""Forms of the publisher's pages and the catalogue's filter: shape only. The budget and the number
of beneficiaries stay text (full-width digits and the limits are the service's to judge, with a
Chinese message); the seat and the region are checked again by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rongxin.projects.models import Project
from rongxin.volunteering.models import Team

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    seat = forms.ChoiceField(label=_("Published by"), required=False)
    title = forms.CharField(label=pgettext_lazy("project", "Title"), max_length=120)
    need = forms.CharField(
        label=_("What is needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Who needs what, and what the project will do."),
    )
    beneficiaries = forms.CharField(label=_("Beneficiaries"), max_length=200)
    beneficiary_count = forms.CharField(
        label=_("Number of beneficiaries"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    region_code = forms.ChoiceField(label=_("Where"))
    category = forms.ChoiceField(label=pgettext_lazy("project", "Category"), choices=Project.Category.choices)
    budget = forms.CharField(
        label=_("Budget (yuan)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("At most ¥5,000,000."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(
        label=_("Ends on"), widget=DATE_WIDGET, help_text=_("At most three years after the start.")
    )
    team_kind = forms.ChoiceField(label=_("Kind of team needed"), choices=Team.Kind.choices)

    def __init__(
        self, *args: Any, seats: list[tuple[str, str]] | None, regions: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if seats is None:  # a draft's change keeps its publisher
            del self.fields["seat"]
        else:
            self.fields["seat"].choices = seats  # type: ignore[attr-defined]
        self.fields["region_code"].choices = regions  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    prefix = "withdraw"
    reason = forms.CharField(label=_("Why the project is withdrawn"), max_length=200)


class MilestoneForm(forms.Form):
    prefix = "milestone"
    title = forms.CharField(label=_("Milestone"), max_length=120)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or number")}),
    )
    town = forms.ChoiceField(label=_("Town"), required=False)
    category = forms.ChoiceField(label=pgettext_lazy("project", "Category"), required=False)
    state = forms.ChoiceField(label=pgettext_lazy("project", "State"), required=False)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("newest", _("Newest first")), ("needed", _("Most still needed")), ("raised", _("Most raised"))],
    )

    def __init__(self, *args: Any, towns: list[tuple[str, str]], states: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", _("All towns")), *towns]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", _("All categories")), *Project.Category.choices]  # type: ignore[attr-defined]
        self.fields["state"].choices = [("", _("All states")), *states]  # type: ignore[attr-defined]


class ManageFilterForm(forms.Form):
    state = forms.ChoiceField(label=pgettext_lazy("project", "State"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *Project.State.choices]  # type: ignore[attr-defined]
