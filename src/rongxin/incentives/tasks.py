"""Worker jobs of incentives."""

from __future__ import annotations

import datetime as dt

from rongxin.core.jobs import periodic
from rongxin.incentives.services.status import exports_refresh


@periodic(name="incentives.refresh_exports", every=dt.timedelta(minutes=15))
def refresh_exports() -> str:
    """Offline validators download the eligible holders of each open incentive; a grade that
    fell below the floor leaves the list at the next refresh."""
    return f"built {exports_refresh()} exports"
