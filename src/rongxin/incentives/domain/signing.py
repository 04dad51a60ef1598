"""Credentials and exports signed with Ed25519, verifiable offline with the county's published
public keys.

**Credential token** (what the holder's QR code carries)::

    RXI1.<payload>.<signature>

``payload`` is base64url (no padding) of compact JSON with sorted keys:

| key | meaning |
|---|---|
| ``v`` | format version, 1 |
| ``k`` | key id of the signing key |
| ``h`` | pseudonymous holder id (16 base32 characters; different for each provider) |
| ``i`` | incentive code |
| ``t`` | issued at (Unix seconds) |
| ``e`` | expires at (Unix seconds) |
| ``n`` | credential id (random) |

``signature`` is base64url of the Ed25519 signature over the ASCII bytes ``RXI1.<payload>``.
No score, name, ID number or phone is in a token.

**Public keys** (``GET /api/v1/incentives/keys``, or ``rongxin incentives keys``)::

    {"format": "rongxin-incentive-keys/1",
     "keys": [{"kid": "...", "alg": "Ed25519", "public_key": "<base64url 32 bytes>",
               "created_at": "...", "retired_at": null}]}

**Eligibility export** of one incentive: the sorted 10-byte holder ids, concatenated; its
signature is over ``RXE1.<incentive code>.<generated at, Unix seconds>.<hex SHA-256 of the ids>``.

**Status list** of one provider (``GET /api/v1/incentives/status``, or ``rongxin incentives
status CODE``): ``RXS1.<payload>.<signature>`` in the token format, payload keys ``v`` (1),
``k`` (key id), ``p`` (provider code), ``t`` (made at), ``e`` (good until, Unix seconds), ``i``
(the provider's open offers), ``r`` (ids of unexpired credentials an online check would refuse).
An offline verifier accepts a credential only with a list that is still good, that names its
offer and does not name its id (:func:`verify_offline`); so a card of a holder whose grade fell
stops verifying offline at the latest when the verifier's list runs out (24 hours after it was
made).

**Rotation**: ``rongxin incentives rotate-key`` creates a new key that signs from then on and
retires the old one; retired keys stay published (and verify) so that credentials already
issued keep working until they expire.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rongxin.core.signing import b64u, b64u_decode

PREFIX = "RXI1"
EXPORT_PREFIX = "RXE1"
STATUS_PREFIX = "RXS1"
STATUS_FORMAT = "rongxin-incentive-status/1"
HOLDER_BYTES = 10
KEYS_FORMAT = "rongxin-incentive-keys/1"
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


# One base64url for the platform: strict and canonical (core.signing).
unb64u = b64u_decode


def holder_id(pseudonym_key: bytes, *, provider_id: int, subject_id: int) -> str:
    """The holder's pseudonym towards one provider: stable, unlinkable across providers
    without the county's key."""
    digest = hmac.new(pseudonym_key, f"{provider_id}:{subject_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:HOLDER_BYTES]).decode()


def holder_bytes(holder: str) -> bytes:
    return base64.b32decode(holder)


def holder_raw(pseudonym_key: bytes, *, provider_id: int, subject_id: int) -> bytes:
    """``holder_bytes(holder_id(...))`` without the text round trip: the export computes it for
    every eligible subject of the county."""
    return hmac.digest(pseudonym_key, f"{provider_id}:{subject_id}".encode(), "sha256")[:HOLDER_BYTES]


@dataclass(frozen=True)
class Claims:
    kid: str
    holder: str
    incentive: str
    issued_at: int
    expires_at: int
    jti: str

    def as_payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "k": self.kid,
            "h": self.holder,
            "i": self.incentive,
            "t": self.issued_at,
            "e": self.expires_at,
            "n": self.jti,
        }


def sign_token(private_key: Ed25519PrivateKey, claims: Claims) -> str:
    payload = b64u(_encode(claims.as_payload()).encode())
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{b64u(private_key.sign(signed.encode()))}"


@dataclass(frozen=True)
class Verified:
    status: str  # "ok", "expired", "invalid" (malformed, altered or forged), "unknown_key"
    claims: Claims | None = None


def _whole(value: Any) -> int:
    """A JSON whole number as signed (``1e400``, ``1.0``, ``true`` and ``"1"`` are not)."""
    if type(value) is not int:
        raise ValueError("not a whole number")
    return value


