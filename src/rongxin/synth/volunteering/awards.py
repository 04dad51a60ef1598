"""Hours awards and their credit entries, in the order the closes and corrections happened, as
the closing service writes them: the points along the year's conversion policy, trimmed to the
rule's range and yearly caps as :func:`rongxin.credit.services.awards.awards_record` trims them, and a
corrected record's award superseded (with a ``superseded`` transition on its entry)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from rongxin.core import clock
from rongxin.credit.domain.caps import award_within_caps
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Entry, Rule
from rongxin.credit.services.bulk import NewEntry, NewTransition
from rongxin.synth.volunteering.job import job
from rongxin.synth.volunteering.plan import ActivityPlan, unix, utc
from rongxin.synth.volunteering.shape import DEPARTMENT, REFUSAL_REASON
from rongxin.volunteering.domain.conversion import Policy
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.models import Correction


@dataclass
class RuleSet:
    effective: int  # date ordinal
    version: int
    rules: dict[str, Rule]


@dataclass
class Close:
    record: list[Any]  # the revision-1 row (its "current" changes on correction)
    activity: ActivityPlan
    service_date: dt.date
    started: dt.datetime


@dataclass
class Fix:
    close: Close
    minutes: int
    reason: str
    accepted: bool
    requested: int


@dataclass
class Standing:
    year: int
    minutes_before: int
    minutes: int
    points: int
    entry: NewEntry | None
    rule_code: str
    credit_year: int
    row: list[Any]


_floors: dict[tuple[int, int], int] = {}


def _points(policy: Policy, before: int, minutes: int, points_before: int) -> int:
    """``policy.points(...)`` with the curve's whole points cached per minute total (the
    fractions are exact but slow, and the totals repeat: they are multiples of the rounding)."""

    key, floors = id(policy), _floors
    high = floors.get((key, before + minutes))
    if high is None:
        high = floors[(key, before + minutes)] = math.floor(policy.curve(before + minutes))
    low = floors.get((key, before))
    if low is None:
        low = floors[(key, before)] = math.floor(policy.curve(before))
    return max(0, min(high - low, policy.yearly_cap - points_before))


def _rules_on(day: dt.date) -> RuleSet:
    sets: list[RuleSet] = job["rule_sets"]
    pick = sets[0]  # before the first catalogue: its rules (as the history generator does)
    for s in sets:
        if s.effective <= day.toordinal():
            pick = s
    return pick


def awards(
    sid: int, events: list[tuple[int, int, int, Close | Fix]], rows: dict[str, list[Any]], entries: list[NewEntry]
) -> int:
    """Hours awards and credit entries in the order the closes and corrections happened; returns
    the minutes of the volunteer's current records."""
    adapt, stamp = job["adapt"], job["stamp"]
    year_state: dict[int, list[int]] = {}  # year → [minutes, points] of the standing awards
    used: dict[tuple[str, int], list[int]] = {}  # (rule, year) → [entries, points] not revoked
    standing: dict[int, Standing] = {}  # activity id → its standing award
    total = 0
    for at, _order, activity_id, ev in events:
        when = utc(at)
        if isinstance(ev, Close):
            total += ev.record[10]
            slot = year_state.setdefault(ev.service_date.year, [0, 0])
            standing[activity_id] = _award(sid, ev.record, ev, slot, used, when, None, rows, entries)
            continue
        close, record = ev.close, ev.close.record
        rows["corrections"].append(
            (
                record[0], sid, ev.minutes, ev.reason,
                Correction.Status.ACCEPTED if ev.accepted else Correction.Status.REFUSED, stamp(ev.requested),
                stamp(at), None, "" if ev.accepted else REFUSAL_REASON,
            )
        )  # fmt: skip
        if not ev.accepted:
            continue
        prior = standing[activity_id]
        prior.row[11] = stamp(at)  # superseded
        slot = year_state[prior.year]
        slot[0] -= prior.minutes
        slot[1] -= prior.points
        if prior.entry is not None:
            reason = f"志愿服务记录更正：{ev.reason}"[:500]
            prior.entry.transitions.append(NewTransition("superseded", when, None, reason))
            cap = used[(prior.rule_code, prior.credit_year)]
            cap[0] -= 1
            cap[1] -= prior.entry.points
        record[16] = False
        flags = json.loads(record[12])
        a = close.activity
        new = [
            record[0] + 1, a.id, sid, 2, record[4], record[5], record[6], record[7], record[8],
            adapt(min(utc(a.ends), close.started + dt.timedelta(minutes=ev.minutes))), ev.minutes, record[11],
            json.dumps(flags if "corrected" in flags else [*flags, "corrected"]), ev.reason[:200], None, stamp(at),
            True,
        ]  # fmt: skip
        rows["records"].append(new)
        total += ev.minutes - record[10]
        standing[activity_id] = _award(sid, new, close, slot, used, when, prior.minutes_before, rows, entries)
    return total


