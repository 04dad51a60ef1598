"""Around the synthetic canteens' lunches: cooks with health certificates and food-safety
trainings, donations and the stock used from them, and clinic visits.

- Cooks: three to seven accepted members of the canteen's cook team who live in its village
  (none when the county has no volunteering). Each holds a one-year certificate issued within the
  past year, so some expire within 30 days; about one in twenty holds only an expired one; about
  half also hold last year's. One to three trainings each.
- Donations: money and goods from residents of the village, enterprises of the town and a few
  outside donors, some anonymous, over the canteen's last three years; goods are partly used
  (:class:`~rongxin.canteens.models.StockUse`). No credit entries.
- Clinics: every two to three months since opening, held with who came and how many elders were
  seen (a few cancelled); about two in three canteens have one scheduled in the next month.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

from rongxin.canteens.models import ClinicVisit, Donation, HealthCertificate, StockUse, Training
from rongxin.subjects.models import Subject
from rongxin.synth import canteens_shape as shape
from rongxin.synth.lectures_records import local_at
from rongxin.volunteering.models import Membership, Volunteer

if TYPE_CHECKING:
    from rongxin.synth.canteens import CanteenPlan, _Generator


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


CENT = Decimal("0.01")


def write_support(gen: _Generator) -> dict[str, int]:
    counts: Counter[str] = Counter()
    counts.update(_cooks(gen))
    counts.update(_donations(gen))
    counts.update(_clinics(gen))
    return dict(counts)


def _cooks(gen: _Generator) -> dict[str, int]:
    rng = shape.seeded(gen.seed, "cooks")
    teams = {p.row.team_id for p in gen.plans if p.row.team_id and p.row.status != "planned"}
    local: dict[tuple[int, int], list[int]] = {}
    for team, volunteer, village in (
        Membership.objects.filter(
            team_id__in=teams, status=Membership.Status.ACCEPTED, volunteer__status=Volunteer.Status.ACTIVE
        )
        .order_by("team_id", "volunteer_id")
        .values_list("team_id", "volunteer_id", "volunteer__subject__village_id")
    ):
        local.setdefault((team, village), []).append(volunteer)
    certs: list[HealthCertificate] = []
    trainings: list[Training] = []
    today = gen.today
    cooks = 0
    for p in gen.plans:
        c = p.row
        if c.team_id is None or c.status == "planned":
            continue
        pool = local.get((c.team_id, c.village_id), [])
        n = min(len(pool), rng.randint(*shape.COOKS_PER_CANTEEN))
        for volunteer in sorted(rng.sample(pool, n)):
            cooks += 1
            issuer = rng.choice(shape.CERT_ISSUERS).format(town=p.town_name)
            if rng.random() < 0.05:
                issued = today - dt.timedelta(days=rng.randint(370, 540))  # expired, not renewed
            else:
                issued = today - dt.timedelta(days=rng.randint(0, 364))
            spans = [issued] + ([issued - dt.timedelta(days=365)] if rng.random() < 0.5 else [])
            for on in spans:
                expires = on + dt.timedelta(days=365)
                at = local_at(on, 10, rng.randint(0, 59))
                certs.append(
                    HealthCertificate(
                        volunteer_id=volunteer, number=f"JKZ{on:%Y%m%d}{volunteer % 100000:05d}", issuer=issuer,
                        issued_on=on, expires_on=expires, recorded_at=at,
                    )
                )  # fmt: skip
            for _ in range(rng.randint(1, 3)):
                course, provider, hours = rng.choice(shape.COURSES)
                on = today - dt.timedelta(days=rng.randint(10, 3 * 365))
                trainings.append(
                    Training(
                        volunteer_id=volunteer, course=course, provider=provider.format(town=p.town_name), on=on,
                        hours=Decimal(hours), recorded_at=local_at(on, 16, 0),
                    )
                )  # fmt: skip
    HealthCertificate.objects.bulk_create(certs, batch_size=2000)
    Training.objects.bulk_create(trainings, batch_size=2000)
    return {"cooks": cooks, "health_certificates": len(certs), "trainings": len(trainings)}


def _donations(gen: _Generator) -> dict[str, int]:
    rng = shape.seeded(gen.seed, "donations")
    today = gen.today
    serving = [p for p in gen.plans if p.row.opened_on is not None]
    villages = {p.row.village_id for p in serving}
    adult_from, adult_to = years_before(today, 65), years_before(today, 25)
    people: dict[int, list[tuple[int, str]]] = {}
    for sid, village, name in (
        Subject.objects.filter(
            kind=Subject.Kind.PERSON,
            village_id__in=list(villages),
            person__birth_date__gte=adult_from,
            person__birth_date__lte=adult_to,
        )
        .order_by("id")
        .values_list("id", "village_id", "name")
        .iterator(chunk_size=20_000)
    ):
        pool = people.setdefault(village, [])
        if len(pool) < 40:
            pool.append((sid, name))
    enterprises: dict[int, list[tuple[int, str]]] = {}
    for sid, town, name in (
        Subject.objects.filter(kind=Subject.Kind.ENTERPRISE).order_by("id").values_list("id", "town_id", "name")
    ):
        enterprises.setdefault(town, []).append((sid, name))
    donations: list[Donation] = []
    uses: list[StockUse] = []
    window = today - dt.timedelta(days=3 * 365)
    for p in serving:
        c = p.row
        assert c.opened_on is not None
        first = max(c.opened_on, window)
        span = (today - first).days
        if span <= 0:
            continue
        for _ in range(max(1, round(span / 365 * rng.uniform(2, 6)))):
            on = first + dt.timedelta(days=rng.randint(0, span - 1))
            roll = rng.random()
            donor_id: int | None = None
            anonymous = rng.random() < 0.1
            if roll < 0.55 and people.get(c.village_id):
                donor_kind = Donation.DonorKind.PERSON
                donor_id, donor_name = rng.choice(people[c.village_id])
            elif roll < 0.9 and enterprises.get(c.town_id):
                donor_kind = Donation.DonorKind.ORGANISATION
                donor_id, donor_name = rng.choice(enterprises[c.town_id])
            elif rng.random() < 0.5:
                donor_kind = Donation.DonorKind.PERSON
                donor_name = rng.choice(shape.OTHER_DONORS_PERSON).format(s=rng.choice(shape.SURNAMES))
            else:
                donor_kind = Donation.DonorKind.ORGANISATION
                donor_name = rng.choice(shape.OTHER_DONORS_ORG)
            at = local_at(on, 10, rng.randint(0, 59))
            if rng.random() < 0.45:
                amount = Decimal(rng.choice((200, 500, 1000, 2000, 3000, 5000, 10000, 20000))).quantize(CENT)
                donations.append(
                    Donation(
                        canteen=c, kind=Donation.Kind.MONEY, donor_kind=donor_kind, donor_id=donor_id,
                        donor_name=donor_name[:100], anonymous=anonymous, value=amount, received_on=on,
                        note="用于购买食材", recorded_at=at,
                    )
                )  # fmt: skip
                continue
            item, unit, price, (low, high) = rng.choice(shape.GOODS)
            quantity = rng.randint(low, high)
            donations.append(
                Donation(
                    canteen=c, kind=Donation.Kind.GOODS, donor_kind=donor_kind, donor_id=donor_id,
                    donor_name=donor_name[:100], anonymous=anonymous, item=item,
                    quantity=Decimal(quantity).quantize(CENT), unit=unit,
                    value=Decimal(quantity * price).quantize(CENT), received_on=on, recorded_at=at,
                )
            )  # fmt: skip
            left = quantity
            used_on = on
            for _ in range(rng.randint(1, 3)):
                used_on = used_on + dt.timedelta(days=rng.randint(3, 30))
                if used_on >= today or left <= 1:
                    break
                q = rng.randint(1, max(1, left // 2))
                left -= q
                uses.append(
                    StockUse(
                        canteen=c, item=item, quantity=Decimal(q).quantize(CENT), unit=unit, used_on=used_on,
                        note="午餐食材", recorded_at=local_at(used_on, 17, 0),
                    )
                )  # fmt: skip
    Donation.objects.bulk_create(donations, batch_size=2000)
    StockUse.objects.bulk_create(uses, batch_size=2000)
    return {"donations": len(donations), "stock_uses": len(uses)}


def _visit(rng: random.Random, p: CanteenPlan, on: dt.date, status: str) -> ClinicVisit:
    kind, name, services, staff = rng.choice(shape.CLINIC_PROVIDERS)
    held = status == ClinicVisit.Status.HELD
    elders = max(1, p.row.elder_count)
    return ClinicVisit(
        canteen=p.row, provider_kind=kind, provider_name=name.format(town=p.town_name), services=services,
        starts_at=local_at(on, 9, 0), ends_at=local_at(on, 11, 0), status=status,
        staff=staff.format(s=rng.choice(shape.SURNAMES), t=rng.choice(shape.SURNAMES)) if held else "",
        elders_seen=rng.randint(max(1, elders // 3), elders) if held else None,
        note="取消：天气原因" if status == ClinicVisit.Status.CANCELLED else "",
        created_at=local_at(on - dt.timedelta(days=14), 9, 0),
        recorded_at=local_at(on, 12, 0) if held else None,
    )  # fmt: skip


def _clinics(gen: _Generator) -> dict[str, int]:
    rng = shape.seeded(gen.seed, "clinics")
    today = gen.today
    rows: list[ClinicVisit] = []
    window = today - dt.timedelta(days=3 * 365)
    for p in gen.plans:
        c = p.row
        if c.opened_on is None:
            continue
        day = max(c.opened_on, window) + dt.timedelta(days=rng.randint(10, 60))
        last = p.paused_on or today

        while day < last:
            status = ClinicVisit.Status.CANCELLED if rng.random() < 0.03 else ClinicVisit.Status.HELD
            rows.append(_visit(rng, p, day, status))
            day += dt.timedelta(days=rng.randint(60, 90))
        if p.paused_on is None and rng.random() < 0.67:
            rows.append(_visit(rng, p, today + dt.timedelta(days=rng.randint(1, 30)), ClinicVisit.Status.SCHEDULED))
    ClinicVisit.objects.bulk_create(rows, batch_size=2000)
    return {
        "clinic_visits": len(rows),
        "clinic_visits_scheduled": sum(1 for r in rows if r.status == ClinicVisit.Status.SCHEDULED),
    }
