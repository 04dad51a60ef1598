"""Rotating check-in codes.

The organiser's screen shows a QR code for ``/v/scan/?t=TOKEN`` that changes every
:data:`STEP_SECONDS`. ``TOKEN`` is ``v1.<activity id>.<step>.<mac>`` where ``step`` is the Unix
time divided by :data:`STEP_SECONDS` and ``mac`` the first 12 bytes (base64url) of
HMAC-SHA256 over ``"<activity id>.<step>"`` with the activity's own random secret. A code is
accepted during its own step and the one after it (so a scan just before the change still
works, at most about a minute after it appeared), and one step early for clock skew; a
volunteer cannot use the same code twice for the same action (the service checks that).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

STEP_SECONDS = 30
PREFIX = "v1"


def step_at(at: dt.datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def _mac(secret: bytes, activity_id: int, step: int) -> str:
    digest = hmac.new(secret, f"{activity_id}.{step}".encode(), hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(*, secret: bytes, activity_id: int, at: dt.datetime) -> str:
    step = step_at(at)
    return f"{PREFIX}.{activity_id}.{step}.{_mac(secret, activity_id, step)}"


def seconds_left(at: dt.datetime) -> int:
    return STEP_SECONDS - int(at.timestamp()) % STEP_SECONDS


@dataclass(frozen=True)
class ParsedToken:
    activity_id: int
    step: int
    mac: str


def parse(token: str) -> ParsedToken | None:
    """The parts of a well-formed token (the MAC is not checked here), or None."""
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or parts[0] != PREFIX:
        return None
    try:
        activity_id, step = int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if activity_id <= 0 or step <= 0 or len(parts[3]) != 16:
        return None
    return ParsedToken(activity_id=activity_id, step=step, mac=parts[3])


def check(parsed: ParsedToken, *, secret: bytes, at: dt.datetime) -> str:
    """ "ok", "forged" (MAC wrong) or "expired" (outside the accepted steps)."""
    if not hmac.compare_digest(parsed.mac, _mac(secret, parsed.activity_id, parsed.step)):
        return "forged"
    now = step_at(at)
    if not (now - 1 <= parsed.step <= now + 1):
        return "expired"
    return "ok"
