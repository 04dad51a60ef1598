"""Jobs of the project marketplace, registered on import by :mod:`rongxin.core.jobs` discovery of
``<app>.tasks``."""

from __future__ import annotations

import datetime as dt

from rongxin.core.jobs import periodic
from rongxin.projects.services.ceremonies import ceremonies_launch_due


@periodic(name="projects.ceremony_launch", every=dt.timedelta(minutes=1))
def ceremony_launch() -> str:
    """Launch every charity ceremony whose start has passed and that is not launched yet (safe to
    run any number of times, on any number of workers: a launched ceremony is left alone)."""
    return f"launched {ceremonies_launch_due()} ceremonies"
