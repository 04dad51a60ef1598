"""Cells that spreadsheets must not read as formulas (CSV/formula injection, OWASP).

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as
a formula (or the start of one) by Excel, WPS and LibreOffice when a CSV or XLSX export is
opened, so a name like ``=HYPERLINK(...)`` typed by anyone could run in a staff member's
spreadsheet. :func:`spreadsheet_safe` prefixes such cells with a single quote, which the
spreadsheet shows as text. A cell that is genuinely a number (``-12``, ``+3.5``, ``-1e3``) is
left as it is, so it stays a number.

Every CSV or XLSX export passes each text cell through it before writing (and, for a signed
export, before signing, so the signed bytes are the safe ones).
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: str) -> str:
    """``value`` as a cell no spreadsheet runs as a formula: prefixed with ``'`` when it starts
    with ``= + - @``, a tab or a carriage return, unless it is a plain decimal number."""
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text
