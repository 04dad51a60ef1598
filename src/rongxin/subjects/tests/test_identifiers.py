import datetime as dt
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rongxin.core.errors import InvalidInput
from rongxin.subjects.domain.identifiers import (
    ID_PATTERN,
    USCC_PATTERN,
    id_check_digit,
    normalise_identifier,
    organisation_code_check,
    parse_id_number,
    parse_uscc,
    uscc_check_char,
)
from rongxin.subjects.tests.spellings import ALL_DIGITS, id_spellings, uscc_spellings

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


# --- One spelling per identifier: any Unicode digits, fullwidth or lower-case x ---------------------
CANONICAL_ID = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
CANONICAL_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}", re.ASCII)


@pytest.mark.parametrize(
    "spelled",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # fullwidth digits and X
        "１１０１０５１９４９１２３１００２ｘ",  # fullwidth lower-case x
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic
        "११०१०५१९४९१२३१००२x",  # Devanagari
        "𝟏𝟏𝟎𝟏𝟎𝟓𝟏𝟗𝟒𝟗𝟏𝟐𝟑𝟏𝟎𝟎𝟐X",  # mathematical bold
        "1101051949123100２X",  # one foreign digit, last position before the check
        "\u3000 11010519491231002x\t",  # ideographic and ASCII whitespace around
    ],
)
def test_an_id_number_in_any_digits_parses_to_its_ascii_spelling(spelled):
    # when
    parsed = parse_id_number(spelled)
    # then
    assert (parsed.number, parsed.birth_date, parsed.sex) == ("11010519491231002X", dt.date(1949, 12, 31), "F")


@given(spelled=id_spellings("11010519491231002X"))
def test_every_unicode_digit_spelling_of_an_id_number_is_the_same_number(spelled):
    assert parse_id_number(spelled).number == "11010519491231002X"
    assert ID_PATTERN.match(spelled) is not None


@given(spelled=uscc_spellings("91350100M000100Y43"))
def test_every_unicode_digit_spelling_of_a_uscc_is_the_same_code(spelled):
    assert parse_uscc(spelled) == "91350100M000100Y43"
    assert USCC_PATTERN.match(spelled) is not None


def test_a_uscc_with_a_foreign_digit_in_the_area_code_is_valid_not_a_crash():
    # The area code (characters 3–8) took any \\d, and the check then looked the digit up in an
    # ASCII table (KeyError, HTTP 500). Normalised first, it is the code it spells.
    assert parse_uscc("9135０１00M000100Y43") == "91350100M000100Y43"
    assert parse_uscc("91٣50100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002×", "id_format"),  # a multiplication sign is no X
        ("1101051949123100\u200b2X", "id_length"),  # an invisible character inside
        ("11010519491231002X\u0301", "id_length"),  # a combining accent on the X
        ("11010519491231002٫", "id_format"),  # Arabic decimal separator
        ("11010519491 31002X", "id_format"),
    ],
)
def test_what_is_no_digit_is_refused_clearly(value, code):
    with pytest.raises(InvalidInput) as info:
        parse_id_number(value)
    assert info.value.code == code


def test_check_helpers_refuse_characters_outside_the_set_with_invalid_input():
    with pytest.raises(InvalidInput) as info:
        uscc_check_char("9135０１00M000100Y4")
    assert info.value.code == "uscc_format"


def test_non_text_is_invalid_input():
    with pytest.raises(InvalidInput) as info:
        parse_id_number(None)  # type: ignore[arg-type]
    assert info.value.code == "identifier_type"


# Strings that reach every branch: digits from every script, X in both widths, separators.
NEAR_IDENTIFIERS = st.text(
    alphabet=st.sampled_from([*ALL_DIGITS, "X", "x", "Ｘ", "ｘ", "Ⅹ", " ", "\u3000", "-", "٫", "M", "Y", "I"]),
    min_size=16,
    max_size=20,
)


@given(value=st.one_of(st.text(), NEAR_IDENTIFIERS))
@example(value="１１０１０５１９４９１２３１００２Ｘ")
@example(value="9135０１00M000100Y43")
@example(value="1101051949123100\ud8002X")  # a lone surrogate, as JSON can carry one
def test_any_string_is_a_canonical_id_number_or_invalid_input(value):
    try:
        parsed = parse_id_number(value)
    except InvalidInput as exc:
        assert exc.code in {"id_length", "id_format", "id_birth_date", "id_checksum"}
        return
    assert CANONICAL_ID.fullmatch(parsed.number)
    assert parsed.number == normalise_identifier(value)
    assert parse_id_number(parsed.number) == parsed


@given(value=st.one_of(st.text(), NEAR_IDENTIFIERS))
@example(value="9135０１00M000100Y43")
@example(value="9135٠١00M000100Y43")
@example(value="91350100M000100Y4\ud800")
def test_any_string_is_a_canonical_uscc_or_invalid_input(value):
    try:
        code = parse_uscc(value)
    except InvalidInput as exc:
        assert exc.code in {"uscc_length", "uscc_format", "uscc_checksum"}
        return
    assert CANONICAL_USCC.fullmatch(code)
    assert code == normalise_identifier(value)
    assert parse_uscc(code) == code


@given(value=st.text())
def test_the_shapes_never_raise(value):
    assert ID_PATTERN.match(value) is None or CANONICAL_ID.fullmatch(normalise_identifier(value))
    assert USCC_PATTERN.match(value) is None or len(normalise_identifier(value)) == 18
