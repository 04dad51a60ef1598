"""Producing rows (in forked workers, no database): per chunk of volunteers, every volunteer's
rows in their own time order and random stream: sign-ups, scans, service records whose minutes
and flags come from :func:`rongxin.volunteering.domain.conversion.attendance_from_scans` (the closing
service's own rule), then awards and credit entries (:mod:`~rongxin.synth.volunteering.awards`),
chained after the subjects' heads with :func:`rongxin.credit.services.bulk.build_rows`."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import Any, NamedTuple

from rongxin.core import clock
from rongxin.credit.services.bulk import NewEntry, build_rows
from rongxin.synth import names
from rongxin.synth.volunteering.awards import Close, Fix, awards
from rongxin.synth.volunteering.job import job
from rongxin.synth.volunteering.plan import ActivityPlan, VolunteeringPlan, unix, unpack, utc
from rongxin.synth.volunteering.rows import ROW_KINDS, flags_json
from rongxin.synth.volunteering.shape import (
    ASSIST_REASON,
    ASSISTED,
    AVAILABILITY,
    CANCELLED,
    CORRECTED,
    CORRECTION_REASONS,
    DUPLICATE,
    MISSING_OUT,
    NO_SHOW,
    OUTSIDE,
    REFUSED,
    VOLUNTEER_SHIFT,
    WAITLISTED,
)
from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.conversion import Policy, attendance_from_scans
from rongxin.volunteering.domain.geo import distance_m
from rongxin.volunteering.domain.volunteers import volunteer_number
from rongxin.volunteering.models import Scan, Signup, Volunteer


class _Scan(NamedTuple):
    kind: str
    at: dt.datetime
    accepted: bool
    problem: str
    flags: list[str]


@dataclass
class Produced:
    rows: dict[str, list[Any]]
    new_heads: dict[int, tuple[int, str]]
    minutes: int = 0
    points: int = 0


def produce(task: tuple[int, int]) -> Produced:
    """The rows of volunteers ``lo`` to ``hi - 1``, chained after their subjects' heads."""
    lo, hi = task
    plan: VolunteeringPlan = job["plan"]
    out = Produced(rows={k: [] for k in ROW_KINDS}, new_heads={})
    entries: list[NewEntry] = []
    p_lo, p_hi = plan.span(lo, hi)
    parts = plan.participations
    pos = p_lo
    for vi in range(lo, hi):
        mine: list[tuple[int, int, int]] = []
        while pos < p_hi and (parts[pos] >> VOLUNTEER_SHIFT) == vi:
            _v, ai, outcome = unpack(parts[pos])
            mine.append((pos, ai, outcome))
            pos += 1
        out.minutes += _volunteer(plan, vi, mine, out.rows, entries)
    out.rows["records"] = [tuple(r) for r in out.rows["records"]]
    out.rows["awards"] = [tuple(r) for r in out.rows["awards"]]
    heads = job["heads"]
    first_entry = job["entry_base"] + 2 * p_lo + 1
    first_transition = job["transition_base"] + p_lo + 1
    entry_rows, transition_rows, new_heads = build_rows(
        entries=entries,
        heads={sid: heads[sid][:2] for sid in {e.subject_id for e in entries} if sid in heads},
        entry_ids=iter(range(first_entry, first_entry + 2 * (p_hi - p_lo))),
        transition_ids=iter(range(first_transition, first_transition + (p_hi - p_lo))),
        now=plan.now,
        adapt=job["adapt"],
    )
    out.rows["entries"], out.rows["transitions"], out.new_heads = entry_rows, transition_rows, new_heads
    out.points = sum(e.points for e in entries)
    return out


