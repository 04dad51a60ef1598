"""Spreadsheet cells that could run as formulas are neutralised; numbers stay numbers."""

from __future__ import annotations

import pytest

from rongxin.core.spreadsheet import spreadsheet_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("+", "'+"),
        ("--1", "'--1"),
        ("-1e", "'-1e"),
        ("-0x10", "'-0x10"),
    ],
)
def test_a_cell_a_spreadsheet_would_read_as_a_formula_gets_a_quote(value: str, expected: str) -> None:
    assert spreadsheet_safe(value) == expected


@pytest.mark.parametrize("value", ["-12", "+3", "-3.50", "+0.5", "-.5", "-1e3", "+2.5E-4", "-0"])
def test_a_signed_number_stays_a_number(value: str) -> None:
    assert spreadsheet_safe(value) == value


@pytest.mark.parametrize(
    "value", ["", "荣成市公共交通有限公司", "12", "3.5", "a=b", "王 = 李", "'=1+1", " =1+1", "AAA", "2026-03-01"]
)
def test_ordinary_text_is_unchanged(value: str) -> None:
    assert spreadsheet_safe(value) == value
