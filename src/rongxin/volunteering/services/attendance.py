"""Attendance: the organiser's rotating QR code, the volunteer's scan, and the organiser's
assisted record for a volunteer without a phone.

Every attempt is kept: a refused scan (replayed code, double check-in, check-out without
check-in) is stored with its problem before the error is raised, so the organiser sees it as an
anomaly when verifying the roster. A scan outside the geofence is accepted and flagged, never
dropped.

Concurrency: the QR scan and the assisted record both write through :func:`_record`, which
numbers accepted scans per volunteer and activity (``Scan.seq``, unique). Two taps at the same
moment both read the same past and ask for the same number; the database lets one in, and the
other, once the first has committed, is judged again against it and refused exactly as a
second tap would be (replayed code or already checked in). No row lock is taken for this: a
scan does not wait for other volunteers, and no lock order with the organiser's activity lock
can deadlock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import ApplicationError, Conflict, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.geo import distance_m
from rongxin.volunteering.models import Activity, Scan, Signup, Volunteer
from rongxin.volunteering.permissions import access_activity_for_organising, not_own_record, own_volunteer
from rongxin.volunteering.selectors.people import volunteer_by_number
from rongxin.volunteering.services.inputs import clean_text

# Scanning opens an hour before the start and closes an hour after the end; only time inside
# the activity window counts as service.
EARLY = dt.timedelta(hours=1)
LATE = dt.timedelta(hours=1)
# Judging a scan again after a concurrent one took its number: once is enough unless yet another
# scan of the same volunteer commits in between, which three attempts cover with room to spare.
RECORD_ATTEMPTS = 3


@dataclass(frozen=True)
class QrCode:
    token: str
    seconds_left: int
    activity: Activity


def attendance_code(*, actor: User, activity_id: int) -> QrCode:
    """The current check-in code for the organiser's screen (from an hour before the start to an
    hour after the end of a published activity)."""
    activity, _access = access_activity_for_organising(actor, activity_id=activity_id)
    now = clock.now()
    _scanning_open(activity, now)
    return QrCode(
        token=tokens.token_for(secret=bytes(activity.qr_secret), activity_id=activity.pk, at=now),
        seconds_left=tokens.seconds_left(now),
        activity=activity,
    )


def scanning_refusal(activity: Activity, at: dt.datetime) -> ApplicationError | None:
    """Why nobody can check in to ``activity`` at ``at`` (not published, too early, too late),
    or None while scanning is open. The organiser's code screen shows it instead of a code."""
    if activity.status != Activity.Status.PUBLISHED:
        return Conflict(_("Check-in is only possible for a published activity that is not closed."), code="not_open")
    if at < activity.starts_at - EARLY:
        return InvalidInput(_("Check-in opens an hour before the start."), code="too_early")
    if at > activity.ends_at + LATE:
        return InvalidInput(_("Check-in closed an hour after the end."), code="too_late")
    return None


def _scanning_open(activity: Activity, at: dt.datetime) -> None:
    refusal = scanning_refusal(activity, at)
    if refusal is not None:
        raise refusal


@dataclass(frozen=True)
class _Past:
    """What the volunteer's earlier scans of the activity say about a new one."""

    open_in_at: dt.datetime | None  # the accepted check-in not yet closed by a check-out
    # (kind, code step) of accepted scans: a refused scan used nothing, so whether a later tap
    # of the same code reads "replayed" never depends on which refused tap committed first
    steps: frozenset[tuple[str, int]]
    accepted: int  # how many scans were accepted


def _past_scans(activity: Activity, volunteer: Volunteer) -> _Past:
    """One read of the volunteer's scans of this activity (a handful of rows, by index)."""
    rows = Scan.objects.filter(activity=activity, volunteer=volunteer).values_list(
        "kind", "at", "id", "accepted", "token_step"
    )
    accepted = [(at, pk, kind) for kind, at, pk, ok, _step in rows if ok]
    last = max(accepted, default=None)
    return _Past(
        open_in_at=last[0] if last is not None and last[2] == Scan.Kind.IN else None,
        steps=frozenset((kind, step) for kind, _at, _pk, ok, step in rows if ok and step is not None),
        accepted=len(accepted),
    )


