"""Ed25519 signing keys kept in the database with their private halves encrypted at rest.

A module that signs (the ledger's daily roots, the incentive credentials) stores the public key
in the clear and the private key wrapped with AES-GCM under a
key derived from the configured master key (``RONGXIN_PII_KEY``) with HKDF. ``info`` names the
purpose, so each module's keys are wrapped under a different key; the key id is the associated
data, so a wrapped key moved to another id does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
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


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")


def b64u_decode(text: str) -> bytes:
    """Strict, canonical base64url (the inverse of :func:`b64u`): any character outside the
    alphabet is an error (the library's decoder skips them, so a text with characters inserted
    would still decode), and so is a text that is not the one encoding of its bytes (the unused
    low bits of the last character set: ``...A`` and ``...B`` can decode to the same bytes, and a
    signed text must have one spelling only). Raises ``ValueError``."""
    if "+" in text or "/" in text or "=" in text:
        raise ValueError("not base64url without padding")
    try:
        data = (text + "=" * (-len(text) % 4)).encode("ascii")
        raw = binascii.a2b_base64(data.translate(_FROM_URLSAFE), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("not url-safe base64") from exc
    if b64u(raw) != text:
        raise ValueError("not the canonical base64url encoding")
    return raw


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
