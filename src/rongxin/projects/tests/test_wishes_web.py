"""Small wishes over HTTP: the pages and the API. The privacy test: a resident with an ID number,
a phone and a birth date on their file; neither the full name, the ID number (full or masked),
the phone nor the birth date appears on the public list, the public page or the public API, and
the masked name does."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rongxin.accounts.models import User
from rongxin.conftest import make_id_number, make_person
from rongxin.core import pii
from rongxin.core.models import AuditEvent
from rongxin.projects.models import Wish
from rongxin.projects.services.wishes import wish_claim, wish_fulfil, wish_post
from rongxin.projects.tests.helpers import MarketWorld
from rongxin.subjects.models import Person

pytestmark = pytest.mark.django_db

API = "/api/v1/projects"
ID_NUMBER = make_id_number(birth="19470315")
PHONE = "13912345678"


def client(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def wish_of(world: MarketWorld, **fields: Any) -> Wish:
    actor = fields.pop("actor", world.resident)
    values: dict[str, Any] = {"title": "一个新书包", "story": "孙子上小学用。", "category": "study", "ceiling": "300"}
    values.update(fields)
    return wish_post(actor=actor, **values).wish


def test_the_public_never_sees_the_residents_name_id_number_phone_or_birth_date(world: MarketWorld) -> None:
    # given: 欧阳秀英 of village A1 with an ID number and a phone on her file; the officer posts for her
    person = make_person(world.tree.village_a1, name="欧阳秀英", id_number=ID_NUMBER)
    Person.objects.filter(pk=person.pk).update(phone_encrypted=pii.encrypt(PHONE), phone_masked=pii.mask_phone(PHONE))
    wish = wish_post(
        actor=world.village_a1,
        title="助行器",
        story="腿脚不便，想要一个助行器。",
        category="health",
        ceiling="500",
        beneficiary_subject_id=person.subject_id,
    ).wish
    wish_claim(actor=world.firm_rep, wish_id=wish.pk, claimant_subject_id=world.firm.pk, anonymous=True)
    person.refresh_from_db()
    secrets = [
        "欧阳秀英",
        "秀英",
        ID_NUMBER,
        person.id_number_masked,
        PHONE,
        person.phone_masked,
        "1947-03-15",
        "19470315",
        "荣信海洋食品有限公司",  # anonymous claimant
    ]
    anyone = Client()
    # when
    pages = [
        anyone.get(reverse("projects:wishes")),
        anyone.get(reverse("projects:wish", args=[wish.pk])),
        anyone.get(f"{API}/wishes"),
        anyone.get(f"{API}/wishes/{wish.pk}"),
    ]
    # then
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    for p in pages:
        text = p.content.decode()
        if p["Content-Type"].startswith("application/json"):
            text = str(p.json())
        assert [s for s in secrets if s in text] == []
        assert "欧阳**" in text
        assert "爱心人士（匿名）" in text
    assert pages[3].json()["beneficiary"] == "欧阳**"
    assert pages[3].json()["village"] == "东山社区"


def test_the_full_record_over_the_api_for_readers_only(world: MarketWorld) -> None:
    wish = wish_of(world)
    r = client(world.village_a1).get(f"{API}/wishes/{wish.pk}/record")
    assert (r.status_code, r.json()["beneficiary_name"]) == (200, "李四")
    assert AuditEvent.objects.filter(action="wish.read").count() == 1
    for who in ["nobody", "village_b1", "firm_rep", "centre"]:
        assert client(world.users()[who]).get(f"{API}/wishes/{wish.pk}/record").status_code == 404
    assert Client().get(f"{API}/wishes/{wish.pk}/record").status_code == 401


def test_api_post_claim_fulfil_confirm(world: MarketWorld) -> None:
    resident, firm = client(world.resident), client(world.firm_rep)
    body = {"title": "棉被", "story": "冬天冷。", "category": "daily", "ceiling": "２００"}
    r = resident.post(f"{API}/wishes", body, content_type="application/json")
    assert r.status_code == 201, r.content
    wish_id = r.json()["id"]
    assert (r.json()["number"], r.json()["ceiling"], r.json()["beneficiary_name"]) == ("XY2026-0001", "200.00", "李四")
    again = resident.post(f"{API}/wishes", body, content_type="application/json")
    assert (again.status_code, again.json()["id"]) == (200, wish_id)
    r = firm.post(
        f"{API}/wishes/{wish_id}/claim", {"claimant_subject_id": world.firm.pk}, content_type="application/json"
    )
    assert (r.status_code, r.json()["state"]) == (200, "claimed")
    r = client(world.other_rep).post(
        f"{API}/wishes/{wish_id}/claim", {"claimant_subject_id": world.other_firm.pk}, content_type="application/json"
    )
    assert (r.status_code, r.json()["code"], r.json()["title"]) == (409, "claimed", "该心愿已被认领")
    r = firm.post(f"{API}/wishes/{wish_id}/fulfil", {"value": "250", "note": "棉被"}, content_type="application/json")
    assert r.status_code == 422
    assert Wish.objects.get(pk=wish_id).state == "claimed"
    r = firm.post(
        f"{API}/wishes/{wish_id}/fulfil", {"value": "180", "note": "棉被一床"}, content_type="application/json"
    )
    assert (r.status_code, r.json()["value"]) == (200, "180.00")
    r = resident.post(f"{API}/wishes/{wish_id}/confirm", {"thanks": "谢谢"}, content_type="application/json")
    assert (r.status_code, r.json()["state"], r.json()["credit_points"], r.json()["credit_status"]) == (
        200,
        "confirmed",
        2,
        "created",
    )
    mine = resident.get(f"{API}/wishes/mine").json()
    assert ([w["id"] for w in mine["own"]], mine["claimed"], mine["village"]) == ([wish_id], [], [])


def test_api_ceiling_over_the_limit_is_a_chinese_problem_and_nothing_saved(world: MarketWorld) -> None:
    r = client(world.resident).post(
        f"{API}/wishes",
        {"title": "电动轮椅", "story": "出门不便。", "category": "health", "ceiling": "5000"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert [(e["field"], e["message"]) for e in r.json()["errors"]] == [("ceiling", "微心愿价值上限为 ¥3,000.00")]
    assert Wish.objects.count() == 0


@pytest.mark.parametrize("step", ["claim", "release", "fulfil", "confirm", "withdraw"])
def test_api_denied_writes_are_404_before_the_body_and_change_nothing(world: MarketWorld, step: str) -> None:
    wish = wish_of(world)
    wish_claim(actor=world.firm_rep, wish_id=wish.pk, claimant_subject_id=world.firm.pk, anonymous=False)
    if step == "confirm":
        wish_fulfil(actor=world.firm_rep, wish_id=wish.pk, value="100", note="书包")
    before = Wish.objects.filter(pk=wish.pk).values().get()
    for who in ["nobody", "village_b1", "town_a", "auditor", "leader"]:
        r = client(world.users()[who]).post(
            f"{API}/wishes/{wish.pk}/{step}", "not json", content_type="application/json"
        )
        assert r.status_code == 404, (who, r.content)
    # another resident may claim (for themselves) but not give up, deliver, confirm or withdraw
    neighbour = client(world.neighbour).post(f"{API}/wishes/{wish.pk}/{step}", "{}", content_type="application/json")
    assert neighbour.status_code == (422 if step == "claim" else 404)
    assert Client().post(f"{API}/wishes/{wish.pk}/{step}", "{}", content_type="application/json").status_code == 401
    assert Wish.objects.filter(pk=wish.pk).values().get() == before


def test_the_public_list_page_filters_and_offers_a_claim_button_to_sponsors(world: MarketWorld) -> None:
    wish_of(world, title="书包")
    wish_of(world, actor=world.neighbour, title="棉被", category="daily")
    page = Client().get(reverse("projects:wishes"), {"town": world.tree.town_b.pk})
    html = page.content.decode()
    assert (page.status_code, "棉被" in html, "书包" in html, "我要认领" in html) == (200, True, False, False)
    html = client(world.firm_rep).get(reverse("projects:wishes")).content.decode()
    assert html.count("我要认领") == 2
    assert Client().get(reverse("projects:wishes"), {"town": "999999"}).status_code == 400


def test_a_resident_posts_on_the_page(world: MarketWorld) -> None:
    c = client(world.resident)
    assert c.get(reverse("projects:wish_new")).status_code == 200
    r = c.post(
        reverse("projects:wish_new"), {"title": "书包", "story": "上学用", "category": "study", "ceiling": "3001"}
    )
    assert r.status_code == 422
    assert "微心愿价值上限为 ¥3,000.00" in r.content.decode()
    assert Wish.objects.count() == 0
    r = c.post(reverse("projects:wish_new"), {"title": "书包", "story": "上学用", "category": "study", "ceiling": "80"})
    wish = Wish.objects.get()
    assert (r.status_code, r["Location"]) == (302, reverse("projects:wish", args=[wish.pk]))


def test_a_village_officer_finds_a_resident_and_posts_for_them(world: MarketWorld) -> None:
    c = client(world.village_a1)
    page = c.get(reverse("projects:wish_new"), {"q": "李四"})
    assert f"subject={world.resident_subject.pk}" in page.content.decode()
    url = reverse("projects:wish_new") + f"?q=李四&subject={world.resident_subject.pk}"
    assert "为 李四 发布" in c.get(url).content.decode()
    r = c.post(
        url,
        {
            "title": "轮椅",
            "story": "行动不便",
            "category": "health",
            "ceiling": "600",
            "beneficiary_subject_id": str(world.resident_subject.pk),
        },
    )
    assert r.status_code == 302
    assert Wish.objects.get().beneficiary_id == world.resident_subject.pk
    # another village's officer finds nobody of village A1 and cannot post for them
    assert (
        f"subject={world.resident_subject.pk}"
        not in client(world.village_b1).get(reverse("projects:wish_new"), {"q": "李四"}).content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "firm_rep", "town_a"])
def test_who_may_not_post_gets_not_found(world: MarketWorld, who: str) -> None:
    c = client(world.users()[who])
    r = c.post(reverse("projects:wish_new"), {"title": "书包", "story": "上学用", "category": "study", "ceiling": "80"})
    assert r.status_code == (302 if who == "anonymous" else 404)
    assert Wish.objects.count() == 0


def test_the_wish_page_claim_deliver_confirm(world: MarketWorld) -> None:
    wish = wish_of(world)
    url = reverse("projects:wish", args=[wish.pk])
    firm = client(world.firm_rep)
    assert 'name="action" value="claim"' in firm.get(url).content.decode()
    assert 'name="action" value="claim"' not in Client().get(url).content.decode()
    r = firm.post(url, {"action": "claim", "claimant": world.firm.pk, "anonymous": "on"})
    assert r.status_code == 302
    r = firm.post(url, {"action": "fulfil", "value": "300.01", "note": "书包"})
    assert r.status_code == 422
    assert "实现价值不能超过心愿上限 ¥300.00" in r.content.decode()
    assert firm.post(url, {"action": "fulfil", "value": "299", "note": "书包"}).status_code == 302
    resident = client(world.resident)
    html = resident.get(url).content.decode()
    assert ('value="confirm"' in html, "李四" in html) == (True, True)
    assert resident.post(url, {"action": "confirm", "thanks": "谢谢"}).status_code == 302
    assert Wish.objects.values_list("state", "credit_points").get() == ("confirmed", 2)


@pytest.mark.parametrize("action", ["claim", "release", "fulfil", "confirm", "withdraw", "nonsense"])
def test_the_wish_page_refuses_outsiders_with_not_found(world: MarketWorld, action: str) -> None:
    wish = wish_of(world)
    before = Wish.objects.filter(pk=wish.pk).values().get()
    url = reverse("projects:wish", args=[wish.pk])
    data = {"action": action, "claimant": world.firm.pk, "value": "1", "note": "x", "reason": "x"}
    for who in ["nobody", "village_b1", "auditor", "leader"]:
        assert client(world.users()[who]).post(url, data).status_code == 404
    assert Client().post(url, data).status_code == 404
    assert Wish.objects.filter(pk=wish.pk).values().get() == before


def test_mine_page(world: MarketWorld) -> None:
    wish_of(world, title="书包")
    assert "书包" in client(world.resident).get(reverse("projects:wishes_mine")).content.decode()
    assert "书包" in client(world.village_a1).get(reverse("projects:wishes_mine")).content.decode()
    assert client(world.nobody).get(reverse("projects:wishes_mine")).status_code == 404


def test_a_resident_is_not_offered_to_claim_their_own_wish(world: MarketWorld) -> None:
    wish = wish_of(world)
    url = reverse("projects:wish", args=[wish.pk])
    assert 'value="claim"' not in client(world.resident).get(url).content.decode()
    r = client(world.resident).post(url, {"action": "claim", "claimant": world.resident_subject.pk})
    assert (r.status_code, "不能认领自己的心愿。" in r.content.decode()) == (409, True)
    assert Wish.objects.get().state == "open"
