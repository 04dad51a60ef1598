"""Pages of the sayings book: everyone signed in reads (search, topics, a saying's page, the
versions); drafts and the editor are for the lecture administrator only (404 for everyone else,
the sign-in page for anonymous); the editor starts, edits and publishes a version, and bad
input comes back on the form in Chinese with nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from rongxin.accounts.models import User
from rongxin.conftest import client_for
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Book
from rongxin.lectures.services.book import PUBLISHED_MESSAGE, book_draft_start, book_import
from rongxin.lectures.tests.conftest import LectureWorld
from rongxin.lectures.tests.test_book_services import small_book, state

pytestmark = pytest.mark.django_db


def zh(msgid: Any, **values: Any) -> str:
    with translation.override("zh-hans"):
        text = gettext(str(msgid)) if not hasattr(msgid, "_proxy____cast") else str(msgid)
    return escape(text % values if values else text)


def html(response: Any) -> str:
    return response.content.decode()


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
        "team_leader": lect.team_leader,
        "anonymous": None,
    }


@pytest.fixture
def books(lect: LectureWorld) -> tuple[Book, Book]:
    """A published version 1 (three sayings) and a draft of version 2."""
    published = book_import(actor=lect.admin, data=small_book(3), publish=True)
    draft = book_draft_start(actor=lect.admin)
    return published, draft


def expect(response: Any, role: str, allowed: bool, status: int = 200) -> None:
    if allowed:
        assert response.status_code == status, (role, response.status_code)
    elif role == "anonymous":
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/"), role
    else:
        assert response.status_code == 404, (role, response.status_code)


def test_reader_pages_matrix(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, draft = books
    s = published.sayings.get(number=2)
    d = draft.sayings.get(number=2)
    readers = set(cast(lect)) - {"anonymous"}
    for role, user in cast(lect).items():
        client = client_for(user)
        for url in (
            "/lectures/book/",
            "/lectures/book/?q=诚信",
            f"/lectures/book/sayings/{s.pk}/",
            "/lectures/book/versions/",
            f"/lectures/book/versions/{published.pk}/",
        ):
            expect(client.get(url), role, role in readers)
        for url in (f"/lectures/book/versions/{draft.pk}/", f"/lectures/book/sayings/{d.pk}/"):
            expect(client.get(url), role, role == "admin")
        for url in ("/lectures/book/versions/999999/", "/lectures/book/sayings/999999/"):
            expect(client.get(url), role, False)


def test_editor_pages_matrix(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    _published, draft = books
    d = draft.sayings.get(number=1)
    before = state()
    for role, user in cast(lect).items():
        if role == "admin":
            continue
        client = client_for(user)
        for url in (
            "/lectures/book/edit/",
            f"/lectures/book/edit/{draft.pk}/sayings/new/",
            f"/lectures/book/edit/{draft.pk}/sayings/{d.pk}/",
            f"/lectures/book/edit/{draft.pk}/publish/",
        ):
            expect(client.get(url), role, False)
        for url, data in (
            ("/lectures/book/edit/", {"title": "改"}),
            ("/lectures/book/edit/start/", {"title": "新"}),
            (f"/lectures/book/edit/{draft.pk}/sayings/new/", {"text": "新", "interpretation": "解"}),
            (f"/lectures/book/edit/{draft.pk}/sayings/{d.pk}/", {"text": "改", "interpretation": "解"}),
            (f"/lectures/book/edit/{draft.pk}/sayings/{d.pk}/delete/", {}),
            (f"/lectures/book/edit/{draft.pk}/publish/", {"confirm": "on"}),
            ("/lectures/book/edit/999999/publish/", {"confirm": "on"}),
            ("/lectures/book/edit/999999/sayings/1/delete/", {}),
        ):
            expect(client.post(url, data), role, False)
    assert state() == before
    admin = client_for(lect.admin)
    for url in (
        "/lectures/book/edit/",
        f"/lectures/book/edit/{draft.pk}/sayings/new/",
        f"/lectures/book/edit/{draft.pk}/sayings/{d.pk}/",
        f"/lectures/book/edit/{draft.pk}/publish/",
    ):
        assert admin.get(url).status_code == 200, url
    assert admin.get("/lectures/book/edit/999999/sayings/new/").status_code == 404


def test_reader_search_and_topics(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    client = client_for(lect.village_a1)
    page = html(client.get("/lectures/book/"))
    assert ("金句第1条" in page, "金句第3条" in page, "主题2 1" in page) == (True, True, True)
    found = html(client.get("/lectures/book/", {"q": "第2"}))
    assert ("金句第2条" in found, "金句第1条" in found) == (True, False)
    by_tag = html(client.get("/lectures/book/", {"tag": "主题3"}))
    assert ("金句第3条" in by_tag, "金句第2条" in by_tag) == (True, False)
    nothing = html(client.get("/lectures/book/", {"q": "没有这个词"}))
    assert zh("No saying matches.") in nothing
    too_long = client.get("/lectures/book/", {"q": "长" * 101})
    assert too_long.status_code == 422
    bad = client.get("/lectures/book/", {"q": "诚\x00信"})
    assert bad.status_code == 400


def test_saying_page_shows_interpretation_and_cases(lect: LectureWorld, books: tuple[Book, Book]) -> None:
    published, _draft = books
    s = published.sayings.get(number=1)
    page = html(client_for(lect.head_user).get(f"/lectures/book/sayings/{s.pk}/"))
    assert (s.text in page, s.interpretation in page, s.cases in page, "S01" in page) == (True, True, True, True)


def test_no_book_yet(lect: LectureWorld) -> None:
    page = html(client_for(lect.town_a).get("/lectures/book/"))
    assert zh("No version of the sayings book has been published yet.") in page


def test_editor_journey(lect: LectureWorld) -> None:
    admin = client_for(lect.admin)
    assert zh("Nothing is published yet: the first version starts empty.") in html(admin.get("/lectures/book/edit/"))
    missing_title = admin.post("/lectures/book/edit/start/", {"title": ""})
    assert missing_title.status_code == 422
    assert admin.post("/lectures/book/edit/start/", {"title": "金句书"}).status_code == 302
    draft = Book.objects.get(status="draft")
    again = admin.post("/lectures/book/edit/start/", {"title": "又一本"}, follow=True)
    assert zh("A draft of the next version is already open; finish or publish it first.") in html(again)
    assert Book.objects.count() == 1
    saved = admin.post("/lectures/book/edit/", {"title": "金句书（第一版）", "preface": "序言", "change_note": "初稿"})
    assert saved.status_code == 302
    url = f"/lectures/book/edit/{draft.pk}/sayings/new/"
    for text in ("诚信为本", "邻里和睦"):
        r = admin.post(url, {"text": text, "interpretation": "解读", "tags": "诚信，邻里", "cases": "案例"})
        assert r.status_code == 302
    assert list(draft.sayings.order_by("number").values_list("key", "text", "tags")) == [
        ("S01", "诚信为本", ["诚信", "邻里"]),
        ("S02", "邻里和睦", ["诚信", "邻里"]),
    ]
    double = admin.post(url, {"text": "诚信为本", "interpretation": "解读"})
    assert (double.status_code, zh("This book already has this saying.") in html(double)) == (422, True)
    first = draft.sayings.get(key="S01")
    edit = admin.post(
        f"/lectures/book/edit/{draft.pk}/sayings/{first.pk}/", {"text": "诚信为本", "interpretation": "新解读"}
    )
    assert edit.status_code == 302
    admin.post(f"/lectures/book/edit/{draft.pk}/sayings/{first.pk}/delete/")
    assert list(draft.sayings.values_list("key", "number")) == [("S02", 1)]
    unconfirmed = admin.post(f"/lectures/book/edit/{draft.pk}/publish/", {})
    assert (unconfirmed.status_code, Book.objects.get().status) == (422, "draft")
    done = admin.post(f"/lectures/book/edit/{draft.pk}/publish/", {"confirm": "on"})
    assert (done.status_code, done["Location"]) == (302, f"/lectures/book/versions/{draft.pk}/")
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.preface, draft.change_note) == (
        "published",
        "金句书（第一版）",
        "序言",
        "初稿",
    )
    actions = list(
        AuditEvent.objects.filter(object_type__in=["book", "saying"]).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "book.create",
        "book.update",
        "saying.create",
        "saying.create",
        "saying.update",
        "saying.delete",
        "book.publish",
    ]


def test_editing_after_publishing_is_refused(lect: LectureWorld) -> None:
    book = book_import(actor=lect.admin, data=small_book(2), publish=True)
    s = book.sayings.get(number=1)
    admin = client_for(lect.admin)
    before = state()
    for url, data in (
        (f"/lectures/book/edit/{book.pk}/sayings/{s.pk}/", {"text": "改", "interpretation": "解"}),
        (f"/lectures/book/edit/{book.pk}/sayings/new/", {"text": "新", "interpretation": "解"}),
        (f"/lectures/book/edit/{book.pk}/sayings/{s.pk}/delete/", {}),
        (f"/lectures/book/edit/{book.pk}/publish/", {"confirm": "on"}),
    ):
        response = admin.post(url, data, follow=True)
        assert zh(PUBLISHED_MESSAGE) in html(response), url
    assert state() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "长" * 201, "interpretation": "解"}, "text", None),
        (
            {"text": "金句", "interpretation": "解", "tags": "一 二 三 四 五 六 七 八 九"},
            "tags",
            zh("At most %(n)d topics.", n=8),
        ),
        ({"text": "金句", "interpretation": "解", "tags": "十三个字的一个特别长的话题"}, "tags", None),
        ({"text": "  ", "interpretation": "解"}, "text", zh("This field is required.")),
    ],
)
def test_bad_saying_forms(lect: LectureWorld, data: dict[str, str], field: str, message: str | None) -> None:
    draft = book_draft_start(actor=lect.admin, title="草稿")
    before = state()
    response = client_for(lect.admin).post(f"/lectures/book/edit/{draft.pk}/sayings/new/", data)
    page = html(response)
    assert (response.status_code, f'id="id_{field}_error"' in page) == (422, True)
    if message is not None:
        assert message in page
    assert escape(data["text"]) in page  # what was typed is kept
    assert state() == before


def test_control_characters_in_a_form_save_nothing(lect: LectureWorld) -> None:
    draft = book_draft_start(actor=lect.admin, title="草稿")
    before = state()
    response = client_for(lect.admin).post(
        f"/lectures/book/edit/{draft.pk}/sayings/new/", {"text": "金\x07句", "interpretation": "解"}
    )
    assert response.status_code == 400
    assert state() == before


def test_bad_book_form_saves_nothing(lect: LectureWorld) -> None:
    draft = book_draft_start(actor=lect.admin, title="草稿")
    admin = client_for(lect.admin)
    before = state()
    for data, field in (
        ({"title": "", "preface": "序"}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"title": "书", "change_note": "长" * 301}, "change_note"),
    ):
        response = admin.post("/lectures/book/edit/", data)
        assert (response.status_code, f'id="id_{field}_error"' in html(response)) == (422, True), data
    assert state() == before
    draft.refresh_from_db()
    assert (draft.title, draft.preface) == ("草稿", "")
