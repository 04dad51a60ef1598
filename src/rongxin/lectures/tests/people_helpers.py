"""Rows the people tests need from other areas (sessions, orders), made with the ORM."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rongxin.core import clock
from rongxin.lectures.models import Session, SessionSpeaker, Speaker
from rongxin.lectures.tests.conftest import at


def held(
    speaker: Speaker,
    when: str,
    *,
    region: Any,
    status: str = Session.Status.CLOSED,
    counts: bool = True,
    at_link: bool = False,
    team: Any = None,
    title: str = "宣讲",
) -> Session:
    """A session of ``speaker`` starting at ``when`` (Beijing), closed by default and counting
    for the quota."""
    starts = at(when)
    session = Session.objects.create(
        title=title,
        team=team,
        region=region,
        town=region if region.level == "town" else region.parent,
        place_kind=Session.PlaceKind.OTHER,
        place="村委会",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=status,
        qr_secret=b"0" * 32,
        created_at=clock.now(),
    )
    SessionSpeaker.objects.create(session=session, speaker=speaker, counts_for_quota=counts, at_link=at_link)
    return session
