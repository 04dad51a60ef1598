"""The session form's lists (lecture teams, practice sites, venues, speakers) limited to what
the actor may use, and the page that changes a planned session: its permission matrix, the
change itself, and its refusal once the session is closed or cancelled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.core import clock
from rongxin.lectures.models import Session, SessionSpeaker, Speaker
from rongxin.lectures.pages.views.sessions import SessionForm
from rongxin.lectures.selectors.choices import recordable_teams, site_choices, speaker_choices, venue_choices
from rongxin.lectures.tests.conftest import LectureWorld, at, resident_user
from rongxin.lectures.tests.test_sessions_helpers import accepted_order, new_session
from rongxin.regions.models import PracticeSite, Venue
from rongxin.volunteering.models import Team

pytestmark = pytest.mark.django_db

ROLES = ["admin", "town_a", "town_b", "village_a1", "village_b1", "auditor", "team_leader", "head_user", "leader_user"]


def _team_b() -> Team:
    from rongxin.regions.models import Region

    return Team.objects.create(
        name="俚岛宣讲队",
        tier="town_village",
        kind="lecture",
        region=Region.objects.get(code="371082101000"),
        created_at=clock.now(),
    )


def _team_choices(form: SessionForm) -> list[Any]:
    return [v for v, _label in form.fields["team_id"].choices]  # type: ignore[attr-defined]


def _form(lect: LectureWorld, **overrides: Any) -> dict[str, Any]:
    return {
        "title": "文明乡风宣讲",
        "region_code": lect.tree.village_a2.code,
        "format": "talk",
        "starts_at": "2026-03-04T11:30",
        "ends_at": "2026-03-04T11:45",
        "place_kind": "other",
        "place": "西山社区广场",
        "speaker_ids": [str(lect.head.pk)],
    } | overrides


# --- Lecture teams ------------------------------------------------------------------------------
def test_team_choices_follow_the_actor(frozen: Any, lect: LectureWorld) -> None:
    team_b = _team_b()
    Team.objects.create(
        name="旧宣讲队",
        tier="town_village",
        kind="lecture",
        region=lect.tree.town_a,
        created_at=clock.now(),
        active=False,
    )
    Team.objects.create(
        name="志愿服务队", tier="town_village", kind="service", region=lect.tree.town_a, created_at=clock.now()
    )
    assert [t.pk for t in recordable_teams(lect.admin)] == [lect.team.pk, team_b.pk]
    assert [t.pk for t in recordable_teams(lect.town_a)] == [lect.team.pk]
    assert [t.pk for t in recordable_teams(lect.town_b)] == [team_b.pk]
    assert [t.pk for t in recordable_teams(lect.team_leader)] == [lect.team.pk]
    assert recordable_teams(lect.head_user) == []  # a speaker without a team
    assert recordable_teams(lect.village_a1) == []
    Speaker.objects.filter(pk=lect.head.pk).update(team=lect.team)
    assert [t.pk for t in recordable_teams(lect.head_user)] == [lect.team.pk]


def test_town_b_does_not_see_town_a_teams_on_the_page(frozen: Any, lect: LectureWorld) -> None:
    team_b = _team_b()
    body_b = client_for(lect.town_b).get(reverse("lectures:session_new")).content.decode()
    assert f'<option value="{team_b.pk}">俚岛宣讲队</option>' in body_b
    assert lect.team.name not in body_b
    body_a = client_for(lect.town_a).get(reverse("lectures:session_new")).content.decode()
    assert f'<option value="{lect.team.pk}">{lect.team.name}</option>' in body_a
    assert "俚岛宣讲队" not in body_a
    assert '<select name="team_id"' in body_a  # a list, not a number to type
    assert "宣讲队编号" not in body_a


def test_a_team_outside_the_choices_is_refused_with_a_chinese_error(frozen: Any, lect: LectureWorld) -> None:
    c = client_for(lect.town_b)
    form = _form(lect, region_code=lect.tree.village_b1.code, team_id=str(lect.team.pk), speaker_ids=[])
    response = c.post(reverse("lectures:session_new"), form)
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_team_id_error"' in body
    assert f"选择一个有效的选项。 {lect.team.pk} 不在可用的选项中。" in body
    assert Session.objects.count() == 0
    for bad in ("x", "１", "9" * 30, "-1"):
        assert c.post(reverse("lectures:session_new"), form | {"team_id": bad}).status_code == 422
    assert c.post(reverse("lectures:session_new"), form | {"team_id": "1\x00"}).status_code == 400  # the shell
    assert Session.objects.count() == 0


def test_a_team_leader_records_for_their_team(frozen: Any, lect: LectureWorld) -> None:
    c = client_for(lect.team_leader)
    form = _form(lect, team_id=str(lect.team.pk), speaker_ids=[])
    response = c.post(reverse("lectures:session_new"), form)
    assert response.status_code == 302
    s = Session.objects.get()
    assert (s.team_id, s.region_id) == (lect.team.pk, lect.tree.village_a2.pk)
    again = c.post(reverse("lectures:session_new"), form)  # the form sent twice
    assert again.status_code == 409
    assert Session.objects.count() == 1


def test_an_order_fixes_the_team(frozen: Any, lect: LectureWorld) -> None:
    order = accepted_order(lect, team=lect.team)
    c = client_for(lect.team_leader)
    page = c.get(reverse("lectures:session_new") + f"?order={order.pk}")
    assert page.status_code == 200
    form = page.context["form"]
    assert _team_choices(form) == ["", lect.team.pk]
    assert form.fields["team_id"].disabled
    assert form["team_id"].value() == lect.team.pk
    other = accepted_order(lect, team=_team_b(), region=lect.tree.village_b1)
    assert _team_choices(SessionForm(actor=lect.team_leader, order_id=other.pk)) == [""]  # not theirs to see
    response = c.post(
        reverse("lectures:session_new"), _form(lect, order_id=str(order.pk), team_id="999999", region_code="")
    )
    assert response.status_code == 302
    s = Session.objects.get()
    assert (s.order_id, s.team_id, s.region_id) == (order.pk, lect.team.pk, lect.tree.village_a1.pk)


# --- Places and speakers ------------------------------------------------------------------------
def test_sites_and_venues_are_labelled_and_limited(frozen: Any, lect: LectureWorld) -> None:
    station_a = PracticeSite.objects.create(region=lect.tree.village_a1, kind="station", name="东山社区实践站")
    station_b = PracticeSite.objects.create(region=lect.tree.village_b1, kind="station", name="烟墩角村实践站")
    hall_a = Venue.objects.create(
        region=lect.tree.town_a, kind="lecture_hall", name="崖头礼堂", latitude="37.1", longitude="122.4"
    )
    assert site_choices(roots=[lect.tree.town_a]) == [(station_a.pk, "崖头街道 · 东山社区 · 东山社区实践站")]
    assert venue_choices(roots=[lect.tree.town_a]) == [(hall_a.pk, "崖头街道 · 崖头礼堂")]
    assert [v for v, _l in site_choices(roots=[lect.tree.county])] == [station_a.pk, station_b.pk]
    assert site_choices(roots=[], region=lect.tree.village_a2) == []
    body = client_for(lect.town_a).get(reverse("lectures:session_new")).content.decode()
    assert "崖头街道 · 东山社区 · 东山社区实践站" in body
    assert "烟墩角村实践站" not in body
    c = client_for(lect.town_a)
    outside = c.post(reverse("lectures:session_new"), _form(lect, place_kind="site", site_id=str(station_b.pk)))
    assert outside.status_code == 422
    assert 'id="id_site_id_error"' in outside.content.decode()
    wrong_village = c.post(reverse("lectures:session_new"), _form(lect, place_kind="site", site_id=str(station_a.pk)))
    assert wrong_village.status_code == 422  # the site is in A1, the session in A2: the service says so
    assert "请选择宣讲所在区域内的实践阵地。" in wrong_village.content.decode()
    ok = c.post(
        reverse("lectures:session_new"),
        _form(lect, region_code=lect.tree.village_a1.code, place_kind="site", site_id=str(station_a.pk), place=""),
    )
    assert ok.status_code == 302
    assert Session.objects.get().site_id == station_a.pk


def test_speaker_choices(frozen: Any, lect: LectureWorld) -> None:
    head_b_user, head_b_subject = resident_user("head_b", lect.tree.village_b2, birth="19800101")
    head_b = Speaker.objects.create(
        kind=Speaker.Kind.HEAD, name="张镇长", subject=head_b_subject, user=head_b_user, area=lect.tree.town_b,
        created_at=clock.now(),
    )  # fmt: skip
    Speaker.objects.create(
        kind=Speaker.Kind.HEAD, name="退休", area=lect.tree.town_a, created_at=clock.now(), active=False
    )
    assert {s.pk for s in speaker_choices(roots=[lect.tree.town_a])} == {lect.head.pk, lect.leader.pk}
    assert {s.pk for s in speaker_choices(roots=[lect.tree.county])} == {lect.head.pk, lect.leader.pk, head_b.pk}
    assert {s.pk for s in speaker_choices(roots=[lect.tree.town_a], keep=[head_b.pk])} == {
        lect.head.pk,
        lect.leader.pk,
        head_b.pk,
    }
    page = client_for(lect.head_user).get(reverse("lectures:session_new"))
    body = page.content.decode()
    assert 'type="checkbox"' in body
    assert page.context["form"]["speaker_ids"].value() == [lect.head.pk]  # a speaker records for themself
    assert "王镇长（崖头街道办事处主任）" in body
    assert "张镇长" not in body
    outside = client_for(lect.town_a).post(reverse("lectures:session_new"), _form(lect, speaker_ids=[str(head_b.pk)]))
    assert outside.status_code == 422
    assert 'id="id_speaker_ids_error"' in outside.content.decode()


# --- Changing a planned session -----------------------------------------------------------------
def _clients(lect: LectureWorld) -> dict[str, Client]:
    clients = {name: client_for(getattr(lect, name)) for name in ROLES}
    listener, _subject = resident_user("listener_a", lect.tree.village_a2)
    clients["listener"] = client_for(listener)
    clients["anonymous"] = Client()
    return clients


def test_edit_page_permission_matrix(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    clients = _clients(lect)
    runners = {"admin", "town_a", "head_user"}
    url = reverse("lectures:session_edit", args=[s.pk])
    assert url == f"/lectures/sessions/{s.pk}/edit/"
    got = {who: c.get(url).status_code for who, c in clients.items()}
    assert got == {who: 200 if who in runners else 404 for who in [*ROLES, "listener"]} | {"anonymous": 302}
    for who, c in clients.items():
        expected = 422 if who in runners else (302 if who == "anonymous" else 404)
        assert (who, c.post(url, {"title": ""}).status_code) == (who, expected)
    missing = reverse("lectures:session_edit", args=[s.pk + 999])
    assert {who: c.get(missing).status_code for who, c in clients.items() if who != "anonymous"} == dict.fromkeys(
        [*ROLES, "listener"], 404
    )
    detail = reverse("lectures:session_detail", args=[s.pk])
    for who in ("admin", "town_a", "head_user"):
        assert 'id="edit-session"' in clients[who].get(detail).content.decode()
    for who in ("auditor", "village_a1", "team_leader", "listener"):
        assert 'id="edit-session"' not in clients[who].get(detail).content.decode()
    s.refresh_from_db()
    assert s.title == "诚信建设宣讲"


def test_edit_a_planned_session(frozen: Any, lect: LectureWorld) -> None:
    s = new_session(lect)
    c = client_for(lect.town_a)
    url = reverse("lectures:session_edit", args=[s.pk])
    page = c.get(url)
    form = page.context["form"]
    assert form["starts_at"].value() == dt.datetime(2026, 3, 2, 9, 0)  # shown in Beijing time
    assert 'value="2026-03-02T09:00"' in page.content.decode()
    assert form["speaker_ids"].value() == [lect.head.pk]
    data = {
        "title": "诚信建设宣讲（改）", "format": "talk", "starts_at": "2026-03-02T09:30", "ends_at": "2026-03-02T11:00",
        "place_kind": "other", "place": "东山社区礼堂", "speaker_ids": [str(lect.head.pk), str(lect.leader.pk)],
    }  # fmt: skip
    bad = c.post(url, data | {"ends_at": "2026-03-02T09:00"})
    assert bad.status_code == 422
    assert 'id="id_ends_at_error"' in bad.content.decode()
    response = c.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("lectures:session_detail", args=[s.pk])
    s.refresh_from_db()
    assert (s.title, s.starts_at, s.ends_at, s.place) == (
        "诚信建设宣讲（改）",
        at("2026-03-02 09:30"),
        at("2026-03-02 11:00"),
        "东山社区礼堂",
    )
    assert list(SessionSpeaker.objects.filter(session=s).order_by("id").values_list("speaker_id", flat=True)) == [
        lect.head.pk,
        lect.leader.pk,
    ]
    control = c.post(url, data | {"title": "长" * 121})
    assert control.status_code == 422
    s.refresh_from_db()
    assert s.title == "诚信建设宣讲（改）"


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_edit_is_refused_after_closing(frozen: Any, lect: LectureWorld, status: str) -> None:
    s = new_session(lect)
    Session.objects.filter(pk=s.pk).update(status=status)
    c = client_for(lect.admin)
    url = reverse("lectures:session_edit", args=[s.pk])
    assert c.get(url).status_code == 409
    response = c.post(url, {"title": "改了", "format": "talk"})
    assert response.status_code == 409
    s.refresh_from_db()
    assert s.title == "诚信建设宣讲"
    assert 'id="edit-session"' not in c.get(reverse("lectures:session_detail", args=[s.pk])).content.decode()
    assert client_for(lect.village_a1).get(url).status_code == 404
