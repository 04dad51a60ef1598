"""The sayings book (金句宣讲书): the publicity office writes it and publishes it in versions.

- One draft at a time: :func:`book_draft_start` makes the next version, a copy of the current
  published book's sayings (or empty when nothing is published yet).
- Sayings are added, changed and removed on the draft only. A published book is never changed
  (a :class:`Conflict`, nothing saved); the next version is a new draft.
- A saying's ``key`` (``S01``, ``S02`` ...) is its lasting identity: a copy keeps it, a new
  saying takes the next key never used in any version, so use is counted across versions. Its
  ``number`` is its place in this version: removing a saying closes the gap.
- Publishing freezes the draft: it needs at least one saying, and keeps a SHA-256 of a canonical
  JSON of the title, preface and sayings (:func:`content_hash`) with who published it and when.
- :func:`book_import` loads a whole book from a dict (the YAML of the demo's sample book); every
  saying is checked first and the first failing one is named by its number; nothing partial is
  saved.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.errors import Conflict, InvalidInput, NotFound, field_error
from rongxin.core.models import AuditEvent
from rongxin.core.text import clean_text
from rongxin.lectures.models import Book, Saying
from rongxin.lectures.permissions.common import require_lecture_admin
from rongxin.lectures.selectors.common import current_book

TITLE_MAX = 100
PREFACE_MAX = 20_000
CHANGE_NOTE_MAX = 300
TEXT_MAX = 200
INTERPRETATION_MAX = 20_000
CASES_MAX = 20_000
TAGS_MAX = 8
TAG_MAX = 12
SAYINGS_MAX = 300
KEY_PATTERN = re.compile(r"S\d{2,4}")
_TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")

# The demo's sample book, written for this project (``{title, preface, sayings: [...]}``).
SAMPLE_BOOK = Path(__file__).resolve().parents[1] / "data" / "sample_book.yaml"

PUBLISHED_MESSAGE = _("A published sayings book cannot be changed; start a new version to make changes.")


@dataclass(frozen=True)
class SayingInput:
    """What a saying says; ``None`` in an update keeps the stored value."""

    text: Any = None
    interpretation: Any = None
    tags: Any = None
    cases: Any = None


# --- Rules for the text ------------------------------------------------------------------------
def clean_tags(value: Any, *, field: str = "tags") -> list[str]:
    """Topic tags: a list of short one-line strings (or one string separated by commas, 、 or
    spaces), at most eight, each at most twelve characters; blanks dropped, duplicates once."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        items: Iterable[Any] = _TAG_SEPARATORS.split(value)
    elif isinstance(value, list | tuple):
        items = value
    else:
        raise field_error(field, _("Give the topics as a list of words."), code="invalid_tags")
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise field_error(field, _("Give the topics as a list of words."), code="invalid_tags")
        tag = clean_text(item, field=field, required=False, max_length=10_000, multiline=False)
        if len(tag) > TAG_MAX:
            raise field_error(field, _("A topic has at most %(n)d characters.") % {"n": TAG_MAX}, code="tag_too_long")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise field_error(field, _("At most %(n)d topics.") % {"n": TAGS_MAX}, code="too_many_tags")
    return tags


def _saying_values(data: SayingInput, *, stored: Saying | None = None) -> dict[str, Any]:
    def keep(value: Any, name: str) -> Any:
        return getattr(stored, name) if value is None and stored is not None else value

    return {
        "text": clean_text(keep(data.text, "text"), field="text", required=True, max_length=TEXT_MAX, fold=True),
        "interpretation": clean_text(
            keep(data.interpretation, "interpretation"),
            field="interpretation",
            required=True,
            max_length=INTERPRETATION_MAX,
        ),
        "tags": clean_tags(keep(data.tags, "tags")),
        "cases": clean_text(keep(data.cases, "cases"), field="cases", required=False, max_length=CASES_MAX),
    }


def _clean_title(value: Any) -> str:
    return clean_text(value, field="title", required=True, max_length=TITLE_MAX, fold=True)


def _clean_preface(value: Any) -> str:
    return clean_text(value, field="preface", required=False, max_length=PREFACE_MAX)


