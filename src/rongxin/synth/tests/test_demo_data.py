"""The demo county is believable: a tail of low grades from serious deductions, evidence that
matches each record, activities in the daytime, and a grade history over the three years.

The demo's own load (``rongxin demo``: scale 0.01, seed 2026) at a frozen moment, once for the
module's assertions about it."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from rongxin.core import clock
from rongxin.credit.domain.lifecycle import replay
from rongxin.credit.models import Entry, GradeChange, SubjectCredit
from rongxin.projects.models import Project, ProjectActivity, Wish
from rongxin.subjects.models import SubjectAccount
from rongxin.synth.demo import demo_accounts_ensure, soon_in_daytime
from rongxin.synth.grades import counting_spans
from rongxin.synth.history import evidence_choices
from rongxin.volunteering.models import Activity

NOW = dt.datetime(2026, 6, 30, 19, 0, tzinfo=dt.UTC)  # 03:00 in the county: the demo at night
DEMO_SCALE, DEMO_SEED = 0.01, 2026
# The tail the generator aims at, in percent of the graded subjects (docs/synthetic-county.md).
BANDS = {"B": (2.5, 6.0), "C": (0.7, 2.0), "D": (0.2, 0.8)}
PENALTY_WORDS = ("处罚", "裁判", "判决", "失信被执行人", "告诫书", "责令", "欠费", "逾期")
LOCAL = clock.LOCAL_TZ


@pytest.fixture
def demo(db: Any) -> str:
    """The demo's load and accounts; what ``rongxin generate`` printed."""
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("generate", scale=DEMO_SCALE, seed=DEMO_SEED, no_progress=True, workers=0, stdout=out)
        demo_accounts_ensure()
    return out.getvalue()


def test_the_demo_county_is_believable(demo: str) -> None:
    # given: the demo's load (the fixture)
    # then: grades have a tail of B, fewer C, fewer D; the mass at A, AA, AAA
    grades = Counter(SubjectCredit.objects.exclude(grade="").values_list("grade", flat=True))
    graded = sum(grades.values())
    share = {g: 100 * grades[g] / graded for g in ("AAA", "AA", "A", "B", "C", "D")}
    # the load is deterministic for its seed and moment: 4.05% B, 1.27% C, 0.40% D (with the
    # quarterly commendations' credit, rule P-HON-06)
    assert grades == {"AAA": 1209, "AA": 1129, "A": 1435, "B": 162, "C": 51, "D": 16}
    for grade, (low, high) in BANDS.items():
        assert low <= share[grade] <= high, (grade, share[grade])
    assert grades["B"] > grades["C"] > grades["D"]
    assert share["AAA"] + share["AA"] + share["A"] >= 90
    assert (
        "等级分布：AAA 1209（30.21%），AA 1129（28.21%），A 1435（35.86%），B 162（4.05%），"
        "C 51（1.27%），D 16（0.40%）；共 4002 个有等级的信用主体。"
    ) in demo

    # then: every entry carries one of the kinds of evidence its rule requires; no penalty
    # decision proves a good deed
    mismatched = []
    for source, direction, evidence, required in Entry.objects.values_list(
        "source", "rule__direction", "evidence", "rule__evidence"
    ):
        if source == Entry.Source.VOLUNTEERING:
            ok = direction == "award" and evidence.startswith("志愿服务记录")
        elif source == Entry.Source.LECTURE:
            ok = direction == "award" and evidence.startswith(("实践所（站）签到记录：", "宣讲活动记录："))
        elif source == Entry.Source.SYNTHETIC:
            ok = evidence in evidence_choices(required)
            if direction == "award":
                ok = ok and not any(word in evidence for word in PENALTY_WORDS)
        elif source == Entry.Source.FUNDS:
            ok = direction == "award" and "季度表彰大会" in evidence and "经公示无异议" in evidence
        elif source == Entry.Source.PROJECTS:
            ok = direction == "award" and evidence.startswith(("认捐项目超市公益项目", "认领并实现微心愿"))
        else:
            ok = True  # recorded through the services (the demo's own deduction)
        if not ok:
            mismatched.append((source, direction, evidence, required))
    assert mismatched == []
    kinds = Counter(Entry.objects.filter(rule__severity="serious").values_list("evidence", flat=True)).most_common()
    assert all(any(w in e for w in ("决定", "裁判", "名单", "报告")) for e, _n in kinds)

    # then: no activity starts before 07:00 or after 20:00 county time, the demo's own too
    starts = Counter(a.astimezone(LOCAL).time() for a in Activity.objects.values_list("starts_at", flat=True))
    assert min(starts) >= dt.time(7, 0)
    assert max(starts) <= dt.time(20, 0)
    ends = [a.astimezone(LOCAL).time() for a in Activity.objects.values_list("ends_at", flat=True)]
    assert max(ends) <= dt.time(22, 0)
    first = Activity.objects.get(title__endswith="敬老志愿服务（演示）")
    assert first.starts_at == dt.datetime(2026, 7, 1, 8, 0, tzinfo=LOCAL)

    # then: grade changes spread over the three years, none at load time, and each subject's
    # history ends on the grade it holds
    at = list(GradeChange.objects.order_by("subject_id", "at", "id").values_list("subject_id", "at", "new_grade"))
    last = {sid: grade for sid, _at, grade in at}
    assert last == dict(SubjectCredit.objects.exclude(grade="").values_list("subject_id", "grade"))
    years = Counter(when.astimezone(LOCAL).year for _sid, when, _g in at)
    assert years == {2023: 141, 2024: 1000, 2025: 2857, 2026: 3512}
    assert GradeChange.objects.filter(at=NOW).count() == 0
    assert GradeChange.objects.filter(at__lt=NOW - dt.timedelta(days=365 * 3)).count() == 0
    # serious offenders fall through the grades as their deductions come
    falls = Counter((o, n) for o, n in GradeChange.objects.exclude(old_grade="").values_list("old_grade", "new_grade"))
    assert (falls[("A", "B")], falls[("B", "C")], falls[("C", "D")]) == (129, 59, 14)

    # then: the demo enterprise title-sponsored a project under way and a closed one; the demo
    # resident posted a wish still waiting and fulfilled a neighbour's (the sponsors' and wishes'
    # credit took two grade changes of this year away)
    links = dict(SubjectAccount.objects.values_list("user__username", "subject_id"))
    sponsored = Project.objects.filter(title_sponsor_id=links["enterprise"]).order_by("number")
    assert list(sponsored.values_list("number", "state")) == [("XM2025-0002", "closed"), ("XM2026-0003", "in_progress")]
    assert list(Wish.objects.filter(beneficiary_id=links["resident"]).values_list("state", flat=True)) == ["open"]
    assert list(Wish.objects.filter(claimant_id=links["resident"]).values_list("state", flat=True)) == ["confirmed"]
    assert "已生成项目超市数据：19 个公益项目（已认领 14 个、已结项 8 个）" in demo
    # and the picked teams' own activities inside the projects' dates carry out the work
    activity_links = ProjectActivity.objects.select_related("project", "activity")
    assert activity_links.count() == 10
    for link in activity_links:
        assert link.activity.team_id == link.project.team_id
        assert link.project.started_at is not None
        assert link.activity.starts_at >= link.project.started_at - dt.timedelta(hours=9)


