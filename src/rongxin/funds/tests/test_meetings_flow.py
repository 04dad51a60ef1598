"""A meeting's state machine, the committee's changes, objections, awards paid from the credit
fund with their journal and credit entries, and publishing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rongxin.core.errors import Conflict, InvalidInput, NotFound
from rongxin.core.models import AuditEvent
from rongxin.credit.models import Entry
from rongxin.funds.models import Account, JournalEntry, JournalLine, Meeting, Nomination, Objection
from rongxin.funds.services.awards import meeting_award
from rongxin.funds.services.meetings import (
    meeting_cancel,
    meeting_create,
    meeting_nominate,
    meeting_publish,
    meeting_start_publicity,
    meetings_publicity_close,
    nomination_add,
    nomination_remove,
    nomination_set_award,
)
from rongxin.funds.services.objections import objection_answer, objection_lodge
from rongxin.funds.tests.books_helpers import FundsWorld, pdf
from rongxin.funds.tests.commend_helpers import Known, known_county, meeting_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def k(world: FundsWorld, frozen: Any) -> Known:
    return known_county(world, frozen)


def _names(m: Meeting, status: str = "proposed") -> list[str]:
    return [
        n.subject.name for n in m.nominations.filter(status=status).select_related("subject").order_by("category", "id")
    ]


def _by_name(m: Meeting, name: str) -> Nomination:
    return m.nominations.get(subject__name=name)


def _ready(k: Known, frozen: Any, *, money: str = "200.00") -> Meeting:
    """A1's meeting drawn, every name given an award, publicity run and ended (2026-05-28)."""
    user = k.w.village_a1
    m = meeting_of(k)
    meeting_nominate(actor=user, meeting_id=m.pk)
    for n in m.nominations.filter(status="proposed"):
        if n.subject.name == "孙食堂":
            nomination_set_award(
                actor=user, meeting_id=m.pk, nomination_id=n.pk, kind="goods", amount="80", goods="米面油"
            )
        elif n.subject.name == "李好人":
            nomination_set_award(actor=user, meeting_id=m.pk, nomination_id=n.pk, kind="certificate")
        else:
            nomination_set_award(actor=user, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount=money)
    meeting_start_publicity(actor=user, meeting_id=m.pk)
    frozen.move_to("2026-05-27 10:00 +0800")
    return Meeting.objects.get(pk=m.pk)


def test_nominate_writes_proposed_and_excluded_with_why(k: Known) -> None:
    m = meeting_of(k)
    assert meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk) == 5
    assert _names(m) == ["孙食堂", "钱宣讲", "王诚实", "李好人", "赵志愿"]  # by category code, then draw order
    excluded = list(
        m.nominations.filter(status="excluded").order_by("id").values_list("subject__name", "status_reason")
    )
    assert excluded == [
        ("周未同意", "本人未同意信用评价，不予提名"),
        ("吴失信", "有正在计分的严重失信扣分记录，不予提名"),
    ]
    assert _by_name(m, "钱宣讲").reasons == [
        {"code": "lectures", "text": "本季度参与宣讲 3 场"},
        {"code": "volunteer_hours", "text": "本季度志愿服务 25 小时"},
    ]
    # drawing again keeps the committee's changes and does not double names
    nomination_remove(
        actor=k.w.village_a1, meeting_id=m.pk, nomination_id=_by_name(m, "赵志愿").pk, reason="已获县级表彰"
    )
    assert meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk) == 4
    assert m.nominations.count() == 7
    assert _by_name(m, "赵志愿").status == "removed"
    assert AuditEvent.objects.filter(action="meeting.nominate", actor_role="village_officer").count() == 2


def test_committee_add_checks_region_consent_and_deduction(k: Known) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    p = k.people

    def add(name: str) -> Nomination:
        return nomination_add(
            actor=k.w.village_a1, meeting_id=m.pk, subject_id=p[name].pk, category="doer", reason="组织村容整治"
        )

    for name, code in (("郑西山", "outside_region"), ("周未同意", "no_consent"), ("吴失信", "serious_deduction")):
        with pytest.raises(InvalidInput) as caught:
            add(name)
        assert caught.value.code == code
    with pytest.raises(Conflict) as dup:
        add("王诚实")
    assert dup.value.code == "already_listed"
    n = add("冯少时")
    assert (n.origin, n.status, n.reasons) == ("committee", "proposed", [{"code": "committee", "text": "组织村容整治"}])
    with pytest.raises(InvalidInput) as ctl:
        nomination_add(
            actor=k.w.village_a1, meeting_id=m.pk, subject_id=p["冯少时"].pk, category="doer", reason="x\x07"
        )
    assert ctl.value.code == "invalid_text"


