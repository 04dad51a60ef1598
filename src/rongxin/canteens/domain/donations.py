"""Pure rules of donations and stock: how an amount is read, how many credit points a donation
earns, and how a donor is shown on the public notice.

**Amounts** (money in yuan, quantities) are typed by people on phones and office PCs: full-width
digits and the full-width point (``１２．５``) are read as ``12.5`` (NFKC, then every Unicode
decimal digit to ASCII); anything else that is not ``digits[.digits]`` is refused (a sign, an
exponent, a thousands separator, ``NaN``), and so is a third decimal place: money has fen and no
less, so a quantity or value with more places would be silently rounded if accepted.

**Credit scale**: one point per full ¥100 of the value (money given, or goods as assessed on
receipt), at most the rule's maximum (``P-DON-01``: 10 for persons; ``E-DON-01``: 20 for
organisations). A donation worth less than ¥100 earns no point. The engine then applies the
rule's yearly cap (``P-DON-01``: 20 points a year).

**Public names**: a donor who asked to stay anonymous shows as 「爱心人士」 (a person) or
「爱心企业」 (an organisation); a named person shows with the surname only (``张**``: public
pages never carry a resident's full name); an organisation shows by its name.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

YUAN_PER_POINT = Decimal(100)
PLACES = 2
MAX_INTEGER_DIGITS = 10  # the columns are DECIMAL(12, 2)
_AMOUNT = re.compile(r"^(\d+)(?:\.(\d+))?$")

ANONYMOUS_PERSON = "爱心人士"
ANONYMOUS_ORGANISATION = "爱心企业"

# Why a donation did or did not earn credit (the staff page and the API say which).
CREDIT_RECORDED = "recorded"  # counted in the donor's score
CREDIT_HELD = "held"  # recorded, awaiting the credit office's review
CREDIT_CAPPED = "capped"  # the rule's yearly cap left nothing
CREDIT_NO_FILE = "no_file"  # the donor has no credit file here (an outsider)
CREDIT_NO_CONSENT = "no_consent"  # the person has not agreed to scoring
CREDIT_BELOW = "below_threshold"  # worth less than ¥100
CREDIT_STATES = (
    CREDIT_RECORDED,
    CREDIT_HELD,
    CREDIT_CAPPED,
    CREDIT_NO_FILE,
    CREDIT_NO_CONSENT,
    CREDIT_BELOW,
)


class AmountError(ValueError):
    """``code``: ``not_a_number``, ``too_many_places`` or ``too_large``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _ascii_digits(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKC", text):
        value = unicodedata.decimal(ch, None)
        out.append(ch if value is None else str(value))
    return "".join(out)


def parse_amount(raw: object) -> Decimal | None:
    """``raw`` (text, int or Decimal; None or blank → None) as a non-negative Decimal with at most
    two places. Raises :class:`AmountError`. Whether zero is allowed is the caller's rule."""
    if raw is None or isinstance(raw, bool):
        if raw is None:
            return None
        raise AmountError("not_a_number")
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise AmountError("not_a_number")
        text = format(raw, "f")
    elif isinstance(raw, float):
        text = repr(raw)
    elif isinstance(raw, str):
        text = _ascii_digits(raw).strip()
    else:
        raise AmountError("not_a_number")
    if text == "":
        return None
    m = _AMOUNT.match(text)
    if m is None:
        raise AmountError("not_a_number")
    whole, frac = m.group(1), m.group(2) or ""
    if len(frac.rstrip("0")) > PLACES:
        raise AmountError("too_many_places")
    if len(whole.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise AmountError("too_large")
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise AmountError("not_a_number") from exc


def donation_points(value: Decimal, *, points_min: int, points_max: int) -> int:
    """Points a donation worth ``value`` yuan earns before the yearly caps: one per full ¥100,
    at most ``points_max``; 0 (no award) below ``points_min`` points' worth."""
    points = int(value // YUAN_PER_POINT)
    if points < max(points_min, 1):
        return 0
    return min(points, points_max)


def mask_person_name(name: str) -> str:
    """``张三丰`` → ``张**``: the surname and one star for each other character."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def public_donor_name(*, donor_name: str, donor_kind: str, anonymous: bool) -> str:
    """How the public notice names a donor (see the module's docstring)."""
    organisation = donor_kind == "organisation"
    if anonymous:
        return ANONYMOUS_ORGANISATION if organisation else ANONYMOUS_PERSON
    return donor_name if organisation else mask_person_name(donor_name)


def stock_key(item: str, unit: str) -> tuple[str, str]:
    """Goods are counted per (item, unit) as typed after the text rule (``大米``/``公斤``)."""
    return item, unit
