"""Closing activities: the organiser verifies the roster, service records are written, and the
verified hours become credit awards. Corrections append a new record revision and replace the
award.

:func:`close_activities` is set-based (one pass over the scans of many activities, bulk inserts,
one call into the credit engine), so the single close of a page and the month-end close of
thousands of activities are the same code.

Credit: each record's hours convert with the policy of its calendar year (see
:mod:`rongxin.volunteering.domain.conversion`) under the activity type's credit rule, idempotent by
``volunteering:<activity>:<volunteer>:r<revision>``; the credit engine trims to the rule's own
caps. A correction supersedes the record's award (the credit entry gets a ``superseded``
transition and stops counting) and awards the corrected hours from the same place in the year;
awards of later records are left as they were (documented in ``docs/domain/volunteering.md``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, adapt_datetime
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.credit.services.awards import Award, award_supersede, awards_record
from rongxin.subjects.models import Notice
from rongxin.subjects.services import notice_send
from rongxin.volunteering.domain.conversion import Attendance, Policy
from rongxin.volunteering.domain.days import local_date
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.models import Activity, Correction, HoursAward, ServiceRecord, Volunteer
from rongxin.volunteering.permissions import (
    access_activity_for_organising,
    access_correction_for_deciding,
    not_own_correction,
    not_own_record,
    own_volunteer,
)
from rongxin.volunteering.selectors.people import volunteer_by_number
from rongxin.volunteering.selectors.roster import chunks, policies_for, policy_for, roster
from rongxin.volunteering.services.inputs import clean_text

DEPARTMENT = "volunteer_federation"
MAX_RECORD_MINUTES = 24 * 60


@dataclass
class Adjustment:
    minutes: int | None = None  # None: as computed from the scans
    rating: str = ServiceRecord.Rating.GOOD
    note: str = ""


@dataclass
class CloseResult:
    activities: int = 0
    records: int = 0
    minutes: int = 0
    points: int = 0
    awards: int = 0
    without_time: list[int] = field(default_factory=list)  # volunteers with scans but no minutes


def _content(activity: Activity) -> str:
    return f"{activity.type.name_zh}：{activity.title}"[:200]


def close_activities(
    *,
    activities: list[Activity],
    actor: User | None,
    adjustments: dict[int, dict[int, Adjustment]] | None = None,
    now: dt.datetime | None = None,
    notify: bool = True,
) -> CloseResult:
    """Close finished, published ``activities`` (the caller checked rights and holds their
    locks, inside a transaction): write revision-1 service records, hours awards and credit
    awards, update the volunteers' totals, mark the activities closed. ``actor`` is None for a
    close the platform makes itself (the month-end close)."""
    now = now or clock.now()
    adjustments = adjustments or {}
    result = CloseResult(activities=len(activities))
    years = {local_date(a.starts_at).year for a in activities}
    policies = policies_for(years)
    att = roster(activities, policies=policies)
    records: list[ServiceRecord] = []
    for a in sorted(activities, key=lambda a: (a.ends_at, a.pk)):
        lines = att.get(a.pk, {})
        for vid in adjustments.get(a.pk, {}):
            if vid not in lines:
                lines[vid] = Attendance(flags=["entered_by_organiser"])
        for vid in sorted(lines):
            line = lines[vid]
            adj = adjustments.get(a.pk, {}).get(vid) or Adjustment()
            minutes = line.minutes
            if adj.minutes is not None and adj.minutes != minutes:
                minutes = adj.minutes
                line.flag("adjusted")
            if minutes <= 0:
                if line.flags and "missing_checkout" in line.flags:
                    result.without_time.append(vid)
                continue
            records.append(
                ServiceRecord(
                    activity=a,
                    volunteer_id=vid,
                    revision=1,
                    team_id=a.team_id,
                    service_date=local_date(a.starts_at),
                    place=a.place,
                    content=_content(a),
                    started_at=line.started_at or a.starts_at,
                    ended_at=line.ended_at or min(a.ends_at, a.starts_at + dt.timedelta(minutes=minutes)),
                    minutes=minutes,
                    rating=adj.rating,
                    flags=line.flags,
                    note=adj.note,
                    recorder=actor,
                    recorded_at=now,
                    current=True,
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    result.records = len(records)
    result.minutes = sum(r.minutes for r in records)
    awards = _award(records=records, policies=policies, actor=actor, now=now)
    result.awards = sum(1 for h in awards if h.points > 0)
    result.points = sum(h.points for h in awards)
    totals: dict[int, int] = defaultdict(int)
    for r in records:
        totals[r.volunteer_id] += r.minutes
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {Volunteer._meta.db_table} SET total_minutes = total_minutes + %s WHERE subject_id = %s",  # noqa: S608
            [(m, vid) for vid, m in sorted(totals.items())],
        )
    ids = [a.pk for a in activities]
    for chunk in chunks(ids):
        Activity.objects.filter(pk__in=chunk).update(
            status=Activity.Status.CLOSED,
            closed_at=now,
            closed_by=actor,
        )
    if notify and records:
        by_id = {a.pk: a for a in activities}
        at = adapt_datetime(connection, now)
        rows = []
        for r in records:
            a = by_id[r.activity_id]
            rows.append(
                (
                    r.volunteer_id,
                    at,
                    "volunteering.record",
                    gettext("Service record: %(hours)s hours at %(title)s")
                    % {"hours": hours_text(r.minutes), "title": a.title},
                    "",
                )
            )
        writer = BulkWriter(connection)
        try:
            writer.write(TableSpec.of(Notice, ("subject", "at", "kind", "title", "body")), rows)
        finally:
            writer.close()
    return result


def _year_state(volunteer_ids: list[int], years: set[int]) -> dict[tuple[int, int], list[int]]:
    """[minutes, points] of the volunteers' standing awards per (volunteer, year)."""
    out: dict[tuple[int, int], list[int]] = {}
    for chunk in chunks(sorted(set(volunteer_ids))):
        for vid, year, minutes, points in (
            HoursAward.objects.filter(volunteer_id__in=chunk, year__in=years, superseded_at__isnull=True)
            .values("volunteer_id", "year")
            .annotate(m=Sum("minutes"), p=Sum("points"))
            .values_list("volunteer_id", "year", "m", "p")
        ):
            out[(vid, year)] = [int(minutes or 0), int(points or 0)]
    return out


