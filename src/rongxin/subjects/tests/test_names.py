"""A person's real name: one rule (rongxin.subjects.domain.names) for every place a name is entered."""

from __future__ import annotations

import pytest

from rongxin.core.errors import InvalidInput
from rongxin.subjects.domain.names import person_name_normalise


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("张伟", "张伟"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("  李雷 ", "李雷"),
        ("王 芳", "王芳"),
        ("王\u3000芳", "王芳"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽･买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("爱新觉罗‧溥仪", "爱新觉罗·溥仪"),
        ("爱新觉罗 · 溥仪", "爱新觉罗·溥仪"),
        ("努尔·阿卜杜拉·买买提", "努尔·阿卜杜拉·买买提"),
        ("𠮷野", "𠮷野"),
        ("张" + "三" * 19, "张" + "三" * 19),
        ("John Smith", "John Smith"),
        ("John   Smith", "John Smith"),
        ("Zoë O’Brien-Müller", "Zoë O'Brien-Müller"),
        ("Zoe\u0308", "Zoë"),
        ("ＪＯＨＮ ＳＭＩＴＨ", "JOHN SMITH"),
        ("Jean-Luc d'Arcy", "Jean-Luc d'Arcy"),
    ],
)
def test_real_names_are_accepted_in_one_spelling(typed: str, stored: str) -> None:
    # when
    name = person_name_normalise(typed)
    # then
    assert name == stored


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("", "required", "请填写姓名。"),
        ("   ", "required", "请填写姓名。"),
        ("张伟😀", "name_symbol", "姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。"),
        ("张伟❤", "name_symbol", "姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。"),
        ("张@伟", "name_symbol", "姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。"),
        ("John_Smith", "name_symbol", "姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。"),
        ("张伟。", "name_symbol", "姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。"),
        ("张3", "name_digit", "姓名不能包含数字。"),
        ("李四②", "name_digit", "姓名不能包含数字。"),
        ("张\u200b伟", "name_control", "姓名不能包含控制字符或不可见字符。"),
        ("张\x07伟", "name_control", "姓名不能包含控制字符或不可见字符。"),
        ("张\u202e伟", "name_control", "姓名不能包含控制字符或不可见字符。"),
        ("张\t伟", "name_control", "姓名不能包含控制字符或不可见字符。"),
        ("张", "name_length", "中文姓名应为 2 至 20 个汉字。"),
        ("张" * 21, "name_length", "中文姓名应为 2 至 20 个汉字。"),
        ("·张伟", "name_dot", "间隔号（·）只能出现在姓名的两部分之间，且每处只能有一个。"),
        ("张伟·", "name_dot", "间隔号（·）只能出现在姓名的两部分之间，且每处只能有一个。"),
        ("张··伟", "name_dot", "间隔号（·）只能出现在姓名的两部分之间，且每处只能有一个。"),
        ("张John", "name_mixed", "姓名请全部使用汉字或全部使用拉丁字母，不要混用。"),
        ("Иван", "name_script", "姓名应使用汉字或拉丁字母书写。"),
        ("さくら", "name_script", "姓名应使用汉字或拉丁字母书写。"),
        ("J", "name_length", "拉丁字母姓名应为 2 至 60 个字符。"),
        ("A" * 61, "name_length", "拉丁字母姓名应为 2 至 60 个字符。"),
        ("John--Smith", "name_separator", "空格、连字符和撇号只能出现在字母之间，且每处只能有一个。"),
        ("-John", "name_separator", "空格、连字符和撇号只能出现在字母之间，且每处只能有一个。"),
        ("O'", "name_separator", "空格、连字符和撇号只能出现在字母之间，且每处只能有一个。"),
        ("John·Smith", "name_dot", "间隔号（·）只用于汉字姓名。"),
    ],
)
def test_what_is_no_name_is_refused_with_a_message_that_says_why(typed: str, code: str, message: str) -> None:
    # when
    with pytest.raises(InvalidInput) as refused:
        person_name_normalise(typed)
    # then
    assert (refused.value.code, str(refused.value.message)) == (code, message)


# --- Where names are entered ------------------------------------------------------------------
@pytest.mark.django_db
def test_registering_a_person_with_an_emoji_in_the_name_shows_the_error_at_the_name(tree, staff):
    # given
    from rongxin.conftest import client_for, make_id_number
    from rongxin.subjects.models import Subject

    # when
    response = client_for(staff["village_a1_officer"]).post(
        "/subjects/new/person/",
        {
            "name": "王五😀",
            "id_number": make_id_number(),
            "residency": "resident",
            "village_code": tree.village_a1.code,
        },
    )
    # then
    html = response.content.decode()
    assert response.status_code == 422
    assert (
        '<div class="error" id="id_name_error"><p>姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。</p></div>'
        in html
    )
    assert 'aria-invalid="true" aria-describedby="id_name_error"' in html
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_the_api_refuses_a_legal_representative_with_digits_naming_the_field(tree, staff):
    # given
    from rongxin.conftest import client_for
    from rongxin.subjects.models import Subject

    # when
    response = client_for(staff["county_office"]).post(
        "/api/v1/subjects/organisations",
        {
            "kind": "enterprise",
            "name": "荣成市永泰水产品加工有限公司",
            "uscc": "91371082MA3C0000X1",
            "legal_representative": "张3",
            "village_code": tree.village_a1.code,
        },
        content_type="application/json",
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "legal_representative", "message": "姓名不能包含数字。", "code": "name_digit"}
    ]
    assert Subject.objects.count() == 0
