"""The records the lectures generator plans with (villages, speakers, sessions to be) and the
county's local time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rongxin.core import clock
from rongxin.lectures.models import AdoptionLink, Session, Speaker


@dataclass
class Village:
    id: int
    name: str
    prefix: str
    town: int
    site: tuple[int, str, float | None, float | None] | None
    venues: list[tuple[int, str, str, float, float]]


@dataclass
class SpeakerInfo:
    row: Speaker
    prefix: str  # the area's prefix
    link: AdoptionLink | None = None
    link_town_prefix: str = ""


@dataclass
class Planned:
    day: dt.date
    village: int
    speakers: list[int]  # indexes into the speaker list
    team: int | None  # index into the team list
    kind: str  # head, leader, volunteer, team
    status: str = Session.Status.CLOSED
    ordered: bool = False
    slot: int = 0


def local_at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    """``hour:minute`` on ``day`` in the county, in UTC."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.LOCAL_TZ).astimezone(dt.UTC)
