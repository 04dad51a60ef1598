"""Reads behind closing: the hours conversion policy of a year, and the roster of activities
(service time and anomalies per volunteer, from their scans) that the organiser verifies and the
close turns into service records."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings

from rongxin.accounts.models import User
from rongxin.volunteering.domain.conversion import (
    DEFAULT_BRACKETS,
    DEFAULT_ROUNDING,
    DEFAULT_YEARLY_CAP,
    Attendance,
    Policy,
    attendance_from_scans,
    overlaps,
)
from rongxin.volunteering.domain.days import local_date
from rongxin.volunteering.models import Activity, ConversionPolicy, Scan, ServiceRecord, Signup, Volunteer
from rongxin.volunteering.permissions import access_activity_for_organising

CHUNK = 900


def chunks(items: list[Any], n: int = CHUNK) -> Iterator[list[Any]]:
    """``items`` in slices of ``n``, to keep ``IN (...)`` lists under the database's limits."""
    for i in range(0, len(items), n):
        yield items[i : i + n]


def checkin_early_grace() -> dt.timedelta:
    """How long before the start a check-in is still on time (``RONGXIN_CHECKIN_EARLY_MINUTES``,
    default 30): earlier ones are flagged as outside the activity's time."""
    return dt.timedelta(minutes=max(0, int(getattr(settings, "RONGXIN_CHECKIN_EARLY_MINUTES", 30))))


def policy_for(year: int) -> Policy:
    """The hours conversion policy in force for ``year`` (the latest from that year or before;
    the defaults when none is configured)."""
    row = ConversionPolicy.objects.filter(effective_year__lte=year).order_by("-effective_year").first()
    if row is None:
        return Policy(brackets=DEFAULT_BRACKETS, yearly_cap=DEFAULT_YEARLY_CAP, rounding_minutes=DEFAULT_ROUNDING)
    return Policy(brackets=row.brackets, yearly_cap=row.yearly_cap_points, rounding_minutes=row.rounding_minutes)


def policies_for(years: set[int]) -> dict[int, Policy]:
    return {y: policy_for(y) for y in years}


@dataclass
class RosterLine:
    volunteer_id: int
    number: str
    name: str
    signup_status: str
    attendance: Attendance


class ScanRow(NamedTuple):
    """The columns of a scan that attendance is computed from."""

    kind: str
    at: dt.datetime
    accepted: bool
    problem: str
    flags: list[str]


def roster(
    activities: list[Activity], *, policies: dict[int, Policy] | None = None
) -> dict[int, dict[int, Attendance]]:
    """Attendance per activity and volunteer, from all their scans (refused ones raise flags),
    with overlaps against each other and against the volunteers' earlier records."""
    by_id = {a.pk: a for a in activities}
    policies = policies or policies_for({local_date(a.starts_at).year for a in activities})
    scans: dict[tuple[int, int], list[ScanRow]] = defaultdict(list)
    for chunk in chunks(sorted(by_id)):
        # Plain rows, not model instances: a month's close reads hundreds of thousands of scans.
        for aid, vid, *rest in Scan.objects.filter(activity_id__in=chunk).values_list(
            "activity_id", "volunteer_id", "kind", "at", "accepted", "problem", "flags"
        ):
            scans[(aid, vid)].append(ScanRow(*rest))
    out: dict[int, dict[int, Attendance]] = defaultdict(dict)
    grace = checkin_early_grace()
    for (aid, vid), items in scans.items():
        a = by_id[aid]
        out[aid][vid] = attendance_from_scans(
            items,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            policy=policies[local_date(a.starts_at).year],
            early_grace=grace,
        )
    _flag_overlaps(out)
    return out


def _flag_overlaps(att: dict[int, dict[int, Attendance]]) -> None:
    spans: dict[int, list[tuple[int, dt.datetime, dt.datetime]]] = defaultdict(list)
    for aid, lines in att.items():
        for vid, a in lines.items():
            if a.started_at is not None and a.ended_at is not None:
                spans[vid].append((aid, a.started_at, a.ended_at))
    if not spans:
        return
    for vid, items in spans.items():
        items.sort(key=lambda x: x[1])
        for i in range(1, len(items)):
            if items[i][1] < items[i - 1][2]:
                att[items[i][0]][vid].flag("overlap")
                att[items[i - 1][0]][vid].flag("overlap")
    lo = min(s for items in spans.values() for _a, s, _e in items)
    hi = max(e for items in spans.values() for _a, _s, e in items)
    for chunk in chunks(sorted(spans)):
        for vid, aid, s, e in ServiceRecord.objects.filter(
            volunteer_id__in=chunk, current=True, started_at__lt=hi, ended_at__gt=lo
        ).values_list("volunteer_id", "activity_id", "started_at", "ended_at"):
            for own_aid, a_s, a_e in spans[vid]:
                if own_aid != aid and s is not None and e is not None and overlaps((a_s, a_e), (s, e)):
                    att[own_aid][vid].flag("overlap")


def roster_lines(*, actor: User, activity_id: int) -> tuple[Activity, list[RosterLine]]:
    """The roster for the organiser: everyone confirmed, and everyone who scanned, with the
    minutes their scans give and the anomalies. Raises NotFound (not an organiser of the
    activity's team)."""
    activity, _access = access_activity_for_organising(actor, activity_id=activity_id)
    att = roster([activity]).get(activity.pk, {})
    statuses = dict(
        Signup.objects.filter(activity=activity)
        .exclude(status=Signup.Status.INVITED)
        .values_list("volunteer_id", "status")
    )
    ids = sorted(set(att) | {v for v, s in statuses.items() if s == Signup.Status.CONFIRMED})
    vols = {v.pk: v for v in Volunteer.objects.filter(pk__in=ids).select_related("subject")}
    lines = [
        RosterLine(
            volunteer_id=vid,
            number=vols[vid].number,
            name=vols[vid].subject.name,
            signup_status=statuses.get(vid, ""),
            attendance=att.get(vid) or Attendance(flags=["absent"]),
        )
        for vid in ids
    ]
    lines.sort(key=lambda line: line.number)
    return activity, lines
