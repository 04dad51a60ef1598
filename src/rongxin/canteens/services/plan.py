"""The county's coverage target and yearly build plan, set by canteen administrators (civil
affairs, county); anyone else gets :class:`NotFound` before their input is read."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from rongxin.accounts.models import User
from rongxin.canteens.models import BuildPlan, CoveragePolicy
from rongxin.canteens.permissions.common import require_canteen_admin
from rongxin.canteens.services.sites import FIRST_YEAR, whole
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent


# --- The coverage plan -------------------------------------------------------------------------------
@transaction.atomic
def coverage_policy_set(*, actor: User, target_percent: Any) -> CoveragePolicy:
    """A canteen administrator sets the county's coverage target (1 to 100 % of villages with
    an open canteen). Writes the policy (one per county) and the audit row ``coverage.set``.
    Raises NotFound, InvalidInput."""
    grant = require_canteen_admin(actor)
    target = whole(target_percent, "target_percent", 1, 100)
    county = grant.region
    defaults = {"target_percent": target, "changed_at": clock.now(), "changed_by": actor}
    try:
        with transaction.atomic():
            policy, _created = CoveragePolicy.objects.select_for_update().update_or_create(
                county=county, defaults=defaults
            )
    except IntegrityError:  # created by a request running beside this one
        policy, _created = CoveragePolicy.objects.select_for_update().update_or_create(county=county, defaults=defaults)
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="coverage.set",
        object_type="coverage_policy",
        object_id=policy.pk,
        details={"target_percent": target},
    )
    return policy


@transaction.atomic
def build_plan_set(*, actor: User, year: Any, planned: Any) -> BuildPlan:
    """A canteen administrator sets how many canteens the county plans to open in ``year``
    (replacing that year's plan). Writes the plan and the audit row ``build_plan.set``. Raises
    NotFound, InvalidInput."""
    grant = require_canteen_admin(actor)
    today = clock.today_local()
    year = whole(year, "year", FIRST_YEAR, today.year + 20)
    count = whole(planned, "planned", 0, 100_000)
    county = grant.region
    defaults = {"planned": count, "changed_at": clock.now(), "changed_by": actor}
    try:
        with transaction.atomic():
            plan, _created = BuildPlan.objects.select_for_update().update_or_create(
                county=county, year=year, defaults=defaults
            )
    except IntegrityError:
        plan, _created = BuildPlan.objects.select_for_update().update_or_create(
            county=county, year=year, defaults=defaults
        )
    audit_record(
        actor=actor,
        role=grant.role,
        kind=AuditEvent.Kind.WRITE,
        action="build_plan.set",
        object_type="build_plan",
        object_id=plan.pk,
        details={"year": year, "planned": count},
    )
    return plan