def test_award_amounts_refuse_three_decimals_and_bad_kinds(k: Known) -> None:
    m = meeting_of(k)
    meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    n = _by_name(m, "王诚实")
    for amount, code in (
        ("12.345", "too_many_decimals"),
        ("0", "not_positive"),
        ("abc", "not_a_number"),
        ("١٢", "not_a_number"),
    ):
        with pytest.raises(InvalidInput) as caught:
            nomination_set_award(actor=k.w.village_a1, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount=amount)
        assert caught.value.code == code
    with pytest.raises(InvalidInput):
        nomination_set_award(
            actor=k.w.village_a1, meeting_id=m.pk, nomination_id=n.pk, kind="goods", amount="5", goods=""
        )
    n.refresh_from_db()
    assert (n.award_kind, n.award_amount) == ("", None)
    nomination_set_award(actor=k.w.village_a1, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount="１２.５元")
    n.refresh_from_db()
    assert (n.award_kind, n.award_amount) == ("money", Decimal("12.50"))


def test_create_refuses_future_quarter_duplicate_and_county(k: Known) -> None:
    tree = k.w.tree
    with pytest.raises(InvalidInput) as future:
        meeting_create(actor=k.w.village_a1, region_id=tree.village_a1.pk, year=2026, quarter=3)
    assert future.value.code == "future_quarter"
    m = meeting_create(actor=k.w.town_a, region_id=tree.town_a.pk, year=2026, quarter=1)
    assert (m.fund_id, m.title) == (k.w.funds["town_a"].pk, "崖头街道2026年第1季度表彰")
    with pytest.raises(Conflict) as dup:
        meeting_create(actor=k.w.town_a, region_id=tree.town_a.pk, year=2026, quarter=1)
    assert dup.value.code == "duplicate_meeting"
    with pytest.raises(NotFound):
        meeting_create(actor=k.w.keeper, region_id=tree.county.pk, year=2026, quarter=1)
    with pytest.raises(NotFound):
        meeting_create(actor=k.w.town_a, region_id=tree.village_a1.pk, year=2026, quarter=1)
    assert Meeting.objects.count() == 1


def test_wrong_order_steps_are_refused(k: Known, frozen: Any) -> None:
    user = k.w.village_a1
    m = meeting_of(k)
    with pytest.raises(Conflict) as empty:
        meeting_start_publicity(actor=user, meeting_id=m.pk)
    assert empty.value.code == "empty_list"
    with pytest.raises(Conflict):
        meeting_award(actor=user, meeting_id=m.pk, voucher_data=pdf("a"))
    with pytest.raises(Conflict):
        meeting_publish(actor=user, meeting_id=m.pk)
    meeting_nominate(actor=user, meeting_id=m.pk)
    with pytest.raises(InvalidInput):
        meeting_start_publicity(actor=user, meeting_id=m.pk, days=31)
    meeting_start_publicity(actor=user, meeting_id=m.pk, days=3)
    m.refresh_from_db()
    assert (m.status, m.publicity_starts_on, m.publicity_ends_on) == (
        "publicity",
        dt.date(2026, 5, 20),
        dt.date(2026, 5, 22),
    )
    with pytest.raises(Conflict) as during:
        meeting_award(actor=user, meeting_id=m.pk, voucher_data=pdf("a"))
    assert during.value.code == "in_publicity"
    with pytest.raises(Conflict):
        meeting_nominate(actor=user, meeting_id=m.pk)
    with pytest.raises(Conflict):
        nomination_remove(actor=user, meeting_id=m.pk, nomination_id=_by_name(m, "王诚实").pk, reason="x")
    frozen.move_to("2026-05-23 10:00 +0800")
    with pytest.raises(Conflict) as late:
        objection_lodge(meeting_id=m.pk, nomination_id=_by_name(m, "王诚实").pk, text="不实")
    assert late.value.code == "not_in_publicity"
    assert meetings_publicity_close() == 1
    assert meetings_publicity_close() == 0
    m.refresh_from_db()
    assert m.status == "awarding"
    with pytest.raises(Conflict) as missing:
        meeting_award(actor=user, meeting_id=m.pk, voucher_data=pdf("a"))
    assert missing.value.code == "award_missing"


