"""Migration 0003 on a database that already holds subjects: their names are searchable once it
has run, and it can be unapplied and applied again on either engine."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import make_organisation, make_person, make_user
from rongxin.subjects.selectors import subject_search

BEFORE = [("subjects", "0002_notice")]

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    executor.loader.build_graph()


def test_subjects_registered_before_the_migration_are_found_after_it(tree):
    # given subjects written while the search indexes did not exist
    officer = make_user("officer", Role.TOWN_OFFICER, tree.town_a)
    _migrate(BEFORE)
    try:
        org = make_organisation(tree.village_a1, name="荣成市永泰水产品加工有限公司")
        person = make_person(tree.village_a1, name="李永泰")
    finally:
        # when the migration runs over them
        _migrate()
    # then two characters and three find them
    assert [s.pk for s in subject_search(actor=officer, query="永泰")] == [person.pk, org.pk]
    assert [s.pk for s in subject_search(actor=officer, query="永泰水产")] == [org.pk]


def test_the_migration_can_be_unapplied_and_applied_again(tree):
    # given a subject
    officer = make_user("officer", Role.TOWN_OFFICER, tree.town_a)
    org = make_organisation(tree.village_a1, name="荣成市永泰水产品加工有限公司")
    # when the migration is unapplied, then applied again
    _migrate(BEFORE)
    _migrate()
    # then the subject is still found
    assert [s.pk for s in subject_search(actor=officer, query="水产品")] == [org.pk]
