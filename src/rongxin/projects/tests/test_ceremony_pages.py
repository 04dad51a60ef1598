"""The ceremony's pages: the public list and the centre's form, the big screen (polls its live part
from this server only), the fragment (never cached), the centre's working page, the figures and
the sponsors' roll (no anonymous sponsor's name)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rongxin.core.models import AuditEvent
from rongxin.projects.models import Ceremony, Project
from rongxin.projects.tests.ceremony_helpers import STARTS, ceremony, pledge
from rongxin.projects.tests.helpers import MarketWorld

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _state() -> list[tuple[Any, ...]]:
    return [
        *Ceremony.objects.order_by("pk").values_list("pk", "title", "starts_at", "launched_at"),
        *Project.objects.order_by("pk").values_list("pk", "state", "ceremony_id"),
        ("audit", AuditEvent.objects.filter(object_type="ceremony").count()),
    ]


def test_the_screen_polls_its_live_part_from_this_server_only(world: MarketWorld) -> None:
    # given a launched ceremony with an anonymous claim
    c = ceremony(launched_at=STARTS)
    p = world.project(ceremony=c, title="夕阳红助浴")
    pledge(p, world.resident_subject, "800.00", anonymous=True, ceremony=c, pledged_at=STARTS)
    # when anyone opens the screen
    response = Client().get(reverse("projects:ceremony", args=[2026]))
    html = response.content.decode()
    # then it polls the live fragment every 5 s and names no other host
    assert response.status_code == 200
    assert 'hx-get="/projects/ceremonies/2026/live/"' in html
    assert 'hx-trigger="every 5s"' in html
    assert re.findall(r"https?://[^\s\"'<>]+", html) == []
    assert "爱心人士（匿名）" in html
    assert "李四" not in html
    assert '<dd id="cer-pledged">¥800.00</dd>' in html


def test_the_fragment_is_never_cached(world: MarketWorld) -> None:
    # given a ceremony
    ceremony()
    # when the screen fetches its live part
    response = Client().get(reverse("projects:ceremony_live", args=[2026]), HTTP_HX_REQUEST="true")
    # then it is the fragment, not to be stored
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert html.startswith('<section id="live"')
    assert "<html" not in html
    assert Client().get(reverse("projects:ceremony_live", args=[2031])).status_code == 404


WHO = ["anonymous", "nobody", "auditor", "town_a", "village_a1", "traffic_rec", "firm_rep", "resident", "leader"]


@pytest.mark.parametrize("who", WHO)
def test_only_the_centre_writes_through_the_pages(world: MarketWorld, who: str) -> None:
    # given a ceremony with a draft outside its batch
    ceremony()
    d = world.project(state=Project.State.DRAFT)
    client = _client(world.users()[who])
    before = _state()
    # when anyone else posts each form
    posts = [
        (
            reverse("projects:ceremonies"),
            {
                "year": "2027",
                "title": "x",
                "venue": "y",
                "starts_at": "2027-06-01T19:00",
                "ends_at": "2027-06-01T21:00",
            },
        ),
        (reverse("projects:ceremony_manage", args=[2026]), {"action": "attach", "numbers": d.number}),
        (reverse("projects:ceremony_manage", args=[2026]), {"action": "launch"}),
        (reverse("projects:ceremony_manage", args=[2026]), {"action": "edit", "title": "新", "venue": "新"}),
    ]
    # then each is not found and nothing changed
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    assert client.get(reverse("projects:ceremony_manage", args=[2026])).status_code == 404
    assert _state() == before


def test_the_centre_sets_up_fills_and_launches_a_ceremony(world: MarketWorld) -> None:
    # given the centre and two drafts
    client = _client(world.centre)
    d1 = world.project(state=Project.State.DRAFT)
    d2 = world.project(state=Project.State.DRAFT)
    # when it sets up the ceremony, puts both drafts in by number, and launches it
    r1 = client.post(
        reverse("projects:ceremonies"),
        {
            "year": "2026",
            "title": "2026年公益典礼",
            "venue": "县文化中心",
            "starts_at": "2026-06-01T19:00",
            "ends_at": "2026-06-01T21:30",
        },
    )
    r2 = client.post(
        reverse("projects:ceremony_manage", args=[2026]), {"action": "attach", "numbers": f"{d1.number}，{d2.number}"}
    )
    r3 = client.post(reverse("projects:ceremony_manage", args=[2026]), {"action": "launch"})
    # then each step redirects to the working page and the drafts are published
    assert [r.status_code for r in (r1, r2, r3)] == [302, 302, 302]
    assert r1["Location"] == "/projects/ceremonies/2026/manage/"
    c = Ceremony.objects.get(year=2026)
    assert (c.starts_at, c.ends_at) == (STARTS, STARTS + dt.timedelta(hours=2, minutes=30))
    assert c.launched_at is not None
    assert sorted(Project.objects.filter(ceremony=c).values_list("state", flat=True)) == ["published", "published"]
    page = client.get(reverse("projects:ceremony_manage", args=[2026])).content.decode()
    assert d1.number in page
    assert d2.number in page
    assert "立即启动" not in page


def test_an_unknown_number_is_refused_on_the_form(world: MarketWorld) -> None:
    # given a ceremony
    ceremony()
    before = _state()
    # when the centre puts an unknown number into the batch
    r = _client(world.centre).post(
        reverse("projects:ceremony_manage", args=[2026]), {"action": "attach", "numbers": "XM2026-9999"}
    )
    # then the form says so and nothing changed
    assert r.status_code == 422
    assert "没有这个项目：XM2026-9999" in r.content.decode()
    assert _state() == before


def test_public_pages_read_in_chinese_and_hide_anonymous_names(world: MarketWorld) -> None:
    # given a named sponsor and an anonymous one
    p = world.project(title="夕阳红助浴")
    pledge(p, world.firm, "3000.00", paid=Decimal("3000.00"))
    pledge(p, world.resident_subject, "500.00", anonymous=True, paid=Decimal("500.00"))
    client = Client()
    # when anyone reads the roll, the figures and the list
    roll = client.get(reverse("projects:sponsors")).content.decode()
    figures = client.get(reverse("projects:figures"), {"year": "2026", "town": world.tree.town_a.code})
    listing = client.get(reverse("projects:ceremonies"))
    # then the roll names the firm and not the resident, and every page reads in Chinese
    assert "荣信海洋食品有限公司" in roll
    assert "李四" not in roll
    assert "爱心人士（匿名）" in roll
    assert "爱心榜" in roll
    assert figures.status_code == 200
    assert "按年度" in figures.content.decode()
    assert "公益典礼" in listing.content.decode()
    assert "创建典礼" not in listing.content.decode()
    assert client.get(reverse("projects:figures"), {"town": "999"}).status_code == 400
