from __future__ import annotations

from typing import Any

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import link, make_organisation, make_person, make_user
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish

GRADES = [
    {"code": "AAA", "min": 1050},
    {"code": "AA", "min": 1030},
    {"code": "A", "min": 960},
    {"code": "B", "min": 850},
    {"code": "C", "min": 600},
    {"code": "D", "min": None},
]


def rule(code: str, direction: str, points: Any, **extra: Any) -> dict[str, Any]:
    item = {
        "code": code,
        "name_zh": f"测试规则{code}",
        "name_en": f"Test rule {code}",
        "category": "traffic" if direction == "deduction" else "good_deed",
        "direction": direction,
        "evidence": "现场记录",
        "departments": ["traffic_police"] if direction == "deduction" else ["civilization_office"],
    }
    if isinstance(points, tuple):
        item["points_min"], item["points_max"] = points
    else:
        item["points"] = points
    if direction == "deduction":
        item.setdefault("severity", "general")
        item["legal_basis"] = "《中华人民共和国道路交通安全法》第四十七条"
    item.update(extra)
    return item


def person_document(**overrides: Any) -> dict[str, Any]:
    doc = {
        "subject_kind": "person",
        "title_zh": "测试目录",
        "effective_from": "2025-01-01",
        "base_score": 1000,
        "grades": GRADES,
        "rules": [
            rule("T-AWD", "award", 5),
            rule("T-VOL", "award", 1, departments=["volunteer_federation", "civilization_office"], yearly_cap_points=3),
            rule("T-ONCE", "award", 20, yearly_cap_count=1),
            rule("T-GEN", "deduction", (10, 20)),
            rule("T-SER", "deduction", 50, severity="serious", review_required=True, departments=["court"]),
            rule("T-MIN", "deduction", 2, severity="minor"),
        ],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel("2026-03-01 10:00 +0800", tick=False) as traveller:
        yield traveller


@pytest.fixture
def catalogue(db: Any, frozen: Any) -> Any:
    c = catalogue_draft_create(actor=None, document=person_document())
    return catalogue_publish(actor=None, catalogue_id=c.pk)


@pytest.fixture
def org_catalogue(db: Any, frozen: Any) -> Any:
    doc = person_document(subject_kind="organisation", title_zh="企业测试目录")
    c = catalogue_draft_create(actor=None, document=doc)
    return catalogue_publish(actor=None, catalogue_id=c.pk)


@pytest.fixture
def people(tree: Any, staff: Any, traffic: Any, frozen: Any) -> dict[str, Any]:
    """A consenting resident with an account, the recorders and a reviewer."""
    from rongxin.accounts.models import Department

    person = make_person(tree.village_a1, name="张三", consent=True)
    resident = make_user("zhangsan")
    link(resident, person.subject)
    court = Department.objects.get(code="court")
    return {
        "person": person,
        "resident": resident,
        "police": staff["recorder"],  # traffic police recorder over the county
        "court": make_user("court_recorder", Role.DEPARTMENT_RECORDER, tree.county, department=court),
        "village": staff["village_a1_officer"],
        "reviewer": staff["county_office"],
        "reviewer2": make_user("county_office_2", Role.COUNTY_CREDIT_OFFICE, tree.county),
        "org": make_organisation(tree.village_a1),
    }