def test_objections_upheld_withdraw_and_open_ones_block_awards(k: Known, frozen: Any) -> None:
    user = k.w.village_a1
    m = meeting_of(k)
    meeting_nominate(actor=user, meeting_id=m.pk)
    with pytest.raises(NotFound):  # not public yet
        objection_lodge(meeting_id=m.pk, nomination_id=_by_name(m, "王诚实").pk, text="不实")
    for n in m.nominations.filter(status="proposed"):
        nomination_set_award(actor=user, meeting_id=m.pk, nomination_id=n.pk, kind="certificate")
    meeting_start_publicity(actor=user, meeting_id=m.pk)
    with pytest.raises(NotFound):  # an excluded name cannot be objected to
        objection_lodge(meeting_id=m.pk, nomination_id=_by_name(m, "吴失信").pk, text="x")
    with pytest.raises(InvalidInput):
        objection_lodge(meeting_id=m.pk, nomination_id=_by_name(m, "王诚实").pk, text="控制\x00字符")
    o1 = objection_lodge(
        meeting_id=m.pk, nomination_id=_by_name(m, "王诚实").pk, text="他上月违规占道经营", contact="村民"
    )
    o2 = objection_lodge(meeting_id=m.pk, nomination_id=_by_name(m, "赵志愿").pk, text="时长有误")
    frozen.move_to("2026-05-28 10:00 +0800")
    with pytest.raises(Conflict) as blocked:
        meeting_award(actor=user, meeting_id=m.pk, voucher_data=None)
    assert blocked.value.code == "open_objections"
    objection_answer(actor=user, meeting_id=m.pk, objection_id=o1.pk, upheld=True, answer="经核实属实，撤销提名")
    objection_answer(actor=user, meeting_id=m.pk, objection_id=o2.pk, upheld=False, answer="经核实时长无误")
    with pytest.raises(Conflict):
        objection_answer(actor=user, meeting_id=m.pk, objection_id=o2.pk, upheld=True, answer="再答")
    assert _by_name(m, "王诚实").status == "withdrawn"
    assert _by_name(m, "王诚实").status_reason == "经核实属实，撤销提名"
    r = meeting_award(actor=user, meeting_id=m.pk, voucher_data=None)
    assert (r.awarded, r.entries, r.paid) == (4, 0, Decimal("0"))
    assert _names(m, "awarded") == ["孙食堂", "钱宣讲", "李好人", "赵志愿"]
    assert list(Objection.objects.order_by("id").values_list("status", flat=True)) == ["upheld", "dismissed"]


def test_award_posts_one_entry_per_paid_award_and_credit(k: Known, frozen: Any) -> None:
    k.fill("1000.00")
    m = _ready(k, frozen)
    fund = k.fund()
    r = meeting_award(actor=k.w.village_a1, meeting_id=m.pk, voucher_data=pdf("list"), voucher_name="签收表.pdf")
    # 王诚实, 赵志愿, 钱宣讲 ¥200 each; 孙食堂 goods ¥80; 李好人 a certificate
    assert (r.awarded, r.entries, r.paid, r.credit) == (5, 4, Decimal("680.00"), {"created": 5})
    entries = list(JournalEntry.objects.filter(fund=fund, kind="award").order_by("number"))
    assert [e.memo for e in entries] == [
        "东山社区2026年第2季度表彰：孙食堂 奖品（米面油）",
        "东山社区2026年第2季度表彰：钱宣讲 奖金",
        "东山社区2026年第2季度表彰：王诚实 奖金",
        "东山社区2026年第2季度表彰：赵志愿 奖金",
    ]
    assert {e.voucher.file_name for e in entries} == {"签收表.pdf"}
    lines = list(
        JournalLine.objects.filter(entry__in=entries)
        .order_by("entry__number", "id")
        .values_list("account__code", "amount")
    )
    assert lines == [
        ("5102", Decimal("80.00")), ("1001", Decimal("-80.00")),
        ("5101", Decimal("200.00")), ("1001", Decimal("-200.00")),
        ("5101", Decimal("200.00")), ("1001", Decimal("-200.00")),
        ("5101", Decimal("200.00")), ("1001", Decimal("-200.00")),
    ]  # fmt: skip
    assert Account.objects.get(fund=fund, code="1001").balance == Decimal("320.00")
    credit = list(
        Entry.objects.filter(source="funds")
        .order_by("subject_id")
        .values_list("subject__name", "rule__code", "points", "source_key")
    )
    assert credit == [
        (name, "P-HON-06", 5, f"funds:meeting:{m.pk}:subject:{k.people[name].pk}")
        for name in ("王诚实", "李好人", "赵志愿", "钱宣讲", "孙食堂")
    ]
    sun = _by_name(m, "孙食堂")
    assert (sun.status, sun.credit_status, sun.credit_points, sun.award_entry_id) == (
        "awarded",
        "created",
        5,
        entries[0].pk,
    )
    assert _by_name(m, "李好人").award_entry_id is None
    m.refresh_from_db()
    assert (m.status, m.held_on) == ("awarding", dt.date(2026, 5, 27))
    with pytest.raises(Conflict) as again:
        meeting_award(actor=k.w.village_a1, meeting_id=m.pk, voucher_data=pdf("list"))
    assert again.value.code == "already_awarded"
    with pytest.raises(Conflict):
        meeting_cancel(actor=k.w.village_a1, meeting_id=m.pk, reason="x")
    # publish, then nothing changes
    meeting_publish(actor=k.w.village_a1, meeting_id=m.pk)
    m.refresh_from_db()
    assert m.status == "published"
    for call in (
        lambda: meeting_publish(actor=k.w.village_a1, meeting_id=m.pk),
        lambda: nomination_set_award(actor=k.w.village_a1, meeting_id=m.pk, nomination_id=sun.pk, kind="certificate"),
        lambda: meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk),
        lambda: meeting_cancel(actor=k.w.village_a1, meeting_id=m.pk, reason="x"),
    ):
        with pytest.raises(Conflict) as caught:
            call()
        assert (caught.value.code, str(caught.value.message)) == ("published", "光荣榜已发布，不能修改。")


