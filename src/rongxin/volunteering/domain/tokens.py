"""Rotating check-in codes of volunteering activities.

The organiser's screen shows a QR code for ``/v/scan/?t=TOKEN`` that changes every
:data:`STEP_SECONDS`; ``TOKEN`` is ``v1.<activity id>.<step>.<mac>`` as
:mod:`rongxin.core.rotating` makes it with the activity's own random secret. A volunteer cannot
use the same code twice for the same action (the service checks that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rongxin.core.rotating import STEP_SECONDS, RotatingCode, seconds_left, step_at
from rongxin.core.rotating import ParsedToken as Generic

__all__ = ["STEP_SECONDS", "ParsedToken", "check", "parse", "seconds_left", "step_at", "token_for"]

CODE = RotatingCode("v1")


@dataclass(frozen=True)
class ParsedToken:
    activity_id: int
    step: int
    mac: str


def token_for(*, secret: bytes, activity_id: int, at: dt.datetime) -> str:
    return CODE.token_for(secret=secret, object_id=activity_id, at=at)


def parse(token: str) -> ParsedToken | None:
    """The parts of a well-formed token (the MAC is not checked here), or None."""
    parsed = CODE.parse(token)
    if parsed is None:
        return None
    return ParsedToken(activity_id=parsed.object_id, step=parsed.step, mac=parsed.mac)


def check(parsed: ParsedToken, *, secret: bytes, at: dt.datetime) -> str:
    """ "ok", "forged" (MAC wrong) or "expired" (outside the accepted steps)."""
    return CODE.check(Generic(object_id=parsed.activity_id, step=parsed.step, mac=parsed.mac), secret=secret, at=at)
