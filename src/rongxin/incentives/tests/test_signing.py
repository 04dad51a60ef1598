"""The credential format: built by hand it matches the signer; any change breaks the signature;
lifetimes and key ids are enforced; the public key document round-trips."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rongxin.incentives.domain import signing

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
CLAIMS = signing.Claims(
    kid="k1", holder="ABCDEFGHIJKLMNOP", incentive="bus-half-aa", issued_at=int(T0.timestamp()),
    expires_at=int(T0.timestamp()) + 300, jti="n0nce",
)  # fmt: skip


def test_the_token_is_the_documented_format() -> None:
    e, t = CLAIMS.expires_at, CLAIMS.issued_at
    payload = f'{{"e":{e},"h":"ABCDEFGHIJKLMNOP","i":"bus-half-aa","k":"k1","n":"n0nce","t":{t},"v":1}}'
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    signature = KEY.sign(f"RXI1.{body}".encode())
    by_hand = f"RXI1.{body}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
    assert signing.sign_token(KEY, CLAIMS) == by_hand
    assert "score" not in payload
    assert signing.verify_token(
        by_hand, {"k1": KEY.public_key()}, now=T0 + dt.timedelta(minutes=1)
    ) == signing.Verified("ok", CLAIMS)


def test_every_alteration_is_detected() -> None:
    token = signing.sign_token(KEY, CLAIMS)
    keys = {"k1": KEY.public_key()}
    prefix, body, sig = token.split(".")
    raw = json.loads(signing.unb64u(body))
    raw["i"] = "bus-free-aaa"  # a better incentive
    forged_body = signing.b64u(json.dumps(raw, sort_keys=True, separators=(",", ":")).encode())
    cases = [
        f"{prefix}.{forged_body}.{sig}",
        f"{prefix}.{body}.{sig[:-2]}AA",
        f"RXI2.{body}.{sig}",
        token + "x",
        "",
        "RXI1..",
        "RXI1.e30.AAAA",
        signing.sign_token(OTHER, CLAIMS),  # signed by someone else with our key id
        # characters outside base64url inserted: a lenient decoder would skip them and verify
        f"{prefix}.{body}.{sig[:10]}!{sig[10:]}",
        f"{prefix}.{body[:5]}*{body[5:]}.{sig}",
        f"{prefix}.{body}.{sig[:10]}+/{sig[10:]}",
        f"{prefix}.{body}.{sig[:10]}字{sig[10:]}",
    ]
    for bad in cases:
        assert signing.verify_token(bad, keys, now=T0).status == "invalid", bad
    assert signing.verify_token(token, {"k2": KEY.public_key()}, now=T0).status == "unknown_key"


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-120, "expired"), (-59, "ok"), (0, "ok"), (299, "ok"), (300, "expired"), (3600, "expired")],
)
def test_lifetime(offset: int, status: str) -> None:
    token = signing.sign_token(KEY, CLAIMS)
    assert signing.verify_token(token, {"k1": KEY.public_key()}, now=T0 + dt.timedelta(seconds=offset)).status == status


def test_holder_ids_differ_per_provider_and_are_stable() -> None:
    key = b"p" * 32
    a = signing.holder_id(key, provider_id=1, subject_id=42)
    assert a == signing.holder_id(key, provider_id=1, subject_id=42)
    assert a != signing.holder_id(key, provider_id=2, subject_id=42)
    assert a != signing.holder_id(b"q" * 32, provider_id=1, subject_id=42)
    assert len(a) == 16
    assert len(signing.holder_bytes(a)) == 10


def test_the_raw_holder_id_is_the_decoded_text_one() -> None:
    key = b"p" * 32
    # By hand: HMAC-SHA256(key, "7:1234"), first 10 bytes.
    expected = hmac.new(key, b"7:1234", hashlib.sha256).digest()[:10]
    assert signing.holder_raw(key, provider_id=7, subject_id=1234) == expected
    assert signing.holder_bytes(signing.holder_id(key, provider_id=7, subject_id=1234)) == expected


def test_key_document_round_trip() -> None:
    doc = {
        "format": signing.KEYS_FORMAT,
        "keys": [{"kid": "k1", "alg": "Ed25519", "public_key": signing.b64u(KEY.public_key().public_bytes_raw())}],
    }
    keys = signing.public_keys_from_document(json.loads(json.dumps(doc)))
    assert signing.verify_token(signing.sign_token(KEY, CLAIMS), keys, now=T0).status == "ok"
    with pytest.raises(ValueError, match="not a Rongxin"):
        signing.public_keys_from_document({"keys": []})


def _non_canonical(text: str) -> str:
    """``text`` with its last character changed to another one that decodes to the same bytes
    (only the unused low bits differ)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for c in alphabet:
        other = text[:-1] + c
        pad = "=" * (-len(text) % 4)
        if other != text and base64.urlsafe_b64decode(other + pad) == base64.urlsafe_b64decode(text + pad):
            return other
    raise AssertionError("no other spelling")


def test_a_signature_or_payload_spelt_another_way_is_refused() -> None:
    # given a valid token, and the same bytes of its signature / payload spelt with another last
    # character (base64url leaves the low bits of the last character unused)
    claims = dataclasses.replace(CLAIMS, jti="n0nce1")  # a payload whose length leaves unused bits
    token = signing.sign_token(KEY, claims)
    keys = {"k1": KEY.public_key()}
    prefix, body, sig = token.split(".")
    other_sig, other_body = _non_canonical(sig), _non_canonical(body)
    assert base64.urlsafe_b64decode(other_sig + "==") == base64.urlsafe_b64decode(sig + "==")
    # when / then
    assert signing.verify_token(token, keys, now=T0).status == "ok"
    assert signing.verify_token(f"{prefix}.{body}.{other_sig}", keys, now=T0).status == "invalid"
    assert signing.verify_token(f"{prefix}.{other_body}.{sig}", keys, now=T0).status == "invalid"
    with pytest.raises(ValueError, match="canonical"):
        signing.unb64u(other_sig)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "1.0", "true", '"1700000000"'])
def test_a_payload_with_a_number_that_is_not_whole_is_invalid_not_an_error(value):
    # given an unsigned payload whose times are not whole numbers (one overflows int())
    payload = '{"e":' + value + ',"h":"H","i":"bus","k":"k1","n":"j","t":' + value + ',"v":1}'
    token = f"{signing.PREFIX}.{signing.b64u(payload.encode())}.{signing.b64u(b'x' * 64)}"
    # when it is checked, then it is invalid and nothing raises
    assert signing.verify_token(token, {}, now=dt.datetime(2026, 3, 1, tzinfo=dt.UTC)).status == "invalid"
