"""JSON endpoints of the sayings book (the pages call the same services and selectors).

Everyone signed in reads the published versions and searches the sayings; drafts and every
write are for lecture administrators (the publicity department). Operations on a book named in
the path are gated: an outsider gets 404 whether or not the book exists, before the body is
read. A published book is never changed (409 ``book_published``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Query, Router, Schema, Status

from rongxin.accounts.api.auth import gated
from rongxin.accounts.permissions import SignedInRequest
from rongxin.lectures.models import Book, Saying
from rongxin.lectures.permissions.common import require_lecture_admin
from rongxin.lectures.selectors.book import QUERY_MAX, book_detail, book_versions, sayings_search
from rongxin.lectures.selectors.common import current_book
from rongxin.lectures.services import book as services

router = Router(tags=["lectures"])

MAX_OFFSET = 10_000_000


# --- Schemas -----------------------------------------------------------------------------------
class BookOut(Schema):
    id: int
    version: int
    title: str
    status: str = Field(description="draft | published")
    preface: str
    change_note: str
    based_on_version: int | None
    sayings: int = Field(description="How many sayings the version holds.")
    created_at: dt.datetime
    published_at: dt.datetime | None
    content_hash: str = Field(description="SHA-256 of the published content; empty for a draft.")
    current: bool = Field(description="This is the current published book.")


class SayingOut(Schema):
    id: int
    book_id: int
    key: str = Field(description="The saying's lasting identity across versions (S01, S02 ...).")
    number: int = Field(description="Its place in this version.")
    text: str
    interpretation: str
    tags: list[str]
    cases: str


class BookDetailOut(BookOut):
    saying_list: list[SayingOut]


class BookPage(Schema):
    total: int
    offset: int
    limit: int
    items: list[BookOut]


class SayingPage(Schema):
    book_id: int | None = Field(description="The version searched; null when nothing is published.")
    total: int
    offset: int
    limit: int
    items: list[SayingOut]


class BookPageQuery(Schema):
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class SayingQuery(Schema):
    q: str = Field("", max_length=QUERY_MAX, description="Words to find in text, interpretation, topics or cases.")
    tag: str = Field("", max_length=40, description="Only sayings with this topic.")
    book: int | None = Field(None, description="A version's id; the current book by default.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=100)


class DraftIn(Schema):
    title: str | None = Field(None, description="The draft's title; by default the current book's.")


class BookPatch(Schema):
    title: str | None = None
    preface: str | None = None
    change_note: str | None = None


class SayingIn(Schema):
    text: str
    interpretation: str
    tags: list[str] = Field(default_factory=list, description="At most 8 topics of at most 12 characters.")
    cases: str = ""


class SayingPatch(Schema):
    text: str | None = None
    interpretation: str | None = None
    tags: list[str] | None = None
    cases: str | None = None


# --- Presenters --------------------------------------------------------------------------------
def _current_id() -> int | None:
    current = current_book()
    return current.pk if current is not None else None


def book_out(book: Book, *, current_id: int | None, count: int | None = None) -> BookOut:
    return BookOut(
        id=book.pk,
        version=book.version,
        title=book.title,
        status=book.status,
        preface=book.preface,
        change_note=book.change_note,
        based_on_version=book.based_on.version if book.based_on_id and book.based_on else None,
        sayings=count if count is not None else book.sayings.count(),
        created_at=book.created_at,
        published_at=book.published_at,
        content_hash=book.content_hash,
        current=book.pk == current_id,
    )


def saying_out(s: Saying) -> SayingOut:
    return SayingOut(
        id=s.pk,
        book_id=s.book_id,
        key=s.key,
        number=s.number,
        text=s.text,
        interpretation=s.interpretation,
        tags=list(s.tags),
        cases=s.cases,
    )


def book_detail_out(book: Book) -> BookDetailOut:
    sayings: list[Saying] = book.saying_list  # type: ignore[attr-defined]
    base = book_out(book, current_id=_current_id(), count=len(sayings))
    return BookDetailOut(**base.dict(), saying_list=[saying_out(s) for s in sayings])


# --- Gates -------------------------------------------------------------------------------------
def _readable(user: Any, book_id: int, **_path: Any) -> None:
    book_detail(actor=user, book_id=book_id)


def _admin(user: Any, **_path: Any) -> None:
    require_lecture_admin(user)


# --- Reading -----------------------------------------------------------------------------------
@router.get("/books", response=BookPage, operation_id="lectures_books")
def books(request: SignedInRequest, page: Query[BookPageQuery]) -> BookPage:
    """The versions of the sayings book you may read, newest first (drafts for administrators)."""
    rows = book_versions(actor=request.user)
    current_id = _current_id()
    chunk = rows[page.offset : page.offset + page.limit]
    return BookPage(
        total=len(rows),
        offset=page.offset,
        limit=page.limit,
        items=[book_out(b, current_id=current_id, count=b.saying_count) for b in chunk],  # type: ignore[attr-defined]
    )


@router.get("/books/{int:book_id}", response=BookDetailOut, operation_id="lectures_book", auth=gated(_readable))
def book(request: SignedInRequest, book_id: int) -> BookDetailOut:
    """One version with its sayings in order (a draft only for administrators)."""
    return book_detail_out(book_detail(actor=request.user, book_id=book_id))


@router.get("/sayings", response=SayingPage, operation_id="lectures_sayings")
def sayings(request: SignedInRequest, filters: Query[SayingQuery]) -> SayingPage:
    """Search the sayings of the current book (or of ``book``): every word of ``q`` must appear
    in the text, interpretation, topics or cases, ignoring case."""
    if filters.book is not None:
        target: Book | None = book_detail(actor=request.user, book_id=filters.book)
    else:
        target = current_book()
    found = sayings_search(book=target, q=filters.q, tag=filters.tag)
    chunk = found[filters.offset : filters.offset + filters.limit]
    return SayingPage(
        book_id=target.pk if target is not None else None,
        total=len(found),
        offset=filters.offset,
        limit=filters.limit,
        items=[saying_out(s) for s in chunk],
    )


# --- Writing (lecture administrators) ----------------------------------------------------------
def _detail(request: SignedInRequest, book_id: int) -> BookDetailOut:
    return book_detail_out(book_detail(actor=request.user, book_id=book_id))


@router.post("/books", response={201: BookDetailOut}, operation_id="lectures_book_draft", auth=gated(_admin))
def book_draft_start(request: SignedInRequest, payload: DraftIn) -> Status[BookDetailOut]:
    """Start the next version as a draft, a copy of the current book (409 while a draft is open)."""
    draft = services.book_draft_start(actor=request.user, title=payload.title)
    return Status(201, _detail(request, draft.pk))


@router.patch("/books/{int:book_id}", response=BookDetailOut, operation_id="lectures_book_update", auth=gated(_admin))
def book_update(request: SignedInRequest, book_id: int, payload: BookPatch) -> BookDetailOut:
    """Change a draft's title, preface or note of what changed (409 once published)."""
    services.book_update(actor=request.user, book_id=book_id, **payload.dict())
    return _detail(request, book_id)


