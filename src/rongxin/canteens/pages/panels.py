"""The canteen panel of a person's own file page: their enrolment in a canteen, with a button to
leave it at any time. Registered in ``CanteensConfig.file_panels`` (template
``canteens/_file_panel.html``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rongxin.canteens.selectors.elders import own_enrolments
from rongxin.subjects.selectors import SubjectFile


def file_panel(request: HttpRequest, file: SubjectFile, *, own: bool = False) -> dict[str, Any] | None:
    """The person's current canteen enrolment (dietary note, delivery) and the ones they left,
    on their own file only: staff reading a file see nothing of it here (elders' details are for
    the village's canteen staff, on the canteen's pages). None when there is nothing to show."""
    if not own or file.person is None:
        return None
    rows = own_enrolments(subject_id=file.subject.pk)
    if not rows:
        return None
    current = rows[0] if rows[0].left_on is None else None
    return {"canteen_current": current, "canteen_left": [e for e in rows if e.left_on is not None]}
