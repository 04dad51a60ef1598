"""Lecture teams: the three tiers with brand, members and sessions; who sets a team's brand
(a lecture administrator, or the town officer over the team), through the service, the pages
and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rongxin.conftest import client_for
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Session, TeamBrand
from rongxin.lectures.selectors.teams import lecture_teams
from rongxin.lectures.services.teams import team_brand_set
from rongxin.lectures.tests.people_helpers import held
from rongxin.lectures.tests.test_speakers import roles, zh
from rongxin.volunteering.models import Team
from rongxin.volunteering.services import team_create

pytestmark = pytest.mark.django_db


def county_team(lect: Any) -> Team:
    return team_create(
        actor=lect.town_b, name="俚岛夕阳红宣讲队", tier="urban_professional", kind="lecture",
        region_code=lect.tree.town_b.code,
    )  # fmt: skip


def test_the_tiers_list_teams_with_brand_members_and_sessions(frozen, lect) -> None:
    other = county_team(lect)
    team_create(
        actor=lect.town_a, name="崖头环保队", tier="town_village", kind="environment", region_code=lect.tree.town_a.code
    )
    held(lect.head, "2026-02-01 09:00", region=lect.tree.village_a1, team=lect.team)
    held(lect.head, "2026-02-02 09:00", region=lect.tree.village_a1, team=lect.team)
    held(lect.head, "2026-02-03 09:00", region=lect.tree.village_a1, team=lect.team, status=Session.Status.CANCELLED)
    tiers = lecture_teams(actor=lect.village_a1)
    assert [(t.code, [(r.team.name, r.brand, r.members, r.sessions, r.can_edit) for r in t.teams]) for t in tiers] == [
        ("department_expert", []),
        ("urban_professional", [("俚岛夕阳红宣讲队", "", 0, 0, False)]),
        ("town_village", [("崖头百姓名嘴宣讲队", "百姓名嘴", 1, 2, False)]),
    ]
    editable = {r.team.pk: r.can_edit for t in lecture_teams(actor=lect.town_a) for r in t.teams}
    assert editable == {lect.team.pk: True, other.pk: False}
    assert [t.code for t in lecture_teams(actor=lect.admin, tier="urban_professional")] == ["urban_professional"]
    assert [len(t.teams) for t in lecture_teams(actor=lect.admin, region=lect.tree.town_a)] == [0, 0, 1]
    with pytest.raises(NotFound):
        lecture_teams(actor=None)


def test_the_town_officer_and_the_admin_set_a_brand_others_get_not_found(frozen, lect) -> None:
    other = county_team(lect)
    row = team_brand_set(actor=lect.town_b, team_id=other.pk, brand="夕阳红", audience="老年人")
    assert (row.team, row.brand, row.audience) == (other, "夕阳红", "老年人")
    team_brand_set(actor=lect.admin, team_id=lect.team.pk, brand="百姓名嘴 ", audience="")
    assert TeamBrand.objects.get(team=lect.team).brand == "百姓名嘴"
    assert AuditEvent.objects.filter(action="team_brand.set").count() == 2
    for user in (lect.town_a, lect.auditor, lect.team_leader, lect.head_user, lect.village_b1):
        with pytest.raises(NotFound):
            team_brand_set(actor=user, team_id=other.pk, brand="改", audience="")
    service = team_create(
        actor=lect.town_a, name="崖头环保队", tier="town_village", kind="environment", region_code=lect.tree.town_a.code
    )
    with pytest.raises(NotFound):
        team_brand_set(actor=lect.admin, team_id=service.pk, brand="环保", audience="")
    assert TeamBrand.objects.get(team=other).brand == "夕阳红"
    assert not TeamBrand.objects.filter(team=service).exists()


@pytest.mark.parametrize(
    ("brand", "audience", "field", "code"),
    [
        ("", "", "brand", "required"),
        ("长" * 41, "", "brand", "too_long"),
        ("红\u2066领巾", "", "brand", "invalid_text"),
        ("红领巾", "学\x7f生", "audience", "invalid_text"),
    ],
)
def test_bad_brand_input_is_refused(frozen, lect, brand, audience, field, code) -> None:
    with pytest.raises(InvalidInput) as caught:
        team_brand_set(actor=lect.admin, team_id=lect.team.pk, brand=brand, audience=audience)
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)
    assert TeamBrand.objects.get(team=lect.team).brand == "百姓名嘴"


@pytest.mark.parametrize(
    ("role", "listed", "brand"),
    [
        ("anonymous", 302, 302),
        ("admin", 200, 200),
        ("town_a", 200, 200),
        ("town_b", 200, 404),
        ("village_a1", 200, 404),
        ("auditor", 200, 404),
        ("team_leader", 200, 404),
        ("head", 200, 404),
        ("leader", 200, 404),
    ],
)
def test_team_pages_permission_matrix(frozen, lect, role, listed, brand) -> None:
    client = client_for(roles(lect)[role])
    assert client.get("/lectures/teams/").status_code == listed
    assert client.get(f"/lectures/teams/{lect.team.pk}/brand/").status_code == brand
    posted = client.post(f"/lectures/teams/{lect.team.pk}/brand/", {"brand": "新品牌", "audience": ""})
    assert posted.status_code == (302 if brand in (200, 302) else 404)
    assert TeamBrand.objects.get(team=lect.team).brand == ("新品牌" if brand == 200 else "百姓名嘴")


def test_the_team_page_shows_the_tiers_and_bad_brand_input_comes_back(frozen, lect) -> None:
    page = client_for(lect.village_a1).get("/lectures/teams/").content.decode()
    assert zh("Town and village self-service team") in page
    assert "百姓名嘴" in page
    bad = client_for(lect.town_a).post(f"/lectures/teams/{lect.team.pk}/brand/", {"brand": "  ", "audience": ""})
    assert bad.status_code == 422
    assert TeamBrand.objects.get(team=lect.team).brand == "百姓名嘴"


def api(user: Any, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client_for(user), method)(f"/api/v1/lectures{path}", **kwargs)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("anonymous", 401, 401),
        ("admin", 200, 200),
        ("town_a", 200, 200),
        ("town_b", 200, 404),
        ("auditor", 200, 404),
        ("head", 200, 404),
    ],
)
def test_team_api_permission_matrix(frozen, lect, role, read, write) -> None:
    user = roles(lect)[role]
    listed = api(user, "get", "/teams?tier=town_village")
    assert listed.status_code == read
    if read == 200:
        assert [(t["tier"], [x["brand"] for x in t["teams"]]) for t in listed.json()] == [
            ("town_village", ["百姓名嘴"])
        ]
    put = api(user, "put", f"/teams/{lect.team.pk}/brand", {"brand": "红领巾", "audience": "学生"})
    assert put.status_code == write
    if write == 200:
        assert (put.json()["brand"], put.json()["members"]) == ("红领巾", 1)
    assert TeamBrand.objects.get(team=lect.team).brand == ("红领巾" if write == 200 else "百姓名嘴")
    assert api(user, "put", "/teams/999999/brand", {}).status_code == (401 if user is None else 404)
