"""Personal data at rest: encryption, keyed lookup hashes, and masking.

- :func:`encrypt` / :func:`decrypt`: AES-256-GCM with a random 96-bit nonce. The stored value
  is ``version byte || nonce || ciphertext+tag``; the version byte lets keys rotate.
- :func:`lookup_hash`: HMAC-SHA256 under a separate derived key, so an equality search works
  without decrypting and the hash is useless without the key (ID numbers have too little
  entropy for a plain hash).
- :func:`mask_id_number`, :func:`mask_phone`: what a screen shows.

Both keys derive from ``settings.RONGXIN_PII_KEY`` with HKDF, so one secret is configured.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_VERSION = 1


class PiiKeys:
    """The derived keys; built once per process from the configured master key."""

    def __init__(self, master: bytes):
        self.aead = AESGCM(self._derive(master, b"rongxin/pii/aead/v1"))
        self.hmac_key = self._derive(master, b"rongxin/pii/lookup/v1")

    @staticmethod
    def _derive(master: bytes, info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    def encrypt(self, plaintext: str) -> bytes:
        nonce = os.urandom(12)
        return bytes([KEY_VERSION]) + nonce + self.aead.encrypt(nonce, plaintext.encode(), None)

    def decrypt(self, blob: bytes | memoryview) -> str:
        blob = bytes(blob)
        if blob[0] != KEY_VERSION:
            raise ValueError(f"unknown PII key version {blob[0]}")
        return self.aead.decrypt(blob[1:13], blob[13:], None).decode()

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self.hmac_key, value.encode(), hashlib.sha256).hexdigest()


@lru_cache(maxsize=1)
def keys() -> PiiKeys:
    return PiiKeys(settings.RONGXIN_PII_KEY)


def derived_key(info: bytes) -> bytes:
    """A 32-byte key for another purpose (``info`` names it), derived from the same master."""
    return PiiKeys._derive(settings.RONGXIN_PII_KEY, info)


def encrypt(plaintext: str) -> bytes:
    return keys().encrypt(plaintext)


def decrypt(blob: bytes | memoryview) -> str:
    return keys().decrypt(blob)


def lookup_hash(value: str) -> str:
    return keys().lookup_hash(value)


def mask_id_number(id_number: str) -> str:
    """``371082199001011234`` → ``3710**********1234`` (first 4 and last 4 shown)."""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
