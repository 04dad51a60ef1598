"""Volunteering page forms: shape only. The rules (windows, places, ages, who may) live in the
services, whose errors are put back on these forms by field name (``errors_on``, and
:mod:`.form_errors` where a form names a field differently). Choices that come from the
database (activity types, regions) are filled in by the view from the functions below."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rongxin.core import clock
from rongxin.regions.models import Region
from rongxin.volunteering.models import CallOut, Scan, ServiceRecord, Skill, Team
from rongxin.volunteering.selectors.activities import activity_types

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read as Beijing time (Asia/Shanghai), whatever the server's
    or the browser's zone, and shown in Beijing time."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> dt.datetime | None:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=clock.LOCAL_TZ)
        if value in self.empty_values:
            return None
        text = str(value).strip()
        for fmt in self.input_formats:
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=clock.LOCAL_TZ)
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(clock.LOCAL_TZ).replace(tzinfo=None)
        return value


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _skills_field(label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=Skill.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


# --- Choices ------------------------------------------------------------------------------
def type_choices() -> list[tuple[str, str]]:
    """The active activity types, named in the page's language."""
    english = (get_language() or "").startswith("en")
    return [(t.code, t.name_en if english else t.name_zh) for t in activity_types()]


def _region_label(r: Region) -> str:
    return f"{r.parent.name} · {r.name}" if r.level == Region.Level.VILLAGE and r.parent else r.name


def regions_under(roots: list[Region]) -> list[tuple[str, str]]:
    """The regions at and below ``roots``, in code order, for a region select."""
    if not roots:
        return []
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(prefix__startswith=root.prefix)
    return [(r.code, _region_label(r)) for r in Region.objects.filter(q).select_related("parent").order_by("code")]


def towns() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in Region.objects.filter(level=Region.Level.TOWN).order_by("code")]


# --- Lists ----------------------------------------------------------------------------------
PHASES = [
    ("", _("Coming up and under way")),
    ("open", _("Sign-up open")),
    ("upcoming", _("Not started")),
    ("ongoing", _("Under way")),
    ("finished", _("Ended, awaiting verification")),
    ("closed", _("Closed (hours verified)")),
    ("cancelled", _("Cancelled")),
]


class ActivityFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False)
    region = forms.ChoiceField(label=_("Town"), required=False)
    phase = forms.ChoiceField(label=_("Phase"), choices=PHASES, required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=_date_input())
    date_to = forms.DateField(label=_("To"), required=False, widget=_date_input())
    near = forms.BooleanField(label=_("Near my village"), required=False)


class TeamFilterForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers")), *Team.Tier.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All kinds")), *Team.Kind.choices], required=False)
    region = forms.ChoiceField(label=_("Town"), required=False)


# --- Volunteers -----------------------------------------------------------------------------
class JoinForm(forms.Form):
    skills = _skills_field(_("Skills"))
    availability = forms.CharField(
        label=_("When you are usually free"),
        max_length=200,
        required=False,
        help_text=_("For example: weekends; weekday evenings."),
    )
    guardian_name = forms.CharField(label=_("Guardian's name"), max_length=60, required=False)
    guardian_relation = forms.CharField(label=_("Guardian's relation to you"), max_length=20, required=False)
    guardian_consent = forms.BooleanField(
        label=_("My guardian has read the terms and agrees that I volunteer"), required=False
    )
    agree = forms.BooleanField(
        label=_("I have read the volunteer service terms and take part voluntarily and without pay"),
        required=False,
    )


class ProfileForm(forms.Form):
    skills = _skills_field(_("Skills"))
    availability = forms.CharField(
        label=_("When you are usually free"),
        max_length=200,
        required=False,
        help_text=_("For example: weekends; weekday evenings."),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "I want to leave the volunteer register; my sign-ups for activities that have not started are cancelled"
        ),
        required=True,
    )


class CorrectionRequestForm(forms.Form):
    minutes = forms.IntegerField(label=_("Service minutes you ask for"), min_value=0, max_value=24 * 60)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500)


