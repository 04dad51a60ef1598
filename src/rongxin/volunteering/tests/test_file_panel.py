"""The volunteering panel on a person's file page: verified hours in total and this year and the
latest service records, for the person and for staff who may read the file; nothing for anyone
else, nothing for a person who never volunteered; shown only because the app declares it."""

# The volunteering fixtures (world, frozen) are imported by name, so arguments redefine them.
# ruff: noqa: F811

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, link, make_id_number, make_person, make_user
from rongxin.core.registry import file_panels
from rongxin.volunteering.models import HoursAward
from rongxin.volunteering.services import activity_close, attendance_code, attendance_scan, signup_create
from rongxin.volunteering.tests.conftest import World, at, frozen, world  # noqa: F401 (the fixtures)

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return gettext(msgid)


def _panel(page: str) -> str:
    start = page.index('<section class="card" id="volunteering">')
    return page[start : page.index("</section>", start)]


def _served(world: World, frozen: Any, title: str, day: str, start: str, end: str) -> None:
    """users[0] serves at an activity on ``day`` from ``start`` to ``end``; it is closed."""
    a = world.activity(title=title, starts_at=at(f"{day} 08:00"), ends_at=at(f"{day} 18:00"))
    signup_create(actor=world.users[0], activity_id=a.pk)
    for kind, when in (("in", start), ("out", end)):
        frozen.move_to(f"{day} {when} +0800")
        code = attendance_code(actor=world.leader, activity_id=a.pk)
        attendance_scan(actor=world.users[0], token=code.token, kind=kind)
    frozen.move_to(f"{day} 19:00 +0800")
    activity_close(actor=world.leader, activity_id=a.pk)


def test_the_file_shows_verified_hours_and_the_latest_records(world: World, frozen: Any) -> None:
    # given: 3 h this year and 1.5 h counted in an earlier year (an award of last year)
    _served(world, frozen, "敬老院陪伴", "2026-03-02", "09:00", "12:00")
    _served(world, frozen, "海滩清洁", "2026-03-03", "09:00", "10:30")
    HoursAward.objects.filter(activity__title="海滩清洁").update(year=2025)
    village_officer = make_user("village_officer", Role.VILLAGE_OFFICER, world.tree.village_a1)

    # when: the person opens their own file, and a village officer opens it for service
    own = _panel(client_for(world.users[0]).get("/me/").content.decode())
    staff = client_for(village_officer).get(f"/subjects/{world.volunteers[0].pk}/", {"purpose": "service"})

    # then: both see the number, 4.5 verified hours, 3 of them this year, and the records
    for panel in (own, _panel(staff.content.decode())):
        assert world.volunteers[0].number in panel
        assert '<span class="num" id="service-hours">4.5</span>' in panel
        assert '<span class="num" id="service-hours-this-year">3</span>' in panel
        assert re.findall(r"<li>([^<]+)</li>", panel) == [
            "2026-03-03 · 海滩清洁 · 东山社区志愿服务队 · " + zh("%(h)s h").replace("%(h)s", "1.5"),
            "2026-03-02 · 敬老院陪伴 · 东山社区志愿服务队 · " + zh("%(h)s h").replace("%(h)s", "3"),
        ]
    assert 'href="/v/me/"' in own
    assert 'href="/v/me/"' not in _panel(staff.content.decode())


def test_no_panel_for_other_towns_or_people_who_never_volunteered(world: World, frozen: Any) -> None:
    _served(world, frozen, "敬老院陪伴", "2026-03-02", "09:00", "12:00")
    other_town = make_user("town_b", Role.TOWN_OFFICER, world.tree.town_b)
    never = make_user("never")
    link(never, make_person(world.tree.village_a1, name="没参加", id_number=make_id_number(birth="19950101")).subject)

    denied = client_for(other_town).get(f"/subjects/{world.volunteers[0].pk}/", {"purpose": "service"})
    own_file = client_for(never).get("/me/").content.decode()

    assert denied.status_code == 404
    assert world.volunteers[0].number not in denied.content.decode()
    assert 'id="volunteering"' not in own_file
    assert zh("My file") in own_file  # the file page itself is there


def test_the_panel_comes_only_from_the_apps_registry(world: World, frozen: Any, monkeypatch: Any) -> None:
    _served(world, frozen, "敬老院陪伴", "2026-03-02", "09:00", "12:00")
    config = apps.get_app_config("volunteering")
    assert [p.name for p in file_panels() if p.name == "volunteering"] == ["volunteering"]

    monkeypatch.setattr(config, "file_panels", ())

    assert 'id="volunteering"' not in client_for(world.users[0]).get("/me/").content.decode()
