"""The lectures panel of a person's file page: the lectures they recently attended and gave.
The integrator registers it in ``LecturesConfig.file_panels`` (template
``lectures/_file_panel.html``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rongxin.lectures.selectors.sessions import lectures_of
from rongxin.subjects.selectors import SubjectFile

RECENT = 5


def file_panel(request: HttpRequest, file: SubjectFile, *, own: bool = False) -> dict[str, Any] | None:
    """The person's latest lectures attended and given, with the points each brought. Whoever
    sees the file page may read it (the file page asked and audited that). None for an
    organisation or a person with no lecture."""
    if file.person is None:
        return None
    attended, given = lectures_of(subject_id=file.subject.pk, limit=RECENT)
    if not attended and not given:
        return None
    return {"lectures_attended": attended, "lectures_given": given, "own": own}
