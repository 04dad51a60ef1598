"""Writes of a quarterly commendation meeting (季度表彰): creating it, drawing the nominations,
the committee's changes, the awards set per name, publicity, cancelling, publishing the honour
roll, and the clock that ends publicity. Objections are in :mod:`.objections`, paying the awards
in :mod:`.awards`.

A meeting moves ``draft → publicity → awarding → published`` (or ``cancelled`` before the
awards are paid). Every write runs in one transaction under the meeting's row lock, checks the
actor runs the meeting (a town officer for a town's, a village officer for a village's; anyone
else gets NotFound) before it reads the input, and writes an audit row with the actor's role.
After publishing, every change is refused with 「光荣榜已发布，不能修改。」.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.credit.selectors.quarters import serious_deduction_now
from rongxin.funds.domain.money import AmountError, parse_yuan
from rongxin.funds.domain.nominations import EXCLUSION_TEXT, NO_CONSENT, OUTSIDE_REGION, SERIOUS_DEDUCTION
from rongxin.funds.models import Fund, Meeting, Nomination
from rongxin.funds.permissions.common import access_meeting, meeting_role
from rongxin.funds.selectors.nominations import nominations_for_region, quarter_days
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject

DEFAULT_PUBLICITY_DAYS = 7
MAX_PUBLICITY_DAYS = 30
PUBLISHED_MESSAGE = _("The honour roll is published; it cannot be changed.")
AMOUNT_MESSAGES = {
    "required": _("Enter the amount in yuan."),
    "not_a_number": _("Enter the amount in yuan, e.g. 200 or 200.50."),
    "too_many_decimals": _("An amount has at most two decimals (fen)."),
    "not_positive": _("The amount must be above zero."),
    "too_large": _("The amount is too large."),
}


# --- Shared checks ---------------------------------------------------------------------------------
def meeting_locked(meeting_id: int) -> Meeting:
    """The meeting's row, locked for the rest of the caller's transaction."""
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound()
    return meeting


def require_status(meeting: Meeting, *allowed: str) -> None:
    """Refuse a step the meeting's state does not allow (published and cancelled say so)."""
    if meeting.status in allowed:
        return
    if meeting.status == Meeting.Status.PUBLISHED:
        raise Conflict(PUBLISHED_MESSAGE, code="published")
    if meeting.status == Meeting.Status.CANCELLED:
        raise Conflict(_("This meeting is cancelled."), code="cancelled")
    raise Conflict(_("This step is not open at this stage of the meeting."), code="wrong_state")


def run_role(actor: User | None, meeting_id: int) -> tuple[Meeting, str]:
    """The meeting (NotFound unless the actor runs it) and the actor's role."""
    meeting = access_meeting(actor, meeting_id, run=True)
    return meeting, meeting_role(actor, meeting.region)


def _audit(actor: User | None, role: str, action: str, meeting: Meeting, **details: Any) -> None:
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        role=role,
        object_type="meeting",
        object_id=meeting.pk,
        details={"region": meeting.region.code if meeting.region_id else "", **details},
    )


def parse_amount(raw: object, field: str) -> Decimal:
    try:
        return parse_yuan(raw)
    except AmountError as exc:
        raise field_error(field, AMOUNT_MESSAGES[exc.code], code=exc.code) from None


def _reason(raw: object) -> str:
    return clean_text(raw, field="reason", required=True, max_length=200, multiline=False)


def publicity_over(meeting: Meeting, today: dt.date) -> bool:
    return meeting.publicity_ends_on is not None and today > meeting.publicity_ends_on


