"""Pure rules for cooks: the state of a health certificate on a day, the rota's week, and the
reading of a certificate number."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# A certificate expiring within this many days is "expiring"; its cook and managers get a notice.
NOTICE_DAYS = 30

VALID = "valid"
EXPIRING = "expiring"
EXPIRED = "expired"
NONE = "none"

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def certificate_state(expires_on: dt.date | None, day: dt.date) -> str:
    """``none`` without a certificate, ``expired`` when it ended before ``day`` (a certificate is
    good through its expiry date), ``expiring`` within :data:`NOTICE_DAYS`, else ``valid``."""
    if expires_on is None:
        return NONE
    if expires_on < day:
        return EXPIRED
    if (expires_on - day).days <= NOTICE_DAYS:
        return EXPIRING
    return VALID


def covers(expires_on: dt.date | None, day: dt.date) -> bool:
    """Whether a certificate expiring on ``expires_on`` is good on ``day``."""
    return expires_on is not None and expires_on >= day


def week_monday(text: str) -> dt.date | None:
    """The Monday of an ISO week written ``YYYY-Www``, or None when it is not one."""
    m = _WEEK.match(text or "")
    if m is None:
        return None
    try:
        return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        return None


def week_label(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def normalise_number(text: str) -> str | None:
    """A certificate number as stored: full-width letters and digits folded to ASCII (NFKC),
    upper case; None when what is left is not letters, digits and hyphens."""
    folded = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not folded.isascii() or _NUMBER.match(folded) is None:
        return None
    return folded
