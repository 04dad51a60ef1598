"""The synthetic quarterly commendation meetings (季度表彰大会) of every town and village.

For each quarter since the funds opened that has ended: a meeting per town and village, its
publicity (公示, seven days) starting three to ten days after the quarter, the meeting held one to
six days after the publicity ended and the honour roll published that afternoon. A meeting whose
day has not come yet is left in publicity (or nominating, before its publicity). Names are drawn
from the place's consenting adult residents: one to three per category in a village, two to four
in a town (honest people, volunteers, doers), most with reasons from the data, some added by the
committee; one meeting in ten has a name the committee removed. Awards: money (¥100–¥500 in
steps of ¥50, one journal entry each from the place's credit fund, dated the meeting day), goods
or a certificate; a money award the fund cannot pay above its minimum becomes a certificate.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from rongxin.funds.domain import accounts as chart
from rongxin.funds.models import Meeting, Nomination
from rongxin.funds.services.books import LineIn
from rongxin.regions.models import Region
from rongxin.synth import funds_shape as shape
from rongxin.synth.lectures_records import local_at

if TYPE_CHECKING:
    from rongxin.synth.funds import FundsGenerator

CATEGORIES = ("honest", "volunteer", "doer")


@dataclass
class MeetingPlan:
    row: Meeting
    region: Region
    nominations: list[tuple[Nomination, int | None]] = field(default_factory=list)  # (row, award move)


def _quarter_end(year: int, quarter: int) -> dt.date:
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return following - dt.timedelta(days=1)


def past_quarters(first_year: int, today: dt.date) -> list[tuple[int, int]]:
    """Every quarter from the first of ``first_year`` that ended before ``today``."""
    out = []
    year, quarter = first_year, 1
    while _quarter_end(year, quarter) < today:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out


def plan_meetings(gen: FundsGenerator) -> list[MeetingPlan]:
    """The meetings, their names and awards; the money awards become moves of ``gen``."""
    plans: list[MeetingPlan] = []
    regions = [*gen.towns, *gen.villages]
    for year, quarter in past_quarters(gen.first_year, gen.today):
        end = _quarter_end(year, quarter)
        for region in regions:
            rng = shape.seeded(gen.seed, f"meeting:{year}q{quarter}", region.pk)
            starts = end + dt.timedelta(days=rng.randint(3, 10))
            ends = starts + dt.timedelta(days=6)
            held = ends + dt.timedelta(days=rng.randint(1, 6))
            if held < gen.today:
                status = Meeting.Status.PUBLISHED
            elif starts <= gen.today:
                status = Meeting.Status.PUBLICITY
            else:
                status = Meeting.Status.DRAFT
            title = f"{region.name}{year}年第{quarter}季度表彰大会"
            row = Meeting(
                region=region,
                fund_id=gen.funds[region.pk],
                year=year,
                quarter=quarter,
                title=title,
                status=status,
                publicity_days=7,
                publicity_starts_on=starts if status != Meeting.Status.DRAFT else None,
                publicity_ends_on=ends if status != Meeting.Status.DRAFT else None,
                held_on=held if status == Meeting.Status.PUBLISHED else None,
                published_at=local_at(held, 17, 0) if status == Meeting.Status.PUBLISHED else None,
                created_at=local_at(end + dt.timedelta(days=1), 9, 0),
            )
            plan = MeetingPlan(row=row, region=region)
            _nominate(gen, plan, rng, held)
            plans.append(plan)
    return plans


def _nominate(gen: FundsGenerator, plan: MeetingPlan, rng: random.Random, held: dt.date) -> None:
    people = gen.people.get(plan.region.pk) or []
    row = plan.row
    is_village = plan.region.level == Region.Level.VILLAGE
    low, high = shape.PER_CATEGORY_VILLAGE if is_village else shape.PER_CATEGORY_TOWN
    # A small place (a small scale) commends fewer: about one name a category per 40 candidates.
    most = max(1, len(people) // 40)
    wanted = {c: min(most, rng.randint(low, high)) for c in CATEGORIES}
    chosen = rng.sample(people, min(len(people), sum(wanted.values()) + 1))
    published = row.status == Meeting.Status.PUBLISHED
    changed = row.published_at or row.created_at
    kinds = [k for k, _ in shape.AWARD_KINDS]
    weights = [w for _, w in shape.AWARD_KINDS]
    k = 0
    for category in CATEGORIES:
        for _ in range(wanted[category]):
            if k >= len(chosen):
                return
            subject_id, name = chosen[k]
            k += 1
            committee = rng.random() < shape.COMMITTEE_SHARE
            reasons = (
                [{"code": "committee", "text": shape.COMMITTEE_REASONS[category]}]
                if committee
                else shape.data_reasons(rng, category)
            )
            n = Nomination(
                subject_id=subject_id,
                category=category,
                origin=Nomination.Origin.COMMITTEE if committee else Nomination.Origin.DATA,
                reasons=reasons,
                status=Nomination.Status.AWARDED if published else Nomination.Status.PROPOSED,
                changed_at=changed,
            )
            move: int | None = None
            if published:
                kind = rng.choices(kinds, weights=weights)[0]
                amount = Decimal(50 * rng.randint(shape.AWARD_MONEY[0] // 50, shape.AWARD_MONEY[1] // 50))
                if kind in ("money", "goods") and not gen.can_pay(row.fund_id, held, amount):
                    kind = "certificate"
                n.award_kind = kind
                if kind == "money":
                    n.award_amount = amount
                    memo = f"{row.year}年第{row.quarter}季度表彰奖金：{name}（{shape.CATEGORY_ZH[category]}）"
                    move = gen.pay(
                        row.fund_id, "award", held, memo,
                        [LineIn(chart.AWARDS_MONEY, amount), LineIn(chart.BANK, -amount)],
                    )  # fmt: skip
                elif kind == "goods":
                    # Goods are bought for the meeting, as the award service books them: their
                    # value (the amount drawn above) is spending on prizes against the bank.
                    n.award_goods = rng.choice(shape.GOODS)
                    n.award_amount = amount
                    memo = f"{row.year}年第{row.quarter}季度表彰奖品：{name}（{shape.CATEGORY_ZH[category]}）"
                    move = gen.pay(
                        row.fund_id, "award", held, memo,
                        [LineIn(chart.AWARDS_GOODS, amount), LineIn(chart.BANK, -amount)],
                    )  # fmt: skip
            plan.nominations.append((n, move))
    if k < len(chosen) and rng.random() < shape.REMOVED_SHARE:
        subject_id, _name = chosen[k]
        plan.nominations.append(
            (
                Nomination(
                    subject_id=subject_id,
                    category=rng.choice(CATEGORIES),
                    origin=Nomination.Origin.DATA,
                    reasons=shape.data_reasons(rng, "volunteer"),
                    status=Nomination.Status.REMOVED,
                    status_reason=rng.choice(shape.REMOVED_REASONS),
                    changed_at=row.created_at + dt.timedelta(days=2),
                ),
                None,
            )
        )


def write_meetings(gen: FundsGenerator, plans: list[MeetingPlan], ids: list[int]) -> list[Nomination]:
    """Write the meetings and their names (the money awards linked to their entries, the awards'
    credit appended first, so each name is written once with its credit key); return the awarded
    names."""
    from rongxin.synth.funds_credit import award_credit

    rows = Meeting.objects.bulk_create([p.row for p in plans], batch_size=1000)
    nominations: list[Nomination] = []
    next_id = int(Nomination.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    for p, row in zip(plans, rows, strict=True):
        for n, move in p.nominations:
            n.pk, next_id = next_id, next_id + 1
            n.meeting = row
            n.award_entry_id = ids[move] if move is not None else None
            nominations.append(n)
    gen.counts.update(award_credit(gen, [n for n in nominations if n.status == Nomination.Status.AWARDED]))
    nominations = Nomination.objects.bulk_create(nominations, batch_size=2000)
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Nomination]):
            cur.execute(sql)
    for status, label in ((Meeting.Status.PUBLISHED, "published"), (Meeting.Status.PUBLICITY, "in_publicity")):
        gen.counts[f"meetings_{label}"] = sum(r.status == status for r in rows)
    gen.counts["meetings"] = len(rows)
    gen.counts["nominations"] = len(nominations)
    awarded = [n for n in nominations if n.status == Nomination.Status.AWARDED]
    gen.counts["awards"] = len(awarded)
    for kind in ("money", "goods", "certificate"):
        gen.counts[f"awards_{kind}"] = sum(n.award_kind == kind for n in awarded)
    return awarded
