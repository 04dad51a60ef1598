"""The providers' rate allowance: credentials checked or redeemed per account, shared by the
JSON API and the provider's pages."""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

from rongxin.accounts.models import User
from rongxin.core.errors import TooManyRequests

RATE_GROUP = "incentives.provider"
DEFAULT_RATE = "3000/m"  # credentials; at least one full batch (verification.MAX_BATCH)
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def provider_rate() -> str:
    """Credentials checked or redeemed per provider account (django-ratelimit's rate syntax)."""
    return str(getattr(settings, "RONGXIN_INCENTIVE_RATE", DEFAULT_RATE))


def _rate(text: str) -> tuple[int, int]:
    """``"3000/m"`` → (3000, 60); django-ratelimit's syntax (``N/[multiplier]s|m|h|d``)."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])?", text.strip())
    if match is None:
        raise ImproperlyConfigured(f"RONGXIN_INCENTIVE_RATE {text!r} is not like 3000/m")
    count, multiplier, unit = match.groups()
    return int(count), _PERIODS[unit or "s"] * int(multiplier or 1)


def allowance_take(*, actor: User, credentials: int, message: str | Promise | None = None) -> None:
    """Count ``credentials`` against the account's allowance (``RONGXIN_INCENTIVE_RATE``), or
    raise :class:`TooManyRequests` (with ``message``, else its own) when they do not fit.
    Counted in credentials, not requests, so a batch of N distinct tokens costs N; per account
    (every API key and the pages share it), in fixed windows of the rate's period, in the
    rate-limit counter store. A refusal costs nothing, so a batch that does not fit leaves the
    allowance to smaller ones. Asked before anything else, so it counts for every caller."""
    limit, period = _rate(provider_rate())
    window = int(time.time()) // period
    key = f"{RATE_GROUP}:{hashlib.sha256(str(actor.pk).encode()).hexdigest()}:{period}:{window}"
    counters = caches[settings.RATELIMIT_USE_CACHE]
    count = credentials if counters.add(key, credentials, period + 1) else counters.incr(key, credentials)
    if count > limit:
        counters.incr(key, -credentials)
        raise TooManyRequests(message)