def _award(
    *, records: list[ServiceRecord], policies: dict[int, Policy], actor: User | None, now: dt.datetime
) -> list[HoursAward]:
    """Hours awards for ``records`` (in their order, which is chronological per volunteer) and
    the credit awards behind them."""
    if not records:
        return []
    years = {r.service_date.year for r in records}
    state = _year_state([r.volunteer_id for r in records], years)
    activities = {r.activity_id: r.activity for r in records}
    awards: list[HoursAward] = []
    credit: list[Award] = []
    for r in records:
        year = r.service_date.year
        slot = state.setdefault((r.volunteer_id, year), [0, 0])
        policy = policies.get(year) or policy_for(year)
        points = policy.points(minutes_before=slot[0], minutes=r.minutes, points_before=slot[1])
        a = activities[r.activity_id]
        key = f"volunteering:{r.activity_id}:{r.volunteer_id}:r{r.revision}"
        h = HoursAward(
            record=r,
            volunteer_id=r.volunteer_id,
            activity_id=r.activity_id,
            year=year,
            minutes_before=slot[0],
            minutes=r.minutes,
            points=points,
            rule_code=a.type.credit_rule_code,
            entry_key=key if points > 0 else "",
            note="" if points > 0 else "yearly cap reached" if slot[1] >= policy.yearly_cap else "",
            created_at=now,
        )
        awards.append(h)
        slot[0] += r.minutes
        if points > 0:
            credit.append(
                Award(
                    subject_id=r.volunteer_id,
                    rule_code=a.type.credit_rule_code,
                    points=points,
                    occurred_at=a.ends_at,
                    evidence=(
                        f"志愿服务记录：{a.title}（{a.team.name}），{r.service_date:%Y-%m-%d}，核验服务时长"
                        f"{hours_text(r.minutes)}小时"
                    )[:2000],
                    source_key=key,
                )
            )
        slot[1] += points
    outcomes = {
        o.source_key: o
        for o in awards_record(awards=credit, department_code=DEPARTMENT, recorder=actor, cause="volunteering")
    }
    for h in awards:
        o = outcomes.get(h.entry_key)
        if o is not None and o.points != h.points:
            h.points, h.note = o.points, o.note
            if o.points == 0:
                h.entry_key = ""
    HoursAward.objects.bulk_create(awards, batch_size=2000)
    return awards


