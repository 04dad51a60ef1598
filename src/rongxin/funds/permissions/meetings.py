"""The public side of commendation meetings: the publicity page and its objection form are open
to everyone, signed in or not, and rate-limited per client address (django-ratelimit on the
project's counter cache, like the other public pages): ``RONGXIN_PUBLICITY_RATE`` for reading
(default ``120/m``) and ``RONGXIN_OBJECTION_RATE`` for lodging objections (default ``10/h``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

PUBLICITY_RATE_GROUP = "funds.publicity"
OBJECTION_RATE_GROUP = "funds.objection"
DEFAULT_PUBLICITY_RATE = "120/m"
DEFAULT_OBJECTION_RATE = "10/h"


def publicity_rate(group: str = "", request: Any = None) -> str:
    return str(getattr(settings, "RONGXIN_PUBLICITY_RATE", DEFAULT_PUBLICITY_RATE))


def objection_rate(group: str = "", request: Any = None) -> str:
    return str(getattr(settings, "RONGXIN_OBJECTION_RATE", DEFAULT_OBJECTION_RATE))
