"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, used by the services, the search and the synthetic county generator.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput

# --- GB 11643-1999 citizen identity number -----------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are given."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: upper-case X
    address_code: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the 17th digit


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate an 18-digit ID number and derive birth date and sex.

    Raises :class:`InvalidInput` with a message that says what is wrong.
    """
    number = value.strip().upper()
    if len(number) != 18:
        raise InvalidInput(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}, code="id_length"
        )
    if not ID_PATTERN.match(number):
        raise InvalidInput(_("An ID number is 17 digits followed by a digit or X."), code="id_format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidInput(_("The birth date in this ID number does not exist."), code="id_birth_date") from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise InvalidInput(_("The birth date in this ID number is out of range."), code="id_birth_date")
    if id_check_digit(number[:17]) != number[17]:
        raise InvalidInput(_("The check digit of this ID number is wrong."), code="id_checksum")
    return IdNumber(
        number=number,
        address_code=number[:6],
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
    )


# --- GB 32100-2015 unified social credit code -------------------------------------------
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# Registration authorities (first character) in GB 32100-2015.
USCC_AUTHORITIES = frozenset("123456789ANY")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def organisation_code_check(first8: str) -> str:
    """Check character of a GB 11714 organisation code (characters 9–17 of a USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def parse_uscc(value: str) -> str:
    """Validate a unified social credit code; return it normalised (upper case)."""
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidInput(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="uscc_length",
        )
    if not USCC_PATTERN.match(code) or code[0] not in USCC_AUTHORITIES:
        raise InvalidInput(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V."),
            code="uscc_format",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise InvalidInput(_("The check character of this unified social credit code is wrong."), code="uscc_checksum")
    return code