@dataclass(frozen=True)
class ScanResult:
    scan: Scan
    flags: list[str]


def _geo_flags(activity: Activity, lat: Decimal | None, lon: Decimal | None) -> tuple[list[str], int | None]:
    if activity.geofence_m is None or activity.latitude is None or activity.longitude is None:
        return [], None
    if lat is None or lon is None:
        return ["no_location"], None
    d = distance_m(float(activity.latitude), float(activity.longitude), float(lat), float(lon))
    return (["outside_geofence"] if d > activity.geofence_m else []), d


def _record(
    *,
    activity: Activity,
    volunteer: Volunteer,
    kind: str,
    method: str,
    at: dt.datetime,
    step: int | None,
    lat: Decimal | None,
    lon: Decimal | None,
    actor: User,
    reason: str = "",
    walk_in: bool = False,
) -> tuple[Scan, ApplicationError | None]:
    """Write the scan (accepted or refused) and return the error to raise after commit. Must
    run inside the caller's transaction."""
    attempt = 0
    while True:
        attempt += 1
        past = _past_scans(activity, volunteer)
        problem, error = _verdict(past, kind=kind, step=step)
        flags, distance = _geo_flags(activity, lat, lon) if method == Scan.Method.QR else ([], None)
        if walk_in:
            flags.append("walk_in")
        if error is None and kind == Scan.Kind.OUT and at > activity.ends_at:
            flags.append("beyond_window")
        seq = past.accepted + 1 if error is None else None
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction survives a lost race
                scan = Scan.objects.create(
                    activity=activity,
                    volunteer=volunteer,
                    kind=kind,
                    method=method,
                    at=at,
                    accepted=error is None,
                    seq=seq,
                    problem=problem,
                    flags=flags,
                    latitude=lat,
                    longitude=lon,
                    distance_m=distance,
                    token_step=step,
                    recorded_by=actor if method == Scan.Method.ASSISTED else None,
                    reason=reason,
                )
        except IntegrityError:
            # The unique index waited for the concurrent scan that took this number to commit;
            # anything else is not a lost race.
            taken = Scan.objects.filter(activity=activity, volunteer=volunteer, accepted=True, seq=seq)
            if seq is None or attempt == RECORD_ATTEMPTS or not taken.exists():
                raise
            continue
        return scan, error


def _verdict(past: _Past, *, kind: str, step: int | None) -> tuple[str, ApplicationError | None]:
    """The problem code and the error of a scan that the volunteer's past refuses, or none."""
    if step is not None and (kind, step) in past.steps:
        return "replayed", Conflict(_("This code has already been used; scan the current one."), code="replayed_code")
    if kind == Scan.Kind.IN and past.open_in_at is not None:
        return "already_in", Conflict(
            _("You checked in at %(t)s already; check out when you leave.")
            % {"t": f"{past.open_in_at.astimezone(clock.LOCAL_TZ):%H:%M}"},
            code="already_checked_in",
        )
    if kind == Scan.Kind.OUT and past.open_in_at is None:
        return "not_in", Conflict(_("Check in first; there is no check-in to close."), code="not_checked_in")
    return "", None


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError:
        raise field_error(field, _("These are not valid coordinates."), code="coordinates") from None
    if not (-limit <= d <= limit):
        raise field_error(field, _("These are not valid coordinates."), code="coordinates")
    return d


