"""The demo's funds and commendations: the demo village's credit fund holds money (opened here
through the books' services, with merged welfare, when the load had no funds), the village has a
meeting in publicity (公示) with three names, and a published meeting in which the demo ``resident``
was awarded (so the resident's file shows the commendation, with its credit when a catalogue is
loaded). Idempotent: what is there is kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.core.errors import ApplicationError
from rongxin.credit.domain.caps import award_within_caps, cap_year
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Entry
from rongxin.credit.selectors.caps import caps_used
from rongxin.credit.services.bulk import NewEntry, ledger_bulk_append
from rongxin.funds.domain import accounts as chart
from rongxin.funds.models import Account, Fund, Meeting, Nomination
from rongxin.funds.services.awards import credit_key
from rongxin.funds.services.books import LineIn, entry_post, fund_open, voucher_store
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject
from rongxin.synth import funds_shape as shape
from rongxin.synth.funds import fund_voucher_pdf, quarter_of
from rongxin.synth.lectures_credit import _Rules
from rongxin.synth.lectures_records import local_at

DEMO_WELFARE = Decimal("30000.00")
PUBLICITY_NAMES = 3


def stage_funds(*, county: Region, village: Region, resident: Subject | None) -> Fund:
    """The demo village's fund, meetings and the resident's award (see the module docstring)."""
    with transaction.atomic():
        fund = _fund(county=county, village=village)
        _in_publicity(village=village, fund=fund, resident=resident)
        if resident is not None:
            _resident_award(village=village, fund=fund, resident=resident)
    return Fund.objects.get(pk=fund.pk)


def _fund(*, county: Region, village: Region) -> Fund:
    today = clock.today_local()
    fund_open(actor=None, kind=Fund.Kind.COUNTY_SPECIAL, region=county, name=f"{county.name}新时代文明实践专项资金",
              opened_on=today.replace(day=1))  # fmt: skip
    fund = fund_open(
        actor=None,
        kind=Fund.Kind.VILLAGE_CREDIT,
        region=village,
        name=f"{village.name}信用基金",
        opened_on=today.replace(day=1),
        minimum_balance=Decimal(shape.VILLAGE_MINIMUM),
    )
    bank = Account.objects.get(fund=fund, code=chart.BANK)
    if bank.balance < DEMO_WELFARE / 2:
        voucher = voucher_store(
            actor=None, fund=fund, data=fund_voucher_pdf(fund.pk, today.year, 0) + b"demo", file_name="福利资金归集.pdf"
        )
        entry_post(
            actor=None, fund_id=fund.pk, kind="welfare", on=today, memo="福利资金归集（演示）", voucher=voucher,
            lines=[LineIn(chart.BANK, DEMO_WELFARE), LineIn(chart.WELFARE, -DEMO_WELFARE)],
        )  # fmt: skip
    return fund


def _people(village: Region, exclude: set[int], n: int) -> list[Subject]:
    return list(
        Subject.objects.filter(
            village=village,
            kind=Subject.Kind.PERSON,
            person__consent_given=True,
            person__residency=Person.Residency.RESIDENT,
            person__birth_date__year__lte=clock.today_local().year - 18,
        )
        .exclude(pk__in=exclude)
        .order_by("-id")[:n]
    )


def _in_publicity(*, village: Region, fund: Fund, resident: Subject | None) -> Meeting:
    meeting = (
        Meeting.objects.filter(region=village, status=Meeting.Status.PUBLICITY).order_by("-year", "-quarter").first()
    )
    if meeting is not None:
        return meeting
    today = clock.today_local()
    year, quarter = today.year, quarter_of(today)
    meeting = Meeting.objects.filter(region=village, year=year, quarter=quarter).first()
    if meeting is not None:
        return meeting
    now = clock.now()
    meeting = Meeting.objects.create(
        region=village, fund=fund, year=year, quarter=quarter, title=f"{village.name}{year}年第{quarter}季度表彰大会",
        status=Meeting.Status.PUBLICITY, publicity_days=7, publicity_starts_on=today - dt.timedelta(days=2),
        publicity_ends_on=today + dt.timedelta(days=4), created_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    exclude = {resident.pk} if resident is not None else set()
    categories = ("honest", "volunteer", "doer")
    for i, subject in enumerate(_people(village, exclude, PUBLICITY_NAMES)):
        category = categories[i % 3]
        Nomination.objects.create(
            meeting=meeting, subject=subject, category=category, origin=Nomination.Origin.DATA,
            reasons=shape.data_reasons(shape.seeded(0, "demo", subject.pk), category), changed_at=now,
        )  # fmt: skip
    return meeting


def _resident_award(*, village: Region, fund: Fund, resident: Subject) -> None:
    if Nomination.objects.filter(
        subject=resident, status=Nomination.Status.AWARDED, meeting__status=Meeting.Status.PUBLISHED
    ).exists():
        return
    meeting = (
        Meeting.objects.filter(region=village, status=Meeting.Status.PUBLISHED).order_by("-year", "-quarter").first()
    )
    if meeting is None:
        meeting = _published(village=village, fund=fund)
    assert meeting.published_at is not None
    nomination, _created = Nomination.objects.update_or_create(
        meeting=meeting,
        subject=resident,
        defaults={
            "category": Nomination.Category.VOLUNTEER, "origin": Nomination.Origin.DATA,
            "reasons": [{"code": "volunteer_hours", "text": "本季度志愿服务 36.5 小时"}],
            "status": Nomination.Status.AWARDED, "status_reason": "", "award_kind": Nomination.AwardKind.GOODS,
            "award_goods": "荣誉证书及保温杯一个", "award_amount": None, "changed_at": meeting.published_at,
        },
    )  # fmt: skip
    _credit(nomination, meeting)


def _published(*, village: Region, fund: Fund) -> Meeting:
    """A published meeting of last quarter (a load without funds has none)."""
    today = clock.today_local()
    year, quarter = today.year, quarter_of(today) - 1
    if quarter == 0:
        year, quarter = year - 1, 4
    held = today - dt.timedelta(days=1)
    return Meeting.objects.create(
        region=village, fund=fund, year=year, quarter=quarter, title=f"{village.name}{year}年第{quarter}季度表彰大会",
        status=Meeting.Status.PUBLISHED, publicity_days=7, publicity_starts_on=held - dt.timedelta(days=9),
        publicity_ends_on=held - dt.timedelta(days=3), held_on=held, published_at=local_at(held, 17, 0),
        created_at=local_at(held - dt.timedelta(days=12), 9, 0),
    )  # fmt: skip


def _credit(nomination: Nomination, meeting: Meeting) -> None:
    """The commendation's credit (rule P-HON-06), as the synthetic awards have it."""
    at = meeting.published_at
    department = Department.objects.filter(code="civilization_office").first()
    if at is None or department is None or nomination.credit_key:
        return
    rule, catalogue = _Rules().rule(at.astimezone(clock.LOCAL_TZ).date(), "P-HON-06")
    if rule is None or catalogue is None:
        return
    key = credit_key(nomination.meeting_id, nomination.subject_id)
    if Entry.objects.filter(subject_id=nomination.subject_id, source_key=key).exists():
        return
    year = cap_year(at)
    used = caps_used(subject_ids=[nomination.subject_id], codes={rule.code}, years={year})
    slot = used.get((nomination.subject_id, rule.code, year), [0, 0])
    points, _note = award_within_caps(rule, entries=slot[0], points_used=slot[1], points=rule.points_max)
    if points < rule.points_min:
        Nomination.objects.filter(pk=nomination.pk).update(credit_key=key, credit_status="capped")
        return
    evidence = f"{meeting.title}：志愿者，经公示无异议（光荣榜 {at.astimezone(clock.LOCAL_TZ):%Y-%m-%d}）"
    try:
        ledger_bulk_append(
            entries=[
                NewEntry(
                    subject_id=nomination.subject_id, rule=rule, points=points, occurred_at=at, recorded_at=at,
                    department_id=department.pk, recorder_id=None, source=Entry.Source.FUNDS, source_key=key,
                    content_hash=content_hash(
                        rule_code=rule.code, catalogue_version=catalogue.version, points=points,
                        occurred_at=at, department="civilization_office", evidence=evidence,
                    ),
                    evidence=evidence,
                )
            ],
            now=clock.now(), notify=False, cause="demo.funds",
        )  # fmt: skip
    except ApplicationError:
        return
    Nomination.objects.filter(pk=nomination.pk).update(credit_key=key, credit_points=points, credit_status="created")