def test_insufficient_funds_saves_nothing_and_says_how_much(k: Known, frozen: Any) -> None:
    k.fill("500.00")
    m = _ready(k, frozen)
    before = (
        JournalEntry.objects.count(),
        Entry.objects.filter(source="funds").count(),
        AuditEvent.objects.filter(action="meeting.award").count(),
    )
    with pytest.raises(InvalidInput) as caught:
        meeting_award(actor=k.w.village_a1, meeting_id=m.pk, voucher_data=pdf("list"))
    assert caught.value.code == "insufficient_funds"
    assert str(caught.value.message) == "信用基金不足以支付本次奖励：共需 ¥680.00，可支出 ¥500.00，还差 ¥180.00。"
    after = (
        JournalEntry.objects.count(),
        Entry.objects.filter(source="funds").count(),
        AuditEvent.objects.filter(action="meeting.award").count(),
    )
    assert after == before
    assert _names(m, "awarded") == []
    m.refresh_from_db()
    assert m.held_on is None


def test_voucher_required_when_money_moves(k: Known, frozen: Any) -> None:
    k.fill("1000.00")
    m = _ready(k, frozen)
    with pytest.raises(InvalidInput) as caught:
        meeting_award(actor=k.w.village_a1, meeting_id=m.pk, voucher_data=None)
    assert caught.value.code == "voucher_required"
    with pytest.raises(InvalidInput) as bad:
        meeting_award(actor=k.w.village_a1, meeting_id=m.pk, voucher_data=b"not a pdf")
    assert bad.value.code == "voucher_type"
    assert JournalEntry.objects.filter(kind="award").count() == 0


def test_no_commendation_rule_pays_and_says_no_rule(world: FundsWorld, frozen: Any) -> None:
    from rongxin.conftest import make_person
    from rongxin.funds.tests.commend_helpers import served

    # no catalogue in force at all
    s = make_person(world.tree.village_a1, name="赵志愿", consent=True).subject
    served(s, 1500, day=dt.date(2026, 4, 2))
    k = Known(w=world)
    k.fill("100.00")
    m = meeting_of(k)
    meeting_nominate(actor=world.village_a1, meeting_id=m.pk)
    n = m.nominations.get()
    nomination_set_award(actor=world.village_a1, meeting_id=m.pk, nomination_id=n.pk, kind="money", amount="50")
    meeting_start_publicity(actor=world.village_a1, meeting_id=m.pk, days=1)
    frozen.move_to("2026-05-21 10:00 +0800")
    r = meeting_award(actor=world.village_a1, meeting_id=m.pk, voucher_data=pdf("x"))
    assert (r.entries, r.credit) == (1, {"no_rule": 1})
    n.refresh_from_db()
    assert (n.status, n.credit_status, n.credit_points) == ("awarded", "no_rule", None)


def test_cancel_before_awards(k: Known) -> None:
    m = meeting_of(k)
    meeting_cancel(actor=k.w.village_a1, meeting_id=m.pk, reason="合并至镇表彰")
    m.refresh_from_db()
    assert m.status == "cancelled"
    with pytest.raises(Conflict) as caught:
        meeting_nominate(actor=k.w.village_a1, meeting_id=m.pk)
    assert caught.value.code == "cancelled"