def attendance_scan(*, actor: User, token: str, kind: str, latitude: Any = None, longitude: Any = None) -> ScanResult:
    """The volunteer scans the organiser's code to check in or out. Raises InvalidInput (bad,
    forged or expired code, scanning closed, not signed up), Conflict (replayed code, double
    check-in, check-out without check-in; the refused scan is kept), NotFound."""
    volunteer = own_volunteer(actor)
    if kind not in Scan.Kind.values:
        raise field_error("kind", _("Choose check-in or check-out."), code="invalid_choice")
    lat, lon = _coordinate(latitude, "latitude", 90), _coordinate(longitude, "longitude", 180)
    parsed = tokens.parse(token)
    if parsed is None:
        raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
    with transaction.atomic():
        activity = Activity.objects.filter(pk=parsed.activity_id).first()
        if activity is None:
            raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
        now = clock.now()
        verdict = tokens.check(parsed, secret=bytes(activity.qr_secret), at=now)
        if verdict == "forged":
            raise field_error("token", _("This is not a check-in code of this platform."), code="invalid_code")
        if verdict == "expired":
            raise field_error(
                "token", _("This code has expired; scan the code on the organiser's screen now."), code="expired_code"
            )
        _scanning_open(activity, now)
        if not Signup.objects.filter(activity=activity, volunteer=volunteer, status=Signup.Status.CONFIRMED).exists():
            raise InvalidInput(_("You are not confirmed for this activity; ask the organiser."), code="not_signed_up")
        scan, error = _record(
            activity=activity,
            volunteer=volunteer,
            kind=kind,
            method=Scan.Method.QR,
            at=now,
            step=parsed.step,
            lat=lat,
            lon=lon,
            actor=actor,
        )
        audit_record(
            actor=actor,
            role=Role.RESIDENT,
            kind=AuditEvent.Kind.WRITE,
            action=f"attendance.{kind}",
            object_type="activity",
            object_id=activity.pk,
            subject_id=volunteer.pk,
            details={"accepted": scan.accepted, "problem": scan.problem, "flags": scan.flags},
        )
    if error is not None:
        raise error
    return ScanResult(scan=scan, flags=list(scan.flags))


def attendance_assist(
    *, actor: User, activity_id: int, volunteer_number: str, kind: str, at: dt.datetime | None, reason: str
) -> ScanResult:
    """The organiser records a check-in or check-out for a volunteer without a phone, with a
    reason. A volunteer present without a sign-up is recorded and flagged as a walk-in."""
    if kind not in Scan.Kind.values:
        raise field_error("kind", _("Choose check-in or check-out."), code="invalid_choice")
    reason = clean_text(reason, field="reason", required=True, max_length=200)
    with transaction.atomic():
        # The organiser's lock (against a close or a cancel at the same moment) is FOR NO KEY
        # UPDATE, which lets volunteers' QR scans of the activity insert meanwhile: a FOR UPDATE
        # would block their foreign-key check and could deadlock with a scan of the same volunteer.
        activity, access = access_activity_for_organising(actor, activity_id=activity_id, lock=True, no_key=True)
        volunteer = volunteer_by_number(volunteer_number)
        not_own_record(actor, volunteer)
        now = clock.now()
        at = at or now
        if at.tzinfo is None:
            raise field_error("at", _("The time needs a time zone."), code="naive_time")
        if at > now + dt.timedelta(minutes=1):
            raise field_error("at", _("The time cannot be in the future."), code="future_time")
        _scanning_open(activity, at)
        if now > activity.ends_at + LATE:
            raise Conflict(_("Check-in closed an hour after the end."), code="too_late")
        signed = Signup.objects.filter(activity=activity, volunteer=volunteer, status=Signup.Status.CONFIRMED).exists()
        scan, error = _record(
            activity=activity,
            volunteer=volunteer,
            kind=kind,
            method=Scan.Method.ASSISTED,
            at=at,
            step=None,
            lat=None,
            lon=None,
            actor=actor,
            reason=reason,
            walk_in=not signed,
        )
        audit_record(
            actor=actor,
            role=access.role,
            kind=AuditEvent.Kind.WRITE,
            action=f"attendance.assisted_{kind}",
            object_type="activity",
            object_id=activity.pk,
            subject_id=volunteer.pk,
            details={"accepted": scan.accepted, "problem": scan.problem, "reason": reason},
        )
    if error is not None:
        raise error
    return ScanResult(scan=scan, flags=list(scan.flags))
