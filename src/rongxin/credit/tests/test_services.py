"""Recording, review, objection, repair and time: exact scores, grades, states and audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from rongxin.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry, GradeChange, SubjectCredit, Transition
from rongxin.credit.selectors.chains import chains_verify
from rongxin.credit.selectors.scores import score_as_of
from rongxin.credit.services.due_process import (
    entry_object,
    entry_review,
    objection_decide,
    repair_apply,
    repair_decide,
)
from rongxin.credit.services.entries import entry_record
from rongxin.credit.services.reconcile import credit_reconcile
from rongxin.credit.services.scores import credit_apply_time_changes
from rongxin.subjects.models import Notice
from rongxin.subjects.services import consent_withdraw

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in the county


def record(people, actor="police", rule="T-GEN", points=15, key="k1", occurred=None, subject=None):
    subject = subject or people["person"].subject
    entry, _ = entry_record(
        actor=people[actor],
        subject_id=subject.pk,
        rule_code=rule,
        points=points,
        occurred_at=occurred or T0 - dt.timedelta(days=1),
        evidence="执法记录仪 0301",
        source_key=key,
    )
    return entry


def state(people):
    c = SubjectCredit.objects.get(pk=people["person"].pk)
    return c.score, c.grade


def test_a_deduction_counts_at_once_and_notifies(catalogue, people):
    # when
    entry = record(people, points=15)
    # then
    assert (entry.points, entry.status, entry.seq) == (-15, "active", 1)
    assert entry.counts_until == T0 + dt.timedelta(days=365)
    assert state(people) == (985, "A")
    notice = Notice.objects.get(subject_id=people["person"].pk)
    assert notice.title == "信用记录：测试规则T-GEN（-15 分）"
    assert notice.body == "如有异议，请于 2026-03-16 10:00 前提出。"
    assert list(
        AuditEvent.objects.filter(action="credit.entry.record").values_list(
            "actor_name", "actor_role", "subject_id", "details"
        )
    ) == [
        (
            "recorder",
            "department_recorder",
            people["person"].pk,
            {"rule": "T-GEN", "points": -15, "department": "traffic_police", "source": "manual"},
        )
    ]


def test_village_officer_records_a_local_award(catalogue, people):
    entry = record(people, actor="village", rule="T-AWD", points=None, key="a1")
    assert (entry.points, entry.department.code) == (5, "civilization_office")
    assert state(people) == (1005, "A")


@pytest.mark.parametrize(
    ("actor", "rule", "error", "code"),
    [
        ("police", "T-AWD", Forbidden, "rule_not_for_department"),
        ("village", "T-GEN", Forbidden, "rule_not_for_department"),
        ("police", "NOPE", InvalidInput, "unknown_rule"),
    ],
)
def test_recording_rights(catalogue, people, actor, rule, error, code):
    with pytest.raises(error) as info:
        record(people, actor=actor, rule=rule, points=None if rule == "T-AWD" else 15)
    assert info.value.code == code
    assert Entry.objects.count() == 0


def test_out_of_region_is_not_found_and_own_record_is_forbidden(catalogue, people, staff, tree):
    from rongxin.conftest import link, make_person

    other = make_person(tree.village_b1, name="外镇居民", consent=True)
    with pytest.raises(NotFound):
        entry_record(
            actor=people["village"],
            subject_id=other.pk,
            rule_code="T-AWD",
            occurred_at=T0,
            evidence="x",
            source_key="k",
        )
    link(people["police"], other.subject)
    with pytest.raises(Forbidden):
        entry_record(
            actor=people["police"],
            subject_id=other.pk,
            rule_code="T-GEN",
            points=10,
            occurred_at=T0,
            evidence="x",
            source_key="k",
        )
    assert Entry.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"points": 21}, "points_out_of_range"),
        ({"points": 9}, "points_out_of_range"),
        ({"points": None}, "points_required"),
        ({"occurred": T0 + dt.timedelta(minutes=1)}, "future_date"),
        ({"occurred": dt.datetime(2024, 12, 31, tzinfo=dt.UTC)}, "unknown_rule"),  # before the catalogue took effect
    ],
)
def test_bad_recordings_are_refused(catalogue, people, kwargs, code):
    with pytest.raises(InvalidInput) as info:
        record(people, **kwargs)
    assert info.value.code == code
    assert (Entry.objects.count(), SubjectCredit.objects.filter(chain_seq__gt=0).count()) == (0, 0)


def test_idempotent_retry_and_conflicting_reuse(catalogue, people):
    first = record(people, key="same")
    again, created = entry_record(
        actor=people["police"],
        subject_id=people["person"].pk,
        rule_code="T-GEN",
        points=15,
        occurred_at=T0 - dt.timedelta(days=1),
        evidence="执法记录仪 0301",
        source_key="same",
    )
    assert (again.pk, created) == (first.pk, False)
    with pytest.raises(Conflict) as info:
        record(people, key="same", points=16)
    assert info.value.code == "idempotency_conflict"
    assert Entry.objects.count() == 1
    assert state(people) == (985, "A")


def test_yearly_caps(catalogue, people):
    record(people, actor="village", rule="T-VOL", points=None, key="v1")
    record(people, actor="village", rule="T-VOL", points=None, key="v2")
    record(people, actor="village", rule="T-VOL", points=None, key="v3")
    with pytest.raises(InvalidInput) as info:
        record(people, actor="village", rule="T-VOL", points=None, key="v4")
    assert (info.value.code, str(info.value.errors[0]["message"])) == (
        "yearly_cap_points",
        "规则 T-VOL 每个主体每年最多 3 分，2026 年还剩 0 分。",
    )
    # The next calendar year has its own cap.
    record(people, actor="village", rule="T-ONCE", points=None, key="o1")
    with pytest.raises(InvalidInput) as info:
        record(people, actor="village", rule="T-ONCE", points=None, key="o2")
    assert info.value.code == "yearly_cap_count"
    assert state(people) == (1023, "A")


def test_review_then_publicity(catalogue, people):
    entry = record(people, actor="court", rule="T-SER", points=None, key="s1")
    assert (entry.status, entry.effective_at, state(people)) == ("pending_review", None, (1000, "A"))
    with pytest.raises(NotFound):
        entry_review(actor=people["court"], entry_id=entry.pk, approve=True)  # not a reviewer
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        entry_review(actor=people["reviewer"], entry_id=entry.pk, approve=True)
    entry.refresh_from_db()
    assert (entry.status, entry.effective_at) == ("active", T0 + dt.timedelta(days=2))
    assert state(people) == (950, "B")
    assert list(GradeChange.objects.values_list("old_grade", "new_grade", "cause")) == [
        ("", "A", "entry.record"),
        ("A", "B", "credit.entry.approved"),
    ]


def test_reviewer_may_not_review_own_recording(catalogue, people, tree):
    from rongxin.accounts.domain.roles import Role
    from rongxin.accounts.permissions import forget_grants
    from rongxin.accounts.services import GrantSpec, grant_add

    entry = record(people, actor="court", rule="T-SER", points=None, key="s1")
    grant_add(actor=None, user=people["court"], spec=GrantSpec(role=Role.COUNTY_CREDIT_OFFICE, region=tree.county))
    forget_grants(people["court"])
    with pytest.raises(Forbidden) as info:
        entry_review(actor=people["court"], entry_id=entry.pk, approve=True)
    assert info.value.code == "own_entry"


def test_objection_suspends_then_upheld_or_revoked(catalogue, people):
    a = record(people, key="a", points=10)
    b = record(people, key="b", points=20)
    assert state(people) == (970, "A")
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        entry_object(actor=people["resident"], entry_id=a.pk, reason="当天我不在现场")
        entry_object(actor=people["resident"], entry_id=b.pk, reason="车辆已转让")
        assert state(people) == (1000, "A")
        with pytest.raises(NotFound):
            objection_decide(
                actor=people["police"], entry_id=a.pk, uphold=True, reason="x"
            )  # a recorder is no reviewer
        objection_decide(actor=people["reviewer"], entry_id=a.pk, uphold=True, reason="有视频证据")
        objection_decide(actor=people["reviewer2"], entry_id=b.pk, uphold=False, reason="转让属实")
    assert state(people) == (990, "A")
    assert list(Transition.objects.order_by("seq").values_list("entry_id", "kind", "seq")) == [
        (a.pk, "objected", 3),
        (b.pk, "objected", 4),
        (a.pk, "upheld", 5),
        (b.pk, "revoked", 6),
    ]
    with pytest.raises(Conflict):
        objection_decide(actor=people["reviewer"], entry_id=b.pk, uphold=True, reason="再议")


def test_objection_window_and_awards(catalogue, people):
    entry = record(people, points=10)
    award = record(people, actor="village", rule="T-AWD", points=None, key="aw")
    with pytest.raises(InvalidInput) as info:
        entry_object(actor=people["resident"], entry_id=award.pk, reason="?")
    assert info.value.code == "not_a_deduction"
    with time_machine.travel(T0 + dt.timedelta(days=15), tick=False), pytest.raises(InvalidInput) as info:
        entry_object(actor=people["resident"], entry_id=entry.pk, reason="太晚了")
    assert info.value.code == "objection_window_closed"
    with pytest.raises(NotFound):
        entry_object(actor=people["police"], entry_id=entry.pk, reason="not the subject")
    assert Transition.objects.count() == 0


def test_repair_after_the_minimum_period(catalogue, people):
    entry = record(people, points=10)
    with time_machine.travel(T0 + dt.timedelta(days=89), tick=False), pytest.raises(InvalidInput) as info:
        repair_apply(actor=people["resident"], entry_id=entry.pk, commitment="保证遵守交规", evidence="学习证明")
    assert (info.value.code, str(info.value.message)) == ("repair_too_early", "可于 2026-05-30 起申请信用修复。")
    with time_machine.travel(T0 + dt.timedelta(days=90), tick=False):
        repair_apply(
            actor=people["resident"], entry_id=entry.pk, commitment="保证遵守交规", evidence="交通安全学习证明"
        )
        with pytest.raises(Conflict):
            repair_apply(actor=people["resident"], entry_id=entry.pk, commitment="再次申请", evidence="同上")
        assert state(people) == (990, "A")
        repair_decide(actor=people["reviewer"], entry_id=entry.pk, approve=True, reason="整改到位")
        assert state(people) == (1000, "A")
    entry.refresh_from_db()
    assert entry.status == "repaired"


def test_entries_stop_counting_at_the_end_of_their_period(catalogue, people):
    record(people, rule="T-MIN", points=None, key="m")  # minor: 90 days
    record(people, points=10, key="g")  # general: 365 days
    assert state(people) == (988, "A")
    credit = SubjectCredit.objects.get(pk=people["person"].pk)
    assert credit.next_change_at == T0 + dt.timedelta(days=90)
    assert credit_apply_time_changes(now=T0 + dt.timedelta(days=89)) == 0
    assert credit_apply_time_changes(now=T0 + dt.timedelta(days=90)) == 1
    assert state(people) == (990, "A")
    assert credit_apply_time_changes(now=T0 + dt.timedelta(days=365)) == 1
    assert state(people) == (1000, "A")
    assert sorted(Entry.objects.values_list("status", flat=True)) == ["expired", "expired"]
    assert credit_apply_time_changes(now=T0 + dt.timedelta(days=366)) == 0


def test_score_as_of_reads_the_past_from_the_facts(catalogue, people):
    a = record(people, points=10, key="a")
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        entry_object(actor=people["resident"], entry_id=a.pk, reason="异议")
    with time_machine.travel(T0 + dt.timedelta(days=5), tick=False):
        objection_decide(actor=people["reviewer"], entry_id=a.pk, uphold=True, reason="维持")
    subject = people["person"].subject
    assert score_as_of(subject=subject, at=T0 - dt.timedelta(seconds=1)) == (None, "")  # consent came at T0
    assert score_as_of(subject=subject, at=T0) == (990, "A")
    assert score_as_of(subject=subject, at=T0 + dt.timedelta(days=4)) == (1000, "A")
    assert score_as_of(subject=subject, at=T0 + dt.timedelta(days=6)) == (990, "A")
    assert score_as_of(subject=subject, at=T0 + dt.timedelta(days=400)) == (1000, "A")


def test_no_consent_no_score_but_records_are_kept(catalogue, people):
    record(people, points=10)
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        consent_withdraw(actor=people["resident"], subject_id=people["person"].pk, channel="online")
    assert state(people) == (None, "")
    assert Entry.objects.count() == 1
    assert score_as_of(subject=people["person"].subject, at=T0 + dt.timedelta(days=2)) == (None, "")
    assert list(GradeChange.objects.values_list("new_grade", "cause").order_by("id"))[-1] == ("", "consent.withdraw")


def test_organisations_are_scored_without_consent(catalogue, org_catalogue, people, tree):
    org = people["org"].subject
    entry_record(
        actor=people["police"],
        subject_id=org.pk,
        rule_code="T-GEN",
        points=12,
        occurred_at=T0,
        evidence="x",
        source_key="o",
    )
    assert SubjectCredit.objects.get(pk=org.pk).score == 988


def test_verify_and_reconcile_pass_then_catch_tampering(catalogue, people):
    a = record(people, points=10, key="a")
    record(people, points=12, key="b")
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        entry_object(actor=people["resident"], entry_id=a.pk, reason="异议")
    assert chains_verify() == (1, 3, None)
    assert credit_reconcile(at=T0 + dt.timedelta(days=2)) == (1, [])
    # Someone edits a stored fact behind the application's back.
    Entry.objects.filter(pk=a.pk).update(points=-1)
    _chains, _facts, broken = chains_verify()
    assert (broken.subject_id, broken.seq, broken.fact, broken.reason) == (
        people["person"].pk,
        1,
        "entry",
        "content does not match its hash",
    )
    # And a cache drifts.
    Entry.objects.filter(pk=a.pk).update(points=-10)
    SubjectCredit.objects.filter(pk=people["person"].pk).update(score=1)
    _checked, drifts = credit_reconcile(at=T0 + dt.timedelta(days=2))
    assert [(d.what, d.cached, d.derived) for d in drifts] == [("score", 1, 988)]
    credit_reconcile(at=T0 + dt.timedelta(days=2), fix=True)
    assert credit_reconcile(at=T0 + dt.timedelta(days=2)) == (1, [])


@pytest.mark.parametrize(
    "payload",
    [
        {"b": 1, "a": None, "c": '证据 "引号" \\ 换行\n', "d": -5},
        {"fact": "entry", "subject": 12, "evidence": "", "recorded_at": "2026-03-01T02:00:00.000000+00:00"},
    ],
)
def test_canonical_text_is_sorted_compact_json(payload):
    import json

    from rongxin.credit.domain.chain import canonical

    assert canonical(payload) == json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_fast_reconcile_agrees_with_the_replay_and_finds_each_kind_of_drift(catalogue, people):
    from rongxin.credit.services.reconcile import credit_reconcile_fast

    # given: entries in every state
    a = record(people, points=10, key="a")
    b = record(people, points=12, key="b")
    s = record(people, actor="court", rule="T-SER", points=None, key="s")
    record(people, rule="T-MIN", points=None, key="m")
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        entry_object(actor=people["resident"], entry_id=a.pk, reason="异议")
        entry_review(actor=people["reviewer"], entry_id=s.pk, approve=True)
    # then: both reconcilers agree there is no drift, before and after the minor entry expires
    assert (
        credit_reconcile_fast(at=T0 + dt.timedelta(days=2)) == credit_reconcile(at=T0 + dt.timedelta(days=2)) == (1, [])
    )
    later = T0 + dt.timedelta(days=100)
    stale = credit_reconcile_fast(at=later)[1]  # the worker has not run yet: the cache still counts it
    assert [d.what for d in stale] == ["score", f"entry {Entry.objects.get(source_key='m').pk}"]
    assert [d.what for d in credit_reconcile(at=later)[1]] == [d.what for d in stale]
    credit_apply_time_changes(now=later)
    assert credit_reconcile_fast(at=later) == credit_reconcile(at=later) == (1, [])
    # when: caches drift
    Entry.objects.filter(pk=b.pk).update(status="revoked")
    drifts = credit_reconcile_fast(at=later)[1]
    assert [d.what for d in drifts] == [f"entry {b.pk}"]  # the score still counts b: only the cache of b drifted
    credit_reconcile_fast(at=later, fix=True)
    assert credit_reconcile_fast(at=later) == (1, [])
