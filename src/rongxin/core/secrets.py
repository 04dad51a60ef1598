"""Secrets come from the environment; in development a key file is generated on first run.

The file lives in the data directory (ignored by git) so that a fresh clone never shares keys
with another machine and nothing secret is ever committed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


class MissingSecretError(RuntimeError):
    """A production process started without a required secret in its environment."""


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    pii_key: bytes


def _decode_key(value: str) -> bytes:
    key = base64.urlsafe_b64decode(value.encode())
    if len(key) != 32:
        raise MissingSecretError("RONGXIN_PII_KEY must be 32 bytes, url-safe base64 encoded")
    return key


def load_secrets(*, env: str, data_dir: Path) -> Secrets:
    secret_key = os.environ.get("RONGXIN_SECRET_KEY")
    pii_key = os.environ.get("RONGXIN_PII_KEY")
    if secret_key and pii_key:
        return Secrets(secret_key=secret_key, pii_key=_decode_key(pii_key))
    if env == "production":
        raise MissingSecretError("RONGXIN_SECRET_KEY and RONGXIN_PII_KEY must be set in production")
    path = data_dir / "secrets.json"
    data: dict[str, str] = {}
    if path.exists():
        data = json.loads(path.read_text())
    changed = False
    if "secret_key" not in data:
        data["secret_key"] = secrets.token_urlsafe(50)
        changed = True
    if "pii_key" not in data:
        data["pii_key"] = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        changed = True
    if changed:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
    return Secrets(
        secret_key=secret_key or data["secret_key"],
        pii_key=_decode_key(pii_key) if pii_key else _decode_key(data["pii_key"]),
    )
