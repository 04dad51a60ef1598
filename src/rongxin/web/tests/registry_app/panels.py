from __future__ import annotations

from typing import Any


def file_panel(request: Any, file: Any, *, own: bool) -> dict[str, Any] | None:
    """The probe's panel on persons' files; nothing on an organisation's."""
    if file.person is None:
        return None
    return {"probe_subject": file.subject.pk, "probe_viewer": "own" if own else "staff"}
