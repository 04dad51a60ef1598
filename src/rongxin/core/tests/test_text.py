"""The one free-text rule (pure): which characters are refused, and how text is cleaned."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rongxin.core.errors import InvalidInput
from rongxin.core.text import clean_text, first_problem, shown, text_problem

BAD = [
    ("\ud800", "lone_surrogate"),
    ("a\udfffb", "lone_surrogate"),
    ("\x00", "control_character"),
    ("a\x07b", "control_character"),
    ("\x1b[31m", "control_character"),
    ("\x7f", "control_character"),
    ("\x85", "control_character"),
    ("\u202e", "bidi_control"),
    ("abc\u2066def\u2069", "bidi_control"),
    ("\ufffe", "noncharacter"),
]


@pytest.mark.parametrize(("value", "code"), BAD)
def test_refused_characters_are_named(value, code):
    assert text_problem(value) == code
    with pytest.raises(InvalidInput) as info:
        clean_text(value, field="reason", required=True, max_length=100)
    assert info.value.errors[0]["field"] == "reason"
    assert info.value.errors[0]["code"] == "invalid_text"


@pytest.mark.parametrize("value", ["张三", "第一行\n第二行\t缩进\r\n", "👨‍👩‍👧 emoji with ZWJ", "العربية", "Ünïcödé"])
def test_ordinary_text_passes(value):
    assert text_problem(value) is None


def test_clean_text_normalises_and_strips():
    assert clean_text("  Cafe\u0301  ", field="x", required=True, max_length=10) == "Café"
    assert clean_text(" a  b\t c ", field="x", required=True, max_length=10, multiline=False) == "a b c"
    with pytest.raises(InvalidInput) as info:
        clean_text("a\nb", field="name", required=True, max_length=10, multiline=False)
    assert info.value.errors[0]["code"] == "invalid_text"


def test_first_problem_walks_keys_lists_and_values():
    assert first_problem({"a": ["ok", {"b": "x\x00"}]}) == (("a", 1, "b"), "control_character")
    assert first_problem({"\u202ekey": 1}) == (("\u202ekey",), "bidi_control")
    assert first_problem({"a": [1, 2.5, None, True, "fine"]}) is None


@given(st.text())
def test_any_text_is_either_accepted_or_refused_with_invalid_input(value):
    try:
        out = clean_text(value, field="x", required=False, max_length=10_000)
    except InvalidInput as exc:
        assert exc.errors[0]["code"] in ("invalid_text", "too_long")
    else:
        assert text_problem(out) is None


def test_shown_escapes_refused_characters_only():
    assert shown("张三\u202e\x00ok\n") == "张三\\u202e\\u0000ok\n"
