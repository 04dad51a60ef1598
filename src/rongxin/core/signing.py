"""Ed25519 signing keys kept in the database with their private halves encrypted at rest.

A module that signs (the ledger's daily roots; the incentive cards keep their own copy of the
same scheme) stores the public key in the clear and the private key wrapped with AES-GCM under a
key derived from the configured master key (``RONGXIN_PII_KEY``) with HKDF. ``info`` names the
purpose, so each module's keys are wrapped under a different key; the key id is the associated
data, so a wrapped key moved to another id does not decrypt.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from rongxin.core import pii


def b64u(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def b64u_decode(text: str) -> bytes:
    """The inverse of :func:`b64u`; raises ``ValueError`` on text that is not base64."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise ValueError("not url-safe base64") from exc


def new_kid(now: dt.datetime) -> str:
    """A key id: the creation date and a random suffix (``20270101-a1b2c3``)."""
    return now.strftime("%Y%m%d") + "-" + secrets.token_hex(3)


def _wrap(info: bytes) -> AESGCM:
    return AESGCM(pii.derived_key(info))


def ed25519_create(*, info: bytes, kid: str) -> tuple[bytes, bytes]:
    """A fresh key pair: (raw public key, private key wrapped for ``info`` and ``kid``)."""
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    nonce = os.urandom(12)
    return public, nonce + _wrap(info).encrypt(nonce, raw, kid.encode())


@lru_cache(maxsize=8)
def ed25519_private(*, info: bytes, kid: str, wrapped: bytes) -> Ed25519PrivateKey:
    """The private key of a wrapped blob (cached: unwrapping derives a key)."""
    return Ed25519PrivateKey.from_private_bytes(_wrap(info).decrypt(wrapped[:12], wrapped[12:], kid.encode()))


def ed25519_verify(*, public_key: bytes, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is ``public_key``'s signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
