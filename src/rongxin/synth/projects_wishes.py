"""Synthetic small wishes (微心愿): about 3,000 at scale 1.0 over the three years (≈ 850, 1,000 and
1,150 a year), posted for consenting adult residents of the villages with ceilings of ¥50–¥3,000;
claimed by residents of the town or by its enterprises and businesses (some anonymously), the
value given never above the ceiling; in every state (the old ones mostly received or withdrawn,
the recent ones earlier in their life); the confirmed ones earn the claimant credit
(:func:`rongxin.synth.projects_credit.wish_credit`). The demo resident posted a wish still
waiting and fulfilled another, which its resident confirmed."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rongxin.core import clock
from rongxin.projects.models import Wish
from rongxin.synth import projects_shape as shape
from rongxin.synth.lectures_records import local_at
from rongxin.synth.projects_credit import wish_credit
from rongxin.synth.projects_plan import Sponsor, weighted

if TYPE_CHECKING:
    from rongxin.synth.projects import ProjectsGenerator

CATEGORY_WEIGHTS = (("daily", 35), ("health", 20), ("study", 20), ("home", 10), ("company", 15))


@dataclass
class PlannedWish:
    posted_at: dt.datetime
    region_id: int
    beneficiary: Sponsor
    category: str
    title: str
    story: str
    ceiling: Decimal
    state: str
    claimant: Sponsor | None = None
    anonymous: bool = False
    claimed_at: dt.datetime | None = None
    value: Decimal | None = None
    fulfilled_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    withdrawn_at: dt.datetime | None = None
    note: str = ""
    thanks: str = ""


def generate_wishes(gen: ProjectsGenerator) -> Counter[str]:
    plans: list[PlannedWish] = []
    villages = [v for v in gen.villages if gen.people.get(v.pk)]
    if villages:
        index = 0
        for k, year in enumerate(range(gen.first_year, gen.today.year + 1)):
            for _ in range(shape.scaled(shape.WISHES_A_YEAR[k], gen.scale)):
                index += 1
                rng = shape.seeded(gen.seed, "wish", index)
                wish = _wish(gen, rng, year, villages[rng.randrange(len(villages))].pk)
                if wish is not None:
                    plans.append(wish)
    plans += _demo_wishes(gen)
    plans.sort(key=lambda w: w.posted_at)
    per_year: dict[int, int] = defaultdict(int)
    rows = []
    for w in plans:
        year = w.posted_at.astimezone(clock.LOCAL_TZ).year
        per_year[year] += 1
        rows.append(
            Wish(
                number=f"XY{year}-{per_year[year]:04d}",
                region_id=w.region_id,
                beneficiary_id=w.beneficiary.subject_id,
                title=w.title[:60],
                story=w.story,
                category=w.category,
                ceiling=w.ceiling,
                state=w.state,
                posted_at=w.posted_at,
                claimant_id=w.claimant.subject_id if w.claimant else None,
                claimant_name=w.claimant.name[:100] if w.claimant else "",
                claimant_anonymous=w.anonymous,
                claimed_at=w.claimed_at,
                value=w.value,
                fulfil_note=w.note,
                fulfilled_at=w.fulfilled_at,
                confirmed_at=w.confirmed_at,
                thanks=w.thanks,
                withdrawn_at=w.withdrawn_at,
                withdraw_reason=shape.WISH_WITHDRAW if w.withdrawn_at else "",
            )
        )
    rows = Wish.objects.bulk_create(rows, batch_size=1000)
    counts: Counter[str] = Counter()
    counts["wishes"] = len(rows)
    for state, n in Counter(r.state for r in rows).items():
        counts[f"wishes_{state}"] = n
    counts["wishes_value_yuan"] = int(sum((r.value or Decimal(0) for r in rows if r.state == "confirmed"), Decimal(0)))
    confirmed = [
        (r, w.claimant.person) for r, w in zip(rows, plans, strict=True) if r.state == "confirmed" and w.claimant
    ]
    counts.update(wish_credit(gen, confirmed))
    return counts


def _wish(gen: ProjectsGenerator, rng: random.Random, year: int, village_id: int) -> PlannedWish | None:
    people = gen.people[village_id]
    beneficiary = people[rng.randrange(len(people))]
    first = dt.date(year, 1, 1)
    last = min(dt.date(year, 12, 31), gen.today)
    day = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
    posted = local_at(day, rng.randint(8, 18), rng.randint(0, 59))
    if posted >= gen.now:
        posted = gen.now - dt.timedelta(hours=rng.randint(1, 8))
    category = weighted(rng, CATEGORY_WEIGHTS)
    title, low, high = rng.choice(shape.WISHES[category])
    ceiling = Decimal(max(shape.WISH_CEILING[0], min(shape.WISH_CEILING[1], rng.randint(low, high) // 10 * 10)))
    fate = weighted(rng, shape.WISH_FATES)
    w = PlannedWish(posted, village_id, beneficiary, category, title, rng.choice(shape.WISH_STORIES), ceiling, "open")
    town = gen.town_of.get(village_id, 0)
    if fate == "open":
        return w
    if fate == "withdrawn":
        at = posted + dt.timedelta(days=rng.randint(2, 30))
        if at < gen.now:
            w.state, w.withdrawn_at = "withdrawn", at
        return w
    claimant = _claimant(gen, rng, town, exclude=beneficiary.subject_id)
    if claimant is None:
        return w
    _life(w, rng, gen.now, claimant, fate)
    return w


def _claimant(gen: ProjectsGenerator, rng: random.Random, town: int, *, exclude: int) -> Sponsor | None:
    orgs = gen.enterprises.get(town, [])[:60] + gen.businesses.get(town, [])[:60]
    if orgs and rng.random() < shape.WISH_ORG_SHARE:
        return orgs[rng.randrange(len(orgs))]
    people = [
        p
        for p in gen.people.get(town, [])
        if p.subject_id != exclude and (gen.demo_resident is None or p.subject_id != gen.demo_resident.subject_id)
    ]
    return people[rng.randrange(len(people))] if people else None


def _life(w: PlannedWish, rng: random.Random, now: dt.datetime, claimant: Sponsor, fate: str) -> None:
    """Claimed, delivered and confirmed as far as ``fate`` goes and ``now`` allows."""
    claimed = w.posted_at + dt.timedelta(days=rng.randint(0, 12), hours=rng.randint(1, 6))
    if claimed >= now:
        return
    w.state, w.claimant, w.claimed_at = "claimed", claimant, claimed
    w.anonymous = rng.random() < shape.ANONYMOUS_SHARE
    if fate == "claimed":
        return
    fulfilled = claimed + dt.timedelta(days=rng.randint(1, 15), hours=rng.randint(0, 5))
    if fulfilled >= now:
        return
    w.state, w.fulfilled_at = "fulfilled", fulfilled
    w.value = (w.ceiling * Decimal(str(round(rng.uniform(0.7, 1.0), 2)))).quantize(Decimal("0.01"))
    w.note = rng.choice(shape.WISH_NOTES)
    if fate == "fulfilled":
        return
    confirmed = fulfilled + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 8))
    if confirmed >= now:
        return
    w.state, w.confirmed_at, w.thanks = "confirmed", confirmed, rng.choice(shape.WISH_THANKS)


def _demo_wishes(gen: ProjectsGenerator) -> list[PlannedWish]:
    """The demo resident's own wish, still waiting, and one of a neighbour's they fulfilled."""
    resident, village = gen.demo_resident, gen.demo_village
    if resident is None or village is None:
        return []
    rng = shape.seeded(gen.seed, "demo-wish")
    own = PlannedWish(
        gen.now - dt.timedelta(days=3, hours=2), village.pk, resident, "health", "一台血压计",
        "家中老人血压偏高，想有一台血压计每天量一量。", Decimal("260.00"), "open",
    )  # fmt: skip
    wishes = [own]
    neighbours = [p for p in gen.people.get(village.pk, []) if p.subject_id != resident.subject_id]
    if neighbours:
        other = PlannedWish(
            gen.now - dt.timedelta(days=40), village.pk, neighbours[rng.randrange(len(neighbours))], "daily",
            "一床冬被", "独居老人，家中被褥单薄，想要一床厚冬被。", Decimal("300.00"), "open",
        )  # fmt: skip
        _life(other, rng, gen.now, resident, "confirmed")
        wishes.append(other)
    return wishes
