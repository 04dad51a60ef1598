"""Speakers: adding and changing them (lecture administrators only), one speaker per account
and credit file, the list with filters and a speaker's page with sessions, topics and ratings,
through the services, the pages and the API."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rongxin.conftest import client_for
from rongxin.core import clock
from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Order, Speaker
from rongxin.lectures.selectors.speakers import speaker_detail, speaker_list
from rongxin.lectures.services.speakers import speaker_create, speaker_update
from rongxin.lectures.tests.conftest import at, resident_user
from rongxin.lectures.tests.people_helpers import held

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def zh(msgid: str, **values: Any) -> str:
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def roles(lect: Any) -> dict[str, Any]:
    """Every role of the lecture world, and anonymous."""
    return {
        "anonymous": None,
        "admin": lect.admin,
        "town_a": lect.town_a,
        "town_b": lect.town_b,
        "village_a1": lect.village_a1,
        "auditor": lect.auditor,
        "team_leader": lect.team_leader,
        "head": lect.head_user,
        "leader": lect.leader_user,
    }


def new_head(lect: Any, **kw: Any) -> Speaker:
    user, _subject = resident_user("new_head", lect.tree.village_b1, birth="19800101")
    values: dict[str, Any] = {
        "kind": "head",
        "name": "赵局长",
        "position": "县教育局局长",
        "area_code": lect.tree.county.code,
        "user_id": user.pk,
        "subject_id": _subject.pk,
        "department_code": "publicity",
        "topics": ["家风", "诚信", "家风", " "],
        "quota_since": D("2026-03-01"),
    }
    values.update(kw)
    return speaker_create(actor=lect.admin, **values)


# --- Services ---------------------------------------------------------------------------------------
def test_an_admin_adds_a_head_with_a_quota_and_it_is_audited(frozen, lect) -> None:
    s = new_head(lect)
    assert (s.kind, s.name, s.area, s.topics, s.quota_since, s.quota_until, s.department.code) == (
        "head",
        "赵局长",
        lect.tree.county,
        ["家风", "诚信"],
        D("2026-03-01"),
        None,
        "publicity",
    )
    event = AuditEvent.objects.get(action="speaker.create")
    assert (event.actor, event.object_id, event.subject_id) == (lect.admin, str(s.pk), s.subject_id)


def test_nobody_else_adds_or_changes_a_speaker(frozen, lect) -> None:
    for user in (lect.town_a, lect.auditor, lect.head_user, lect.leader_user, lect.village_a1, lect.team_leader):
        with pytest.raises(NotFound):
            speaker_create(actor=user, kind="volunteer", name="某人", position="", area_code=lect.tree.county.code)
        with pytest.raises(NotFound):
            speaker_update(actor=user, speaker_id=lect.head.pk, name="改名")
    assert Speaker.objects.count() == 2
    assert Speaker.objects.get(pk=lect.head.pk).name == "王镇长"


def test_one_speaker_per_account_and_per_credit_file(frozen, lect) -> None:
    with pytest.raises(Conflict) as caught:
        speaker_create(
            actor=lect.admin, kind="volunteer", name="王", position="", area_code=lect.tree.county.code,
            user_id=lect.head_user.pk,
        )  # fmt: skip
    assert caught.value.code == "speaker_exists"
    with pytest.raises(Conflict):
        speaker_create(
            actor=lect.admin, kind="volunteer", name="王", position="", area_code=lect.tree.county.code,
            subject_id=lect.head.subject_id,
        )  # fmt: skip
    assert Speaker.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"kind": "king"}, "kind", "invalid_choice"),
        ({"name": ""}, "name", "required"),
        ({"name": "王\x00"}, "name", "invalid_text"),
        ({"name": "王\u202e局长"}, "name", "invalid_text"),
        ({"name": "长" * 61}, "name", "too_long"),
        ({"position": "局长\n副局长"}, "position", "invalid_text"),
        ({"area_code": "999999999999"}, "area_code", "unknown_region"),
        ({"area_code": "371082001001"}, "area_code", "wrong_region_level"),
        ({"department_code": "nope"}, "department_code", "unknown_department"),
        ({"team_id": 10**9}, "team_id", "unknown_team"),
        ({"team_id": "１"}, "team_id", "invalid"),
        ({"subject_id": 10**12}, "subject_id", "invalid"),
        ({"topics": ["长" * 31]}, "topics", "too_long"),
        ({"topics": [f"题{i}" for i in range(21)]}, "topics", "too_many"),
        ({"kind": "volunteer"}, "quota_since", "quota_heads_only"),
        ({"quota_until": D("2026-02-01")}, "quota_until", "quota_range"),
        ({"quota_since": None, "quota_until": D("2026-02-01")}, "quota_since", "required"),
    ],
)
def test_bad_speaker_input_is_refused_and_nothing_is_saved(frozen, lect, overrides, field, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_head(lect, **overrides)
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)
    assert Speaker.objects.count() == 2
    assert not AuditEvent.objects.filter(action="speaker.create").exists()


def test_an_admin_changes_a_speaker_field_by_field(frozen, lect) -> None:
    s = speaker_update(actor=lect.admin, speaker_id=lect.head.pk, topics=["环境"], quota_until=D("2026-12-31"))
    s.refresh_from_db()
    assert (s.name, s.topics, s.quota_since, s.quota_until) == ("王镇长", ["环境"], D("2026-01-01"), D("2026-12-31"))
    assert AuditEvent.objects.get(action="speaker.update").details == {"changed": ["topics", "quota_until"]}
    with pytest.raises(InvalidInput) as caught:
        speaker_update(actor=lect.admin, speaker_id=lect.leader.pk, quota_since=D("2026-01-01"))
    assert caught.value.code == "quota_heads_only"
    with pytest.raises(NotFound):
        speaker_update(actor=lect.admin, speaker_id=10**6, name="无")


# --- Reads --------------------------------------------------------------------------------------------
def test_the_list_filters_by_kind_area_and_name(frozen, lect) -> None:
    new_head(lect)
    names = lambda **kw: [s.name for s in speaker_list(actor=lect.village_a1, **kw)[0]]  # noqa: E731
    assert names() == ["王镇长", "赵局长", "李副市长"]  # by kind (head, leader), then name
    assert names(kind="head") == ["王镇长", "赵局长"]
    assert names(area=lect.tree.town_a) == ["王镇长"]
    assert names(q="教育") == ["赵局长"]
    assert speaker_list(actor=lect.admin, offset=1, limit=1) == ([Speaker.objects.get(name="赵局长")], 3)
    with pytest.raises(NotFound):
        speaker_list(actor=None)


def test_a_speakers_page_has_sessions_newest_first_topics_and_ratings(frozen, lect) -> None:
    tree = lect.tree
    old = held(lect.head, "2026-01-10 09:00", region=tree.village_a1, title="一月")
    new = held(lect.head, "2026-02-10 09:00", region=tree.village_a1, title="二月")
    other = held(lect.leader, "2026-02-11 09:00", region=tree.village_a1, title="别人的")
    order = lambda rating, speaker=None: Order.objects.create(  # noqa: E731
        region=tree.village_a1, orderer_kind="village", orderer_name="东山社区", ordered_by=lect.village_a1,
        ordered_at=clock.now(), topic="家风", preferred_from=D("2026-01-01"), preferred_to=D("2026-01-31"),
        audience="村民", audience_size=30, place="村委会", dispatch_by=at("2026-01-05 00:00"),
        speaker=speaker, rating=rating, state="rated" if rating else "ordered",
    )  # fmt: skip
    o1, o2 = order(5, lect.head), order(4)
    old.order = o2
    old.save(update_fields=["order"])
    order(None, lect.head)  # not rated yet
    o3 = order(1)
    other.order = o3
    other.save(update_fields=["order"])
    assert o1.pk
    v = speaker_detail(actor=lect.village_b1, speaker_id=lect.head.pk)
    assert [s.session for s in v.sessions] == [new, old]
    assert (v.rating.average, v.rating.count, v.session_total, v.can_edit) == (
        __import__("decimal").Decimal("4.5"),
        2,
        2,
        False,
    )
    assert speaker_detail(actor=lect.admin, speaker_id=lect.head.pk).can_edit is True
    with pytest.raises(NotFound):
        speaker_detail(actor=None, speaker_id=lect.head.pk)


# --- Pages --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        *[(r, "list", 200) for r in ("admin", "town_a", "village_a1", "auditor", "team_leader", "head", "leader")],
        *[(r, "detail", 200) for r in ("admin", "town_a", "village_a1", "auditor", "team_leader", "head", "leader")],
        ("admin", "new", 200),
        *[(r, "new", 404) for r in ("town_a", "town_b", "village_a1", "auditor", "team_leader", "head", "leader")],
        ("anonymous", "list", 302),
        ("anonymous", "detail", 302),
        ("anonymous", "new", 302),
    ],
)
def test_speaker_pages_permission_matrix(frozen, lect, role, url, status) -> None:
    path = {
        "list": "/lectures/speakers/",
        "detail": f"/lectures/speakers/{lect.head.pk}/",
        "new": "/lectures/speakers/new/",
    }[url]
    response = client_for(roles(lect)[role]).get(path)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/login/") or "login" in response["Location"]


def test_the_speaker_page_shows_no_id_number_and_a_missing_speaker_is_404(frozen, lect) -> None:
    page = client_for(lect.village_a1).get(f"/lectures/speakers/{lect.head.pk}/").content.decode()
    assert "王镇长" in page
    assert "崖头街道办事处主任" in page
    assert "3710" not in page
    assert zh("Quota history") not in page
    assert zh("Quota history") in client_for(lect.town_a).get(f"/lectures/speakers/{lect.head.pk}/").content.decode()
    assert client_for(lect.village_a1).get("/lectures/speakers/999999/").status_code == 404


def test_an_admin_adds_a_speaker_through_the_page_and_bad_input_comes_back_in_chinese(frozen, lect) -> None:
    user, subject = resident_user("zhao", lect.tree.village_b1, birth="19800101")
    client = client_for(lect.admin)
    form = {
        "kind": "head", "name": "赵局长", "position": "局长", "area_code": lect.tree.town_b.code,
        "username": "zhao", "department_code": "", "team_id": "", "topics": "家风，诚信",
        "quota_since": "2026-03-01", "quota_until": "",
    }  # fmt: skip
    bad = client.post("/lectures/speakers/new/", {**form, "quota_until": "2026-01-01"})
    assert bad.status_code == 422
    assert zh("The quota cannot end before it starts.") in bad.content.decode()
    unknown = client.post("/lectures/speakers/new/", {**form, "username": "nobody"})
    assert unknown.status_code == 422
    assert zh("No active account has this user name.") in unknown.content.decode()
    assert Speaker.objects.count() == 2
    response = client.post("/lectures/speakers/new/", form)
    s = Speaker.objects.get(name="赵局长")
    assert response.status_code == 302
    assert response["Location"] == f"/lectures/speakers/{s.pk}/"
    assert (s.user, s.subject, s.topics, s.area) == (user, subject, ["家风", "诚信"], lect.tree.town_b)
    again = client.post("/lectures/speakers/new/", form)  # a double submit
    assert again.status_code == 409
    assert zh("This account or credit file already belongs to another speaker.") in again.content.decode()
    assert Speaker.objects.count() == 3
    assert client_for(lect.town_a).post("/lectures/speakers/new/", form).status_code == 404


# --- API ------------------------------------------------------------------------------------------------
def api(user: Any, method: str, path: str, body: Any = None) -> Any:
    client = client_for(user)
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1/lectures{path}", **kwargs)


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("admin", 200), ("village_a1", 200), ("head", 200), ("auditor", 200)],
)
def test_api_speaker_reads_for_everyone_signed_in(frozen, lect, role, status) -> None:
    user = roles(lect)[role]
    listed = api(user, "get", "/speakers?kind=head")
    one = api(user, "get", f"/speakers/{lect.head.pk}")
    assert (listed.status_code, one.status_code) == (status, status)
    if status == 200:
        assert [s["name"] for s in listed.json()["items"]] == ["王镇长"]
        body = one.json()
        assert (body["name"], body["kind"], body["area"]["code"], body["rating"]) == (
            "王镇长",
            "head",
            lect.tree.town_a.code,
            {"average": None, "count": 0},
        )
        assert "subject_id" not in body
        assert "id_number" not in json.dumps(body)
        assert api(user, "get", "/speakers/999999").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "town_a", "village_a1", "auditor", "head", "leader"])
def test_api_speaker_writes_are_for_admins_only(frozen, lect, role) -> None:
    user = roles(lect)[role]
    body = {"kind": "volunteer", "name": "志愿者", "area_code": lect.tree.county.code}
    created = api(user, "post", "/speakers", body)
    patched = api(user, "patch", f"/speakers/{lect.head.pk}", {"name": "改名"})
    empty = api(user, "patch", f"/speakers/{lect.head.pk}", {"name": 5})
    expected = 401 if user is None else 404
    assert (created.status_code, patched.status_code, empty.status_code) == (expected, expected, expected)
    # refused before the body is read: an invalid body is no 422 for them
    for path in ("/speakers", "/links", "/quota-policy"):
        assert api(user, "post", path, {}).status_code == expected
    assert Speaker.objects.count() == 2
    assert Speaker.objects.get(pk=lect.head.pk).name == "王镇长"


def test_api_admin_creates_and_patches_a_speaker(frozen, lect) -> None:
    body = {"kind": "volunteer", "name": "志愿者", "area_code": lect.tree.county.code, "topics": ["家风"]}
    created = api(lect.admin, "post", "/speakers", body)
    assert created.status_code == 201
    sid = created.json()["id"]
    patched = api(lect.admin, "patch", f"/speakers/{sid}", {"position": "退休教师", "active": False})
    assert patched.status_code == 200
    assert (patched.json()["position"], patched.json()["active"], patched.json()["topics"]) == (
        "退休教师",
        False,
        ["家风"],
    )
    bad = api(lect.admin, "post", "/speakers", {**body, "quota_since": "2026-01-01"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "quota_heads_only"
    control = api(lect.admin, "post", "/speakers", {**body, "name": "志愿\u0007者"})
    assert control.status_code == 422
    assert Speaker.objects.count() == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("admin", 200), ("town_a", 404), ("auditor", 404), ("head", 404), ("leader", 404)],
)
def test_the_edit_page_is_for_admins_only(frozen, lect, role, status) -> None:
    client = client_for(roles(lect)[role])
    assert client.get(f"/lectures/speakers/{lect.head.pk}/edit/").status_code == status
    posted = client.post(
        f"/lectures/speakers/{lect.head.pk}/edit/", {"name": "改名", "area_code": lect.tree.town_a.code}
    )
    assert posted.status_code == (302 if status in (200, 302) else 404)
    assert Speaker.objects.get(pk=lect.head.pk).name == ("改名" if role == "admin" else "王镇长")


def test_an_admin_changes_a_speaker_on_the_page(frozen, lect) -> None:
    client = client_for(lect.admin)
    form = {
        "name": "王镇长", "position": "镇长", "area_code": lect.tree.town_a.code, "department_code": "",
        "team_id": "", "topics": "环境、家风", "quota_since": "2026-01-01", "quota_until": "2025-01-01",
    }  # fmt: skip
    bad = client.post(f"/lectures/speakers/{lect.head.pk}/edit/", form)
    assert bad.status_code == 422
    assert zh("The quota cannot end before it starts.") in bad.content.decode()
    assert client.post(f"/lectures/speakers/{lect.head.pk}/edit/", {**form, "quota_until": ""}).status_code == 302
    s = Speaker.objects.get(pk=lect.head.pk)
    assert (s.position, s.topics, s.quota_until, s.active) == ("镇长", ["环境", "家风"], None, False)
    assert client.get("/lectures/speakers/999999/edit/").status_code == 404
