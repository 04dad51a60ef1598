"""The quota board, a head's history and the policy through the pages and the API: who gets
what, the overdue list on top, filters, bad input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import QuotaPolicy
from rongxin.lectures.tests.people_helpers import held
from rongxin.lectures.tests.test_quota import head
from rongxin.lectures.tests.test_speakers import roles, zh

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "board", "history", "policy"),
    [
        ("anonymous", 302, 302, 302),
        ("admin", 200, 200, 200),
        ("auditor", 200, 200, 200),
        ("town_a", 200, 200, 200),
        ("town_b", 200, 404, 200),
        ("village_a1", 404, 404, 404),
        ("team_leader", 404, 404, 404),
        ("head", 200, 200, 404),
        ("leader", 404, 404, 404),
    ],
)
def test_quota_pages_permission_matrix(frozen, lect, role, board, history, policy) -> None:
    client = client_for(roles(lect)[role])
    assert client.get("/lectures/quota/").status_code == board
    assert client.get(f"/lectures/quota/{lect.head.pk}/").status_code == history
    assert client.get("/lectures/quota/policy/").status_code == policy
    posted = client.post(
        "/lectures/quota/policy/",
        {"effective_from": "2026-05-01", "lectures_per_period": 2, "period_months": 2, "notice_days": 14},
    )
    assert posted.status_code == {"anonymous": 302, "admin": 302}.get(role, 404)
    assert QuotaPolicy.objects.count() == (1 if role == "admin" else 0)


def test_the_board_page_puts_the_overdue_on_top_and_filters_by_state(frozen, lect) -> None:
    # given: on Mar 1, the head of town B was overdue in Jan–Feb; the head of town A was done
    tree = lect.tree
    head(lect, "赵局长", tree.town_b)
    held(lect.head, "2026-02-01 09:00", region=tree.village_a1)
    client = client_for(lect.admin)
    # when
    page = client.get("/lectures/quota/?first=2026-01&last=2026-01").content.decode()
    # then
    overdue = page[page.index('id="overdue"') : page.index('id="board"')]
    assert "赵局长" in overdue
    assert "王镇长" not in overdue
    only_overdue = client.get("/lectures/quota/?first=2026-01&last=2026-01&state=overdue").content.decode()
    table = only_overdue[only_overdue.index('id="board"') :]
    assert "赵局长" in table
    assert "王镇长" not in table
    done = client.get("/lectures/quota/?first=2026-01&last=2026-03&state=done").content.decode()
    assert "王镇长" in done[done.index('id="board"') :]
    # a head's board holds their own row only
    own = client_for(lect.head_user).get("/lectures/quota/?first=2026-01&last=2026-01").content.decode()
    assert "赵局长" not in own
    assert "王镇长" in own
    # a town officer's board holds their town's heads only
    town = client_for(lect.town_a).get("/lectures/quota/?first=2026-01&last=2026-01").content.decode()
    assert "赵局长" not in town
    # a period nobody offers falls back to the current one rather than failing
    assert client.get("/lectures/quota/?first=1999-01&state=nonsense").status_code == 200


def test_the_history_page_audits_staff_and_refuses_a_bad_range(frozen, lect) -> None:
    held(lect.head, "2026-02-01 09:00", region=lect.tree.village_a1, title="二月宣讲")
    page = client_for(lect.head_user).get(f"/lectures/quota/{lect.head.pk}/").content.decode()
    assert "二月宣讲" in page
    assert AuditEvent.objects.filter(action="quota.read").count() == 0
    assert client_for(lect.auditor).get(f"/lectures/quota/{lect.head.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="quota.read", actor=lect.auditor).count() == 1
    bad = client_for(lect.admin).get(f"/lectures/quota/{lect.head.pk}/?first=2026-05-01&last=2026-01-01")
    assert bad.status_code == 422
    assert zh("The last day comes before the first.") in bad.content.decode()


def test_an_admin_sets_the_policy_on_the_page_and_bad_input_comes_back_in_chinese(frozen, lect) -> None:
    client = client_for(lect.admin)
    form = {"effective_from": "2026-04-01", "lectures_per_period": 1, "period_months": 2, "notice_days": 14}
    bad = client.post("/lectures/quota/policy/", form)
    assert bad.status_code == 422
    assert zh("A policy starts on the first day of a period (of %(n)d months).", n=2) in bad.content.decode()
    assert client.post("/lectures/quota/policy/", {**form, "notice_days": "١٤"}).status_code == 422
    assert QuotaPolicy.objects.count() == 0
    assert client.post("/lectures/quota/policy/", {**form, "effective_from": "2026-05-01"}).status_code == 302
    assert (
        client.post("/lectures/quota/policy/", {**form, "effective_from": "2026-05-01", "notice_days": 7}).status_code
        == 302
    )
    assert list(QuotaPolicy.objects.values_list("effective_from", "notice_days")) == [(dt.date(2026, 5, 1), 7)]


def api(user: Any, method: str, path: str, body: Any = None) -> Any:
    kwargs: dict[str, Any] = {} if body is None else {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client_for(user), method)(f"/api/v1/lectures{path}", **kwargs)


@pytest.mark.parametrize(
    ("role", "board", "history", "write"),
    [
        ("anonymous", 401, 401, 401),
        ("admin", 200, 200, 201),
        ("auditor", 200, 200, 404),
        ("town_a", 200, 200, 404),
        ("town_b", 200, 404, 404),
        ("village_a1", 404, 404, 404),
        ("head", 200, 200, 404),
        ("leader", 404, 404, 404),
    ],
)
def test_quota_api_permission_matrix(frozen, lect, role, board, history, write) -> None:
    user = roles(lect)[role]
    held(lect.head, "2026-02-28 23:30", region=lect.tree.village_a1)
    got = api(user, "get", "/quota?first=2026-01-01&last=2026-04-30")
    assert got.status_code == board
    if board == 200:
        body = got.json()
        expected = [] if role == "town_b" else [["2026-01", 1, "done"], ["2026-03", 0, "due"]]
        assert [[[c["period"], c["count"], c["state"]] for c in row["cells"]] for row in body["items"]] == (
            [expected] if expected else []
        )
        assert [p["key"] for p in body["periods"]] == ["2026-01", "2026-03"]
    one = api(user, "get", f"/quota/{lect.head.pk}?first=2026-01-01&last=2026-04-30")
    assert one.status_code == history
    if history == 200:
        assert [(p["period"], p["count"], len(p["sessions"])) for p in one.json()["periods"]] == [
            ("2026-03", 0, 0),
            ("2026-01", 1, 1),
        ]
    policy = {"effective_from": "2026-05-01", "lectures_per_period": 2, "period_months": 2, "notice_days": 14}
    assert api(user, "post", "/quota-policy", policy).status_code == write
    assert QuotaPolicy.objects.count() == (1 if write == 201 else 0)
    listed = api(user, "get", "/quota-policy")
    assert listed.status_code == (401 if user is None else 200)


def test_quota_api_bad_input(frozen, lect) -> None:
    assert api(lect.admin, "get", "/quota?first=2026-05-01&last=2026-01-01").json()["code"] == "range_order"
    assert api(lect.admin, "get", "/quota?first=2026-13-01&last=2026-01-01").status_code == 422
    assert api(lect.admin, "get", "/quota?first=２０２６-01-01&last=2026-02-01").status_code == 422
    assert api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-01&state=late").status_code == 422
    assert api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-01&region=999999999999").status_code == 422
    assert api(lect.village_a1, "get", f"/quota/{lect.head.pk}?first=x").status_code == 404  # gated first
    assert api(lect.admin, "get", f"/quota/{lect.leader.pk}?first=2026-01-01&last=2026-02-01").status_code == 404
    bad = api(
        lect.admin,
        "post",
        "/quota-policy",
        {"effective_from": "2026-05-01", "lectures_per_period": 1, "period_months": 5, "notice_days": 14},
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_choice")
    assert QuotaPolicy.objects.count() == 0


def test_quota_api_filters_by_state_and_pages(frozen, lect) -> None:
    tree = lect.tree
    head(lect, "赵局长", tree.town_b)
    head(lect, "钱主任", tree.town_b)
    held(lect.head, "2026-02-01 09:00", region=tree.village_a1)
    overdue = api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-28&state=overdue&limit=1")
    body = overdue.json()
    assert (body["total"], [row["name"] for row in body["items"]], body["totals"]) == (
        2,
        ["赵局长"],
        {"overdue": 2, "due": 0, "done": 1, "not_due": 0},
    )
    assert [o["name"] for o in body["overdue"]] == ["赵局长", "钱主任"]
    second = api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-28&state=overdue&limit=1&offset=1").json()
    assert [row["name"] for row in second["items"]] == ["钱主任"]
    done = api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-28&state=done").json()
    assert [row["name"] for row in done["items"]] == ["王镇长"]
    assert api(lect.admin, "get", "/quota?first=2026-01-01&last=2026-02-28&limit=201").status_code == 422
