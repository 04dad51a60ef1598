"""The bulk append's score refresh: the incremental path (old score + what the new entries add)
must give what the facts give, the full path must take over whenever the cache may be stale,
and a catalogue that comes into force rescores everyone of its kind."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.conftest import make_id_number, make_person
from rongxin.credit.models import Catalogue, SubjectCredit
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.imports import import_create, import_process
from rongxin.credit.services.reconcile import credit_reconcile
from rongxin.credit.services.scores import catalogues_apply
from rongxin.credit.tests.conftest import person_document

pytestmark = pytest.mark.django_db
HEADER = "证件号码,规则编码,分值,发生时间,证据,记录编号\n"
FULL_SUM = "SUM(e.points)"


def run(actor: Any, lines: list[str]) -> Any:
    content = (HEADER + "\n".join(lines) + "\n").encode("utf-8")
    batch = import_create(actor=actor, department_code="traffic_police", file_name="r.csv", content=content)
    batch = import_process(batch_id=batch.pk)
    assert batch.status == "done", batch.errors
    return batch


@pytest.fixture
def two(tree: Any, catalogue: Any, frozen: Any) -> list[tuple[str, int]]:
    out = []
    for i in range(2):
        number = make_id_number(birth=f"19{80 + i}0101")
        out.append((number, make_person(tree.village_a1, name=f"甲{i}", id_number=number, consent=True).pk))
    return out


def scores(ids: list[int]) -> list[int | None]:
    return [SubjectCredit.objects.get(pk=i).score for i in ids]


def test_the_incremental_path_matches_the_facts(people: Any, two: Any) -> None:
    (n0, s0), (n1, s1) = two
    assert catalogue_in_force_applied()
    with CaptureQueriesContext(connection) as first:
        run(people["police"], [f"{n0},T-GEN,12,2026-02-01,现场,A1", f"{n1},T-MIN,,2026-02-02,现场,A2"])
    assert any(FULL_SUM in q["sql"] for q in first.captured_queries)  # new chains: full path
    assert scores([s0, s1]) == [988, 998]
    with CaptureQueriesContext(connection) as second:
        run(people["police"], [f"{n0},T-MIN,,2026-02-03,现场,A3", f"{n1},T-GEN,15,2026-02-04,现场,A4"])
    assert not any(FULL_SUM in q["sql"] for q in second.captured_queries)  # both incremental
    assert scores([s0, s1]) == [986, 983]
    assert credit_reconcile()[1] == []


def test_an_entry_due_to_expire_sends_the_subject_down_the_full_path(people: Any, two: Any, frozen: Any) -> None:
    (n0, s0), (n1, s1) = two
    run(people["police"], [f"{n0},T-MIN,,2026-02-20,现场,B1", f"{n1},T-MIN,,2026-02-20,现场,B2"])
    assert scores([s0, s1]) == [998, 998]
    frozen.move_to("2026-06-15 10:00 +0800")  # the minor entries (90 days) have ended, unapplied
    with CaptureQueriesContext(connection) as ctx:
        run(people["police"], [f"{n0},T-GEN,10,2026-06-01,现场,B3"])
    assert any(FULL_SUM in q["sql"] for q in ctx.captured_queries)
    assert scores([s0, s1]) == [990, 998]  # s1 untouched until the worker's time job
    assert {d.subject_id for d in credit_reconcile()[1]} == {s1}


def catalogue_in_force_applied() -> bool:
    return Catalogue.objects.filter(status="published", applied_at__isnull=False).count() == 1


def test_a_new_catalogue_rescoring_everyone_when_it_comes_into_force(people: Any, two: Any, frozen: Any) -> None:
    (n0, s0), (n1, s1) = two
    run(people["police"], [f"{n0},T-GEN,12,2026-02-01,现场,C1", f"{n1},T-MIN,,2026-02-02,现场,C2"])
    draft = catalogue_draft_create(
        actor=None, document=person_document(effective_from="2026-04-01", base_score=1100, title_zh="第二版")
    )
    v2 = catalogue_publish(actor=None, catalogue_id=draft.pk)
    assert v2.applied_at is None  # subjects are scored: the worker rescores on the day
    frozen.move_to("2026-04-01 00:30 +0800")
    assert {d.subject_id for d in credit_reconcile()[1]} == {s0, s1}  # stale until applied
    with CaptureQueriesContext(connection) as ctx:
        run(people["police"], [f"{n0},T-MIN,,2026-03-30,现场,C3"])
    assert any(FULL_SUM in q["sql"] for q in ctx.captured_queries)  # not applied yet: full path
    assert catalogues_apply() == 2
    v2.refresh_from_db()
    assert v2.applied_at is not None
    assert scores([s0, s1]) == [1086, 1098]
    assert credit_reconcile()[1] == []
    assert catalogues_apply() == 0
