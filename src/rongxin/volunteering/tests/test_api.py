"""The volunteering JSON API: happy paths per group with exact bodies, problem+json for bad input,
and a permission matrix per write endpoint (role × region) where every denied call changes
nothing."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import User
from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.subjects.models import Notice
from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.volunteers import volunteer_number
from rongxin.volunteering.models import (
    Activity,
    CallOut,
    Correction,
    Duty,
    HoursAward,
    Membership,
    Scan,
    ServiceRecord,
    Shift,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.services import (
    ActivityInput,
    activity_close,
    activity_create,
    attendance_code,
    correction_request,
    invitation_send,
    leader_set,
    membership_apply,
    membership_decide,
    signup_create,
    team_create,
    volunteer_register,
)
from rongxin.volunteering.services.mobilisation import ShiftInput, callout_create, duty_respond
from rongxin.volunteering.tests.conftest import World, at, volunteer_user

API = "/api/v1/volunteering"
PROBLEM = "application/problem+json"
_names = itertools.count(1)


def send(user: User | None, method: str, url: str, body: Any = None) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def state() -> dict[str, Any]:
    """Everything a write could touch."""

    def rows(model: Any, *fields: str) -> list[Any]:
        return list(model.objects.order_by("pk").values_list("pk", *fields))

    return {
        "audit": AuditEvent.objects.count(),
        "notices": Notice.objects.count(),
        "entries": Entry.objects.count(),
        "volunteers": rows(Volunteer, "status", "skills", "availability", "total_minutes"),
        "teams": rows(Team, "name", "active"),
        "memberships": rows(Membership, "status", "role"),
        "activities": rows(
            Activity, "status", "title", "capacity", "starts_at", "confirmed_count", "waitlist_count", "cancel_reason"
        ),
        "signups": rows(Signup, "status"),
        "scans": rows(Scan, "accepted"),
        "records": rows(ServiceRecord, "minutes", "current"),
        "awards": rows(HoursAward, "points", "superseded_at"),
        "corrections": rows(Correction, "status"),
        "callouts": rows(CallOut, "status"),
        "shifts": rows(Shift, "needed"),
        "duties": rows(Duty, "status"),
    }


# --- The cast of the permission matrices ----------------------------------------------------
def _leader_of_another_team(world: World) -> User:
    other = team_create(
        actor=world.town_a, name="西山社区志愿服务队", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
        region_code=world.tree.village_a2.code,
    )  # fmt: skip
    user = make_user("other_leader", Role.TEAM_LEADER, world.tree.town_a)
    link(user, make_person(world.tree.village_a2, name="另一队长", id_number=make_id_number(birth="19850101")).subject)
    v = volunteer_register(actor=user, agree=True)
    membership_decide(actor=world.town_a, membership_id=membership_apply(actor=user, team_id=other.pk).pk, accept=True)
    leader_set(actor=world.town_a, team_id=other.pk, volunteer_number=v.number)
    return user


@pytest.fixture
def cast(world: World) -> dict[str, User | None]:
    """One caller per situation: team administrators in and out of the team's town, village
    officers, the team's leader, a leader of another team, a plain volunteer, anonymous."""
    return {
        "county_office": world.office,
        "town_a_officer": world.town_a,
        "town_b_officer": make_user("town_b_officer", Role.TOWN_OFFICER, world.tree.town_b),
        "village_a1_officer": make_user("village_a1_officer", Role.VILLAGE_OFFICER, world.tree.village_a1),
        "village_b1_officer": make_user("village_b1_officer", Role.VILLAGE_OFFICER, world.tree.village_b1),
        "team_leader": world.leader,
        "other_leader": _leader_of_another_team(world),
        "resident": world.users[0],
        "anonymous": None,
    }


ADMINS = {"county_office", "town_a_officer"}
ORGANISERS = ADMINS | {"team_leader"}
SELVES = {"team_leader", "other_leader", "resident"}  # accounts with their own volunteer record

Call = tuple[str, str, Any]


def matrix(
    cast: dict[str, User | None],
    prepare: Callable[[str, User | None], Call],
    *,
    allowed: set[str],
    status: int,
    audit: int = 1,
) -> None:
    """Call once per role (``prepare`` builds a fresh target for it). Allowed roles get
    ``status`` and ``audit`` new audit events; every other role gets 401 (anonymous) or 404 and
    nothing at all changes."""
    for role, user in cast.items():
        method, url, body = prepare(role, user)
        before = state()
        response = send(user, method, url, body)
        if role in allowed:
            assert response.status_code == status, (role, response.content)
            assert state()["audit"] - before["audit"] == audit, role
        else:
            expected = 401 if user is None else 404
            assert (response.status_code, response["Content-Type"]) == (expected, PROBLEM), (role, response.content)
            assert state() == before, role


# --- Builders -------------------------------------------------------------------------------
def activity_body(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "type_code": "elderly_care",
        "title": "敬老院陪伴",
        "region_code": world.tree.village_a1.code,
        "place": "东山社区敬老院",
        "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-02T12:00:00+08:00",
        "capacity": 10,
    } | overrides


def draft(world: World, **overrides: Any) -> Activity:
    data = ActivityInput(
        type_code="elderly_care", title="敬老院陪伴", region_code=world.tree.village_a1.code, place="东山社区敬老院",
        starts_at=at("2026-03-02 09:00"), ends_at=at("2026-03-02 12:00"), capacity=10,
    )  # fmt: skip
    for k, v in overrides.items():
        setattr(data, k, v)
    return activity_create(actor=world.leader, team_id=world.team.pk, data=data)


def soon(world: World, **overrides: Any) -> Activity:
    """A published activity starting at 10:30 today (check-in is open from 09:30)."""
    return world.activity(starts_at=at("2026-03-01 10:30"), ends_at=at("2026-03-01 12:30"), **overrides)


def fresh_volunteer(world: World) -> tuple[User, Volunteer]:
    return volunteer_user(f"fresh{next(_names)}", world.tree.village_a1)


def fresh_team(world: World) -> Team:
    return team_create(
        actor=world.town_a, name=f"临时队{next(_names)}", tier=Team.Tier.TOWN_VILLAGE, kind=Team.Kind.SERVICE,
        region_code=world.tree.town_a.code,
    )  # fmt: skip


def callout(world: World, *, region: Any = None) -> CallOut:
    return callout_create(
        actor=world.town_a, title="防汛值守", kind="flood", region_code=(region or world.tree.town_a).code,
        description="台风过境",
        shifts=[
            ShiftInput(place="东山闸口", starts_at=at("2026-03-02 08:00"), ends_at=at("2026-03-02 12:00"), needed=4),
            ShiftInput(place="西山堤坝", starts_at=at("2026-03-02 12:00"), ends_at=at("2026-03-02 18:00"), needed=2),
        ],
    )  # fmt: skip


def close_with_time(world: World, activity: Activity, minutes: dict[Volunteer, int]) -> None:
    activity_close(
        actor=world.leader,
        activity_id=activity.pk,
        lines={v.number: {"minutes": m, "note": "队长现场核实"} for v, m in minutes.items()},
    )


