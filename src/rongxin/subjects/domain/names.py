"""A person's real name, as written on an ID card or passport.

One rule for every place a person's name is entered (registration of a person, an
organisation's legal representative, a minor volunteer's guardian, the staff on a duty roster),
in pages, the API and the import alike:

- **Chinese names**: 2 to 20 Han characters (``张伟``, ``欧阳娜娜``). Spaces typed between the
  characters are dropped (``王 芳`` is ``王芳``).
- **Ethnic-minority names** in Han characters whose parts are joined by the middle dot
  (``阿依古丽·买买提``, ``爱新觉罗·溥仪``). The look-alikes people type or paste (``・`` ``･``
  ``•`` ``‧`` ``∙`` ``⋅``, the Greek ano teleia) become U+00B7 ``·``, so one name has one
  spelling; a dot goes only between two parts.
- **Foreign names** in Latin letters, accents included (``John Smith``, ``Zoë O'Brien-Müller``),
  parts separated by one space, hyphen or apostrophe (a typographic ``’`` becomes ``'``; runs of
  spaces become one).

Everything else is refused with a message that says what is wrong: digits, emoji and other
symbols, control and invisible characters, other scripts, Han and Latin mixed in one name.
Fullwidth letters and the ideographic space are read as their ordinary forms (NFKC) first.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from rongxin.core.errors import InvalidInput

MIDDLE_DOT = "\u00b7"
HAN_MIN, HAN_MAX = 2, 20
NAME_MAX = 60

# Look-alikes of the middle dot (after NFKC, which already maps ･ U+FF65 to ・ U+30FB and the
# Greek ano teleia U+0387 to U+00B7).
_DOTS = str.maketrans(dict.fromkeys("\u30fb\u2022\u2027\u2219\u22c5\u16eb\u2e31", MIDDLE_DOT))
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc\u0060", "'"))
_HYPHENS = str.maketrans(dict.fromkeys("\u2010\u2011", "-"))
_HAN = (
    r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    r"\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"
)
_HAN_RE = re.compile(f"[{_HAN}]")
_HAN_NAME = re.compile(f"[{_HAN}]+(?:{MIDDLE_DOT}[{_HAN}]+)*")
_SEPARATORS = " -'"
_ALLOWED_PUNCTUATION = MIDDLE_DOT + "-'"


def _is_latin_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "")


def _refuse(message: object, code: str) -> InvalidInput:
    return InvalidInput(message, code=code)


def _first_unusable(name: str) -> str | None:
    """What kind of character no name may hold comes first (for the message), or None."""
    for ch in name:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"):
            return "control"
        if category.startswith("N"):
            return "digit"
        if category.startswith("S") or (category.startswith("P") and ch not in _ALLOWED_PUNCTUATION):
            return "symbol"
    return None


def person_name_normalise(value: str) -> str:
    """The canonical spelling of a person's real name, or :class:`InvalidInput` saying why not.

    Codes: ``required``, ``name_control``, ``name_digit``, ``name_symbol``, ``name_mixed``,
    ``name_script``, ``name_length``, ``name_dot``, ``name_separator``.
    """
    if not isinstance(value, str):
        raise _refuse(_("Enter the person's name."), "required")
    name = unicodedata.normalize("NFKC", value).strip()
    name = name.translate(_DOTS).translate(_APOSTROPHES).translate(_HYPHENS)
    problem = _first_unusable(name)
    if problem == "control":
        raise _refuse(_("A name cannot contain control or invisible characters."), "name_control")
    if problem == "digit":
        raise _refuse(_("A name cannot contain digits."), "name_digit")
    if problem == "symbol":
        raise _refuse(
            _("A name cannot contain emoji, punctuation or other symbols (only · between the parts of a name)."),
            "name_symbol",
        )
    name = " ".join(name.split())
    if not name:
        raise _refuse(_("Enter the person's name."), "required")
    han = bool(_HAN_RE.search(name))
    latin = any(_is_latin_letter(ch) for ch in name)
    if han and latin:
        raise _refuse(_("Write a name either in Chinese characters or in Latin letters, not both."), "name_mixed")
    if han:
        return _han_name(name)
    if latin:
        return _latin_name(name)
    raise _refuse(_("A name is written in Chinese characters or in Latin letters."), "name_script")


def _han_name(name: str) -> str:
    name = re.sub(rf"\s*{MIDDLE_DOT}\s*", MIDDLE_DOT, name).replace(" ", "")
    if not all(_HAN_RE.fullmatch(ch) or ch == MIDDLE_DOT for ch in name):
        raise _refuse(_("A Chinese name holds only Chinese characters and ·."), "name_script")
    if not _HAN_NAME.fullmatch(name):
        raise _refuse(_("The middle dot (·) goes only between two parts of a name, one at a time."), "name_dot")
    count = len(name) - name.count(MIDDLE_DOT)
    if not HAN_MIN <= count <= HAN_MAX:
        raise _refuse(
            _("A Chinese name has %(min)d to %(max)d Chinese characters.") % {"min": HAN_MIN, "max": HAN_MAX},
            "name_length",
        )
    return name


def _latin_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    if MIDDLE_DOT in name:
        raise _refuse(_("The middle dot (·) belongs to names in Chinese characters."), "name_dot")
    for ch in name:
        if not (_is_latin_letter(ch) or ch in _SEPARATORS or unicodedata.category(ch).startswith("M")):
            raise _refuse(
                _("A name in Latin letters holds only letters, spaces, hyphens and apostrophes."), "name_script"
            )
    if (
        name[0] in _SEPARATORS
        or name[-1] in _SEPARATORS
        or any(a in _SEPARATORS and b in _SEPARATORS for a, b in itertools.pairwise(name))
    ):
        raise _refuse(_("Spaces, hyphens and apostrophes go only between letters, one at a time."), "name_separator")
    letters = sum(1 for ch in name if _is_latin_letter(ch))
    if letters < 2 or len(name) > NAME_MAX:
        raise _refuse(_("A name in Latin letters has 2 to %(max)d characters.") % {"max": NAME_MAX}, "name_length")
    return name
