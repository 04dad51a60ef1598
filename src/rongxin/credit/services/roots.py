"""Signing the daily roots over all chain heads (see :mod:`rongxin.credit.selectors.roots`): the
worker computes yesterday's root once, signs it with the ledger key and stores it."""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction

from rongxin.core import clock
from rongxin.core.signing import b64u, ed25519_create, ed25519_private, new_kid
from rongxin.credit.models import ChainRoot, LedgerKey
from rongxin.credit.selectors.roots import day_end, root_compute, root_message

KEY_INFO = b"rongxin/credit/root-signing-wrap/v1"
# A record whose time was read just before midnight may commit just after it: a day's root is
# taken only this long after the day ended.
GRACE = dt.timedelta(minutes=10)


def ledger_key() -> tuple[str, Ed25519PrivateKey]:
    """The current ledger signing key (created on first use)."""
    key = LedgerKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    if key is None:
        now = clock.now()
        kid = new_kid(now)
        public, wrapped = ed25519_create(info=KEY_INFO, kid=kid)
        key = LedgerKey.objects.create(kid=kid, public_key=public, private_key_encrypted=wrapped, created_at=now)
    return key.kid, ed25519_private(info=KEY_INFO, kid=key.kid, wrapped=bytes(key.private_key_encrypted))


def chain_root_record(*, day: dt.date | None = None) -> ChainRoot | None:
    """Compute, sign and store the root of ``day`` (default: yesterday in the county). Idempotent:
    a day that has a root keeps it. Returns None while the day has not ended :data:`GRACE` ago.
    Writes one :class:`ChainRoot` (and the ledger key on first use)."""
    day = day or clock.today_local() - dt.timedelta(days=1)
    existing = ChainRoot.objects.filter(day=day).first()
    if existing is not None:
        return existing
    if clock.now() < day_end(day) + GRACE:
        return None
    value = root_compute(day=day)
    kid, private = ledger_key()
    signature = private.sign(root_message(day=day, root=value.root, subjects=value.subjects, facts=value.facts))
    try:
        with transaction.atomic():
            return ChainRoot.objects.create(
                day=day,
                root=value.root,
                subjects=value.subjects,
                facts=value.facts,
                computed_at=clock.now(),
                key_id=kid,
                signature=b64u(signature),
            )
    except IntegrityError:
        # Another worker stored the same day meanwhile (it computed the same value).
        return ChainRoot.objects.get(day=day)
