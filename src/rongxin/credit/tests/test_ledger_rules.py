"""Integrity rules of the ledger (issue 10): nobody records on their own record on any path,
programme rules only from their programme, permission before validation, and a decided
objection is final unless new evidence goes to another reviewer."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from rongxin.accounts.domain.roles import Role
from rongxin.conftest import client_for, link, make_organisation, make_person, make_user
from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, Rule, SubjectCredit, Transition
from rongxin.credit.selectors.queues import review_queue
from rongxin.credit.services.awards import Award, awards_record
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append
from rongxin.credit.services.catalogue import catalogue_draft_create, catalogue_publish
from rongxin.credit.services.due_process import entry_object, entry_review, objection_decide
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.reconcile import credit_reconcile, credit_reconcile_fast
from rongxin.credit.tests.conftest import person_document, rule
from rongxin.subjects.models import Notice

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county
HOURS = rule(
    "T-HRS", "award", (1, 100), departments=["volunteer_federation", "civilization_office"], programme="volunteering"
)


@pytest.fixture
def hours_catalogue(db, frozen):
    doc = person_document()
    doc["rules"] = [*doc["rules"], HOURS]
    c = catalogue_draft_create(actor=None, document=doc)
    return catalogue_publish(actor=None, catalogue_id=c.pk)


def score(subject_id):
    c = SubjectCredit.objects.get(pk=subject_id)
    return c.score, c.grade


def deduction(people, key="k1", points=10):
    entry, _ = entry_record(
        actor=people["police"],
        subject_id=people["person"].subject.pk,
        rule_code="T-GEN",
        points=points,
        occurred_at=T0 - dt.timedelta(days=1),
        evidence="执法记录仪 0301",
        source_key=key,
    )
    return entry


def hours_award(subject_id, key="volunteering:1:1:r1", points=30):
    return Award(
        subject_id=subject_id,
        rule_code="T-HRS",
        points=points,
        occurred_at=T0 - dt.timedelta(hours=2),
        evidence="志愿服务记录：清扫，核验服务时长3小时",
        source_key=key,
    )


# --- Programme rules ------------------------------------------------------------------------
def test_a_rule_earned_by_verified_hours_cannot_be_recorded_by_hand(hours_catalogue, people):
    # given a village officer who may record local awards
    subject_id = people["person"].subject.pk
    # when they type in the hours rule by hand
    with pytest.raises(Forbidden) as info:
        entry_record(
            actor=people["village"],
            subject_id=subject_id,
            rule_code="T-HRS",
            points=79,
            occurred_at=T0 - dt.timedelta(days=1),
            evidence="说是做了很多志愿服务",
            source_key="by-hand",
        )
    # then it is refused and nothing is written
    assert info.value.code == "programme_only"
    assert Entry.objects.count() == 0
    assert Rule.objects.get(catalogue=hours_catalogue, code="T-HRS").programme == "volunteering"


def test_the_programme_records_its_own_rule(hours_catalogue, people):
    subject_id = people["person"].subject.pk
    outcomes = awards_record(awards=[hours_award(subject_id)], department_code="volunteer_federation")
    assert [(o.status, o.points) for o in outcomes] == [("created", 30)]
    assert score(subject_id) == (1030, "AA")


def test_the_bulk_append_refuses_a_programme_rule_from_an_import(hours_catalogue, people):
    subject_id = people["person"].subject.pk
    rule_row = Rule.objects.get(catalogue=hours_catalogue, code="T-HRS")
    entry = NewEntry(
        subject_id=subject_id,
        rule=rule_row,
        points=30,
        occurred_at=T0 - dt.timedelta(days=1),
        recorded_at=None,
        department_id=None,
        recorder_id=people["village"].pk,
        source=Entry.Source.IMPORT,
        source_key="row-2",
        content_hash="0" * 64,
        evidence="导入",
    )
    with pytest.raises(Forbidden) as info:
        ledger_bulk_append(entries=[entry])
    assert info.value.code == "programme_only"
    assert Entry.objects.count() == 0


# --- Own record at the ledger write ----------------------------------------------------------
def test_the_bulk_append_refuses_an_entry_on_the_recorders_own_record(catalogue, people, tree):
    # given a recorder who is also a resident with a credit file
    me = make_person(tree.village_a1, name="李记录", consent=True)
    link(people["police"], me.subject)
    rule_row = Rule.objects.get(catalogue=catalogue, code="T-AWD")
    entry = NewEntry(
        subject_id=me.subject.pk,
        rule=rule_row,
        points=5,
        occurred_at=T0 - dt.timedelta(days=1),
        recorded_at=None,
        department_id=None,
        recorder_id=people["police"].pk,
        source=Entry.Source.IMPORT,
        source_key="row-2",
        content_hash="0" * 64,
        evidence="好人好事",
    )
    # when any path appends it
    with pytest.raises(Forbidden) as info:
        ledger_bulk_append(entries=[entry])
    # then the ledger refuses it
    assert info.value.code == "own_record"
    assert Entry.objects.count() == 0


def test_an_organisers_own_award_waits_for_the_credit_office(hours_catalogue, people, tree):
    # given an organiser who closes an activity they served in themselves
    organiser = make_user("leader", Role.TEAM_LEADER, tree.town_a)
    me = make_person(tree.village_a1, name="王队长", consent=True)
    link(organiser, me.subject)
    other = people["person"].subject.pk
    # when the programme records the hours awards with the organiser as recorder
    outcomes = awards_record(
        awards=[hours_award(me.subject.pk, key="v:1:me"), hours_award(other, key="v:1:other")],
        department_code="volunteer_federation",
        recorder=organiser,
    )
    # then the organiser's own award is held for review; the other counts at once
    assert [(o.source_key, o.status, o.points) for o in outcomes] == [
        ("v:1:me", "held", 30),
        ("v:1:other", "created", 30),
    ]
    mine = Entry.objects.get(source_key="v:1:me")
    assert mine.status == Entry.Status.PENDING_REVIEW
    assert (mine.effective_at, mine.counts_until) == (None, None)
    assert list(mine.transitions.values_list("kind", "actor_id")) == [("held", None)]
    assert score(me.subject.pk) == (1000, "A")
    assert score(other) == (1030, "AA")
    assert Notice.objects.filter(subject_id=me.subject.pk).count() == 0
    assert [e.pk for e in review_queue(actor=people["reviewer"]).pending_review] == [mine.pk]
    assert credit_reconcile_fast(at=T0)[1] == []
    # when a colleague at the credit office approves it
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        entry_review(actor=people["reviewer"], entry_id=mine.pk, approve=True)
        # then it counts from the approval, and the ledger still reconciles
        assert score(me.subject.pk) == (1030, "AA")
        mine.refresh_from_db()
        assert mine.effective_at == T0 + dt.timedelta(days=1)
        assert credit_reconcile_fast(at=T0 + dt.timedelta(days=1))[1] == []
        assert credit_reconcile(at=T0 + dt.timedelta(days=1))[1] == []
    # and the organiser cannot approve their own award
    with pytest.raises(NotFound):
        entry_review(actor=organiser, entry_id=mine.pk, approve=True)


# --- Permission before validation --------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"occurred_at": dt.datetime(2026, 2, 1, 10, 0)},  # naive
        {"occurred_at": T0 + dt.timedelta(days=30)},  # future
        {"evidence": ""},
        {"source_key": ""},
        {"rule_code": "NO-SUCH"},
    ],
    ids=["naive", "future", "no-evidence", "no-key", "unknown-rule"],
)
@pytest.mark.parametrize("actor", ["no_role", "town_b_officer", "auditor", "team_leader"])
def test_an_invalid_record_from_an_outsider_reads_as_not_found(catalogue, people, staff, actor, body):
    # given a valid request changed in one field, from an account that may not record here
    request = {
        "subject_id": people["person"].subject.pk,
        "rule_code": "T-AWD",
        "points": None,
        "occurred_at": T0 - dt.timedelta(days=1),
        "evidence": "好人好事",
        "source_key": "x",
        **body,
    }
    # when it is sent for an existing subject and for one that does not exist
    with pytest.raises(NotFound):
        entry_record(actor=staff[actor], **request)
    with pytest.raises(NotFound):
        entry_record(actor=staff[actor], **{**request, "subject_id": 987654})
    # then both answers are the same and nothing is written
    assert Entry.objects.count() == 0


def test_api_invalid_record_from_an_outsider_is_404_like_a_missing_subject(catalogue, people, staff):
    body = {
        "subject_id": people["person"].subject.pk,
        "rule_code": "T-AWD",
        "occurred_at": "2026-02-01T10:00:00",  # naive: invalid for anyone
        "evidence": "x",
        "source_key": "x",
    }
    client = client_for(staff["town_b_officer"])
    existing = client.post("/api/v1/credit/entries", body, content_type="application/json")
    missing = client.post("/api/v1/credit/entries", {**body, "subject_id": 987654}, content_type="application/json")
    assert (existing.status_code, existing.json()["code"]) == (404, "not_found")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


# --- Objections: a decided objection is final unless new evidence goes to another reviewer ----
def test_a_decided_objection_is_final_without_new_evidence(catalogue, people):
    # given a deduction whose objection was decided: the record stands
    entry = deduction(people)
    subject_id = people["person"].subject.pk
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="当天我不在现场")
        objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=True, reason="有视频证据")
    assert score(subject_id) == (990, "A")
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        # when the resident objects again without new evidence
        with pytest.raises(InvalidInput) as info:
            entry_object(actor=people["resident"], entry_id=entry.pk, reason="我还是不服")
        # then it is refused and the record keeps counting
        assert info.value.errors[0]["code"] == "new_evidence_required"
        assert score(subject_id) == (990, "A")
        # when they bring new evidence
        t = entry_object(
            actor=people["resident"], entry_id=entry.pk, reason="我还是不服", evidence="停车场出入记录：当天 9:00 离开"
        )
        # then the further objection is lodged, the record still counts, and nothing suspends it
        assert t.kind == "objected_again"
        entry.refresh_from_db()
        assert entry.status == Entry.Status.ACTIVE
        assert score(subject_id) == (990, "A")
        # and one further objection at a time
        with pytest.raises(Conflict) as conflict:
            entry_object(actor=people["resident"], entry_id=entry.pk, reason="再补充", evidence="证人：李四")
        assert conflict.value.code == "objection_pending"
        # and the reviewer who decided before may not decide it
        with pytest.raises(Forbidden) as forbidden:
            objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=True, reason="维持")
        assert forbidden.value.code == "same_reviewer"
        # and the queue shows the reviewer the reason and the evidence
        (item,) = review_queue(actor=people["reviewer2"]).objections
        assert (item.entry.pk, item.further, item.reason, item.evidence) == (
            entry.pk,
            True,
            "我还是不服",
            "停车场出入记录：当天 9:00 离开",
        )
        # when a different reviewer decides that the record stands
        objection_decide(actor=people["reviewer2"], entry_id=entry.pk, uphold=True, reason="出入记录不能证明")
    # then it keeps counting, and the same evidence cannot be used again
    assert score(subject_id) == (990, "A")
    with time_machine.travel(T0 + dt.timedelta(days=4), tick=False), pytest.raises(InvalidInput) as info:
        entry_object(
            actor=people["resident"], entry_id=entry.pk, reason="第三次", evidence="停车场出入记录：当天 9:00 离开"
        )
    assert info.value.errors[0]["code"] == "evidence_not_new"
    assert list(Transition.objects.order_by("seq").values_list("kind", flat=True)) == [
        "objected",
        "upheld",
        "objected_again",
        "upheld_again",
    ]
    assert credit_reconcile_fast(at=T0 + dt.timedelta(days=4))[1] == []


def test_a_further_objection_with_new_evidence_can_revoke_the_record(catalogue, people):
    entry = deduction(people)
    subject_id = people["person"].subject.pk
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我")
        objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=True, reason="维持")
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我", evidence="车辆已于2月转让，附合同")
        objection_decide(actor=people["reviewer2"], entry_id=entry.pk, uphold=False, reason="转让属实")
    entry.refresh_from_db()
    assert entry.status == Entry.Status.REVOKED
    assert score(subject_id) == (1000, "A")
    assert AuditEvent.objects.filter(action="credit.entry.objected_again", subject_id=subject_id).count() == 1
    assert credit_reconcile_fast(at=T0 + dt.timedelta(days=2))[1] == []
    assert credit_reconcile(at=T0 + dt.timedelta(days=2))[1] == []


def test_a_further_objection_is_open_for_the_window_after_the_decision(catalogue, people):
    entry = deduction(people)
    with time_machine.travel(T0 + dt.timedelta(days=13), tick=False):
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我")
        objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=True, reason="维持")
    # the first window (14 days from recording) has passed, the one after the decision has not
    with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
        t = entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我", evidence="新证据：监控截图")
    assert t.kind == "objected_again"


def test_nothing_to_decide_on_a_counting_record(catalogue, people):
    entry = deduction(people)
    with pytest.raises(Conflict) as info:
        objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=False, reason="直接撤销")
    assert info.value.code == "no_objection_pending"
    assert Transition.objects.count() == 0
    assert score(people["person"].subject.pk) == (990, "A")


def test_the_review_page_shows_the_objections_reason_and_evidence(catalogue, people):
    entry = deduction(people)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="当天我在外地", evidence="火车票 G123")
        page = client_for(people["reviewer"]).get("/credit/review/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "当天我在外地" in text
    assert "火车票 G123" in text


def test_further_objections_go_to_the_other_reviewer_each_time(catalogue, people):
    # given a deduction upheld by reviewer 1, then a further objection upheld by reviewer 2
    entry = deduction(people)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我")
        objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=True, reason="维持")
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我", evidence="证据一")
        objection_decide(actor=people["reviewer2"], entry_id=entry.pk, uphold=True, reason="维持")
        # when the resident objects again with other new evidence
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="不是我", evidence="证据二")
        # then reviewer 2 (whose decision it contests) may not decide, reviewer 1 may
        with pytest.raises(Forbidden):
            objection_decide(actor=people["reviewer2"], entry_id=entry.pk, uphold=True, reason="维持")
        t = objection_decide(actor=people["reviewer"], entry_id=entry.pk, uphold=False, reason="证据二属实")
    assert t.kind == "revoked"
    assert score(people["person"].subject.pk) == (1000, "A")


def test_decided_further_objections_never_crowd_a_pending_one_out_of_the_queue(catalogue, people, tree):
    # given 201 deductions whose further objections were decided, then one that is pending
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        for i in range(201):
            e = deduction(people, key=f"k{i}", points=10)
            entry_object(actor=people["resident"], entry_id=e.pk, reason="不是我")
            objection_decide(actor=people["reviewer"], entry_id=e.pk, uphold=True, reason="维持")
            entry_object(actor=people["resident"], entry_id=e.pk, reason="不是我", evidence=f"证据{i}")
            if i < 200:
                objection_decide(actor=people["reviewer2"], entry_id=e.pk, uphold=True, reason="维持")
        # when the credit office opens its queue
        queue = review_queue(actor=people["reviewer2"])
    # then the pending one is there
    assert [(o.entry.pk, o.further) for o in queue.objections] == [(e.pk, True)]


# --- Programme awards to enterprises ---------------------------------------------------------------
def test_a_programme_award_to_an_enterprise_uses_its_catalogue_and_waits_for_review(catalogue, org_catalogue, people):
    # given an enterprise, and an organisation rule that asks for review beside a person rule
    doc = person_document(subject_kind="organisation", title_zh="企业测试目录（第二版）", effective_from="2026-02-01")
    doc["rules"] = [*doc["rules"], rule("T-EDON", "award", (1, 20), review_required=True)]
    catalogue_publish(actor=None, catalogue_id=catalogue_draft_create(actor=None, document=doc).pk)
    firm = make_organisation(people["person"].subject.village, name="荣信海产有限公司")
    award = Award(
        subject_id=firm.subject.pk,
        rule_code="T-EDON",
        points=8,
        occurred_at=T0 - dt.timedelta(hours=1),
        evidence="暖心食堂受赠凭证：大米 200 公斤",
        source_key="canteen-donation:1",
    )
    # when the programme records it, twice (a retry)
    first = awards_record(awards=[award], department_code="civilization_office", source=Entry.Source.CANTEEN)
    again = awards_record(awards=[award], department_code="civilization_office", source=Entry.Source.CANTEEN)
    # then one entry, under the organisation catalogue's rule, held for the credit office
    assert [(o.status, o.points) for o in first] == [("held", 8)]
    assert [(o.status, o.points) for o in again] == [("existing", 8)]
    entry = Entry.objects.get(subject_id=firm.subject.pk)
    assert (entry.rule.code, entry.rule.catalogue.subject_kind, entry.status) == (
        "T-EDON",
        "organisation",
        Entry.Status.PENDING_REVIEW,
    )
    assert score(firm.subject.pk) == (1000, "A")
    # and a person rule is not in force for the enterprise
    with pytest.raises(InvalidInput) as raised:
        awards_record(
            awards=[Award(firm.subject.pk, "T-HRS", 3, T0 - dt.timedelta(hours=1), "记录", "v:firm")],
            department_code="civilization_office",
        )
    assert raised.value.code == "unknown_rule"
