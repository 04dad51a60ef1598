"""The sayings book's JSON API: exact bodies for reading and search, the administrator's writes,
409 on a published book, problem+json for bad input, and a permission matrix per endpoint where a
non-administrator's write is 404 whether or not the book exists and changes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rongxin.accounts.models import User
from rongxin.conftest import client_for
from rongxin.lectures.models import Book
from rongxin.lectures.services.book import book_draft_start, book_import
from rongxin.lectures.tests.conftest import LectureWorld
from rongxin.lectures.tests.test_book_services import small_book, state

pytestmark = pytest.mark.django_db

API = "/api/v1/lectures"
PROBLEM = "application/problem+json"


def send(user: User | None, method: str, url: str, body: Any = None) -> Any:
    client = client_for(user)
    if method == "get":
        return client.get(url, body or {})
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


def cast(lect: LectureWorld) -> dict[str, User | None]:
    return {
        "admin": lect.admin,
        "town_a": lect.town_a,
        "village_a1": lect.village_a1,
        "auditor": lect.auditor,
        "head_user": lect.head_user,
        "leader_user": lect.leader_user,
        "town_b": lect.town_b,
        "village_b1": lect.village_b1,
        "anonymous": None,
    }


@pytest.fixture
def books(lect: LectureWorld) -> tuple[Book, Book]:
    published = book_import(actor=lect.admin, data=small_book(3), publish=True)
    return published, book_draft_start(actor=lect.admin)


def test_read_a_book_exactly(lect: LectureWorld, books: tuple[Book, Book], frozen: Any) -> None:
    published, _draft = books
    body = send(lect.village_a1, "get", f"{API}/books/{published.pk}").json()
    first = published.sayings.get(number=1)
    assert {k: v for k, v in body.items() if k not in ("saying_list", "created_at", "published_at")} == {
        "id": published.pk,
        "version": 1,
        "title": "测试宣讲书",
        "status": "published",
        "preface": "序言",
        "change_note": "",
        "based_on_version": None,
        "sayings": 3,
        "content_hash": published.content_hash,
        "current": True,
    }
    assert body["saying_list"][0] == {
        "id": first.pk,
        "book_id": published.pk,
        "key": "S01",
        "number": 1,
        "text": "金句第1条",
        "interpretation": "解读1：诚实守信，邻里和睦。",
        "tags": ["诚信", "主题1"],
        "cases": "案例1",
    }


def test_versions_list(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, draft = books
    as_reader = send(lect.auditor, "get", f"{API}/books").json()
    assert (as_reader["total"], [b["id"] for b in as_reader["items"]]) == (1, [published.pk])
    as_admin = send(lect.admin, "get", f"{API}/books").json()
    assert [(b["id"], b["status"], b["sayings"], b["based_on_version"]) for b in as_admin["items"]] == [
        (draft.pk, "draft", 3, 1),
        (published.pk, "published", 3, None),
    ]
    paged = send(lect.admin, "get", f"{API}/books", {"limit": 1, "offset": 1}).json()
    assert (paged["total"], paged["limit"], [b["id"] for b in paged["items"]]) == (2, 1, [published.pk])


def test_search(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, draft = books
    found = send(lect.village_a1, "get", f"{API}/sayings", {"q": "第2"}).json()
    assert (found["book_id"], found["total"], [s["key"] for s in found["items"]]) == (published.pk, 1, ["S02"])
    all_three = send(lect.village_a1, "get", f"{API}/sayings").json()
    assert [s["number"] for s in all_three["items"]] == [1, 2, 3]
    assert send(lect.village_a1, "get", f"{API}/sayings", {"tag": "主题3"}).json()["total"] == 1
    hidden = send(lect.village_a1, "get", f"{API}/sayings", {"book": draft.pk})
    assert (hidden.status_code, hidden["Content-Type"]) == (404, PROBLEM)
    assert send(lect.admin, "get", f"{API}/sayings", {"book": draft.pk}).json()["book_id"] == draft.pk
    long = send(lect.village_a1, "get", f"{API}/sayings", {"q": "长" * 101})
    assert (long.status_code, long.json()["errors"][0]["field"]) == (422, "q")
    bad = send(lect.village_a1, "get", f"{API}/sayings", {"q": "诚\x00信"})
    assert (bad.status_code, bad.json()["errors"][0]["code"]) == (422, "invalid_text")


def test_search_without_a_book(lect: LectureWorld) -> None:
    body = send(lect.town_a, "get", f"{API}/sayings", {"q": "诚信"}).json()
    assert body == {"book_id": None, "total": 0, "offset": 0, "limit": 50, "items": []}


def test_admin_writes_a_version(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    _published, draft = books
    admin = lect.admin
    again = send(admin, "post", f"{API}/books", {})
    assert (again.status_code, again["Content-Type"], again.json()["code"]) == (409, PROBLEM, "draft_exists")
    patched = send(admin, "patch", f"{API}/books/{draft.pk}", {"change_note": "新增两条"})
    assert (patched.status_code, patched.json()["change_note"], patched.json()["title"]) == (
        200,
        "新增两条",
        "测试宣讲书",
    )
    added = send(admin, "post", f"{API}/books/{draft.pk}/sayings", {"text": "新金句", "interpretation": "解读"})
    assert (added.status_code, added.json()["key"], added.json()["number"], added.json()["tags"]) == (201, "S04", 4, [])
    second = draft.sayings.get(number=2)
    changed = send(admin, "patch", f"{API}/books/{draft.pk}/sayings/{second.pk}", {"tags": ["守法"]})
    assert (changed.json()["text"], changed.json()["tags"]) == ("金句第2条", ["守法"])
    deleted = send(admin, "delete", f"{API}/books/{draft.pk}/sayings/{second.pk}")
    assert [(s["key"], s["number"]) for s in deleted.json()["saying_list"]] == [("S01", 1), ("S03", 2), ("S04", 3)]
    published = send(admin, "post", f"{API}/books/{draft.pk}/publish")
    assert (published.json()["status"], published.json()["current"], len(published.json()["content_hash"])) == (
        "published",
        True,
        64,
    )
    before = state()
    refused = send(
        admin, "patch", f"{API}/books/{draft.pk}/sayings/{deleted.json()['saying_list'][0]['id']}", {"text": "改"}
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "book_published")
    assert state() == before


def test_start_first_draft_and_publish_empty(lect: LectureWorld) -> None:
    missing = send(lect.admin, "post", f"{API}/books", {})
    assert (missing.status_code, missing.json()["errors"][0]["field"]) == (422, "title")
    created = send(lect.admin, "post", f"{API}/books", {"title": "第一版"})
    assert (created.status_code, created.json()["version"], created.json()["saying_list"]) == (201, 1, [])
    empty = send(lect.admin, "post", f"{API}/books/{created.json()['id']}/publish")
    assert (empty.status_code, empty.json()["code"]) == (409, "book_empty")


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"text": "长" * 201, "interpretation": "解"}, "text", "too_long"),
        ({"text": "金\x1b句", "interpretation": "解"}, "text", "invalid_text"),
        ({"text": "金句", "interpretation": "解\u202e"}, "interpretation", "invalid_text"),
        ({"text": "金句", "interpretation": "解", "tags": list("abcdefghi")}, "tags", "too_many_tags"),
        ({"text": "金句"}, "interpretation", "missing"),
        ({"text": "金句", "interpretation": "解", "tags": "诚信"}, "tags", "list_type"),
    ],
)
def test_bad_sayings(lect: LectureWorld, books: tuple[Book, Book], body: Any, field: str, code: str) -> None:
    _published, draft = books
    before = state()
    response = send(lect.admin, "post", f"{API}/books/{draft.pk}/sayings", body)
    assert (response.status_code, response["Content-Type"]) == (422, PROBLEM)
    assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["code"]) == (field, code)
    assert state() == before


# --- Permission matrices -----------------------------------------------------------------------
READERS = {"admin", "town_a", "village_a1", "auditor", "head_user", "leader_user", "town_b", "village_b1"}


def test_matrix_reads(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, draft = books
    for role, user in cast(lect).items():
        for url, allowed in (
            (f"{API}/books", READERS),
            (f"{API}/books/{published.pk}", READERS),
            (f"{API}/sayings", READERS),
            (f"{API}/books/{draft.pk}", {"admin"}),
            (f"{API}/books/999999", set()),
        ):
            response = send(user, "get", url)
            if role in allowed:
                assert response.status_code == 200, (role, url)
            else:
                expected = 401 if user is None else 404
                assert (response.status_code, response["Content-Type"]) == (expected, PROBLEM), (role, url)


def test_matrix_writes(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, draft = books
    d = draft.sayings.get(number=1)
    p = published.sayings.get(number=1)
    calls = [
        ("post", f"{API}/books", {"title": "新"}),
        ("post", f"{API}/books", {"title": 5}),  # invalid body: still 404, not 422
        ("patch", f"{API}/books/{draft.pk}", {"title": "改"}),
        ("patch", f"{API}/books/{published.pk}", {"title": "改"}),
        ("patch", f"{API}/books/999999", {"title": "改"}),
        ("patch", f"{API}/books/999999", {"title": ["not", "text"]}),
        ("post", f"{API}/books/{draft.pk}/sayings", {"text": "新", "interpretation": "解"}),
        ("post", f"{API}/books/999999/sayings", {}),
        ("patch", f"{API}/books/{draft.pk}/sayings/{d.pk}", {"text": "改"}),
        ("patch", f"{API}/books/{published.pk}/sayings/{p.pk}", {"text": "改"}),
        ("delete", f"{API}/books/{draft.pk}/sayings/{d.pk}", None),
        ("delete", f"{API}/books/999999/sayings/999999", None),
        ("post", f"{API}/books/{draft.pk}/publish", None),
        ("post", f"{API}/books/999999/publish", None),
    ]
    before = state()
    for role, user in cast(lect).items():
        if role == "admin":
            continue
        for method, url, body in calls:
            response = send(user, method, url, body)
            expected = 401 if user is None else 404
            assert (response.status_code, response["Content-Type"]) == (expected, PROBLEM), (role, method, url)
    assert state() == before
    # The administrator: each write works once (and 404 for a missing book).
    admin = lect.admin
    assert send(admin, "patch", f"{API}/books/{draft.pk}", {"title": "改"}).status_code == 200
    assert send(admin, "patch", f"{API}/books/999999", {"title": "改"}).status_code == 404
    assert (
        send(admin, "post", f"{API}/books/{draft.pk}/sayings", {"text": "新", "interpretation": "解"}).status_code
        == 201
    )
    assert send(admin, "patch", f"{API}/books/{draft.pk}/sayings/{d.pk}", {"text": "改"}).status_code == 200
    assert send(admin, "patch", f"{API}/books/{draft.pk}/sayings/{p.pk}", {"text": "改"}).status_code == 404
    assert send(admin, "delete", f"{API}/books/{draft.pk}/sayings/{d.pk}").status_code == 200
    assert send(admin, "post", f"{API}/books/{draft.pk}/publish").status_code == 200
    assert send(admin, "post", f"{API}/books", {}).status_code == 201


def test_non_ascii_digits_are_refused(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, _draft = books
    for params, field in (({"book": "١"}, "book"), ({"limit": "１０"}, "limit"), ({"offset": "-1"}, "offset")):
        response = send(lect.village_a1, "get", f"{API}/sayings", params)
        assert (response.status_code, response.json()["errors"][0]["field"]) == (422, field), params
    assert send(lect.village_a1, "get", f"{API}/books/١").status_code == 404
    assert client_for(lect.village_a1).get("/lectures/book/sayings/١/").status_code == 404
    assert send(lect.village_a1, "get", f"{API}/books/{published.pk}").status_code == 200
