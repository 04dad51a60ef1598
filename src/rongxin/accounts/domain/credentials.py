"""Credentials as values: how sign-in spells a username, and API keys (made and hashed).

Pure functions; the API's authentication (:mod:`rongxin.accounts.api.auth`) and the sign-in page
use them, the accounts services store what they return.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata

KEY_PREFIX = "rx_"


def username_normalise(raw: str) -> str:
    """The username as sign-in looks it up: NFKC (full-width letters from a Chinese input method
    become ASCII, as Django normalises usernames on creation), surrounding whitespace removed.
    The lookup itself is exact (case-sensitive on SQLite and PostgreSQL alike)."""
    return unicodedata.normalize("NFKC", raw).strip()


def username_rate_key(raw: str) -> str:
    """The sign-in rate-limit bucket of a typed username: the name sign-in looks up, case-folded,
    so every spelling that could reach one account (``" Lecturer "``, ``"ＬＥＣＴＵＲＥＲ"``)
    counts against the same bucket, whatever the database's collation."""
    return username_normalise(raw).casefold()


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


# No 0/O, 1/l/I: a generated password is read aloud or copied from a screen once.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 (an alphabet, not a password)


def new_password() -> str:
    """A one-time password an administrator hands over (four groups of four, ~93 bits); the
    account must change it at its first sign-in."""
    groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
