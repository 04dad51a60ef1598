"""Races on the sayings book, on PostgreSQL, each caller on its own connection, released
together:

- Ten administrators start the next version at the same moment: one draft, nine clear
  conflicts (never a server error).
- Twenty sayings added to one draft at the same moment: twenty rows, keys and numbers each
  once and without gaps (the draft's row lock orders them).
- Five sayings removed at the same moment: the rest are numbered 1..n again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.conftest import Tree, make_user
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.lectures.models import Book, Saying
from rongxin.lectures.services.book import book_draft_start, book_import, saying_add, saying_delete
from rongxin.lectures.tests.test_book_services import small_book

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def admin_pk(transactional_db: Any) -> int:
    """A lecture administrator (the departments are seeded again: a transactional test empties
    every table when it ends)."""
    publicity, _ = Department.objects.get_or_create(code="publicity", defaults={"name": "县委宣传部"})
    tree = Tree()
    return make_user("publicity", Role.DEPARTMENT_RECORDER, tree.county, department=publicity).pk


def test_ten_parallel_draft_starts_make_one_draft(admin_pk: int) -> None:
    book_import(actor=None, data=small_book(3), publish=True)

    def starting(i: int) -> Any:
        return lambda: book_draft_start(actor=User.objects.get(pk=admin_pk), title=f"第{i}稿").pk

    results = in_threads([starting(i) for i in range(10)], workers=10)
    drafts = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert (len(drafts), len(refused)) == (1, 9)
    assert {r.code for r in refused} == {"draft_exists"}
    draft = Book.objects.get(status="draft")
    assert (draft.pk, draft.version, draft.sayings.count()) == (drafts[0], 2, 3)


def test_parallel_adds_and_removes_keep_keys_and_numbers(admin_pk: int) -> None:
    draft = book_draft_start(actor=User.objects.get(pk=admin_pk), title="草稿")

    def adding(i: int) -> Any:
        return lambda: (
            saying_add(
                actor=User.objects.get(pk=admin_pk), book_id=draft.pk, text=f"金句{i}", interpretation="解读"
            ).key
        )

    results = in_threads([adding(i) for i in range(20)], workers=20)
    assert sorted(results) == [f"S{i:02d}" for i in range(1, 21)]
    assert sorted(Saying.objects.filter(book=draft).values_list("number", flat=True)) == list(range(1, 21))

    doomed = list(Saying.objects.filter(book=draft, number__in=[2, 5, 9, 14, 20]).values_list("pk", flat=True))

    def removing(pk: int) -> Any:
        return lambda: saying_delete(actor=User.objects.get(pk=admin_pk), book_id=draft.pk, saying_id=pk).pk

    assert in_threads([removing(pk) for pk in doomed], workers=5) == [draft.pk] * 5
    assert sorted(Saying.objects.filter(book=draft).values_list("number", flat=True)) == list(range(1, 16))
