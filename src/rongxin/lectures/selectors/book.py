"""Reading the sayings book: a version with its sayings, the list of versions, search and the
sayings a speaker picks from.

Everyone signed in reads the published versions; drafts are for lecture administrators only
(for anyone else a draft is missing: :class:`NotFound`).

Search runs in Python over one version's sayings (a book holds at most a few hundred): SQLite's
``LIKE`` folds the case of ASCII letters only and its JSON column keeps Chinese tags as
``\\uXXXX`` escapes, so a database search would answer differently on the two engines.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from rongxin.core.errors import NotFound
from rongxin.lectures.models import Book, Saying
from rongxin.lectures.permissions.common import is_lecture_admin, signed_in
from rongxin.lectures.selectors.common import current_book

QUERY_MAX = 100


def _visible_books(actor: Any) -> QuerySet[Book]:
    if not signed_in(actor):
        return Book.objects.none()
    books = Book.objects.all()
    if not is_lecture_admin(actor):
        books = books.filter(status=Book.Status.PUBLISHED)
    return books


def book_detail(*, actor: Any, book_id: int) -> Book:
    """One version with its sayings in order (``book.saying_list``); a draft only for lecture
    administrators."""
    book = _visible_books(actor).select_related("based_on", "created_by", "published_by").filter(pk=book_id).first()
    if book is None:
        raise NotFound()
    book.saying_list = list(book.sayings.order_by("number"))  # type: ignore[attr-defined]
    return book


def book_versions(*, actor: Any) -> list[Book]:
    """The versions the actor may read, newest first, each with ``saying_count``."""
    return list(_visible_books(actor).annotate(saying_count=Count("sayings")).order_by("-version"))


def draft_book() -> Book | None:
    """The open draft of the next version, if any (for the editor; callers check the right)."""
    return Book.objects.filter(status=Book.Status.DRAFT).first()


def saying_detail(*, actor: Any, saying_id: int) -> Saying:
    """One saying with its book; a draft's sayings only for lecture administrators."""
    books = _visible_books(actor)
    saying = Saying.objects.select_related("book").filter(pk=saying_id, book__in=books).first()
    if saying is None:
        raise NotFound()
    return saying


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def search_terms(q: str) -> list[str]:
    """The words of a query, folded (case and full-width forms), at most ``QUERY_MAX`` characters."""
    return [t for t in _fold((q or "")[:QUERY_MAX]).split() if t]


def sayings_search(*, book: Book | None, q: str = "", tag: str = "") -> list[Saying]:
    """The sayings of ``book`` in order whose text, interpretation, topics or cases hold every
    word of ``q`` (ignoring case and full-width forms), and that carry ``tag`` when given."""
    if book is None:
        return []
    terms = search_terms(q)
    wanted_tag = _fold(tag.strip()) if tag else ""
    found = []
    for s in book.sayings.order_by("number"):
        tags = [_fold(t) for t in s.tags]
        if wanted_tag and wanted_tag not in tags:
            continue
        haystack = "\n".join([_fold(s.text), _fold(s.interpretation), _fold(s.cases), *tags])
        if all(term in haystack for term in terms):
            found.append(s)
    return found


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


def book_tags(*, book: Book | None) -> list[TagCount]:
    """The topics of ``book`` with how many sayings carry each, most used first."""
    if book is None:
        return []
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for tags in book.sayings.order_by("number").values_list("tags", flat=True):
        for t in tags:
            counts[t] += 1
            order.setdefault(t, len(order))
    return [TagCount(t, n) for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))]


def saying_choices(*, book: Book | None = None) -> list[Saying]:
    """The sayings a speaker picks from for a session: those of ``book``, by default the
    current published book; empty when nothing is published."""
    book = book if book is not None else current_book()
    if book is None:
        return []
    return list(book.sayings.order_by("number"))
