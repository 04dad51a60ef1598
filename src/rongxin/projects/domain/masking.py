"""Masking a resident's name for the public pages of small wishes (微心愿).

The public sees the surname and one 「*」 for every other character: 「王小明」→「王**」. A known
two-character compound surname (复姓) is kept whole: 「欧阳娜娜」→「欧阳**」. A one-character name
is 「*」 (a surname alone would name the person). A name with a middle dot (many names of ethnic
minorities, 「阿依古丽·买买提」) keeps its first character and its dots, every other character
masked. :func:`has_contact_details` finds a phone or ID number typed into public text. Pure: no
Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
    }
)

# The middle dots people type into names: U+00B7, U+2022, U+2027, U+30FB, U+FF0E and the full stop.
MIDDLE_DOTS = frozenset("·•‧・．.")

MASK = "*"


def mask_name(name: str) -> str:
    """``name`` as the public may see it: the surname kept, every other character 「*」."""
    text = "".join(name.split())
    if not text:
        return ""
    if len(text) == 1:
        return MASK
    if any(ch in MIDDLE_DOTS for ch in text[1:]):
        return text[0] + "".join(ch if ch in MIDDLE_DOTS else MASK for ch in text[1:])
    keep = 2 if len(text) > 2 and text[:2] in COMPOUND_SURNAMES else 1
    return text[:keep] + MASK * (len(text) - keep)


# A mainland mobile number or an ID number in text that is shown to the public (full-width digits
# are folded first; separators between digits are ignored).
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_SEPARATORS = re.compile(r"(?<=\d)[ \-‐－—.]+(?=\d)")


def has_contact_details(text: str) -> bool:
    """Whether ``text`` holds something that looks like a mobile phone number or an ID number."""
    folded = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    return bool(_MOBILE.search(folded) or _ID_NUMBER.search(folded))