# --- Creating a meeting ----------------------------------------------------------------------------
def meeting_create(*, actor: User | None, region_id: int, year: int, quarter: int, title: str = "") -> Meeting:
    """Create the ``year`` Q``quarter`` meeting of a town or village (``draft``); it pays from the
    region's credit fund. Raises NotFound (the actor does not run the region's meetings, or it is
    not a town or village), InvalidInput (a quarter that has not begun, a bad quarter or title),
    Conflict (the region has no credit fund, or already has the quarter's meeting)."""
    region = Region.objects.filter(pk=region_id, level__in=[Region.Level.TOWN, Region.Level.VILLAGE]).first()
    if region is None:
        raise NotFound()
    role = meeting_role(actor, region)
    if not role:
        raise NotFound()
    if not isinstance(quarter, int) or not 1 <= quarter <= 4:
        raise field_error("quarter", _("A quarter is 1, 2, 3 or 4."), code="bad_quarter")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise field_error("year", _("Enter a year such as 2026."), code="bad_year")
    first, _last = quarter_days(year, quarter)
    if first > clock.today_local():
        raise field_error(
            "quarter", _("A meeting is held for a quarter that has ended or the current one."), code="future_quarter"
        )
    title = clean_text(title, field="title", required=False, max_length=100, multiline=False)
    title = title or f"{region.name}{year}年第{quarter}季度表彰"
    kind = Fund.Kind.TOWN_CREDIT if region.level == Region.Level.TOWN else Fund.Kind.VILLAGE_CREDIT
    fund = Fund.objects.filter(kind=kind, region=region).first()
    if fund is None:
        raise Conflict(_("This town or village has no credit fund yet."), code="no_fund")
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                region=region,
                fund=fund,
                year=year,
                quarter=quarter,
                title=title,
                created_at=clock.now(),
                created_by=actor,
            )
            _audit(actor, role, "meeting.create", meeting, year=year, quarter=quarter)
    except IntegrityError:
        raise Conflict(
            _("This town or village already has a meeting for that quarter."), code="duplicate_meeting"
        ) from None
    return meeting


# --- Nominations -------------------------------------------------------------------------------------
def meeting_nominate(*, actor: User | None, meeting_id: int) -> int:
    """Draw the meeting's list from the platform's data (``draft`` only): the proposed names with
    their reasons and the excluded names with why. Drawing again replaces the names drawn before
    (the committee's own additions and removals stay). Returns the number of names proposed."""
    meeting, role = run_role(actor, meeting_id)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT)
        region = Region.objects.get(pk=meeting.region_id)
        proposals = nominations_for_region(region=region, year=meeting.year, quarter=meeting.quarter)
        Nomination.objects.filter(
            meeting=meeting,
            origin=Nomination.Origin.DATA,
            status__in=[Nomination.Status.PROPOSED, Nomination.Status.EXCLUDED],
        ).delete()
        kept = set(Nomination.objects.filter(meeting=meeting).values_list("subject_id", flat=True))
        now = clock.now()
        rows = [
            Nomination(
                meeting=meeting,
                subject_id=p.subject_id,
                category=p.category,
                origin=Nomination.Origin.DATA,
                reasons=[r.as_json() for r in p.reasons],
                status=Nomination.Status.EXCLUDED if p.exclusion else Nomination.Status.PROPOSED,
                status_reason=p.exclusion_text,
                changed_at=now,
                changed_by=actor,
            )
            for p in proposals
            if p.subject_id not in kept
        ]
        Nomination.objects.bulk_create(rows)
        proposed = sum(1 for r in rows if r.status == Nomination.Status.PROPOSED)
        _audit(actor, role, "meeting.nominate", meeting, proposed=proposed, excluded=len(rows) - proposed)
    return proposed


def exclusion_of(*, subject: Subject, region: Region) -> str:
    """Why a person may not be named by ``region``'s meeting ("" when they may)."""
    if subject.kind != "person" or not region.contains(subject.village):
        return OUTSIDE_REGION
    if not getattr(getattr(subject, "person", None), "consent_given", False):
        return NO_CONSENT
    if serious_deduction_now(subject_id=subject.pk, now=clock.now()):
        return SERIOUS_DEDUCTION
    return ""


