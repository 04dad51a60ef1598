"""What a search string is: an ID number, a unified social credit code or a name (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput, field_error
from rongxin.subjects.domain.identifiers import (
    ID_PATTERN,
    USCC_PATTERN,
    normalise_identifier,
    parse_id_number,
    parse_uscc,
)

NAME_PATTERN = re.compile(r"^[\u3400-\u9fffA-Za-z·•. ()（）\-]{1,60}$")


@dataclass(frozen=True)
class SearchQuery:
    kind: str  # "id_number", "uscc" or "name"
    value: str


def classify_query(raw: str) -> SearchQuery:
    """Decide whether a search string is an ID number, a USCC or a name; reject anything else.

    An 18-character string that fails both checksums is reported as an invalid number rather
    than searched as a name, so a typo is caught instead of silently finding nothing. Numbers
    are normalised first (:func:`normalise_identifier`): any Unicode spelling of a number finds
    the subject registered under its ASCII spelling.
    """
    q = " ".join((raw or "").split())
    if not q:
        raise field_error("q", _("Enter a name, an ID number or a unified social credit code."), code="empty_query")
    number = normalise_identifier(q)
    if len(number) == 18 and (ID_PATTERN.match(number) or USCC_PATTERN.match(number)):
        id_error: InvalidInput | None = None
        if ID_PATTERN.match(number):
            try:
                return SearchQuery("id_number", parse_id_number(number).number)
            except InvalidInput as exc:
                id_error = exc
                if not USCC_PATTERN.match(number):
                    raise field_error("q", exc.message, code=exc.code) from None
        try:
            return SearchQuery("uscc", parse_uscc(number))
        except InvalidInput:
            if id_error is not None:
                # Digits only: far more likely a mistyped ID number than a USCC.
                raise field_error("q", id_error.message, code=id_error.code) from None
            raise field_error(
                "q", _("This is neither a valid ID number nor a valid unified social credit code."), code="bad_number"
            ) from None
    if any(ch.isdigit() for ch in q):
        raise field_error(
            "q",
            _("A number must be a full 18-character ID number or unified social credit code."),
            code="partial_number",
        )
    if not NAME_PATTERN.match(q):
        raise field_error("q", _("A name may contain Chinese characters, letters and · only."), code="bad_name")
    return SearchQuery("name", q)
