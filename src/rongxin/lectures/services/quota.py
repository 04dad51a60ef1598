"""The quota: the policy (how many lectures per period, the period's length, when the reminder
goes out) and the reminders to heads with nothing recorded near a period's end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import field_error
from rongxin.core.models import AuditEvent
from rongxin.lectures.domain.periods import period_containing, reminder_day
from rongxin.lectures.models import QuotaPolicy, QuotaReminder, Speaker
from rongxin.lectures.permissions.common import require_lecture_admin
from rongxin.lectures.selectors.common import quota_policy_on
from rongxin.lectures.selectors.quota import owes_in, quota_counts, quota_periods, today
from rongxin.subjects.services import notice_send

PERIOD_MONTHS = (1, 2, 3, 4, 6, 12)
MOST_LECTURES = 31


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()):  # int() would read "٣" as 3
            raise field_error(field, _("Give a whole number."), code="invalid")
        value = int(text)
    if not low <= value <= high:
        raise field_error(
            field, _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}, code="out_of_range"
        )
    return int(value)


@transaction.atomic
def quota_policy_set(
    *, actor: User, effective_from: dt.date, lectures_per_period: int, period_months: int, notice_days: int
) -> QuotaPolicy:
    """A lecture administrator sets the quota from ``effective_from`` on: the first day of a
    period under both the policy then in force and the new one, not in the past (history is
    not rewritten). Setting it again for the same day replaces that future policy. Writes the
    policy and the audit row ``quota_policy.set``. Raises NotFound, InvalidInput."""
    grant = require_lecture_admin(actor)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        raise field_error("effective_from", _("Give a date."), code="required")
    count = _whole(lectures_per_period, "lectures_per_period", 1, MOST_LECTURES)
    months = _whole(period_months, "period_months", 1, 12)
    if months not in PERIOD_MONTHS:
        raise field_error("period_months", _("Choose 1, 2, 3, 4, 6 or 12 months."), code="invalid_choice")
    notice = _whole(notice_days, "notice_days", 1, 27 * months)
    if effective_from < today():
        raise field_error("effective_from", _("A new policy starts today or later."), code="in_the_past")
    current = quota_policy_on(effective_from - dt.timedelta(days=1))
    for length in {months, current.period_months}:
        if period_containing(effective_from, length).start != effective_from:
            raise field_error(
                "effective_from",
                _("A policy starts on the first day of a period (of %(n)d months).") % {"n": length},
                code="not_a_period_start",
            )
    policy = QuotaPolicy.objects.select_for_update().filter(effective_from=effective_from).first()
    if policy is None:
        policy = QuotaPolicy(effective_from=effective_from, created_at=clock.now(), created_by=actor)
    policy.lectures_per_period, policy.period_months, policy.notice_days = count, months, notice
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError:  # set for the same day by a request running beside this one
        policy = QuotaPolicy.objects.select_for_update().get(effective_from=effective_from)
        policy.lectures_per_period, policy.period_months, policy.notice_days = count, months, notice
        policy.save(update_fields=["lectures_per_period", "period_months", "notice_days"])
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="quota_policy.set",
        object_type="quota_policy",
        object_id=policy.pk,
        details={
            "from": effective_from.isoformat(),
            "lectures_per_period": count,
            "period_months": months,
            "notice_days": notice,
        },
    )
    return policy


def quota_reminders_send(*, on: dt.date | None = None) -> int:
    """From the reminder day (``notice_days`` before the period ends) to the period's end, send
    each head who owes lectures in the period and has none recorded yet one notice
    (``lecture_quota``) and audit it (``quota.remind``). The unique key of
    :class:`QuotaReminder` makes a second run send nothing. Returns the number sent."""
    day = on or today()
    (current,) = quota_periods(day, day)
    if day < reminder_day(current.period, current.notice_days):
        return 0
    heads = [
        s
        for s in Speaker.objects.filter(kind=Speaker.Kind.HEAD, active=True, quota_since__isnull=False).order_by("pk")
        if owes_in(s, current.period)
    ]
    counts = quota_counts((s.pk for s in heads), [current])
    sent = 0
    for speaker in heads:
        if counts[(speaker.pk, current.period.start)] == 0 and _remind(speaker, current.period.start, current):
            sent += 1
    return sent


@transaction.atomic
def _remind(speaker: Speaker, period_start: dt.date, current: Any) -> bool:
    try:
        with transaction.atomic():
            QuotaReminder.objects.create(speaker=speaker, period_start=period_start, sent_at=clock.now())
    except IntegrityError:
        return False
    end = current.period.end
    if speaker.subject_id is not None:
        notice_send(
            subject_id=speaker.subject_id,
            kind="lecture_quota",
            title=gettext("No lecture recorded yet for %(start)s to %(end)s")
            % {"start": f"{period_start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"},
            body=gettext(
                "You owe %(n)d lecture(s) in your area in this period, which ends on %(end)s. "
                "Lectures count once their session is closed."
            )
            % {"n": current.required, "end": f"{end:%Y-%m-%d}"},
        )
    audit_record(
        actor=None,
        kind=AuditEvent.Kind.WRITE,
        action="quota.remind",
        object_type="speaker",
        object_id=speaker.pk,
        subject_id=speaker.subject_id,
        details={"period": f"{period_start:%Y-%m}", "notice": speaker.subject_id is not None},
    )
    return True
