"""Volunteering pages: each renders for the right role and is 404 for the wrong one; forms with
bad input come back with the Chinese error, keep what was typed and save nothing; sign-up,
check-in, roster and close, corrections, teams and call-outs through the pages.

Texts are compared with the Chinese catalogue through :func:`zh`, so a test reads the page the
way a user does (Chinese by default) and keeps passing when a wording is improved.
"""

# The volunteering fixtures (world, frozen) are imported by name, so arguments redefine them.
# ruff: noqa: F811

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.subjects.models import Notice
from rongxin.volunteering.models import (
    Activity,
    CallOut,
    Correction,
    Duty,
    Membership,
    Scan,
    ServiceRecord,
    Shift,
    Signup,
    Team,
    Volunteer,
)
from rongxin.volunteering.services import (
    activity_close,
    attendance_code,
    attendance_scan,
    correction_request,
    membership_apply,
    signup_create,
    team_create,
)
from rongxin.volunteering.services.mobilisation import ShiftInput, callout_create
from rongxin.volunteering.tests.conftest import World, at, frozen, world  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def zh(msgid: str, **values: Any) -> str:
    """``msgid`` as the page shows it: in Chinese (the default page language), HTML-escaped."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    return escape(text % values if values else text)


def html(response: Any) -> str:
    return response.content.decode()


def nav_labels(client: Client) -> list[str]:
    page = html(client.get("/"))
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav)


def resident(world: World, name: str = "居民", *, birth: str = "19900101") -> Any:
    user = make_user(name)
    link(user, make_person(world.tree.village_a1, name=name, id_number=make_id_number(birth=birth)).subject)
    return user


def attend(world: World, frozen: Any, a: Activity, index: int, start: str, end: str) -> None:
    for kind, when in (("in", start), ("out", end)):
        frozen.move_to(f"{when} +0800")
        code = attendance_code(actor=world.leader, activity_id=a.pk)
        attendance_scan(actor=world.users[index], token=code.token, kind=kind)


# --- Navigation -------------------------------------------------------------------------------
def test_navigation_offers_volunteering_by_role(world: World) -> None:
    ours = [zh("Volunteering"), zh("Activities"), zh("My teams"), zh("Teams"), zh("Call-outs")]

    def volunteering_nav(user: Any) -> list[str]:
        return [label for label in nav_labels(client_for(user)) if label in ours]

    assert volunteering_nav(world.users[0]) == [zh("Volunteering"), zh("Activities")]
    assert volunteering_nav(world.leader) == [zh("Volunteering"), zh("Activities"), zh("My teams")]
    assert volunteering_nav(world.town_a) == [zh("Teams"), zh("Call-outs")]
    assert volunteering_nav(make_user("nobody")) == []


# --- Activity list ----------------------------------------------------------------------------
def _county_team(world: World) -> Team:
    return team_create(
        actor=world.office, name="市应急救援队", tier=Team.Tier.URBAN_PROFESSIONAL, kind=Team.Kind.EMERGENCY,
        region_code=world.tree.county.code,
    )  # fmt: skip


def test_activity_list_filters_and_near_my_village(world: World) -> None:
    # given: one activity in the resident's town, one in another town (by a county team)
    near = world.activity(title="东山敬老院陪伴")
    from rongxin.volunteering.services import ActivityInput, activity_create, activity_publish

    far = activity_create(
        actor=world.office,
        team_id=_county_team(world).pk,
        data=ActivityInput(
            type_code="legal_aid",
            title="烟墩角法律咨询",
            region_code=world.tree.village_b1.code,
            place="村委会",
            starts_at=at("2026-03-03 09:00"),
            ends_at=at("2026-03-03 11:00"),
            capacity=5,
        ),
    )
    activity_publish(actor=world.office, activity_id=far.pk)
    world.activity(title="草稿不公开")  # published too; the draft below stays hidden
    from rongxin.volunteering.services import activity_create as create

    create(
        actor=world.leader,
        team_id=world.team.pk,
        data=ActivityInput(
            type_code="tutoring",
            title="未发布的草稿",
            region_code=world.tree.village_a1.code,
            place="p",
            starts_at=at("2026-03-04 09:00"),
            ends_at=at("2026-03-04 10:00"),
            capacity=3,
        ),
    )
    client = client_for(world.users[0])

    # when / then: everything public, the draft nowhere
    page = html(Client().get("/v/activities/"))
    assert [t in page for t in ("东山敬老院陪伴", "烟墩角法律咨询", "未发布的草稿")] == [True, True, False]
    assert f'href="/v/activities/{near.pk}/"' in page
    # near my village: the resident's town only
    page = html(client.get("/v/activities/", {"near": "on"}))
    assert ("东山敬老院陪伴" in page, "烟墩角法律咨询" in page) == (True, False)
    assert zh("Activities in %(town)s, around %(village)s.", town="崖头街道", village="东山社区") in page
    # by type, by town
    page = html(client.get("/v/activities/", {"type": "legal_aid"}))
    assert ("东山敬老院陪伴" in page, "烟墩角法律咨询" in page) == (False, True)
    page = html(client.get("/v/activities/", {"region": world.tree.town_a.code}))
    assert ("东山敬老院陪伴" in page, "烟墩角法律咨询" in page) == (True, False)
    # by dates (Beijing days)
    page = html(client.get("/v/activities/", {"date_from": "2026-03-03", "date_to": "2026-03-03"}))
    assert ("东山敬老院陪伴" in page, "烟墩角法律咨询" in page) == (False, True)
    # an htmx request gets the results only
    fragment = html(client.get("/v/activities/", {"type": "legal_aid"}, HTTP_HX_REQUEST="true"))
    assert fragment.startswith('<section id="results">')
    assert "<html" not in fragment


def test_activity_list_is_paged(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from rongxin.volunteering.pages.views import activities

    monkeypatch.setattr(activities, "LIST_PAGE", 1)
    world.activity(title="第一场", starts_at=at("2026-03-02 09:00"), ends_at=at("2026-03-02 10:00"))
    world.activity(title="第二场", starts_at=at("2026-03-03 09:00"), ends_at=at("2026-03-03 10:00"))
    first = html(Client().get("/v/activities/"))
    second = html(Client().get("/v/activities/", {"page": "2"}))
    assert ("第一场" in first, "第二场" in first) == (True, False)
    assert ("第一场" in second, "第二场" in second) == (False, True)
    assert zh("Page %(n)s of %(total)s", n=2, total=2) in second


# --- The activity page ------------------------------------------------------------------------
def test_activity_page_is_public_but_drafts_are_for_organisers(world: World) -> None:
    from rongxin.volunteering.services import ActivityInput, activity_create

    draft = activity_create(
        actor=world.leader,
        team_id=world.team.pk,
        data=ActivityInput(
            type_code="elderly_care",
            title="草稿活动",
            region_code=world.tree.village_a1.code,
            place="敬老院",
            starts_at=at("2026-03-02 09:00"),
            ends_at=at("2026-03-02 12:00"),
            capacity=4,
        ),
    )
    url = f"/v/activities/{draft.pk}/"
    assert Client().get(url).status_code == 404
    assert client_for(world.users[0]).get(url).status_code == 404
    page = client_for(world.leader).get(url)
    assert page.status_code == 200
    assert zh("Publish") in html(page)
    # published: public, with places left and no organiser tools for a volunteer
    published = world.activity(capacity=2)
    signup_create(actor=world.users[1], activity_id=published.pk)
    page = html(Client().get(f"/v/activities/{published.pk}/"))
    assert "敬老院陪伴" in page
    assert zh("%(n)s of %(c)s left", n=1, c=2) in page
    assert zh("Sign in to sign up") in page
    assert 'id="organise"' not in html(client_for(world.users[0]).get(f"/v/activities/{published.pk}/"))
    organiser = html(client_for(world.leader).get(f"/v/activities/{published.pk}/"))
    assert zh("Check-in screen") in organiser
    assert zh("Invite") in organiser


def test_sign_up_warns_of_overlaps_and_cancel_frees_the_place(world: World) -> None:
    a = world.activity(title="上午活动", capacity=1)
    b = world.activity(title="重叠的活动", starts_at=at("2026-03-02 11:00"), ends_at=at("2026-03-02 13:00"))
    client = client_for(world.users[0])
    signup_create(actor=world.users[0], activity_id=b.pk)

    # when: the volunteer signs up on the page
    page = html(client.post(f"/v/activities/{a.pk}/signup/", follow=True))

    # then: confirmed, and the overlap is shown
    assert zh("You are signed up. Thank you!") in page
    assert "重叠的活动" in page
    assert zh("Cancel my sign-up") in page
    assert Signup.objects.get(activity=a, volunteer=world.volunteers[0]).status == "confirmed"
    # a second volunteer joins the waiting list, and moves up when the first cancels
    page = html(client_for(world.users[1]).post(f"/v/activities/{a.pk}/signup/", follow=True))
    assert (
        zh("All places are taken; you are on the waiting list and move up automatically when a place comes free.")
        in page
    )
    page = html(client.post(f"/v/activities/{a.pk}/signup/cancel/", follow=True))
    assert zh("Your sign-up is cancelled.") in page
    statuses = dict(Signup.objects.filter(activity=a).values_list("volunteer_id", "status"))
    assert statuses == {world.volunteers[0].pk: "cancelled", world.volunteers[1].pk: "confirmed"}


def test_sign_up_after_the_window_shows_the_reason_and_changes_nothing(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 09:30 +0800")
    page = html(client_for(world.users[0]).post(f"/v/activities/{a.pk}/signup/", follow=True))
    assert zh("Sign-up for this activity has closed.") in page
    assert Signup.objects.filter(activity=a).count() == 0


def test_a_resident_who_is_not_a_volunteer_is_sent_to_register(world: World) -> None:
    a = world.activity()
    user = resident(world)
    response = client_for(user).post(f"/v/activities/{a.pk}/signup/")
    assert response["Location"] == f"/v/join/?next=%2Fv%2Factivities%2F{a.pk}%2F"
    assert Signup.objects.filter(activity=a).count() == 0


def test_invitation_accept_and_decline(world: World) -> None:
    a = world.activity()
    leader = client_for(world.leader)
    # a mistyped number: the error on the field, nothing saved, the input kept
    response = leader.post(f"/v/activities/{a.pk}/invite/", {"volunteer_number": "RX0000000017"})
    assert response.status_code == 422
    assert zh("This is not a valid volunteer number.") in html(response)
    assert 'value="RX0000000017"' in html(response)
    assert Signup.objects.count() == 0
    leader.post(f"/v/activities/{a.pk}/invite/", {"volunteer_number": world.volunteers[0].number})
    leader.post(f"/v/activities/{a.pk}/invite/", {"volunteer_number": world.volunteers[1].number})
    page = html(client_for(world.users[0]).get(f"/v/activities/{a.pk}/"))
    assert zh("Accept the invitation") in page
    client_for(world.users[0]).post(f"/v/activities/{a.pk}/signup/")
    client_for(world.users[1]).post(f"/v/activities/{a.pk}/decline/")
    statuses = dict(Signup.objects.filter(activity=a).values_list("volunteer_id", "status"))
    assert statuses == {world.volunteers[0].pk: "confirmed", world.volunteers[1].pk: "declined"}
    # a volunteer cannot invite
    assert (
        client_for(world.users[2]).post(f"/v/activities/{a.pk}/invite/", {"volunteer_number": "x"}).status_code == 404
    )


def test_cancel_needs_a_reason_and_tells_everyone(world: World) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    leader = client_for(world.leader)
    response = leader.post(f"/v/activities/{a.pk}/cancel/", {"reason": ""})
    assert response.status_code == 422
    assert zh("This field is required.") in html(response)
    assert Activity.objects.get(pk=a.pk).status == "published"
    assert client_for(world.users[0]).post(f"/v/activities/{a.pk}/cancel/", {"reason": "x"}).status_code == 404
    leader.post(f"/v/activities/{a.pk}/cancel/", {"reason": "台风预警"})
    assert Activity.objects.get(pk=a.pk).status == "cancelled"
    assert Notice.objects.filter(subject_id=world.volunteers[0].pk, kind="volunteering.cancelled").count() == 1
    assert "台风预警" in html(Client().get(f"/v/activities/{a.pk}/"))


# --- Create and edit --------------------------------------------------------------------------
def _activity_post(world: World, **overrides: str) -> dict[str, str]:
    data = {
        "title": "海滩净滩",
        "type_code": "environment_cleanup",
        "description": "",
        "region_code": world.tree.village_a1.code,
        "place": "东山海滩",
        "starts_at": "2026-03-05T09:00",
        "ends_at": "2026-03-05T11:30",
        "capacity": "20",
        "signup_opens_at": "",
        "signup_closes_at": "",
        "min_age": "0",
        "latitude": "",
        "longitude": "",
        "geofence_m": "",
    }
    data.update(overrides)
    return data


def test_create_activity_reads_times_as_beijing_time(world: World) -> None:
    client = client_for(world.leader)
    form = html(client.get(f"/v/teams/{world.team.pk}/activities/new/"))
    assert f'value="{world.tree.village_a1.code}"' in form
    assert f'value="{world.tree.village_b1.code}"' not in form  # outside the team's town
    response = client.post(
        f"/v/teams/{world.team.pk}/activities/new/",
        _activity_post(
            world, skills=["cooking"], insured="on", latitude="37.165", longitude="122.486", geofence_m="300"
        ),
    )
    a = Activity.objects.get()
    assert response["Location"] == f"/v/activities/{a.pk}/"
    assert (a.status, a.starts_at, a.ends_at) == ("draft", at("2026-03-05 09:00"), at("2026-03-05 11:30"))
    assert (a.skills, a.insured, a.geofence_m, str(a.latitude)) == (["cooking"], True, 300, "37.165000")
    # the edit form shows the times back in Beijing time
    assert 'value="2026-03-05T09:00"' in html(client.get(f"/v/activities/{a.pk}/edit/"))


def test_create_activity_with_bad_input_keeps_it_and_saves_nothing(world: World) -> None:
    client = client_for(world.leader)
    response = client.post(
        f"/v/teams/{world.team.pk}/activities/new/", _activity_post(world, ends_at="2026-03-05T08:00")
    )
    assert response.status_code == 422
    page = html(response)
    assert zh("The end must be after the start.") in page
    assert 'value="海滩净滩"' in page
    assert 'value="2026-03-05T08:00"' in page
    assert Activity.objects.count() == 0
    response = client.post(f"/v/teams/{world.team.pk}/activities/new/", _activity_post(world, geofence_m="300"))
    assert zh("A check-in radius needs the venue's coordinates.") in html(response)
    assert Activity.objects.count() == 0


def test_only_organisers_reach_the_activity_forms(world: World) -> None:
    a = world.activity()
    town_b = make_user("town_b", Role.TOWN_OFFICER, world.tree.town_b)
    for user in (world.users[0], town_b, make_user("nobody")):
        client = client_for(user)
        assert client.get(f"/v/teams/{world.team.pk}/activities/new/").status_code == 404
        assert client.post(f"/v/teams/{world.team.pk}/activities/new/", _activity_post(world)).status_code == 404
        assert client.get(f"/v/activities/{a.pk}/edit/").status_code == 404
        assert client.post(f"/v/activities/{a.pk}/publish/").status_code == 404
    assert Activity.objects.count() == 1
    assert client_for(world.town_a).get(f"/v/teams/{world.team.pk}/activities/new/").status_code == 200


def test_publishing_a_risky_type_without_insurance_is_refused(world: World) -> None:
    client = client_for(world.leader)
    client.post(f"/v/teams/{world.team.pk}/activities/new/", _activity_post(world, type_code="flood_duty"))
    a = Activity.objects.get()
    page = html(client.post(f"/v/activities/{a.pk}/publish/", follow=True))
    assert (
        zh(
            "%(type)s activities need accident insurance for the volunteers; arrange it and tick the box first.",
            type="防汛抗旱值守",
        )
        in page
    )
    assert Activity.objects.get(pk=a.pk).status == "draft"


def test_editing_a_closed_activity_is_refused(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    response = client_for(world.leader).post(f"/v/activities/{a.pk}/edit/", _activity_post(world, title="改名"))
    assert response.status_code == 422
    assert zh("A closed or cancelled activity cannot be changed.") in html(response)
    assert Activity.objects.get(pk=a.pk).title == "敬老院陪伴"


# --- Check-in -------------------------------------------------------------------------------
def test_code_screen_shows_a_qr_code_for_the_current_token(world: World, frozen: Any) -> None:
    a = world.activity()
    leader = client_for(world.leader)
    page = html(leader.get(f"/v/activities/{a.pk}/code/"))
    assert zh("Check-in opens an hour before the start.") in page
    frozen.move_to("2026-03-02 08:30 +0800")
    leader = client_for(world.leader)  # sessions last 8 hours
    page = html(leader.get(f"/v/activities/{a.pk}/code/"))
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    assert f'data-scan-url="http://testserver/v/scan/?t={token}"' in page
    assert '<svg viewBox="0 0 ' in page
    assert 'hx-trigger="every 5s"' in page
    fragment = html(leader.get(f"/v/activities/{a.pk}/code/", HTTP_HX_REQUEST="true"))
    assert fragment.startswith('<section id="code"')
    assert f"?t={token}" in fragment
    assert "<html" not in fragment
    town_b = make_user("town_b", Role.TOWN_OFFICER, world.tree.town_b)
    for user in (world.users[0], town_b, make_user("nobody")):
        assert client_for(user).get(f"/v/activities/{a.pk}/code/").status_code == 404
        assert client_for(user).get(f"/v/activities/{a.pk}/scans/").status_code == 404
    assert client_for(world.town_a).get(f"/v/activities/{a.pk}/code/").status_code == 200  # an administrator


def test_scan_page_checks_in_and_out_and_flags_a_far_scan(world: World, frozen: Any) -> None:
    a = world.activity(latitude="37.165000", longitude="122.486000", geofence_m=200)
    signup_create(actor=world.users[0], activity_id=a.pk)
    frozen.move_to("2026-03-02 08:55 +0800")
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    url = f"/v/scan/?t={token}"
    # anonymous: to sign-in and back
    response = Client().get(url)
    assert response["Location"] == "/login/?next=" + "/v/scan/%3Ft%3D" + token
    client = client_for(world.users[0])
    page = html(client.get(url))
    assert zh("You have not checked in yet.") in page
    assert 'name="kind" value="in"' in page
    assert "data-geolocate" in page

    # when: checking in from 1.1 km away
    response = client.post("/v/scan/", {"t": token, "kind": "in", "latitude": "37.175000", "longitude": "122.486000"})
    scan = Scan.objects.get()
    assert response["Location"] == f"/v/scan/{scan.pk}/"  # reloading the result does not scan again
    page = html(client.get(response["Location"]))

    # then: accepted, flagged, explained
    assert zh("Checked in") in page
    assert (
        zh(
            "You were %(d)s m from the venue, farther than the %(r)s m check-in radius. The scan is recorded and marked for the organiser to check.",
            d=1112,
            r=200,
        )
        in page
    )
    assert (scan.accepted, scan.flags, scan.distance_m) == (True, ["outside_geofence"], 1112)
    assert client_for(world.users[1]).get(f"/v/scan/{scan.pk}/").status_code == 404  # someone else's
    # the same code again: a clear error, the refused scan kept
    response = client.post("/v/scan/", {"t": token, "kind": "in"})
    assert response.status_code == 409
    assert zh("This code has already been used; scan the current one.") in html(response)
    assert Scan.objects.filter(accepted=False).count() == 1
    # later: check out with a fresh code
    frozen.move_to("2026-03-02 11:00 +0800")
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    page = html(client.get(f"/v/scan/?t={token}"))
    assert zh("You are checked in.") in page
    assert 'name="kind" value="out"' in page
    page = html(client.post("/v/scan/", {"t": token, "kind": "out"}, follow=True))
    assert zh("Checked out") in page
    assert zh("Your location was not available. The scan is recorded and marked for the organiser to check.") in page


def test_scan_page_for_bad_codes_and_unconfirmed_volunteers(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 09:00 +0800")
    client = client_for(world.users[1])
    assert zh("This is not a check-in code of this platform.") in html(client.get("/v/scan/?t=nonsense"))
    token = attendance_code(actor=world.leader, activity_id=a.pk).token
    page = html(client.get(f"/v/scan/?t={token}"))
    assert zh("You are not confirmed for this activity; ask the organiser.") in page
    assert "data-geolocate" not in page
    response = client.post("/v/scan/", {"t": token, "kind": "in"})
    assert response.status_code == 422
    assert Scan.objects.count() == 0


def test_assisted_record_needs_a_valid_number_and_a_reason(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 09:05 +0800")
    leader = client_for(world.leader)
    response = leader.post(
        f"/v/activities/{a.pk}/assist/", {"volunteer_number": "RX123", "kind": "in", "at": "", "reason": "没有手机"}
    )
    assert response.status_code == 422
    page = html(response)
    assert zh("This is not a valid volunteer number.") in page
    assert 'value="没有手机"' in page
    assert Scan.objects.count() == 0
    response = leader.post(
        f"/v/activities/{a.pk}/assist/",
        {"volunteer_number": world.volunteers[2].number, "kind": "in", "at": "2026-03-02T09:00", "reason": "没有手机"},
        follow=True,
    )
    page = html(response)
    assert zh("Check-in recorded for %(number)s at %(time)s.", number=world.volunteers[2].number, time="09:00") in page
    assert zh("Came without signing up") in page  # the walk-in flag, in the recent scans too
    scan = Scan.objects.get()
    assert (scan.method, scan.at, scan.reason, scan.flags) == (
        "assisted",
        at("2026-03-02 09:00"),
        "没有手机",
        ["walk_in"],
    )
    assert client_for(world.users[0]).post(f"/v/activities/{a.pk}/assist/", {}).status_code == 404


# --- Roster and close -------------------------------------------------------------------------
def test_roster_shows_flags_and_close_needs_a_note_for_changed_time(world: World, frozen: Any) -> None:
    a = world.activity()
    for u in world.users:
        signup_create(actor=u, activity_id=a.pk)
    attend(world, frozen, a, 0, "2026-03-02 08:50", "2026-03-02 12:00")  # 3 h
    frozen.move_to("2026-03-02 09:10 +0800")
    code = attendance_code(actor=world.leader, activity_id=a.pk)
    attendance_scan(actor=world.users[1], token=code.token, kind="in")  # never checks out
    frozen.move_to("2026-03-02 12:30 +0800")
    leader = client_for(world.leader)
    page = html(leader.get(f"/v/activities/{a.pk}/roster/"))
    assert zh("Checked in, never checked out") in page
    assert zh("Signed up, never scanned") in page
    assert zh("Verify and close") in page
    n0, n1, n2 = (v.number for v in world.volunteers)
    lines = {
        f"{n0}-minutes": "180", f"{n0}-rating": "excellent", f"{n0}-note": "",
        f"{n1}-minutes": "120", f"{n1}-rating": "good", f"{n1}-note": "",
        f"{n2}-minutes": "0", f"{n2}-rating": "good", f"{n2}-note": "",
    }  # fmt: skip

    # when: a changed time without a note
    response = leader.post(f"/v/activities/{a.pk}/roster/", lines)

    # then: refused, nothing closed, the typed minutes kept
    assert response.status_code == 422
    assert zh("Say why a service time differs from the scans.") in html(response)
    assert f'name="{n1}-minutes" value="120"' in html(response)
    assert (Activity.objects.get(pk=a.pk).status, ServiceRecord.objects.count()) == ("published", 0)

    # when: with the note
    lines[f"{n1}-note"] = "忘记签退，现场核实"
    page = html(leader.post(f"/v/activities/{a.pk}/roster/", lines))

    # then: the summary of records, hours and points
    assert zh("Activity closed") in page
    summary = re.findall(r'<span class="num">([^<]+)</span>', page)
    assert summary == ["2", "5", "5"]  # 3 h + 2 h; 3 + 2 points
    records = dict(ServiceRecord.objects.filter(activity=a).values_list("volunteer_id", "minutes"))
    assert records == {world.volunteers[0].pk: 180, world.volunteers[1].pk: 120}
    assert ServiceRecord.objects.get(volunteer=world.volunteers[0]).rating == "excellent"
    assert Activity.objects.get(pk=a.pk).status == "closed"
    # closing again: a clear error, nothing added
    response = leader.post(f"/v/activities/{a.pk}/roster/", lines)
    assert response.status_code == 422
    assert zh("This activity is already closed.") in html(response)
    assert ServiceRecord.objects.count() == 2


def test_roster_is_for_organisers_only(world: World, frozen: Any) -> None:
    a = world.activity()
    frozen.move_to("2026-03-02 13:00 +0800")
    town_b = make_user("town_b", Role.TOWN_OFFICER, world.tree.town_b)
    for user in (world.users[0], town_b, make_user("nobody")):
        assert client_for(user).get(f"/v/activities/{a.pk}/roster/").status_code == 404
        assert client_for(user).post(f"/v/activities/{a.pk}/roster/", {}).status_code == 404
    assert Activity.objects.get(pk=a.pk).status == "published"


# --- The volunteer ----------------------------------------------------------------------------
def test_join_keeps_the_input_when_the_terms_are_not_accepted(world: World) -> None:
    user = resident(world)
    client = client_for(user)
    page = html(client.get("/v/join/"))
    assert zh("Volunteer service terms") in page
    assert 'id="guardian"' not in page  # an adult
    response = client.post("/v/join/", {"skills": ["medical", "driving"], "availability": "周末"})
    assert response.status_code == 422
    page = html(response)
    assert zh("Please read and accept the volunteer service terms.") in page
    assert re.findall(r'value="(\w+)"[^>]* checked', page) == ["medical", "driving"]
    assert 'value="周末"' in page
    assert Volunteer.objects.count() == 4  # the world's
    response = client.post("/v/join/", {"skills": ["medical"], "availability": "周末", "agree": "on"})
    assert response["Location"] == "/v/me/"
    v = Volunteer.objects.get(subject__name="居民")
    assert (v.skills, v.availability) == (["medical"], "周末")
    assert client.get("/v/join/")["Location"] == "/v/me/"


def test_join_asks_a_minor_for_a_guardian(world: World) -> None:
    kid = resident(world, "小明", birth="20150101")
    client = client_for(kid)
    assert 'id="guardian"' in html(client.get("/v/join/"))
    response = client.post("/v/join/", {"agree": "on", "guardian_name": "王芳", "guardian_relation": "母亲"})
    assert response.status_code == 422
    assert zh("A volunteer under 18 needs a guardian's consent.") in html(response)
    assert not Volunteer.objects.filter(subject__name="小明").exists()
    client.post(
        "/v/join/", {"agree": "on", "guardian_name": "王芳", "guardian_relation": "母亲", "guardian_consent": "on"}
    )
    assert Volunteer.objects.get(subject__name="小明").guardian_name == "王芳"


def test_join_is_for_people_with_their_own_file(world: World) -> None:
    assert client_for(world.town_a).get("/v/join/").status_code == 404
    assert Client().get("/v/join/")["Location"] == "/login/?next=/v/join/"


def test_my_volunteering_shows_hours_stars_records_and_points(world: World, frozen: Any) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    attend(world, frozen, a, 0, "2026-03-02 09:00", "2026-03-02 12:00")
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    record = ServiceRecord.objects.get()
    page = html(client_for(world.users[0]).get("/v/me/"))
    assert world.volunteers[0].number in page
    assert '<span class="num" id="total-hours">3</span>' in page
    assert zh("%(h)s more hours to the next star (%(n)s hours).", h="97", n=100) in page
    card = page[page.index(f'id="record-{record.pk}"') :]
    card = card[: card.index("</li>")]
    assert re.findall(r'<dd class="(\w+)">([^<]+)</dd>', card) == [
        ("hours", "3"),
        ("rating", zh("Good")),
        ("points", "3"),
    ]
    assert f'href="/v/me/records/{record.pk}/correction/"' in card
    assert 'href="/v/certificates/new/"' in page
    # someone who is not a volunteer yet is sent to register
    assert client_for(resident(world)).get("/v/me/")["Location"] == "/v/join/"


def test_correction_request_keeps_the_input_on_error(world: World, frozen: Any) -> None:
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    attend(world, frozen, a, 0, "2026-03-02 09:00", "2026-03-02 10:00")
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    record = ServiceRecord.objects.get()
    url = f"/v/me/records/{record.pk}/correction/"
    client = client_for(world.users[0])
    response = client.post(url, {"minutes": "60", "reason": "签退时手机没电"})
    assert response.status_code == 422
    assert zh("That is the time already recorded.") in html(response)
    assert "签退时手机没电" in html(response)
    assert Correction.objects.count() == 0
    assert client_for(world.users[1]).get(url).status_code == 404
    assert client.post(url, {"minutes": "180", "reason": "签退时手机没电"})["Location"] == "/v/me/"
    assert Correction.objects.get().requested_minutes == 180
    assert zh("Correction requested") in html(client.get("/v/me/"))


# --- Teams ------------------------------------------------------------------------------------
def test_team_list_filters_and_admins_create_teams(world: World) -> None:
    _county_team(world)
    page = html(Client().get("/v/teams/", {"tier": "town_village"}))
    assert ("东山社区志愿服务队" in page, "市应急救援队" in page) == (True, False)
    assert zh("New team") not in page
    officer = client_for(world.town_a)
    assert zh("New team") in html(officer.get("/v/teams/"))
    form = html(officer.get("/v/teams/new/"))
    assert f'value="{world.tree.town_a.code}"' in form
    assert f'value="{world.tree.town_b.code}"' not in form
    response = officer.post(
        "/v/teams/new/",
        {
            "name": "东山社区志愿服务队",
            "tier": "town_village",
            "kind": "service",
            "region_code": world.tree.town_a.code,
        },
    )
    assert response.status_code == 422
    assert zh("A team of this name already exists in this region.") in html(response)
    assert Team.objects.count() == 2
    response = officer.post(
        "/v/teams/new/",
        {"name": "西山宣讲队", "tier": "town_village", "kind": "lecture", "region_code": world.tree.village_a2.code},
    )
    team = Team.objects.get(name="西山宣讲队")
    assert response["Location"] == f"/v/teams/{team.pk}/"
    for user in (world.leader, world.users[0]):
        assert client_for(user).get("/v/teams/new/").status_code == 404


def test_team_page_applications_and_corrections(world: World, frozen: Any) -> None:
    user = resident(world)
    client = client_for(user)
    url = f"/v/teams/{world.team.pk}/"
    # not a volunteer yet: sent to register
    assert client.post(f"{url}apply/")["Location"] == f"/v/join/?next=%2Fv%2Fteams%2F{world.team.pk}%2F"
    client.post("/v/join/", {"agree": "on"})
    page = html(client.post(f"{url}apply/", follow=True))
    assert zh("Application sent. The team's leaders will decide.") in page
    m = Membership.objects.get(volunteer__subject__name="居民")
    # the leader decides on the team page
    leader = client_for(world.leader)
    page = html(leader.get(url))
    assert (zh("Applications") in page, zh("New activity") in page, zh("Appoint leaders") in page) == (
        True,
        True,
        False,
    )
    assert 'id="applications"' not in html(client.get(url))
    leader.post(f"/v/memberships/{m.pk}/decide/", {"action": "accept"})
    assert Membership.objects.get(pk=m.pk).status == "accepted"
    # a correction: refusing needs a reason, accepting updates the record
    a = world.activity()
    signup_create(actor=world.users[0], activity_id=a.pk)
    attend(world, frozen, a, 0, "2026-03-02 09:00", "2026-03-02 10:00")
    frozen.move_to("2026-03-02 13:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)
    c = correction_request(actor=world.users[0], record_id=ServiceRecord.objects.get().pk, minutes=120, reason="x")
    leader = client_for(world.leader)  # sessions last 8 hours
    assert "120" in html(leader.get(url))
    page = html(
        leader.post(f"/v/corrections/{c.pk}/decide/", {"action": "refuse", "reason": "", "next": url}, follow=True)
    )
    # the error beside the reason of that request, not in a banner
    assert f'<div class="error" id="correction-kept-reason_error"><p>{zh("This field is required.")}</p></div>' in page
    assert 'aria-describedby="correction-kept-reason_error"' in page
    assert Correction.objects.get(pk=c.pk).status == "pending"
    assert client_for(world.users[1]).post(f"/v/corrections/{c.pk}/decide/", {"action": "accept"}).status_code == 404
    leader.post(f"/v/corrections/{c.pk}/decide/", {"action": "accept", "next": url})
    assert Correction.objects.get(pk=c.pk).status == "accepted"
    assert ServiceRecord.objects.get(current=True).minutes == 120


def test_leaders_are_appointed_by_administrators_only(world: World) -> None:
    m = membership_apply(actor=world.users[0], team_id=world.team.pk)
    client_for(world.leader).post(f"/v/memberships/{m.pk}/decide/", {"action": "accept"})
    url = f"/v/teams/{world.team.pk}/leaders/"
    assert client_for(world.leader).get(url).status_code == 404
    officer = client_for(world.town_a)
    response = officer.post(url, {"volunteer_number": world.volunteers[1].number, "leader": "1"})
    assert response.status_code == 422
    assert zh("Only a member who has joined the team can lead it.") in html(response)
    officer.post(url, {"volunteer_number": world.volunteers[0].number, "leader": "1"})
    assert Membership.objects.get(pk=m.pk).role == "leader"


def test_my_teams_page_for_organisers(world: World) -> None:
    page = html(client_for(world.leader).get("/v/organise/"))
    assert "东山社区志愿服务队" in page
    assert f'href="/v/teams/{world.team.pk}/activities/new/"' in page
    assert client_for(world.users[0]).get("/v/organise/").status_code == 404


# --- Call-outs --------------------------------------------------------------------------------
def _callout_post(world: World, **shift0: str) -> dict[str, str]:
    data = {
        "title": "防汛值守", "kind": "flood", "region_code": world.tree.town_a.code, "description": "",
        "shifts-TOTAL_FORMS": "3", "shifts-INITIAL_FORMS": "0", "shifts-MIN_NUM_FORMS": "0", "shifts-MAX_NUM_FORMS": "20",
        "shifts-0-place": "东山河堤", "shifts-0-starts_at": "2026-03-02T08:00", "shifts-0-ends_at": "2026-03-02T12:00",
        "shifts-0-needed": "5",
        "shifts-1-place": "西山水库", "shifts-1-starts_at": "2026-03-02T12:00", "shifts-1-ends_at": "2026-03-02T18:00",
        "shifts-1-needed": "3",
    }  # fmt: skip
    data.update({f"shifts-0-{k}": v for k, v in shift0.items()})
    return data


def test_callout_create_with_bad_shift_keeps_everything(world: World) -> None:
    officer = client_for(world.town_a)
    response = officer.post("/v/callouts/new/", _callout_post(world, ends_at="2026-03-02T07:00"))
    assert response.status_code == 422
    page = html(response)
    assert zh("The end must be after the start.") in page
    assert 'value="西山水库"' in page
    assert CallOut.objects.count() == 0
    response = officer.post("/v/callouts/new/", _callout_post(world))
    c = CallOut.objects.get()
    assert response["Location"] == f"/v/callouts/{c.pk}/"
    assert list(Shift.objects.order_by("starts_at").values_list("place", "needed")) == [
        ("东山河堤", 5),
        ("西山水库", 3),
    ]
    for user in (world.users[0], world.leader):
        assert client_for(user).get("/v/callouts/new/").status_code == 404
        assert client_for(user).post("/v/callouts/new/", _callout_post(world)).status_code == 404
    assert CallOut.objects.count() == 1


def test_volunteers_take_shifts_and_the_counts_show_the_share(world: World) -> None:
    c = callout_create(
        actor=world.town_a, title="防汛值守", kind="flood", region_code=world.tree.town_a.code, description="",
        shifts=[
            ShiftInput(place="东山河堤", starts_at=at("2026-03-02 08:00"), ends_at=at("2026-03-02 12:00"), needed=5),
            ShiftInput(place="西山水库", starts_at=at("2026-03-02 12:00"), ends_at=at("2026-03-02 18:00"), needed=3),
        ],
    )  # fmt: skip
    first, second = Shift.objects.order_by("starts_at")
    url = f"/v/callouts/{c.pk}/"
    volunteer = client_for(world.users[0])
    page = html(volunteer.post(f"/v/shifts/{first.pk}/take/", {"callout": c.pk}, follow=True))
    assert zh("Thank you! You are on this shift.") in page
    client_for(world.users[1]).post(f"/v/shifts/{first.pk}/take/", {"callout": c.pk})
    volunteer.post(f"/v/shifts/{second.pk}/take/", {"callout": c.pk})
    officer = client_for(world.town_a)
    officer.post(f"/v/shifts/{second.pk}/staff/", {"callout": c.pk, "staff_name": "镇干部李明"})
    assert client_for(world.users[2]).post(f"/v/shifts/{first.pk}/staff/", {"staff_name": "x"}).status_code == 404
    # the daily counts: 3 people (a volunteer on two shifts counts once), 2 volunteers
    page = html(officer.get(url))
    counts = page[page.index('id="counts"') : page.index('id="roster"')]
    assert re.findall(r'<td class="num">([^<]+)</td>', counts) == ["3", "2", "66.7%"]
    assert "镇干部李明" in page  # the administrator sees who is on duty
    assert "镇干部李明" not in html(volunteer.get(url))
    assert zh("You are on this shift") in html(volunteer.get(url))
    volunteer.post(f"/v/shifts/{first.pk}/withdraw/", {"callout": c.pk})
    assert Duty.objects.get(shift=first, volunteer=world.volunteers[0]).status == "withdrawn"
    assert Client().get(url)["Location"] == f"/login/?next={url}"


def test_a_volunteer_edits_the_profile_and_may_leave(world: Any) -> None:
    from rongxin.volunteering.models import Volunteer

    user, volunteer = world.users[0], world.volunteers[0]
    c = client_for(user)
    page = c.get("/v/me/profile/")
    assert page.status_code == 200
    assert volunteer.number in page.content.decode()
    bad = c.post("/v/me/profile/", {"action": "save", "skills": ["no-such-skill"], "availability": "周末"})
    assert bad.status_code == 422
    assert Volunteer.objects.get(pk=volunteer.pk).availability == ""
    saved = c.post("/v/me/profile/", {"action": "save", "skills": ["cooking", "driving"], "availability": "周末"})
    assert saved.status_code == 302
    v = Volunteer.objects.get(pk=volunteer.pk)
    assert (v.skills, v.availability) == (["cooking", "driving"], "周末")
    unconfirmed = c.post("/v/me/profile/", {"action": "withdraw"})
    assert unconfirmed.status_code == 422
    assert Volunteer.objects.get(pk=volunteer.pk).status == "active"
    left = c.post("/v/me/profile/", {"action": "withdraw", "confirm": "on"})
    assert left.status_code == 302
    assert Volunteer.objects.get(pk=volunteer.pk).status == "withdrawn"
    again = c.get("/v/me/profile/")  # no active record any more: back to registration
    assert (again.status_code, again["Location"]) == (302, "/v/join/")
