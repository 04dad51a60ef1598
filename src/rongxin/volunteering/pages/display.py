"""How volunteering codes read on a page: scan and record flags, scan problems, activity
phases, activity types and skills in the page's language."""

from __future__ import annotations

from django.utils.translation import get_language, gettext_lazy

from rongxin.volunteering.models import ActivityType, Skill

# What the flags on scans, roster lines and records mean, for organisers and volunteers.
FLAG_LABELS = {
    "overlap": gettext_lazy("Overlaps another activity"),
    "duplicate_scans": gettext_lazy("Repeated or refused scans"),
    "beyond_window": gettext_lazy("Scanned outside the activity's time"),
    "missing_checkout": gettext_lazy("Checked in, never checked out"),
    "outside_geofence": gettext_lazy("Scanned away from the venue"),
    "no_location": gettext_lazy("No location with the scan"),
    "walk_in": gettext_lazy("Came without signing up"),
    "absent": gettext_lazy("Signed up, never scanned"),
    "adjusted": gettext_lazy("Time changed by the organiser"),
    "entered_by_organiser": gettext_lazy("Time entered by the organiser"),
    "corrected": gettext_lazy("Corrected at the volunteer's request"),
}
PROBLEM_LABELS = {
    "replayed": gettext_lazy("Code used twice"),
    "already_in": gettext_lazy("Already checked in"),
    "not_in": gettext_lazy("Check-out without check-in"),
}
PHASE_LABELS = {
    "draft": gettext_lazy("Draft"),
    "published": gettext_lazy("Not started"),
    "ongoing": gettext_lazy("Under way"),
    "finished": gettext_lazy("Ended, awaiting verification"),
    "cancelled": gettext_lazy("Cancelled"),
    "closed": gettext_lazy("Closed (hours verified)"),
}


def flags(codes: list[str] | None) -> list[tuple[str, str]]:
    """``(code, label)`` of each flag, for badges."""
    return [(c, str(FLAG_LABELS.get(c, c))) for c in codes or []]


def problem(code: str) -> str:
    return str(PROBLEM_LABELS.get(code, code)) if code else ""


def phase(code: str) -> str:
    return str(PHASE_LABELS[code])


def type_name(t: ActivityType) -> str:
    return t.name(get_language() or "zh-hans")


def skill_labels(values: list[str]) -> list[str]:
    """The labels of ``values``, in the order of the skill list."""
    return [str(label) for value, label in Skill.choices if value in values]
