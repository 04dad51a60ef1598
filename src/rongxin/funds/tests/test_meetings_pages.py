"""The commendation pages: the meetings list and create form, the working page and its actions
(permission matrices), the public page with its objection form, and the resident's file panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.funds.models import Meeting, Nomination, Objection
from rongxin.funds.services.meetings import meeting_nominate, meeting_start_publicity
from rongxin.funds.tests.books_helpers import FundsWorld
from rongxin.funds.tests.commend_helpers import Known, known_county, meeting_of

pytestmark = pytest.mark.django_db
WHO = ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"]


@pytest.fixture
def k(world: FundsWorld, frozen: Any) -> Known:
    return known_county(world, frozen)


@pytest.mark.parametrize("who", WHO)
def test_create_page_matrix(k: Known, who: str) -> None:
    user = k.w.users()[who]
    r = client_for(user).post(
        reverse("funds:meetings"), {"region_id": k.w.tree.village_a1.pk, "year": "2026", "quarter": "2"}
    )
    if who == "village_a1":
        m = Meeting.objects.get()
        assert (r.status_code, r["Location"]) == (302, reverse("funds:meeting", args=[m.pk]))
    else:
        # 302: to sign in; 422: the region is not among the ones they run; 404: they run none
        expected = {"anonymous": 302, "nobody": 404, "auditor": 404, "keeper": 404}.get(who, 422)
        assert r.status_code == expected
        assert Meeting.objects.count() == 0


@pytest.mark.parametrize("who", WHO)
def test_working_page_and_remove_matrix(k: Known, who: str) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    n = m.nominations.get(subject__name="王诚实")
    user = k.w.users()[who]
    client = client_for(user)
    page = client.get(reverse("funds:meeting", args=[m.pk]))
    readers = {"village_a1", "town_a", "keeper", "auditor"}
    if who == "anonymous":
        assert page.status_code == 302
    else:
        assert page.status_code == (200 if who in readers else 404)
    r = client.post(reverse("funds:nomination_remove", args=[m.pk, n.pk]), {"reason": "本人谦让"})
    n.refresh_from_db()
    if who == "village_a1":
        assert r.status_code == 302
        assert (n.status, n.status_reason) == ("removed", "本人谦让")
    else:
        assert r.status_code == (302 if who == "anonymous" else 404)
        assert n.status == "proposed"


def test_working_page_shows_reasons_and_why_excluded(k: Known) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    html = client_for(k.w.village_a1).get(reverse("funds:meeting", args=[m.pk])).content.decode()
    for text in (
        "本季度参与宣讲 3 场",
        "本季度志愿服务 32.5 小时",
        "本人未同意信用评价，不予提名",
        "生成推荐名单",
        "开始公示",
    ):
        assert text in html
    readonly = client_for(k.w.auditor).get(reverse("funds:meeting", args=[m.pk])).content.decode()
    assert "本季度参与宣讲 3 场" in readonly
    assert "开始公示" not in readonly


def test_bad_award_on_the_page_is_a_message_and_nothing_changes(k: Known) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    n = m.nominations.get(subject__name="王诚实")
    client = client_for(k.w.village_a1)
    r = client.post(
        reverse("funds:nomination_award", args=[m.pk, n.pk]), {"kind": "money", "amount": "10.005"}, follow=True
    )
    assert "金额最多两位小数（到分）。" in r.content.decode()
    n.refresh_from_db()
    assert n.award_kind == ""


def test_public_page_without_sign_in_and_objection_with_csrf(k: Known) -> None:
    m = meeting_of(k)
    url = reverse("funds:publicity", args=[m.pk])
    assert url == f"/funds/public/meetings/{m.pk}/"
    assert Client().get(url).status_code == 404
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    meeting_start_publicity(actor=k.w.village_a1, meeting_id=m.pk)
    page = Client().get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "本季度信用等级由 B 级升至 A 级" in html
    assert "东山社区" in html
    assert "周未同意" not in html
    assert "*" * 10 not in html
    target = m.nominations.get(subject__name="赵志愿")
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(url, {"nomination_id": target.pk, "text": "时长有误"})
    assert refused.status_code == 403
    assert Objection.objects.count() == 0
    ok = Client().post(url, {"nomination_id": target.pk, "text": "时长有误", "contact": ""})
    assert (ok.status_code, ok["Location"]) == (302, url)
    assert Objection.objects.get().nomination_id == target.pk
    bad = Client().post(url, {"nomination_id": target.pk, "text": "控制\x07字符"})
    assert bad.status_code == 400  # control characters are refused before the view
    assert Objection.objects.count() == 1
    assert Nomination.objects.get(pk=target.pk).status == "proposed"