# ============================================================================================
# Happy paths
# ============================================================================================
def test_register_update_profile_and_withdraw(world: World) -> None:
    # given a resident with their own account and no volunteer record
    user = make_user("newcomer")
    person = make_person(world.tree.village_a2, name="李华", id_number=make_id_number(birth="19900101"))
    link(user, person.subject)
    number = volunteer_number(person.pk)
    # when they register
    created = send(
        user, "post", f"{API}/volunteers", {"agree": True, "skills": ["first_aid", "cooking"], "availability": "周末"}
    )
    # then
    assert created.status_code == 201
    assert created.json() == {
        "number": number,
        "status": "active",
        "skills": ["cooking", "first_aid"],
        "availability": "周末",
        "registered_at": "2026-03-01T10:00:00+08:00",
        "guardian_name": "",
        "guardian_relation": "",
        "minutes": 0,
        "hours": "0",
        "stars": 0,
    }
    again = send(user, "post", f"{API}/volunteers", {"agree": True})
    assert (again.status_code, again["Content-Type"], again.json()["code"]) == (409, PROBLEM, "already_volunteer")

    patched = send(user, "patch", f"{API}/me", {"availability": "工作日晚上"})
    assert (patched.status_code, patched.json()["skills"], patched.json()["availability"]) == (
        200,
        ["cooking", "first_aid"],
        "工作日晚上",
    )
    bad = send(user, "patch", f"{API}/me", {"skills": ["juggling"]})
    assert (bad.status_code, [(e["field"], e["code"]) for e in bad.json()["errors"]]) == (
        422,
        [("skills", "unknown_skill")],
    )

    profile = send(user, "get", f"{API}/me").json()
    assert profile == {
        "number": number,
        "status": "active",
        "skills": ["cooking", "first_aid"],
        "availability": "工作日晚上",
        "registered_at": "2026-03-01T10:00:00+08:00",
        "guardian_name": "",
        "guardian_relation": "",
        "minutes": 0,
        "hours": "0",
        "stars": 0,
        "next_star_hours": 100,
        "points_this_year": 0,
        "hours_this_year": "0",
        "records": [],
        "signups": [],
        "teams": [],
        "certificates": [],
        "corrections": [],
    }

    withdrawn = send(user, "post", f"{API}/me/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert send(user, "get", f"{API}/me").status_code == 404


def test_a_minor_registers_with_a_guardian(world: World) -> None:
    kid = make_user("kid")
    link(kid, make_person(world.tree.village_a1, name="小明", id_number=make_id_number(birth="20150101")).subject)
    missing = send(kid, "post", f"{API}/volunteers", {"agree": True})
    assert (missing.status_code, missing["Content-Type"]) == (422, PROBLEM)
    assert [(e["field"], e["code"]) for e in missing.json()["errors"]] == [("guardian_name", "required")]
    ok = send(
        kid,
        "post",
        f"{API}/volunteers",
        {"agree": True, "guardian_name": "王芳", "guardian_relation": "母亲", "guardian_consent": True},
    )
    assert (ok.status_code, ok.json()["guardian_name"], ok.json()["guardian_relation"]) == (201, "王芳", "母亲")


def test_activity_types_and_teams_are_public(world: World) -> None:
    types = send(None, "get", f"{API}/activity-types", None)
    assert types.status_code == 200
    assert len(types.json()) == 26
    assert types.json()[0] == {
        "code": "theory_lecture",
        "name": "理论宣讲",
        "name_zh": "理论宣讲",
        "name_en": "Theory lecture",
        "credit_rule_code": "P-VOL-01",
        "risky": False,
    }
    english = client_for(None).get(f"{API}/activity-types", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()[2]["name"] == "Elderly care"

    team = {
        "id": world.team.pk,
        "name": "东山社区志愿服务队",
        "tier": "town_village",
        "kind": "service",
        "region_code": world.tree.town_a.code,
        "region_name": "崖头街道",
        "description": "",
    }
    assert send(None, "get", f"{API}/teams").json() == [team]
    assert send(
        None, "get", f"{API}/teams", {"region_code": world.tree.town_a.code, "tier": "town_village"}
    ).json() == [team]
    assert send(None, "get", f"{API}/teams", {"region_code": world.tree.town_b.code}).json() == []
    assert send(None, "get", f"{API}/teams", {"kind": "lecture"}).json() == []

    detail = send(None, "get", f"{API}/teams/{world.team.pk}")
    assert detail.json() == team | {
        "leaders": [{"number": world.leader_volunteer.number, "name": "队长"}],
        "members": 1,
        "organiser": False,
        "applications": [],
        "my_membership": None,
        "upcoming": [],
        "drafts": [],
        "corrections": [],
    }
    assert send(None, "get", f"{API}/teams/999999").status_code == 404


def test_team_create_apply_decide_lead_and_leave(world: World) -> None:
    created = send(
        world.town_a,
        "post",
        f"{API}/teams",
        {
            "name": "崖头法律服务队",
            "tier": "urban_professional",
            "kind": "legal",
            "region_code": world.tree.town_a.code,
        },
    )
    assert created.status_code == 201
    team_id = created.json()["id"]
    assert created.json() == {
        "id": team_id,
        "name": "崖头法律服务队",
        "tier": "urban_professional",
        "kind": "legal",
        "region_code": world.tree.town_a.code,
        "region_name": "崖头街道",
        "description": "",
    }

    applied = send(world.users[0], "post", f"{API}/teams/{team_id}/applications")
    assert applied.status_code == 201
    membership_id = applied.json()["id"]
    assert applied.json() == {
        "id": membership_id,
        "team_id": team_id,
        "team_name": "崖头法律服务队",
        "volunteer_number": world.volunteers[0].number,
        "role": "member",
        "status": "applied",
        "applied_at": "2026-03-01T10:00:00+08:00",
        "decided_at": None,
    }
    seen = send(world.town_a, "get", f"{API}/teams/{team_id}").json()
    assert (seen["organiser"], seen["applications"]) == (
        True,
        [
            {
                "membership_id": membership_id,
                "volunteer_number": world.volunteers[0].number,
                "name": "v0",
                "applied_at": "2026-03-01T10:00:00+08:00",
            }
        ],
    )
    assert send(None, "get", f"{API}/teams/{team_id}").json()["applications"] == []

    decided = send(world.town_a, "post", f"{API}/memberships/{membership_id}/decision", {"accept": True})
    assert (decided.status_code, decided.json()["status"], decided.json()["decided_at"]) == (
        200,
        "accepted",
        "2026-03-01T10:00:00+08:00",
    )
    again = send(world.town_a, "post", f"{API}/memberships/{membership_id}/decision", {"accept": False})
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")

    led = send(world.town_a, "post", f"{API}/teams/{team_id}/leaders", {"volunteer_number": world.volunteers[0].number})
    assert (led.status_code, led.json()["role"]) == (200, "leader")
    not_member = send(
        world.town_a, "post", f"{API}/teams/{team_id}/leaders", {"volunteer_number": world.volunteers[1].number}
    )
    assert (not_member.status_code, not_member.json()["code"]) == (422, "not_a_member")
    bad_number = send(world.town_a, "post", f"{API}/teams/{team_id}/leaders", {"volunteer_number": "RX0000000017"})
    assert (bad_number.status_code, bad_number.json()["errors"][0]["code"]) == (422, "volunteer_number")

    mine = send(world.users[0], "get", f"{API}/teams/{team_id}").json()
    assert mine["my_membership"]["role"] == "leader"
    assert mine["leaders"] == [{"number": world.volunteers[0].number, "name": "v0"}]

    left = send(world.users[0], "post", f"{API}/teams/{team_id}/leave")
    assert (left.status_code, left.json()["status"], left.json()["role"]) == (200, "left", "member")
    assert send(world.users[0], "post", f"{API}/teams/{team_id}/leave").status_code == 404


def test_activity_lifecycle_and_lists(world: World) -> None:
    # given the leader creates a draft
    created = send(world.leader, "post", f"{API}/activities", activity_body(world, team_id=world.team.pk))
    assert created.status_code == 201
    aid = created.json()["id"]
    assert created.json() == {
        "id": aid,
        "title": "敬老院陪伴",
        "type_code": "elderly_care",
        "type_name": "关爱老人",
        "team_id": world.team.pk,
        "team_name": "东山社区志愿服务队",
        "region_code": world.tree.village_a1.code,
        "region_name": "东山社区",
        "place": "东山社区敬老院",
        "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-02T12:00:00+08:00",
        "signup_opens_at": "2026-03-01T10:00:00+08:00",
        "signup_closes_at": "2026-03-02T09:00:00+08:00",
        "capacity": 10,
        "confirmed": 0,
        "waitlisted": 0,
        "places_left": 10,
        "status": "draft",
        "phase": "draft",
        "description": "",
        "venue_id": None,
        "latitude": None,
        "longitude": None,
        "geofence_m": None,
        "min_age": 0,
        "skills": [],
        "insured": False,
        "published_at": None,
        "cancelled_at": None,
        "cancel_reason": "",
        "closed_at": None,
    }
    # a draft is not public
    assert send(None, "get", f"{API}/activities/{aid}").status_code == 404
    assert send(world.users[0], "get", f"{API}/activities/{aid}").status_code == 404
    assert send(None, "get", f"{API}/activities").json() == {"total": 0, "offset": 0, "limit": 50, "items": []}
    seen = send(world.leader, "get", f"{API}/activities/{aid}").json()
    assert (seen["organiser"], seen["my_signup"], seen["can_sign_up"]) == (True, None, False)

    # when it is changed and published
    updated = send(
        world.leader,
        "put",
        f"{API}/activities/{aid}",
        activity_body(world, title="敬老院包饺子", capacity=2, latitude="37.165", longitude="122.486", geofence_m=200),
    )
    assert (updated.status_code, updated.json()["title"], updated.json()["capacity"]) == (200, "敬老院包饺子", 2)
    assert (updated.json()["latitude"], updated.json()["longitude"], updated.json()["geofence_m"]) == (
        37.165,
        122.486,
        200,
    )
    published = send(world.leader, "post", f"{API}/activities/{aid}/publish")
    assert (published.status_code, published.json()["status"], published.json()["published_at"]) == (
        200,
        "published",
        "2026-03-01T10:00:00+08:00",
    )
    assert send(world.leader, "post", f"{API}/activities/{aid}/publish").json()["code"] == "not_draft"

    # then it is public and listed
    public = send(world.users[0], "get", f"{API}/activities/{aid}").json()
    assert (public["organiser"], public["my_signup"], public["can_sign_up"], public["phase"]) == (
        False,
        None,
        True,
        "published",
    )
    other = world.activity(title="海边净滩", region_code=world.tree.village_a2.code)
    listing = send(None, "get", f"{API}/activities").json()
    assert (listing["total"], [i["id"] for i in listing["items"]]) == (2, [aid, other.pk])
    assert listing["items"][0] == {
        "id": aid,
        "title": "敬老院包饺子",
        "type_code": "elderly_care",
        "type_name": "关爱老人",
        "team_id": world.team.pk,
        "team_name": "东山社区志愿服务队",
        "region_code": world.tree.village_a1.code,
        "region_name": "东山社区",
        "place": "东山社区敬老院",
        "starts_at": "2026-03-02T09:00:00+08:00",
        "ends_at": "2026-03-02T12:00:00+08:00",
        "signup_opens_at": "2026-03-01T10:00:00+08:00",
        "signup_closes_at": "2026-03-02T09:00:00+08:00",
        "capacity": 2,
        "confirmed": 0,
        "waitlisted": 0,
        "places_left": 2,
        "status": "published",
        "phase": "published",
    }

    def ids(**query: Any) -> tuple[int, list[int]]:
        body = send(None, "get", f"{API}/activities", query).json()
        return body["total"], [i["id"] for i in body["items"]]

    assert ids(region_code=world.tree.village_a2.code) == (1, [other.pk])
    assert ids(near_village_code=world.tree.village_a2.code) == (2, [aid, other.pk])  # the same town
    assert ids(near_village_code=world.tree.village_b1.code) == (0, [])
    assert ids(phase="open", limit=1) == (2, [aid])
    assert ids(phase="open", offset=1, limit=1) == (2, [other.pk])
    assert ids(type_code="legal_aid") == (0, [])
    assert ids(team_id=world.team.pk, date_from="2026-03-02", date_to="2026-03-02") == (2, [aid, other.pk])
    assert ids(date_from="2026-03-03") == (0, [])
    assert ids(phase="closed") == (0, [])

    # and cancelling notifies the people signed up
    send(world.users[0], "post", f"{API}/activities/{aid}/signup")
    cancelled = send(world.leader, "post", f"{API}/activities/{aid}/cancel", {"reason": "台风预警"})
    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["cancel_reason"]) == (
        200,
        "cancelled",
        "台风预警",
    )
    assert ids(phase="cancelled") == (1, [aid])
    assert list(Notice.objects.filter(kind="volunteering.cancelled").values_list("subject_id", flat=True)) == [
        world.volunteers[0].pk
    ]


def test_signup_waitlist_overlap_invitation(world: World) -> None:
    a = world.activity(capacity=1)
    first = send(world.users[0], "post", f"{API}/activities/{a.pk}/signup")
    assert first.status_code == 201
    assert first.json() == {
        "activity_id": a.pk,
        "volunteer_number": world.volunteers[0].number,
        "status": "confirmed",
        "changed_at": "2026-03-01T10:00:00+08:00",
        "warnings": [],
    }
    second = send(world.users[1], "post", f"{API}/activities/{a.pk}/signup")
    assert (second.status_code, second.json()["status"]) == (201, "waitlisted")
    twice = send(world.users[0], "post", f"{API}/activities/{a.pk}/signup")
    assert (twice.status_code, twice["Content-Type"], twice.json()["code"]) == (409, PROBLEM, "already_signed_up")
    detail = send(world.users[1], "get", f"{API}/activities/{a.pk}").json()
    assert (detail["confirmed"], detail["waitlisted"], detail["places_left"], detail["my_signup"]) == (
        1,
        1,
        0,
        "waitlisted",
    )

    # an overlapping activity warns
    b = world.activity(title="午间送餐", starts_at=at("2026-03-02 11:00"), ends_at=at("2026-03-02 13:00"))
    warned = send(world.users[0], "post", f"{API}/activities/{b.pk}/signup").json()
    with translation.override("zh-hans"):
        expected = gettext("This overlaps with %(title)s (%(when)s), which you have also signed up for.") % {
            "title": "敬老院陪伴",
            "when": "03-02 09:00",
        }
    assert warned["warnings"] == [expected]

    # cancelling moves the waiting list up
    cancelled = send(world.users[0], "delete", f"{API}/activities/{a.pk}/signup")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert Signup.objects.get(activity=a, volunteer=world.volunteers[1]).status == "confirmed"
    assert send(world.users[0], "delete", f"{API}/activities/{a.pk}/signup").status_code == 404

    # an invitation takes no place until accepted, and may be declined
    invited = send(
        world.leader, "post", f"{API}/activities/{b.pk}/invitations", {"volunteer_number": world.volunteers[2].number}
    )
    assert (invited.status_code, invited.json()["status"], invited.json()["volunteer_number"]) == (
        201,
        "invited",
        world.volunteers[2].number,
    )
    assert Activity.objects.get(pk=b.pk).confirmed_count == 1
    declined = send(world.users[2], "post", f"{API}/activities/{b.pk}/invitation/decline")
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert send(world.users[2], "post", f"{API}/activities/{b.pk}/invitation/decline").status_code == 404


def test_check_in_assist_roster_and_close(world: World, frozen: Any) -> None:
    a = soon(world, latitude="37.165000", longitude="122.486000", geofence_m=200)
    for u in world.users[:2]:
        signup_create(actor=u, activity_id=a.pk)

    # the organiser's code
    code = send(world.leader, "get", f"{API}/activities/{a.pk}/code")
    token = tokens.token_for(
        secret=bytes(Activity.objects.get(pk=a.pk).qr_secret), activity_id=a.pk, at=at("2026-03-01 10:00")
    )
    assert code.json() == {
        "activity_id": a.pk,
        "token": token,
        "seconds_left": 30,
        "scan_url": f"http://testserver/v/scan/?t={token}",
    }
    assert send(world.users[0], "get", f"{API}/activities/{a.pk}/code").status_code == 404

    # volunteer 0 checks in far away (flagged, kept), volunteer 1 nearby
    frozen.move_to("2026-03-01 10:30 +0800")
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    far = send(
        world.users[0],
        "post",
        f"{API}/scan",
        {"token": token, "kind": "in", "latitude": "37.175", "longitude": "122.486"},
    )
    assert far.status_code == 201
    assert far.json() == {
        "id": far.json()["id"],
        "activity_id": a.pk,
        "volunteer_number": world.volunteers[0].number,
        "kind": "in",
        "method": "qr",
        "at": "2026-03-01T10:30:00+08:00",
        "accepted": True,
        "flags": ["outside_geofence"],
        "distance_m": 1112,
    }
    near = send(
        world.users[1],
        "post",
        f"{API}/scan",
        {"token": token, "kind": "in", "latitude": 37.1651, "longitude": 122.4861},
    )
    assert (near.status_code, near.json()["flags"], near.json()["distance_m"]) == (201, [], 14)
    replay = send(world.users[0], "post", f"{API}/scan", {"token": token, "kind": "in"})
    assert (replay.status_code, replay["Content-Type"], replay.json()["code"]) == (409, PROBLEM, "replayed_code")

    # volunteer 2 has no phone: the leader records them, a walk-in
    frozen.move_to("2026-03-01 10:45 +0800")
    assisted = send(
        world.leader,
        "post",
        f"{API}/activities/{a.pk}/assisted",
        {
            "volunteer_number": world.volunteers[2].number,
            "kind": "in",
            "at": "2026-03-01T10:40:00+08:00",
            "reason": "老人无智能手机",
        },
    )
    assert assisted.status_code == 201
    assert (assisted.json()["method"], assisted.json()["flags"], assisted.json()["at"]) == (
        "assisted",
        ["walk_in"],
        "2026-03-01T10:40:00+08:00",
    )

    frozen.move_to("2026-03-01 12:00 +0800")
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    for u in world.users[:2]:
        assert (
            send(
                u, "post", f"{API}/scan", {"token": token, "kind": "out", "latitude": "37.165", "longitude": "122.486"}
            ).status_code
            == 201
        )

    roster = send(world.leader, "get", f"{API}/activities/{a.pk}/roster")
    assert roster.json() == {
        "activity_id": a.pk,
        "status": "published",
        "phase": "ongoing",
        "lines": sorted(
            [
                {
                    "number": world.volunteers[0].number,
                    "name": "v0",
                    "signup_status": "confirmed",
                    "minutes": 90,
                    "raw_minutes": 90,
                    "started_at": "2026-03-01T10:30:00+08:00",
                    "ended_at": "2026-03-01T12:00:00+08:00",
                    "flags": ["outside_geofence", "duplicate_scans"],
                },
                {
                    "number": world.volunteers[1].number,
                    "name": "v1",
                    "signup_status": "confirmed",
                    "minutes": 90,
                    "raw_minutes": 90,
                    "started_at": "2026-03-01T10:30:00+08:00",
                    "ended_at": "2026-03-01T12:00:00+08:00",
                    "flags": [],
                },
                {
                    "number": world.volunteers[2].number,
                    "name": "v2",
                    "signup_status": "",
                    "minutes": 0,
                    "raw_minutes": 0,
                    "started_at": None,
                    "ended_at": None,
                    "flags": ["walk_in", "missing_checkout"],
                },
            ],
            key=lambda line: line["number"],
        ),
    }
    early = send(world.leader, "post", f"{API}/activities/{a.pk}/close", {})
    assert (early.status_code, early.json()["code"]) == (409, "not_finished")

    frozen.move_to("2026-03-01 13:00 +0800")
    closed = send(
        world.leader,
        "post",
        f"{API}/activities/{a.pk}/close",
        {"lines": {world.volunteers[1].number: {"rating": "excellent"}}},
    )
    assert closed.status_code == 200
    assert closed.json() == {
        "activities": 1,
        "records": 2,
        "minutes": 180,
        "points": 2,
        "awards": 2,
        "without_time": [world.volunteers[2].number],
    }
    assert dict(ServiceRecord.objects.filter(activity=a).values_list("volunteer_id", "rating")) == {
        world.volunteers[0].pk: "good",
        world.volunteers[1].pk: "excellent",
    }
    again = send(world.leader, "post", f"{API}/activities/{a.pk}/close", {})
    assert (again.status_code, again.json()["code"]) == (409, "activity_closed")


def test_records_profile_and_corrections(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 13:00 +0800")
    close_with_time(world, a, {world.volunteers[0]: 120})
    record = ServiceRecord.objects.get(activity=a)

    # the volunteer's records carry the national record fields
    expected = {
        "id": record.pk,
        "volunteer_number": world.volunteers[0].number,
        "activity_id": a.pk,
        "activity_title": "敬老院陪伴",
        "organiser_team_id": world.team.pk,
        "organiser": "东山社区志愿服务队",
        "service_date": "2026-03-02",
        "place": "东山社区敬老院",
        "content": "关爱老人：敬老院陪伴",
        "started_at": "2026-03-02T09:00:00+08:00",
        "ended_at": "2026-03-02T11:00:00+08:00",
        "minutes": 120,
        "hours": "2",
        "rating": "good",
        "recorder": "leader",
        "recorded_at": "2026-03-02T13:00:00+08:00",
        "revision": 1,
        "points": 2,
        "flags": ["entered_by_organiser", "adjusted"],
        "note": "队长现场核实",
    }
    records = send(world.users[0], "get", f"{API}/records")
    assert records.json() == {"total": 1, "offset": 0, "limit": 50, "items": [expected]}
    assert send(world.users[1], "get", f"{API}/records").json() == {"total": 0, "offset": 0, "limit": 50, "items": []}
    assert send(None, "get", f"{API}/records").status_code == 401
    assert send(world.office, "get", f"{API}/records").status_code == 404
    assert send(world.users[0], "get", f"{API}/records", {"limit": 101}).status_code == 422

    # the volunteer asks for a correction, the leader accepts
    asked = send(
        world.users[0], "post", f"{API}/records/{record.pk}/corrections", {"minutes": 180, "reason": "签退时手机没电"}
    )
    assert asked.status_code == 201
    cid = asked.json()["id"]
    assert asked.json() == {
        "id": cid,
        "record_id": record.pk,
        "activity_id": a.pk,
        "activity_title": "敬老院陪伴",
        "volunteer_number": world.volunteers[0].number,
        "recorded_minutes": 120,
        "requested_minutes": 180,
        "reason": "签退时手机没电",
        "status": "pending",
        "requested_at": "2026-03-02T13:00:00+08:00",
        "decided_at": None,
        "decision_reason": "",
    }
    pending = send(world.leader, "get", f"{API}/teams/{world.team.pk}").json()["corrections"]
    assert [c["id"] for c in pending] == [cid]
    refuse_without_reason = send(world.leader, "post", f"{API}/corrections/{cid}/decision", {"accept": False})
    assert (refuse_without_reason.status_code, refuse_without_reason.json()["errors"][0]["field"]) == (422, "reason")
    decided = send(world.leader, "post", f"{API}/corrections/{cid}/decision", {"accept": True})
    assert (decided.status_code, decided.json()["status"], decided.json()["decided_at"]) == (
        200,
        "accepted",
        "2026-03-02T13:00:00+08:00",
    )

    # the new revision replaces the record; the old stays in the database
    items = send(world.users[0], "get", f"{API}/records").json()["items"]
    new = ServiceRecord.objects.get(activity=a, current=True)
    assert items == [
        expected
        | {
            "id": new.pk,
            "minutes": 180,
            "hours": "3",
            "ended_at": "2026-03-02T12:00:00+08:00",
            "revision": 2,
            "points": 3,
            "flags": ["entered_by_organiser", "adjusted", "corrected"],
            "note": "签退时手机没电",
        }
    ]

    # the profile sums it up
    profile = send(world.users[0], "get", f"{API}/me").json()
    assert {
        k: profile[k] for k in ("minutes", "hours", "stars", "next_star_hours", "points_this_year", "hours_this_year")
    } == {
        "minutes": 180,
        "hours": "3",
        "stars": 0,
        "next_star_hours": 100,
        "points_this_year": 3,
        "hours_this_year": "3",
    }
    assert [r["id"] for r in profile["records"]] == [new.pk]
    assert profile["records"][0] == items[0]
    assert [(c["id"], c["status"]) for c in profile["corrections"]] == [(cid, "accepted")]
    assert profile["signups"] == []


def test_profile_lists_signups_and_teams(world: World) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    membership_apply(actor=world.users[0], team_id=world.team.pk)
    profile = send(world.users[0], "get", f"{API}/me").json()
    assert profile["signups"] == [
        {
            "activity_id": a.pk,
            "title": "敬老院陪伴",
            "type_code": "elderly_care",
            "place": "东山社区敬老院",
            "starts_at": "2026-03-02T09:00:00+08:00",
            "ends_at": "2026-03-02T12:00:00+08:00",
            "status": "confirmed",
            "state": "confirmed",
        }
    ]
    assert [(t["team_id"], t["team_name"], t["status"]) for t in profile["teams"]] == [
        (world.team.pk, "东山社区志愿服务队", "applied")
    ]


def test_callouts_duty_and_daily_counts(world: World) -> None:
    created = send(
        world.town_a,
        "post",
        f"{API}/callouts",
        {
            "title": "防汛值守",
            "kind": "flood",
            "region_code": world.tree.town_a.code,
            "description": "台风过境",
            "shifts": [
                {
                    "place": "东山闸口",
                    "starts_at": "2026-03-02T08:00:00+08:00",
                    "ends_at": "2026-03-02T12:00:00+08:00",
                    "needed": 4,
                },
                {
                    "place": "西山堤坝",
                    "starts_at": "2026-03-02T12:00:00+08:00",
                    "ends_at": "2026-03-02T18:00:00+08:00",
                    "needed": 2,
                },
            ],
        },
    )
    assert created.status_code == 201
    cid = created.json()["id"]
    s1, s2 = list(Shift.objects.filter(callout_id=cid).order_by("starts_at").values_list("pk", flat=True))
    header = {
        "id": cid,
        "title": "防汛值守",
        "kind": "flood",
        "region_code": world.tree.town_a.code,
        "region_name": "崖头街道",
        "description": "台风过境",
        "status": "open",
        "created_at": "2026-03-01T10:00:00+08:00",
    }
    assert created.json() == header | {
        "organiser": True,
        "shifts": [
            {"id": s1, "place": "东山闸口", "starts_at": "2026-03-02T08:00:00+08:00", "ends_at": "2026-03-02T12:00:00+08:00",
             "needed": 4, "on_duty": 0, "mine": False, "people": []},
            {"id": s2, "place": "西山堤坝", "starts_at": "2026-03-02T12:00:00+08:00", "ends_at": "2026-03-02T18:00:00+08:00",
             "needed": 2, "on_duty": 0, "mine": False, "people": []},
        ],
        "days": [],
    }  # fmt: skip
    assert send(None, "get", f"{API}/callouts").json() == [header]
    assert send(None, "get", f"{API}/callouts", {"status": "closed"}).json() == []

    # two volunteers answer; one takes both shifts; the officer adds a staff member
    for u in world.users[:2]:
        assert send(u, "post", f"{API}/shifts/{s1}/duty").status_code == 201
    duty = send(world.users[0], "post", f"{API}/shifts/{s2}/duty")
    assert duty.json() == {
        "id": duty.json()["id"],
        "shift_id": s2,
        "status": "on_duty",
        "volunteer_number": world.volunteers[0].number,
        "staff_name": "",
        "responded_at": "2026-03-01T10:00:00+08:00",
    }
    again = send(world.users[0], "post", f"{API}/shifts/{s2}/duty")
    assert (again.status_code, again.json()["code"]) == (409, "already_on_duty")
    staff = send(world.town_a, "post", f"{API}/shifts/{s1}/staff", {"staff_name": "王干事"})
    assert (staff.status_code, staff.json()["volunteer_number"], staff.json()["staff_name"]) == (201, None, "王干事")

    # the public sees counts; the organiser also sees who
    public = send(None, "get", f"{API}/callouts/{cid}").json()
    assert [(s["on_duty"], s["mine"], s["people"]) for s in public["shifts"]] == [(3, False, []), (1, False, [])]
    assert public["days"] == [{"day": "2026-03-02", "people": 3, "volunteers": 2, "volunteer_share": 66.7}]
    assert public["organiser"] is False
    mine = send(world.users[0], "get", f"{API}/callouts/{cid}").json()
    assert [s["mine"] for s in mine["shifts"]] == [True, True]
    seen = send(world.town_a, "get", f"{API}/callouts/{cid}").json()
    assert seen["organiser"] is True
    assert sorted((p["volunteer_number"] or "", p["name"]) for p in seen["shifts"][0]["people"]) == sorted(
        [("", "王干事"), (world.volunteers[0].number, "v0"), (world.volunteers[1].number, "v1")]
    )

    # withdrawing and closing
    withdrawn = send(world.users[1], "delete", f"{API}/shifts/{s1}/duty")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    closed = send(world.town_a, "post", f"{API}/callouts/{cid}/close")
    assert (closed.status_code, closed.json()) == (200, header | {"status": "closed"})
    late = send(world.users[2], "post", f"{API}/shifts/{s1}/duty")
    assert (late.status_code, late.json()["code"]) == (409, "callout_closed")


# ============================================================================================
# Bad input: problem+json with a status and a stable code; nothing lost
# ============================================================================================
@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"starts_at": "2026-03-02T09:00:00"}, 422, "naive_time", "starts_at"),
        ({"signup_closes_at": "2026-03-02T08:00:00"}, 422, "naive_time", "signup_closes_at"),
        ({"type_code": "juggling"}, 422, "unknown_type", "type_code"),
        ({"region_code": "999999999999"}, 422, "unknown_region", "region_code"),
        ({"ends_at": "2026-03-02T08:00:00+08:00"}, 422, "ends_before_start", "ends_at"),
        ({"capacity": 0}, 422, "capacity", "capacity"),
        (
            {"starts_at": "2026-03-01T09:00:00+08:00", "ends_at": "2026-03-01T11:00:00+08:00"},
            422,
            "start_in_past",
            "starts_at",
        ),
        ({"starts_at": "next tuesday"}, 422, "datetime_from_date_parsing", "starts_at"),
    ],
)
def test_bad_activities_are_422_problems(world: World, overrides: Any, status: int, code: str, field: str) -> None:
    before = state()
    response = send(world.leader, "post", f"{API}/activities", activity_body(world, team_id=world.team.pk, **overrides))
    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    body = response.json()
    assert (body["status"], body["errors"][0]["field"], body["errors"][0]["code"]) == (status, field, code)
    assert state() == before


