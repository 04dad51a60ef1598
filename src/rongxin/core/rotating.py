"""Rotating check-in codes, shared by every module that takes attendance with a QR code on a
screen (volunteering activities, lecture sessions, ...).

The organiser's screen shows a QR code that changes every :data:`STEP_SECONDS`. A token is
``<prefix>.<object id>.<step>.<mac>`` where ``step`` is the Unix time divided by
:data:`STEP_SECONDS` and ``mac`` the first 12 bytes (base64url) of HMAC-SHA256 over
``"<object id>.<step>"`` with the object's own random secret. The prefix says which module the
code belongs to (``v1`` volunteering, ``l1`` lectures). A code is accepted during its own step
and the one after it (so a scan just before the change still works, at most about a minute after
it appeared), and one step early for clock skew; the caller makes sure the same code is not used
twice by one person for one action.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

STEP_SECONDS = 30


def step_at(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def seconds_left(at: dt.datetime) -> int:
    return STEP_SECONDS - int(at.timestamp()) % STEP_SECONDS


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def _mac(secret: bytes, object_id: int, step: int) -> str:
    digest = hmac.new(secret, f"{object_id}.{step}".encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class ParsedToken:
    object_id: int
    step: int
    mac: str


@dataclass(frozen=True)
class RotatingCode:
    """The codes of one module, told apart by ``prefix``."""

    prefix: str

    def token_for(self, *, secret: bytes, object_id: int, at: dt.datetime) -> str:
        step = step_at(at)
        return f"{self.prefix}.{object_id}.{step}.{_mac(secret, object_id, step)}"

    def parse(self, token: str) -> ParsedToken | None:
        """The parts of a well-formed token of this prefix (the MAC is not checked here), or None."""
        parts = (token or "").strip().split(".")
        if len(parts) != 4 or parts[0] != self.prefix:
            return None
        if not (parts[1].isascii() and parts[1].isdigit() and parts[2].isascii() and parts[2].isdigit()):
            return None
        object_id, step = int(parts[1]), int(parts[2])
        if object_id <= 0 or step <= 0 or len(parts[3]) != 16:
            return None
        return ParsedToken(object_id=object_id, step=step, mac=parts[3])

    @staticmethod
    def check(parsed: ParsedToken, *, secret: bytes, at: dt.datetime) -> str:
        """ "ok", "forged" (MAC wrong) or "expired" (outside the accepted steps)."""
        if not hmac.compare_digest(parsed.mac, _mac(secret, parsed.object_id, parsed.step)):
            return "forged"
        now = step_at(at)
        if not (now - 1 <= parsed.step <= now + 1):
            return "expired"
        return "ok"
