import pytest

from rongxin.credit.selectors.simulation import credit_simulate, simulation_summary
from rongxin.credit.services.catalogue import catalogue_draft_create
from rongxin.credit.services.entries import entry_record
from rongxin.credit.tests.conftest import GRADES, person_document, rule
from rongxin.credit.tests.test_services import T0

pytestmark = pytest.mark.django_db


def _record(people, subject, rule_code, points, key, actor="police"):
    import datetime as dt

    entry_record(
        actor=people[actor],
        subject_id=subject.pk,
        rule_code=rule_code,
        points=points,
        occurred_at=T0 - dt.timedelta(days=1),
        evidence="记录",
        source_key=key,
    )


def test_simulation_shows_who_changes_grade_and_why(catalogue, people, tree):
    from rongxin.conftest import make_person

    # given: A 970 (two deductions), B 1005 (award), C 1000, D without consent
    a = people["person"].subject
    b = make_person(tree.village_a1, name="乙", consent=True).subject
    make_person(tree.village_b1, name="丙", consent=True)
    make_person(tree.village_b1, name="丁", consent=False)
    _record(people, a, "T-GEN", 20, "a1")
    _record(people, a, "T-GEN", 10, "a2")
    _record(people, b, "T-AWD", None, "b1", actor="village")
    # when: the draft makes T-GEN 25–30 points and raises grade A to 980
    rules = [r if r["code"] != "T-GEN" else rule("T-GEN", "deduction", (25, 30)) for r in person_document()["rules"]]
    grades = [dict(g) for g in GRADES]
    grades[2]["min"] = 980
    draft = catalogue_draft_create(
        actor=None, document=person_document(rules=rules, grades=grades, effective_from="2027-01-01")
    )
    result = credit_simulate(draft_id=draft.pk)
    # then
    assert (result.subjects, result.changed) == (3, 1)  # 丁 has not consented: no score, left out
    assert dict(result.before) == {"A": 3}
    assert dict(result.after) == {"A": 2, "B": 1}
    assert [(c.subject_id, c.before, c.after, c.drivers) for c in result.sample] == [
        (a.pk, (970, "A"), (950, "B"), [("T-GEN", -20, -25), ("T-GEN", -10, -25)])
    ]
    summary = simulation_summary(result)
    assert summary["by_town"]["崖头街道"] == {"before": {"A": 2}, "after": {"A": 1, "B": 1}}
    assert summary["moves"] == [{"from": "A", "to": "B", "subjects": 1}]


def test_removed_rules_and_shorter_periods_stop_counting(catalogue, people):
    _record(people, people["person"].subject, "T-GEN", 15, "x")
    rules = [r for r in person_document()["rules"] if r["code"] != "T-GEN"]
    draft = catalogue_draft_create(actor=None, document=person_document(rules=rules, effective_from="2027-01-01"))
    result = credit_simulate(draft_id=draft.pk)
    assert result.sample == []
    assert result.changed == 0
    assert simulation_summary(result)["before"] == {"A": 1}


def test_cli_simulate(catalogue, people, capsys):
    from django.core.management import call_command

    draft = catalogue_draft_create(actor=None, document=person_document(base_score=900, effective_from="2027-01-01"))
    call_command("credit", "simulate", "--draft", str(draft.version))
    out = capsys.readouterr().out
    assert "等级变化的主体：1 个" in out
    assert "A → B: 1" in out
