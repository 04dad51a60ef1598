"""Reading typed values the canteens' services share: days and decimal numbers, with full-width
digits folded to ASCII and anything else refused with a clear message."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import field_error
from rongxin.core.text import text_problem


def _folded(value: Any, field: str) -> str:
    text = str(value)
    if text_problem(text) is not None:
        raise field_error(
            field, _("The text holds an invisible control character; remove it and try again."), code="invalid_text"
        )
    return unicodedata.normalize("NFKC", text).strip()


def day_value(value: Any, *, field: str) -> dt.date:
    """A date, or text ``YYYY-MM-DD`` (full-width digits folded). Raises InvalidInput."""
    if isinstance(value, dt.datetime):
        raise field_error(field, _("Enter a date."), code="invalid_date")
    if isinstance(value, dt.date):
        return value
    if value is None or value == "":
        raise field_error(field, _("Enter a date."), code="required")
    text = _folded(value, field)
    try:
        if not text.isascii() or len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise field_error(field, _("Enter a date as YYYY-MM-DD."), code="invalid_date") from None


def decimal_value(value: Any, *, field: str, places: int) -> Decimal:
    """A decimal number (full-width digits folded), quantised to ``places``. Raises InvalidInput."""
    if isinstance(value, bool) or value is None or value == "":
        raise field_error(field, _("Enter a number."), code="required")
    text = _folded(value, field)
    try:
        if not text.isascii():
            raise InvalidOperation(text)
        d = Decimal(text)
        if not d.is_finite():
            raise InvalidOperation(text)
        return d.quantize(Decimal(1).scaleb(-places))
    except (InvalidOperation, ArithmeticError, ValueError):
        raise field_error(field, _("Enter a number."), code="invalid_number") from None
