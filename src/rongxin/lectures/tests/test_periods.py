import datetime as dt

import pytest

from rongxin.lectures.domain.periods import Period, period_containing, periods_between, reminder_day
from rongxin.lectures.models import Speaker
from rongxin.lectures.selectors.common import quota_applies, quota_policy_on


@pytest.mark.parametrize(
    ("day", "months", "start", "end"),
    [
        ("2026-01-01", 2, "2026-01-01", "2026-02-28"),
        ("2026-02-28", 2, "2026-01-01", "2026-02-28"),
        ("2026-03-01", 2, "2026-03-01", "2026-04-30"),
        ("2028-02-29", 2, "2028-01-01", "2028-02-29"),
        ("2026-12-31", 2, "2026-11-01", "2026-12-31"),
        ("2026-05-15", 3, "2026-04-01", "2026-06-30"),
        ("2026-07-31", 12, "2026-01-01", "2026-12-31"),
    ],
)
def test_period_containing_a_day(day: str, months: int, start: str, end: str) -> None:
    period = period_containing(dt.date.fromisoformat(day), months)
    assert period == Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_periods_between_cross_a_year_and_the_reminder_is_two_weeks_before_the_end() -> None:
    periods = list(periods_between(dt.date(2025, 12, 15), dt.date(2026, 3, 1), 2))
    assert [p.key for p in periods] == ["2025-11", "2026-01", "2026-03"]
    assert reminder_day(periods[1], 14) == dt.date(2026, 2, 15)
    with pytest.raises(ValueError, match="divide"):
        period_containing(dt.date(2026, 1, 1), 5)


def test_the_world_has_a_head_with_a_quota_and_the_default_policy(lect) -> None:  # type: ignore[no-untyped-def]
    policy = quota_policy_on(dt.date(2026, 3, 1))
    assert (policy.lectures_per_period, policy.period_months, policy.notice_days) == (1, 2, 14)
    assert quota_applies(lect.head, dt.date(2026, 1, 1)) is True
    assert quota_applies(lect.head, dt.date(2025, 12, 31)) is False
    assert quota_applies(lect.leader, dt.date(2026, 3, 1)) is False
    assert Speaker.objects.count() == 2


def test_a_heads_lecture_counts_inside_their_area_and_a_leaders_at_their_link(lect) -> None:  # type: ignore[no-untyped-def]
    # given: the leader adopts town B, village A1 and the enterprise for 2026
    from rongxin.core import clock
    from rongxin.lectures.models import AdoptionLink
    from rongxin.lectures.selectors.common import speaker_session_flags

    tree = lect.tree
    AdoptionLink.objects.create(
        speaker=lect.leader,
        town=tree.town_b,
        village=tree.village_a1,
        enterprise=lect.enterprise,
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2026, 12, 31),
        created_at=clock.now(),
    )
    day = dt.date(2026, 3, 5)
    # then
    assert speaker_session_flags(lect.head, day=day, region=tree.village_a1) == (True, False)
    assert speaker_session_flags(lect.head, day=day, region=tree.village_b1) == (False, False)
    assert speaker_session_flags(lect.head, day=dt.date(2025, 12, 5), region=tree.village_a1) == (False, False)
    assert speaker_session_flags(lect.leader, day=day, region=tree.village_b2) == (False, True)
    assert speaker_session_flags(lect.leader, day=day, region=tree.village_a1) == (False, True)
    assert speaker_session_flags(lect.leader, day=day, region=tree.village_a2) == (False, False)
    assert speaker_session_flags(lect.leader, day=day, region=tree.village_a2, enterprise_id=lect.enterprise.pk) == (
        False,
        True,
    )
    assert speaker_session_flags(lect.leader, day=dt.date(2027, 1, 2), region=tree.village_b2) == (False, False)
