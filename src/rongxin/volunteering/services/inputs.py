"""Input rules shared by the volunteering services: free text, persons' names, times with a zone, skills."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput, field_error
from rongxin.core.text import clean_text as core_clean_text
from rongxin.subjects.domain.names import person_name_normalise
from rongxin.volunteering.models import Skill


def clean_text(value: Any, *, field: str, required: bool, max_length: int) -> str:
    """The platform's one free-text rule (:func:`rongxin.core.text.clean_text`); in every field
    but a description, line breaks and runs of white space fold into one space."""
    return core_clean_text(value, field=field, required=required, max_length=max_length, fold=field != "description")


def clean_person_name(value: Any, *, field: str, required: bool) -> str:
    """A person's real name by the platform's one rule (:mod:`rongxin.subjects.domain.names`);
    empty when not required and left blank."""
    text = core_clean_text(value, field=field, required=required, max_length=10_000)
    if not text:
        return ""
    try:
        return person_name_normalise(text)
    except InvalidInput as exc:
        raise field_error(field, exc.message, code=exc.code) from None


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
