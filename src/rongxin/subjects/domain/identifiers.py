"""Citizen ID numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015).

Pure functions, used by the services, the search, the credit import and the synthetic county
generator.

Every identifier that enters the platform (pages, API, import, search, commands) goes through
:func:`normalise_identifier` before it is validated or hashed, so one number has one spelling and
therefore one lookup hash: NFKC (fullwidth and other compatibility forms become ASCII), every
Unicode decimal digit (Arabic-Indic, Devanagari, mathematical bold, ...) becomes its ASCII digit,
ASCII letters are upper-cased (``x`` → ``X``) and surrounding whitespace is dropped. Validation
then accepts ASCII only; anything else is refused with :class:`InvalidInput` (never another
exception), so a foreign spelling can neither open a second credit file nor crash a check.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput

_UPPER_ASCII = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)


def _ascii_digit(ch: str) -> str:
    value = unicodedata.decimal(ch, None)
    return ch if value is None else str(value)


def normalise_identifier(value: str) -> str:
    """The canonical spelling of a typed, pasted or imported ID number or USCC.

    NFKC, Unicode decimal digits to ASCII ``0``–``9``, ASCII letters to upper case, surrounding
    whitespace removed. Does not validate: characters that are none of these stay as they are
    and the ASCII-only checks of :func:`parse_id_number` and :func:`parse_uscc` refuse them.
    Raises :class:`InvalidInput` only when ``value`` is not text.
    """
    if not isinstance(value, str):
        raise InvalidInput(_("Enter the number as text."), code="identifier_type")
    if not value.isascii():
        value = "".join(_ascii_digit(ch) for ch in unicodedata.normalize("NFKC", value))
    return value.strip().translate(_UPPER_ASCII)


class IdentifierShape:
    """An ASCII-only pattern matched against the normalised spelling of its input.

    ``ID_PATTERN.match(value)`` answers "does this look like an ID number?" for any spelling of
    one (the import and the search classify with it); the match is over the normalised string.
    """

    def __init__(self, regex: str) -> None:
        self.regex = re.compile(regex, re.ASCII)

    def match(self, value: str) -> re.Match[str] | None:
        return self.regex.fullmatch(normalise_identifier(value))


# --- GB 11643-1999 citizen identity number -----------------------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)
ID_PATTERN = IdentifierShape(r"[0-9]{17}[0-9X]")


def id_check_digit(first17: str) -> str:
    """The 18th character of an ID number whose first 17 digits are given."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    number: str  # canonical: ASCII digits, upper-case X
    address_code: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the 17th digit


def parse_id_number(value: str, *, today: dt.date | None = None) -> IdNumber:
    """Validate an 18-digit ID number and derive birth date and sex.

    ``value`` may be spelled with any Unicode digits (see :func:`normalise_identifier`); the
    returned ``number`` is the canonical ASCII form, the only one to hash or store. Raises
    :class:`InvalidInput` with a message that says what is wrong, and nothing else.
    """
    number = normalise_identifier(value)
    if len(number) != 18:
        raise InvalidInput(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}, code="id_length"
        )
    if not ID_PATTERN.regex.fullmatch(number):
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
USCC_PATTERN = IdentifierShape(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
# Registration authorities (first character) in GB 32100-2015.
USCC_AUTHORITIES = frozenset("123456789ANY")


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given (ASCII, upper case)."""
    if len(first17) != len(USCC_WEIGHTS) or any(c not in USCC_VALUES for c in first17):
        raise InvalidInput(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V."),
            code="uscc_format",
        )
    total = sum(USCC_VALUES[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def organisation_code_check(first8: str) -> str:
    """Check character of a GB 11714 organisation code (characters 9–17 of a USCC)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum((int(c) if c in string.digits else ord(c) - 55) * w for c, w in zip(first8, weights, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def parse_uscc(value: str) -> str:
    """Validate a unified social credit code; return its canonical ASCII spelling.

    Any Unicode spelling is normalised first (:func:`normalise_identifier`). Raises
    :class:`InvalidInput` and nothing else.
    """
    code = normalise_identifier(value)
    if len(code) != 18:
        raise InvalidInput(
            _("A unified social credit code has 18 characters; this one has %(n)d.") % {"n": len(code)},
            code="uscc_length",
        )
    if not USCC_PATTERN.regex.fullmatch(code) or code[0] not in USCC_AUTHORITIES:
        raise InvalidInput(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V."),
            code="uscc_format",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise InvalidInput(_("The check character of this unified social credit code is wrong."), code="uscc_checksum")
    return code