def _adjustments_from(*, activity: Activity, lines: dict[str, dict[str, Any]], actor: User) -> dict[int, Adjustment]:
    out: dict[int, Adjustment] = {}
    window = int((activity.ends_at - activity.starts_at).total_seconds() // 60)
    for number, raw in lines.items():
        volunteer = volunteer_by_number(number, field=f"lines.{number}")
        minutes = raw.get("minutes")
        rating = raw.get("rating") or ServiceRecord.Rating.GOOD
        if rating not in ServiceRecord.Rating.values:
            raise field_error(f"lines.{number}.rating", _("Choose a rating."), code="invalid_choice")
        note = clean_text(raw.get("note"), field=f"lines.{number}.note", required=False, max_length=200)
        if minutes is not None:
            if not isinstance(minutes, int) or minutes < 0 or minutes > window:
                raise field_error(
                    f"lines.{number}.minutes",
                    _("Service time must be between 0 and %(n)d minutes (the activity's length).") % {"n": window},
                    code="minutes_out_of_range",
                )
            not_own_record(actor, volunteer)
        out[volunteer.pk] = Adjustment(minutes=minutes, rating=rating, note=note)
    return out


@transaction.atomic
def activity_close(*, actor: User, activity_id: int, lines: dict[str, dict[str, Any]] | None = None) -> CloseResult:
    """The organiser verifies the roster and closes a finished activity. ``lines`` maps
    volunteer numbers to ``{"minutes": int | None, "rating": str, "note": str}``: a changed
    time needs a note (why the organiser differs from the scans). Raises NotFound, Conflict (not
    finished, already closed), InvalidInput, Forbidden (changing one's own time)."""
    activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True)
    now = clock.now()
    if activity.status == Activity.Status.CLOSED:
        raise Conflict(_("This activity is already closed."), code="activity_closed")
    if activity.status != Activity.Status.PUBLISHED:
        raise Conflict(_("Only a published activity can be closed."), code="not_published")
    if now < activity.ends_at:
        raise Conflict(_("The activity has not ended yet."), code="not_finished")
    adjustments = _adjustments_from(activity=activity, lines=lines or {}, actor=actor)
    computed = roster([activity]).get(activity.pk, {})
    for vid, adj in adjustments.items():
        line = computed.get(vid)
        if adj.minutes is not None and (line is None or adj.minutes != line.minutes) and not adj.note:
            raise field_error("lines", _("Say why a service time differs from the scans."), code="note_required")
    result = close_activities(activities=[activity], actor=actor, adjustments={activity.pk: adjustments}, now=now)
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity.close",
        object_type="activity",
        object_id=activity.pk,
        details={"records": result.records, "minutes": result.minutes, "points": result.points},
    )
    return result


