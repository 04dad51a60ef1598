"""The coverage and figures pages: who may open them, what they show, the CSV download, and
bad input (shown again on the form in Chinese, after the right was asked)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from rongxin.conftest import client_for
from rongxin.lectures.models import Session
from rongxin.lectures.tests.conftest import at
from rongxin.lectures.tests.test_figures import book, held, rated_order, village


def in_english(client: Client) -> Client:
    """The client with English chosen in the language switch (pages ignore Accept-Language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


COVERAGE = reverse("lectures:coverage")
FIGURES = reverse("lectures:figures")
READERS = {"admin", "auditor", "town_a", "town_b"}
OTHERS = ["village_a1", "village_b1", "team_leader", "head_user", "leader_user"]


@pytest.mark.parametrize("url", [COVERAGE, f"{COVERAGE}?format=csv", FIGURES])
@pytest.mark.parametrize("who", sorted(READERS) + OTHERS + ["anonymous"])
def test_permission_matrix(lect, frozen, url, who):
    user = None if who == "anonymous" else getattr(lect, who)
    response = client_for(user).get(url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login"))
    else:
        assert response.status_code == (200 if who in READERS else 404)


@pytest.mark.parametrize("url", [COVERAGE, FIGURES])
def test_the_pages_take_no_post(lect, frozen, url):
    assert client_for(lect.admin).post(url).status_code == 405


def test_coverage_lists_uncovered_villages_first_per_town(lect, frozen):
    t = lect.tree
    held(t.village_a1, at("2026-02-20 10:00"), listeners=42)
    held(t.village_b2, at("2025-10-01 10:00"), listeners=7)

    response = client_for(lect.admin).get(COVERAGE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "宣讲全覆盖" in page
    assert page.index("崖头街道") < page.index("俚岛镇")
    # Town A: 西山社区 (never) comes before 东山社区 (covered).
    assert page.index("西山社区") < page.index("东山社区")
    assert page.index("烟墩角村") < page.index("马栏湾村")  # both uncovered: by code
    assert "统计 2025-12-01 至 2026-03-01 的宣讲。" in page
    assert "已覆盖 1 个" in page
    assert "未覆盖 1 个" in page
    assert "2025-10-01" in page
    assert "从未" in page
    assert ">42<" in page
    c = response.context["c"]
    assert (c.villages, c.covered, c.not_covered, c.months) == (4, 1, 3, 3)


def test_a_town_officer_sees_only_their_town(lect, frozen):
    page = client_for(lect.town_b).get(COVERAGE).content.decode()
    assert "俚岛镇" in page
    assert "烟墩角村" in page
    assert "崖头街道" not in page
    assert "东山社区" not in page


def test_the_months_picker_widens_the_window(lect, frozen):
    held(lect.tree.village_a1, at("2025-10-01 10:00"))
    narrow = client_for(lect.admin).get(COVERAGE, {"months": "3"}).context["c"]
    wide = client_for(lect.admin).get(COVERAGE, {"months": "6", "on": "2026-03-01"}).context["c"]
    assert (narrow.covered, wide.covered, wide.since) == (0, 1, dt.date(2025, 9, 1))


def test_the_csv_is_utf8_with_a_bom_chinese_headers_and_formula_safe_cells(lect, frozen):
    t = lect.tree
    village(t.town_a, "003", '=HYPERLINK("http://evil.example","点我")')
    held(t.village_a1, at("2026-02-20 10:00"), listeners=42)
    held(t.village_b1, at("2025-10-01 10:00"), listeners=7)

    response = client_for(lect.admin).get(COVERAGE, {"months": "3", "on": "2026-03-01", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"lecture-coverage-2026-03-01.csv\"; filename*=UTF-8''"
        "%E5%AE%A3%E8%AE%B2%E8%A6%86%E7%9B%96%E6%83%85%E5%86%B5-2026-03-01.csv"
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig") == (
        "镇街,村（社区）,区划代码,最近一次宣讲,近 3 个月宣讲场次,近 3 个月听众人次,已覆盖\r\n"
        "崖头街道,西山社区,371082001002,,0,0,否\r\n"
        '崖头街道,"\'=HYPERLINK(""http://evil.example"",""点我"")",371082001003,,0,0,否\r\n'
        "崖头街道,东山社区,371082001001,2026-02-20,1,42,是\r\n"
        "俚岛镇,烟墩角村,371082101001,2025-10-01,0,0,否\r\n"
        "俚岛镇,马栏湾村,371082101002,,0,0,否\r\n"
    )


def test_the_csv_headers_are_chinese_whatever_the_page_language(lect, frozen):
    client = in_english(client_for(lect.auditor))
    assert "<h1>Lecture coverage</h1>" in client.get(COVERAGE).content.decode()
    response = client.get(COVERAGE, {"format": "csv"})
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("镇街,村（社区）,区划代码")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"months": "0"}, "months", "确保该值大于或等于1。"),
        ({"months": "100"}, "months", "确保该值小于或等于24。"),
        ({"months": "３"}, "months", "请使用数字 0–9。"),
        ({"months": "٣"}, "months", "请使用数字 0–9。"),
        ({"months": "9" * 40}, "months", "确保该值小于或等于24。"),
        ({"on": "２０２６-０３-０１"}, "on", "请使用数字 0–9。"),
        ({"on": "2026-02-30"}, "on", "输入一个有效的日期。"),
        ({"on": "0001-01-01"}, "on", "请选择 1900-01-01 至 2100-12-31 之间的日期。"),
    ],
)
def test_bad_coverage_input_is_shown_on_the_form(lect, frozen, query, field, message):
    for fmt in ("", "csv"):
        response = client_for(lect.admin).get(COVERAGE, {**query, "format": fmt})
        assert response.status_code == 422
        assert response["Content-Type"].startswith("text/html")
        assert response.context["form"].errors[field] == [message]
        assert response.context["c"] is None


