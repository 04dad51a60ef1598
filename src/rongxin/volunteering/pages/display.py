"""How volunteering codes read on a page: scan and record flags, scan problems, activity
phases (their words are declared in ``apps.py``), activity types and skills in the page's
language."""

from __future__ import annotations

from django.utils.translation import get_language

from rongxin.core.registry import code_label
from rongxin.volunteering.models import ActivityType, Skill


def flags(codes: list[str] | None) -> list[tuple[str, str]]:
    """``(code, label)`` of each flag, for badges."""
    return [(c, code_label("volunteering.flag", c)) for c in codes or []]


def problem(code: str) -> str:
    return code_label("volunteering.scan_problem", code) if code else ""


def phase(code: str) -> str:
    return code_label("volunteering.phase", code)


def type_name(t: ActivityType) -> str:
    return t.name(get_language() or "zh-hans")


def skill_labels(values: list[str]) -> list[str]:
    """The labels of ``values``, in the order of the skill list."""
    return [str(label) for value, label in Skill.choices if value in values]