def _award(
    sid: int,
    record: list[Any],
    close: Close,
    slot: list[int],
    used: dict[tuple[str, int], list[int]],
    when: dt.datetime,
    minutes_before: int | None,
    rows: dict[str, list[Any]],
    entries: list[NewEntry],
) -> Standing:
    """One hours award and its credit entry, as the closing service writes them: revision 1 as
    ``closing._award`` (from the year's standing awards), revision 2 as
    ``closing._apply_correction`` (from the superseded award's place in the year); the points
    trimmed to the rule's range and yearly caps as ``awards_record`` trims them."""
    a, service_date = close.activity, close.service_date
    revision, minutes = record[3], record[10]
    policy: Policy = job["policies"][service_date.year]
    before = slot[0] if minutes_before is None else minutes_before
    points = _points(policy, before, minutes, slot[1])
    rule_code: str = job["rule_codes"][a.type_code]
    key = f"volunteering:{a.id}:{sid}:r{revision}"
    note = "yearly cap reached" if revision == 1 and points <= 0 and slot[1] >= policy.yearly_cap else ""
    entry: NewEntry | None = None
    ends = utc(a.ends)
    credit_day = ends.astimezone(clock.LOCAL_TZ).date()
    if points > 0:
        ruleset = _rules_on(credit_day)
        rule = ruleset.rules[rule_code]
        cap = used.setdefault((rule_code, credit_day.year), [0, 0])
        granted, granted_note = award_within_caps(rule, entries=cap[0], points_used=cap[1], points=points)
        if granted < rule.points_min:
            granted = 0
        if revision == 2 or granted != points:
            note = granted_note
        points = granted
        if points > 0:
            cap[0] += 1
            cap[1] += points
            label = "志愿服务记录" if revision == 1 else "志愿服务记录（更正）"
            evidence = (
                f"{label}：{a.title}（{job['team_names'][a.team]}），{service_date:%Y-%m-%d}，"
                f"核验服务时长{hours_text(minutes)}小时"
            )[:2000]
            entry = NewEntry(
                subject_id=sid,
                rule=rule,
                points=points,
                occurred_at=ends,
                recorded_at=when,
                department_id=job["department_id"],
                recorder_id=None,
                source=Entry.Source.VOLUNTEERING,
                source_key=key,
                content_hash=content_hash(
                    rule_code=rule.code,
                    catalogue_version=ruleset.version,
                    points=points,
                    occurred_at=ends,
                    department=DEPARTMENT,
                    evidence=evidence,
                ),
                evidence=evidence,
            )
            entries.append(entry)
    row = [
        record[0], sid, a.id, service_date.year, before, minutes, points, rule_code, key if entry else "", note,
        job["stamp"](unix(when)), None,
    ]  # fmt: skip
    rows["awards"].append(row)
    slot[0] += minutes
    slot[1] += points
    return Standing(service_date.year, before, minutes, points, entry, rule_code, credit_day.year, row)
