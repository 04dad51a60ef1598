"""Three years of synthetic volunteering for a generated county (after its credit history).

At scale 1.0: 170,000 volunteers (mostly residents; minors registered with a guardian), 352
teams in the three tiers (department expert and urban professional teams at county level,
town-village self-service teams in the towns and a quarter of the villages), 36 months of
activities (3,000 a month of the shipped activity types, 2% cancelled) and about 100,000
participations a month: sign-ups, QR or assisted check-in and check-out scans, service records,
hours awards under the conversion policy, and the credit entries those awards earn.

The shape of the data:

- :func:`plan_volunteering` (main process, reads the county from the database): volunteers,
  teams, memberships, activities and *participations* (volunteer, activity, outcome), chosen in
  time order so nobody attends two activities at once, nobody signs up before joining, and
  age and skill requirements hold. Outcomes: attended, no-show, cancelled sign-up, check-in
  without check-out, a duplicate (refused) check-in, assisted scans, a scan outside the
  geofence, a record corrected later (revision 2) or a correction refused, the waiting list.
- :func:`_produce` (forked workers, no database): per chunk of volunteers, every volunteer's
  rows in their own time order: sign-ups, scans, service records whose minutes and flags come
  from :func:`rongxin.volunteering.domain.conversion.attendance_from_scans` (the closing service's own
  rule), hours awards along :class:`~rongxin.volunteering.domain.conversion.Policy` (each activity
  closed on its own, as an organiser would: ``minutes_before`` and the year's points are the
  volunteer's standing awards at that moment), corrections (the award superseded, a
  ``superseded`` transition on its credit entry, a new award from the same place in the year),
  and the credit entries, trimmed to the rules' own caps exactly as
  :func:`rongxin.credit.services.awards.awards_record` does, keyed
  ``volunteering:<activity>:<volunteer>:r<revision>``, and chained after the subject's history
  with :func:`rongxin.credit.services.bulk.build_rows`.
- :func:`generate_volunteering`: writes it all in one transaction with
  :class:`~rongxin.core.bulk.BulkWriter`, then refreshes the volunteers' scores.

Deterministic for ``(seed, now)``: the plan draws from seeded streams in a fixed order and each
volunteer's rows from a stream seeded by their subject id, so the number of workers does not
matter. Credit rules: the hour-based rules (P-VOL-01/04, P-PRA-03/04/05/10) are earned here
only; the history generator leaves them out.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import itertools
import json
import math
import multiprocessing
import os
import random
import time
from array import array
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from tqdm import tqdm

from rongxin.accounts.models import Department
from rongxin.core import clock
from rongxin.core.audit import audit_record
from rongxin.core.bulk import BulkWriter, TableSpec, datetime_adapter
from rongxin.credit.domain.caps import award_within_caps
from rongxin.credit.domain.chain import content_hash
from rongxin.credit.models import Catalogue, Entry, Rule, SubjectCredit, SubjectKind, Transition
from rongxin.credit.services.bulk import ENTRY_FIELDS, TRANSITION_FIELDS, NewEntry, NewTransition, build_rows
from rongxin.credit.services.scores import refresh_subjects
from rongxin.regions.models import PracticeSite, Region, Venue
from rongxin.subjects.models import Person
from rongxin.synth import names
from rongxin.volunteering.domain import tokens
from rongxin.volunteering.domain.conversion import Policy, attendance_from_scans
from rongxin.volunteering.domain.geo import distance_m
from rongxin.volunteering.domain.hours import hours_text
from rongxin.volunteering.domain.volunteers import age_on, volunteer_number
from rongxin.volunteering.models import (
    Activity,
    ActivityType,
    Correction,
    HoursAward,
    Membership,
    Scan,
    ServiceRecord,
    Signup,
    Skill,
    Team,
    Volunteer,
)
from rongxin.volunteering.selectors.roster import policy_for

BASE_VOLUNTEERS = 170_000
ACTIVITIES_PER_MONTH = 3_000
MONTHS = 36
DAYS = MONTHS * 365 // 12  # 1,095 days of past activities
UPCOMING_DAYS = 14  # published activities ahead, some already taking sign-ups
PARTICIPANTS = (8, 58)  # uniform: 33 on average, so 3,000 activities bring ~100,000 participations
BASE_DEPARTMENT_TEAMS = 30
BASE_URBAN_TEAMS = 50
VILLAGE_TEAM_SHARE = 0.25
CANCELLED_SHARE = 0.02
FULL_SHARE = 0.08  # activities with more applicants than places (a waiting list)
GEOFENCE_SHARE = 0.5
CHUNK_VOLUNTEERS = 5_000
DEPARTMENT = "volunteer_federation"  # who records hours awards (as the closing service does)
CORRECTION_MIN_AGE = dt.timedelta(days=21)  # a record is corrected within three weeks of closing

# Participation outcomes (4 bits of the packed participation).
ATTENDED, NO_SHOW, CANCELLED, MISSING_OUT, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED, WAITLISTED = range(10)
ATTENDING = frozenset({ATTENDED, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED})
SCANS = {ATTENDED: 2, DUPLICATE: 3, ASSISTED: 2, OUTSIDE: 2, CORRECTED: 2, REFUSED: 2, MISSING_OUT: 1}
OUTCOMES = (ATTENDED, NO_SHOW, CANCELLED, MISSING_OUT, DUPLICATE, ASSISTED, OUTSIDE, CORRECTED, REFUSED)
OUTCOME_CUM = tuple(itertools.accumulate((85.5, 4.0, 3.0, 1.0, 1.5, 2.5, 1.0, 0.3, 0.2)))
OUTCOME_BITS, ACTIVITY_BITS = 4, 24
VOLUNTEER_SHIFT = OUTCOME_BITS + ACTIVITY_BITS

# Teams. Department expert teams: (name, kind, the skill every member has or "", activity types).
DEPARTMENT_TEAMS = (
    ("荣成市人民医院医疗专家志愿服务队", "medical", "medical", ("medical_clinic", "blood_drive")),
    ("荣成市中医院送医下乡志愿服务队", "medical", "medical", ("medical_clinic",)),
    ("荣成市疾控中心防疫志愿服务队", "medical", "medical", ("epidemic_duty", "medical_clinic")),
    ("荣成市律师协会法律援助志愿服务队", "legal", "legal", ("legal_aid",)),
    ("荣成市司法局普法志愿服务队", "legal", "legal", ("legal_aid", "anti_fraud")),
    ("荣成市教育局“红烛”支教志愿服务队", "education", "teaching", ("tutoring", "left_behind_children")),
    ("荣成市消防救援大队应急救援志愿服务队", "emergency", "rescue", ("emergency_rescue", "fire_watch")),
    ("荣成市应急管理局防汛志愿服务队", "emergency", "rescue", ("flood_duty", "emergency_rescue")),
    ("荣成市委宣讲团", "lecture", "lecturing", ("theory_lecture", "policy_outreach")),
    ("荣成市退役军人“红马扎”宣讲队", "lecture", "lecturing", ("red_stool_talk", "theory_lecture")),
    ("荣成市文化馆文艺志愿服务队", "culture", "arts", ("dandelion_theatre", "culture_sports")),
    ("荣成市体育局全民健身志愿服务队", "culture", "sports", ("culture_sports",)),
    ("荣成市公安局反诈宣传志愿服务队", "legal", "", ("anti_fraud", "policy_outreach")),
    ("荣成市交警大队文明交通志愿服务队", "service", "driving", ("traffic_civility",)),
    ("荣成市残联助残志愿服务队", "service", "nursing", ("disability_help", "elderly_care")),
)
# Urban professional teams, sent down to the villages: (name, kind, activity types).
URBAN_TEAMS = (
    ("城区环保志愿服务队", "environment", ("environment_cleanup", "coast_cleanup", "tree_planting")),
    ("“海之韵”净滩志愿服务队", "environment", ("coast_cleanup", "environment_cleanup")),
    ("城区助老志愿服务队", "service", ("elderly_care", "digital_help", "meal_delivery")),
    ("“夕阳红”宣讲队", "lecture", ("theory_lecture", "civilized_customs")),
    ("“红领巾”宣讲队", "lecture", ("policy_outreach", "civilized_customs")),
    ("青年志愿者服务队", "service", ("community_service", "tree_planting", "blood_drive")),
    ("蓝天救援队", "emergency", ("emergency_rescue", "flood_duty", "fire_watch")),
    ("数字助老志愿服务队", "education", ("digital_help", "anti_fraud")),
    ("“蒲公英”文艺志愿服务队", "culture", ("dandelion_theatre", "culture_sports")),
    ("爱心妈妈志愿服务队", "education", ("left_behind_children", "tutoring")),
)
TOWN_SERVICE_TYPES = (
    "community_service", "elderly_care", "environment_cleanup", "policy_outreach", "civilized_customs",
    "traffic_civility", "anti_fraud", "theory_lecture",
)  # fmt: skip
TOWN_TEAMS = (
    ("新时代文明实践志愿服务队", "service", TOWN_SERVICE_TYPES),
    ("暖心食堂志愿服务队", "canteen", ("canteen_cooking", "meal_delivery")),
)
VILLAGE_TEAM = (
    "志愿服务队",
    "service",
    (
        "community_service", "environment_cleanup", "elderly_care", "canteen_cooking", "civilized_customs",
        "culture_sports", "epidemic_duty", "theory_lecture", "digital_help",
    ),
)  # fmt: skip
SQUAD = "二三四五六七八九十"
# Activity length in minutes, by type (default 120); duty shifts are half days.
DURATIONS: dict[str, tuple[int, ...]] = {
    "theory_lecture": (90, 120),
    "red_stool_talk": (90, 120),
    "policy_outreach": (90, 120, 150),
    "canteen_cooking": (180,),
    "meal_delivery": (120, 150),
    "epidemic_duty": (240,),
    "flood_duty": (240,),
    "fire_watch": (240,),
    "emergency_rescue": (180, 240),
    "medical_clinic": (150, 180),
    "dandelion_theatre": (120, 150),
}
ADULT_TYPES = frozenset({"epidemic_duty", "flood_duty", "fire_watch", "emergency_rescue", "meal_delivery"})
PROFESSIONAL = {"medical_clinic": "medical", "legal_aid": "legal", "tutoring": "teaching", "emergency_rescue": "rescue"}
GENERAL_SKILLS = (
    "nursing",
    "cooking",
    "driving",
    "first_aid",
    "arts",
    "sports",
    "it",
    "repair",
    "farming",
    "lecturing",
)
# Professional skills of adults aged 22–65: share of them.
PROFESSIONAL_SKILLS = (("medical", 0.03), ("legal", 0.015), ("teaching", 0.04), ("rescue", 0.02))
AVAILABILITY = ("周末", "工作日白天", "工作日晚上", "周末及节假日", "随时", "")
CANCEL_REASONS = ("台风预警，活动取消", "场地临时调整", "报名人数不足", "疫情防控要求，暂停聚集性活动", "天气原因")
CORRECTION_REASONS = (
    "签退时手机没电，实际服务到活动结束",
    "签到二维码刷新失败，晚签到了半小时",
    "活动结束后留下帮助收拾场地",
)
REFUSAL_REASON = "核对签到记录和现场照片，原记录无误"
ASSIST_REASON = "志愿者未携带手机，由组织者代为登记"

TEAM_FIELDS = ("id", "name", "tier", "kind", "region", "description", "created_at", "created_by", "active")
MEMBERSHIP_FIELDS = ("team", "volunteer", "role", "status", "applied_at", "decided_at", "decided_by")
VOLUNTEER_FIELDS = (
    "subject", "number", "status", "skills", "availability", "registered_at", "consent_at", "guardian_name",
    "guardian_relation", "guardian_consent_at", "total_minutes",
)  # fmt: skip
ACTIVITY_FIELDS = (
    "id", "team", "type", "title", "description", "region", "site", "venue", "place", "latitude", "longitude",
    "geofence_m", "starts_at", "ends_at", "capacity", "signup_opens_at", "signup_closes_at", "min_age", "skills",
    "insured", "status", "confirmed_count", "waitlist_count", "qr_secret", "created_at", "created_by", "published_at",
    "cancelled_at", "cancel_reason", "closed_at", "closed_by", "callout_shift",
)  # fmt: skip
SIGNUP_FIELDS = ("activity", "volunteer", "status", "created_at", "queued_at", "changed_at", "invited_by")
SCAN_FIELDS = (
    "activity", "volunteer", "kind", "method", "at", "accepted", "problem", "flags", "latitude", "longitude",
    "distance_m", "token_step", "recorded_by", "reason",
)  # fmt: skip
RECORD_FIELDS = (
    "id", "activity", "volunteer", "revision", "team", "service_date", "place", "content", "started_at", "ended_at",
    "minutes", "rating", "flags", "note", "recorder", "recorded_at", "current",
)  # fmt: skip
CORRECTION_FIELDS = (
    "record", "volunteer", "requested_minutes", "reason", "status", "requested_at", "decided_at", "decided_by",
    "decision_reason",
)  # fmt: skip
AWARD_FIELDS = (
    "record", "volunteer", "activity", "year", "minutes_before", "minutes", "points", "rule_code", "entry_key", "note",
    "created_at", "superseded_at",
)  # fmt: skip
ROW_KINDS = ("volunteers", "signups", "scans", "records", "corrections", "awards", "entries", "transitions")


def _rng(seed: int, part: str) -> random.Random:
    return random.Random(f"rongxin-synth:{seed}:volunteering:{part}")


def _ts(d: dt.datetime) -> int:
    return int(d.timestamp())


def _at(ts: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, dt.UTC)


_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, what SQLite stores


def _sqlite_stamp(ts: int) -> str:
    return str(_EPOCH + dt.timedelta(seconds=ts))


def stamp_adapter(vendor: str) -> Any:
    """Unix seconds → what the engine stores (the same values as
    :func:`rongxin.core.bulk.datetime_adapter`, without making an aware datetime first)."""
    return _sqlite_stamp if vendor == "sqlite" else _at


_flag_texts: dict[tuple[str, ...], str] = {}


def _flags_json(flags: list[str]) -> str:
    key = tuple(flags)
    text = _flag_texts.get(key)
    if text is None:
        text = _flag_texts[key] = json.dumps(flags)
    return text


# --- The plan ---------------------------------------------------------------------------------
class TeamPlan(NamedTuple):
    id: int
    name: str
    tier: str
    kind: str
    region_id: int
    town_id: int | None  # home town (None for county-level teams)
    skill: str  # what every member has ("" for none)
    types: tuple[str, ...]


class ActivityPlan(NamedTuple):
    id: int
    team: int  # index into plan.teams
    type_code: str
    title: str
    region_id: int
    site_id: int | None
    venue_id: int | None
    place: str
    latitude: float | None
    longitude: float | None
    geofence_m: int | None
    starts: int  # Unix seconds
    ends: int
    capacity: int
    opens: int
    closes: int
    min_age: int
    skills: tuple[str, ...]
    status: str  # published, cancelled or closed
    created: int
    published: int
    cancelled: int | None
    cancel_reason: str
    closed: int | None
    qr_secret: bytes


@dataclass
class VolunteeringPlan:
    seed: int
    scale: float
    now: dt.datetime
    subject_ids: list[int]  # volunteers, in subject order (a volunteer's index is their place here)
    birth: list[int]  # birth date ordinals
    registered: list[int]  # Unix seconds
    minor: list[bool]  # under 18 when registering (a guardian consented)
    skills: list[tuple[str, ...]]
    teams: list[TeamPlan]
    memberships: list[tuple[int, int, str, str, int, int | None]]  # team index, volunteer index, role, status, ...
    activities: list[ActivityPlan]
    participations: array  # packed (volunteer index, activity index, outcome), sorted
    confirmed: list[int]  # confirmed sign-ups per activity
    waiting: list[int]  # waiting-list sign-ups per activity
    counts: dict[str, int] = field(default_factory=dict)

    def volunteer_of(self, packed: int) -> int:
        return packed >> VOLUNTEER_SHIFT

    def span(self, lo: int, hi: int) -> tuple[int, int]:
        """Participation positions of volunteers ``lo`` to ``hi - 1``."""
        p = self.participations
        return bisect.bisect_left(p, lo << VOLUNTEER_SHIFT), bisect.bisect_left(p, hi << VOLUNTEER_SHIFT)


def unpack(packed: int) -> tuple[int, int, int]:
    """(volunteer index, activity index, outcome) of a packed participation."""
    return packed >> VOLUNTEER_SHIFT, (packed >> OUTCOME_BITS) & ((1 << ACTIVITY_BITS) - 1), packed & 15


def _volunteer_weight(residency: str, age: int) -> float:
    if age < 10 or age >= 86:
        return 0.0
    w = 0.05 if age < 14 else 0.35 if age < 18 else 0.8 if age < 25 else 1.0 if age < 60 else 0.9 if age < 70 else 0.4
    if age >= 80:
        w = 0.05
    return w * (0.35 if residency == "migrant" else 1.0)


@dataclass
class _County:
    county_id: int
    towns: list[tuple[int, str]]  # (id, name), in code order
    villages: dict[int, list[tuple[int, str]]]  # town id → [(village id, name)]
    village_town: dict[int, int]
    names: dict[int, str]  # region id → name
    sites: dict[int, tuple[int, str, float | None, float | None]]  # region id → site
    venues: dict[int, list[tuple[int, str, float, float]]]  # region id → venues
    subdistricts: set[int]


def _read_county() -> _County:
    county = Region.objects.filter(level=Region.Level.COUNTY).order_by("code").first()
    if county is None:
        raise RuntimeError("no county: run generate_county first")
    towns = list(Region.objects.filter(level=Region.Level.TOWN).order_by("code").values_list("id", "name"))
    villages: dict[int, list[tuple[int, str]]] = {t: [] for t, _ in towns}
    village_town: dict[int, int] = {}
    for vid, name, parent in (
        Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").values_list("id", "name", "parent_id")
    ):
        villages.setdefault(parent, []).append((vid, name))
        village_town[vid] = parent
    sites = {
        r: (i, n, float(lat) if lat is not None else None, float(lon) if lon is not None else None)
        for i, r, n, lat, lon in PracticeSite.objects.values_list("id", "region_id", "name", "latitude", "longitude")
    }
    venues: dict[int, list[tuple[int, str, float, float]]] = {}
    for i, r, n, lat, lon in Venue.objects.order_by("id").values_list(
        "id", "region_id", "name", "latitude", "longitude"
    ):
        venues.setdefault(r, []).append((i, n, float(lat), float(lon)))
    return _County(
        county_id=county.pk,
        towns=towns,
        villages=villages,
        village_town=village_town,
        names=dict(Region.objects.values_list("id", "name")),
        sites=sites,
        venues=venues,
        subdistricts={t for t, n in towns if n.endswith("街道")},
    )


def _local_midnight(day: dt.date) -> int:
    return _ts(dt.datetime(day.year, day.month, day.day, tzinfo=clock.LOCAL_TZ))


@dataclass
class _People:
    subject_ids: list[int]
    birth: list[int]
    village: list[int]
    town: list[int]
    registered: list[int]
    minor: list[bool]
    skills: list[tuple[str, ...]]
    propensity: list[float]  # how often they take part, relative to others

    def age(self, vi: int, on: dt.date) -> int:
        return age_on(dt.date.fromordinal(self.birth[vi]), on)


def _choose_volunteers(seed: int, scale: float, today: dt.date, now_ts: int) -> _People:
    """A weighted sample of persons (Efraimidis–Spirakis keys): mostly residents of working
    age, some elders, few children (10 and over; a guardian consents for those under 18)."""
    rng = _rng(seed, "volunteers")
    people = list(
        Person.objects.order_by("subject_id").values_list(
            "subject_id", "residency", "birth_date", "subject__village_id", "subject__town_id"
        )
    )
    keyed: list[tuple[float, int]] = []
    for i, (_sid, residency, born, _v, _t) in enumerate(people):
        w = _volunteer_weight(residency, age_on(born, today))
        r = rng.random()
        if w > 0:
            keyed.append((r ** (1.0 / w), i))
    keyed.sort(reverse=True)
    chosen = sorted(i for _k, i in keyed[: round(BASE_VOLUNTEERS * scale)])
    out = _People(
        subject_ids=[people[i][0] for i in chosen],
        birth=[people[i][2].toordinal() for i in chosen],
        village=[people[i][3] for i in chosen],
        town=[people[i][4] for i in chosen],
        registered=[],
        minor=[],
        skills=[],
        propensity=[],
    )
    window_start = _local_midnight(today - dt.timedelta(days=DAYS))
    order = {s: k for k, s in enumerate(Skill.values)}
    for vi in range(len(chosen)):
        born = dt.date.fromordinal(out.birth[vi])
        if rng.random() < 0.65:  # registered before the three years; the rest during them
            reg = window_start - int(rng.uniform(0, 730) * 86400)
        else:
            reg = window_start + int(rng.random() * (now_ts - 14 * 86400 - window_start))
        tenth = _local_midnight(
            dt.date(born.year + 10, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
        )
        reg = min(max(reg, tenth + 86400 + int(rng.random() * 86400 * 30)), now_ts - 86400)
        out.registered.append(reg)
        out.minor.append(age_on(born, _at(reg).astimezone(clock.LOCAL_TZ).date()) < 18)
        own = set(rng.sample(GENERAL_SKILLS, rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0]))
        if 22 <= age_on(born, today) <= 65:
            own.update(s for s, share in PROFESSIONAL_SKILLS if rng.random() < share)
        out.skills.append(tuple(sorted(own, key=order.__getitem__)))
        out.propensity.append(rng.choices((0.35, 1.0, 3.0), (55, 33, 12))[0])
    return out


def _squad(name: str, index: int) -> str:
    return f"{name}第{SQUAD[index - 1] if index <= len(SQUAD) else index + 1}分队" if index else name


def _plan_teams(
    seed: int, scale: float, county: _County, types: dict[str, tuple[bool, str]], first_id: int
) -> tuple[list[TeamPlan], dict[int, list[int]], dict[int, int]]:
    """Teams; with the indexes of each town's teams (service, canteen) and of each village's."""
    rng = _rng(seed, "teams")
    teams: list[TeamPlan] = []

    def add(name: str, tier: str, kind: str, region: int, town_id: int | None, skill: str, codes: Any) -> int:
        usable = tuple(c for c in codes if c in types) or tuple(sorted(types))[:1]
        teams.append(TeamPlan(first_id + len(teams), name, tier, kind, region, town_id, skill, usable))
        return len(teams) - 1

    for i in range(max(2, round(BASE_DEPARTMENT_TEAMS * scale))):
        name, kind, skill, dept_codes = DEPARTMENT_TEAMS[i % len(DEPARTMENT_TEAMS)]
        squad = _squad(name, i // len(DEPARTMENT_TEAMS))
        add(squad, Team.Tier.DEPARTMENT_EXPERT, kind, county.county_id, None, skill, dept_codes)
    for i in range(max(2, round(BASE_URBAN_TEAMS * scale))):
        name, kind, codes = URBAN_TEAMS[i % len(URBAN_TEAMS)]
        squad = _squad(f"荣成市{name}", i // len(URBAN_TEAMS))
        add(squad, Team.Tier.URBAN_PROFESSIONAL, kind, county.county_id, None, "", codes)
    town_teams = {
        tid: [add(f"{tname}{sfx}", Team.Tier.TOWN_VILLAGE, k, tid, tid, "", cs) for sfx, k, cs in TOWN_TEAMS]
        for tid, tname in county.towns
    }
    villages = [(v, n, t) for t, vs in county.villages.items() for v, n in vs]
    picked = sorted(rng.sample(villages, min(max(1, round(len(villages) * VILLAGE_TEAM_SHARE)), len(villages))))
    suffix, kind, village_codes = VILLAGE_TEAM
    village_teams = {
        v: add(f"{name}{suffix}", Team.Tier.TOWN_VILLAGE, kind, v, t, "", village_codes) for v, name, t in picked
    }
    return teams, town_teams, village_teams


def _plan_memberships(
    seed: int,
    people: _People,
    teams: list[TeamPlan],
    town_teams: dict[int, list[int]],
    village_teams: dict[int, int],
    today: dt.date,
    now_ts: int,
) -> tuple[list[tuple[int, int, str, str, int, int | None]], list[list[int]], list[int]]:
    """Everyone joins their village's team (or their town's); some also the town canteen team,
    skilled adults a department team of their skill, a few an urban team; a few applications
    wait for a decision. Two leaders per team. Returns the memberships, each team's accepted
    members and when each volunteer's memberships were all decided."""
    rng = _rng(seed, "memberships")
    members: list[list[int]] = [[] for _ in teams]
    ready = [0] * len(people.subject_ids)
    out: list[tuple[int, int, str, str, int, int | None]] = []
    by_skill: dict[str, list[int]] = {}
    for ti, team in enumerate(teams):
        if team.tier == Team.Tier.DEPARTMENT_EXPERT:
            by_skill.setdefault(team.skill, []).append(ti)
    urban = [ti for ti, team in enumerate(teams) if team.tier == Team.Tier.URBAN_PROFESSIONAL]

    def join(ti: int, vi: int, status: str = Membership.Status.ACCEPTED) -> None:
        applied = min(people.registered[vi] + int(rng.uniform(0, 20) * 86400), now_ts - 3600)
        decided: int | None = min(applied + int(rng.uniform(1, 72) * 3600), now_ts - 60)
        if status == Membership.Status.APPLIED:
            applied, decided = now_ts - int(rng.uniform(1, 10) * 86400), None
        else:
            ready[vi] = max(ready[vi], decided or 0)
            members[ti].append(vi)
        out.append((ti, vi, Membership.Role.MEMBER, status, applied, decided))

    for vi in range(len(people.subject_ids)):
        home = village_teams.get(people.village[vi])
        service, canteen = town_teams[people.town[vi]]
        join(service if home is None else home, vi)
        if rng.random() < 0.3:
            join(canteen, vi)
        if people.age(vi, today) >= 18:
            expert = [s for s in people.skills[vi] if s in by_skill]
            if expert and rng.random() < 0.6:
                join(rng.choice(by_skill[expert[0]]), vi)
            elif "" in by_skill and rng.random() < 0.01:
                join(rng.choice(by_skill[""]), vi)
            if urban and rng.random() < 0.06:
                join(rng.choice(urban), vi)
        if home is not None and rng.random() < 0.005:
            join(service, vi, Membership.Status.APPLIED)
    leaders: set[tuple[int, int]] = set()
    for ti, vs in enumerate(members):
        prime = sorted(vi for vi in vs if 25 <= people.age(vi, today) <= 65)
        others = sorted(vi for vi in vs if people.age(vi, today) >= 18 and vi not in prime)
        leaders.update((ti, vi) for vi in (prime + others)[:2])
    out.sort(key=lambda m: (m[0], m[1]))
    out = [
        (ti, vi, Membership.Role.LEADER if (ti, vi) in leaders else role, status, applied, decided)
        for ti, vi, role, status, applied, decided in out
    ]
    return out, members, ready


