"""Forms of the people pages: shape only. The rules live in the services, whose errors land on
these fields by name (``errors_on``). Choices from the database are filled in by the views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rongxin.lectures.models import Speaker
from rongxin.volunteering.models import Team

STATE_CHOICES = [
    ("", _("All states")),
    ("overdue", _("Overdue")),
    ("due", _("Due")),
    ("done", _("Done")),
    ("not_due", _("No quota")),
]


def _date() -> forms.DateField:
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class SpeakerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Speaker.Kind.choices])
    area = forms.ChoiceField(label=_("Area"), required=False)
    q = forms.CharField(label=_("Name or position"), required=False, max_length=60)


class SpeakerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Speaker.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.CharField(label=_("Position"), max_length=100, required=False)
    area_code = forms.ChoiceField(label=_("Area"), help_text=_("The county, or the town a town head answers for."))
    username = forms.CharField(
        label=_("Account (user name)"),
        max_length=150,
        required=False,
        help_text=_("The speaker's own account; their own credit file is linked with it."),
    )
    department_code = forms.ChoiceField(label=_("Department"), required=False)
    team_id = forms.TypedChoiceField(label=_("Lecture team"), required=False, coerce=int, empty_value=None)
    topics = forms.CharField(
        label=_("Topics"), max_length=800, required=False, help_text=_("Separate topics with commas.")
    )
    quota_since = forms.DateField(
        label=_("Quota applies from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Heads only: at least one lecture every period from this day."),
    )
    quota_until = forms.DateField(
        label=_("Quota applies until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def topic_list(self) -> list[str]:
        text = self.cleaned_data.get("topics") or ""
        return [t for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


class SpeakerEditForm(SpeakerForm):
    """What an administrator may change: everything but the kind and the account."""

    active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["username"]


class LinkForm(forms.Form):
    speaker_id = forms.TypedChoiceField(label=_("County leader"), coerce=int)
    town_code = forms.ChoiceField(label=_("Town"))
    village_code = forms.ChoiceField(label=_("Village or community"))
    enterprise_id = forms.IntegerField(label=_("Enterprise (credit file number)"), min_value=1, max_value=2**31 - 1)
    term_start = forms.DateField(label=_("Term starts"), widget=forms.DateInput(attrs={"type": "date"}))
    term_end = forms.DateField(label=_("Term ends"), widget=forms.DateInput(attrs={"type": "date"}))


class LinkEndForm(forms.Form):
    on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DayForm(forms.Form):
    on = forms.DateField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class QuotaBoardForm(forms.Form):
    first = forms.ChoiceField(label=_("From period"), required=False)
    last = forms.ChoiceField(label=_("To period"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    region = forms.ChoiceField(label=_("Area"), required=False)


class RangeForm(forms.Form):
    first = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PolicyForm(forms.Form):
    effective_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The first day of a coming period."),
    )
    lectures_per_period = forms.IntegerField(label=_("Lectures per period"), min_value=1, max_value=31, initial=1)
    period_months = forms.TypedChoiceField(
        label=_("Period (months)"), coerce=int, choices=[(n, str(n)) for n in (1, 2, 3, 4, 6, 12)], initial=2
    )
    notice_days = forms.IntegerField(
        label=_("Reminder days before the period ends"), min_value=1, max_value=366, initial=14
    )


class TeamFilterForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *Team.Tier.choices])
    region = forms.ChoiceField(label=_("Area"), required=False)


class BrandForm(forms.Form):
    brand = forms.CharField(label=_("Brand"), max_length=40)
    audience = forms.CharField(label=_("Audience"), max_length=100, required=False)


def choices_with_blank(blank: Any, items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    return [("", blank), *items]
