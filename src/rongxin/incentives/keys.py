"""The county's signing keys (Ed25519, private halves encrypted at rest) and the pseudonym key.

Both secrets derive from the configured master key (``RONGXIN_PII_KEY``) with HKDF: the AES-GCM
key that wraps signing keys (:mod:`rongxin.core.signing`, the scheme the ledger's keys use too),
and the HMAC key for pseudonymous holder ids. Public keys are
cached per process and reloaded when a rotation adds a key.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction

from rongxin.core import clock, pii
from rongxin.core.audit import audit_record
from rongxin.core.models import AuditEvent
from rongxin.core.signing import ed25519_create, ed25519_private, new_kid
from rongxin.incentives.models import SigningKey
from rongxin.incentives.signing import KEYS_FORMAT, b64u

WRAP_INFO = b"rongxin/incentives/signing-wrap/v1"
HOLDER_INFO = b"rongxin/incentives/holder/v1"


@lru_cache(maxsize=1)
def pseudonym_key() -> bytes:
    return pii.derived_key(HOLDER_INFO)


def _create(now: Any) -> SigningKey:
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


_public_cache: dict[str, Ed25519PublicKey] = {}


def public_keys(*, cached: bool = False) -> dict[str, Ed25519PublicKey]:
    """Every published key (current and retired), by key id. ``cached``: the keys this process
    has read before, without a query (keys are only ever added, so a caller that meets an
    unknown key id asks again without it)."""
    if cached and _public_cache:
        return dict(_public_cache)
    kids = set(SigningKey.objects.values_list("kid", flat=True))
    if kids != set(_public_cache):
        _public_cache.clear()
        for kid, public in SigningKey.objects.values_list("kid", "public_key"):
            _public_cache[kid] = Ed25519PublicKey.from_public_bytes(bytes(public))
    return dict(_public_cache)


def keys_document() -> dict[str, Any]:
    """The public key document that providers download for offline verification."""
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
            for k in SigningKey.objects.order_by("created_at", "id")
        ],
    }


@transaction.atomic
def key_rotate(*, actor: Any) -> SigningKey:
    """Retire the current key and create a new one that signs from now on. Retired keys stay
    published so that credentials issued before keep verifying until they expire."""
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
