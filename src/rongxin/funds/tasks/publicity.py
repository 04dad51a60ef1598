"""The publicity clock of commendation meetings: a meeting whose publicity (公示) has ended moves
to ``awarding``."""

from __future__ import annotations

import datetime as dt

from rongxin.core.jobs import periodic
from rongxin.funds.services.meetings import meetings_publicity_close


@periodic(name="funds.publicity_ends", every=dt.timedelta(hours=1))
def publicity_ends() -> str:
    """Move every meeting past its last day of publicity to ``awarding`` (safe to run any number
    of times: a moved meeting is no longer in publicity)."""
    return f"ended the publicity of {meetings_publicity_close()} meetings"