# --- Corrections ----------------------------------------------------------------------------
@transaction.atomic
def correction_request(*, actor: User, record_id: int, minutes: int, reason: str) -> Correction:
    """The volunteer asks the organiser to correct the time of one of their records."""
    volunteer = own_volunteer(actor)
    record = (
        ServiceRecord.objects.select_related("activity").filter(pk=record_id, volunteer=volunteer, current=True).first()
    )
    if record is None:
        raise NotFound()
    reason = clean_text(reason, field="reason", required=True, max_length=500)
    window = int((record.activity.ends_at - record.activity.starts_at).total_seconds() // 60)
    if not isinstance(minutes, int) or not (0 <= minutes <= min(window, MAX_RECORD_MINUTES)):
        raise field_error(
            "minutes",
            _("Service time must be between 0 and %(n)d minutes (the activity's length).") % {"n": window},
            code="minutes_out_of_range",
        )
    if minutes == record.minutes:
        raise field_error("minutes", _("That is the time already recorded."), code="unchanged")
    if Correction.objects.filter(record=record, status=Correction.Status.PENDING).exists():
        raise Conflict(_("A correction of this record is already waiting for a decision."), code="correction_pending")
    c = Correction.objects.create(
        record=record, volunteer=volunteer, requested_minutes=minutes, reason=reason, requested_at=clock.now()
    )
    audit_record(
        actor=actor,
        role=Role.RESIDENT,
        kind=AuditEvent.Kind.WRITE,
        action="record.correction_request",
        object_type="service_record",
        object_id=record.pk,
        subject_id=volunteer.pk,
        details={"minutes": minutes},
    )
    return c


@transaction.atomic
def correction_decide(*, actor: User, correction_id: int, accept: bool, reason: str = "") -> Correction:
    """An organiser of the record's team accepts (a new record revision, the award replaced) or
    refuses (with a reason) a correction. Nobody decides on their own record."""
    c, access = access_correction_for_deciding(actor, correction_id=correction_id, lock=True)
    not_own_correction(actor, c, access)
    if c.status != Correction.Status.PENDING:
        raise Conflict(_("This correction has already been decided."), code="already_decided")
    reason = clean_text(reason, field="reason", required=not accept, max_length=500)
    now = clock.now()
    c.status = Correction.Status.ACCEPTED if accept else Correction.Status.REFUSED
    c.decided_at, c.decided_by, c.decision_reason = now, actor, reason
    c.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    old = ServiceRecord.objects.select_for_update().get(pk=c.record_id)
    if accept:
        if not old.current:
            raise Conflict(_("This record has been corrected since; ask again."), code="record_changed")
        _apply_correction(old=old, minutes=c.requested_minutes, reason=c.reason, actor=actor, now=now)
    notice_send(
        subject_id=c.volunteer_id,
        kind="volunteering.correction",
        title=(
            gettext("Your correction was accepted: %(title)s")
            if accept
            else gettext("Your correction was refused: %(title)s")
        )
        % {"title": old.activity.title},
        body=reason,
    )
    audit_record(
        actor=actor,
        role=access.role,
        kind=AuditEvent.Kind.WRITE,
        action="record.correction_accept" if accept else "record.correction_refuse",
        object_type="service_record",
        object_id=old.pk,
        subject_id=c.volunteer_id,
        details={"minutes": c.requested_minutes, "reason": reason},
    )
    return c


def _apply_correction(*, old: ServiceRecord, minutes: int, reason: str, actor: User, now: dt.datetime) -> ServiceRecord:
    activity = old.activity
    new = ServiceRecord.objects.create(
        activity=activity,
        volunteer_id=old.volunteer_id,
        revision=old.revision + 1,
        team_id=old.team_id,
        service_date=old.service_date,
        place=old.place,
        content=old.content,
        started_at=old.started_at,
        ended_at=min(activity.ends_at, (old.started_at or activity.starts_at) + dt.timedelta(minutes=minutes)),
        minutes=minutes,
        rating=old.rating,
        flags=[*old.flags, "corrected"] if "corrected" not in old.flags else old.flags,
        note=reason[:200],
        recorder=actor,
        recorded_at=now,
        current=True,
    )
    ServiceRecord.objects.filter(pk=old.pk).update(current=False)
    Volunteer.objects.filter(pk=old.volunteer_id).update(total_minutes=F("total_minutes") + minutes - old.minutes)
    prior = HoursAward.objects.select_for_update().filter(record=old).first()
    minutes_before = prior.minutes_before if prior is not None else 0
    if prior is not None:
        prior.superseded_at = now
        prior.save(update_fields=["superseded_at"])
        if prior.entry_key:
            award_supersede(
                subject_id=old.volunteer_id,
                source=Entry.Source.VOLUNTEERING,
                source_key=prior.entry_key,
                actor=actor,
                reason=f"志愿服务记录更正：{reason}"[:500],
            )
    policy = policy_for(old.service_date.year)
    state = _year_state([old.volunteer_id], {old.service_date.year}).get(
        (old.volunteer_id, old.service_date.year), [0, 0]
    )
    points = policy.points(minutes_before=minutes_before, minutes=minutes, points_before=state[1])
    new.activity = activity
    h = HoursAward(
        record=new,
        volunteer_id=new.volunteer_id,
        activity_id=activity.pk,
        year=new.service_date.year,
        minutes_before=minutes_before,
        minutes=minutes,
        points=points,
        rule_code=activity.type.credit_rule_code,
        entry_key="",
        created_at=now,
    )
    if points > 0:
        key = f"volunteering:{activity.pk}:{new.volunteer_id}:r{new.revision}"
        (outcome,) = awards_record(
            awards=[
                Award(
                    subject_id=new.volunteer_id,
                    rule_code=activity.type.credit_rule_code,
                    points=points,
                    occurred_at=activity.ends_at,
                    evidence=(
                        f"志愿服务记录（更正）：{activity.title}（{activity.team.name}），{new.service_date:%Y-%m-%d}，"
                        f"核验服务时长{hours_text(minutes)}小时"
                    ),
                    source_key=key,
                )
            ],
            department_code=DEPARTMENT,
            recorder=actor,
            cause="volunteering.correction",
        )
        h.points, h.note, h.entry_key = outcome.points, outcome.note, key if outcome.points else ""
    h.save()
    return new
