"""Recording a day's lunch: village staff only, the recording window, enrolled elders only, one
list per elder, corrections appended as revisions, double submits, a claim by another canteen,
and the days list with missing days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from rongxin.canteens.models import Canteen, Elder, Meal, ServiceDay
from rongxin.canteens.selectors.service_days import service_day_revisions, service_days, service_sheet
from rongxin.canteens.services.elders import elder_enrol, elder_leave
from rongxin.canteens.services.service_days import service_day_record
from rongxin.canteens.tests.service_helpers import (
    TODAY,
    ServiceWorld,
    elder_person,
    enrolled,
    service_world,
    who,
)
from rongxin.conftest import Tree
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent


@pytest.fixture
def svc(tree: Tree) -> Iterator[ServiceWorld]:
    yield from service_world(tree)


def _ids(world, *indexes):
    return [world.elders[i].pk for i in indexes]


def _record(world, actor=None, *, on=TODAY, eat_in=(), delivered=(), walk_ins=0, note="", canteen=None):
    return service_day_record(
        actor=actor or world.manager,
        canteen_id=(canteen or world.canteen).pk,
        on=on,
        eat_in=list(eat_in),
        delivered=list(delivered),
        walk_ins=walk_ins,
        note=note,
    )


def _meals(day):
    return sorted(Meal.objects.filter(day=day).values_list("subject_id", "kind", "current"))


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
def test_record_permission_matrix(svc, actor, allowed) -> None:
    user = who(svc, actor)
    if not allowed:
        with pytest.raises(NotFound):
            _record(svc, user or svc.manager, eat_in=_ids(svc, 0, 1), walk_ins=2) if user else service_day_record(
                actor=None, canteen_id=svc.canteen.pk, on=TODAY, eat_in=[], delivered=[], walk_ins=0
            )
        assert (ServiceDay.objects.count(), Meal.objects.count()) == (0, 0)
        assert not AuditEvent.objects.filter(action="service_day.record").exists()
        return
    day = _record(svc, user, eat_in=_ids(svc, 0, 1, 2), delivered=_ids(svc, 3), walk_ins=4, note="饺子")
    assert (day.date, day.revision, day.current, day.eat_in, day.delivered, day.walk_ins, day.note) == (
        TODAY, 1, True, 3, 1, 4, "饺子",
    )  # fmt: skip
    assert day.town_id == svc.tree.town_a.pk
    assert _meals(day) == sorted(
        [(pk, "eat_in", True) for pk in _ids(svc, 0, 1, 2)] + [(svc.elders[3].pk, "delivered", True)]
    )
    event = AuditEvent.objects.get(action="service_day.record")
    assert event.details == {"date": "2026-03-11", "revision": 1, "eat_in": 3, "delivered": 1, "walk_ins": 4}


def test_staff_of_another_village_get_not_found_before_any_validation(svc) -> None:
    with pytest.raises(NotFound):
        service_day_record(
            actor=svc.manager_b, canteen_id=svc.canteen.pk, on=TODAY + dt.timedelta(days=9), eat_in=[-1],
            delivered=[], walk_ins=-5,
        )  # fmt: skip


def test_a_future_day_is_refused(svc) -> None:
    with pytest.raises(InvalidInput) as caught:
        _record(svc, on=TODAY + dt.timedelta(days=1), eat_in=_ids(svc, 0))
    assert caught.value.code == "future_day"
    assert str(caught.value.message) == "不能为尚未到来的日子登记午餐。"
    assert ServiceDay.objects.count() == 0


def test_a_far_past_day_is_refused_and_the_seventh_day_back_is_not(svc) -> None:
    with pytest.raises(InvalidInput) as caught:
        _record(svc, on=TODAY - dt.timedelta(days=8), eat_in=_ids(svc, 0))
    assert caught.value.code == "too_old"
    assert str(caught.value.message) == "午餐须在7天内登记；这一天已超出期限。"
    assert _record(svc, on=TODAY - dt.timedelta(days=7), eat_in=_ids(svc, 0)).revision == 1


def test_only_elders_enrolled_on_that_day(svc) -> None:
    # given: an elder enrolled today and one who left yesterday, and a stranger
    newcomer = elder_person(svc.tree.village_a1, "新来的", age=66)
    enrolled(svc.canteen, newcomer, on=TODAY)
    gone = Elder.objects.get(subject=svc.elders[4])
    Elder.objects.filter(pk=gone.pk).update(left_on=TODAY - dt.timedelta(days=1))
    stranger = elder_person(svc.tree.village_b1, "外村", age=80)
    yesterday = TODAY - dt.timedelta(days=1)
    # then: yesterday the newcomer was not enrolled; today the one who left is not
    for on, ids in ((yesterday, [newcomer.pk]), (TODAY, [svc.elders[4].pk]), (TODAY, [stranger.pk])):
        with pytest.raises(InvalidInput) as caught:
            _record(svc, on=on, eat_in=[svc.elders[0].pk, *ids])
        assert caught.value.code == "not_enrolled"
    assert _record(svc, on=yesterday - dt.timedelta(days=1), delivered=[svc.elders[4].pk]).delivered == 1
    assert _record(svc, eat_in=[newcomer.pk]).eat_in == 1


def test_an_elder_in_both_lists_or_twice_is_refused(svc) -> None:
    with pytest.raises(InvalidInput) as both:
        _record(svc, eat_in=_ids(svc, 0, 1), delivered=_ids(svc, 1))
    assert both.value.code == "both"
    with pytest.raises(InvalidInput) as twice:
        _record(svc, eat_in=_ids(svc, 0, 0))
    assert twice.value.code == "duplicate"
    assert ServiceDay.objects.count() == 0


@pytest.mark.parametrize(
    ("walk_ins", "code"), [(-1, "negative"), (61, "too_many"), ("１２", "invalid"), (True, "invalid")]
)
def test_walk_ins_must_be_sane(svc, walk_ins, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        _record(svc, eat_in=_ids(svc, 0), walk_ins=walk_ins)
    assert caught.value.code == code
    assert ServiceDay.objects.count() == 0


def test_walk_ins_up_to_three_times_the_seats(svc) -> None:
    assert _record(svc, walk_ins=60).walk_ins == 60


def test_corrections_are_appended_never_overwritten(svc) -> None:
    # given: the day recorded once
    first = _record(svc, eat_in=_ids(svc, 0, 1, 2), walk_ins=1)
    # when: corrected twice
    second = _record(svc, eat_in=_ids(svc, 0, 1), delivered=_ids(svc, 2), walk_ins=1)
    third = _record(svc, eat_in=_ids(svc, 0), delivered=_ids(svc, 2), walk_ins=3, note="更正")
    # then: three revisions, only the last current, and the earlier meals kept but not current
    rows = list(ServiceDay.objects.filter(canteen=svc.canteen, date=TODAY).order_by("revision"))
    assert [(d.revision, d.current, d.eat_in, d.delivered, d.walk_ins) for d in rows] == [
        (1, False, 3, 0, 1),
        (2, False, 2, 1, 1),
        (3, True, 1, 1, 3),
    ]
    assert [d.pk for d in rows] == [first.pk, second.pk, third.pk]
    assert _meals(first) == sorted([(pk, "eat_in", False) for pk in _ids(svc, 0, 1, 2)])
    assert _meals(third) == sorted([(svc.elders[0].pk, "eat_in", True), (svc.elders[2].pk, "delivered", True)])
    assert Meal.objects.filter(date=TODAY, current=True).count() == 2
    _canteen, revisions = service_day_revisions(actor=svc.town, canteen_id=svc.canteen.pk, on=TODAY)
    assert [d.revision for d in revisions] == [3, 2, 1]


def test_a_double_submit_returns_the_current_revision(svc) -> None:
    first = _record(svc, eat_in=_ids(svc, 1, 0), delivered=_ids(svc, 3), walk_ins=2, note="面条")
    again = _record(svc, eat_in=_ids(svc, 0, 1), delivered=_ids(svc, 3), walk_ins=2, note="面条")
    assert again.pk == first.pk
    assert ServiceDay.objects.count() == 1
    assert AuditEvent.objects.filter(action="service_day.record").count() == 1


def test_two_canteens_claiming_one_elder_on_one_day(svc) -> None:
    # given: 张大爷 had lunch at the village A1 canteen today, then moved to a second canteen
    second = Canteen.objects.create(
        name="东山第二食堂", village=svc.canteen.village, town=svc.canteen.town, operator="committee",
        status="open", seats=10, meal_weekdays=[0, 1, 2, 3, 4], created_at=svc.canteen.created_at,
    )  # fmt: skip
    _record(svc, eat_in=_ids(svc, 0, 1))
    zhang = Elder.objects.get(subject=svc.elders[0])
    elder_leave(actor=svc.manager, elder_id=zhang.pk, reason="转到第二食堂")
    elder_enrol(actor=svc.manager, canteen_id=second.pk, subject_id=svc.elders[0].pk, consent_by="self")
    # when: the second canteen records him for today too
    with pytest.raises(Conflict) as caught:
        _record(svc, canteen=second, eat_in=_ids(svc, 0))
    # then: a clear refusal naming him, and nothing saved at the second canteen
    assert caught.value.code == "claimed_elsewhere"
    assert str(caught.value.message) == "当天已在另一食堂登记用餐：张大爷。"
    assert not ServiceDay.objects.filter(canteen=second).exists()
    assert Meal.objects.filter(subject=svc.elders[0], date=TODAY, current=True).count() == 1


def test_a_canteen_not_yet_open_cannot_record(svc) -> None:
    Canteen.objects.filter(pk=svc.canteen.pk).update(status=Canteen.Status.BUILDING)
    with pytest.raises(Conflict) as caught:
        _record(svc, eat_in=_ids(svc, 0))
    assert caught.value.code == "canteen_not_open"


def test_missing_days_are_marked_not_zero(svc) -> None:
    # given: Monday 9 March recorded, Tuesday 10 not, today (Wednesday 11) recorded with nobody
    _record(svc, on=dt.date(2026, 3, 9), eat_in=_ids(svc, 0), walk_ins=1)
    _record(svc, on=TODAY)
    # when: the town officer reads Saturday 7 to today
    _canteen, lines = service_days(
        actor=svc.town, canteen_id=svc.canteen.pk, date_from=dt.date(2026, 3, 7), date_to=dt.date(2026, 3, 20)
    )
    # then: latest first, up to today; the weekend is no meal day, Tuesday is missing
    assert [(x.date.day, x.state) for x in lines] == [
        (11, "recorded"),
        (10, "missing"),
        (9, "recorded"),
        (8, "no_meal"),
        (7, "no_meal"),
    ]
    assert (lines[0].day.eat_in, lines[0].day.walk_ins) == (0, 0)
    assert sum(x.missing for x in lines) == 1


def test_the_days_are_not_for_another_town_and_the_range_is_bounded(svc) -> None:
    with pytest.raises(NotFound):
        service_days(actor=svc.manager_b, canteen_id=svc.canteen.pk, date_from=TODAY, date_to=TODAY)
    with pytest.raises(InvalidInput):
        service_days(actor=svc.town, canteen_id=svc.canteen.pk, date_from=TODAY, date_to=TODAY - dt.timedelta(days=1))
    with pytest.raises(InvalidInput):
        service_days(actor=svc.town, canteen_id=svc.canteen.pk, date_from=TODAY - dt.timedelta(days=366), date_to=TODAY)


def test_the_sheet_shows_yesterday_and_today_and_is_audited(svc) -> None:
    _record(svc, on=TODAY - dt.timedelta(days=1), eat_in=_ids(svc, 0), delivered=_ids(svc, 1))
    _record(svc, eat_in=_ids(svc, 1))
    sheet = service_sheet(actor=svc.manager, canteen_id=svc.canteen.pk, on=TODAY)
    by_name = {r.name: (r.yesterday, r.today) for r in sheet.rows}
    assert by_name == {
        "张大爷": ("eat_in", ""),
        "李奶奶": ("delivered", "eat_in"),
        "王爷爷": ("", ""),
        "赵奶奶": ("", ""),
        "刘大爷": ("", ""),
    }
    assert sheet.current is not None
    assert sheet.current.revision == 1
    assert AuditEvent.objects.get(action="elder.list_read").details == {"list": "service", "elders": 5}
    with pytest.raises(NotFound):
        service_sheet(actor=svc.town, canteen_id=svc.canteen.pk, on=TODAY)


def test_a_record_made_just_after_midnight_is_for_the_local_day(svc) -> None:
    with time_machine.travel("2026-03-12 00:05 +0800", tick=False):
        day = _record(svc, on=dt.date(2026, 3, 12), eat_in=_ids(svc, 0))
    assert day.date == dt.date(2026, 3, 12)