@pytest.mark.parametrize(("url", "query"), [(COVERAGE, {"months": "3\x00"}), (FIGURES, {"last": "2026-03-01\x07"})])
def test_control_characters_are_a_bad_request(lect, frozen, url, query):
    assert client_for(lect.admin).get(url, query).status_code == 400


def test_bad_input_from_someone_without_the_right_is_not_found(lect, frozen):
    assert client_for(lect.village_a1).get(COVERAGE, {"months": "0"}).status_code == 404
    assert client_for(lect.village_a1).get(FIGURES, {"first": "2026-03-01", "last": "2020-01-01"}).status_code == 404


def test_figures_show_months_as_bars_and_the_breakdowns(lect, frozen):
    t = lect.tree
    (s01,) = book(1, {"S01": "诚信是金"})
    a = held(t.village_a1, at("2026-01-31 23:59"), listeners=30, team=lect.team, sayings=[s01])
    held(
        t.village_b1,
        at("2026-02-01 00:00"),
        listeners=10,
        fmt=Session.Format.PRE_MEAL,
        place_kind=Session.PlaceKind.FISHING_FARM,
    )
    held(t.village_b1, at("2026-02-03 09:00"), listeners=12)
    rated_order(a, 5, lect.village_a1)

    response = client_for(lect.admin).get(FIGURES, {"first": "2026-01-01", "last": "2026-03-01"})

    assert response.status_code == 200
    page = response.content.decode()
    assert [(m.month.isoformat(), m.sessions, w) for m, w in response.context["month_bars"]] == [
        ("2026-01-01", 1, 50),
        ("2026-02-01", 2, 100),
        ("2026-03-01", 0, 0),
    ]
    assert 'class="w50"' in page
    assert 'class="w100"' in page
    assert 'class="w0"' in page
    assert "style=" not in page  # the page's policy allows no inline style
    for text in (
        "崖头百姓名嘴宣讲队",
        "诚信是金",
        "餐前一刻钟",
        "渔场（海洋牧场）",
        "1 条评价",
        "平均 5.0 分（满分 5 分）",
    ):
        assert text in page
    assert [(stars, n, w) for stars, n, w in response.context["rating_bars"]] == [
        (5, 1, 100),
        (4, 0, 0),
        (3, 0, 0),
        (2, 0, 0),
        (1, 0, 0),
    ]


def test_figures_default_to_the_last_twelve_months(lect, frozen):
    f = client_for(lect.town_a).get(FIGURES).context["f"]
    assert (f.first, f.last, len(f.months)) == (dt.date(2025, 4, 1), dt.date(2026, 3, 1), 12)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"first": "2026-03-01", "last": "2026-02-28"}, "last", "最后一天不能早于第一天。"),
        ({"first": "2020-01-01", "last": "2026-01-01"}, "last", "最多选择三年。"),
        ({"first": "２０２６-０１-０１"}, "first", "请使用数字 0–9。"),
        ({"last": "2026-13-01"}, "last", "输入一个有效的日期。"),
        ({"last": "9999-12-31"}, "last", "请选择 1900-01-01 至 2100-12-31 之间的日期。"),
        ({"last": "0001-01-01"}, "last", "请选择 1900-01-01 至 2100-12-31 之间的日期。"),
    ],
)
def test_bad_figures_input_is_shown_on_the_form(lect, frozen, query, field, message):
    response = client_for(lect.auditor).get(FIGURES, query)
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert response.context["f"] is None


def test_the_pages_read_in_english(lect, frozen):
    held(lect.tree.village_a1, at("2026-02-20 10:00"), listeners=3)
    client = in_english(client_for(lect.admin))
    coverage_page = client.get(COVERAGE).content.decode()
    figures_page = client.get(FIGURES).content.decode()
    assert "<h1>Lecture coverage</h1>" in coverage_page
    assert "1 covered" in coverage_page
    assert "<h1>Lecture figures</h1>" in figures_page
    assert "Most-used sayings" in figures_page