def test_problem_shape(world: World) -> None:
    response = send(
        world.leader, "post", f"{API}/activities", activity_body(world, team_id=world.team.pk, type_code="x")
    )
    body = response.json()
    assert set(body) == {"type", "title", "status", "code", "errors"}
    assert (body["type"], body["status"], body["code"]) == ("/problems/unknown_type", 422, "unknown_type")


def test_bad_scans(world: World, frozen: Any) -> None:
    a = soon(world)
    signup_create(actor=world.users[0], activity_id=a.pk)
    frozen.move_to("2026-03-01 10:30 +0800")
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    before = state()
    cases = [
        ({"token": forged, "kind": "in"}, 422, "invalid_code"),
        ({"token": "nonsense", "kind": "in"}, 422, "invalid_code"),
        ({"token": token, "kind": "sideways"}, 422, "invalid_choice"),
        ({"token": token, "kind": "in", "latitude": "95", "longitude": "122"}, 422, "coordinates"),
    ]
    for body, status, code in cases:
        response = send(world.users[0], "post", f"{API}/scan", body)
        assert (response.status_code, response["Content-Type"], response.json()["code"]) == (status, PROBLEM, code), (
            body
        )
    assert state() == before
    frozen.move_to("2026-03-01 10:31 +0800")
    expired = send(world.users[0], "post", f"{API}/scan", {"token": token, "kind": "in"})
    assert (expired.status_code, expired.json()["code"], expired.json()["errors"][0]["field"]) == (
        422,
        "expired_code",
        "token",
    )
    not_signed = send(
        world.users[1],
        "post",
        f"{API}/scan",
        {"token": attendance_code(actor=world.leader, activity_id=a.pk).token, "kind": "in"},
    )
    assert (not_signed.status_code, not_signed.json()["code"]) == (422, "not_signed_up")
    assert Scan.objects.count() == 0
    naive = send(
        world.leader,
        "post",
        f"{API}/activities/{a.pk}/assisted",
        {"volunteer_number": world.volunteers[0].number, "kind": "in", "at": "2026-03-01T10:30:00", "reason": "无手机"},
    )
    assert (naive.status_code, naive.json()["code"], naive.json()["errors"][0]["field"]) == (422, "naive_time", "at")