def _plan_activities(
    seed: int, scale: float, teams: list[TeamPlan], members: list[list[int]], county: _County,
    types: dict[str, tuple[bool, str]], today: dt.date, now_ts: int, open_days: float, first_id: int,
) -> list[ActivityPlan]:  # fmt: skip
    """3,000 × scale activities a month over the past 36 months and the next two weeks, each
    run by a team chosen in proportion to its members; in start order."""
    rng = _rng(seed, "activities")
    monthly = max(1, round(ACTIVITIES_PER_MONTH * scale))
    n_past, n_future = monthly * MONTHS, round(monthly * UPCOMING_DAYS / 30)
    active = [ti for ti, vs in enumerate(members) if vs]
    cum = list(itertools.accumulate(len(members[ti]) for ti in active))
    first_day = today - dt.timedelta(days=DAYS)
    starts: list[tuple[int, int]] = []
    for k in range(n_past + n_future):
        offset = rng.randrange(DAYS) if k < n_past else DAYS + rng.randrange(UPCOMING_DAYS)
        ti = active[bisect.bisect_right(cum, rng.random() * cum[-1])]
        starts.append((_local_midnight(first_day + dt.timedelta(days=offset)), ti))
    starts.sort()
    out = [
        _activity(rng, first_id + k, ti, teams[ti], midnight, county, types, now_ts, open_days)
        for k, (midnight, ti) in enumerate(starts)
    ]
    out.sort(key=lambda a: (a.starts, a.id))
    return [a._replace(id=first_id + k) for k, a in enumerate(out)]


