"""Persons' names in volunteering (duty staff, a minor's guardian) follow the platform's one name
rule, and a refused name shows beside its field (issue 12, item 4)."""

# The volunteering fixtures (world, frozen) are imported by name, so arguments redefine them.
# ruff: noqa: F811

from __future__ import annotations

import re

import pytest

from rongxin.conftest import client_for
from rongxin.volunteering.models import Duty, Shift
from rongxin.volunteering.services.mobilisation import ShiftInput, callout_create
from rongxin.volunteering.tests.conftest import World, at, frozen, world  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def test_a_staff_name_with_an_emoji_comes_back_beside_the_shift_field(world: World) -> None:
    # given a call-out with one shift
    c = callout_create(
        actor=world.town_a, title="防汛值守", kind="flood", region_code=world.tree.town_a.code, description="",
        shifts=[ShiftInput(place="东山河堤", starts_at=at("2026-03-02 08:00"), ends_at=at("2026-03-02 12:00"), needed=5)],
    )  # fmt: skip
    shift = Shift.objects.get()
    officer = client_for(world.town_a)
    # when the organiser types a name with an emoji
    response = officer.post(f"/v/shifts/{shift.pk}/staff/", {"callout": c.pk, "staff_name": "李明👍"})
    page = officer.get(response["Location"]).content.decode()
    # then: nothing saved, the message names the problem at the field of that shift
    assert response["Location"] == f"/v/callouts/{c.pk}/#shift-{shift.pk}"
    assert Duty.objects.count() == 0
    assert "未添加：请按下方提示修改工作人员姓名。" in page
    control = re.findall(r'<input[^>]*name="staff_name"[^>]*>', page)
    assert len(control) == 1
    assert 'aria-invalid="true"' in control[0]
    assert 'aria-describedby="staff-kept-staff_name_error"' in control[0]
    assert 'value="李明👍"' in control[0]
    assert (
        '<div class="error" id="staff-kept-staff_name_error">'
        "<p>姓名不能包含表情符号、标点或其他符号（各部分之间的 · 除外）。</p></div>"
    ) in page


def test_a_staff_name_is_stored_in_its_one_spelling(world: World) -> None:
    # given
    c = callout_create(
        actor=world.town_a, title="防汛值守", kind="flood", region_code=world.tree.town_a.code, description="",
        shifts=[ShiftInput(place="东山河堤", starts_at=at("2026-03-02 08:00"), ends_at=at("2026-03-02 12:00"), needed=5)],
    )  # fmt: skip
    shift = Shift.objects.get()
    # when
    response = client_for(world.town_a).post(
        f"/v/shifts/{shift.pk}/staff/", {"callout": c.pk, "staff_name": "阿依古丽・买买提"}
    )
    # then
    assert response["Location"] == f"/v/callouts/{c.pk}/"
    assert list(Duty.objects.values_list("staff_name", flat=True)) == ["阿依古丽·买买提"]


def test_a_minors_guardian_must_be_named_as_a_person(world: World) -> None:
    # given a minor with a person record
    from rongxin.conftest import link, make_id_number, make_person, make_user
    from rongxin.core.errors import InvalidInput
    from rongxin.volunteering.models import Volunteer
    from rongxin.volunteering.services import volunteer_register

    kid = make_user("kid")
    link(kid, make_person(world.tree.village_a1, name="王小明", id_number=make_id_number(birth="20150101")).subject)
    # when the guardian's name is a nickname with digits
    with pytest.raises(InvalidInput) as refused:
        volunteer_register(
            actor=kid, agree=True, guardian_name="妈妈123", guardian_relation="母亲", guardian_consent=True
        )
    # then
    assert refused.value.errors == [{"field": "guardian_name", "message": "姓名不能包含数字。", "code": "name_digit"}]
    assert Volunteer.objects.filter(subject__name="王小明").count() == 0
