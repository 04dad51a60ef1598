"""The manager's phone page for a day's lunch, the 30 days' history, a day's revisions, the
elders' pages and the elder's own leave from their file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from rongxin.canteens.models import Canteen, Elder, ServiceDay
from rongxin.canteens.services.service_days import service_day_record
from rongxin.canteens.tests.service_helpers import (
    TODAY,
    ServiceWorld,
    elder_person,
    service_world,
    who,
)
from rongxin.conftest import Tree, client_for, link, make_user
from rongxin.core.models import AuditEvent


@pytest.fixture
def svc(tree: Tree) -> Iterator[ServiceWorld]:
    yield from service_world(tree)


def _url(world, date=None):
    base = f"/canteens/{world.canteen.pk}/service/"
    return base + (f"?date={date}" if date else "")


def _post(world, choices, *, walk_ins="0", date=None, note=""):
    data = {f"meal_{pk}": kind for pk, kind in choices.items()}
    data |= {"walk_ins": walk_ins, "note": note, "date": (date or TODAY).isoformat()}
    return data


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 302), ("resident", 404), ("town", 404), ("admin", 404), ("manager_b", 404), ("manager", 200)],
)
def test_the_service_page_is_for_village_staff(svc, actor, status) -> None:
    response = client_for(who(svc, actor)).get(_url(svc))
    assert response.status_code == status
    if status == 200:
        text = response.content.decode()
        assert all(name in text for name in ["张大爷", "李奶奶", "王爷爷", "赵奶奶", "刘大爷"])
        assert "保存今天" in text
        assert "全部堂食" in text
    else:
        assert "张大爷" not in response.content.decode()


@pytest.mark.parametrize(
    ("actor", "allowed"), [("anonymous", False), ("town", False), ("manager_b", False), ("officer", True)]
)
def test_saving_the_day_permission_matrix(svc, actor, allowed) -> None:
    e = svc.elders
    response = client_for(who(svc, actor)).post(
        _url(svc), _post(svc, {e[0].pk: "eat_in", e[1].pk: "delivered"}, walk_ins="2")
    )
    if not allowed:
        assert response.status_code in (302, 404)
        assert ServiceDay.objects.count() == 0
        return
    assert response.status_code == 302
    assert response["Location"] == _url(svc, TODAY.isoformat())
    day = ServiceDay.objects.get()
    assert (day.eat_in, day.delivered, day.walk_ins, day.revision) == (1, 1, 2, 1)


def test_after_saving_the_page_shows_the_counts_and_revision(svc) -> None:
    e = svc.elders
    client = client_for(svc.manager)
    client.post(
        _url(svc), _post(svc, {e[0].pk: "eat_in", e[1].pk: "eat_in", e[2].pk: "delivered", e[3].pk: ""}, walk_ins="3")
    )
    page = client.get(_url(svc, TODAY.isoformat()))
    text = page.content.decode()
    assert "已保存：堂食 2 人，送餐 1 人，散客 3 人（第 1 版）。" in text
    assert "已保存（第 1 版）" in text
    assert '<span class="num" id="saved-eat-in">2</span>' in text
    # a correction appends revision 2
    client.post(_url(svc), _post(svc, {e[0].pk: "eat_in"}, walk_ins="3"))
    assert list(ServiceDay.objects.order_by("revision").values_list("revision", "current", "eat_in")) == [
        (1, False, 2),
        (2, True, 1),
    ]


def test_a_bad_save_shows_the_error_and_saves_nothing(svc) -> None:
    client = client_for(svc.manager)
    response = client.post(_url(svc), _post(svc, {svc.elders[0].pk: "eat_in"}, walk_ins="-1"))
    assert response.status_code == 422
    response = client.post(_url(svc), _post(svc, {svc.elders[0].pk: "eat_in"}, walk_ins="１２"))
    assert response.status_code == 422
    response = client.post(_url(svc), _post(svc, {svc.elders[0].pk: "eat_in"}, date=TODAY + dt.timedelta(days=1)))
    assert response.status_code == 422
    assert "不能为尚未到来的日子登记午餐。" in response.content.decode()
    assert ServiceDay.objects.count() == 0


def test_a_far_past_date_shows_no_form(svc) -> None:
    response = client_for(svc.manager).get(_url(svc, (TODAY - dt.timedelta(days=10)).isoformat()))
    assert response.status_code == 200
    assert "只能登记最近 7 天的午餐。" in response.content.decode()
    assert 'id="service-form"' not in response.content.decode()


def test_a_bad_date_goes_back_to_today(svc) -> None:
    response = client_for(svc.manager).get(_url(svc, "2026-02-30"))
    assert (response.status_code, response["Location"]) == (302, _url(svc))


def test_the_history_marks_missing_days(svc) -> None:
    service_day_record(
        actor=svc.manager, canteen_id=svc.canteen.pk, on=TODAY, eat_in=[svc.elders[0].pk], delivered=[], walk_ins=0
    )
    response = client_for(svc.town).get(f"/canteens/{svc.canteen.pk}/service/history/")
    text = response.content.decode()
    assert response.status_code == 200
    # 30 days back from Wednesday 11 March: 22 weekdays, of which today is recorded
    assert "21 个供餐日缺报。" in text
    assert text.count("缺报</span>") == 21
    assert "张大爷" not in text
    assert client_for(svc.manager_b).get(f"/canteens/{svc.canteen.pk}/service/history/").status_code == 404


def test_a_days_revisions_page(svc) -> None:
    for walk_ins in (1, 2):
        service_day_record(
            actor=svc.manager, canteen_id=svc.canteen.pk, on=TODAY, eat_in=[], delivered=[], walk_ins=walk_ins
        )
    response = client_for(svc.town).get(f"/canteens/{svc.canteen.pk}/service/days/{TODAY.isoformat()}/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr") == 3


def test_the_elders_page_lists_searches_and_audits(svc) -> None:
    client = client_for(svc.officer)
    response = client.get(f"/canteens/{svc.canteen.pk}/elders/?q=张")
    text = response.content.decode()
    assert response.status_code == 200
    assert "张大爷" in text
    assert "已在东山暖心食堂就餐" in text
    assert AuditEvent.objects.filter(action="elder.list_read").count() == 1
    assert AuditEvent.objects.filter(action="elder.search").count() == 1
    bad = client.get(f"/canteens/{svc.canteen.pk}/elders/?q=12345")
    assert bad.status_code == 422
    assert client_for(svc.town).get(f"/canteens/{svc.canteen.pk}/elders/").status_code == 404


def test_enrol_edit_and_leave_through_the_pages(svc) -> None:
    person = elder_person(svc.tree.village_a1, "孙奶奶", age=81)
    young = elder_person(svc.tree.village_a1, "孙小妹", age=30)
    client = client_for(svc.manager)
    new = f"/canteens/{svc.canteen.pk}/elders/new/{person.pk}/"
    assert client.get(new).status_code == 200
    # family consent without a name stays on the form
    response = client.post(new, {"consent_by": "family", "consent_relation": "女儿"})
    assert response.status_code == 422
    response = client.post(
        new, {"consent_by": "family", "consent_name": "孙丽", "consent_relation": "女儿", "needs_delivery": "on"}
    )
    assert response.status_code == 302
    elder = Elder.objects.get(subject=person)
    assert (elder.consent_name, elder.needs_delivery) == ("孙丽", True)
    too_young = client.post(f"/canteens/{svc.canteen.pk}/elders/new/{young.pk}/", {"consent_by": "self"})
    assert too_young.status_code == 422
    assert "未满60周岁，不能登记为就餐老人。" in too_young.content.decode()
    # edit and leave
    assert client.post(f"/canteens/elders/{elder.pk}/", {"dietary_note": "软食"}).status_code == 302
    assert Elder.objects.get(pk=elder.pk).dietary_note == "软食"
    assert client.post(f"/canteens/elders/{elder.pk}/leave/", {"reason": "搬家"}).status_code == 302
    assert Elder.objects.get(pk=elder.pk).left_on == TODAY
    assert Canteen.objects.get(pk=svc.canteen.pk).elder_count == 5
    # staff of another village see nothing
    assert client_for(svc.manager_b).get(f"/canteens/elders/{elder.pk}/").status_code == 404


def test_the_elder_sees_their_enrolment_in_their_file_and_leaves(svc) -> None:
    user = make_user("zhang_daye")
    link(user, svc.elders[0])
    client = client_for(user)
    page = client.get("/me/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "您自 2026-01-05 起在东山暖心食堂登记就餐。" in text
    assert "退出食堂" in text
    elder = Elder.objects.get(subject=svc.elders[0])
    response = client.post(f"/canteens/elders/{elder.pk}/leave/", {"reason": ""})
    assert (response.status_code, response["Location"]) == (302, "/me/")
    assert Elder.objects.get(pk=elder.pk).left_on == TODAY
    assert "您未在暖心食堂登记就餐。" in client.get("/me/").content.decode()
    # someone else's account cannot make them leave
    other = Elder.objects.get(subject=svc.elders[1])
    assert client.post(f"/canteens/elders/{other.pk}/leave/", {}).status_code == 404
    assert Elder.objects.get(pk=other.pk).left_on is None