def _plan_participations(
    seed: int, people: _People, members: list[list[int]], ready: list[int], activities: list[ActivityPlan],
    now_ts: int,
) -> tuple[array, list[int], list[int]]:  # fmt: skip
    """Who signs up for what and how it ends, in start order, so that nobody is at two
    activities at once, signs up before joining the team, or is too young. Returns the packed
    participations (sorted) and the confirmed and waiting sign-ups per activity (the capacity of
    an activity is raised to its sign-ups unless it is one of the full ones)."""
    rng = _rng(seed, "participations")
    pools = [(vs, list(itertools.accumulate(people.propensity[vi] for vi in vs))) for vs in members]
    busy_until = [0] * len(people.subject_ids)
    packed = array("q")
    confirmed = [0] * len(activities)
    waiting = [0] * len(activities)
    for ai, a in enumerate(activities):
        vs, cum = pools[a.team]
        if not vs or a.opens >= now_ts:
            continue
        until = min(a.closes, now_ts, a.cancelled or a.closes)
        share = 1.0 if until >= a.closes else max(0.0, (until - a.opens) / (a.closes - a.opens))
        want = min(round(rng.randint(*PARTICIPANTS) * share), len(vs))
        full = want > 0 and rng.random() < FULL_SHARE
        capacity = a.capacity
        if full:
            capacity = max(1, want - rng.randint(1, max(1, want // 5)))
        elif capacity < want:
            capacity = want + rng.randint(0, 10)
        if capacity != a.capacity:
            activities[ai] = a = a._replace(capacity=capacity)
        picked: list[int] = []
        seen: set[int] = set()
        start_day = dt.datetime.fromtimestamp(a.starts, clock.LOCAL_TZ).date()
        for _attempt in range(3):
            for vi in rng.choices(vs, cum_weights=cum, k=2 * want + 4):
                if vi in seen:
                    continue
                seen.add(vi)
                if busy_until[vi] > a.starts or ready[vi] > a.opens:
                    continue
                if a.min_age and people.age(vi, start_day) < a.min_age:
                    continue
                picked.append(vi)
                if len(picked) == want:
                    break
            if len(picked) == want or len(seen) >= len(vs):
                break
        corrigible = a.closed is not None and a.closed <= now_ts - CORRECTION_MIN_AGE.total_seconds()
        for pos, vi in enumerate(picked):
            if full and pos >= capacity:
                outcome = WAITLISTED
            else:
                outcome = OUTCOMES[bisect.bisect(OUTCOME_CUM, rng.random() * OUTCOME_CUM[-1])]
                if (
                    (outcome == CANCELLED and full)  # a cancellation would have let the waiting list up
                    or (outcome == OUTSIDE and a.geofence_m is None)
                    or (outcome in (CORRECTED, REFUSED) and not corrigible)
                ):
                    outcome = ATTENDED
            if a.cancelled is None:
                if outcome == WAITLISTED:
                    waiting[ai] += 1
                elif outcome != CANCELLED:
                    confirmed[ai] += 1
                    busy_until[vi] = a.ends
            packed.append((vi << VOLUNTEER_SHIFT) | (ai << OUTCOME_BITS) | outcome)
    return array("q", sorted(packed)), confirmed, waiting


def plan_volunteering(
    *, scale: float, seed: int, now: dt.datetime, open_days: float = 0.0, first_team_id: int = 1,
    first_activity_id: int = 1,
) -> VolunteeringPlan:  # fmt: skip
    """Choose volunteers, teams, memberships, activities and participations (see the module
    docstring) from the county in the database. ``open_days``: activities that ended within
    that many days before ``now`` stay finished but not closed (awaiting the organiser's
    verification, with their scans)."""
    now = now.replace(microsecond=0)
    now_ts = _ts(now)
    today = now.astimezone(clock.LOCAL_TZ).date()
    county = _read_county()
    types = {
        code: (risky, name)
        for code, risky, name in ActivityType.objects.filter(active=True).values_list("code", "risky", "name_zh")
    }
    if not types:
        raise RuntimeError("no activity types: migrate the volunteering app first")
    people = _choose_volunteers(seed, scale, today, now_ts)
    teams, town_teams, village_teams = _plan_teams(seed, scale, county, types, first_team_id)
    memberships, members, ready = _plan_memberships(seed, people, teams, town_teams, village_teams, today, now_ts)
    activities = _plan_activities(
        seed, scale, teams, members, county, types, today, now_ts, open_days, first_activity_id
    )
    packed, confirmed, waiting = _plan_participations(seed, people, members, ready, activities, now_ts)
    plan = VolunteeringPlan(
        seed=seed,
        scale=scale,
        now=now,
        subject_ids=people.subject_ids,
        birth=people.birth,
        registered=people.registered,
        minor=people.minor,
        skills=people.skills,
        teams=teams,
        memberships=memberships,
        activities=activities,
        participations=packed,
        confirmed=confirmed,
        waiting=waiting,
    )
    plan.counts = _plan_counts(plan, now_ts)
    return plan


def _activity(
    rng: random.Random,
    activity_id: int,
    ti: int,
    team: TeamPlan,
    midnight: int,
    county: _County,
    types: dict[str, tuple[bool, str]],
    now_ts: int,
    open_days: float,
) -> ActivityPlan:
    code = rng.choice(team.types)
    risky, type_name = types[code]
    length = rng.choice(DURATIONS.get(code, (90, 120, 150)))
    if code == "canteen_cooking":
        start_min = 9 * 60
    elif length >= 240:
        start_min = rng.choice((8 * 60, 14 * 60))
    else:
        start_min = rng.randrange(16, 33) * 30  # 8:00 to 16:00
    starts = midnight + start_min * 60
    ends = starts + length * 60
    # Where: a team's own village; a town team in one of its villages or the town; county
    # teams are sent down to a village anywhere.
    if team.tier == Team.Tier.TOWN_VILLAGE and team.region_id in county.village_town:
        region = team.region_id
    elif team.tier == Team.Tier.TOWN_VILLAGE:
        vs = county.villages.get(team.region_id) or []
        region = rng.choice(vs)[0] if vs and rng.random() < 0.7 else team.region_id
    else:
        tid = rng.choice(county.towns)[0]
        vs = county.villages.get(tid) or []
        region = rng.choice(vs)[0] if vs else tid
    home = county.sites.get(region)  # the village's practice station or the town's institute
    venues = county.venues.get(region) or []
    venue = rng.choice(venues) if venues and rng.random() < 0.6 else None
    spot = venue or home
    place = spot[1] if spot is not None else county.names[region]
    lat, lon = (spot[2], spot[3]) if spot is not None else (None, None)
    site = home if region in county.village_town else None
    geofence = rng.choice((200, 300, 500)) if lat is not None and rng.random() < GEOFENCE_SHARE else None
    region_name = county.names[region]
    title = rng.choice(("{r}{t}", "{t}进{r}", "{r}{t}志愿服务", "走进{r}：{t}")).format(r=region_name, t=type_name)
    opens = starts - int(rng.uniform(3, 14) * 86400)
    closes = starts - rng.choice((0, 3600, 12 * 3600, 86400))
    created = opens - int(rng.uniform(1, 48) * 3600)
    published = min(opens, now_ts - 60)
    created = min(created, published - 60)
    capacity = rng.randint(*PARTICIPANTS) + rng.randint(0, 15)
    status: str = Activity.Status.PUBLISHED
    cancelled: int | None = None
    reason = ""
    closed: int | None = None
    if rng.random() < CANCELLED_SHARE:
        at = opens + int((starts - opens) * rng.uniform(0.3, 0.95))
        if at <= now_ts:
            status, cancelled, reason = Activity.Status.CANCELLED, at, rng.choice(CANCEL_REASONS)
    if status == Activity.Status.PUBLISHED:
        at = ends + int(rng.uniform(1, 48) * 3600)
        if at <= now_ts and ends <= now_ts - open_days * 86400:
            status, closed = Activity.Status.CLOSED, at
    min_age = 18 if code in ADULT_TYPES else 14 if risky else 0
    need = PROFESSIONAL.get(code)
    skills = (need,) if team.tier == Team.Tier.DEPARTMENT_EXPERT and need and team.skill == need else ()
    return ActivityPlan(
        id=activity_id,
        team=ti,
        type_code=code,
        title=title[:120],
        region_id=region,
        site_id=site[0] if site is not None else None,
        venue_id=venue[0] if venue is not None else None,
        place=place,
        latitude=lat,
        longitude=lon,
        geofence_m=geofence,
        starts=starts,
        ends=ends,
        capacity=capacity,
        opens=opens,
        closes=closes,
        min_age=min_age,
        skills=skills,
        status=status,
        created=created,
        published=published,
        cancelled=cancelled,
        cancel_reason=reason,
        closed=closed,
        qr_secret=rng.randbytes(32),
    )


def _plan_counts(plan: VolunteeringPlan, now_ts: int) -> dict[str, int]:
    """What the load must write, from the plan alone."""
    c: Counter[str] = Counter()
    c["volunteers"] = len(plan.subject_ids)
    c["minors"] = sum(plan.minor)
    for t in plan.teams:
        c[f"teams_{t.tier}"] += 1
    c["teams"] = len(plan.teams)
    for _ti, _vi, role, status, _a, _d in plan.memberships:
        c[f"memberships_{status}"] += 1
        c["leaders"] += role == Membership.Role.LEADER
    c["memberships"] = len(plan.memberships)
    acts = plan.activities
    for a in acts:
        c[f"activities_{a.status}"] += 1
    c["activities"] = len(acts)
    c["activities_past"] = sum(1 for a in acts if a.starts < now_ts)
    for p in plan.participations:
        _vi, ai, outcome = unpack(p)
        a = acts[ai]
        c["participations"] += 1
        if a.status == Activity.Status.CANCELLED:
            c["signups_cancelled" if outcome == CANCELLED else "signups_dropped"] += 1
            continue
        c[
            "signups_cancelled"
            if outcome == CANCELLED
            else "signups_waitlisted"
            if outcome == WAITLISTED
            else "signups_confirmed"
        ] += 1
        if a.ends <= now_ts:
            c["scans_finished"] += SCANS.get(outcome, 0)
        if a.closed is not None and outcome in ATTENDING:
            c["records_r1"] += 1
            c["awards"] += 1
            if outcome == CORRECTED:
                c["records_r2"] += 1
                c["awards"] += 1
            if outcome in (CORRECTED, REFUSED):
                c["corrections"] += 1
    c["signups"] = c["signups_confirmed"] + c["signups_waitlisted"] + c["signups_cancelled"] + c["signups_dropped"]
    c["records"] = c["records_r1"] + c["records_r2"]
    return dict(c)


# --- Producing rows (forked workers, no database) -------------------------------------------
class _Scan(NamedTuple):
    kind: str
    at: dt.datetime
    accepted: bool
    problem: str
    flags: list[str]


@dataclass
class _RuleSet:
    effective: int  # date ordinal
    version: int
    rules: dict[str, Rule]


@dataclass
class _Close:
    record: list[Any]  # the revision-1 row (its "current" changes on correction)
    activity: ActivityPlan
    service_date: dt.date
    started: dt.datetime


@dataclass
class _Fix:
    close: _Close
    minutes: int
    reason: str
    accepted: bool
    requested: int


@dataclass
class _Standing:
    year: int
    minutes_before: int
    minutes: int
    points: int
    entry: NewEntry | None
    rule_code: str
    credit_year: int
    row: list[Any]


@dataclass
class Produced:
    rows: dict[str, list[Any]]
    new_heads: dict[int, tuple[int, str]]
    minutes: int = 0
    points: int = 0


# Set in the parent before forking; the workers only read it.
_job: dict[str, Any] = {}


_floors: dict[tuple[int, int], int] = {}


def _points(policy: Policy, before: int, minutes: int, points_before: int) -> int:
    """``policy.points(...)`` with the curve's whole points cached per minute total (the
    fractions are exact but slow, and the totals repeat: they are multiples of the rounding)."""

    key, floors = id(policy), _floors
    high = floors.get((key, before + minutes))
    if high is None:
        high = floors[(key, before + minutes)] = math.floor(policy.curve(before + minutes))
    low = floors.get((key, before))
    if low is None:
        low = floors[(key, before)] = math.floor(policy.curve(before))
    return max(0, min(high - low, policy.yearly_cap - points_before))


def _rules_on(day: dt.date) -> _RuleSet:
    sets: list[_RuleSet] = _job["rule_sets"]
    pick = sets[0]  # before the first catalogue: its rules (as the history generator does)
    for s in sets:
        if s.effective <= day.toordinal():
            pick = s
    return pick


def _produce(task: tuple[int, int]) -> Produced:
    """The rows of volunteers ``lo`` to ``hi - 1``, chained after their subjects' heads."""
    lo, hi = task
    plan: VolunteeringPlan = _job["plan"]
    out = Produced(rows={k: [] for k in ROW_KINDS}, new_heads={})
    entries: list[NewEntry] = []
    p_lo, p_hi = plan.span(lo, hi)
    parts = plan.participations
    pos = p_lo
    for vi in range(lo, hi):
        mine: list[tuple[int, int, int]] = []
        while pos < p_hi and (parts[pos] >> VOLUNTEER_SHIFT) == vi:
            _v, ai, outcome = unpack(parts[pos])
            mine.append((pos, ai, outcome))
            pos += 1
        out.minutes += _volunteer(plan, vi, mine, out.rows, entries)
    out.rows["records"] = [tuple(r) for r in out.rows["records"]]
    out.rows["awards"] = [tuple(r) for r in out.rows["awards"]]
    heads = _job["heads"]
    first_entry = _job["entry_base"] + 2 * p_lo + 1
    first_transition = _job["transition_base"] + p_lo + 1
    entry_rows, transition_rows, new_heads = build_rows(
        entries=entries,
        heads={sid: heads[sid][:2] for sid in {e.subject_id for e in entries} if sid in heads},
        entry_ids=iter(range(first_entry, first_entry + 2 * (p_hi - p_lo))),
        transition_ids=iter(range(first_transition, first_transition + (p_hi - p_lo))),
        now=plan.now,
        adapt=_job["adapt"],
    )
    out.rows["entries"], out.rows["transitions"], out.new_heads = entry_rows, transition_rows, new_heads
    out.points = sum(e.points for e in entries)
    return out


def _volunteer(
    plan: VolunteeringPlan, vi: int, mine: list[tuple[int, int, int]], rows: dict[str, list[Any]],
    entries: list[NewEntry],
) -> int:  # fmt: skip
    """One volunteer's rows (in their own random stream); returns their verified minutes."""
    sid = plan.subject_ids[vi]
    rng = random.Random(f"rongxin-synth:{plan.seed}:volunteering:{sid}")
    adapt, stamp = _job["adapt"], _job["stamp"]
    now_ts = _ts(plan.now)
    availability = rng.choice(AVAILABILITY)
    guardian: tuple[str, str, int | None] = ("", "", None)
    if plan.minor[vi]:
        male = rng.random() < 0.5
        first, second = (names.GIVEN_MALE if male else names.GIVEN_FEMALE)[1]
        surname = rng.choice(names.LOCAL_SURNAMES)[0]
        guardian = (surname + rng.choice(first) + rng.choice(second), "父亲" if male else "母亲", plan.registered[vi])
    events: list[tuple[int, int, int, _Close | _Fix]] = []
    signups, scan_rows = rows["signups"], rows["scans"]
    for p, ai, outcome in mine:
        a = plan.activities[ai]
        if a.cancelled is not None:
            created = a.opens + int(rng.random() * max(1, a.cancelled - a.opens))
            if outcome == CANCELLED:
                changed = created + int(rng.random() * max(1, a.cancelled - created))
                signups.append((a.id, sid, Signup.Status.CANCELLED, stamp(created), None, stamp(changed), None))
            else:
                signups.append((a.id, sid, Signup.Status.DROPPED, stamp(created), None, stamp(a.cancelled), None))
            continue
        until = min(a.closes, now_ts)
        if outcome == WAITLISTED:
            queued = stamp(a.opens + int((0.85 + 0.15 * rng.random()) * max(1, until - a.opens)))
            signups.append((a.id, sid, Signup.Status.WAITLISTED, queued, queued, queued, None))
            continue
        created = a.opens + int(0.85 * rng.random() * max(1, until - a.opens))
        if outcome == CANCELLED:
            changed = created + int(rng.random() * max(1, min(a.starts, now_ts) - created))
            signups.append((a.id, sid, Signup.Status.CANCELLED, stamp(created), None, stamp(changed), None))
            continue
        signed = stamp(created)
        signups.append((a.id, sid, Signup.Status.CONFIRMED, signed, None, signed, None))
        if a.starts > now_ts or outcome == NO_SHOW:
            continue
        scans = _scans(rng, a, outcome)
        for kind, ts, accepted, problem, flags, lat, lon, dist, method in scans:
            if ts <= now_ts:
                assisted = method == Scan.Method.ASSISTED
                scan_rows.append(
                    (
                        a.id, sid, kind, method, stamp(ts), accepted, problem, _flags_json(flags), lat, lon, dist,
                        None if assisted else ts // tokens.STEP_SECONDS, None, ASSIST_REASON if assisted else "",
                    )
                )  # fmt: skip
        if a.closed is None:
            continue
        starts_at, ends_at = _at(a.starts), _at(a.ends)
        service_date = starts_at.astimezone(clock.LOCAL_TZ).date()
        policy: Policy = _job["policies"][service_date.year]
        att = attendance_from_scans(
            [_Scan(k, _at(ts), acc, prob, fl) for k, ts, acc, prob, fl, *_rest in scans],
            starts_at=starts_at,
            ends_at=ends_at,
            policy=policy,
        )
        if att.minutes <= 0:
            continue  # checked in, never out: no time until the organiser enters it
        started = att.started_at or starts_at
        record = [
            _job["record_base"] + 2 * p + 1, a.id, sid, 1, plan.teams[a.team].id, service_date.isoformat(), a.place,
            f"{_job['type_names'][a.type_code]}：{a.title}"[:200], adapt(started),
            adapt(att.ended_at or min(ends_at, started + dt.timedelta(minutes=att.minutes))), att.minutes,
            _rating(rng.random()), _flags_json(att.flags), "", None, stamp(a.closed), True,
        ]  # fmt: skip
        rows["records"].append(record)
        close = _Close(record=record, activity=a, service_date=service_date, started=started)
        events.append((a.closed, 0, a.id, close))
        if outcome in (CORRECTED, REFUSED):
            requested = a.closed + int(rng.uniform(1, 10) * 86400)
            decided = requested + int(rng.uniform(0.5, 7) * 86400)
            window = (a.ends - a.starts) // 60
            step = policy.rounding_minutes
            wanted = att.minutes + step if att.minutes + step <= window else att.minutes - step
            fix = _Fix(close, wanted, rng.choice(CORRECTION_REASONS), outcome == CORRECTED, requested)
            events.append((decided, 1, a.id, fix))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    total = _awards(sid, events, rows, entries)
    reg = stamp(plan.registered[vi])
    rows["volunteers"].append(
        (
            sid, volunteer_number(sid), Volunteer.Status.ACTIVE, json.dumps(list(plan.skills[vi])), availability, reg,
            reg, guardian[0], guardian[1], reg if guardian[2] is not None else None, total,
        )
    )  # fmt: skip
    return total


def _rating(r: float) -> str:
    return "excellent" if r < 0.25 else "good" if r < 0.95 else "satisfactory"


def _scans(
    rng: random.Random, a: ActivityPlan, outcome: int
) -> list[tuple[str, int, bool, str, list[str], Any, Any, int | None, str]]:
    """One participation's scans: (kind, time, accepted, problem, flags, lat, lon, distance, method).
    Most check in within 12 minutes of the start and out within 25 minutes before the end; a
    few come early or leave late (the time outside the window does not count and is flagged)."""
    check_in = a.starts - int(rng.uniform(60, 900)) if rng.random() < 0.05 else a.starts + int(rng.uniform(0, 720))
    check_out = a.ends + int(rng.uniform(60, 1200)) if rng.random() < 0.05 else a.ends - int(rng.uniform(0, 1500))
    method = Scan.Method.ASSISTED if outcome == ASSISTED else Scan.Method.QR

    def where(outside: bool) -> tuple[Any, Any, int | None, list[str]]:
        if method != Scan.Method.QR or a.geofence_m is None or a.latitude is None or a.longitude is None:
            return None, None, None, []
        lat = a.latitude + (rng.uniform(0.012, 0.03) * rng.choice((-1, 1)) if outside else rng.uniform(-8e-4, 8e-4))
        lon = a.longitude + rng.uniform(-8e-4, 8e-4)
        # Six decimals, as the column stores them; text binds faster than Decimal on both engines.
        lat_t, lon_t = f"{lat:.6f}", f"{lon:.6f}"
        d = distance_m(a.latitude, a.longitude, float(lat_t), float(lon_t))
        return lat_t, lon_t, d, (["outside_geofence"] if d > a.geofence_m else [])

    lat, lon, dist, flags = where(outcome == OUTSIDE)
    out: list[tuple[str, int, bool, str, list[str], Any, Any, int | None, str]] = [
        (Scan.Kind.IN, check_in, True, "", flags, lat, lon, dist, method)
    ]
    if outcome == DUPLICATE:
        lat, lon, dist, flags = where(False)
        out.append(
            (Scan.Kind.IN, check_in + int(rng.uniform(60, 180)), False, "already_in", flags, lat, lon, dist, method)
        )
    if outcome != MISSING_OUT:
        lat, lon, dist, flags = where(outcome == OUTSIDE)
        if check_out > a.ends:
            flags = [*flags, "beyond_window"]
        out.append((Scan.Kind.OUT, check_out, True, "", flags, lat, lon, dist, method))
    return out


def _awards(
    sid: int, events: list[tuple[int, int, int, _Close | _Fix]], rows: dict[str, list[Any]], entries: list[NewEntry]
) -> int:
    """Hours awards and credit entries in the order the closes and corrections happened; returns
    the minutes of the volunteer's current records."""
    adapt, stamp = _job["adapt"], _job["stamp"]
    year_state: dict[int, list[int]] = {}  # year → [minutes, points] of the standing awards
    used: dict[tuple[str, int], list[int]] = {}  # (rule, year) → [entries, points] not revoked
    standing: dict[int, _Standing] = {}  # activity id → its standing award
    total = 0
    for at, _order, activity_id, ev in events:
        when = _at(at)
        if isinstance(ev, _Close):
            total += ev.record[10]
            slot = year_state.setdefault(ev.service_date.year, [0, 0])
            standing[activity_id] = _award(sid, ev.record, ev, slot, used, when, None, rows, entries)
            continue
        close, record = ev.close, ev.close.record
        rows["corrections"].append(
            (
                record[0], sid, ev.minutes, ev.reason,
                Correction.Status.ACCEPTED if ev.accepted else Correction.Status.REFUSED, stamp(ev.requested),
                stamp(at), None, "" if ev.accepted else REFUSAL_REASON,
            )
        )  # fmt: skip
        if not ev.accepted:
            continue
        prior = standing[activity_id]
        prior.row[11] = stamp(at)  # superseded
        slot = year_state[prior.year]
        slot[0] -= prior.minutes
        slot[1] -= prior.points
        if prior.entry is not None:
            reason = f"志愿服务记录更正：{ev.reason}"[:500]
            prior.entry.transitions.append(NewTransition("superseded", when, None, reason))
            cap = used[(prior.rule_code, prior.credit_year)]
            cap[0] -= 1
            cap[1] -= prior.entry.points
        record[16] = False
        flags = json.loads(record[12])
        a = close.activity
        new = [
            record[0] + 1, a.id, sid, 2, record[4], record[5], record[6], record[7], record[8],
            adapt(min(_at(a.ends), close.started + dt.timedelta(minutes=ev.minutes))), ev.minutes, record[11],
            json.dumps(flags if "corrected" in flags else [*flags, "corrected"]), ev.reason[:200], None, stamp(at),
            True,
        ]  # fmt: skip
        rows["records"].append(new)
        total += ev.minutes - record[10]
        standing[activity_id] = _award(sid, new, close, slot, used, when, prior.minutes_before, rows, entries)
    return total


def _award(
    sid: int,
    record: list[Any],
    close: _Close,
    slot: list[int],
    used: dict[tuple[str, int], list[int]],
    when: dt.datetime,
    minutes_before: int | None,
    rows: dict[str, list[Any]],
    entries: list[NewEntry],
) -> _Standing:
    """One hours award and its credit entry, as the closing service writes them: revision 1 as
    ``closing._award`` (from the year's standing awards), revision 2 as
    ``closing._apply_correction`` (from the superseded award's place in the year); the points
    trimmed to the rule's range and yearly caps as ``awards_record`` trims them."""
    a, service_date = close.activity, close.service_date
    revision, minutes = record[3], record[10]
    policy: Policy = _job["policies"][service_date.year]
    before = slot[0] if minutes_before is None else minutes_before
    points = _points(policy, before, minutes, slot[1])
    rule_code: str = _job["rule_codes"][a.type_code]
    key = f"volunteering:{a.id}:{sid}:r{revision}"
    note = "yearly cap reached" if revision == 1 and points <= 0 and slot[1] >= policy.yearly_cap else ""
    entry: NewEntry | None = None
    ends = _at(a.ends)
    credit_day = ends.astimezone(clock.LOCAL_TZ).date()
    if points > 0:
        ruleset = _rules_on(credit_day)
        rule = ruleset.rules[rule_code]
        cap = used.setdefault((rule_code, credit_day.year), [0, 0])
        granted, granted_note = award_within_caps(rule, entries=cap[0], points_used=cap[1], points=points)
        if granted < rule.points_min:
            granted = 0
        if revision == 2 or granted != points:
            note = granted_note
        points = granted
        if points > 0:
            cap[0] += 1
            cap[1] += points
            label = "志愿服务记录" if revision == 1 else "志愿服务记录（更正）"
            evidence = (
                f"{label}：{a.title}（{_job['team_names'][a.team]}），{service_date:%Y-%m-%d}，"
                f"核验服务时长{hours_text(minutes)}小时"
            )[:2000]
            entry = NewEntry(
                subject_id=sid,
                rule=rule,
                points=points,
                occurred_at=ends,
                recorded_at=when,
                department_id=_job["department_id"],
                recorder_id=None,
                source=Entry.Source.VOLUNTEERING,
                source_key=key,
                content_hash=content_hash(
                    rule_code=rule.code,
                    catalogue_version=ruleset.version,
                    points=points,
                    occurred_at=ends,
                    department=DEPARTMENT,
                    evidence=evidence,
                ),
                evidence=evidence,
            )
            entries.append(entry)
    row = [
        record[0], sid, a.id, service_date.year, before, minutes, points, rule_code, key if entry else "", note,
        _job["stamp"](_ts(when)), None,
    ]  # fmt: skip
    rows["awards"].append(row)
    slot[0] += minutes
    slot[1] += points
    return _Standing(service_date.year, before, minutes, points, entry, rule_code, credit_day.year, row)


# --- The load ---------------------------------------------------------------------------------
@dataclass
class VolunteeringResult:
    counts: dict[str, int]
    plan_counts: dict[str, int]
    seconds: float
    plan_seconds: float
    workers: int
    phases: dict[str, float] = field(default_factory=dict)  # seconds of the main process's steps

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": self.counts,
            "plan_counts": self.plan_counts,
            "seconds": round(self.seconds, 2),
            "plan_seconds": round(self.plan_seconds, 2),
            "workers": self.workers,
            "phases": {k: round(v, 2) for k, v in self.phases.items()},
        }


def _specs() -> dict[str, TableSpec]:
    return {
        "teams": TableSpec.of(Team, TEAM_FIELDS),
        "memberships": TableSpec.of(Membership, MEMBERSHIP_FIELDS),
        "activities": TableSpec.of(Activity, ACTIVITY_FIELDS),
        "volunteers": TableSpec.of(Volunteer, VOLUNTEER_FIELDS),
        "signups": TableSpec.of(Signup, SIGNUP_FIELDS),
        "scans": TableSpec.of(Scan, SCAN_FIELDS),
        "records": TableSpec.of(ServiceRecord, RECORD_FIELDS),
        "corrections": TableSpec.of(Correction, CORRECTION_FIELDS),
        "awards": TableSpec.of(HoursAward, AWARD_FIELDS),
        "entries": TableSpec.of(Entry, ENTRY_FIELDS),
        "transitions": TableSpec.of(Transition, TRANSITION_FIELDS),
    }


def _rule_sets(codes: set[str]) -> list[_RuleSet]:
    out = []
    for c in Catalogue.objects.filter(subject_kind=SubjectKind.PERSON, status=Catalogue.Status.PUBLISHED).order_by(
        "effective_from"
    ):
        rules = {r.code: r for r in Rule.objects.filter(catalogue=c, code__in=codes)}
        missing = codes - set(rules)
        if missing:
            raise RuntimeError(f"catalogue {c.version} lacks the hours rules {sorted(missing)}")
        out.append(_RuleSet(effective=c.effective_from.toordinal(), version=c.version, rules=rules))
    if not out:
        raise RuntimeError("no published person catalogue: load the starter catalogues first")
    return out


def _max_id(model: Any) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        return int(cur.fetchone()[0])


def _membership_rows(plan: VolunteeringPlan) -> tuple[list[int], list[tuple[Any, ...]]]:
    """Membership rows in volunteer order, with each row's volunteer index (to write them just
    after their volunteers: see :func:`generate_volunteering`)."""
    stamp = _job["stamp"]
    ordered = sorted(plan.memberships, key=lambda m: (m[1], m[0]))
    rows = [
        (plan.teams[ti].id, plan.subject_ids[vi], role, status, stamp(applied), stamp(d) if d else None, None)
        for ti, vi, role, status, applied, d in ordered
    ]
    return [m[1] for m in ordered], rows


def _fixed_rows(plan: VolunteeringPlan) -> dict[str, list[tuple[Any, ...]]]:
    """Teams and activities (written by the main process before any chunk)."""
    stamp = _job["stamp"]
    teams = [
        (t.id, t.name, t.tier, t.kind, t.region_id, "", stamp(min(plan.registered) - 86400), None, True)
        for t in plan.teams
    ]
    activities = []
    for ai, a in enumerate(plan.activities):
        team = plan.teams[a.team]
        cancelled = a.cancelled is not None
        activities.append(
            (
                a.id, team.id, _job["type_ids"][a.type_code], a.title, f"{team.name}组织的志愿服务活动。", a.region_id,
                a.site_id, a.venue_id, a.place, _decimal(a.latitude), _decimal(a.longitude), a.geofence_m,
                stamp(a.starts), stamp(a.ends), a.capacity, stamp(a.opens), stamp(a.closes),
                a.min_age, json.dumps(list(a.skills)), a.type_code in _job["risky"], a.status,
                0 if cancelled else plan.confirmed[ai], 0 if cancelled else plan.waiting[ai], a.qr_secret,
                stamp(a.created), None, stamp(a.published), stamp(a.cancelled) if cancelled else None,
                a.cancel_reason, stamp(a.closed) if a.closed is not None else None, None, None,
            )
        )  # fmt: skip
    return {"teams": teams, "activities": activities}


def _decimal(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(f"{x:.6f}")


def _heads(subject_ids: list[int]) -> dict[int, tuple[int, str, int | None, str]]:
    wanted = set(subject_ids)
    out: dict[int, tuple[int, str, int | None, str]] = {}
    for sid, seq, head, score, grade in SubjectCredit.objects.values_list(
        "subject_id", "chain_seq", "chain_head", "score", "grade"
    ).iterator(chunk_size=20_000):
        if sid in wanted:
            out[sid] = (seq, head, score, grade)
    return out


# The big per-participation tables: empty before the load, so their secondary indexes are built
# once, sorted, after the rows are in (far cheaper than millions of random B-tree inserts).
REBUILT_INDEX_MODELS = (Signup, Scan, ServiceRecord, HoursAward)


@contextlib.contextmanager
def _indexes_built_after(models: tuple[type[Any], ...]) -> Iterator[int]:
    """Drop the tables' plain secondary indexes (not primary keys or unique constraints) and
    create them again, from their own stored definitions, on exit. Inside the caller's
    transaction: on an error the drop rolls back with the rows."""
    tables = [m._meta.db_table for m in models]
    marks = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "  # noqa: S608 - only placeholders
                f"WHERE i.schemaname = current_schema() AND i.tablename IN ({marks}) "
                "AND i.indexdef NOT LIKE 'CREATE UNIQUE%%' AND NOT EXISTS ("
                "SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY i.indexname",
                tables,
            )
        else:
            cur.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "  # noqa: S608
                "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name",
                tables,
            )
        indexes = cur.fetchall()
        for name, _sql in indexes:
            cur.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield len(indexes)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with deferred foreign-key checks pending:
            # run them now (every row they point at is written by now).
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in indexes:
            cur.execute(sql)
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL DEFERRED")


def _bounded(pool: Any, tasks: list[tuple[int, int]], workers: int) -> Iterator[Produced]:
    """The chunks in order, at most two per worker in flight: writing is slower than building,
    and a finished chunk waiting to be written holds a few hundred MB at scale 1.0."""
    pending: deque[Any] = deque()
    queue = iter(tasks)
    for task in itertools.islice(queue, 2 * workers):
        pending.append(pool.apply_async(_produce, (task,)))
    while pending:
        produced = pending.popleft().get()
        following = next(queue, None)
        if following is not None:
            pending.append(pool.apply_async(_produce, (following,)))
        yield produced


def default_workers(tasks: int) -> int:
    """Building rows (hashing, attendance) costs more than writing them: every core builds."""
    return 0 if tasks <= 1 else max(1, min(os.cpu_count() or 2, 6))


def generate_volunteering(
    *,
    scale: float,
    seed: int,
    progress: bool = False,
    now: dt.datetime | None = None,
    workers: int | None = None,
    open_days: float = 0.0,
) -> VolunteeringResult:
    """Load the synthetic volunteering of a generated county in one transaction (see the
    module docstring); needs the county and the starter catalogues (the credit history is
    optional). Refuses a database that already has volunteers, teams or activities."""
    if Volunteer.objects.exists() or Team.objects.exists() or Activity.objects.exists():
        raise RuntimeError("the database already has volunteering data; synthetic volunteering goes into none")
    started = time.perf_counter()
    now = (now or clock.now()).replace(microsecond=0)
    types = list(ActivityType.objects.values_list("code", "id", "name_zh", "credit_rule_code", "risky"))
    rule_codes = {code: rule for code, _i, _n, rule, _r in types}
    _job.clear()
    _job.update(
        adapt=datetime_adapter(connection),
        stamp=stamp_adapter(connection.vendor),
        rule_sets=_rule_sets(set(rule_codes.values())),
        rule_codes=rule_codes,
        type_ids={code: i for code, i, _n, _r, _k in types},
        type_names={code: n for code, _i, n, _r, _k in types},
        risky={code for code, _i, _n, _r, risky in types if risky},
        department_id=Department.objects.get(code=DEPARTMENT).pk,
    )
    plan = plan_volunteering(
        scale=scale,
        seed=seed,
        now=now,
        open_days=open_days,
        first_team_id=_max_id(Team) + 1,
        first_activity_id=_max_id(Activity) + 1,
    )
    plan_seconds = time.perf_counter() - started
    first_year = min((_at(a.starts).astimezone(clock.LOCAL_TZ).year for a in plan.activities), default=now.year)
    _job.update(
        plan=plan,
        team_names=[t.name for t in plan.teams],
        policies={y: policy_for(y) for y in range(first_year, now.year + 2)},
        heads=_heads(plan.subject_ids),
        record_base=_max_id(ServiceRecord),
        entry_base=_max_id(Entry),
        transition_base=_max_id(Transition),
    )
    tasks = [
        (lo, min(lo + CHUNK_VOLUNTEERS, len(plan.subject_ids)))
        for lo in range(0, len(plan.subject_ids), CHUNK_VOLUNTEERS)
    ]
    workers = default_workers(len(tasks)) if workers is None else workers
    specs = _specs()
    counts: Counter[str] = Counter()
    phases: dict[str, float] = {"plan": plan_seconds}
    new_heads: dict[int, tuple[int, str]] = {}
    bar = tqdm(total=len(plan.subject_ids), unit="volunteers", desc="volunteering", disable=not progress)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers else None
    try:
        results = _bounded(pool, tasks, workers) if pool else map(_produce, tasks)
        with transaction.atomic():
            writer = BulkWriter(connection)
            for kind, rows in _fixed_rows(plan).items():
                counts[kind] += writer.write(specs[kind], rows)
            member_of, member_rows = _membership_rows(plan)
            with _indexes_built_after(REBUILT_INDEX_MODELS) as rebuilt:
                for (lo, hi), produced in zip(tasks, results, strict=True):
                    for kind in ROW_KINDS:
                        t = time.perf_counter()
                        counts[kind] += writer.write(specs[kind], produced.rows[kind])
                        phases[f"write_{kind}"] = phases.get(f"write_{kind}", 0.0) + time.perf_counter() - t
                        if kind == "volunteers":
                            # Every row is written after the rows it points at, so no deferred
                            # foreign-key check is ever pending: SQLite would otherwise look for
                            # children of each new parent row, and some child indexes are gone.
                            a, b = bisect.bisect_left(member_of, lo), bisect.bisect_left(member_of, hi)
                            counts["memberships"] += writer.write(specs["memberships"], member_rows[a:b])
                    new_heads.update(produced.new_heads)
                    counts["minutes"] += produced.minutes
                    counts["points"] += produced.points
                    bar.update(hi - lo)
                t = time.perf_counter()
            phases["indexes"] = time.perf_counter() - t
            counts["indexes_rebuilt"] = rebuilt
            writer.reset_sequences([Team, Activity, ServiceRecord, Entry, Transition])
            heads = _job["heads"]
            fresh = sorted(set(new_heads) - set(heads))
            stamp = _job["adapt"](now)
            writer.write(
                TableSpec.of(SubjectCredit, ("subject", "chain_seq", "chain_head", "grade", "updated_at")),
                [(sid, 0, "", "", stamp) for sid in fresh],
            )
            subject_ids = sorted(new_heads)
            t = time.perf_counter()
            counts["grade_changes"] = refresh_subjects(
                subject_ids=subject_ids,
                heads={sid: heads.get(sid, (0, "", None, "")) for sid in subject_ids},
                new_heads=new_heads,
                now=now,
                cause="synthetic.volunteering",
                writer=writer,
            )
            writer.close()
            phases["refresh"] = time.perf_counter() - t
            result = VolunteeringResult(
                counts=dict(counts),
                plan_counts=plan.counts,
                seconds=0.0,
                plan_seconds=plan_seconds,
                workers=workers,
                phases=phases,
            )
            audit_record(
                actor=None,
                kind="write",
                action="synth.volunteering",
                object_type="synth.syntheticload",
                object_id="",
                details={"scale": scale, "seed": seed, "counts": dict(counts)},
            )
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        bar.close()
        _job.clear()
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    phases["analyze"] = time.perf_counter() - t
    result.seconds = time.perf_counter() - started
    return result