@router.post(
    "/books/{int:book_id}/sayings",
    response={201: SayingOut},
    operation_id="lectures_saying_add",
    auth=gated(_admin),
)
def saying_add(request: SignedInRequest, book_id: int, payload: SayingIn) -> Status[SayingOut]:
    """Add a saying at the end of a draft; it gets the next key never used in any version."""
    return Status(201, saying_out(services.saying_add(actor=request.user, book_id=book_id, **payload.dict())))


@router.patch(
    "/books/{int:book_id}/sayings/{int:saying_id}",
    response=SayingOut,
    operation_id="lectures_saying_update",
    auth=gated(_admin),
)
def saying_update(request: SignedInRequest, book_id: int, saying_id: int, payload: SayingPatch) -> SayingOut:
    """Change a saying of a draft (fields left out stay as they are)."""
    return saying_out(
        services.saying_update(actor=request.user, book_id=book_id, saying_id=saying_id, **payload.dict())
    )


@router.delete(
    "/books/{int:book_id}/sayings/{int:saying_id}",
    response=BookDetailOut,
    operation_id="lectures_saying_delete",
    auth=gated(_admin),
)
def saying_delete(request: SignedInRequest, book_id: int, saying_id: int) -> BookDetailOut:
    """Remove a saying from a draft; the later ones move up. Answers the draft as it now is."""
    services.saying_delete(actor=request.user, book_id=book_id, saying_id=saying_id)
    return _detail(request, book_id)


@router.post(
    "/books/{int:book_id}/publish", response=BookDetailOut, operation_id="lectures_book_publish", auth=gated(_admin)
)
def book_publish(request: SignedInRequest, book_id: int) -> BookDetailOut:
    """Publish a draft: it becomes the current book and is frozen (needs at least one saying)."""
    services.book_publish(actor=request.user, book_id=book_id)
    return _detail(request, book_id)
