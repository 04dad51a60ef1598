"""The commendation API: permission matrices (every role of the funds world; a denied call
changes nothing), bad input as problem+json, the public list and objections."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.funds.models import JournalEntry, Meeting, Nomination, Objection
from rongxin.funds.services.meetings import meeting_nominate, meeting_start_publicity, nomination_set_award
from rongxin.funds.tests.books_helpers import FundsWorld, pdf
from rongxin.funds.tests.commend_helpers import Known, known_county, meeting_of

pytestmark = pytest.mark.django_db
API = "/api/v1/funds"
PROBLEM = "application/problem+json"
RUNS_A1 = {"village_a1"}


@pytest.fixture
def k(world: FundsWorld, frozen: Any) -> Known:
    return known_county(world, frozen)


def _post(user: Any, url: str, data: dict[str, Any] | None = None) -> Any:
    return client_for(user).post(url, data or {}, content_type="application/json")


@pytest.mark.parametrize(
    "who",
    ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"],
)
def test_create_matrix(k: Known, who: str) -> None:
    user = k.w.users()[who]
    r = _post(user, f"{API}/meetings", {"region_id": k.w.tree.village_a1.pk, "year": 2026, "quarter": 2})
    if who in RUNS_A1:
        assert r.status_code == 201
        assert r.json()["title"] == "东山社区2026年第2季度表彰"
        assert Meeting.objects.count() == 1
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    "who",
    ["anonymous", "nobody", "auditor", "keeper", "town_a", "town_b", "village_a1", "village_a2", "village_b1"],
)
def test_nominate_and_read_matrix(k: Known, who: str) -> None:
    m = meeting_of(k)
    user = k.w.users()[who]
    r = _post(user, f"{API}/meetings/{m.pk}/nominate")
    if who in RUNS_A1:
        assert r.status_code == 200
        assert [n["name"] for n in r.json()["names"]] == ["孙食堂", "钱宣讲", "王诚实", "李好人", "赵志愿"]
        assert [(n["name"], n["status_reason"]) for n in r.json()["others"]] == [
            ("周未同意", "本人未同意信用评价，不予提名"),
            ("吴失信", "有正在计分的严重失信扣分记录，不予提名"),
        ]
    else:
        assert r.status_code == (401 if who == "anonymous" else 404)
        assert Nomination.objects.count() == 0
    read = client_for(user).get(f"{API}/meetings/{m.pk}")
    readers = {"village_a1", "town_a", "keeper", "auditor"}
    assert read.status_code == (200 if who in readers else 401 if who == "anonymous" else 404)
    if who in readers:
        # the nominate answer (runners only) and the read are both audited reads of the names
        reads = AuditEvent.objects.filter(action="meeting.read", actor_name=user.username).count()
        assert reads == (2 if who in RUNS_A1 else 1)


@pytest.mark.parametrize("who", ["anonymous", "nobody", "auditor", "keeper", "town_a", "village_a2", "village_a1"])
def test_award_matrix_and_add_remove_matrix(k: Known, frozen: Any, who: str) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    n = m.nominations.get(subject__name="王诚实")
    user = k.w.users()[who]
    r1 = _post(user, f"{API}/meetings/{m.pk}/nominations/{n.pk}/award", {"kind": "money", "amount": "100.50"})
    r2 = _post(user, f"{API}/meetings/{m.pk}/nominations/{n.pk}/remove", {"reason": "本人谦让"})
    r3 = _post(
        user,
        f"{API}/meetings/{m.pk}/nominations",
        {"subject_id": k.people["冯少时"].pk, "category": "doer", "reason": "组织村容整治"},
    )
    n.refresh_from_db()
    if who in RUNS_A1:
        assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 201]
        assert (n.award_amount, n.status, n.status_reason) == (100.50, "removed", "本人谦让")
    else:
        expected = 401 if who == "anonymous" else 404
        assert [r.status_code for r in (r1, r2, r3)] == [expected] * 3
        assert (n.award_kind, n.status) == ("", "proposed")
        assert m.nominations.count() == 7


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "money", "amount": "12.345"}, "too_many_decimals"),
        ({"kind": "money", "amount": "-5"}, "not_positive"),
        ({"kind": "goods", "amount": "30", "goods": "米\x1b面"}, "invalid"),  # refused before the service
        ({"kind": "trip"}, "bad_award_kind"),
    ],
)
def test_award_bad_input_is_problem_json(k: Known, body: dict[str, Any], code: str) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    n = m.nominations.get(subject__name="王诚实")
    r = _post(k.w.village_a1, f"{API}/meetings/{m.pk}/nominations/{n.pk}/award", body)
    assert (r.status_code, r["Content-Type"], r.json()["code"]) == (422, PROBLEM, code)
    n.refresh_from_db()
    assert n.award_kind == ""


def test_public_list_and_objection_without_sign_in(k: Known, frozen: Any) -> None:
    m = meeting_of(k)
    anyone = Client()
    assert anyone.get(f"{API}/public/meetings/{m.pk}").status_code == 404  # not in publicity yet
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    meeting_start_publicity(actor=k.w.village_a1, meeting_id=m.pk)
    r = anyone.get(f"{API}/public/meetings/{m.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["objections_open"] is True
    assert body["names"][2] == {
        "nomination_id": m.nominations.get(subject__name="王诚实").pk,
        "name": "王诚实",
        "village": "东山社区",
        "category": "honest",
        "reasons": ["本季度信用等级由 B 级升至 A 级"],
    }
    assert "周未同意" not in r.content.decode()
    assert "id_number" not in r.content.decode()
    target = m.nominations.get(subject__name="赵志愿")
    o = anyone.post(
        f"{API}/public/meetings/{m.pk}/objections",
        {"nomination_id": target.pk, "text": "服务时长有误"},
        content_type="application/json",
    )
    assert o.status_code == 201
    assert Objection.objects.get().text == "服务时长有误"
    frozen.move_to("2026-05-28 10:00 +0800")
    late = anyone.post(
        f"{API}/public/meetings/{m.pk}/objections",
        {"nomination_id": target.pk, "text": "再提"},
        content_type="application/json",
    )
    assert (late.status_code, late.json()["code"]) == (409, "not_in_publicity")
    assert Objection.objects.count() == 1


def test_objections_are_rate_limited(k: Known, settings: Any) -> None:
    settings.RONGXIN_OBJECTION_RATE = "2/m"
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    meeting_start_publicity(actor=k.w.village_a1, meeting_id=m.pk)
    target = m.nominations.get(subject__name="赵志愿")
    client = Client()
    codes = [
        client.post(
            f"{API}/public/meetings/{m.pk}/objections",
            {"nomination_id": target.pk, "text": f"异议{i}"},
            content_type="application/json",
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Objection.objects.count() == 2


def test_award_upload_and_publish_through_the_api(k: Known, frozen: Any, settings: Any) -> None:
    settings.RONGXIN_FUNDS_VOUCHER_MAX_BYTES = 4096
    k.fill("1000.00")
    m = meeting_of(k)
    user = k.w.village_a1
    meeting_nominate(actor=user, meeting_id=m.pk)
    for n in m.nominations.filter(status="proposed"):
        nomination_set_award(actor=user, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount="100")
    meeting_start_publicity(actor=user, meeting_id=m.pk, days=2)
    frozen.move_to("2026-05-22 10:00 +0800")
    too_big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 5000, content_type="application/pdf")
    r0 = client_for(user).post(f"{API}/meetings/{m.pk}/award", {"voucher": too_big})
    assert (r0.status_code, r0.json()["code"]) == (422, "voucher_too_large")
    assert JournalEntry.objects.filter(kind="award").count() == 0
    r = client_for(user).post(
        f"{API}/meetings/{m.pk}/award",
        {"voucher": SimpleUploadedFile("签收表.pdf", pdf("sig"), content_type="application/pdf")},
    )
    assert r.status_code == 200
    assert {k2: r.json()[k2] for k2 in ("awarded", "entries", "paid", "credit")} == {
        "awarded": 5, "entries": 5, "paid": "500.00", "credit": {"created": 5},
    }  # fmt: skip
    p = _post(user, f"{API}/meetings/{m.pk}/publish")
    assert (p.status_code, p.json()["status"]) == (200, "published")
    again = _post(user, f"{API}/meetings/{m.pk}/cancel", {"reason": "x"})
    assert (again.status_code, again.json()["code"], again.json()["title"]) == (
        409,
        "published",
        "光荣榜已发布，不能修改。",
    )
