"""Forms of the canteen pages (sites, plan, figures): shape only. Numbers, amounts and
coordinates are read by the services (ASCII digits only, ranges); their errors land on these
fields by name (``errors_on``). Choices from the database are filled in by the views."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.canteens.models import Canteen, Cost

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
ASCII_ONLY = _("Use the digits 0–9.")


class AsciiDateField(forms.DateField):
    """A date written ``YYYY-MM-DD`` with the digits 0–9 only."""

    input_formats = ["%Y-%m-%d"]

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, str) and value.strip() and not value.strip().isascii():
            raise forms.ValidationError(ASCII_ONLY, code="ascii")
        return super().to_python(value)


def _date(label: Any, required: bool = False) -> AsciiDateField:
    return AsciiDateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def _number(label: Any, required: bool = True, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"}), **kwargs
    )


class CanteenFilterForm(forms.Form):
    town = forms.ChoiceField(label=_("Town"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Canteen.Status.choices]
    )


class CanteenForm(forms.Form):
    """Create and edit: the view drops the fields the user may not change."""

    village_code = forms.ChoiceField(label=_("Village or community"))
    name = forms.CharField(label=_("Name"), max_length=100)
    operator = forms.ChoiceField(label=_("Run by"), choices=Canteen.Operator.choices)
    seats = _number(_("Seats"))
    meal_weekdays = forms.MultipleChoiceField(
        label=_("Meal days"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Lunch at least five days a week."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s, label) for s, label in Canteen.Status.choices if s in ("planned", "building", "open")],
    )
    opened_on = _date(_("Opened on"))
    planned_year = _number(_("Planned to open in"), required=False)
    venue_id = forms.ChoiceField(label=_("Canteen site"), required=False)
    latitude = forms.CharField(
        label=_("Latitude"), required=False, max_length=20, help_text=_("With longitude: a new canteen site.")
    )
    longitude = forms.CharField(label=_("Longitude"), required=False, max_length=20)
    team_id = forms.ChoiceField(label=_("Cook team"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Canteen.Status.choices)
    on = _date(_("Date"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CostForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Cost.Kind.choices)
    year = _number(_("Year"))
    source = forms.ChoiceField(label=_("Paid by"), choices=Cost.Source.choices)
    amount = forms.CharField(
        label=_("Amount (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TargetForm(forms.Form):
    target_percent = _number(_("Target share of villages (%)"))


class YearPlanForm(forms.Form):
    year = _number(_("Year"))
    planned = _number(_("Canteens to open"))


class PlanDayForm(forms.Form):
    on = _date(_("On"))


class FiguresForm(forms.Form):
    date_from = _date(_("From"))
    date_to = _date(_("Until"))
    week = _date(_("Week of"))
