"""The one rule for free text that people type: names, evidence, reasons, descriptions.

Text is refused, never silently altered, when it holds a character that no person types on
purpose and that breaks something downstream:

- lone surrogates (U+D800–U+DFFF): not text at all; the database cannot store them;
- control characters other than tab, line feed and carriage return (C0, DEL, C1), NUL among
  them: PostgreSQL refuses NUL, terminals and spreadsheets act on the others;
- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make
  text display in another order than it is stored ("Trojan Source"), so a reviewer would read
  something else than what was recorded;
- the non-characters U+FFFE and U+FFFF.

The API applies :func:`text_problem` to every string of every JSON body, query and form
(``rongxin.config.api``); pages apply it to every submitted value (``TextCheckMiddleware``); the
services' own cleaning (:func:`clean_text`) applies it again for callers that come by neither
path (commands, imports, jobs). Accepted text is NFC-normalised and stripped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import field_error

_FORBIDDEN = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\r\n\u2028\u2029]")

MESSAGES = {
    "lone_surrogate": _("The text holds a broken character (a lone surrogate); type it again."),
    "control_character": _("The text holds an invisible control character; remove it and try again."),
    "bidi_control": _("The text holds a character that reverses the reading order; remove it and try again."),
    "noncharacter": _("The text holds a character that is not allowed; remove it and try again."),
}


def text_problem(value: str) -> str | None:
    """The code of the first thing wrong with ``value`` under the rule above, or None."""
    m = _FORBIDDEN.search(value)
    if m is None:
        return None
    c = ord(m.group())
    if 0xD800 <= c <= 0xDFFF:
        return "lone_surrogate"
    if 0x202A <= c <= 0x202E or 0x2066 <= c <= 0x2069:
        return "bidi_control"
    if c in (0xFFFE, 0xFFFF):
        return "noncharacter"
    return "control_character"


def problem_message(code: str) -> Any:
    return MESSAGES[code]


def strings_in(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in a parsed JSON document (keys too), with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str):
                yield (*path, k), k
            yield from strings_in(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings_in(v, (*path, i))


def first_problem(data: Any) -> tuple[tuple[Any, ...], str] | None:
    """(path, code) of the first string in ``data`` that breaks the rule, or None."""
    for path, s in strings_in(data):
        code = text_problem(s)
        if code is not None:
            return path, code
    return None


def shown(value: Any) -> str:
    """``value`` as text safe to echo back in a message or report: every refused character is
    written as its ``\\uXXXX`` escape (for text read from a file that cannot be refused, such as
    an import's header)."""
    return _FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))


def clean_text(
    value: Any, *, field: str, required: bool, max_length: int, multiline: bool = True, fold: bool = False
) -> str:
    """``value`` as accepted free text: refused under the rule above (``invalid_text``),
    NFC-normalised, stripped; a single-line field also refuses line breaks and folds runs of
    white space into one; ``fold`` folds every run of white space, line breaks too, into one
    space. Raises InvalidInput naming ``field`` (required, too long, invalid)."""
    text = "" if value is None else str(value)
    code = text_problem(text)
    if code is not None:
        raise field_error(field, MESSAGES[code], code="invalid_text")
    text = unicodedata.normalize("NFC", text).strip()
    if not multiline:
        if _LINE_BREAKS.search(text):
            raise field_error(field, _("This field is one line; remove the line breaks."), code="invalid_text")
        text = " ".join(text.split())
    if fold:
        text = " ".join(text.split())
    if required and not text:
        raise field_error(field, _("This field is required."), code="required")
    if len(text) > max_length:
        raise field_error(field, _("At most %(n)d characters.") % {"n": max_length}, code="too_long")
    return text
