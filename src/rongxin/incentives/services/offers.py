"""Offers: a provider proposes one, the county credit office approves, rejects or suspends it;
and the starter catalogue the demo and a fresh county begin with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, field_error
from rongxin.core.models import AuditEvent
from rongxin.incentives.domain.eligibility import GRADES
from rongxin.incentives.models import Incentive, Provider
from rongxin.incentives.permissions import access_incentive_for_decision, access_provider, access_provider_for_office


@dataclass
class IncentiveInput:
    code: str
    title_zh: str
    title_en: str
    category: str
    min_grade: str
    benefit_zh: str
    valid_from: dt.date
    benefit_en: str = ""
    valid_until: dt.date | None = None
    for_persons: bool = True
    for_organisations: bool = False
    quota_per_holder: int | None = None
    quota_period: str = ""
    quota_total: int | None = None


def _clean_incentive(data: IncentiveInput) -> dict[str, Any]:
    code = (data.code or "").strip().lower()
    if not code or len(code) > 30 or not code.replace("_", "").replace("-", "").isalnum():
        raise field_error(
            "code", _("A code is 1–30 lowercase letters, digits, hyphens or underscores."), code="code_format"
        )
    for f, n in (("title_zh", 100), ("title_en", 140), ("benefit_zh", 2000)):
        text = " ".join(str(getattr(data, f) or "").split())
        if not text:
            raise field_error(f, _("Required."), code="required")
        if len(text) > n:
            raise field_error(f, _("At most %(n)d characters.") % {"n": n}, code="too_long")
    if data.category not in Incentive.Category.values:
        raise field_error("category", _("Choose a category."), code="invalid_choice")
    if data.min_grade not in GRADES:
        raise field_error("min_grade", _("Choose a grade."), code="invalid_choice")
    if not (data.for_persons or data.for_organisations):
        raise field_error("for_persons", _("Choose who the incentive is for."), code="required")
    if data.valid_until is not None and data.valid_until < data.valid_from:
        raise field_error("valid_until", _("The end must not be before the start."), code="dates")
    if data.quota_per_holder is not None:
        if data.quota_per_holder < 1:
            raise field_error("quota_per_holder", _("At least 1."), code="quota")
        if data.quota_period not in Incentive.Period.values:
            raise field_error("quota_period", _("Choose the period of the quota."), code="invalid_choice")
    if data.quota_total is not None and data.quota_total < 1:
        raise field_error("quota_total", _("At least 1."), code="quota")
    return {
        "code": code,
        "title_zh": " ".join(data.title_zh.split()),
        "title_en": " ".join(data.title_en.split()),
        "category": data.category,
        "min_grade": data.min_grade,
        "benefit_zh": data.benefit_zh.strip(),
        "benefit_en": (data.benefit_en or "").strip()[:2000],
        "valid_from": data.valid_from,
        "valid_until": data.valid_until,
        "for_persons": bool(data.for_persons),
        "for_organisations": bool(data.for_organisations),
        "quota_per_holder": data.quota_per_holder,
        "quota_period": data.quota_period if data.quota_per_holder is not None else "",
        "quota_total": data.quota_total,
    }


@transaction.atomic
def incentive_propose(*, actor: User, data: IncentiveInput, provider_id: int | None = None) -> Incentive:
    """A provider proposes an offer (the county credit office may enter one for a provider).
    It applies once the county credit office approves it. Writes the offer and an audit row.
    Raises NotFound (neither a provider's account nor the office; an unknown provider) and
    InvalidInput (a field, or a taken code)."""
    provider: Provider
    if provider_id is not None:
        provider, role = access_provider_for_office(actor=actor, provider_id=provider_id), Role.COUNTY_CREDIT_OFFICE
    else:
        provider, role = access_provider(actor=actor), Role.INCENTIVE_PROVIDER
    values = _clean_incentive(data)
    if Incentive.objects.filter(code=values["code"]).exists():
        raise field_error("code", _("This code is taken."), code="duplicate")
    incentive = Incentive.objects.create(provider=provider, proposed_by=actor, proposed_at=clock.now(), **values)
    audit_record(actor=actor, role=role, kind=AuditEvent.Kind.WRITE, action="incentive.propose",
                 object_type="incentive", object_id=incentive.code)  # fmt: skip
    return incentive


@transaction.atomic
def incentive_decide(*, actor: User, incentive_id: int, approve: bool, reason: str = "") -> Incentive:
    """The county credit office approves or rejects a proposal, or suspends an approved offer.
    Writes the decision and an audit row. Raises NotFound (not the office, unknown offer),
    InvalidInput ``required`` (no reason to reject) and Conflict ``already_decided``."""
    incentive = access_incentive_for_decision(actor=actor, incentive_id=incentive_id, for_update=True)
    reason = " ".join((reason or "").split())[:300]
    if not approve and not reason:
        raise field_error("reason", _("Say why."), code="required")
    if approve and incentive.status == Incentive.Status.APPROVED:
        raise Conflict(_("This incentive is already approved."), code="already_decided")
    if approve:
        incentive.status = Incentive.Status.APPROVED
    else:
        incentive.status = (
            Incentive.Status.SUSPENDED if incentive.status == Incentive.Status.APPROVED else Incentive.Status.REJECTED
        )
    incentive.decided_by, incentive.decided_at, incentive.decision_reason = actor, clock.now(), reason
    incentive.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(actor=actor, role=Role.COUNTY_CREDIT_OFFICE, kind=AuditEvent.Kind.WRITE,
                 action=f"incentive.{incentive.status}", object_type="incentive", object_id=incentive.code,
                 details={"reason": reason})  # fmt: skip
    return incentive


# --- Starters -------------------------------------------------------------------------------
STARTERS = Path(__file__).resolve().parent.parent / "data" / "starters.yaml"


@transaction.atomic
def incentives_load_starters() -> int:
    """Load the starter providers and incentives (approved, valid from the file's date) unless
    some incentives exist. Returns how many incentives were created."""
    if Incentive.objects.exists():
        return 0
    doc = yaml.safe_load(STARTERS.read_text(encoding="utf-8"))
    now = clock.now()
    providers = {
        p["code"]: Provider.objects.create(code=p["code"], name=p["name"], created_at=now) for p in doc["providers"]
    }
    valid_from = doc["valid_from"]
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        starter_reason = str(_("Part of the starter catalogue of incentives"))
    for item in doc["incentives"]:
        values = _clean_incentive(
            IncentiveInput(
                code=item["code"],
                title_zh=item["title_zh"],
                title_en=item["title_en"],
                category=item["category"],
                min_grade=item["min_grade"],
                benefit_zh=item["benefit_zh"],
                benefit_en=item.get("benefit_en", ""),
                valid_from=valid_from,
                for_persons=item.get("for_persons", True),
                for_organisations=item.get("for_organisations", False),
                quota_per_holder=item.get("quota_per_holder"),
                quota_period=item.get("quota_period", ""),
                quota_total=item.get("quota_total"),
            )
        )
        Incentive.objects.create(
            provider=providers[item["provider"]],
            status=Incentive.Status.APPROVED,
            proposed_at=now,
            decided_at=now,
            # Stored text, read later by providers and the office: in the county's language.
            decision_reason=starter_reason,
            **values,
        )
        created += 1
    audit_record(actor=None, kind=AuditEvent.Kind.WRITE, action="incentives.load_starters",
                 object_type="incentive", object_id="starters", details={"incentives": created})  # fmt: skip
    return created