def _volunteer(
    plan: VolunteeringPlan, vi: int, mine: list[tuple[int, int, int]], rows: dict[str, list[Any]],
    entries: list[NewEntry],
) -> int:  # fmt: skip
    """One volunteer's rows (in their own random stream); returns their verified minutes."""
    sid = plan.subject_ids[vi]
    rng = random.Random(f"rongxin-synth:{plan.seed}:volunteering:{sid}")
    adapt, stamp = job["adapt"], job["stamp"]
    now_ts = unix(plan.now)
    availability = rng.choice(AVAILABILITY)
    guardian: tuple[str, str, int | None] = ("", "", None)
    if plan.minor[vi]:
        male = rng.random() < 0.5
        first, second = (names.GIVEN_MALE if male else names.GIVEN_FEMALE)[1]
        surname = rng.choice(names.LOCAL_SURNAMES)[0]
        guardian = (surname + rng.choice(first) + rng.choice(second), "父亲" if male else "母亲", plan.registered[vi])
    events: list[tuple[int, int, int, Close | Fix]] = []
    signups, scan_rows = rows["signups"], rows["scans"]
    for p, ai, outcome in mine:
        a = plan.activities[ai]
        if a.cancelled is not None:
            created = a.opens + int(rng.random() * max(1, a.cancelled - a.opens))
            if outcome == CANCELLED:
                changed = created + int(rng.random() * max(1, a.cancelled - created))
                signups.append((a.id, sid, Signup.Status.CANCELLED, stamp(created), None, stamp(changed), None))
            else:
                signups.append((a.id, sid, Signup.Status.DROPPED, stamp(created), None, stamp(a.cancelled), None))
            continue
        until = min(a.closes, now_ts)
        if outcome == WAITLISTED:
            queued = stamp(a.opens + int((0.85 + 0.15 * rng.random()) * max(1, until - a.opens)))
            signups.append((a.id, sid, Signup.Status.WAITLISTED, queued, queued, queued, None))
            continue
        created = a.opens + int(0.85 * rng.random() * max(1, until - a.opens))
        if outcome == CANCELLED:
            changed = created + int(rng.random() * max(1, min(a.starts, now_ts) - created))
            signups.append((a.id, sid, Signup.Status.CANCELLED, stamp(created), None, stamp(changed), None))
            continue
        signed = stamp(created)
        signups.append((a.id, sid, Signup.Status.CONFIRMED, signed, None, signed, None))
        if a.starts > now_ts or outcome == NO_SHOW:
            continue
        scans = _scans(rng, a, outcome)
        for kind, ts, accepted, problem, flags, lat, lon, dist, method in scans:
            if ts <= now_ts:
                assisted = method == Scan.Method.ASSISTED
                scan_rows.append(
                    (
                        a.id, sid, kind, method, stamp(ts), accepted, problem, flags_json(flags), lat, lon, dist,
                        None if assisted else ts // tokens.STEP_SECONDS, None, ASSIST_REASON if assisted else "",
                    )
                )  # fmt: skip
        if a.closed is None:
            continue
        starts_at, ends_at = utc(a.starts), utc(a.ends)
        service_date = starts_at.astimezone(clock.LOCAL_TZ).date()
        policy: Policy = job["policies"][service_date.year]
        att = attendance_from_scans(
            [_Scan(k, utc(ts), acc, prob, fl) for k, ts, acc, prob, fl, *_rest in scans],
            starts_at=starts_at,
            ends_at=ends_at,
            policy=policy,
            early_grace=job["early_grace"],
        )
        if att.minutes <= 0:
            continue  # checked in, never out: no time until the organiser enters it
        started = att.started_at or starts_at
        record = [
            job["record_base"] + 2 * p + 1, a.id, sid, 1, plan.teams[a.team].id, service_date.isoformat(), a.place,
            f"{job['type_names'][a.type_code]}：{a.title}"[:200], adapt(started),
            adapt(att.ended_at or min(ends_at, started + dt.timedelta(minutes=att.minutes))), att.minutes,
            _rating(rng.random()), flags_json(att.flags), "", None, stamp(a.closed), True,
        ]  # fmt: skip
        rows["records"].append(record)
        close = Close(record=record, activity=a, service_date=service_date, started=started)
        events.append((a.closed, 0, a.id, close))
        if outcome in (CORRECTED, REFUSED):
            requested = a.closed + int(rng.uniform(1, 10) * 86400)
            decided = requested + int(rng.uniform(0.5, 7) * 86400)
            window = (a.ends - a.starts) // 60
            step = policy.rounding_minutes
            wanted = att.minutes + step if att.minutes + step <= window else att.minutes - step
            fix = Fix(close, wanted, rng.choice(CORRECTION_REASONS), outcome == CORRECTED, requested)
            events.append((decided, 1, a.id, fix))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    total = awards(sid, events, rows, entries)
    reg = stamp(plan.registered[vi])
    rows["volunteers"].append(
        (
            sid, volunteer_number(sid), Volunteer.Status.ACTIVE, json.dumps(list(plan.skills[vi])), availability, reg,
            reg, guardian[0], guardian[1], reg if guardian[2] is not None else None, total,
        )
    )  # fmt: skip
    return total


def _rating(r: float) -> str:
    return "excellent" if r < 0.25 else "good" if r < 0.95 else "satisfactory"


def _scans(
    rng: random.Random, a: ActivityPlan, outcome: int
) -> list[tuple[str, int, bool, str, list[str], Any, Any, int | None, str]]:
    """One participation's scans: (kind, time, accepted, problem, flags, lat, lon, distance, method).
    Most check in within 12 minutes of the start and out within 25 minutes before the end; a
    few come early (5 to 50 minutes: flagged beyond the check-in grace) or leave late (flagged);
    time outside the window does not count."""
    check_in = a.starts - int(rng.uniform(300, 3000)) if rng.random() < 0.05 else a.starts + int(rng.uniform(0, 720))
    check_out = a.ends + int(rng.uniform(60, 1200)) if rng.random() < 0.05 else a.ends - int(rng.uniform(0, 1500))
    method = Scan.Method.ASSISTED if outcome == ASSISTED else Scan.Method.QR

    def where(outside: bool) -> tuple[Any, Any, int | None, list[str]]:
        if method != Scan.Method.QR or a.geofence_m is None or a.latitude is None or a.longitude is None:
            return None, None, None, []
        lat = a.latitude + (rng.uniform(0.012, 0.03) * rng.choice((-1, 1)) if outside else rng.uniform(-8e-4, 8e-4))
        lon = a.longitude + rng.uniform(-8e-4, 8e-4)
        # Six decimals, as the column stores them; text binds faster than Decimal on both engines.
        lat_t, lon_t = f"{lat:.6f}", f"{lon:.6f}"
        d = distance_m(a.latitude, a.longitude, float(lat_t), float(lon_t))
        return lat_t, lon_t, d, (["outside_geofence"] if d > a.geofence_m else [])

    lat, lon, dist, flags = where(outcome == OUTSIDE)
    out: list[tuple[str, int, bool, str, list[str], Any, Any, int | None, str]] = [
        (Scan.Kind.IN, check_in, True, "", flags, lat, lon, dist, method)
    ]
    if outcome == DUPLICATE:
        lat, lon, dist, flags = where(False)
        out.append(
            (Scan.Kind.IN, check_in + int(rng.uniform(60, 180)), False, "already_in", flags, lat, lon, dist, method)
        )
    if outcome != MISSING_OUT:
        lat, lon, dist, flags = where(outcome == OUTSIDE)
        if check_out > a.ends:
            flags = [*flags, "beyond_window"]
        out.append((Scan.Kind.OUT, check_out, True, "", flags, lat, lon, dist, method))
    return out