def _clean_change_note(value: Any) -> str:
    return clean_text(value, field="change_note", required=False, max_length=CHANGE_NOTE_MAX, fold=True)


def content_hash(title: str, preface: str, sayings: Sequence[Saying]) -> str:
    """SHA-256 (hex) of the book's canonical JSON: title, preface and the sayings in order with
    key, number, text, interpretation, tags and cases; keys sorted, no spaces, UTF-8. The same
    content always gives the same hash, whatever the database or the order rows were read in."""
    document = {
        "title": title,
        "preface": preface,
        "sayings": [
            {
                "key": s.key,
                "number": s.number,
                "text": s.text,
                "interpretation": s.interpretation,
                "tags": list(s.tags),
                "cases": s.cases,
            }
            for s in sorted(sayings, key=lambda s: s.number)
        ],
    }
    canonical = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- Helpers -----------------------------------------------------------------------------------
def _role(actor: User | None) -> str:
    return require_lecture_admin(actor).role if actor is not None else ""


def _draft_locked(book_id: int) -> Book:
    """The book, locked; a published one is a Conflict (it is never changed)."""
    book = Book.objects.select_for_update().filter(pk=book_id).first()
    if book is None:
        raise NotFound()
    if book.status != Book.Status.DRAFT:
        raise Conflict(PUBLISHED_MESSAGE, code="book_published")
    return book


def _next_key_number() -> int:
    """The number after the highest saying key ever used in any version."""
    highest = 0
    for key in Saying.objects.values_list("key", flat=True).distinct():
        if KEY_PATTERN.fullmatch(key):
            highest = max(highest, int(key[1:]))
    return highest + 1


def _key(n: int) -> str:
    return f"S{n:02d}"


def _next_version() -> int:
    return (Book.objects.aggregate(v=Max("version"))["v"] or 0) + 1


def _refuse_second_draft() -> None:
    if Book.objects.filter(status=Book.Status.DRAFT).exists():
        raise Conflict(
            _("A draft of the next version is already open; finish or publish it first."), code="draft_exists"
        )


def _create_book(**values: Any) -> Book:
    """A new book row; a draft created at the same moment by someone else is a Conflict."""
    try:
        with transaction.atomic():
            return Book.objects.create(**values)
    except IntegrityError:
        raise Conflict(
            _("A draft of the next version is already open; finish or publish it first."), code="draft_exists"
        ) from None


def _duplicate_text(book: Book, text: str, *, exclude: int | None = None) -> None:
    others = Saying.objects.filter(book=book, text=text)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise field_error("text", _("This book already has this saying."), code="duplicate_saying")


