"""Three years of synthetic lectures (理论宣讲) for a generated county, after its volunteering.

At scale 1.0 (the numbers are in :mod:`rongxin.synth.lectures_shape`): a published sayings book
(the book area's ``data/sample_book.yaml`` when present, else fifty generated sayings:
:mod:`rongxin.synth.lectures_book`); 37 county leaders, the Party secretary and the mayor first,
each with one adoption link (a town, a village inside it, an enterprise of the town); 124 heads
with the bimonthly quota (44 town heads in their town, 80 department heads at county level) over
three years, a few of their past periods left without a lecture (overdue); 352 lecture teams
(volunteering teams of kind ``lecture``) with brands across the three tiers and three speakers
each; volunteer speakers; about 10,000 closed sessions in every village (a handful of villages
without one in the last six months), 600,000+ listeners' check-ins (QR or assisted), the
sessions' speakers with ``counts_for_quota``/``at_link`` computed as
:func:`rongxin.lectures.selectors.common.speaker_session_flags` does, the sayings covered,
orders in every state with histories along :data:`rongxin.lectures.domain.orders.TRANSITIONS`,
and ratings.

Small tables go through the ORM (``bulk_create``); sessions, attendance, speakers, sayings,
orders and their events through :class:`~rongxin.core.bulk.BulkWriter` (``COPY`` on
PostgreSQL), all in one transaction. Deterministic for ``(seed, now, scale)`` and the county.

Credit: as the closing service would have awarded it when each session was closed (listeners
``P-PRA-01``, speakers ``P-PRA-02``, source ``lecture``, yearly caps honoured), appended through
the ledger's bulk path: :mod:`rongxin.synth.lectures_credit`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max, Model

from rongxin.accounts.models import Department, User
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.core.rotating import STEP_SECONDS
from rongxin.lectures.domain.periods import period_containing, periods_between, reminder_day
from rongxin.lectures.models import (
    AdoptionLink,
    Attendance,
    Order,
    OrderEvent,
    QuotaPolicy,
    QuotaReminder,
    Session,
    SessionSaying,
    SessionSpeaker,
    Speaker,
    TeamBrand,
)
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import Subject
from rongxin.synth import lectures_shape as shape
from rongxin.synth.lectures_book import book_data, book_publish_rows
from rongxin.synth.lectures_credit import Held, lecture_credit
from rongxin.synth.lectures_orders import OrderHistories
from rongxin.synth.lectures_records import Planned, SpeakerInfo, Village, local_at
from rongxin.volunteering.models import Team

SESSION_FIELDS = (
    "id", "title", "team", "order", "region", "town", "place_kind", "site", "venue", "place", "latitude", "longitude",
    "format", "starts_at", "ends_at", "audience_count", "status", "qr_secret", "listener_count", "created_at",
    "created_by", "closed_at", "closed_by", "cancelled_at", "cancel_reason",
)  # fmt: skip
ORDER_FIELDS = (
    "id", "region", "orderer_kind", "orderer_name", "enterprise", "ordered_by", "ordered_at", "topic", "saying",
    "preferred_from", "preferred_to", "audience", "audience_size", "place", "venue", "state", "dispatch_by",
    "answer_by", "team", "speaker", "rating", "rating_comment", "rated_by", "rated_at",
)  # fmt: skip
EVENT_FIELDS = ("order", "action", "from_state", "to_state", "at", "actor", "reason", "details")
SPEAKER_LINK_FIELDS = ("session", "speaker", "counts_for_quota", "at_link")
SAYING_FIELDS = ("session", "saying", "saying_key")
ATTENDANCE_FIELDS = ("session", "subject", "method", "at", "token_step", "recorded_by", "reason")
CHUNK = 50_000


class LecturesRefused(RuntimeError):
    pass


@dataclass
class LecturesResult:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    credit_seconds: float = 0.0  # of which appending the credit

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "seconds": round(self.seconds, 2), "credit_seconds": self.credit_seconds}


# --- Reading the county ---------------------------------------------------------------------------
def _county() -> tuple[Region, list[Region], dict[int, list[Village]]]:
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    if county is None:
        raise LecturesRefused("no county: run generate_county first")
    towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code"))
    sites = {
        r: (i, n, float(la) if la is not None else None, float(lo) if lo is not None else None)
        for i, r, n, la, lo in PracticeSite.objects.values_list("id", "region_id", "name", "latitude", "longitude")
    }
    venues: dict[int, list[tuple[int, str, str, float, float]]] = {}
    for i, r, n, k, la, lo in Venue.objects.order_by("id").values_list(
        "id", "region_id", "name", "kind", "latitude", "longitude"
    ):
        venues.setdefault(r, []).append((i, n, k, float(la), float(lo)))
    villages: dict[int, list[Village]] = {t.pk: [] for t in towns}
    for vid, name, prefix, parent in (
        Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").values_list("id", "name", "prefix", "parent")
    ):
        villages.setdefault(parent or 0, []).append(
            Village(vid, name, prefix, parent or 0, sites.get(vid), venues.get(vid, []))
        )
    return county, towns, villages


def _people(today: dt.date) -> tuple[dict[int, list[int]], dict[int, str], dict[int, list[int]]]:
    """Consenting adults by village (the listeners), their names, and enterprises by town."""
    adult = today.replace(year=today.year - 18) if not (today.month == 2 and today.day == 29) else today
    by_village: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for sid, village, name in (
        Subject.objects.filter(kind=Subject.Kind.PERSON, person__consent_given=True, person__birth_date__lte=adult)
        .order_by("id")
        .values_list("id", "village_id", "name")
        .iterator(chunk_size=20_000)
    ):
        by_village.setdefault(village, []).append(sid)
        names[sid] = name
    enterprises: dict[int, list[int]] = {}
    for sid, town in Subject.objects.filter(kind=Subject.Kind.ENTERPRISE).order_by("id").values_list("id", "town_id"):
        enterprises.setdefault(town, []).append(sid)
    return by_village, names, enterprises


def _max_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(m=Max("id"))["m"] or 0)  # type: ignore[attr-defined]


# --- The generator --------------------------------------------------------------------------------
def generate_lectures(
    *, seed: int, now: dt.datetime | None = None, scale: float = 1.0, credit: bool = True
) -> LecturesResult:
    """Write the synthetic lectures of the generated county in one transaction (see the module
    docstring), with their credit unless ``credit`` is false (none either without a loaded
    person catalogue). Refuses a database that already has lecture sessions or speakers."""
    started = time.perf_counter()
    if Session.objects.exists() or Speaker.objects.exists():
        raise LecturesRefused("the database already has lectures; synthetic lectures go into none")
    now = (now or clock.now()).astimezone(dt.UTC).replace(microsecond=0)
    today = now.astimezone(clock.LOCAL_TZ).date()
    with transaction.atomic():
        gen = _Generator(seed=seed, now=now, today=today, scale=scale, credit=credit)
        counts = gen.run()
        audit_record(
            actor=None,
            kind="write",
            action="synth.lectures",
            object_type="synth.syntheticload",
            object_id="",
            details={"scale": scale, "seed": seed, "counts": counts},
        )
    return LecturesResult(
        counts=counts, seconds=time.perf_counter() - started, credit_seconds=round(gen.credit_seconds, 2)
    )


class _Generator(OrderHistories):
    def __init__(self, *, seed: int, now: dt.datetime, today: dt.date, scale: float, credit: bool):
        self.seed, self.now, self.today, self.scale = seed, now, today, scale
        self.start_day = period_containing(dt.date(today.year - 3, today.month, 1), 2).start
        self.counts: Counter[str] = Counter()
        self.speakers: list[SpeakerInfo] = []
        self.teams: list[tuple[Team, str]] = []  # (team, tier)
        self.village_day: set[tuple[int, dt.date]] = set()
        self.speaker_day: set[tuple[int, dt.date]] = set()
        self.planned: list[Planned] = []
        self.held: list[Held] = []
        self.credit = credit
        self.credit_seconds = 0.0

    # People ------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.county, self.towns, self.villages = _county()
        self.all_villages = [v for t in self.towns for v in self.villages.get(t.pk, [])]
        if not self.all_villages:
            raise LecturesRefused("no villages: run generate_county first")
        self.village_by_id = {v.id: v for v in self.all_villages}
        self.listeners, self.names, self.enterprises = _people(self.today)
        self.used_subjects: set[int] = set()
        self.stamp = datetime_adapter(connection)
        self._book()
        self._users()
        self._policy()
        self._leaders_and_heads()
        self._teams()
        self._plan_sessions()
        self._write()
        return dict(sorted(self.counts.items()))

    def _book(self) -> None:
        published = local_at(self.start_day - dt.timedelta(days=20), 10, 0)
        self.book, self.sayings = book_publish_rows(data=book_data(), published_at=published)
        self.counts["sayings"] = len(self.sayings)
        rng = shape.seeded(self.seed, "sayings")
        self.saying_weights = [rng.choice((1, 2, 3, 5, 8)) for _ in self.sayings]

    def _users(self) -> None:
        """The synthetic accounts orders are placed and dispatched with (no password, no role):
        the centre's dispatcher and one orderer per town."""
        password = make_password(None)
        rows = [User(username="synth_lectures_centre", display_name="新时代文明实践中心 调度员", password=password)]
        rows += [
            User(username=f"synth_lectures_{t.code}", display_name=f"{t.name} 宣讲联络员", password=password)
            for t in self.towns
        ]
        User.objects.bulk_create(rows, ignore_conflicts=True)
        users = dict(User.objects.filter(username__in=[u.username for u in rows]).values_list("username", "id"))
        self.dispatcher = users["synth_lectures_centre"]
        self.orderer_of_town = {t.pk: users[f"synth_lectures_{t.code}"] for t in self.towns}

    def _policy(self) -> None:
        if not QuotaPolicy.objects.filter(effective_from__lte=self.start_day).exists():
            QuotaPolicy.objects.create(
                effective_from=self.start_day,
                lectures_per_period=1,
                period_months=2,
                notice_days=14,
                created_at=local_at(self.start_day - dt.timedelta(days=30), 9, 0),
            )

    def _subject(self, rng: Any, villages: list[Village]) -> int | None:
        for _ in range(20):
            pool = self.listeners.get(rng.choice(villages).id) or []
            if pool:
                sid = rng.choice(pool)
                if sid not in self.used_subjects:
                    self.used_subjects.add(sid)
                    return sid
        return None

    def _add_speakers(self, rows: list[Speaker], prefixes: list[str]) -> list[int]:
        created = Speaker.objects.bulk_create(rows)
        first = len(self.speakers)
        for row, prefix in zip(created, prefixes, strict=True):
            self.speakers.append(SpeakerInfo(row=row, prefix=prefix))
        return list(range(first, len(self.speakers)))

    def _leaders_and_heads(self) -> None:
        rng = shape.seeded(self.seed, "speakers")
        created = local_at(self.start_day - dt.timedelta(days=40), 9, 0)
        town_villages = {t.pk: self.villages.get(t.pk, []) for t in self.towns}
        # Leaders.
        n_leaders = shape.scaled(shape.LEADERS, self.scale, 2)
        rows, prefixes = [], []
        for i in range(n_leaders):
            sid = self._subject(rng, self.all_villages)
            # The Party secretary and the mayor first, then the others' offices in turn.
            others = len(shape.LEADER_POSITIONS) - 2
            position = shape.LEADER_POSITIONS[i if i < 2 else 2 + (i - 2) % others]
            rows.append(
                Speaker(
                    kind=Speaker.Kind.LEADER, name=self.names.get(sid, f"领导{i + 1}") if sid else f"领导{i + 1}",
                    position=position, subject_id=sid, area=self.county, topics=["理论宣讲"], created_at=created,
                )
            )  # fmt: skip
            prefixes.append(self.county.prefix)
        self.leaders = self._add_speakers(rows, prefixes)
        towns = [t for t in self.towns if town_villages[t.pk]]
        order = towns[:]
        rng.shuffle(order)
        taken: set[int] = set()
        links = []
        all_enterprises = [e for t in self.towns for e in self.enterprises.get(t.pk, [])]
        for k, si in enumerate(self.leaders):
            town = order[k % len(order)]
            free = [v for v in town_villages[town.pk] if v.id not in taken] or town_villages[town.pk]
            village = rng.choice(free)
            taken.add(village.id)
            enterprise = rng.choice(self.enterprises.get(town.pk) or all_enterprises or [0])
            if not enterprise:
                continue
            link = AdoptionLink(
                speaker=self.speakers[si].row, town=town, village_id=village.id, enterprise_id=enterprise,
                term_start=self.start_day, term_end=self.start_day.replace(year=self.start_day.year + 5),
                created_at=created,
            )  # fmt: skip
            links.append(link)
            self.speakers[si].link = link
            self.speakers[si].link_town_prefix = town.prefix
        AdoptionLink.objects.bulk_create(links)
        self.counts["leaders"] = len(self.leaders)
        self.counts["adoption_links"] = len(links)
        # Heads: two per town first (as many as the share allows), then department heads.
        n_heads = shape.scaled(shape.HEADS, self.scale, 4)
        n_town = min(2 * len(towns), max(1, round(n_heads * shape.TOWN_HEADS_SHARE)))
        departments = list(Department.objects.exclude(code="publicity").order_by("code"))
        rows, prefixes = [], []
        for i in range(n_heads):
            if i < n_town:
                town = towns[i // 2 % len(towns)]
                street = town.name.endswith("街道")
                position = (
                    ("党工委书记" if street else "党委书记") if i % 2 == 0 else ("办事处主任" if street else "镇长")
                )
                sid = self._subject(rng, town_villages[town.pk])
                area, prefix, dept = town, town.prefix, None
                position = f"{town.name}{position}"
            else:
                dept = departments[(i - n_town) % len(departments)] if departments else None
                sid = self._subject(rng, self.all_villages)
                area, prefix = self.county, self.county.prefix
                rank = "主要负责人" if (i - n_town) < len(departments) else "分管负责人"
                position = f"{dept.name if dept else '市直部门'}{rank}"
            rows.append(
                Speaker(
                    kind=Speaker.Kind.HEAD, name=self.names.get(sid, f"负责人{i + 1}") if sid else f"负责人{i + 1}",
                    position=position[:100], subject_id=sid, area=area, department=dept, topics=["政策宣讲"],
                    quota_since=self.start_day, created_at=created,
                )
            )  # fmt: skip
            prefixes.append(prefix)
        self.heads = self._add_speakers(rows, prefixes)
        self.counts["heads"] = len(self.heads)
        # Volunteer speakers.
        rows, prefixes = [], []
        for i in range(shape.scaled(shape.VOLUNTEER_SPEAKERS, self.scale, 2)):
            sid = self._subject(rng, self.all_villages)
            rows.append(
                Speaker(
                    kind=Speaker.Kind.VOLUNTEER, name=self.names.get(sid or 0, f"志愿者{i + 1}"),
                    position="志愿宣讲员", subject_id=sid, area=self.county, topics=["文明新风"], created_at=created,
                )
            )  # fmt: skip
            prefixes.append(self.county.prefix)
        self.volunteers = self._add_speakers(rows, prefixes)

    def _teams(self) -> None:
        rng = shape.seeded(self.seed, "teams")
        created = local_at(self.start_day - dt.timedelta(days=60), 9, 0)
        existing = set(Team.objects.values_list("region_id", "name"))
        plan: list[tuple[str, str, Region | Village, str, str]] = []  # name, tier, region, brand, audience

        def squad(base: str, i: int, n: int) -> str:
            return base if i < n else f"{base}第{i // n + 1}分队"

        for i in range(shape.scaled(shape.DEPARTMENT_TEAMS, self.scale, 1)):
            brand, audience = shape.DEPARTMENT_BRANDS[i % len(shape.DEPARTMENT_BRANDS)]
            name = squad(f"荣成市{brand}宣讲团", i, len(shape.DEPARTMENT_BRANDS))
            plan.append((name, Team.Tier.DEPARTMENT_EXPERT, self.county, brand, audience))
        for i in range(shape.scaled(shape.URBAN_TEAMS, self.scale, 1)):
            brand, audience = shape.URBAN_BRANDS[i % len(shape.URBAN_BRANDS)]
            name = squad(f"荣成市“{brand}”宣讲团", i, len(shape.URBAN_BRANDS))
            plan.append((name, Team.Tier.URBAN_PROFESSIONAL, self.county, brand, audience))
        for town in self.towns:
            plan.append((f"{town.name}“百姓名嘴”宣讲队", Team.Tier.TOWN_VILLAGE, town, "百姓名嘴", "村民"))
        n_village = min(len(self.all_villages), shape.scaled(shape.VILLAGE_TEAMS, self.scale, 1))
        for village in sorted(rng.sample(self.all_villages, n_village), key=lambda v: v.id):
            brand, audience = rng.choice(shape.VILLAGE_BRANDS)
            name = f"{village.name}{brand if brand.endswith('队') else f'“{brand}”宣讲队'}"
            plan.append((name, Team.Tier.TOWN_VILLAGE, village, brand, audience))
        teams = []
        for name, tier, region, _b, _a in plan:
            region_id = region.pk if isinstance(region, Region) else region.id
            if (region_id, name) in existing:
                name = f"{name}（宣讲）"
            existing.add((region_id, name))
            teams.append(
                Team(
                    name=name[:100], tier=tier, kind=Team.Kind.LECTURE, region_id=region_id,
                    description="新时代文明实践理论宣讲队伍。", created_at=created,
                )
            )  # fmt: skip
        teams = Team.objects.bulk_create(teams)
        TeamBrand.objects.bulk_create(
            [
                TeamBrand(team=t, brand=b, audience=a, created_at=created)
                for t, (_n, _t, _r, b, a) in zip(teams, plan, strict=True)
            ]
        )
        self.counts["teams"] = len(teams)
        self.team_home: list[tuple[int | None, int | None]] = []  # (town id, village id)
        self.team_members: list[list[int]] = []
        for team, (_n, tier, region, _b, _a) in zip(teams, plan, strict=True):
            self.teams.append((team, tier))
            home: tuple[int | None, int | None]
            if isinstance(region, Village):
                home, pool, prefix = (region.town, region.id), [region], region.prefix
            elif region.level == Region.Level.TOWN:
                home, pool, prefix = (region.pk, None), self.villages.get(region.pk, []), region.prefix
            else:
                home, pool, prefix = (None, None), self.all_villages, self.county.prefix
            self.team_home.append(home)
            rows = []
            for m in range(shape.MEMBERS_PER_TEAM):
                sid = self._subject(rng, pool or self.all_villages)
                rows.append(
                    Speaker(
                        kind=Speaker.Kind.TEAM_MEMBER,
                        name=self.names.get(sid, f"宣讲员{m + 1}") if sid else f"宣讲员{m + 1}",
                        position=f"{team.name}宣讲员"[:100], subject_id=sid, area_id=team.region_id, team=team,
                        created_at=created,
                    )
                )  # fmt: skip
            self.team_members.append(self._add_speakers(rows, [prefix] * len(rows)))
        self.village_teams: dict[int, list[int]] = {}
        self.town_teams: dict[int, list[int]] = {}
        self.county_teams: list[int] = []
        for ti, (town_id, village_id) in enumerate(self.team_home):
            if village_id is not None:
                self.village_teams.setdefault(village_id, []).append(ti)
            elif town_id is not None:
                self.town_teams.setdefault(town_id, []).append(ti)
            else:
                self.county_teams.append(ti)
        self.counts["speakers"] = len(self.speakers)
        # Speakers do not sit among the listeners.
        self.listeners = {v: [s for s in pool if s not in self.used_subjects] for v, pool in self.listeners.items()}

    # Sessions ----------------------------------------------------------------------------------
    def _place(self, rng: Any, p: Planned, lo: dt.date, hi: dt.date) -> bool:
        """Move ``p.day`` to the first day from it (wrapping inside [lo, hi]) when neither its
        village nor any of its speakers has a session; False when there is none."""
        span = (hi - lo).days + 1
        if span <= 0:
            return False
        offset = (p.day - lo).days
        for k in range(span):
            day = lo + dt.timedelta(days=(offset + k) % span)
            if self._recently_uncovered(p.village, day):
                continue
            if (p.village, day) in self.village_day or any((s, day) in self.speaker_day for s in p.speakers):
                continue
            p.day = day
            self.village_day.add((p.village, day))
            self.speaker_day.update((s, day) for s in p.speakers)
            p.slot = rng.choices(range(len(shape.SLOTS)), weights=shape.SLOT_WEIGHTS)[0]
            self.planned.append(p)
            return True
        return False

    def _recently_uncovered(self, village: int, day: dt.date) -> bool:
        return village in self.uncovered and day > self.today - dt.timedelta(days=shape.UNCOVERED_DAYS)

    def _plan_sessions(self) -> None:
        rng = shape.seeded(self.seed, "sessions")
        yesterday = self.today - dt.timedelta(days=1)
        n_uncovered = min(len(self.all_villages) // 4, shape.scaled(shape.UNCOVERED_VILLAGES, self.scale, 1))
        self.uncovered = {v.id for v in rng.sample(self.all_villages, n_uncovered)}
        self.counts["villages_uncovered_recently"] = len(self.uncovered)
        # Heads: one lecture a period in their area; a few past periods missed.
        overdue = 0
        for si in self.heads:
            sp = self.speakers[si]
            inside = [v for v in self.all_villages if v.prefix.startswith(sp.prefix)] or self.all_villages
            # The villages left uncovered lately see no head (the last months would be empty).
            area = [v for v in inside if v.id not in self.uncovered] or inside
            for period in periods_between(self.start_day, self.today, 2):
                if period.end < self.today:
                    if rng.random() < shape.OVERDUE_SHARE:
                        overdue += 1
                        continue
                    times, hi = (2 if rng.random() < 0.1 else 1), period.end
                else:
                    elapsed = (self.today - period.start).days / ((period.end - period.start).days + 1)
                    if period.start >= self.today or rng.random() > elapsed * 0.9:
                        continue
                    times, hi = 1, yesterday
                placed = 0
                for _ in range(times):
                    day = period.start + dt.timedelta(days=rng.randrange((hi - period.start).days + 1))
                    placed += self._place(rng, Planned(day, rng.choice(area).id, [si], None, "head"), period.start, hi)
                if not placed and period.end < self.today:
                    overdue += 1  # no free day left in the period: overdue too
                if rng.random() < 0.03:  # a lecture outside their area: does not count
                    other = [v for v in self.all_villages if not v.prefix.startswith(sp.prefix)]
                    if other:
                        day = period.start + dt.timedelta(days=rng.randrange((hi - period.start).days + 1))
                        self._place(rng, Planned(day, rng.choice(other).id, [si], None, "head"), period.start, hi)
        self.counts["head_periods_overdue"] = overdue
        # Leaders: about once a quarter, two times in three at their link.
        for si in self.leaders:
            sp = self.speakers[si]
            day = self.start_day + dt.timedelta(days=rng.randrange(shape.LEADER_EVERY_DAYS))
            while day <= yesterday:
                if sp.link is not None and rng.random() < 2 / 3:
                    town_villages = self.villages.get(sp.link.town_id, [])
                    at_village = rng.random() < 0.6 or not town_villages
                    village_id = sp.link.village_id if at_village else rng.choice(town_villages).id
                else:
                    village_id = rng.choice(self.all_villages).id
                self._place(rng, Planned(day, village_id, [si], None, "leader"), self.start_day, yesterday)
                day += dt.timedelta(days=shape.LEADER_EVERY_DAYS - 20 + rng.randrange(40))
        # Volunteer speakers.
        for si in self.volunteers:
            for _ in range(shape.VOLUNTEER_SESSIONS):
                day = self.start_day + dt.timedelta(days=rng.randrange((yesterday - self.start_day).days + 1))
                village_id = rng.choice(self.all_villages).id
                self._place(rng, Planned(day, village_id, [si], None, "volunteer"), self.start_day, yesterday)
        # Teams: the rest, spread over every village and the three years.
        fixed = len(self.planned)
        target = round(shape.SESSIONS * self.scale)
        rest = max(len(self.all_villages), target - fixed)
        per_village = [rest // len(self.all_villages)] * len(self.all_villages)
        for i in rng.sample(range(len(self.all_villages)), rest % len(self.all_villages)):
            per_village[i] += 1
        span = (yesterday - self.start_day).days + 1
        for village, n in zip(self.all_villages, per_village, strict=True):
            for k in range(n):
                day = self.start_day + dt.timedelta(days=int((k + rng.random()) * span / n))
                ti = self._team_for(rng, village)
                members = self.team_members[ti]
                speakers = sorted(rng.sample(members, min(len(members), rng.choice((1, 1, 2)))))
                p = Planned(day, village.id, speakers, ti, "team", ordered=rng.random() < shape.ORDERED_SHARE)
                lo = self.start_day
                if k == n - 1:
                    # The village's last team session falls in the recent months (the 全覆盖 check).
                    lo = yesterday - dt.timedelta(days=shape.UNCOVERED_DAYS - 30)
                    p.day = max(p.day, lo + dt.timedelta(days=rng.randrange(shape.UNCOVERED_DAYS - 30)))
                elif rng.random() < shape.CANCELLED_SHARE:
                    p.status = Session.Status.CANCELLED
                self._place(rng, p, lo, yesterday)
        # Upcoming: planned in the next two weeks.
        for _ in range(shape.scaled(shape.UPCOMING_SESSIONS, self.scale, 2)):
            upcoming = rng.choice(self.all_villages)
            ti = self._team_for(rng, upcoming)
            day = self.today + dt.timedelta(days=1 + rng.randrange(14))
            p = Planned(day, upcoming.id, [self.team_members[ti][0]], ti, "team", status=Session.Status.PLANNED)
            p.ordered = rng.random() < 0.5
            self._place(rng, p, self.today + dt.timedelta(days=1), self.today + dt.timedelta(days=14))

    def _team_for(self, rng: Any, village: Village) -> int:
        own = self.village_teams.get(village.id, [])
        town = self.town_teams.get(village.town, [])
        r = rng.random()
        if own and r < 0.45:
            return rng.choice(own)
        if town and r < 0.75:
            return rng.choice(town)
        return rng.choice(self.county_teams or town or own or list(range(len(self.teams))))

    # Rows --------------------------------------------------------------------------------------
    def _flags(self, sp: SpeakerInfo, day: dt.date, village: Village, enterprise: int | None) -> tuple[bool, bool]:
        """What :func:`rongxin.lectures.selectors.common.speaker_session_flags` answers, from the
        rows in memory."""
        row = sp.row
        counts = (
            row.kind == Speaker.Kind.HEAD
            and row.quota_since is not None
            and row.quota_since <= day
            and (row.quota_until is None or day <= row.quota_until)
            and village.prefix.startswith(sp.prefix)
        )
        at_link = False
        link = sp.link
        if row.kind == Speaker.Kind.LEADER and link is not None and link.term_start <= day <= link.term_end:
            at_link = (
                village.prefix.startswith(sp.link_town_prefix)
                or link.village_id == village.id
                or (enterprise is not None and link.enterprise_id == enterprise)
            )
        return bool(counts), at_link

    def _write(self) -> None:
        rng = shape.seeded(self.seed, "rows")
        stamp = self.stamp
        self.planned.sort(key=lambda p: (p.day, shape.SLOTS[p.slot][:2], p.village))
        session_id = _max_id(Session)
        order_id = _max_id(Order)
        sessions: list[tuple[Any, ...]] = []
        orders: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        links: list[tuple[Any, ...]] = []
        sayings: list[tuple[Any, ...]] = []
        attendance: list[tuple[Any, ...]] = []
        writer = BulkWriter(connection)
        specs = {
            "sessions": TableSpec.of(Session, SESSION_FIELDS),
            "orders": TableSpec.of(Order, ORDER_FIELDS),
            "order_events": TableSpec.of(OrderEvent, EVENT_FIELDS),
            "session_speakers": TableSpec.of(SessionSpeaker, SPEAKER_LINK_FIELDS),
            "session_sayings": TableSpec.of(SessionSaying, SAYING_FIELDS),
            "attendances": TableSpec.of(Attendance, ATTENDANCE_FIELDS),
        }
        states: Counter[str] = Counter()
        # The latest session held for an order waits for its rating at any scale.
        held = [i for i, p in enumerate(self.planned) if p.ordered and p.status == Session.Status.CLOSED]
        waiting = held[-1] if held else -1
        for i, p in enumerate(self.planned):
            session_id += 1
            village = self.village_by_id[p.village]
            hour, minute, minutes, fmt = shape.SLOTS[p.slot]
            starts = local_at(p.day, hour, minute)
            ends = starts + dt.timedelta(minutes=minutes)
            chosen = self._sayings(rng)
            closed_at = ends + dt.timedelta(minutes=rng.randint(20, 240))
            team = self.teams[p.team][0] if p.team is not None else None
            # The order this session was held for.
            oid = None
            enterprise = None
            if p.ordered:
                order_id += 1
                oid = order_id
                enterprise, order_row, order_events = self._order(
                    rng, oid, p, village, starts, closed_at, chosen[0], team, i == waiting
                )
                orders.append(order_row)
                events.extend(order_events)
                states[order_row[ORDER_FIELDS.index("state")]] += 1
            kind, site, venue, place, lat, lon = self._where(rng, village, fmt)
            if p.kind == "team":
                title = f"{self.teams[p.team][0].name}走进{village.name}" if p.team is not None else village.name
            else:
                title = f"{self.speakers[p.speakers[0]].row.name}到{village.name}宣讲"
            title = f"{title}：{chosen[0].text}"[:120]
            closed = p.status == Session.Status.CLOSED
            cancelled = p.status == Session.Status.CANCELLED
            listeners: list[int] = []
            if closed:
                pool = self.listeners.get(village.id, [])
                want = max(5, int(rng.gauss(shape.LISTENERS_PER_SESSION, 20)))
                listeners = rng.sample(pool, min(want, len(pool)))
                listeners.sort()
                for sid in listeners:
                    at = starts + dt.timedelta(seconds=rng.randrange(-900, 1500))
                    if rng.random() < shape.QR_SHARE:
                        attendance.append(
                            (session_id, sid, "qr", stamp(at), int(at.timestamp()) // STEP_SECONDS, None, "")  # type: ignore[arg-type]
                        )
                        self.counts["attendances_qr"] += 1
                    else:
                        attendance.append((session_id, sid, "assisted", stamp(at), None, None, shape.ASSISTED_REASON))
                        self.counts["attendances_assisted"] += 1
            created = starts - dt.timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 8))
            sessions.append(
                (
                    session_id, title, team.pk if team else None, oid, village.id, village.town, kind, site, venue,
                    place, lat, lon, fmt, stamp(starts), stamp(ends),
                    (len(listeners) + rng.randint(0, max(1, len(listeners) // 3))) if closed else None,
                    p.status, rng.randbytes(32), len(listeners), stamp(min(created, self.now)), None,
                    stamp(closed_at) if closed else None, None,
                    stamp(starts - dt.timedelta(days=1)) if cancelled else None,
                    rng.choice(shape.CANCEL_REASONS) if cancelled else "",
                )
            )  # fmt: skip
            self.counts[f"sessions_{p.status}"] += 1
            for si in p.speakers:
                counts, at_link = self._flags(self.speakers[si], p.day, village, enterprise)
                links.append((session_id, self.speakers[si].row.pk, counts, at_link))
                self.counts["session_speakers_counting_for_quota"] += counts
                self.counts["session_speakers_at_link"] += at_link
            sayings.extend((session_id, s.pk, s.key) for s in chosen)
            if closed:
                self.held.append(
                    Held(
                        session_id=session_id, ends=ends, closed_at=closed_at, title=title, place=place,
                        listeners=listeners,
                        speakers=[
                            (self.speakers[si].row.pk, subject)
                            for si in p.speakers
                            if (subject := self.speakers[si].row.subject_id) is not None
                        ],
                    )
                )  # fmt: skip
            if len(attendance) >= CHUNK:
                self._flush(writer, specs, orders, sessions, events, links, sayings, attendance)
        # Orders never held: waiting, dispatched, accepted without a session yet, cancelled, expired.
        for state, base in shape.OPEN_ORDERS.items():
            for k in range(shape.scaled(base, self.scale, 1)):
                order_id += 1
                row, order_events = self._open_order(rng, order_id, state, rng.choice(self.all_villages), k == 0)
                orders.append(row)
                events.extend(order_events)
                states[state] += 1
        self._flush(writer, specs, orders, sessions, events, links, sayings, attendance)
        writer.reset_sequences([Session, Order])
        writer.close()
        for state, n in states.items():
            self.counts[f"orders_{state}"] = n
        self.counts["orders"] = sum(states.values())
        self._reminders()
        if self.credit:
            t = time.perf_counter()
            credit = lecture_credit(held=self.held, now=self.now)
            self.counts["credit_entries"] = credit.entries
            self.counts["credit_entries_listeners"] = credit.listener_entries
            self.counts["credit_entries_speakers"] = credit.speaker_entries
            self.counts["credit_capped"] = credit.capped
            self.counts["credit_subjects"] = credit.subjects
            self.credit_seconds = time.perf_counter() - t

    def _reminders(self) -> None:
        """The reminder job's history: a head with no counting lecture by the reminder day
        (two weeks before the period ends) was reminded that morning."""
        counted: dict[int, set[dt.date]] = {}
        for p in self.planned:
            if p.kind == "head" and p.status == Session.Status.CLOSED:
                sp = self.speakers[p.speakers[0]]
                if self._flags(sp, p.day, self.village_by_id[p.village], None)[0]:
                    counted.setdefault(p.speakers[0], set()).add(p.day)
        rows = []
        for si in self.heads:
            days = counted.get(si, set())
            for period in periods_between(self.start_day, self.today, 2):
                remind = reminder_day(period, 14)
                sent = local_at(remind, 8, 0)
                if sent > self.now or any(period.start <= d < remind for d in days):
                    continue
                rows.append(QuotaReminder(speaker=self.speakers[si].row, period_start=period.start, sent_at=sent))
        QuotaReminder.objects.bulk_create(rows, batch_size=5_000)
        self.counts["quota_reminders"] = len(rows)

    def _flush(self, writer: BulkWriter, specs: dict[str, TableSpec], *tables: list[tuple[Any, ...]]) -> None:
        # Parents first: orders, sessions; then what points at them.
        for name, rows in zip(
            ("orders", "sessions", "order_events", "session_speakers", "session_sayings", "attendances"),
            tables,
            strict=True,
        ):
            self.counts[name] += writer.write(specs[name], rows)
            rows.clear()

    def _sayings(self, rng: Any) -> list[Any]:
        n = rng.choice((1, 1, 2, 2, 3))
        chosen: dict[str, Any] = {}
        while len(chosen) < min(n, len(self.sayings)):
            s = rng.choices(self.sayings, weights=self.saying_weights)[0]
            chosen[s.key] = s
        return list(chosen.values())

    def _where(
        self, rng: Any, village: Village, fmt: str
    ) -> tuple[str, int | None, int | None, str, Decimal | None, Decimal | None]:
        if fmt == "pre_meal":
            canteens = [v for v in village.venues if v[2] == Venue.Kind.CANTEEN]
            if canteens:
                v = rng.choice(canteens)
                return "venue", None, v[0], v[1], None, None
        r = rng.random()
        if village.site is not None and r < 0.5:
            return "site", village.site[0], None, village.site[1], None, None
        if village.venues and r < 0.7:
            v = rng.choice(village.venues)
            return "venue", None, v[0], v[1], None, None
        kind, label = rng.choice((("field", "田间地头"), ("fishing_farm", "渔港码头"), ("market", "集市")))
        lat, lon = (village.site[2], village.site[3]) if village.site is not None else (None, None)
        if lat is None or lon is None:
            return kind, None, None, f"{village.name}{label}", None, None
        return (
            kind, None, None, f"{village.name}{label}",
            Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}"), Decimal(f"{lon + rng.uniform(-0.01, 0.01):.6f}"),
        )  # fmt: skip
