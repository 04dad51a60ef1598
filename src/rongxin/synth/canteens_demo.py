"""The demo's canteen: the ``canteen`` manager's village has an open canteen with enrolled elders,
cooks with health certificates (one expiring within 30 days), donations and a clinic coming up,
so that every canteen page has something to show. Idempotent: what is there is kept.

The synthetic load usually gives the village its canteen already (``generate_canteens``); when
it does not (a village without a canteen venue, or a load without canteens), one is set up here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from rongxin.canteens.models import Canteen, CanteenEvent, ClinicVisit, Donation, Elder, HealthCertificate
from rongxin.core import clock
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import Person, Subject
from rongxin.synth.canteens_support import years_before
from rongxin.synth.lectures_records import local_at
from rongxin.volunteering.models import Membership, Team, Volunteer

MIN_ELDERS = 8
MIN_COOKS = 3
MIN_DONATIONS = 3
SOON_DAYS = 12  # the demo cook's certificate expires this many days from today


def stage_canteens(*, town: Region, village: Region) -> Canteen:
    """The village's open canteen, made ready for the demo (see the module docstring)."""
    now = clock.now()
    today = clock.today_local()
    canteen = _canteen(town=town, village=village, today=today)
    _elders(canteen, today)
    _cooks(canteen, town, today)
    _donations(canteen, today)
    if not ClinicVisit.objects.filter(canteen=canteen, status=ClinicVisit.Status.SCHEDULED, starts_at__gt=now).exists():
        day = today + dt.timedelta(days=5)
        ClinicVisit.objects.create(
            canteen=canteen, provider_kind=ClinicVisit.ProviderKind.HOSPITAL, provider_name="荣成市人民医院",
            services="量血压、测血糖、健康咨询", starts_at=local_at(day, 9, 0), ends_at=local_at(day, 11, 0),
            created_at=now,
        )  # fmt: skip
    return Canteen.objects.get(pk=canteen.pk)


def _canteen(*, town: Region, village: Region, today: dt.date) -> Canteen:
    canteen = Canteen.objects.filter(village=village).order_by("id").first()
    team = (
        Team.objects.filter(kind=Team.Kind.CANTEEN, region__in=[village, town], active=True)
        .order_by("-region__level", "id")
        .values_list("id", flat=True)
        .first()
    )
    if canteen is None:
        venue = Venue.objects.filter(region=village, kind=Venue.Kind.CANTEEN).order_by("id").first()
        if venue is None:
            site = PracticeSite.objects.filter(region=village).order_by("id").first()
            venue = Venue.objects.create(
                region=village, kind=Venue.Kind.CANTEEN, name=f"{village.name}暖心食堂", capacity=40,
                address=site.address if site else f"{town.name}{village.name}",
                latitude=(site.latitude if site else None) or Decimal(0),
                longitude=(site.longitude if site else None) or Decimal(0),
            )  # fmt: skip
        opened = today - dt.timedelta(days=400)
        canteen = Canteen.objects.create(
            name=venue.name, village=village, town=town, venue=venue, address=venue.address,
            operator=Canteen.Operator.VILLAGE_COMMITTEE, status=Canteen.Status.OPEN, planned_year=opened.year,
            opened_on=opened, seats=venue.capacity or 40, meal_weekdays=[0, 1, 2, 3, 4, 5], team_id=team,
            created_at=local_at(opened - dt.timedelta(days=150), 9, 0),
        )  # fmt: skip
        CanteenEvent.objects.create(canteen=canteen, status=Canteen.Status.OPEN, on=opened, at=local_at(opened, 11, 0))
    elif canteen.status != Canteen.Status.OPEN or canteen.team_id is None:
        opened = canteen.opened_on or today - dt.timedelta(days=30)
        if canteen.status != Canteen.Status.OPEN:
            CanteenEvent.objects.create(
                canteen=canteen, status=Canteen.Status.OPEN, on=today, at=clock.now(), note="演示：恢复供餐"
            )
        Canteen.objects.filter(pk=canteen.pk).update(
            status=Canteen.Status.OPEN, opened_on=opened, team_id=canteen.team_id or team
        )
        canteen.refresh_from_db()
    return canteen


