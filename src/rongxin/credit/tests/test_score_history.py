"""A resident's score history: the score at the end of each month over three years, from the
ledger (entries, transitions, consent and the catalogue in force then), checked against values
computed by hand, and shown on the file page as a chart with a text alternative."""

import datetime as dt

import pytest
import time_machine

from rongxin.conftest import client_for, make_person
from rongxin.credit.selectors.score_history import month_ends, score_history
from rongxin.credit.selectors.scores import score_as_of
from rongxin.credit.services.entries import entry_record
from rongxin.subjects.models import ConsentEvent
from rongxin.subjects.permissions import SubjectAccess

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)  # the frozen clock: 2026-03-01 10:00 in Beijing


def at_local(text):
    return dt.datetime.fromisoformat(f"{text}+08:00")


@pytest.fixture
def history_subject(catalogue, people, tree):
    """A person who consented on 2024-06-15 (the catalogue is in force from 2025-01-01), with:
    2025-03-10 two general deductions of 20 (count a year), 2025-05-20 one of 15, 2025-06-10 a
    minor one of 2 (counts 90 days, to 2025-09-08), 2025-08-05 an award of 5, and consent
    withdrawn on 2025-11-15 and given again on 2025-12-02."""
    with time_machine.travel(at_local("2024-06-15 09:00"), tick=False):
        person = make_person(tree.village_a1, name="李四", consent=True)
    records = [
        ("2025-03-10 09:00", "T-GEN", 20, "police"),
        ("2025-03-10 09:05", "T-GEN", 20, "police"),
        ("2025-05-20 15:00", "T-GEN", 15, "police"),
        ("2025-06-10 11:00", "T-MIN", None, "police"),
        ("2025-08-05 10:00", "T-AWD", None, "village"),
    ]
    for i, (when, code, points, actor) in enumerate(records):
        with time_machine.travel(at_local(when), tick=False):
            entry_record(
                actor=people[actor],
                subject_id=person.subject.pk,
                rule_code=code,
                points=points,
                occurred_at=at_local(when) - dt.timedelta(hours=1),
                evidence="记录",
                source_key=f"h{i}",
            )
    ConsentEvent.objects.create(
        subject=person.subject, action="withdraw", channel="paper", at=at_local("2025-11-15 10:00")
    )
    ConsentEvent.objects.create(
        subject=person.subject, action="grant", channel="paper", at=at_local("2025-12-02 10:00")
    )
    return person


def test_month_ends_are_the_last_instants_of_each_month_in_beijing_time_and_now():
    ends = month_ends(now=NOW, months=3)
    assert ends == [
        (dt.date(2026, 1, 1), at_local("2026-01-31 23:59:59.999999")),
        (dt.date(2026, 2, 1), at_local("2026-02-28 23:59:59.999999")),
        (dt.date(2026, 3, 1), NOW),
    ]


def test_the_history_is_the_score_at_each_month_end_computed_by_hand(history_subject):
    # when the history of the last three years is read
    points = score_history(access=SubjectAccess(subject=history_subject.subject, grant=None, own=True), now=NOW)
    # then there are 36 months, from 2023-04 to now
    assert (len(points), points[0].month, points[-1].month) == (36, dt.date(2023, 4, 1), dt.date(2026, 3, 1))
    by_month = {p.month.strftime("%Y-%m"): (p.score, p.grade) for p in points}
    # no score before the catalogue came into force (consent alone is not enough)
    assert {m: v for m, v in by_month.items() if m < "2025-01"} == {m: (None, "") for m in by_month if m < "2025-01"}
    # from then on, by hand: base 1000; -40 from March, -15 from May (grade B below 960), -2 from
    # June to 8 September, +5 from August; no score at the end of November (consent withdrawn)
    assert {m: v for m, v in by_month.items() if m >= "2025-01"} == {
        "2025-01": (1000, "A"),
        "2025-02": (1000, "A"),
        "2025-03": (960, "A"),
        "2025-04": (960, "A"),
        "2025-05": (945, "B"),
        "2025-06": (943, "B"),
        "2025-07": (943, "B"),
        "2025-08": (948, "B"),
        "2025-09": (950, "B"),
        "2025-10": (950, "B"),
        "2025-11": (None, ""),
        "2025-12": (950, "B"),
        "2026-01": (950, "B"),
        "2026-02": (950, "B"),
        "2026-03": (950, "B"),
    }
    # and every point is what score_as_of gives at that instant (the one formula, replayed alone)
    assert [(p.score, p.grade) for p in points] == [
        score_as_of(subject=history_subject.subject, at=p.at) for p in points
    ]


def test_the_file_page_shows_the_chart_with_a_text_alternative(history_subject, people, tree):
    from rongxin.conftest import link, make_user

    # given the person signed in on their own file
    user = make_user("lisi")
    link(user, history_subject.subject)
    page = client_for(user).get("/me/").content.decode()
    # then the chart is an inline SVG described by its caption, with the monthly table beside it
    assert '<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 120"' in page
    assert 'role="img" aria-labelledby="score-history-caption"' in page
    assert page.count("<polyline ") == 2  # broken at November 2025, when there was no score
    assert page.count("<circle ") == 14
    assert (
        '<figcaption id="score-history-caption">每月月末的分值：2025-01 为 1000，现在为 950；'
        "最低 943（2025-06），最高 1000（2025-01）。</figcaption>"
    ) in page
    assert '<tr><td>2025-05</td><td class="num">945</td><td>B</td></tr>' in page
    assert '<tr><td>2025-11</td><td class="num">—</td><td>—</td></tr>' in page
    assert "<script" not in page.split('id="score-history"')[1].split("</section>")[0]


def test_a_person_who_never_had_a_score_gets_no_chart(catalogue, people, tree):
    # given a person without consent
    person = make_person(tree.village_a1, name="王五", consent=False)
    # then every month has no score, and no chart is drawn
    points = score_history(access=SubjectAccess(subject=person.subject, grant=None, own=True), now=NOW)
    assert {(p.score, p.grade) for p in points} == {(None, "")}
