"""Facts for the commendation tests, made in the other modules' tables (the ORM for event rows
such as grade changes, service records and lecture sessions; the credit services for credit
entries, so chains and scores stay true), and a small known county: the funds world of
:mod:`books_helpers` plus residents of 东山社区 (village A1) and one of 西山社区 (A2) with a Q2 2026
of facts.

The known county's 2026 Q2 (April to June; today is 2026-05-20):

- 王诚实 (A1, consenting): grade rose B → A (score 700 → 760) → 诚信者;
- 李好人 (A1, consenting): two good-deed records P-GOO-07 (+2 each) → 诚信者;
- 赵志愿 (A1, consenting): 32.5 hours of elderly care → 志愿者;
- 钱宣讲 (A1, consenting): three closed lecture sessions as a speaker, plus 25 hours of
  volunteering → 干事者 (doer first), reasons: lectures then hours;
- 孙食堂 (A1, consenting): 12 hours of canteen cooking → 干事者;
- 周未同意 (A1, no consent): 40 hours of volunteering → excluded (no consent);
- 吴失信 (A1, consenting): 30 hours of volunteering and a serious deduction counting → excluded;
- 郑西山 (A2, consenting): 50 hours of volunteering → only on A2's and the town's lists;
- 冯少时 (A1, consenting): 10 hours → below the threshold, on no list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from rongxin.accounts.domain.roles import Role
from rongxin.accounts.models import Department, User
from rongxin.conftest import link, make_person, make_user
from rongxin.core import clock
from rongxin.credit.models import GradeChange
from rongxin.credit.services.catalogue import catalogue_load_starters
from rongxin.credit.services.due_process import entry_review
from rongxin.credit.services.entries import entry_record
from rongxin.funds.models import Fund, Meeting
from rongxin.funds.services.books import entry_post
from rongxin.funds.tests.books_helpers import FundsWorld, income
from rongxin.lectures.models import Session, SessionSpeaker, Speaker
from rongxin.regions.models import Region
from rongxin.subjects.models import Subject
from rongxin.volunteering.models import Activity, ActivityType, ServiceRecord, Team, Volunteer

TZ = clock.LOCAL_TZ
_n = count(1)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _team(region: Region) -> Team:
    team = Team.objects.filter(name="测试服务队").first()
    if team is None:
        team = Team.objects.create(
            name="测试服务队",
            tier=Team.Tier.TOWN_VILLAGE,
            kind=Team.Kind.SERVICE,
            region=region,
            created_at=clock.now(),
        )
    return team


def served(subject: Subject, minutes: int, *, day: dt.date, type_code: str = "elderly_care") -> ServiceRecord:
    """A verified service record of ``minutes`` on ``day`` (its volunteer registered if needed)."""
    volunteer = Volunteer.objects.filter(subject=subject).first()
    if volunteer is None:
        volunteer = Volunteer.objects.create(
            subject=subject, number=f"T{next(_n):08d}", registered_at=clock.now(), consent_at=clock.now()
        )
    team = _team(subject.village)
    starts = dt.datetime.combine(day, dt.time(9), tzinfo=TZ)
    activity = Activity.objects.create(
        team=team,
        type=ActivityType.objects.get(code=type_code),
        title="服务",
        region=subject.village,
        place="村委会",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        capacity=10,
        signup_opens_at=starts - dt.timedelta(days=3),
        signup_closes_at=starts - dt.timedelta(days=1),
        status=Activity.Status.CLOSED,
        created_at=clock.now(),
    )
    return ServiceRecord.objects.create(
        activity=activity,
        volunteer=volunteer,
        team=team,
        service_date=day,
        place="村委会",
        content="服务",
        minutes=minutes,
        rating=ServiceRecord.Rating.GOOD,
        recorded_at=clock.now(),
    )


def lectured(subject: Subject, when: str, *, status: str = Session.Status.CLOSED) -> Session:
    speaker = Speaker.objects.filter(subject=subject).first()
    if speaker is None:
        speaker = Speaker.objects.create(
            kind=Speaker.Kind.TEAM_MEMBER, name=subject.name, subject=subject, area=subject.town, created_at=clock.now()
        )
    starts = at(when)
    session = Session.objects.create(
        title="宣讲",
        region=subject.village,
        town=subject.town,
        place_kind=Session.PlaceKind.OTHER,
        place="村委会",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=status,
        qr_secret=b"0" * 32,
        created_at=clock.now(),
    )
    SessionSpeaker.objects.create(session=session, speaker=speaker)
    return session


def grade_rose(
    subject: Subject, when: str, old: str = "B", new: str = "A", scores: tuple[int, int] = (700, 760)
) -> None:
    GradeChange.objects.create(
        subject=subject,
        at=at(when),
        old_grade=old,
        new_grade=new,
        old_score=scores[0],
        new_score=scores[1],
        cause="test",
    )


@dataclass
class Known:
    w: FundsWorld
    people: dict[str, Subject] = field(default_factory=dict)
    resident: User | None = None
    office_recorder: User | None = None

    def fund(self, key: str = "village_a1") -> Fund:
        return self.w.funds[key]

    def fill(self, amount: str, key: str = "village_a1") -> None:
        """Put ``amount`` of welfare money into the fund."""
        fund = self.fund(key)
        entry_post(
            actor=None, fund_id=fund.pk, kind="welfare", on=dt.date(2026, 2, 1), memo="福利归集",
            voucher=self.w.voucher(fund, f"fill{next(_n)}"), lines=income(amount),
        )  # fmt: skip


def known_county(w: FundsWorld, traveller: Any) -> Known:
    """The county described in the module's text (``traveller``: the test's frozen clock, moved
    back to today after facts recorded earlier)."""
    catalogue_load_starters()
    tree = w.tree
    k = Known(w=w)
    office = Department.objects.get(code="civilization_office")
    court = Department.objects.get(code="court")
    k.office_recorder = make_user("good_deeds", Role.DEPARTMENT_RECORDER, tree.county, department=office)
    court_recorder = make_user("court_recorder", Role.DEPARTMENT_RECORDER, tree.county, department=court)

    def person(name: str, village: Region, consent: bool = True) -> Subject:
        s = make_person(village, name=name, consent=consent).subject
        k.people[name] = s
        return s

    honest = person("王诚实", tree.village_a1)
    deeds = person("李好人", tree.village_a1)
    vol = person("赵志愿", tree.village_a1)
    lect = person("钱宣讲", tree.village_a1)
    canteen = person("孙食堂", tree.village_a1)
    no_consent = person("周未同意", tree.village_a1, consent=False)
    serious = person("吴失信", tree.village_a1)
    west = person("郑西山", tree.village_a2)
    little = person("冯少时", tree.village_a1)
    resident = make_user("wangchengshi")
    link(resident, honest)
    k.resident = resident

    grade_rose(honest, "2026-04-10 12:00")
    grade_rose(vol, "2026-03-10 12:00")  # the previous quarter: no reason
    served(vol, 1950, day=dt.date(2026, 4, 12))
    served(vol, 600, day=dt.date(2026, 3, 12))  # the previous quarter
    lectured(lect, "2026-04-03 19:00")
    lectured(lect, "2026-04-17 19:00")
    lectured(lect, "2026-05-08 19:00")
    lectured(lect, "2026-05-15 19:00", status=Session.Status.PLANNED)  # not given
    served(lect, 1500, day=dt.date(2026, 5, 2))
    served(canteen, 720, day=dt.date(2026, 5, 3), type_code="canteen_cooking")
    served(no_consent, 2400, day=dt.date(2026, 4, 20))
    served(serious, 1800, day=dt.date(2026, 4, 21))
    served(west, 3000, day=dt.date(2026, 4, 22))
    served(little, 600, day=dt.date(2026, 4, 23))
    traveller.move_to("2026-04-05 10:00 +0800")
    for i in range(2):
        entry_record(
            actor=k.office_recorder, subject_id=deeds.pk, rule_code="P-GOO-07", occurred_at=at("2026-04-04 10:00"),
            evidence="拾金不昧", source_key=f"deed-{i}", points=2,
        )  # fmt: skip
    deduction, _created = entry_record(
        actor=court_recorder, subject_id=serious.pk, rule_code="P-FIL-04", occurred_at=at("2026-04-01 10:00"),
        evidence="判决书", source_key="serious-1", points=30,
    )  # fmt: skip
    reviewer = make_user("credit_office", Role.COUNTY_CREDIT_OFFICE, tree.county)
    entry_review(actor=reviewer, entry_id=deduction.pk, approve=True)
    traveller.move_to("2026-05-20 10:00 +0800")
    return k


def meeting_of(k: Known, key: str = "village_a1") -> Meeting:
    from rongxin.funds.services.meetings import meeting_create

    region = getattr(k.w.tree, key)
    return meeting_create(actor=getattr(k.w, key), region_id=region.pk, year=2026, quarter=2)