def _elders(canteen: Canteen, today: dt.date) -> None:
    current = Elder.objects.filter(canteen=canteen, left_on__isnull=True).count()
    if current < MIN_ELDERS:
        taken = Elder.objects.values("subject_id")
        more = list(
            Subject.objects.filter(
                village=canteen.village,
                kind=Subject.Kind.PERSON,
                person__residency=Person.Residency.RESIDENT,
                person__birth_date__lte=years_before(today, 61),
            )
            .exclude(pk__in=taken)
            .exclude(account_links__isnull=False)
            .order_by("person__birth_date", "id")
            .values_list("id", flat=True)[: MIN_ELDERS - current]
        )
        at = clock.now()
        enrolled = today - dt.timedelta(days=20)
        Elder.objects.bulk_create(
            [
                Elder(
                    canteen=canteen, subject_id=s, village_id=canteen.village_id, enrolled_on=enrolled,
                    consent_by=Elder.ConsentBy.SELF if i % 3 else Elder.ConsentBy.FAMILY,
                    consent_name="" if i % 3 else "家属", consent_relation="" if i % 3 else "女儿",
                    consent_at=at, dietary_note="低盐" if i % 4 == 1 else "", needs_delivery=i % 5 == 2,
                    recorded_at=at,
                )
                for i, s in enumerate(more)
            ]
        )  # fmt: skip
    count = Elder.objects.filter(canteen=canteen, left_on__isnull=True).count()
    Canteen.objects.filter(pk=canteen.pk).update(elder_count=count)


def _cooks(canteen: Canteen, town: Region, today: dt.date) -> None:
    if canteen.team_id is None:
        return
    members = Membership.objects.filter(
        team_id=canteen.team_id,
        status=Membership.Status.ACCEPTED,
        volunteer__status=Volunteer.Status.ACTIVE,
        volunteer__subject__village_id=canteen.village_id,
    )
    certified = list(
        HealthCertificate.objects.filter(volunteer__in=members.values("volunteer_id"))
        .order_by("volunteer_id")
        .values_list("volunteer_id", flat=True)
        .distinct()
    )
    at = clock.now()
    if len(certified) < MIN_COOKS:
        local = list(
            Volunteer.objects.filter(subject__village_id=canteen.village_id, status=Volunteer.Status.ACTIVE)
            .exclude(pk__in=certified)
            .order_by("subject_id")
            .values_list("subject_id", flat=True)[: MIN_COOKS - len(certified)]
        )
        joined = set(Membership.objects.filter(team_id=canteen.team_id).values_list("volunteer_id", flat=True))
        Membership.objects.bulk_create(
            [
                Membership(
                    team_id=canteen.team_id, volunteer_id=v, status=Membership.Status.ACCEPTED, applied_at=at,
                    decided_at=at,
                )
                for v in local
                if v not in joined
            ]
        )  # fmt: skip
        issued = today - dt.timedelta(days=100)
        HealthCertificate.objects.bulk_create(
            [
                HealthCertificate(
                    volunteer_id=v, number=f"JKZ{issued:%Y%m%d}{v % 100000:05d}", issuer="荣成市疾病预防控制中心",
                    issued_on=issued, expires_on=issued + dt.timedelta(days=365), recorded_at=at,
                )
                for v in local
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        certified += local
    if not certified:
        return
    soon = today + dt.timedelta(days=30)
    latest = {
        v: (pk, expires)
        for pk, v, expires in HealthCertificate.objects.filter(volunteer_id__in=certified)
        .order_by("volunteer_id", "expires_on", "id")
        .values_list("id", "volunteer_id", "expires_on")
    }
    if not any(today <= expires <= soon for _pk, expires in latest.values()):
        pk, _expires = latest[min(certified)]
        expires = today + dt.timedelta(days=SOON_DAYS)
        HealthCertificate.objects.filter(pk=pk).update(
            issued_on=expires - dt.timedelta(days=365), expires_on=expires, reminded_at=None
        )


def _donations(canteen: Canteen, today: dt.date) -> None:
    have = Donation.objects.filter(canteen=canteen).count()
    if have >= MIN_DONATIONS:
        return
    at = clock.now()
    enterprise = Subject.objects.filter(town_id=canteen.town_id, kind=Subject.Kind.ENTERPRISE).order_by("id").first()
    rows = [
        Donation(
            canteen=canteen, kind=Donation.Kind.GOODS, donor_kind=Donation.DonorKind.ORGANISATION,
            donor=enterprise, donor_name=enterprise.name if enterprise else "荣成市慈善总会", item="大米",
            quantity=Decimal("200.00"), unit="公斤", value=Decimal("1200.00"),
            received_on=today - dt.timedelta(days=12), recorded_at=at,
        ),
        Donation(
            canteen=canteen, kind=Donation.Kind.MONEY, donor_kind=Donation.DonorKind.PERSON,
            donor_name="在外乡贤 王先生", value=Decimal("2000.00"), received_on=today - dt.timedelta(days=6),
            note="用于购买食材", recorded_at=at,
        ),
        Donation(
            canteen=canteen, kind=Donation.Kind.GOODS, donor_kind=Donation.DonorKind.PERSON, donor_name="李女士",
            anonymous=True, item="食用油", quantity=Decimal("5.00"), unit="桶", value=Decimal("375.00"),
            received_on=today - dt.timedelta(days=2), recorded_at=at,
        ),
    ]  # fmt: skip
    Donation.objects.bulk_create(rows[: MIN_DONATIONS - have])
