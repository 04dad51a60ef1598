"""Configuration the county credit office keeps: the activity types (each with the credit rule
its hours earn) and the hours conversion policy per year.

A policy takes effect from a year on; a year that has begun keeps the awards already made and
applies the new policy to later closes. Past years cannot be rewritten.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.accounts.permissions import require_role
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.credit.services.awards import rule_for_awards
from rongxin.volunteering.domain.conversion import validate_brackets
from rongxin.volunteering.models import ActivityType, ConversionPolicy
from rongxin.volunteering.services.closing import DEPARTMENT
from rongxin.volunteering.services.inputs import clean_text

CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@transaction.atomic
def activity_type_save(
    *,
    actor: User,
    code: str,
    name_zh: str,
    name_en: str,
    credit_rule_code: str,
    risky: bool = False,
    active: bool = True,
    order: int = 0,
) -> ActivityType:
    """Create or change an activity type (county credit office). The credit rule must be an award
    rule in force for persons that the volunteer federation records, with a points range (hours
    convert into a varying number of points)."""
    grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    code = (code or "").strip().lower()
    if not code or len(code) > 30 or set(code) - CODE_CHARS:
        raise field_error("code", _("A code is 1–30 lowercase letters, digits or underscores."), code="code_format")
    name_zh = clean_text(name_zh, field="name_zh", required=True, max_length=60)
    name_en = clean_text(name_en, field="name_en", required=True, max_length=80)
    rule_code = (credit_rule_code or "").strip().upper()
    try:
        rule = rule_for_awards(rule_code=rule_code, department_code=DEPARTMENT, on=clock.today_local())
    except InvalidInput as exc:
        raise field_error("credit_rule_code", exc.message, code=exc.code) from None
    if rule.points_min == rule.points_max:
        raise field_error(
            "credit_rule_code",
            _("Rule %(code)s has fixed points; hours need a rule with a points range.") % {"code": rule.code},
            code="rule_fixed_points",
        )
    t, created = ActivityType.objects.update_or_create(
        code=code,
        defaults={
            "name_zh": name_zh,
            "name_en": name_en,
            "credit_rule_code": rule.code,
            "risky": bool(risky),
            "active": bool(active),
            "order": max(0, min(int(order), 32_000)),
        },
    )
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="activity_type.create" if created else "activity_type.update",
        object_type="activity_type",
        object_id=code,
        details={"rule": rule.code, "risky": bool(risky), "active": bool(active)},
    )
    return t


@transaction.atomic
def conversion_policy_set(
    *, actor: User, effective_year: int, brackets: Any, yearly_cap_points: int, rounding_minutes: int = 30
) -> ConversionPolicy:
    """Set the hours conversion policy from ``effective_year`` on (this year or later)."""
    grant = require_role(actor, [Role.COUNTY_CREDIT_OFFICE])
    this_year = clock.today_local().year
    if not isinstance(effective_year, int) or not (this_year <= effective_year <= this_year + 5):
        raise field_error(
            "effective_year",
            _("A policy applies from this year or one of the next five; past years keep theirs."),
            code="past_year",
        )
    try:
        cleaned = validate_brackets(brackets)
    except ValueError as exc:
        raise field_error("brackets", str(exc), code="brackets") from None
    if not isinstance(yearly_cap_points, int) or not (1 <= yearly_cap_points <= 1000):
        raise field_error("yearly_cap_points", _("Between 1 and 1,000 points."), code="cap")
    if rounding_minutes not in (1, 5, 10, 15, 30, 60):
        raise field_error("rounding_minutes", _("Choose 1, 5, 10, 15, 30 or 60 minutes."), code="rounding")
    policy, _created = ConversionPolicy.objects.update_or_create(
        effective_year=effective_year,
        defaults={
            "brackets": cleaned,
            "yearly_cap_points": yearly_cap_points,
            "rounding_minutes": rounding_minutes,
            "created_at": clock.now(),
        },
    )
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="conversion_policy.set",
        object_type="conversion_policy",
        object_id=effective_year,
        details={"brackets": cleaned, "cap": yearly_cap_points, "rounding": rounding_minutes},
    )
    return policy
