"""mask_name: the surname kept (a compound surname whole), one 「*」 per other character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rongxin.projects.domain.masking import has_contact_details, mask_name


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王**"),
        ("王五", "王*"),
        ("李", "*"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("诸葛亮", "诸葛*"),
        ("夏侯惇", "夏侯*"),
        ("欧阳", "欧*"),  # two characters: the compound surname alone would name the person
        ("阿依古丽·买买提", "阿***·***"),
        ("买买提•艾力", "买**•**"),
        (" 王 小明 ", "王**"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@given(st.text(alphabet="王李张欧阳司马诸葛小明娜丽华", min_size=2, max_size=8))
def test_mask_keeps_the_length_and_at_most_two_characters(name: str) -> None:
    masked = mask_name(name)
    assert len(masked) == len(name)
    kept = len(masked) - masked.count("*")
    assert kept == (2 if len(name) > 2 and name[:2] in {"欧阳", "司马", "诸葛"} else 1)
    assert masked[:kept] == name[:kept]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("联系电话13912345678", True),
        ("电话 139-1234-5678", True),
        ("电话１３９１２３４５６７８", True),
        ("身份证371082194703150016", True),
        ("身份证37108219470315001X号", True),
        ("想要一个价值300元的书包", False),
        ("2026年5月20日", False),
        ("门牌号12345678901234", False),  # 14 digits: neither a phone nor an ID number
    ],
)
def test_has_contact_details(text: str, found: bool) -> None:
    assert has_contact_details(text) is found
