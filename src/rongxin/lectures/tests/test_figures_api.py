"""GET /api/v1/lectures/coverage and /lectures/figures: exact bodies, the permission matrix, and
bad input as problem+json (after the right was asked)."""

from __future__ import annotations

import pytest

from rongxin.conftest import client_for
from rongxin.lectures.tests.conftest import at
from rongxin.lectures.tests.test_figures import book, held, rated_order

API = "/api/v1/lectures"
PROBLEM = "application/problem+json"
READERS = {"admin", "auditor", "town_a", "town_b"}
OTHERS = ["village_a1", "village_b1", "team_leader", "head_user", "leader_user"]


@pytest.mark.parametrize("path", ["/coverage", "/figures"])
@pytest.mark.parametrize("who", sorted(READERS) + OTHERS + ["anonymous"])
def test_permission_matrix(lect, frozen, path, who):
    user = None if who == "anonymous" else getattr(lect, who)
    response = client_for(user).get(API + path)
    expected = 401 if user is None else 200 if who in READERS else 404
    assert response.status_code == expected
    if expected != 200:
        assert response["Content-Type"] == PROBLEM


def test_coverage_body(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2026-02-20 10:00"), listeners=42)
    held(t.village_a2, at("2025-10-01 10:00"), listeners=7)

    response = client_for(lect.town_a).get(f"{API}/coverage", {"on": "2026-03-01", "months": "3"})

    assert response.status_code == 200
    assert response.json() == {
        "on": "2026-03-01",
        "months": 3,
        "since": "2025-12-01",
        "villages": 2,
        "covered": 1,
        "not_covered": 1,
        "towns": [
            {
                "code": "371082001000",
                "name": "崖头街道",
                "covered": 1,
                "not_covered": 1,
                "villages": [
                    {
                        "code": "371082001002",
                        "name": "西山社区",
                        "last_session": "2025-10-01",
                        "sessions": 0,
                        "listeners": 0,
                        "covered": False,
                    },
                    {
                        "code": "371082001001",
                        "name": "东山社区",
                        "last_session": "2026-02-20",
                        "sessions": 1,
                        "listeners": 42,
                        "covered": True,
                    },
                ],
            }
        ],
    }


def test_coverage_defaults_to_today_and_the_county_setting(lect, frozen):
    body = client_for(lect.admin).get(f"{API}/coverage").json()
    assert (body["on"], body["months"], body["since"], body["villages"]) == ("2026-03-01", 3, "2025-12-01", 4)


def test_figures_body(lect, frozen):
    t = lect.tree
    (s01,) = book(1, {"S01": "诚信是金"})
    a = held(t.village_a1, at("2026-01-31 23:59"), listeners=30, team=lect.team, sayings=[s01])
    held(t.village_b1, at("2026-02-01 00:00"), listeners=10, fmt="pre_meal", place_kind="market")
    rated_order(a, 4, lect.village_a1)

    response = client_for(lect.auditor).get(f"{API}/figures", {"first": "2026-01-01", "last": "2026-02-28"})

    assert response.status_code == 200
    assert response.json() == {
        "first": "2026-01-01",
        "last": "2026-02-28",
        "sessions": 2,
        "listeners": 40,
        "months": [
            {"month": "2026-01", "sessions": 1, "listeners": 30},
            {"month": "2026-02", "sessions": 1, "listeners": 10},
        ],
        "towns": [
            {"key": "371082001000", "label": "崖头街道", "sessions": 1, "listeners": 30},
            {"key": "371082101000", "label": "俚岛镇", "sessions": 1, "listeners": 10},
        ],
        "teams": [{"key": str(lect.team.pk), "label": "崖头百姓名嘴宣讲队", "sessions": 1, "listeners": 30}],
        "sayings": [{"key": "S01", "text": "诚信是金", "sessions": 1}],
        "ratings": {"count": 1, "average": 4.0, "distribution": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}},
        "formats": [
            {"key": "pre_meal", "label": "餐前一刻钟", "sessions": 1, "listeners": 10},
            {"key": "talk", "label": "讲座", "sessions": 1, "listeners": 30},
        ],
        "place_kinds": [
            {"key": "market", "label": "农村集市", "sessions": 1, "listeners": 10},
            {"key": "site", "label": "实践阵地", "sessions": 1, "listeners": 30},
        ],
    }


def test_figures_default_to_the_last_twelve_months(lect, frozen):
    body = client_for(lect.town_b).get(f"{API}/figures").json()
    assert (body["first"], body["last"], len(body["months"])) == ("2025-04-01", "2026-03-01", 12)


@pytest.mark.parametrize(
    ("path", "query", "field", "code"),
    [
        ("/coverage", {"months": "0"}, "months", "greater_than_equal"),
        ("/coverage", {"months": "100"}, "months", "less_than_equal"),
        ("/coverage", {"months": "３"}, "months", "int_parsing"),
        ("/coverage", {"months": "9" * 40}, "months", "less_than_equal"),
        ("/coverage", {"on": "２０２６-０３-０１"}, "on", "date_from_datetime_parsing"),
        ("/coverage", {"on": "2026-02-30"}, "on", "date_from_datetime_parsing"),
        ("/figures", {"first": "2026-03-01", "last": "2026-02-28"}, "last", "range_reversed"),
        ("/figures", {"first": "2020-01-01", "last": "2026-01-01"}, "last", "range_too_long"),
        ("/figures", {"first": "２０２６-０１-０１"}, "first", "date_from_datetime_parsing"),
        ("/coverage", {"on": "0001-01-01"}, "on", "date_range"),
        ("/coverage", {"on": "9999-12-31"}, "on", "date_range"),
        ("/figures", {"first": "0001-01-01", "last": "0001-03-01"}, "first", "date_range"),
        ("/figures", {"first": "2026-01-01", "last": "9999-12-31"}, "last", "date_range"),
        ("/figures", {"last": "0001-01-01"}, "last", "date_range"),
    ],
)
def test_bad_input_is_a_422_problem_naming_the_field(lect, frozen, path, query, field, code):
    response = client_for(lect.admin).get(API + path, query)
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_a_range_error_is_in_chinese(lect, frozen):
    body = client_for(lect.admin).get(f"{API}/figures", {"first": "2026-03-01", "last": "2026-02-28"}).json()
    assert (body["title"], body["errors"][0]["message"]) == ("最后一天不能早于第一天。", "最后一天不能早于第一天。")


@pytest.mark.parametrize(
    ("path", "query"),
    [("/coverage", {"months": "0"}), ("/figures", {"first": "2026-03-01", "last": "2020-01-01"})],
)
def test_bad_input_from_someone_without_the_right_is_not_found(lect, frozen, path, query):
    response = client_for(lect.village_a1).get(API + path, query)
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_control_character_in_the_query_is_refused(lect, frozen):
    response = client_for(lect.admin).get(f"{API}/figures", {"first": "2026-01-01\x00"})
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