def nomination_add(*, actor: User | None, meeting_id: int, subject_id: int, category: str, reason: str) -> Nomination:
    """The committee adds a person with its reason (``draft`` only). A name the committee removed
    before comes back. Raises InvalidInput (unknown category, no reason, a person outside the
    region, without consent or with a serious deduction counting now: the message says which),
    Conflict (already on the list)."""
    meeting, role = run_role(actor, meeting_id)
    if category not in Nomination.Category.values:
        raise field_error("category", _("Choose 诚信者, 志愿者 or 干事者."), code="bad_category")
    text = _reason(reason)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT)
        region = Region.objects.get(pk=meeting.region_id)
        subject = Subject.objects.select_related("village", "person").filter(pk=subject_id).first()
        if subject is None:
            raise field_error("subject_id", _("No such person."), code="unknown_subject")
        why = exclusion_of(subject=subject, region=region)
        if why:
            raise field_error("subject_id", EXCLUSION_TEXT[why], code=why)
        existing = Nomination.objects.select_for_update().filter(meeting=meeting, subject=subject).first()
        now = clock.now()
        reasons = [{"code": "committee", "text": text}]
        if existing is not None:
            if existing.status != Nomination.Status.REMOVED:
                raise Conflict(_("This person is already on the list."), code="already_listed")
            existing.status = Nomination.Status.PROPOSED
            existing.status_reason = ""
            existing.category = category
            existing.origin = Nomination.Origin.COMMITTEE
            existing.reasons = [*existing.reasons, *reasons]
            existing.changed_at, existing.changed_by = now, actor
            existing.save(
                update_fields=["status", "status_reason", "category", "origin", "reasons", "changed_at", "changed_by"]
            )
            nomination = existing
        else:
            nomination = Nomination.objects.create(
                meeting=meeting,
                subject=subject,
                category=category,
                origin=Nomination.Origin.COMMITTEE,
                reasons=reasons,
                changed_at=now,
                changed_by=actor,
            )
        _audit(actor, role, "nomination.add", meeting, nomination=nomination.pk, subject=subject.pk, reason=text)
    return nomination


def _nomination_locked(meeting: Meeting, nomination_id: int) -> Nomination:
    nomination = (
        Nomination.objects.select_for_update()
        .filter(pk=nomination_id, meeting=meeting)
        .select_related("subject")
        .first()
    )
    if nomination is None:
        raise NotFound()
    return nomination


def nomination_remove(*, actor: User | None, meeting_id: int, nomination_id: int, reason: str) -> Nomination:
    """The committee takes a proposed name off the list with its reason (``draft`` only); the
    name stays on the working list as removed, with why."""
    meeting, role = run_role(actor, meeting_id)
    text = _reason(reason)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT)
        nomination = _nomination_locked(meeting, nomination_id)
        if nomination.status != Nomination.Status.PROPOSED:
            raise Conflict(_("Only a proposed name can be removed."), code="not_proposed")
        nomination.status = Nomination.Status.REMOVED
        nomination.status_reason = text
        nomination.changed_at, nomination.changed_by = clock.now(), actor
        nomination.save(update_fields=["status", "status_reason", "changed_at", "changed_by"])
        _audit(actor, role, "nomination.remove", meeting, nomination=nomination.pk, reason=text)
    return nomination


def nomination_set_award(
    *,
    actor: User | None,
    meeting_id: int,
    nomination_id: int,
    kind: str,
    amount: object = None,
    goods: str = "",
) -> Nomination:
    """Set what a proposed name receives: money (yuan, at most two decimals), goods (what, and
    their value in yuan) or a certificate. Open until the awards are paid."""
    meeting, role = run_role(actor, meeting_id)
    if kind not in Nomination.AwardKind.values:
        raise field_error("kind", _("Choose money, goods or a certificate."), code="bad_award_kind")
    value: Decimal | None = None
    what = ""
    if kind == Nomination.AwardKind.MONEY:
        value = parse_amount(amount, "amount")
    elif kind == Nomination.AwardKind.GOODS:
        what = clean_text(goods, field="goods", required=True, max_length=100, multiline=False)
        value = parse_amount(amount, "amount")
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT, Meeting.Status.PUBLICITY, Meeting.Status.AWARDING)
        if meeting.held_on is not None:
            raise Conflict(_("The awards are already paid."), code="already_awarded")
        nomination = _nomination_locked(meeting, nomination_id)
        if nomination.status != Nomination.Status.PROPOSED:
            raise Conflict(_("Only a proposed name receives an award."), code="not_proposed")
        nomination.award_kind, nomination.award_amount, nomination.award_goods = kind, value, what
        nomination.changed_at, nomination.changed_by = clock.now(), actor
        nomination.save(update_fields=["award_kind", "award_amount", "award_goods", "changed_at", "changed_by"])
        _audit(
            actor, role, "nomination.set_award", meeting, nomination=nomination.pk, kind=kind, amount=str(value or "")
        )
    return nomination