def verify_token(token: str, public_keys: dict[str, Ed25519PublicKey], *, now: dt.datetime) -> Verified:
    """Check a token's form, key, signature and lifetime. Never raises on bad input."""
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX or len(token) > 1000:
        return Verified("invalid")
    try:
        payload = unb64u(parts[1])
        raw = json.loads(payload)
        signature = unb64u(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return Verified("invalid")
    if not isinstance(raw, dict) or raw.get("v") != 1:
        return Verified("invalid")
    try:
        claims = Claims(
            kid=str(raw["k"]),
            holder=str(raw["h"]),
            incentive=str(raw["i"]),
            issued_at=_whole(raw["t"]),
            expires_at=_whole(raw["e"]),
            jti=str(raw["n"]),
        )
    except (KeyError, TypeError, ValueError):
        return Verified("invalid")
    key = public_keys.get(claims.kid)
    if key is None:
        return Verified("unknown_key")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except InvalidSignature:
        return Verified("invalid")
    if _encode(raw).encode() != payload:
        return Verified("invalid")  # a re-encoded payload is not the one that was signed
    if not claims.issued_at - 60 <= now.timestamp() < claims.expires_at:
        return Verified("expired", claims)
    return Verified("ok", claims)


@dataclass(frozen=True)
class StatusList:
    """What a provider's offline verifier must also honour: the provider's offers open when the
    list was made, and the ids of its unexpired credentials that an online check would refuse
    (withdrawn, holder no longer qualifies, live code already used). Good until ``valid_until``."""

    kid: str
    provider: str
    generated_at: int
    valid_until: int
    incentives: frozenset[str]
    revoked: frozenset[str]

    def as_payload(self) -> dict[str, Any]:
        return {
            "v": 1,
            "k": self.kid,
            "p": self.provider,
            "t": self.generated_at,
            "e": self.valid_until,
            "i": sorted(self.incentives),
            "r": sorted(self.revoked),
        }


def sign_status(private_key: Ed25519PrivateKey, status: StatusList) -> str:
    """``RXS1.<base64url JSON>.<base64url Ed25519 over "RXS1.<payload>">`` (the token format)."""
    payload = b64u(_encode(status.as_payload()).encode())
    signed = f"{STATUS_PREFIX}.{payload}"
    return f"{signed}.{b64u(private_key.sign(signed.encode()))}"


def read_status(text: str, public_keys: dict[str, Ed25519PublicKey]) -> StatusList:
    """The status list a signed ``RXS1`` text carries. ValueError unless it is one, signed by a
    key in ``public_keys`` (``unknown key`` when the key id is not there)."""
    parts = (text or "").strip().split(".")
    if len(parts) != 3 or parts[0] != STATUS_PREFIX:
        raise ValueError("not a status list")
    try:
        payload = unb64u(parts[1])
        raw = json.loads(payload)
        signature = unb64u(parts[2])
        status = StatusList(
            kid=str(raw["k"]),
            provider=str(raw["p"]),
            generated_at=_whole(raw["t"]),
            valid_until=_whole(raw["e"]),
            incentives=frozenset(str(i) for i in raw["i"]),
            revoked=frozenset(str(r) for r in raw["r"]),
        )
    except (ValueError, binascii.Error, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"not a status list: {exc}") from None
    if raw.get("v") != 1 or _encode(raw).encode() != payload:
        raise ValueError("not a status list")
    key = public_keys.get(status.kid)
    if key is None:
        raise ValueError("unknown key")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode())
    except InvalidSignature:
        raise ValueError("the status list's signature does not hold") from None
    return status


def verify_offline(
    token: str, public_keys: dict[str, Ed25519PublicKey], status: StatusList | None, *, now: dt.datetime
) -> Verified:
    """What an offline verifier answers: ``verify_token``, then the provider's status list.
    Besides the statuses of ``verify_token``: ``stale`` (no list, or it is past its
    ``valid_until``: fetch a new one), ``not_covered`` (the offer is not one of the list's open
    offers: another provider's, or closed), ``revoked`` (listed: withdrawn, the holder no longer
    qualifies, or a live code already used)."""
    verified = verify_token(token, public_keys, now=now)
    if verified.status != "ok" or verified.claims is None:
        return verified
    if status is None or not status.generated_at - 60 <= now.timestamp() < status.valid_until:
        return Verified("stale", verified.claims)
    if verified.claims.incentive not in status.incentives:
        return Verified("not_covered", verified.claims)
    if verified.claims.jti in status.revoked:
        return Verified("revoked", verified.claims)
    return verified


def export_message(*, incentive: str, generated_at: dt.datetime, content: bytes) -> bytes:
    digest = hashlib.sha256(content).hexdigest()
    return f"{EXPORT_PREFIX}.{incentive}.{int(generated_at.timestamp())}.{digest}".encode()


def public_keys_from_document(document: dict[str, Any]) -> dict[str, Ed25519PublicKey]:
    """The keys of a published key document (for offline verification). ValueError if it is
    not one."""
    if document.get("format") != KEYS_FORMAT or not isinstance(document.get("keys"), list):
        raise ValueError("not a Rongxin incentive key document")
    out = {}
    for item in document["keys"]:
        if item.get("alg") != "Ed25519":
            continue
        out[str(item["kid"])] = Ed25519PublicKey.from_public_bytes(unb64u(str(item["public_key"])))
    return out