@pytest.mark.parametrize(
    ("local", "starts"),
    [
        ("2026-07-01 03:00", "2026-07-01 08:00"),  # before dawn: this morning
        ("2026-07-01 06:40", "2026-07-01 07:00"),  # 07:00 is daytime
        ("2026-07-01 06:39", "2026-07-01 08:00"),
        ("2026-07-01 10:07", "2026-07-01 10:27"),
        ("2026-07-01 18:40", "2026-07-01 19:00"),  # the last start of the day
        ("2026-07-01 18:41", "2026-07-02 08:00"),  # evening: tomorrow morning
    ],
)
def test_the_demo_activity_starts_soon_but_in_the_daytime(local: str, starts: str) -> None:
    now = dt.datetime.fromisoformat(local).replace(tzinfo=LOCAL)
    assert soon_in_daytime(now) == dt.datetime.fromisoformat(starts).replace(tzinfo=LOCAL)


@pytest.mark.parametrize(
    ("required", "choices"),
    [
        ("表彰决定或荣誉证书", ["表彰决定", "荣誉证书"]),
        ("行政处罚决定书或生效裁判文书", ["行政处罚决定书", "生效裁判文书"]),
        ("交通违法处理记录或电子警察抓拍记录（已处理）", ["交通违法处理记录", "电子警察抓拍记录（已处理）"]),
        ("公安机关、医疗机构或村居出具的核实材料", ["公安机关、医疗机构或村居出具的核实材料"]),
        ("失主或公安机关、村居出具的证明", ["失主或公安机关、村居出具的证明"]),
        ("生效刑事裁判文书", ["生效刑事裁判文书"]),
        ("", ["核实材料"]),
    ],
)
def test_evidence_is_one_of_the_documents_the_rule_names(required: str, choices: list[str]) -> None:
    assert evidence_choices(required) == choices


T0 = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)


def _t(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("review", "moves"),
    [
        (False, []),
        (True, [("approved", 2)]),
        (True, [("rejected", 3)]),
        (True, []),
        (False, [("objected", 5), ("upheld", 20)]),
        (False, [("objected", 5), ("revoked", 20)]),
        (False, [("objected", 5)]),
        (False, [("repair_applied", 100), ("repaired", 110)]),
        (False, [("repair_applied", 100), ("repair_refused", 110)]),
        (True, [("approved", 2), ("objected", 9), ("upheld", 30), ("repair_applied", 400), ("repaired", 410)]),
        (False, [("held", 0.5), ("approved", 4)]),
    ],
)
def test_counting_spans_agree_with_the_ledger_replay(review: bool, moves: list[tuple[str, float]]) -> None:
    # given: an entry recorded at T0 counting 365 days, and its transitions
    transitions = [(kind, _t(days)) for kind, days in moves]
    spans = counting_spans(recorded_at=T0, review_required=review, counting_days=365, transitions=transitions)
    rows = [type("T", (), {"kind": k, "at": at}) for k, at in transitions]
    # then: at any moment, it counts in a span exactly when the ledger's replay says it counts
    rng = random.Random(7)
    moments = [_t(d) for d in (0, 0.5, 2, 4, 5, 9, 20, 30, 100, 110, 365, 366, 369, 400, 410, 800)]
    moments += [_t(rng.uniform(0, 800)) for _ in range(200)]
    for at in moments:
        state = replay(recorded_at=T0, review_required=review, counting_days=365, transitions=rows, at=at)
        assert state.counts_at(at) == any(a <= at < b for a, b in spans), at
