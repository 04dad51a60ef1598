"""Redemptions: a provider records that it gave the benefit, under its own reference, after the
credential is checked again and the offer's quotas hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, field_error
from rongxin.core.models import AuditEvent
from rongxin.incentives.models import Check, Credential, Incentive, Redemption
from rongxin.incentives.permissions import access_provider
from rongxin.incentives.selectors import credentials_resolve


def _period_start(period: str, now: dt.datetime) -> dt.datetime:
    local = now.astimezone(clock.LOCAL_TZ)
    day = dt.datetime(local.year, local.month, local.day, tzinfo=clock.LOCAL_TZ)
    if period == Incentive.Period.DAY:
        return day
    if period == Incentive.Period.WEEK:
        return day - dt.timedelta(days=local.weekday())
    if period == Incentive.Period.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    created: bool


def redemption_record(*, actor: User, token: str, reference: str) -> RedemptionResult:
    """The provider records that it gave the benefit, with its own reference (a retry with the
    same reference and credential returns the first record). Checks the credential and the
    quotas under the incentive's lock. Raises NotFound, InvalidInput (credential not valid or
    not eligible), Conflict (reference reused, live code used twice, quota exhausted). Writes
    the redemption, the offer's redeemed count, a check row and an audit row; a refused attempt
    is recorded as a check (and audited) too."""
    provider = access_provider(actor=actor)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise field_error("reference", _("Give your own reference (1–64 characters)."), code="reference")
    error: Exception | None = None
    redemption: Redemption | None = None
    with transaction.atomic():
        now = clock.now()
        resolved = credentials_resolve(provider=provider, tokens=[str(token or "")], now=now)[0]
        existing = Redemption.objects.filter(provider=provider, reference=reference).first()
        if existing is not None:
            if resolved.credential is not None and existing.credential_jti == resolved.credential.jti:
                return RedemptionResult(existing, False)
            raise Conflict(_("This reference was already used for another redemption."), code="reference_reused")
        c, answer = resolved.credential, resolved.answer
        result = answer.reason
        if answer.reason == Check.Result.USED:
            result, error = (
                Check.Result.REPLAYED,
                Conflict(_("This live code was already used; ask the holder to show a new one."), code="replayed"),
            )
        elif answer.eligible and c is not None:
            incentive = Incentive.objects.select_for_update().get(pk=c.incentive_id)
            existing = Redemption.objects.filter(provider=provider, reference=reference).first()
            if existing is not None:  # a concurrent retry committed while we waited for the lock
                if existing.credential_jti == c.jti:
                    return RedemptionResult(existing, False)
                raise Conflict(_("This reference was already used for another redemption."), code="reference_reused")
            if c.kind == Credential.Kind.LIVE and Redemption.objects.filter(credential_jti=c.jti).exists():
                result, error = (
                    Check.Result.REPLAYED,
                    Conflict(_("This live code was already used; ask the holder to show a new one."), code="replayed"),
                )
            elif incentive.quota_total is not None and incentive.redeemed_total >= incentive.quota_total:
                result, error = (
                    Check.Result.QUOTA,
                    Conflict(_("This incentive has been used up."), code="quota_exhausted"),
                )
            elif incentive.quota_per_holder is not None:
                used = Redemption.objects.filter(
                    incentive=incentive, subject_id=c.subject_id, at__gte=_period_start(incentive.quota_period, now)
                ).count()
                if used >= incentive.quota_per_holder:
                    result, error = (
                        Check.Result.QUOTA,
                        Conflict(
                            _("The holder has used this incentive %(n)d times %(per)s already.")
                            % {"n": used, "per": incentive.get_quota_period_display()},
                            code="quota_exhausted",
                        ),
                    )
            if error is None:
                try:
                    with transaction.atomic():
                        redemption = Redemption.objects.create(
                            provider=provider, incentive=incentive, subject_id=c.subject_id, holder=c.holder,
                            reference=reference, credential_jti=c.jti, at=now, recorded_by=actor,
                        )  # fmt: skip
                except IntegrityError:  # the same reference on another offer, committed meanwhile
                    raise Conflict(
                        _("This reference was already used for another redemption."), code="reference_reused"
                    ) from None
                incentive.redeemed_total += 1
                incentive.save(update_fields=["redeemed_total"])
        Check.objects.create(
            provider=provider,
            subject_id=c.subject_id if c else None,
            incentive=resolved.incentive,
            credential_jti=c.jti if c else "",
            at=now,
            channel=Check.Channel.REDEMPTION,
            result=result,
        )
        audit_record(
            actor=actor,
            role=Role.INCENTIVE_PROVIDER,
            kind=AuditEvent.Kind.WRITE,
            action="incentive.redeem" if answer.eligible and error is None else "incentive.redeem_refused",
            object_type="incentive",
            object_id=resolved.incentive.code if resolved.incentive else "",
            subject_id=c.subject_id if c else None,
            details={"reference": reference, "result": result},
        )
    if error is not None:
        raise error
    if not answer.eligible or redemption is None:
        raise InvalidInput(_NOT_OK.get(answer.reason, _NOT_OK["invalid"]), code=answer.reason)
    return RedemptionResult(redemption, True)


_NOT_OK = {
    "invalid": _("This is not a valid credential (forged, altered or unknown)."),
    "expired": _("This credential has expired; ask the holder to show a new one."),
    "wrong_provider": _("This credential is for another provider's incentive."),
    "revoked": _("The holder has withdrawn this credential."),
    "not_eligible": _("The holder is not eligible for this incentive now."),
}
