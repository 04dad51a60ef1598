"""The plan of a synthetic county: region tree, practice sites, venues, village sizes, row tasks.

Everything here is small (about 2,000 rows at full scale) and is computed in the main process;
the per-subject rows are produced chunk by chunk from the plan by :mod:`rongxin.synth.people`.
A plan depends only on ``(scale, seed, as_of)`` plus the first free ids of the target database,
so the same seed always gives the same county.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from rongxin.synth import names, regions_data
from rongxin.synth.regions_data import TownData

# Figures of the real county (2021): residents, migrants, enterprises, individual businesses,
# villages and communities.
BASE_COUNTS = {
    "residents": 600_000,
    "migrants": 143_000,
    "enterprises": 12_000,
    "individual_businesses": 29_000,
}
BASE_VILLAGES = 910
MIN_VILLAGES_PER_TOWN = 2
DEFAULT_CHUNK_SIZE = 20_000
MAX_PERSON_STREAMS = 200
# Registration times are spread over this window before "now".
CREATED_WINDOW_SECONDS = 3 * 365 * 86400

# Row layouts: (model label, field names in row order). The writer maps field names to columns.
REGION_FIELDS = ("id", "code", "prefix", "name", "level", "parent")
SITE_FIELDS = ("region", "kind", "name", "address", "latitude", "longitude")
VENUE_FIELDS = ("region", "kind", "name", "address", "latitude", "longitude", "capacity")


def seeded_rng(seed: int, part: str, index: int = 0) -> random.Random:
    """The random stream of one part (and chunk) of a load; never the global ``random``."""
    return random.Random(f"rongxin-synth:{seed}:{part}:{index}")


def scaled_counts(scale: float) -> dict[str, int]:
    """Subjects of each kind at ``scale``: ``round(base * scale)``."""
    return {kind: round(base * scale) for kind, base in BASE_COUNTS.items()}


def village_count(scale: float) -> int:
    return max(round(BASE_VILLAGES * scale), MIN_VILLAGES_PER_TOWN * len(regions_data.TOWNS))


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton's method)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    wsum = sum(weights)
    quotas = [total * w / wsum for w in weights]
    counts = [math.floor(q) for q in quotas]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def cumulative(counts: list[int]) -> list[int]:
    out = [0]
    for c in counts:
        out.append(out[-1] + c)
    return out


def _dec(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


@dataclass(frozen=True)
class Village:
    index: int
    region_id: int
    town_id: int
    town_index: int
    code: str
    name: str
    short_name: str
    is_community: bool
    clan_surname: str  # "" when the village has no dominant surname
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Task:
    """One chunk of subject rows."""

    part: str  # "resident", "migrant", "enterprise", "individual_business"
    index: int  # chunk number within the part
    stream: int  # chunk number among all chunks of persons (ID sequence interleaving)
    start: int  # first index within the part
    count: int
    first_subject_id: int


@dataclass
class CountyPlan:
    scale: float
    seed: int
    as_of: dt.date  # "today" for ages and birth dates
    now: dt.datetime  # aware UTC, whole seconds: registration times lie before it
    datetime_suffix: str  # appended to "YYYY-MM-DD HH:MM:SS": "" (SQLite, naive UTC) or "+00:00"
    counts: dict[str, int]
    region_rows: list[tuple] = field(default_factory=list)
    site_rows: list[tuple] = field(default_factory=list)
    venue_rows: list[tuple] = field(default_factory=list)
    villages: list[Village] = field(default_factory=list)
    town_ids: list[int] = field(default_factory=list)
    resident_bounds: list[int] = field(default_factory=list)  # cumulative residents per village
    migrant_bounds: list[int] = field(default_factory=list)
    enterprise_cum_weights: list[float] = field(default_factory=list)
    business_cum_weights: list[float] = field(default_factory=list)
    person_streams: int = 1
    tasks: list[Task] = field(default_factory=list)
    uscc_permutation: tuple[int, int, int, int] = (1, 0, 1, 0)

    @property
    def fixed_rows(self) -> int:
        return len(self.region_rows) + len(self.site_rows) + len(self.venue_rows)


def _village_names(rng: random.Random, town: TownData, n: int, n_communities: int) -> list[tuple[str, str, bool, str]]:
    """(name, short name, is community, clan surname) for the villages of one town, unique within it."""
    surnames = [s for s, _ in names.LOCAL_SURNAMES]
    sweights = [w for _, w in names.LOCAL_SURNAMES]
    stem = town.name[:-2] if town.is_subdistrict else town.name[:-1]
    seen: set[str] = set()
    out: list[tuple[str, str, bool, str]] = []
    words = list(names.COMMUNITY_WORDS)
    rng.shuffle(words)
    for i in range(n):
        if i < n_communities:
            if i == 0 and not town.is_subdistrict:
                short = stem  # the town seat
            else:
                short = next((w for w in words if w + "社区" not in seen and w != stem), f"{stem}{i}")
            name = short + "社区"
            seen.add(name)
            out.append((name, short, True, ""))
            continue
        for _attempt in range(60):
            clan = ""
            direction = rng.choice(names.VILLAGE_DIRECTIONS) if rng.random() < 0.22 else ""
            if rng.random() < 0.45:
                clan = rng.choices(surnames, weights=sweights)[0]
                short = direction + clan + rng.choice(("家", "家", "家", "家庄", "家疃", "格庄"))
            else:
                body = rng.choice(names.VILLAGE_STEMS)
                if rng.random() < 0.25:
                    body += rng.choice(names.VILLAGE_STEMS)
                ending = rng.choice(names.VILLAGE_ENDINGS)
                if "家" in ending:
                    clan = rng.choices(surnames, weights=sweights)[0]
                    body = clan
                short = direction + body + ending
            name = short + "村"
            if name not in seen:
                break
        else:  # pragma: no cover - 60 collisions in a row do not happen with these lists
            short = f"{short}{i}"
            name = short + "村"
        seen.add(name)
        out.append((name, short, False, clan))
    return out


def plan_county(
    *,
    scale: float,
    seed: int,
    as_of: dt.date,
    now: dt.datetime,
    first_region_id: int = 1,
    first_subject_id: int = 1,
    datetime_suffix: str = "",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> CountyPlan:
    """Lay out the county for ``(scale, seed)``: regions, sites, venues, village sizes and tasks."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    plan = CountyPlan(
        scale=scale,
        seed=seed,
        as_of=as_of,
        now=now.replace(microsecond=0),
        datetime_suffix=datetime_suffix,
        counts=scaled_counts(scale),
    )
    rng = seeded_rng(seed, "regions")
    towns = regions_data.TOWNS
    n_villages = village_count(scale)
    per_town = [
        MIN_VILLAGES_PER_TOWN + c
        for c in largest_remainder(n_villages - MIN_VILLAGES_PER_TOWN * len(towns), [t.village_weight for t in towns])
    ]

    next_id = first_region_id
    county_id = next_id
    next_id += 1
    code = regions_data.COUNTY_CODE
    plan.region_rows.append((county_id, code, code[:6], regions_data.COUNTY_NAME, "county", None))
    county_address = "山东省威海市荣成市"
    plan.site_rows.append(
        (
            county_id,
            "centre",
            regions_data.CENTRE_NAME,
            county_address + "成山大道",
            _dec(regions_data.COUNTY_LATITUDE),
            _dec(regions_data.COUNTY_LONGITUDE),
        )
    )
    venue_rng = seeded_rng(seed, "venues")
    for kind, vname, cap in (
        ("lecture_hall", "荣成市新时代文明实践中心报告厅", 400),
        ("square", "荣成市市民广场", 3000),
    ):
        plan.venue_rows.append(
            (
                county_id,
                kind,
                vname,
                county_address,
                _dec(regions_data.COUNTY_LATITUDE + venue_rng.uniform(-0.004, 0.004)),
                _dec(regions_data.COUNTY_LONGITUDE + venue_rng.uniform(-0.004, 0.004)),
                cap,
            )
        )

    village_weights: list[float] = []
    for ti, (town, nv) in enumerate(zip(towns, per_town, strict=True)):
        town_id = next_id
        next_id += 1
        plan.town_ids.append(town_id)
        tcode = code[:6] + town.code3 + "000"
        plan.region_rows.append((town_id, tcode, tcode[:9], town.name, "town", county_id))
        taddr = county_address + town.name
        plan.site_rows.append(
            (town_id, "institute", f"{town.name}新时代文明实践所", taddr, _dec(town.latitude), _dec(town.longitude))
        )
        _town_venues(plan, venue_rng, town, town_id, taddr)

        n_comm = max(1, round(0.35 * nv)) if town.is_subdistrict else 1
        n_comm = min(n_comm, nv - 1) if nv > 1 else n_comm
        next_comm, next_vill = 1, 200
        for vname, short, is_comm, clan in _village_names(rng, town, nv, n_comm):
            if is_comm:
                num, next_comm = next_comm, next_comm + 1
            else:
                num, next_vill = next_vill, next_vill + 1
            if num > (199 if is_comm else 999):
                raise ValueError(f"scale {scale} gives too many villages for 3-digit village codes")
            vcode = tcode[:9] + f"{num:03d}"
            region_id = next_id
            next_id += 1
            angle = rng.uniform(0, 2 * math.pi)
            radius = 0.004 + (0.010 if is_comm else 0.045) * math.sqrt(rng.random())
            lat = town.latitude + radius * math.sin(angle)
            lon = town.longitude + radius * math.cos(angle) * 1.25
            village = Village(
                index=len(plan.villages),
                region_id=region_id,
                town_id=town_id,
                town_index=ti,
                code=vcode,
                name=vname,
                short_name=short,
                is_community=is_comm,
                clan_surname=clan,
                latitude=lat,
                longitude=lon,
            )
            plan.villages.append(village)
            plan.region_rows.append((region_id, vcode, vcode, vname, "village", town_id))
            vaddr = taddr + vname
            plan.site_rows.append((region_id, "station", f"{vname}新时代文明实践站", vaddr, _dec(lat), _dec(lon)))
            _village_venues(plan, venue_rng, town, village, vaddr)
            # Village size: log-normal spread, urban communities and town seats bigger.
            weight = rng.lognormvariate(0.0, 0.55) * town.people_weight
            if is_comm:
                weight *= 2.2 if town.is_subdistrict else 3.0
            village_weights.append(weight)

    counts = plan.counts
    plan.resident_bounds = cumulative(largest_remainder(counts["residents"], village_weights))
    migrant_weights = [
        w * towns[v.town_index].migrant_weight * (1.5 if v.is_community else 1.0)
        for v, w in zip(plan.villages, village_weights, strict=True)
    ]
    plan.migrant_bounds = cumulative(largest_remainder(counts["migrants"], migrant_weights))
    plan.enterprise_cum_weights = _cum(
        [towns[v.town_index].migrant_weight * (4.0 if v.is_community else 1.0) for v in plan.villages]
    )
    plan.business_cum_weights = _cum(
        [w * (1.6 if v.is_community else 1.0) for v, w in zip(plan.villages, village_weights, strict=True)]
    )

    # Tasks: persons first (residents, then migrants), then enterprises, then businesses.
    # Each chunk of persons is one "stream" of ID sequence numbers (see people.person_chunk);
    # keep the streams well below the 500 sequence slots by making chunks bigger if needed.
    persons = counts["residents"] + counts["migrants"]
    chunk_size = max(chunk_size, math.ceil(persons / MAX_PERSON_STREAMS))
    sid = first_subject_id
    stream = 0
    for part, total in (("resident", counts["residents"]), ("migrant", counts["migrants"])):
        for index, start in enumerate(range(0, total, chunk_size)):
            n = min(chunk_size, total - start)
            plan.tasks.append(Task(part, index, stream, start, n, sid))
            sid += n
            stream += 1
    plan.person_streams = max(stream, 1)
    for part, total in (
        ("enterprise", counts["enterprises"]),
        ("individual_business", counts["individual_businesses"]),
    ):
        for index, start in enumerate(range(0, total, chunk_size)):
            n = min(chunk_size, total - start)
            plan.tasks.append(Task(part, index, -1, start, n, sid))
            sid += n

    # Organisation codes: two affine permutations of the organisation's running number, one
    # over 31^6 (post-2015 "MA" codes), one over 10^8 (older all-digit codes).
    prng = seeded_rng(seed, "uscc")
    a31 = prng.randrange(1, 31**6)
    while a31 % 31 == 0:
        a31 = prng.randrange(1, 31**6)
    a10 = prng.randrange(1, 10**8)
    while a10 % 2 == 0 or a10 % 5 == 0:
        a10 = prng.randrange(1, 10**8)
    plan.uscc_permutation = (a31, prng.randrange(31**6), a10, prng.randrange(10**8))
    return plan


