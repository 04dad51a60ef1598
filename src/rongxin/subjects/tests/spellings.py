"""Every way to spell an identifier that means the same number, for property tests.

Each ASCII digit may be written with any Unicode decimal digit of the same value (fullwidth,
Arabic-Indic, Devanagari, mathematical bold, ... about 70 each), X and the letters of a USCC in
either case and width, with whitespace around.
"""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import strategies as st

DIGITS: dict[int, list[str]] = {d: [] for d in range(10)}
for _cp in range(sys.maxunicode + 1):
    _value = unicodedata.decimal(chr(_cp), None)
    if _value is not None:
        DIGITS[_value].append(chr(_cp))
ALL_DIGITS = [c for spellings in DIGITS.values() for c in spellings]
AROUND = ["", " ", "\t", "\u3000", "\u00a0"]


def _letter(c: str) -> list[str]:
    fullwidth = chr(ord(c) + 0xFEE0)  # FF21–FF3A, the fullwidth forms of A–Z
    return [c, c.lower(), fullwidth, fullwidth.lower()]


def _spellings(value: str) -> st.SearchStrategy[str]:
    parts = [st.sampled_from(DIGITS[int(c)] if c.isdigit() else _letter(c)) for c in value]
    return st.tuples(st.sampled_from(AROUND), *parts, st.sampled_from(AROUND)).map("".join)


def id_spellings(number: str) -> st.SearchStrategy[str]:
    """Spellings of an ASCII ID number (digits and a final X)."""
    return _spellings(number)


def uscc_spellings(code: str) -> st.SearchStrategy[str]:
    """Spellings of an ASCII USCC."""
    return _spellings(code)
