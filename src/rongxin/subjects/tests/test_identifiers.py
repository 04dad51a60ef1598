import datetime as dt

import pytest

from rongxin.core.errors import InvalidInput
from rongxin.subjects.identifiers import (
    id_check_digit,
    organisation_code_check,
    parse_id_number,
    parse_uscc,
    uscc_check_char,
)

# Published examples: the GB 11643-1999 worked example and widely cited sample numbers.
VALID_IDS = [
    ("11010519491231002X", dt.date(1949, 12, 31), "F"),
    ("440524198001010013", dt.date(1980, 1, 1), "M"),
]


@pytest.mark.parametrize(("number", "birth", "sex"), VALID_IDS)
def test_valid_id_numbers_parse_with_birth_date_and_sex(number, birth, sex):
    # when
    parsed = parse_id_number(number)
    # then
    assert (parsed.number, parsed.birth_date, parsed.sex, parsed.address_code) == (number, birth, sex, number[:6])


def test_lower_case_x_is_accepted_and_normalised():
    assert parse_id_number("11010519491231002x").number == "11010519491231002X"


def test_check_digit_of_the_standard_example():
    # GB 11643-1999 appendix example: 11010519491231002 → X
    assert id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("11010519491231002", "id_length"),
        ("1101051949123100201", "id_length"),
        ("11010519491331002X", "id_birth_date"),
        ("11010518991231002X", "id_birth_date"),
        ("1101051949123100AX", "id_format"),
        ("X10105194912310021", "id_format"),
    ],
)
def test_invalid_id_numbers_are_rejected_with_a_reason(number, code):
    with pytest.raises(InvalidInput) as info:
        parse_id_number(number)
    assert info.value.code == code


def test_future_birth_date_is_rejected_when_today_is_known():
    first17 = "37108220300101001"
    with pytest.raises(InvalidInput) as info:
        parse_id_number(first17 + id_check_digit(first17), today=dt.date(2026, 11, 29))
    assert info.value.code == "id_birth_date"


def test_id_messages_are_chinese_by_default():
    with pytest.raises(InvalidInput) as info:
        parse_id_number("110105194912310021")
    assert str(info.value.message) == "身份证号码校验位不正确。"


# Unified social credit codes from public registrations (GB 32100-2015 check characters).
VALID_USCCS = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_usccs(code):
    assert parse_uscc(code) == code


def test_uscc_check_char_matches_the_standard():
    assert uscc_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("91350100M000100Y44", "uscc_checksum"),
        ("91350100M000100Y4", "uscc_length"),
        ("91350100M000100I43", "uscc_format"),  # I is not in the character set
        ("Z1350100M000100Y43", "uscc_format"),  # Z is no registration authority
        ("913501A0M000100Y43", "uscc_format"),  # the area code is digits
    ],
)
def test_invalid_usccs_are_rejected_with_a_reason(code, expected):
    with pytest.raises(InvalidInput) as info:
        parse_uscc(code)
    assert info.value.code == expected


def test_organisation_code_check_character():
    # Worked by hand with the GB 11714 weights 3,7,9,10,5,8,4,2: 1×2 = 2 → 11 − 2 = 9.
    assert organisation_code_check("00000001") == "9"
    assert organisation_code_check("00000000") == "0"  # 11 - 0 = 11 → "0"