# --- Publicity, cancelling, publishing --------------------------------------------------------------------
def meeting_start_publicity(*, actor: User | None, meeting_id: int, days: int | None = None) -> Meeting:
    """Put the list in publicity from today for ``days`` days (7 unless told; 1 to 30), on the
    public page where anyone may object. Needs at least one proposed name."""
    meeting, role = run_role(actor, meeting_id)
    days = DEFAULT_PUBLICITY_DAYS if days is None else days
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_PUBLICITY_DAYS:
        raise field_error("days", _("Publicity lasts 1 to 30 days."), code="bad_days")
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT)
        if not meeting.nominations.filter(status=Nomination.Status.PROPOSED).exists():
            raise Conflict(_("The list has no proposed name yet."), code="empty_list")
        today = clock.today_local()
        meeting.status = Meeting.Status.PUBLICITY
        meeting.publicity_days = days
        meeting.publicity_starts_on = today
        meeting.publicity_ends_on = today + dt.timedelta(days=days - 1)
        meeting.save(update_fields=["status", "publicity_days", "publicity_starts_on", "publicity_ends_on"])
        _audit(actor, role, "meeting.publicity", meeting, days=days, until=meeting.publicity_ends_on.isoformat())
    return meeting


def meeting_cancel(*, actor: User | None, meeting_id: int, reason: str) -> Meeting:
    """Cancel the meeting before its awards are paid (its region may then not hold another for
    the quarter: the record stays)."""
    meeting, role = run_role(actor, meeting_id)
    text = _reason(reason)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.DRAFT, Meeting.Status.PUBLICITY, Meeting.Status.AWARDING)
        if meeting.held_on is not None:
            raise Conflict(_("The awards are already paid; the meeting cannot be cancelled."), code="already_awarded")
        meeting.status = Meeting.Status.CANCELLED
        meeting.save(update_fields=["status"])
        _audit(actor, role, "meeting.cancel", meeting, reason=text)
    return meeting


def meeting_publish(*, actor: User | None, meeting_id: int) -> Meeting:
    """Publish the honour roll (光荣榜) once the awards are paid; nothing changes afterwards."""
    meeting, role = run_role(actor, meeting_id)
    with transaction.atomic():
        meeting = meeting_locked(meeting.pk)
        require_status(meeting, Meeting.Status.AWARDING)
        if meeting.held_on is None:
            raise Conflict(_("Pay the awards before publishing the honour roll."), code="not_awarded")
        meeting.status = Meeting.Status.PUBLISHED
        meeting.published_at = clock.now()
        meeting.save(update_fields=["status", "published_at"])
        _audit(actor, role, "meeting.publish", meeting)
    return meeting


def meetings_publicity_close() -> int:
    """Move every meeting whose publicity has ended (its last day is before today) to
    ``awarding``. Idempotent: returns how many moved this time."""
    today = clock.today_local()
    ids = list(
        Meeting.objects.filter(status=Meeting.Status.PUBLICITY, publicity_ends_on__lt=today).values_list(
            "pk", flat=True
        )
    )
    moved = 0
    for meeting_id in ids:
        with transaction.atomic():
            moved += Meeting.objects.filter(pk=meeting_id, status=Meeting.Status.PUBLICITY).update(
                status=Meeting.Status.AWARDING
            )
            audit_record(
                actor=None,
                kind=AuditEvent.Kind.WRITE,
                action="meeting.publicity_end",
                object_type="meeting",
                object_id=meeting_id,
            )
    return moved
