"""Printed-card credentials in bulk, for the benchmarks that verify them (``rongxin bench
incentives`` and ``load``): a service call per holder would only time the setup."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rongxin.incentives.models import Incentive


def cards_in_bulk(incentive: Incentive, subject_ids: list[int]) -> list[str]:
    """Printed-card credentials of ``incentive`` for ``subject_ids``, made with the service's
    signing functions (current key, pseudonymous holder ids, claims and ``Credential`` rows) but
    written in one bulk insert; the tokens in order."""
    from django.db import transaction

    from rongxin.core import clock
    from rongxin.incentives.domain import signing
    from rongxin.incentives.models import Credential
    from rongxin.incentives.selectors import pseudonym_key
    from rongxin.incentives.services.credentials import CARD_DAYS
    from rongxin.incentives.services.keys import signing_key

    kid, private = signing_key()
    pkey = pseudonym_key()
    now = clock.now()
    expires = now + dt.timedelta(days=CARD_DAYS)
    tokens, rows = [], []
    for sid in subject_ids:
        holder = signing.holder_id(pkey, provider_id=incentive.provider_id, subject_id=sid)
        jti = signing.b64u(secrets.token_bytes(12))
        claims = signing.Claims(
            kid=kid, holder=holder, incentive=incentive.code, issued_at=int(now.timestamp()),
            expires_at=int(expires.timestamp()), jti=jti,
        )  # fmt: skip
        tokens.append(signing.sign_token(private, claims))
        rows.append(
            Credential(
                jti=jti, subject_id=sid, incentive=incentive, holder=holder, kind=Credential.Kind.CARD, kid=kid,
                issued_at=now, expires_at=dt.datetime.fromtimestamp(claims.expires_at, tz=dt.UTC),
            )
        )  # fmt: skip
    with transaction.atomic():
        Credential.objects.bulk_create(rows, batch_size=1000)
    return tokens