def _cum(weights: list[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _near(rng: random.Random, lat: float, lon: float, spread: float = 0.003) -> tuple[Decimal, Decimal]:
    return _dec(lat + rng.uniform(-spread, spread)), _dec(lon + rng.uniform(-spread, spread) * 1.25)


def _town_venues(plan: CountyPlan, rng: random.Random, town: TownData, town_id: int, address: str) -> None:
    stem = town.name[:-2] if town.is_subdistrict else town.name[:-1]
    venues = [
        ("lecture_hall", f"{town.name}新时代文明实践所宣讲厅", rng.randint(80, 300)),
        ("square", f"{stem}文化广场", rng.randint(500, 3000)),
        ("school", f"{stem}中心小学" if not town.is_subdistrict else f"{stem}小学", rng.randint(300, 1500)),
        ("clinic", f"{town.name}卫生院" if not town.is_subdistrict else f"{town.name}社区卫生服务中心", None),
        ("rural_market", f"{stem}大集" if not town.is_subdistrict else f"{stem}农贸市场", None),
    ]
    if town.coastal:
        venues.append(("ocean_ranch", f"{stem}海洋牧场", rng.randint(30, 120)))
    for kind, name, cap in venues:
        lat, lon = _near(rng, town.latitude, town.longitude, 0.01)
        plan.venue_rows.append((town_id, kind, name, address, lat, lon, cap))


def _village_venues(plan: CountyPlan, rng: random.Random, town: TownData, village: Village, address: str) -> None:
    # About half of the villages have a warm-heart canteen (472 of 910 in 2021).
    venues: list[tuple[str, str, int | None]] = []
    if rng.random() < 0.52:
        venues.append(("canteen", f"{village.short_name}暖心食堂", rng.randint(20, 80)))
    if rng.random() < 0.30:
        room = "党群服务中心活动室" if village.is_community else "村民活动室"
        venues.append(("activity_room", f"{village.name}{room}", rng.randint(30, 120)))
    if not village.is_community and rng.random() < 0.15:
        venues.append(("field", f"{village.short_name}田间课堂", None))
    if town.coastal and not village.is_community and rng.random() < 0.05:
        venues.append(("ocean_ranch", f"{village.short_name}海上宣讲点", rng.randint(10, 40)))
    for kind, name, cap in venues:
        lat, lon = _near(rng, village.latitude, village.longitude)
        plan.venue_rows.append((village.region_id, kind, name, address, lat, lon, cap))