def _audit(actor: User | None, role: str, action: str, object_type: str, object_id: int, **details: Any) -> None:
    audit_record(
        actor=actor,
        role=role,
        kind=AuditEvent.Kind.WRITE,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


# --- The book ----------------------------------------------------------------------------------
@transaction.atomic
def book_draft_start(*, actor: User, title: Any = None) -> Book:
    """The next version as a draft: a copy of the current published book's title, preface and
    sayings (keys and numbers kept), or an empty book when nothing is published yet (then a
    title is required). Only one draft at a time."""
    role = require_lecture_admin(actor).role
    _refuse_second_draft()
    base = current_book()
    if title is None or (isinstance(title, str) and not title.strip() and base is not None):
        title = base.title if base is not None else ""
    clean_title = _clean_title(title)
    book = _create_book(
        title=clean_title,
        version=_next_version(),
        status=Book.Status.DRAFT,
        preface=base.preface if base is not None else "",
        based_on=base,
        created_at=clock.now(),
        created_by=actor,
    )
    copied = 0
    if base is not None:
        rows = [
            Saying(
                book=book,
                key=s.key,
                number=s.number,
                text=s.text,
                interpretation=s.interpretation,
                tags=list(s.tags),
                cases=s.cases,
            )
            for s in base.sayings.order_by("number")
        ]
        Saying.objects.bulk_create(rows)
        copied = len(rows)
    _audit(
        actor,
        role,
        "book.create",
        "book",
        book.pk,
        version=book.version,
        based_on=base.version if base else None,
        sayings=copied,
    )
    return book


@transaction.atomic
def book_update(*, actor: User, book_id: int, title: Any = None, preface: Any = None, change_note: Any = None) -> Book:
    """Change a draft's title, preface and note of what changed (``None`` keeps a value)."""
    role = require_lecture_admin(actor).role
    book = _draft_locked(book_id)
    values = {
        "title": _clean_title(book.title if title is None else title),
        "preface": _clean_preface(book.preface if preface is None else preface),
        "change_note": _clean_change_note(book.change_note if change_note is None else change_note),
    }
    changed = sorted(k for k, v in values.items() if getattr(book, k) != v)
    for k, v in values.items():
        setattr(book, k, v)
    book.save(update_fields=list(values))
    _audit(actor, role, "book.update", "book", book.pk, version=book.version, changed=changed)
    return book


@transaction.atomic
def book_publish(*, actor: User, book_id: int) -> Book:
    """Publish the draft: it becomes the current book and is frozen (its content hash kept)."""
    role = require_lecture_admin(actor).role
    book = _draft_locked(book_id)
    return _publish(book, actor=actor, role=role)


def _publish(book: Book, *, actor: User | None, role: str) -> Book:
    sayings = list(book.sayings.order_by("number"))
    if not sayings:
        raise Conflict(_("A book needs at least one saying before it is published."), code="book_empty")
    book.status = Book.Status.PUBLISHED
    book.published_at = clock.now()
    book.published_by = actor if actor is not None and actor.is_authenticated else None
    book.content_hash = content_hash(book.title, book.preface, sayings)
    book.save(update_fields=["status", "published_at", "published_by", "content_hash"])
    _audit(
        actor, role, "book.publish", "book", book.pk, version=book.version, sayings=len(sayings), hash=book.content_hash
    )
    return book


# --- Sayings (on a draft only) -----------------------------------------------------------------
def _saying_in(book: Book, saying_id: int) -> Saying:
    saying = Saying.objects.select_for_update().filter(pk=saying_id, book=book).first()
    if saying is None:
        raise NotFound()
    return saying


@transaction.atomic
def saying_add(
    *, actor: User, book_id: int, text: Any, interpretation: Any, tags: Any = None, cases: Any = ""
) -> Saying:
    """A new saying at the end of the draft, with the next key never used in any version."""
    role = require_lecture_admin(actor).role
    book = _draft_locked(book_id)
    values = _saying_values(SayingInput(text, interpretation, tags if tags is not None else [], cases or ""))
    _duplicate_text(book, values["text"])
    count = book.sayings.count()
    if count >= SAYINGS_MAX:
        raise Conflict(_("A book holds at most %(n)d sayings.") % {"n": SAYINGS_MAX}, code="book_full")
    saying = Saying.objects.create(book=book, key=_key(_next_key_number()), number=count + 1, **values)
    _audit(actor, role, "saying.create", "saying", saying.pk, book=book.pk, key=saying.key, number=saying.number)
    return saying


@transaction.atomic
def saying_update(
    *,
    actor: User,
    book_id: int,
    saying_id: int,
    text: Any = None,
    interpretation: Any = None,
    tags: Any = None,
    cases: Any = None,
) -> Saying:
    """Change a saying of the draft (``None`` keeps a value); its key and number stay."""
    role = require_lecture_admin(actor).role
    book = _draft_locked(book_id)
    saying = _saying_in(book, saying_id)
    values = _saying_values(SayingInput(text, interpretation, tags, cases), stored=saying)
    _duplicate_text(book, values["text"], exclude=saying.pk)
    changed = sorted(k for k, v in values.items() if getattr(saying, k) != v)
    for k, v in values.items():
        setattr(saying, k, v)
    saying.save(update_fields=list(values))
    _audit(actor, role, "saying.update", "saying", saying.pk, book=book.pk, key=saying.key, changed=changed)
    return saying


@transaction.atomic
def saying_delete(*, actor: User, book_id: int, saying_id: int) -> Book:
    """Remove a saying from the draft; the ones after it move up one number."""
    role = require_lecture_admin(actor).role
    book = _draft_locked(book_id)
    saying = _saying_in(book, saying_id)
    key, number = saying.key, saying.number
    saying.delete()
    # One row at a time, lowest first: each moves into the number just freed, so the unique
    # (book, number) holds after every statement on every engine.
    for later in book.sayings.select_for_update().filter(number__gt=number).order_by("number"):
        later.number -= 1
        later.save(update_fields=["number"])
    _audit(actor, role, "saying.delete", "saying", saying_id, book=book.pk, key=key, number=number)
    return book


# --- Import ------------------------------------------------------------------------------------
def _import_error(index: int, exc: InvalidInput) -> InvalidInput:
    field = exc.errors[0]["field"] if exc.errors else ""
    message = _("Saying %(n)d: %(message)s") % {"n": index, "message": exc.message}
    error = {"field": f"sayings[{index}].{field}", "message": str(message), "code": exc.code}
    return InvalidInput(message, code=exc.code, errors=[error])


@transaction.atomic
def book_import(*, actor: User | None, data: dict[str, Any], publish: bool) -> Book:
    """A whole book from ``{title, preface, sayings: [{key, text, interpretation, tags, cases}]}``
    as the next version (published when ``publish``). ``actor`` None is the system (the demo);
    a person must be a lecture administrator. Every saying is checked before anything is saved;
    the first failing one is named by its number (from 1)."""
    role = _role(actor)
    if not isinstance(data, dict):
        raise InvalidInput(_("The book must be a mapping with a title, a preface and sayings."), code="invalid_book")
    _refuse_second_draft()
    title = _clean_title(data.get("title"))
    preface = _clean_preface(data.get("preface"))
    change_note = _clean_change_note(data.get("change_note"))
    raw = data.get("sayings")
    if not isinstance(raw, list) or not raw:
        raise field_error("sayings", _("The book needs a list of sayings."), code="no_sayings")
    if len(raw) > SAYINGS_MAX:
        raise field_error("sayings", _("A book holds at most %(n)d sayings.") % {"n": SAYINGS_MAX}, code="book_full")
    next_key = _next_key_number()
    rows: list[dict[str, Any]] = []
    keys: set[str] = set()
    texts: set[str] = set()
    for index, item in enumerate(raw, start=1):
        try:
            if not isinstance(item, dict):
                raise field_error("text", _("Each saying must be a mapping."), code="invalid_saying")
            values = _saying_values(
                SayingInput(item.get("text"), item.get("interpretation"), item.get("tags"), item.get("cases") or "")
            )
            key = item.get("key")
            if key is None or key == "":
                key = _key(next_key)
                next_key += 1
            elif not isinstance(key, str) or not KEY_PATTERN.fullmatch(key.strip()):
                raise field_error("key", _("A key is S and two to four digits, such as S01."), code="invalid_key")
            key = key.strip()
            if key in keys:
                raise field_error("key", _("This key is used twice."), code="duplicate_key")
            if values["text"] in texts:
                raise field_error("text", _("This book already has this saying."), code="duplicate_saying")
        except InvalidInput as exc:
            raise _import_error(index, exc) from None
        keys.add(key)
        texts.add(values["text"])
        rows.append({"key": key, "number": index, **values})
    base = current_book()
    book = _create_book(
        title=title,
        version=_next_version(),
        status=Book.Status.DRAFT,
        preface=preface,
        change_note=change_note,
        based_on=base,
        created_at=clock.now(),
        created_by=actor,
    )
    Saying.objects.bulk_create([Saying(book=book, **row) for row in rows])
    _audit(actor, role, "book.create", "book", book.pk, version=book.version, sayings=len(rows), imported=True)
    if publish:
        _publish(book, actor=actor, role=role)
    return book


def sample_book() -> dict[str, Any]:
    """The sample book shipped with the demo, as :func:`book_import` takes it."""
    data: dict[str, Any] = yaml.safe_load(SAMPLE_BOOK.read_text(encoding="utf-8"))
    return data