# --- Teams ----------------------------------------------------------------------------------
class TeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    tier = forms.ChoiceField(label=_("Tier"), choices=Team.Tier.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Team.Kind.choices)
    region_code = forms.ChoiceField(label=_("Home region"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class LeaderForm(forms.Form):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)
    leader = forms.TypedChoiceField(
        label=_("Role in the team"),
        choices=[("1", _("Leader")), ("0", _("Member"))],
        coerce=lambda v: v == "1",
        initial="1",
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


# --- Activities -----------------------------------------------------------------------------
class ActivityForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    type_code = forms.ChoiceField(label=_("Activity type"))
    description = forms.CharField(
        label=_("What volunteers will do"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )
    region_code = forms.ChoiceField(label=_("Village or town"))
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10_000)
    signup_opens_at = LocalDateTimeField(
        label=_("Sign-up opens"), required=False, help_text=_("Empty: as soon as it is published.")
    )
    signup_closes_at = LocalDateTimeField(
        label=_("Sign-up closes"), required=False, help_text=_("Empty: at the start.")
    )
    min_age = forms.IntegerField(label=_("Minimum age"), min_value=0, max_value=80, initial=0, required=False)
    skills = _skills_field(_("Skills required"))
    insured = forms.BooleanField(
        label=_("Accident insurance arranged for the volunteers"),
        required=False,
        help_text=_("Needed before a risky type, such as flood duty or rescue, can be published."),
    )
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6, required=False)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=9, decimal_places=6, required=False)
    geofence_m = forms.IntegerField(
        label=_("Check-in radius (metres)"),
        required=False,
        help_text=_("Scans from farther away are flagged for you to check, never refused."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class InviteForm(forms.Form):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)


class AssistForm(forms.Form):
    volunteer_number = forms.CharField(label=_("Volunteer number"), max_length=20)
    kind = forms.ChoiceField(
        label=_("Check-in or check-out"), choices=Scan.Kind.choices, widget=forms.RadioSelect, initial="in"
    )
    at = LocalDateTimeField(label=_("Time"), required=False, help_text=_("Empty: now."))
    reason = forms.CharField(
        label=_("Why you record it for them"), max_length=200, help_text=_("For example: no smartphone.")
    )


class ScanForm(forms.Form):
    t = forms.CharField(widget=forms.HiddenInput, max_length=200)
    kind = forms.ChoiceField(choices=Scan.Kind.choices, widget=forms.HiddenInput)
    latitude = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)


class RosterForm(forms.Form):
    """One row per roster line: minutes, rating and note, keyed by the volunteer number."""

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[tuple[Any, str, str, str]] = []
        for line in lines:
            n = line.number
            self.fields[f"{n}-minutes"] = forms.IntegerField(
                label=_("Minutes"), min_value=0, max_value=24 * 60, initial=line.attendance.minutes
            )
            self.fields[f"{n}-rating"] = forms.ChoiceField(
                label=_("Rating"), choices=ServiceRecord.Rating.choices, initial=ServiceRecord.Rating.GOOD
            )
            self.fields[f"{n}-note"] = forms.CharField(label=_("Note"), max_length=200, required=False)
            self.rows.append((line, f"{n}-minutes", f"{n}-rating", f"{n}-note"))

    def bound_rows(self) -> list[tuple[Any, Any, Any, Any]]:
        return [(line, self[m], self[r], self[n]) for line, m, r, n in self.rows]

    def lines_for_service(self) -> dict[str, dict[str, Any]]:
        """Minutes only where the organiser changed what the scans give (so an unchanged line
        needs no note); rating and note always."""
        out: dict[str, dict[str, Any]] = {}
        for line, m, r, n in self.rows:
            minutes = self.cleaned_data[m]
            out[line.number] = {
                "minutes": None if minutes == line.attendance.minutes else minutes,
                "rating": self.cleaned_data[r],
                "note": self.cleaned_data[n],
            }
        return out


# --- Mobilisation ---------------------------------------------------------------------------
class CallOutForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CallOut.Kind.choices)
    region_code = forms.ChoiceField(label=_("Region"))
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )


class ShiftForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=10_000)


ShiftFormSet = forms.formset_factory(ShiftForm, extra=3, max_num=20, absolute_max=20)


class StaffForm(forms.Form):
    staff_name = forms.CharField(label=_("Staff member's name"), max_length=60)


# --- Certificates ---------------------------------------------------------------------------
class CertificateForm(forms.Form):
    period_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    period_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    team_id = forms.TypedChoiceField(
        label=_("Issued by"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Your village committee certifies all your service; a team certifies only the service it organised."
        ),
    )

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("My village committee (all service)")), *((str(t.pk), t.name) for t in teams)]
        self.fields["team_id"].choices = choices  # type: ignore[attr-defined]
