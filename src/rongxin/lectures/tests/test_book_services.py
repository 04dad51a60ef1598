"""The sayings book's services: versions copy the published book, one draft at a time, publishing
freezes (hash kept, edits refused with nothing saved), keys last across versions, the import
checks every saying before saving anything, and the sample book loads."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import translation

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import Book, Saying
from rongxin.lectures.selectors.book import book_tags, saying_choices, sayings_search
from rongxin.lectures.selectors.common import current_book
from rongxin.lectures.services.book import (
    book_draft_start,
    book_import,
    book_publish,
    book_update,
    content_hash,
    sample_book,
    saying_add,
    saying_delete,
    saying_update,
)
from rongxin.lectures.tests.conftest import LectureWorld

pytestmark = pytest.mark.django_db


def small_book(n: int = 3) -> dict[str, Any]:
    return {
        "title": "测试宣讲书",
        "preface": "序言",
        "sayings": [
            {
                "key": f"S{i:02d}",
                "text": f"金句第{i}条",
                "interpretation": f"解读{i}：诚实守信，邻里和睦。",
                "tags": ["诚信", f"主题{i}"],
                "cases": f"案例{i}",
            }
            for i in range(1, n + 1)
        ],
    }


def state() -> dict[str, Any]:
    return {
        "books": list(Book.objects.order_by("pk").values_list("pk", "status", "title", "preface", "content_hash")),
        "sayings": list(
            Saying.objects.order_by("pk").values_list("pk", "book_id", "key", "number", "text", "interpretation")
        ),
        "audit": AuditEvent.objects.count(),
    }


def actions() -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type__in=["book", "saying"]).order_by("pk").values_list("action", flat=True)
    )


def test_first_draft_is_empty_and_needs_a_title(lect: LectureWorld) -> None:
    with pytest.raises(InvalidInput) as exc:
        book_draft_start(actor=lect.admin)
    assert exc.value.errors[0]["field"] == "title"
    book = book_draft_start(actor=lect.admin, title="  荣成金句  ")
    assert (book.title, book.version, book.status, book.based_on, book.sayings.count()) == (
        "荣成金句",
        1,
        "draft",
        None,
        0,
    )
    assert actions() == ["book.create"]


def test_next_version_copies_the_published_sayings(lect: LectureWorld) -> None:
    v1 = book_import(actor=lect.admin, data=small_book(3), publish=True)
    v2 = book_draft_start(actor=lect.admin)
    assert (v2.version, v2.title, v2.preface, v2.based_on_id, v2.status) == (2, "测试宣讲书", "序言", v1.pk, "draft")
    copied = list(v2.sayings.order_by("number").values_list("key", "number", "text", "tags", "cases"))
    original = list(v1.sayings.order_by("number").values_list("key", "number", "text", "tags", "cases"))
    assert copied == original
    assert current_book() == v1  # the draft is not the current book


def test_one_draft_at_a_time(lect: LectureWorld) -> None:
    book_draft_start(actor=lect.admin, title="甲")
    before = state()
    with pytest.raises(Conflict) as exc:
        book_draft_start(actor=lect.admin, title="乙")
    assert exc.value.code == "draft_exists"
    with pytest.raises(Conflict):
        book_import(actor=None, data=small_book(), publish=True)
    assert state() == before


def test_keys_last_across_versions_and_numbers_close_gaps(lect: LectureWorld) -> None:
    v1 = book_import(actor=lect.admin, data=small_book(3), publish=True)
    v2 = book_draft_start(actor=lect.admin)
    s2 = v2.sayings.get(key="S02")
    saying_delete(actor=lect.admin, book_id=v2.pk, saying_id=s2.pk)
    new = saying_add(
        actor=lect.admin, book_id=v2.pk, text="新金句", interpretation="新解读", tags="安全、守法", cases=""
    )
    assert (new.key, new.number, new.tags) == ("S04", 3, ["安全", "守法"])
    assert list(v2.sayings.order_by("number").values_list("key", "number")) == [("S01", 1), ("S03", 2), ("S04", 3)]
    # The published version keeps S02; a key removed in a draft is never given to another saying.
    assert v1.sayings.filter(key="S02").exists()
    again = saying_add(actor=lect.admin, book_id=v2.pk, text="再一条", interpretation="解读")
    assert again.key == "S05"
    assert actions()[-3:] == ["saying.delete", "saying.create", "saying.create"]


def test_publish_freezes_and_the_hash_is_the_canonical_one(lect: LectureWorld, frozen: Any) -> None:
    book = book_draft_start(actor=lect.admin, title="测试")
    with pytest.raises(Conflict) as empty:
        book_publish(actor=lect.admin, book_id=book.pk)
    assert empty.value.code == "book_empty"
    saying_add(actor=lect.admin, book_id=book.pk, text="甲", interpretation="解读甲", tags=["诚信"], cases="案例")
    book_update(actor=lect.admin, book_id=book.pk, title="测试书", preface="序", change_note="第一版")
    published = book_publish(actor=lect.admin, book_id=book.pk)
    published.refresh_from_db()
    expected = content_hash("测试书", "序", list(published.sayings.all()))
    assert (published.status, published.published_by, published.content_hash) == ("published", lect.admin, expected)
    assert published.published_at is not None
    assert published.published_at.isoformat() == "2026-03-01T02:00:00+00:00"
    assert len(published.content_hash) == 64
    assert current_book() == published
    assert actions() == ["book.create", "saying.create", "book.update", "book.publish"]


def test_hash_is_stable() -> None:
    a = Saying(key="S01", number=1, text="甲", interpretation="解", tags=["诚信", "邻里"], cases="")
    b = Saying(key="S02", number=2, text="乙", interpretation="解", tags=[], cases="案")
    assert content_hash("书", "序", [a, b]) == content_hash("书", "序", [b, a])
    canonical = (
        '{"preface":"序","sayings":[{"cases":"","interpretation":"解","key":"S01","number":1,"tags":["诚信","邻里"],'
        '"text":"甲"},{"cases":"案","interpretation":"解","key":"S02","number":2,"tags":[],"text":"乙"}],"title":"书"}'
    )
    assert content_hash("书", "序", [a, b]) == hashlib.sha256(canonical.encode()).hexdigest()
    assert content_hash("书", "序", [a, b]) != content_hash("书", "序 ", [a, b])
    assert content_hash("书", "序", [a]) != content_hash("书", "序", [a, b])


def test_editing_a_published_book_is_refused_with_nothing_saved(lect: LectureWorld) -> None:
    book = book_import(actor=lect.admin, data=small_book(2), publish=True)
    first = book.sayings.get(number=1)
    before = state()
    calls = [
        lambda: book_update(actor=lect.admin, book_id=book.pk, title="改", preface="改", change_note=""),
        lambda: saying_add(actor=lect.admin, book_id=book.pk, text="新", interpretation="新"),
        lambda: saying_update(actor=lect.admin, book_id=book.pk, saying_id=first.pk, text="改过"),
        lambda: saying_delete(actor=lect.admin, book_id=book.pk, saying_id=first.pk),
        lambda: book_publish(actor=lect.admin, book_id=book.pk),
    ]
    for call in calls:
        with pytest.raises(Conflict) as exc, translation.override("zh-hans"):
            call()
        assert exc.value.code == "book_published"
        with translation.override("zh-hans"):
            assert str(exc.value.message).startswith("已发布的宣讲书不可修改")
    assert state() == before


def test_only_the_lecture_admin_writes(lect: LectureWorld) -> None:
    draft = book_draft_start(actor=lect.admin, title="草稿")
    s = saying_add(actor=lect.admin, book_id=draft.pk, text="甲", interpretation="解")
    before = state()
    for user in (lect.town_a, lect.village_a1, lect.auditor, lect.head_user, lect.team_leader):
        for call in (
            lambda u=user: book_draft_start(actor=u, title="x"),
            lambda u=user: book_update(actor=u, book_id=draft.pk, title="x"),
            lambda u=user: book_update(actor=u, book_id=999_999, title="x"),
            lambda u=user: saying_add(actor=u, book_id=draft.pk, text="乙", interpretation="解"),
            lambda u=user: saying_update(actor=u, book_id=draft.pk, saying_id=s.pk, text="丙"),
            lambda u=user: saying_delete(actor=u, book_id=draft.pk, saying_id=s.pk),
            lambda u=user: book_publish(actor=u, book_id=draft.pk),
            lambda u=user: book_import(actor=u, data=small_book(), publish=True),
        ):
            with pytest.raises(NotFound):
                call()
    assert state() == before


def test_a_saying_of_another_book_is_not_found(lect: LectureWorld) -> None:
    v1 = book_import(actor=lect.admin, data=small_book(1), publish=True)
    v2 = book_draft_start(actor=lect.admin)
    with pytest.raises(NotFound):
        saying_update(actor=lect.admin, book_id=v2.pk, saying_id=v1.sayings.get().pk, text="改")


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"text": "金\x00句"}, "text", "invalid_text"),
        ({"text": "金\u202e句"}, "text", "invalid_text"),
        ({"interpretation": "解\x07读"}, "interpretation", "invalid_text"),
        ({"text": "长" * 201}, "text", "too_long"),
        ({"text": "   "}, "text", "required"),
        ({"interpretation": ""}, "interpretation", "required"),
        ({"interpretation": "长" * 20_001}, "interpretation", "too_long"),
        ({"tags": ["一", "二", "三", "四", "五", "六", "七", "八", "九"]}, "tags", "too_many_tags"),
        ({"tags": ["这是一个特别特别特别长的话题"]}, "tags", "tag_too_long"),
        ({"tags": [3]}, "tags", "invalid_tags"),
        ({"tags": ["诚\x1b信"]}, "tags", "invalid_text"),
        ({"cases": "案\x00例"}, "cases", "invalid_text"),
        ({"cases": "长" * 20_001}, "cases", "too_long"),
    ],
)
def test_bad_sayings_are_refused(lect: LectureWorld, changes: dict[str, Any], field: str, code: str) -> None:
    book = book_draft_start(actor=lect.admin, title="草稿")
    values: dict[str, Any] = {"text": "金句", "interpretation": "解读", "tags": ["诚信"], "cases": ""} | changes
    before = state()
    with pytest.raises(InvalidInput) as exc:
        saying_add(actor=lect.admin, book_id=book.pk, **values)
    assert (exc.value.errors[0]["field"], exc.value.code) == (field, code)
    assert state() == before


def test_a_long_interpretation_and_a_duplicate(lect: LectureWorld) -> None:
    book = book_draft_start(actor=lect.admin, title="草稿")
    s = saying_add(
        actor=lect.admin, book_id=book.pk, text="甲", interpretation="解" * 20_000, tags=["诚信", "诚信", " "]
    )
    assert (len(s.interpretation), s.tags) == (20_000, ["诚信"])
    with pytest.raises(InvalidInput) as exc:
        saying_add(actor=lect.admin, book_id=book.pk, text=" 甲 ", interpretation="又一遍")
    assert exc.value.code == "duplicate_saying"
    assert book.sayings.count() == 1


def test_bad_title_and_preface(lect: LectureWorld) -> None:
    book = book_draft_start(actor=lect.admin, title="草稿")
    for kwargs, field in (
        ({"title": "题\x00目"}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"preface": "序\u2066言"}, "preface"),
        ({"change_note": "长" * 301}, "change_note"),
    ):
        with pytest.raises(InvalidInput) as exc:
            book_update(actor=lect.admin, book_id=book.pk, **kwargs)
        assert exc.value.errors[0]["field"] == field
    book.refresh_from_db()
    assert (book.title, book.preface, book.change_note) == ("草稿", "", "")


def test_import_rolls_back_on_a_bad_saying(lect: LectureWorld) -> None:
    data = small_book(5)
    data["sayings"][3]["interpretation"] = "坏\x00"
    before = state()
    with pytest.raises(InvalidInput) as exc, translation.override("zh-hans"):
        book_import(actor=lect.admin, data=data, publish=True)
    assert exc.value.errors[0]["field"] == "sayings[4].interpretation"
    with translation.override("zh-hans"):
        assert str(exc.value.message).startswith("第 4 条金句")
    assert state() == before


@pytest.mark.parametrize(
    ("mutate", "field", "code"),
    [
        (lambda d: d["sayings"][1].update(key="S01"), "sayings[2].key", "duplicate_key"),
        (lambda d: d["sayings"][1].update(key="X1"), "sayings[2].key", "invalid_key"),
        (lambda d: d["sayings"][2].update(text=d["sayings"][0]["text"]), "sayings[3].text", "duplicate_saying"),
        (lambda d: d["sayings"].__setitem__(0, "金句"), "sayings[1].text", "invalid_saying"),
        (lambda d: d.update(sayings=[]), "sayings", "no_sayings"),
        (lambda d: d.update(title=""), "title", "required"),
    ],
)
def test_import_refuses(lect: LectureWorld, mutate: Any, field: str, code: str) -> None:
    data = small_book(3)
    mutate(data)
    before = state()
    with pytest.raises(InvalidInput) as exc:
        book_import(actor=None, data=data, publish=False)
    assert (exc.value.errors[0]["field"], exc.value.code) == (field, code)
    assert state() == before


def test_import_assigns_missing_keys_and_can_stay_a_draft(lect: LectureWorld) -> None:
    data = small_book(2)
    for s in data["sayings"]:
        del s["key"]
    book = book_import(actor=None, data=data, publish=False)
    assert (book.status, book.created_by, book.content_hash) == ("draft", None, "")
    assert list(book.sayings.values_list("key", flat=True).order_by("number")) == ["S01", "S02"]
    event = AuditEvent.objects.get(action="book.create")
    assert (event.actor_name, event.details["imported"]) == ("system", True)


def test_the_sample_book_loads(lect: LectureWorld) -> None:
    data = sample_book()
    book = book_import(actor=None, data=data, publish=True)
    sayings = list(book.sayings.order_by("number"))
    assert (book.status, book.version, len(sayings)) == ("published", 1, len(data["sayings"]))
    assert len(sayings) >= 20
    assert [s.key for s in sayings] == [f"S{i:02d}" for i in range(1, len(sayings) + 1)]
    for s in sayings:
        assert 100 <= len(s.interpretation) <= 300, s.key
        assert s.tags, s.key
        assert s.cases, s.key
    assert book.content_hash == content_hash(book.title, book.preface, sayings)
    assert saying_choices() == sayings
    assert [s.key for s in sayings_search(book=book, q="救生衣")] == ["S16"]
    assert book_tags(book=book)[0].tag in {"安全", "诚信"}


def test_search_ignores_case_on_every_engine(lect: LectureWorld) -> None:
    data = small_book(4)
    data["sayings"][0].update(text="讲诚信 QR 码扫一扫")
    data["sayings"][1].update(interpretation="Über den Fluss：过河要走桥")
    data["sayings"][2].update(tags=["ＡＢＣ安全"])
    data["sayings"][3].update(cases="张师傅在集市上宣传防诈骗")
    book = book_import(actor=None, data=data, publish=True)

    def keys(q: str, tag: str = "") -> list[str]:
        return [s.key for s in sayings_search(book=book, q=q, tag=tag)]

    assert keys("qr") == ["S01"]
    assert keys("ÜBER") == ["S02"]
    assert keys("abc") == ["S03"]
    assert keys("集市 防诈骗") == ["S04"]
    assert keys("集市 不在") == []
    assert keys("") == ["S01", "S02", "S03", "S04"]
    assert keys("", tag="诚信") == ["S01", "S02", "S04"]
    assert keys("%") == []
    assert keys("_") == []
    assert sayings_search(book=None, q="x") == []
