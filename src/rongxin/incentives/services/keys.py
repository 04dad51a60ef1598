"""The county's signing keys (Ed25519, private halves encrypted at rest): the current one,
created on first use, and rotation.

The AES-GCM key that wraps signing keys derives from the configured master key
(``RONGXIN_PII_KEY``) with HKDF (:mod:`rongxin.core.signing`, the scheme the ledger's keys use
too). Reads of the published keys and the pseudonym key are in :mod:`rongxin.incentives.selectors`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent
from rongxin.core.signing import b64u, ed25519_create, ed25519_private, new_kid
from rongxin.incentives.domain.signing import KEYS_FORMAT
from rongxin.incentives.models import SigningKey
from rongxin.incentives.selectors import signing_keys_published

WRAP_INFO = b"rongxin/incentives/signing-wrap/v1"


def _create(now: dt.datetime) -> SigningKey:
    kid = new_kid(now)
    public, wrapped = ed25519_create(info=WRAP_INFO, kid=kid)
    return SigningKey.objects.create(kid=kid, public_key=public, private_key_encrypted=wrapped, created_at=now)


@transaction.atomic
def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """The current signing key (created on first use)."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first()
    if key is None:
        SigningKey.objects.select_for_update().exists()  # serialise the first creation
        key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-id").first() or _create(
            clock.now()
        )
    return key.kid, _private(key.kid, bytes(key.private_key_encrypted))


def _private(kid: str, blob: bytes) -> Ed25519PrivateKey:
    return ed25519_private(info=WRAP_INFO, kid=kid, wrapped=blob)


def keys_document() -> dict[str, Any]:
    """The public key document that providers download for offline verification (a signing
    key is created first if there is none yet)."""
    signing_key()  # make sure one exists
    return {
        "format": KEYS_FORMAT,
        "keys": [
            {
                "kid": k.kid,
                "alg": "Ed25519",
                "public_key": b64u(bytes(k.public_key)),
                "created_at": k.created_at.isoformat(),
                "retired_at": k.retired_at.isoformat() if k.retired_at else None,
            }
            for k in signing_keys_published()
        ],
    }


@transaction.atomic
def key_rotate(*, actor: User | None) -> SigningKey:
    """Retire the current key and create a new one that signs from now on. Retired keys stay
    published so that credentials issued before keep verifying until they expire. Writes an
    audit row (``actor`` None: the command line)."""
    now = clock.now()
    retired = list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True).values_list("kid", flat=True))
    SigningKey.objects.filter(kid__in=retired).update(retired_at=now)
    key = _create(now)
    audit_record(
        actor=actor,
        kind=AuditEvent.Kind.WRITE,
        action="incentives.key_rotate",
        object_type="signing_key",
        object_id=key.kid,
        details={"retired": retired},
    )
    return key
