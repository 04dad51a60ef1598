"""Small helpers shared by the volunteering services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.core import clock
from rongxin.core.errors import field_error
from rongxin.core.text import clean_text as core_clean_text
from rongxin.volunteering.conversion import DEFAULT_BRACKETS, DEFAULT_ROUNDING, DEFAULT_YEARLY_CAP, Policy
from rongxin.volunteering.models import ConversionPolicy, Skill


def clean_text(value: Any, *, field: str, required: bool, max_length: int) -> str:
    """The platform's one free-text rule (:func:`rongxin.core.text.clean_text`); in every field
    but a description, line breaks and runs of white space fold into one space."""
    return core_clean_text(value, field=field, required=required, max_length=max_length, fold=field != "description")


def aware(value: dt.datetime | None, *, field: str) -> dt.datetime:
    if value is None:
        raise field_error(field, _("Required."), code="required")
    if value.tzinfo is None:
        raise field_error(field, _("The time needs a time zone."), code="naive_time")
    return value


def clean_skills(values: Any, *, field: str = "skills") -> list[str]:
    items = [str(v).strip() for v in (values or []) if str(v).strip()]
    unknown = sorted(set(items) - set(Skill.values))
    if unknown:
        raise field_error(field, _("Unknown skill: %(s)s") % {"s": "、".join(unknown)[:60]}, code="unknown_skill")
    return sorted(set(items), key=Skill.values.index)


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def policy_for(year: int) -> Policy:
    """The hours conversion policy in force for ``year`` (the latest from that year or before;
    the defaults when none is configured)."""
    row = ConversionPolicy.objects.filter(effective_year__lte=year).order_by("-effective_year").first()
    if row is None:
        return Policy(brackets=DEFAULT_BRACKETS, yearly_cap=DEFAULT_YEARLY_CAP, rounding_minutes=DEFAULT_ROUNDING)
    return Policy(brackets=row.brackets, yearly_cap=row.yearly_cap_points, rounding_minutes=row.rounding_minutes)
