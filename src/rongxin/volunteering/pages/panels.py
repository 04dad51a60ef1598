"""The volunteering panel of a person's file page (declared in ``VolunteeringConfig.file_panels``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rongxin.subjects.selectors import SubjectFile
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.selectors.people import service_summary


def file_panel(request: HttpRequest, file: SubjectFile, *, own: bool) -> dict[str, Any] | None:
    """Verified service hours in total and this year, and the latest service records, on the
    file of a person who volunteers. Whoever sees the file page may read it: the person on their
    own file, staff with a file-reading grant (the file page asked and audited that). None for
    an organisation or a person who never registered as a volunteer."""
    if file.person is None:
        return None
    summary = service_summary(subject_id=file.subject.pk)
    if summary is None:
        return None
    return {
        "service": summary,
        "hours": hours_text(summary.minutes),
        "hours_this_year": hours_text(summary.minutes_this_year),
        "service_records": [{"r": r, "hours": hours_text(r.minutes)} for r in summary.records],
        "own": own,
    }
