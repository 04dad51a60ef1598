"""Money as exact yuan: parsing what people type, and writing it back.

Amounts are :class:`~decimal.Decimal` yuan with at most two places (the fen). Nothing here ever
passes through a float. Parsing refuses more than two decimals instead of rounding them away, so
"12.345" is an error, not ¥12.35.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount one line may carry (the column holds 12 digits before the point).
MAX_AMOUNT = Decimal("999999999999.99")


class AmountError(ValueError):
    """Why a typed amount was refused: ``code`` is one of ``required``, ``not_a_number``,
    ``too_many_decimals``, ``not_positive``, ``too_large``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_yuan(raw: object, *, allow_zero: bool = False) -> Decimal:
    """``raw`` (text, int or Decimal; never float) as a positive amount of yuan to the fen.

    Full-width digits and a leading ¥ or trailing 元 are accepted ("１２３.５０元"); thousands
    separators are accepted only as ASCII commas. Raises :class:`AmountError`."""
    if raw is None:
        raise AmountError("required")
    if isinstance(raw, float):
        raise AmountError("not_a_number")  # a float has already lost the fen
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        number = Decimal(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not text:
            raise AmountError("required")
        text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip().replace(",", "")
        if not text or not all(c.isdigit() or c in ".-+" for c in text) or not text.isascii():
            raise AmountError("not_a_number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise AmountError("not_a_number") from None
    if not number.is_finite():
        raise AmountError("not_a_number")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and number != number.quantize(FEN):
        raise AmountError("too_many_decimals")
    number = number.quantize(FEN)
    if number < 0 or (number == 0 and not allow_zero):
        raise AmountError("not_positive")
    if number > MAX_AMOUNT:
        raise AmountError("too_large")
    return number


def yuan(amount: Decimal | int | None) -> str:
    """``¥1,234.50``; ``-¥12.00`` for a negative amount; "" for None."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(FEN)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
