"""Who a quarterly commendation meeting proposes, and why: pure policy, no database.

The platform's own data gives each person of a town or village a few numbers for the quarter
(:class:`Facts`): a grade rise, good-deed records, verified volunteer minutes, lecture sessions
given as a speaker, canteen service minutes. A person qualifies for a category when a number
passes its threshold:

- 诚信者 (``honest``): the credit grade rose during the quarter, or at least
  ``GOOD_DEEDS_MIN`` good-deed records (award entries recorded by a department, counting);
- 志愿者 (``volunteer``): at least ``VOLUNTEER_MIN_MINUTES`` of verified volunteer service;
- 干事者 (``doer``): at least ``LECTURE_MIN_SESSIONS`` lecture sessions given, or at least
  ``CANTEEN_MIN_MINUTES`` of canteen rota service (cooking and meal delivery).

A name appears once per meeting, in the first category it qualifies for in ``PRIORITY`` (doer,
honest, volunteer: the rarer service first); its reasons list every number that qualified, so
the committee sees the whole picture. Within a category names are ranked by ``weight`` (the
strongest record first, then the lower subject id) and cut at the cap of ``CAPS`` for the
meeting's level (a village proposes at most 3 / 5 / 3 names, a town 5 / 8 / 5); the committee
may add names above the caps with a reason of its own.

Excluded (listed with why, never proposed): a person who has not consented to scoring, a person
with a serious deduction counting now, and (for names the committee adds) a person who does not
live in the meeting's region.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

HONEST = "honest"
VOLUNTEER = "volunteer"
DOER = "doer"
CATEGORIES = (HONEST, VOLUNTEER, DOER)
PRIORITY = (DOER, HONEST, VOLUNTEER)

GOOD_DEEDS_MIN = 1
VOLUNTEER_MIN_MINUTES = 20 * 60  # 20 hours a quarter
LECTURE_MIN_SESSIONS = 2
CANTEEN_MIN_MINUTES = 12 * 60  # 12 hours a quarter

# Names proposed per category, by the meeting's level.
CAPS: dict[str, dict[str, int]] = {
    "village": {HONEST: 3, VOLUNTEER: 5, DOER: 3},
    "town": {HONEST: 5, VOLUNTEER: 8, DOER: 5},
}

# Exclusion codes and their (Chinese) reasons, shown on the working page.
NO_CONSENT = "no_consent"
SERIOUS_DEDUCTION = "serious_deduction"
OUTSIDE_REGION = "outside_region"
EXCLUSION_TEXT = {
    NO_CONSENT: "本人未同意信用评价，不予提名",
    SERIOUS_DEDUCTION: "有正在计分的严重失信扣分记录，不予提名",
    OUTSIDE_REGION: "不是本镇（街道）或本村（社区）的居民",
}


@dataclass
class Facts:
    """One person's numbers for the quarter."""

    subject_id: int
    old_grade: str = ""
    new_grade: str = ""
    good_deeds: int = 0
    good_deed_points: int = 0
    volunteer_minutes: int = 0
    lecture_sessions: int = 0
    canteen_minutes: int = 0

    @property
    def grade_rose(self) -> bool:
        return bool(self.old_grade and self.new_grade and self.old_grade != self.new_grade)


@dataclass(frozen=True)
class Reason:
    code: str
    text: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "text": self.text}


@dataclass
class Proposal:
    """A name for a meeting's list: its category and reasons, or why it is excluded
    (``exclusion`` is one of the exclusion codes, ``""`` for a proposed name)."""

    subject_id: int
    name: str
    village_id: int
    village_name: str
    category: str
    reasons: list[Reason] = field(default_factory=list)
    weight: int = 0
    exclusion: str = ""

    @property
    def exclusion_text(self) -> str:
        return EXCLUSION_TEXT.get(self.exclusion, "")


def hours_text(minutes: int) -> str:
    """Minutes as hours to one decimal, without a trailing ``.0``: 1950 → "32.5", 1200 → "20"."""
    tenths = (Decimal(minutes) / 6).quantize(Decimal(1))
    hours = tenths / 10
    return f"{hours:.1f}".removesuffix(".0")


def reasons_for(f: Facts) -> dict[str, list[Reason]]:
    """The reasons each category qualifies by (categories that do not qualify are absent)."""
    out: dict[str, list[Reason]] = {}
    honest: list[Reason] = []
    if f.grade_rose:
        honest.append(Reason("grade_rise", f"本季度信用等级由 {f.old_grade} 级升至 {f.new_grade} 级"))
    if f.good_deeds >= GOOD_DEEDS_MIN:
        honest.append(Reason("good_deeds", f"本季度好人好事记录 {f.good_deeds} 条（加 {f.good_deed_points} 分）"))
    if honest:
        out[HONEST] = honest
    if f.volunteer_minutes >= VOLUNTEER_MIN_MINUTES:
        out[VOLUNTEER] = [Reason("volunteer_hours", f"本季度志愿服务 {hours_text(f.volunteer_minutes)} 小时")]
    doer: list[Reason] = []
    if f.lecture_sessions >= LECTURE_MIN_SESSIONS:
        doer.append(Reason("lectures", f"本季度参与宣讲 {f.lecture_sessions} 场"))
    if f.canteen_minutes >= CANTEEN_MIN_MINUTES:
        doer.append(Reason("canteen_hours", f"本季度暖心食堂服务 {hours_text(f.canteen_minutes)} 小时"))
    if doer:
        out[DOER] = doer
    return out


def weight_for(category: str, f: Facts) -> int:
    """How strong a record is within its category (higher first)."""
    if category == DOER:
        return f.lecture_sessions * 120 + f.canteen_minutes
    if category == HONEST:
        return (20 if f.grade_rose else 0) + f.good_deed_points
    return f.volunteer_minutes


def category_of(f: Facts) -> tuple[str, list[Reason]] | None:
    """The person's category (first in ``PRIORITY`` that qualifies) and every qualifying reason,
    or None when nothing qualifies."""
    by_category = reasons_for(f)
    for category in PRIORITY:
        if category in by_category:
            reasons = [r for c in PRIORITY for r in by_category.get(c, [])]
            # The category's own reasons first.
            reasons.sort(key=lambda r: r not in by_category[category])
            return category, reasons
    return None


def within_caps(proposals: list[Proposal], level: str) -> list[Proposal]:
    """The proposed names kept under the caps of ``level`` (excluded names are all kept, they
    take no place), ordered by category then rank."""
    caps = CAPS.get(level, CAPS["village"])
    kept: list[Proposal] = []
    for category in CATEGORIES:
        ranked = sorted(
            (p for p in proposals if p.category == category and not p.exclusion),
            key=lambda p: (-p.weight, p.subject_id),
        )
        kept.extend(ranked[: caps[category]])
    kept.extend(sorted((p for p in proposals if p.exclusion), key=lambda p: (p.category, p.subject_id)))
    return kept
