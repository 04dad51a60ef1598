"""Enrolling, changing and leaving: village staff only, age 60 from the credit file, consent,
one current canteen per elder, the canteen's count under its lock, and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from rongxin.canteens.models import Canteen, Elder
from rongxin.canteens.selectors.elders import elders_of, enrol_candidates
from rongxin.canteens.services.elders import elder_enrol, elder_leave, elder_update
from rongxin.canteens.tests.service_helpers import (
    TODAY,
    ServiceWorld,
    birth_for_age,
    elder_person,
    enrolled,
    make_canteen,
    service_world,
    who,
)
from rongxin.conftest import Tree, link, make_id_number, make_person, make_user
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent


@pytest.fixture
def svc(tree: Tree) -> Iterator[ServiceWorld]:
    yield from service_world(tree)


def _enrol(world, actor, subject, **extra):
    return elder_enrol(actor=actor, canteen_id=world.canteen.pk, subject_id=subject.pk, consent_by="self", **extra)


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("town", False),
        ("admin", False),
        ("auditor", False),
        ("manager_b", False),
        ("officer", True),
        ("manager", True),
    ],
)
def test_enrol_permission_matrix(svc, actor, allowed) -> None:
    # given: a resident of village A1 aged 80
    person = elder_person(svc.tree.village_a1, "孙奶奶", age=80)
    before = (Elder.objects.count(), AuditEvent.objects.filter(action="elder.enrol").count())
    user = who(svc, actor)
    # when / then
    if not allowed:
        with pytest.raises(NotFound):
            _enrol(svc, user, person)
        assert (Elder.objects.count(), AuditEvent.objects.filter(action="elder.enrol").count()) == before
        assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 5
        return
    elder = _enrol(svc, user, person, dietary_note="少盐", needs_delivery=True)
    assert (elder.canteen_id, elder.subject_id, elder.village_id) == (svc.canteen.pk, person.pk, svc.tree.village_a1.pk)
    assert (elder.enrolled_on, elder.dietary_note, elder.needs_delivery, elder.left_on) == (TODAY, "少盐", True, None)
    assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 6
    event = AuditEvent.objects.get(action="elder.enrol")
    assert (event.actor_id, event.subject_id, event.object_id) == (user.pk, person.pk, str(elder.pk))


def test_another_villages_staff_learn_nothing_even_with_bad_input(svc) -> None:
    # when: the manager of village B1 sends nonsense to village A1's canteen
    with pytest.raises(NotFound):
        elder_enrol(actor=svc.manager_b, canteen_id=svc.canteen.pk, subject_id=-3, consent_by="nobody")
    # then: not "invalid", just not found; and the list is not theirs either
    with pytest.raises(NotFound):
        elders_of(actor=svc.manager_b, canteen_id=svc.canteen.pk)


def test_a_forty_year_old_cannot_be_enrolled(svc) -> None:
    person = elder_person(svc.tree.village_a1, "周先生", age=40)
    with pytest.raises(InvalidInput) as caught:
        _enrol(svc, svc.manager, person)
    assert caught.value.code == "too_young"
    assert str(caught.value.message) == "未满60周岁，不能登记为就餐老人。"
    assert not Elder.objects.filter(subject=person).exists()


def test_age_boundary_sixty_on_the_day_and_fifty_nine_the_day_before(svc) -> None:
    # given: a resident who turns 60 on 2026-03-20
    birthday = dt.date(2026, 3, 20)
    person = make_person(
        svc.tree.village_a1, name="吴阿姨", id_number=make_id_number(birth=birth_for_age(60, on=birthday))
    ).subject
    # when: the day before, they are 59
    with time_machine.travel("2026-03-19 23:30 +0800", tick=False), pytest.raises(InvalidInput) as caught:
        _enrol(svc, svc.manager, person)
    assert caught.value.code == "too_young"
    # then: on the birthday (just after midnight in Beijing, still the 19th in UTC) they may enrol
    with time_machine.travel("2026-03-20 00:10 +0800", tick=False):
        elder = _enrol(svc, svc.manager, person)
    assert elder.enrolled_on == birthday


def test_a_family_member_consents_with_name_and_relation(svc) -> None:
    person = elder_person(svc.tree.village_a1, "钱爷爷", age=88)
    for name, relation, field in (("", "儿子", "consent_name"), ("钱小军", "", "consent_relation")):
        with pytest.raises(InvalidInput) as caught:
            elder_enrol(
                actor=svc.manager,
                canteen_id=svc.canteen.pk,
                subject_id=person.pk,
                consent_by="family",
                consent_name=name,
                consent_relation=relation,
            )
        assert caught.value.errors[0]["field"] == field
    elder = elder_enrol(
        actor=svc.manager,
        canteen_id=svc.canteen.pk,
        subject_id=person.pk,
        consent_by="family",
        consent_name="钱小军",
        consent_relation="儿子",
    )
    assert (elder.consent_by, elder.consent_name, elder.consent_relation) == ("family", "钱小军", "儿子")


def test_enrol_by_id_number_any_digits(svc) -> None:
    number = make_id_number(birth=birth_for_age(72))
    person = make_person(svc.tree.village_a1, name="郑奶奶", id_number=number).subject
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    elder = elder_enrol(actor=svc.manager, canteen_id=svc.canteen.pk, id_number=fullwidth, consent_by="self")
    assert elder.subject_id == person.pk


def test_a_resident_of_another_village_is_refused(svc) -> None:
    outsider = elder_person(svc.tree.village_a2, "冯大爷", age=80)
    with pytest.raises(InvalidInput) as caught:
        _enrol(svc, svc.manager, outsider)
    assert caught.value.code == "unknown_resident"
    number = make_id_number(birth=birth_for_age(80))
    make_person(svc.tree.village_b1, name="陈大爷", id_number=number)
    with pytest.raises(InvalidInput) as caught:
        elder_enrol(actor=svc.manager, canteen_id=svc.canteen.pk, id_number=number, consent_by="self")
    assert caught.value.code == "unknown_resident"


def test_one_current_canteen_per_elder(svc) -> None:
    # given: a second canteen in the same village
    second = make_canteen(svc.tree.village_a1, name="东山第二食堂")
    with pytest.raises(Conflict) as caught:
        elder_enrol(actor=svc.manager, canteen_id=second.pk, subject_id=svc.elders[0].pk, consent_by="self")
    assert caught.value.code == "already_enrolled"
    assert str(caught.value.message) == "该居民已在东山暖心食堂登记就餐；请先在那里办理退出。"
    with pytest.raises(Conflict) as again:
        _enrol(svc, svc.manager, svc.elders[0])
    assert str(again.value.message) == "该居民已在本食堂登记就餐。"
    assert Canteen.objects.get(pk=second.pk).elder_count == 0


@pytest.mark.parametrize("status", [Canteen.Status.PLANNED, Canteen.Status.BUILDING, Canteen.Status.CLOSED])
def test_only_an_open_or_paused_canteen_enrols(svc, status) -> None:
    Canteen.objects.filter(pk=svc.canteen.pk).update(status=status)
    with pytest.raises(Conflict) as caught:
        _enrol(svc, svc.manager, elder_person(svc.tree.village_a1, "褚奶奶", age=77))
    assert caught.value.code == "canteen_not_open"


def test_paused_canteen_enrols(svc) -> None:
    Canteen.objects.filter(pk=svc.canteen.pk).update(status=Canteen.Status.PAUSED)
    assert _enrol(svc, svc.manager, elder_person(svc.tree.village_a1, "卫奶奶", age=77)).left_on is None


def test_staff_cannot_enrol_themself(svc) -> None:
    me = elder_person(svc.tree.village_a1, "蒋主任", age=63)
    link(svc.officer, me)
    with pytest.raises(Forbidden):
        _enrol(svc, svc.officer, me)
    assert _enrol(svc, svc.manager, me).subject_id == me.pk


def test_control_characters_and_oversized_notes_are_refused(svc) -> None:
    person = elder_person(svc.tree.village_a1, "沈大爷", age=70)
    for note in ("少盐\x07", "软" * 201):
        with pytest.raises(InvalidInput):
            _enrol(svc, svc.manager, person, dietary_note=note)
    assert not Elder.objects.filter(subject=person).exists()


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("resident", False),
        ("town", False),
        ("manager_b", False),
        ("officer", True),
        ("manager", True),
    ],
)
def test_update_permission_matrix(svc, actor, allowed) -> None:
    elder = Elder.objects.get(subject=svc.elders[1])
    user = who(svc, actor)
    if not allowed:
        with pytest.raises(NotFound):
            elder_update(actor=user, elder_id=elder.pk, dietary_note="不吃辣")
        assert Elder.objects.get(pk=elder.pk).dietary_note == ""
        return
    elder_update(actor=user, elder_id=elder.pk, dietary_note="不吃辣", needs_delivery=True)
    fresh = Elder.objects.get(pk=elder.pk)
    assert (fresh.dietary_note, fresh.needs_delivery) == ("不吃辣", True)
    event = AuditEvent.objects.get(action="elder.update")
    assert event.details == {"changed": ["dietary_note", "needs_delivery"]}


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("anonymous", False), ("resident", False), ("town", False), ("manager_b", False), ("manager", True)],
)
def test_leave_permission_matrix(svc, actor, allowed) -> None:
    elder = Elder.objects.get(subject=svc.elders[2])
    user = who(svc, actor)
    if not allowed:
        with pytest.raises(NotFound):
            elder_leave(actor=user, elder_id=elder.pk, reason="搬去子女家")
        assert Elder.objects.get(pk=elder.pk).left_on is None
        assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 5
        return
    elder_leave(actor=user, elder_id=elder.pk, reason="搬去子女家")
    fresh = Elder.objects.get(pk=elder.pk)
    assert (fresh.left_on, fresh.left_reason) == (TODAY, "搬去子女家")
    assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 4


def test_staff_give_a_reason_and_a_second_leave_conflicts(svc) -> None:
    elder = Elder.objects.get(subject=svc.elders[2])
    with pytest.raises(InvalidInput) as caught:
        elder_leave(actor=svc.manager, elder_id=elder.pk, reason=" ")
    assert caught.value.errors[0]["field"] == "reason"
    elder_leave(actor=svc.manager, elder_id=elder.pk, reason="住院")
    with pytest.raises(Conflict) as again:
        elder_leave(actor=svc.manager, elder_id=elder.pk, reason="住院")
    assert again.value.code == "elder_left"
    assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 4


def test_the_elder_leaves_by_themself_and_may_return(svc) -> None:
    # given: the elder's own account
    user = make_user("zhang_daye")
    link(user, svc.elders[0])
    elder = Elder.objects.get(subject=svc.elders[0])
    # when: they leave without a reason
    elder_leave(actor=user, elder_id=elder.pk)
    # then: recorded as their own, and staff may enrol them again later (a new row)
    event = AuditEvent.objects.get(action="elder.leave")
    assert (event.actor_role, event.details) == ("resident", {"canteen": svc.canteen.pk, "own": True})
    with time_machine.travel("2026-03-12 10:00 +0800", tick=False):
        again = _enrol(svc, svc.manager, svc.elders[0])
    assert again.pk != elder.pk
    assert Elder.objects.filter(subject=svc.elders[0]).count() == 2
    assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 5


def test_the_list_is_audited_and_names_only_current_elders(svc) -> None:
    elder_leave(actor=svc.manager, elder_id=Elder.objects.get(subject=svc.elders[4]).pk, reason="去世")
    listing = elders_of(actor=svc.officer, canteen_id=svc.canteen.pk, with_left=True)
    assert [e.subject.name for e in listing.current] == sorted(["张大爷", "李奶奶", "王爷爷", "赵奶奶"])
    assert [e.subject.name for e in listing.left] == ["刘大爷"]
    event = AuditEvent.objects.get(action="elder.list_read")
    assert (event.actor_id, event.kind, event.details) == (svc.officer.pk, "read", {"list": "elders", "elders": 5})


def test_candidates_show_masked_numbers_age_and_current_canteen(svc) -> None:
    make_person(svc.tree.village_a1, name="张小华", id_number=make_id_number(birth=birth_for_age(30)))
    make_person(svc.tree.village_b1, name="张外村", id_number=make_id_number(birth=birth_for_age(80)))
    found = enrol_candidates(actor=svc.manager, canteen_id=svc.canteen.pk, query="张")
    assert [(c.name, c.age, c.old_enough, c.enrolled_in) for c in found] == [
        ("张大爷", 70, True, "东山暖心食堂"),
        ("张小华", 30, False, ""),
    ]
    assert all("*" in c.id_number_masked for c in found)
    assert AuditEvent.objects.get(action="elder.search").details == {"query_kind": "name", "results": 2}


def test_left_elders_are_kept_with_enrolled_dates(svc) -> None:
    old = elder_person(svc.tree.village_a1, "韩奶奶", age=90)
    enrolled(svc.canteen, old, on=dt.date(2025, 5, 1), left_on=dt.date(2025, 12, 1))
    assert Elder.objects.filter(subject=old, left_on__isnull=True).count() == 0
    assert _enrol(svc, svc.manager, old).enrolled_on == TODAY
