"""Races on PostgreSQL, each caller on its own connection, released together: two (and then
eight) requests link one leader for overlapping terms at the same moment. The lock on the
leader's row lets exactly one through; the others get the overlap conflict and save nothing."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
from django.db import connection

from rongxin.accounts.models import Department, User
from rongxin.core.errors import Conflict
from rongxin.credit.tests.test_concurrency import in_threads
from rongxin.lectures.models import AdoptionLink
from rongxin.lectures.services.links import link_create
from rongxin.volunteering.tests.conftest import migration_rows  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent connections and SELECT ... FOR UPDATE row locks",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def seeded(migration_rows: None) -> None:  # noqa: F811
    """The departments (the publicity department too), which an earlier transactional test may
    have flushed."""
    seed = importlib.import_module("rongxin.lectures.migrations.0002_publicity_department")
    Department.objects.get_or_create(code=seed.PUBLICITY[0], defaults={"name": seed.PUBLICITY[1]})


def linking(lect: Any, start: str, end: str, village: Any) -> Any:
    def call() -> int:
        actor = User.objects.get(pk=lect.admin.pk)  # each "request" loads its own user
        return link_create(
            actor=actor,
            speaker_id=lect.leader.pk,
            town_code=village.parent.code,
            village_code=village.code,
            enterprise_id=lect.enterprise.pk,
            term_start=dt.date.fromisoformat(start),
            term_end=dt.date.fromisoformat(end),
        ).pk

    return call


def test_two_requests_for_overlapping_terms_at_once_save_one_link(lect) -> None:
    tree = lect.tree
    results = in_threads(
        [
            linking(lect, "2026-01-01", "2026-12-31", tree.village_b1),
            linking(lect, "2026-06-01", "2027-05-31", tree.village_a1),
        ],
        workers=2,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    conflict = next(r for r in results if isinstance(r, Conflict))
    assert conflict.code == "link_overlap"
    assert list(AdoptionLink.objects.values_list("pk", flat=True)) == [next(r for r in results if isinstance(r, int))]


def test_eight_requests_for_the_same_term_save_one_link(lect) -> None:
    results = in_threads([linking(lect, "2026-01-01", "2026-12-31", lect.tree.village_b1) for _ in range(8)], workers=8)
    assert sum(isinstance(r, int) for r in results) == 1
    assert [r.code for r in results if not isinstance(r, int)] == ["link_overlap"] * 7
    assert AdoptionLink.objects.count() == 1
