"""The incentives panel of a subject's file page, contributed through the app registry
(``file_panels`` in :mod:`rongxin.incentives.apps`; :mod:`rongxin.core.registry`)."""

from __future__ import annotations

from typing import Any

from rongxin.accounts.permissions import SignedInRequest
from rongxin.incentives import selectors
from rongxin.subjects.selectors import SubjectFile


def file_panel(request: SignedInRequest, file: SubjectFile, *, own: bool) -> dict[str, Any] | None:
    """On the holder's own file: the offers they qualify for now and their latest redemptions.
    On staff's view of someone's file: nothing, since no staff role may see a person's
    incentives (a provider learns only "eligible or not" for a pseudonym; the county credit
    office and auditors see totals)."""
    if not own:
        return None
    return {"incentives": selectors.holder_panel(actor=request.user, subject_id=file.subject.pk)}
