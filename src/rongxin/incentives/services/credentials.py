"""Credentials holders create (a live code for minutes, a printed card for days) and withdraw.

A credential is a signed token (:mod:`rongxin.incentives.domain.signing`) naming a pseudonymous
holder id that differs per provider; no score, name, ID number or phone is in it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.incentives.domain import signing
from rongxin.incentives.domain.eligibility import eligible_now, incentive_open
from rongxin.incentives.models import Credential, Incentive
from rongxin.incentives.permissions import access_credential, access_holder_subject
from rongxin.incentives.selectors import credit_grade_of, pseudonym_key, scoring_consent
from rongxin.incentives.services.keys import signing_key
from rongxin.subjects.models import Subject

LIVE_MINUTES = 5
CARD_DAYS = 30
DEFAULT_MAX_CARDS = 3


@dataclass(frozen=True)
class Issued:
    credential: Credential
    token: str


@transaction.atomic
def credential_issue(
    *, actor: User, incentive_id: int, kind: str = Credential.Kind.LIVE, subject_id: int | None = None
) -> Issued:
    """The holder creates a credential for an incentive they qualify for now: a live code (5
    minutes) or a printed card (30 days; at most ``max_cards()`` in force per offer). Writes the
    credential. Raises NotFound, InvalidInput (not eligible), Conflict ``card_limit``."""
    subject = access_holder_subject(actor=actor, subject_id=subject_id)
    if kind not in Credential.Kind.values:
        raise field_error("kind", _("Choose a live code or a printed card."), code="invalid_choice")
    incentive = Incentive.objects.select_related("provider").filter(pk=incentive_id).first()
    now = clock.now()
    today = now.astimezone(clock.LOCAL_TZ).date()
    if incentive is None or not incentive_open(incentive, today) or not incentive.provider.active:
        raise NotFound()
    if not scoring_consent(subject=subject):
        raise InvalidInput(
            _("Incentives depend on your credit grade, which needs your consent to scoring."), code="no_consent"
        )
    if not eligible_now(
        incentive=incentive,
        person=subject.kind == Subject.Kind.PERSON,
        grade=credit_grade_of(subject_id=subject.pk),
        today=today,
    ):
        raise InvalidInput(
            _("This incentive needs grade %(g)s or better.") % {"g": incentive.min_grade}, code="not_eligible"
        )
    if kind == Credential.Kind.CARD:
        _card_room(subject=subject, incentive=incentive, now=now)
    kid, private = signing_key()
    holder = signing.holder_id(pseudonym_key(), provider_id=incentive.provider_id, subject_id=subject.pk)
    expires = now + (
        dt.timedelta(minutes=LIVE_MINUTES) if kind == Credential.Kind.LIVE else dt.timedelta(days=CARD_DAYS)
    )
    jti = signing.b64u(secrets.token_bytes(12))
    claims = signing.Claims(
        kid=kid, holder=holder, incentive=incentive.code, issued_at=int(now.timestamp()),
        expires_at=int(expires.timestamp()), jti=jti,
    )  # fmt: skip
    credential = Credential.objects.create(
        jti=jti, subject=subject, incentive=incentive, holder=holder, kind=kind, kid=kid, issued_at=now,
        expires_at=dt.datetime.fromtimestamp(claims.expires_at, tz=dt.UTC),
    )  # fmt: skip
    return Issued(credential=credential, token=signing.sign_token(private, claims))


def max_cards() -> int:
    """Printed cards a holder may have in force per offer (``RONGXIN_INCENTIVE_MAX_CARDS``)."""
    return int(getattr(settings, "RONGXIN_INCENTIVE_MAX_CARDS", DEFAULT_MAX_CARDS))


def _card_room(*, subject: Subject, incentive: Incentive, now: dt.datetime) -> None:
    """Conflict ``card_limit`` when the holder already has the most printed cards in force
    (neither withdrawn nor expired) for this offer. The subject's row is locked so that two
    requests at once cannot both take the last place."""
    list(Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True))
    in_force = Credential.objects.filter(
        subject=subject, incentive=incentive, kind=Credential.Kind.CARD, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    limit = max_cards()
    if in_force >= limit:
        raise Conflict(
            _(
                "You already have %(n)d printed cards for this offer in force. Withdraw one (a lost card, for "
                "example) before printing another."
            )
            % {"n": limit},
            code="card_limit",
        )


@transaction.atomic
def credential_revoke(*, actor: User, jti: str) -> Credential:
    """The holder withdraws a credential (e.g. a lost card): checks answer ``revoked`` from now.
    Writes its withdrawal time (once). Raises NotFound for anyone else's credential."""
    credential = access_credential(actor=actor, jti=jti, for_update=True)
    if credential.revoked_at is None:
        credential.revoked_at = clock.now()
        credential.save(update_fields=["revoked_at"])
    return credential
