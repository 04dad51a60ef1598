"""The commendations panel of a credit file: the subject's awards on published honour rolls, with
the money or goods and the credit each brought. Honour rolls are public, so staff who read the
file see the panel as the person does."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rongxin.funds.selectors.honours import subject_commendations
from rongxin.subjects.selectors import SubjectFile


def file_panel(request: HttpRequest, file: SubjectFile, *, own: bool = False) -> dict[str, Any] | None:
    """The subject's commendations (newest first, at most 20); None when there are none."""
    awards = subject_commendations(subject_id=file.subject.pk)
    if not awards:
        return None
    return {"commendations": awards, "commendations_own": own}
