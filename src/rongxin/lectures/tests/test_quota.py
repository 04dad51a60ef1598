"""The quota board at period boundaries (time travel), who sees which heads, the policy and the
reminder job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongxin.conftest import make_user
from rongxin.core import clock
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.lectures.models import QuotaPolicy, QuotaReminder, Session, Speaker
from rongxin.lectures.selectors.quota import quota_board, quota_head
from rongxin.lectures.services.quota import quota_policy_set
from rongxin.lectures.tasks.quota import quota_reminders
from rongxin.lectures.tests.conftest import resident_user
from rongxin.lectures.tests.people_helpers import held
from rongxin.subjects.models import Notice

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def head(lect: Any, name: str, region: Any, since: str = "2026-01-01", until: str | None = None) -> Speaker:
    user, subject = resident_user(f"u_{name}", lect.tree.village_a1)
    return Speaker.objects.create(
        kind=Speaker.Kind.HEAD,
        name=name,
        subject=subject,
        user=user,
        area=region,
        quota_since=D(since),
        quota_until=D(until) if until else None,
        created_at=clock.now(),
    )


def states(board: Any) -> dict[str, list[tuple[str, int, str]]]:
    return {row.speaker.name: [(c.period.key, c.count, c.state) for c in row.cells] for row in board.rows}


def test_a_lecture_late_on_feb_28_counts_for_jan_feb_and_just_after_midnight_for_mar_apr(frozen, lect) -> None:
    # given: the head speaks at 23:30 on Feb 28 and at 00:10 on Mar 1 (Beijing; 16:10 UTC on Feb 28)
    tree = lect.tree
    held(lect.head, "2026-02-28 23:30", region=tree.village_a1)
    held(lect.head, "2026-03-01 00:10", region=tree.village_a2)
    # and lectures that do not count: planned, cancelled, outside the area (flag off)
    held(lect.head, "2026-02-20 09:00", region=tree.village_a1, status=Session.Status.PLANNED)
    held(lect.head, "2026-02-21 09:00", region=tree.village_a1, status=Session.Status.CANCELLED)
    held(lect.head, "2026-02-22 09:00", region=tree.village_b1, counts=False)
    # when
    board = quota_board(actor=lect.admin, first=D("2026-01-01"), last=D("2026-04-30"))
    # then
    assert [qp.key for qp in board.periods] == ["2026-01", "2026-03"]
    assert states(board) == {"王镇长": [("2026-01", 1, "done"), ("2026-03", 1, "done")]}
    assert board.totals == {"overdue": 0, "due": 0, "done": 2, "not_due": 0}


def test_due_becomes_overdue_when_the_period_ends_and_a_mid_period_start_owes_nothing_there(frozen, lect) -> None:
    # given: a head of town B with nothing recorded, and a head whose quota starts on Feb 10
    tree = lect.tree
    head(lect, "赵局长", tree.town_b)
    head(lect, "钱主任", tree.town_a, since="2026-02-10")
    held(lect.head, "2026-01-05 09:00", region=tree.village_a1)
    first, last = D("2026-01-01"), D("2026-04-30")
    # when: on Mar 1
    board = quota_board(actor=lect.admin, first=first, last=last)
    # then
    assert states(board) == {
        "王镇长": [("2026-01", 1, "done"), ("2026-03", 0, "due")],
        "钱主任": [("2026-01", 0, "not_due"), ("2026-03", 0, "due")],
        "赵局长": [("2026-01", 0, "overdue"), ("2026-03", 0, "due")],
    }
    assert [(s.name, c.period.key) for s, c in board.overdue] == [("赵局长", "2026-01")]
    # when: the last minute of April, then the first of May
    frozen.move_to("2026-04-30 23:59 +0800")
    assert states(quota_board(actor=lect.admin, first=first, last=last))["王镇长"][1] == ("2026-03", 0, "due")
    frozen.move_to("2026-05-01 00:00 +0800")
    board = quota_board(actor=lect.admin, first=first, last=last)
    assert [cell.state for cell in board.rows[0].cells] == ["done", "overdue"]
    assert board.totals == {"overdue": 4, "due": 0, "done": 1, "not_due": 1}
    assert [(s.name, c.period.key) for s, c in board.overdue] == [
        ("王镇长", "2026-03"),
        ("赵局长", "2026-03"),
        ("钱主任", "2026-03"),
        ("赵局长", "2026-01"),
    ]


def test_a_quota_that_ends_inside_a_period_is_not_due_there_and_ended_quotas_leave_the_board(frozen, lect) -> None:
    tree = lect.tree
    head(lect, "孙科长", tree.town_a, since="2025-11-01", until="2026-03-15")
    head(lect, "周所长", tree.town_a, since="2025-01-01", until="2025-10-31")
    board = quota_board(actor=lect.admin, first=D("2026-01-01"), last=D("2026-04-30"))
    assert states(board)["孙科长"] == [("2026-01", 0, "overdue"), ("2026-03", 0, "not_due")]
    assert "周所长" not in states(board)


def test_the_policy_in_force_on_a_periods_first_day_sets_the_count(frozen, lect) -> None:
    # given: from May on, two lectures every two months; one lecture in May
    tree = lect.tree
    quota_policy_set(
        actor=lect.admin, effective_from=D("2026-05-01"), lectures_per_period=2, period_months=2, notice_days=10
    )
    held(lect.head, "2026-05-03 09:00", region=tree.village_a1)
    held(lect.head, "2026-03-03 09:00", region=tree.village_a1)
    frozen.move_to("2026-07-01 08:00 +0800")
    board = quota_board(actor=lect.admin, first=D("2026-03-01"), last=D("2026-06-30"))
    assert [(qp.key, qp.required, qp.notice_days) for qp in board.periods] == [("2026-03", 1, 14), ("2026-05", 2, 10)]
    assert states(board) == {"王镇长": [("2026-03", 1, "done"), ("2026-05", 1, "overdue")]}


def test_a_policy_change_to_quarters_starts_on_a_common_period_start(frozen, lect) -> None:
    # given: quarters from July (Jul 1 starts a two-month and a three-month period)
    quota_policy_set(
        actor=lect.admin, effective_from=D("2026-07-01"), lectures_per_period=1, period_months=3, notice_days=14
    )
    board = quota_board(actor=lect.admin, first=D("2026-05-01"), last=D("2026-12-31"))
    assert [(qp.period.start, qp.period.end) for qp in board.periods] == [
        (D("2026-05-01"), D("2026-06-30")),
        (D("2026-07-01"), D("2026-09-30")),
        (D("2026-10-01"), D("2026-12-31")),
    ]
    # then: Apr 1 starts a quarter but not a two-month period; Feb 1 is in the past
    for day, code in (("2026-04-01", "not_a_period_start"), ("2026-01-01", "in_the_past")):
        with pytest.raises(InvalidInput) as caught:
            quota_policy_set(
                actor=lect.admin, effective_from=D(day), lectures_per_period=1, period_months=3, notice_days=14
            )
        assert caught.value.code == code
    assert QuotaPolicy.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("lectures_per_period", 0, "out_of_range"),
        ("lectures_per_period", 32, "out_of_range"),
        ("lectures_per_period", "٣", "invalid"),  # an Arabic-Indic three
        ("lectures_per_period", "3\x00", "invalid"),
        ("period_months", 5, "invalid_choice"),
        ("period_months", "x", "invalid"),
        ("notice_days", 0, "out_of_range"),
        ("notice_days", 10**12, "out_of_range"),
    ],
)
def test_bad_policy_input_is_refused_and_nothing_is_saved(frozen, lect, field, value, code) -> None:
    values = {"lectures_per_period": 1, "period_months": 2, "notice_days": 14, field: value}
    with pytest.raises(InvalidInput) as caught:
        quota_policy_set(actor=lect.admin, effective_from=D("2026-05-01"), **values)
    assert (caught.value.code, caught.value.errors[0]["field"]) == (code, field)
    assert QuotaPolicy.objects.count() == 0
    assert AuditEvent.objects.filter(action="quota_policy.set").count() == 0


def test_only_lecture_admins_set_the_policy(frozen, lect) -> None:
    for user in (lect.town_a, lect.auditor, lect.head_user, lect.village_a1):
        with pytest.raises(NotFound):
            quota_policy_set(
                actor=user, effective_from=D("2026-05-01"), lectures_per_period=1, period_months=2, notice_days=14
            )
    assert QuotaPolicy.objects.count() == 0


def test_who_sees_which_heads(frozen, lect) -> None:
    # given: a head of town B and a department head for the whole county
    tree = lect.tree
    head(lect, "赵局长", tree.town_b)
    head(lect, "吴部长", tree.county)
    first, last = D("2026-03-01"), D("2026-04-30")

    def names(user: Any, **kw: Any) -> list[str]:
        return [row.speaker.name for row in quota_board(actor=user, first=first, last=last, **kw).rows]

    # then
    assert names(lect.admin) == ["吴部长", "王镇长", "赵局长"]
    assert names(lect.auditor) == ["吴部长", "王镇长", "赵局长"]
    assert names(lect.admin, region=tree.town_b.code) == ["赵局长"]
    assert names(lect.town_a) == ["王镇长"]
    assert names(lect.town_b) == ["赵局长"]
    assert names(lect.town_a, region=tree.town_b) == []
    assert names(lect.head_user) == ["王镇长"]
    for outsider in (lect.leader_user, lect.village_a1, lect.team_leader, make_user("nobody")):
        with pytest.raises(NotFound):
            quota_board(actor=outsider, first=first, last=last)
    with pytest.raises(InvalidInput) as caught:
        quota_board(actor=lect.admin, first=last, last=first)
    assert caught.value.code == "range_order"
    with pytest.raises(InvalidInput) as caught:
        quota_board(actor=lect.admin, first=D("2000-01-01"), last=last)
    assert caught.value.code == "range_too_long"


def test_the_board_reads_heads_periods_and_lectures_in_a_fixed_number_of_queries(frozen, lect) -> None:
    tree = lect.tree

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            quota_board(actor=lect.admin, first=D("2024-01-01"), last=D("2026-12-31"))
        return len(ctx.captured_queries)

    held(lect.head, "2026-01-05 09:00", region=tree.village_a1)
    queries()  # the first reads the actor's grants, kept on the user for the request
    few = queries()
    for i in range(6):
        held(head(lect, f"局长{i}", tree.town_a), "2025-05-05 09:00", region=tree.village_a1)
    assert queries() == few == 3  # heads, policies, the (head, day) pairs that count


def test_a_heads_history_for_them_and_for_staff_who_read_it_audited(frozen, lect) -> None:
    tree = lect.tree
    s1 = held(lect.head, "2026-02-28 23:30", region=tree.village_a1, title="二月宣讲")
    s2 = held(lect.head, "2026-01-03 09:00", region=tree.village_a1, title="一月宣讲")
    # when: the head reads their own history
    own = quota_head(actor=lect.head_user, speaker_id=lect.head.pk, first=D("2026-01-01"), last=D("2026-04-30"))
    # then: newest period first, with the lectures that counted
    assert [(p.cell.period.key, p.cell.count, p.cell.state, p.sessions) for p in own.periods] == [
        ("2026-03", 0, "due", []),
        ("2026-01", 2, "done", [s1, s2]),
    ]
    assert AuditEvent.objects.filter(action="quota.read").count() == 0
    # when: the town officer reads it
    quota_head(actor=lect.town_a, speaker_id=lect.head.pk, first=D("2026-01-01"), last=D("2026-04-30"))
    read = AuditEvent.objects.get(action="quota.read")
    assert (read.actor, read.actor_role, read.subject_id, read.kind) == (
        lect.town_a,
        "town_officer",
        lect.head.subject_id,
        "read",
    )
    # then: others get NotFound, as for a speaker who is no head
    for user in (lect.town_b, lect.village_a1, lect.leader_user):
        with pytest.raises(NotFound):
            quota_head(actor=user, speaker_id=lect.head.pk, first=D("2026-01-01"), last=D("2026-04-30"))
    with pytest.raises(NotFound):
        quota_head(actor=lect.admin, speaker_id=lect.leader.pk, first=D("2026-01-01"), last=D("2026-04-30"))


# --- The reminder job -------------------------------------------------------------------------
def test_reminders_go_once_from_two_weeks_before_the_end_to_heads_with_nothing_recorded(frozen, lect) -> None:
    # given: in Jan–Feb, the head of town A has a lecture; the head of town B none
    tree = lect.tree
    frozen.move_to("2026-02-14 23:00 +0800")
    other = head(lect, "赵局长", tree.town_b)
    late = head(lect, "钱主任", tree.town_a, since="2026-02-10")  # owes nothing in Jan–Feb
    held(lect.head, "2026-01-20 09:00", region=tree.village_a1)
    # when: the day before the reminder day
    assert quota_reminders() == "sent 0 quota reminders"
    # when: on the reminder day (Feb 15), twice
    frozen.move_to("2026-02-15 00:30 +0800")
    assert quota_reminders() == "sent 1 quota reminders"
    assert quota_reminders() == "sent 0 quota reminders"
    # then: one notice to the head with nothing recorded, one reminder row, one audit row
    notice = Notice.objects.get(kind="lecture_quota")
    assert notice.subject_id == other.subject_id
    assert "2026-02-28" in notice.title
    assert list(QuotaReminder.objects.values_list("speaker_id", "period_start")) == [(other.pk, D("2026-01-01"))]
    audit = AuditEvent.objects.get(action="quota.remind")
    assert (audit.object_id, audit.subject_id, audit.actor) == (str(other.pk), other.subject_id, None)
    assert not Notice.objects.filter(subject_id__in=[lect.head.subject_id, late.subject_id]).exists()
    # when: the next period starts, nothing until its own reminder day
    frozen.move_to("2026-03-01 00:00 +0800")
    assert quota_reminders() == "sent 0 quota reminders"
    frozen.move_to("2026-04-17 08:00 +0800")
    assert quota_reminders() == "sent 3 quota reminders"
    assert Notice.objects.filter(kind="lecture_quota").count() == 4