def test_over_capacity_waitlists_and_after_the_window_is_refused(world: World, frozen: Any) -> None:
    a = world.activity(capacity=2)
    statuses = [send(u, "post", f"{API}/activities/{a.pk}/signup").json()["status"] for u in world.users]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    assert (Activity.objects.get(pk=a.pk).confirmed_count, Activity.objects.get(pk=a.pk).waitlist_count) == (2, 1)
    late = world.activity(title="晚到的活动")
    frozen.move_to("2026-03-02 09:00 +0800")
    before = state()
    response = send(world.users[0], "post", f"{API}/activities/{late.pk}/signup")
    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (422, PROBLEM, "signup_closed")
    assert state() == before


def test_closed_and_started_activities_cannot_be_edited(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 10:00 +0800")
    started = send(world.leader, "put", f"{API}/activities/{a.pk}", activity_body(world, title="改"))
    assert (started.status_code, started.json()["code"]) == (409, "activity_started")
    frozen.move_to("2026-03-02 13:00 +0800")
    send(world.leader, "post", f"{API}/activities/{a.pk}/close", {})
    before = state()
    for method, url, body in [
        ("put", f"{API}/activities/{a.pk}", activity_body(world, title="改")),
        ("post", f"{API}/activities/{a.pk}/cancel", {"reason": "x"}),
    ]:
        response = send(world.leader, method, url, body)
        assert (response.status_code, response["Content-Type"], response.json()["code"]) == (
            409,
            PROBLEM,
            "activity_closed",
        )
    assert state() == before


def test_bad_queries_and_bodies(world: World) -> None:
    assert send(None, "get", f"{API}/activities", {"limit": 101}).status_code == 422
    assert send(None, "get", f"{API}/activities", {"offset": -1}).status_code == 422
    bad_phase = send(None, "get", f"{API}/activities", {"phase": "someday"})
    assert (bad_phase.status_code, bad_phase["Content-Type"], bad_phase.json()["errors"][0]["field"]) == (
        422,
        PROBLEM,
        "phase",
    )
    missing = send(world.leader, "post", f"{API}/activities", {"title": "x"})
    assert (missing.status_code, missing.json()["code"]) == (422, "invalid")
    assert {e["field"] for e in missing.json()["errors"]} == {
        "team_id",
        "type_code",
        "region_code",
        "starts_at",
        "ends_at",
        "capacity",
    }
    assert send(None, "get", f"{API}/activities/999999").status_code == 404
    assert send(None, "get", f"{API}/callouts/999999").status_code == 404


# ============================================================================================
# Permission matrices (one per write endpoint)
# ============================================================================================
def test_matrix_team_create(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        body = {
            "name": f"新队{next(_names)}",
            "tier": "town_village",
            "kind": "service",
            "region_code": world.tree.town_a.code,
        }
        return "post", f"{API}/teams", body

    matrix(cast, prepare, allowed=ADMINS, status=201)


def test_matrix_membership_decision(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        applicant, _v = fresh_volunteer(world)
        m = membership_apply(actor=applicant, team_id=world.team.pk)
        return "post", f"{API}/memberships/{m.pk}/decision", {"accept": True}

    matrix(cast, prepare, allowed=ORGANISERS, status=200)


def test_matrix_leader_set(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        member, v = fresh_volunteer(world)
        membership_decide(
            actor=world.town_a, membership_id=membership_apply(actor=member, team_id=world.team.pk).pk, accept=True
        )
        return "post", f"{API}/teams/{world.team.pk}/leaders", {"volunteer_number": v.number}

    matrix(cast, prepare, allowed=ADMINS, status=200)


def test_matrix_activity_create(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        return "post", f"{API}/activities", activity_body(world, team_id=world.team.pk)

    matrix(cast, prepare, allowed=ORGANISERS, status=201)


def test_matrix_activity_update(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        return "put", f"{API}/activities/{draft(world).pk}", activity_body(world, title="改过的标题")

    matrix(cast, prepare, allowed=ORGANISERS, status=200)


def test_matrix_activity_publish(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        return "post", f"{API}/activities/{draft(world).pk}/publish", {}

    matrix(cast, prepare, allowed=ORGANISERS, status=200)


def test_matrix_activity_cancel(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        a = world.activity()
        signup_create(actor=world.users[1], activity_id=a.pk)
        return "post", f"{API}/activities/{a.pk}/cancel", {"reason": "台风预警"}

    matrix(cast, prepare, allowed=ORGANISERS, status=200)


def test_matrix_invitation_send(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        a = world.activity()
        return "post", f"{API}/activities/{a.pk}/invitations", {"volunteer_number": world.volunteers[1].number}

    matrix(cast, prepare, allowed=ORGANISERS, status=201)


def test_matrix_attendance_code_and_roster(world: World, cast: dict[str, User | None]) -> None:
    a = soon(world)
    matrix(cast, lambda r, u: ("get", f"{API}/activities/{a.pk}/code", None), allowed=ORGANISERS, status=200, audit=0)
    matrix(cast, lambda r, u: ("get", f"{API}/activities/{a.pk}/roster", None), allowed=ORGANISERS, status=200, audit=0)


def test_matrix_attendance_assist(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        a = soon(world)
        body = {"volunteer_number": world.volunteers[1].number, "kind": "in", "reason": "老人无智能手机"}
        return "post", f"{API}/activities/{a.pk}/assisted", body

    matrix(cast, prepare, allowed=ORGANISERS, status=201)


def test_matrix_activity_close(world: World, cast: dict[str, User | None], frozen: Any) -> None:
    activities = [world.activity(title=f"活动{i}") for i in range(len(cast))]
    for a in activities:
        signup_create(actor=world.users[1], activity_id=a.pk)
    frozen.move_to("2026-03-02 13:00 +0800")
    pending = iter(activities)

    def prepare(role: str, user: User | None) -> Call:
        a = next(pending)
        return (
            "post",
            f"{API}/activities/{a.pk}/close",
            {"lines": {world.volunteers[1].number: {"minutes": 60, "note": "核实"}}},
        )

    # closing writes its own audit event and one for the credit awards
    matrix(cast, prepare, allowed=ORGANISERS, status=200, audit=2)
    assert Activity.objects.filter(status="closed").count() == 3
    assert ServiceRecord.objects.count() == 3


def test_matrix_correction_decision(world: World, cast: dict[str, User | None], frozen: Any) -> None:
    activities = [
        world.activity(title=f"活动{i}", starts_at=at(f"2026-03-0{i + 2} 09:00"), ends_at=at(f"2026-03-0{i + 2} 12:00"))
        for i in range(3)
    ]
    frozen.move_to("2026-03-06 09:00 +0800")
    for a in activities:
        close_with_time(world, a, dict.fromkeys(world.volunteers, 60))
    corrections = iter(
        [
            correction_request(actor=u, record_id=r.pk, minutes=120, reason="少记了一小时")
            for u, v in zip(world.users, world.volunteers, strict=True)
            for r in ServiceRecord.objects.filter(volunteer=v).order_by("pk")
        ]
    )

    def prepare(role: str, user: User | None) -> Call:
        return (
            "post",
            f"{API}/corrections/{next(corrections).pk}/decision",
            {"accept": False, "reason": "签到记录为一小时"},
        )

    matrix(cast, prepare, allowed=ORGANISERS, status=200)


def test_matrix_callout_create(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        body = {
            "title": "净滩行动",
            "kind": "cleanup",
            "region_code": world.tree.town_a.code,
            "shifts": [
                {
                    "place": "海滩",
                    "starts_at": "2026-03-02T08:00:00+08:00",
                    "ends_at": "2026-03-02T10:00:00+08:00",
                    "needed": 5,
                }
            ],
        }
        return "post", f"{API}/callouts", body

    matrix(cast, prepare, allowed=ADMINS, status=201)


def test_matrix_duty_add_staff(world: World, cast: dict[str, User | None]) -> None:
    shift = callout(world).shifts.first()
    assert shift is not None
    matrix(
        cast,
        lambda r, u: ("post", f"{API}/shifts/{shift.pk}/staff", {"staff_name": "王干事"}),
        allowed=ADMINS,
        status=201,
    )


def test_matrix_callout_close(world: World, cast: dict[str, User | None]) -> None:
    matrix(cast, lambda r, u: ("post", f"{API}/callouts/{callout(world).pk}/close", {}), allowed=ADMINS, status=200)


def test_a_village_officer_runs_call_outs_in_their_village_only(world: World, cast: dict[str, User | None]) -> None:
    officer = cast["village_a1_officer"]
    mine = callout(world, region=world.tree.village_a1)
    other = callout(world, region=world.tree.village_a2)
    assert send(officer, "post", f"{API}/callouts/{other.pk}/close").status_code == 404
    assert send(officer, "post", f"{API}/callouts/{mine.pk}/close").status_code == 200
    assert send(officer, "get", f"{API}/callouts/{mine.pk}").json()["organiser"] is True
    assert send(officer, "get", f"{API}/callouts/{other.pk}").json()["organiser"] is False


# --- The volunteer's own acts: anonymous 401, accounts without a volunteer record 404 --------
def test_matrix_register(world: World, cast: dict[str, User | None]) -> None:
    newcomer = make_user("newcomer")
    link(newcomer, make_person(world.tree.village_b1, name="赵六", id_number=make_id_number()).subject)
    cast = cast | {"newcomer": newcomer}

    def prepare(role: str, user: User | None) -> Call:
        return "post", f"{API}/volunteers", {"agree": True}

    # the volunteers in the cast are registered already: a 409 that changes nothing
    for role in SELVES:
        before = state()
        response = send(cast[role], "post", f"{API}/volunteers", {"agree": True})
        assert (response.status_code, response.json()["code"]) == (409, "already_volunteer")
        assert state() == before
    matrix({r: u for r, u in cast.items() if r not in SELVES}, prepare, allowed={"newcomer"}, status=201)


def test_matrix_profile_update_and_withdraw(world: World, cast: dict[str, User | None]) -> None:
    matrix(cast, lambda r, u: ("patch", f"{API}/me", {"availability": "周末"}), allowed=SELVES, status=200)
    matrix(cast, lambda r, u: ("post", f"{API}/me/withdraw", {}), allowed=SELVES, status=200)
    assert Volunteer.objects.filter(status="withdrawn").count() == len(SELVES)


def test_matrix_team_apply_and_leave(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast, lambda r, u: ("post", f"{API}/teams/{fresh_team(world).pk}/applications", {}), allowed=SELVES, status=201
    )

    def leave(role: str, user: User | None) -> Call:
        team = fresh_team(world)
        if role in SELVES:
            membership_apply(actor=user, team_id=team.pk)
        return "post", f"{API}/teams/{team.pk}/leave", {}

    matrix(cast, leave, allowed=SELVES, status=200)


def test_matrix_signup_and_cancel(world: World, cast: dict[str, User | None]) -> None:
    matrix(
        cast, lambda r, u: ("post", f"{API}/activities/{world.activity().pk}/signup", {}), allowed=SELVES, status=201
    )

    def cancel(role: str, user: User | None) -> Call:
        a = world.activity()
        if role in SELVES:
            signup_create(actor=user, activity_id=a.pk)
        return "delete", f"{API}/activities/{a.pk}/signup", {}

    matrix(cast, cancel, allowed=SELVES, status=200)


def test_matrix_invitation_decline(world: World, cast: dict[str, User | None]) -> None:
    numbers = {
        "team_leader": world.leader_volunteer.number,
        "other_leader": Volunteer.objects.get(subject__name="另一队长").number,
        "resident": world.volunteers[0].number,
    }

    def prepare(role: str, user: User | None) -> Call:
        a = world.activity()
        if role in SELVES:
            invitation_send(actor=world.town_a, activity_id=a.pk, volunteer_number=numbers[role])
        return "post", f"{API}/activities/{a.pk}/invitation/decline", {}

    matrix(cast, prepare, allowed=SELVES, status=200)


def test_matrix_scan(world: World, cast: dict[str, User | None]) -> None:
    def prepare(role: str, user: User | None) -> Call:
        a = soon(world)
        if role in SELVES:
            signup_create(actor=user, activity_id=a.pk)
        return (
            "post",
            f"{API}/scan",
            {"token": attendance_code(actor=world.leader, activity_id=a.pk).token, "kind": "in"},
        )

    # a staff account scanning a real code is refused as "not a volunteer", before anything is kept
    matrix(cast, prepare, allowed=SELVES, status=201)


def test_matrix_correction_request(world: World, cast: dict[str, User | None], frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 13:00 +0800")
    close_with_time(world, a, {world.volunteers[0]: 60})
    record = ServiceRecord.objects.get(activity=a)
    # only the record's own volunteer may ask: other volunteers get the same 404 as staff
    matrix(
        cast,
        lambda r, u: ("post", f"{API}/records/{record.pk}/corrections", {"minutes": 120, "reason": "少记了"}),
        allowed={"resident"},
        status=201,
    )


def test_matrix_duty_respond_and_withdraw(world: World, cast: dict[str, User | None]) -> None:
    def respond(role: str, user: User | None) -> Call:
        return "post", f"{API}/shifts/{callout(world).shifts.first().pk}/duty", {}

    matrix(cast, respond, allowed=SELVES, status=201)

    def withdraw(role: str, user: User | None) -> Call:
        shift = callout(world).shifts.first()
        if role in SELVES:
            duty_respond(actor=user, shift_id=shift.pk)
        return "delete", f"{API}/shifts/{shift.pk}/duty", {}

    matrix(cast, withdraw, allowed=SELVES, status=200)


# --- Authentication and privacy -------------------------------------------------------------
def test_api_keys_work_on_public_and_private_endpoints(world: World) -> None:
    from django.test import Client

    from rongxin.accounts.services import api_key_create

    _row, key = api_key_create(actor=world.town_a, user=world.leader, name="手机")
    a = draft(world)
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    seen = client.get(f"{API}/activities/{a.pk}", **bearer)
    assert (seen.status_code, seen.json()["organiser"]) == (200, True)  # a draft, seen by its organiser
    assert client.get(f"{API}/activities/{a.pk}").status_code == 404  # and by nobody else
    published = client.post(f"{API}/activities/{a.pk}/publish", **bearer)
    assert (published.status_code, published.json()["status"]) == (200, "published")
    forged = client.post(f"{API}/activities/{a.pk}/cancel", data="{}", content_type="application/json",
                         HTTP_AUTHORIZATION="Bearer rx_not-a-key")  # fmt: skip
    assert (forged.status_code, forged.json()["code"]) == (401, "unauthenticated")


def test_no_response_carries_an_id_number(world: World, frozen: Any) -> None:
    from rongxin.core import pii
    from rongxin.subjects.models import Person

    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    membership_apply(actor=world.users[0], team_id=world.team.pk)
    duty_respond(actor=world.users[0], shift_id=callout(world).shifts.first().pk)
    frozen.move_to("2026-03-02 13:00 +0800")
    close_with_time(world, a, {world.volunteers[0]: 60})
    person = Person.objects.get(pk=world.volunteers[0].pk)
    secrets = [pii.decrypt(person.id_number_encrypted), person.id_number_masked]
    bodies = [
        send(world.users[0], "get", f"{API}/me"),
        send(world.users[0], "get", f"{API}/records"),
        send(world.leader, "get", f"{API}/teams/{world.team.pk}"),
        send(world.leader, "get", f"{API}/activities/{a.pk}/roster"),
        send(world.town_a, "get", f"{API}/callouts/{CallOut.objects.get().pk}"),
    ]
    assert [b.status_code for b in bodies] == [200, 200, 200, 200, 200]
    for b in bodies:
        text = b.content.decode()
        assert world.volunteers[0].number in text
        for s in secrets:
            assert s not in text
