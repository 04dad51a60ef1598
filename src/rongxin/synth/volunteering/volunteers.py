"""Who volunteers: a weighted sample of the county's persons, when each registered, whether a
guardian consented, their skills and how often they take part."""

from __future__ import annotations

import datetime as dt

from rongxin.core import clock
from rongxin.subjects.models import Person
from rongxin.synth.volunteering.plan import People, local_midnight, seeded, utc
from rongxin.synth.volunteering.shape import BASE_VOLUNTEERS, DAYS, GENERAL_SKILLS, PROFESSIONAL_SKILLS
from rongxin.volunteering.domain.volunteers import age_on
from rongxin.volunteering.models import Skill


def _volunteer_weight(residency: str, age: int) -> float:
    if age < 10 or age >= 86:
        return 0.0
    w = 0.05 if age < 14 else 0.35 if age < 18 else 0.8 if age < 25 else 1.0 if age < 60 else 0.9 if age < 70 else 0.4
    if age >= 80:
        w = 0.05
    return w * (0.35 if residency == "migrant" else 1.0)


def choose_volunteers(seed: int, scale: float, today: dt.date, now_ts: int) -> People:
    """A weighted sample of persons (Efraimidis–Spirakis keys): mostly residents of working
    age, some elders, few children (10 and over; a guardian consents for those under 18)."""
    rng = seeded(seed, "volunteers")
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
    out = People(
        subject_ids=[people[i][0] for i in chosen],
        birth=[people[i][2].toordinal() for i in chosen],
        village=[people[i][3] for i in chosen],
        town=[people[i][4] for i in chosen],
        registered=[],
        minor=[],
        skills=[],
        propensity=[],
    )
    window_start = local_midnight(today - dt.timedelta(days=DAYS))
    order = {s: k for k, s in enumerate(Skill.values)}
    for vi in range(len(chosen)):
        born = dt.date.fromordinal(out.birth[vi])
        if rng.random() < 0.65:  # registered before the three years; the rest during them
            reg = window_start - int(rng.uniform(0, 730) * 86400)
        else:
            reg = window_start + int(rng.random() * (now_ts - 14 * 86400 - window_start))
        tenth = local_midnight(
            dt.date(born.year + 10, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
        )
        reg = min(max(reg, tenth + 86400 + int(rng.random() * 86400 * 30)), now_ts - 86400)
        out.registered.append(reg)
        out.minor.append(age_on(born, utc(reg).astimezone(clock.LOCAL_TZ).date()) < 18)
        own = set(rng.sample(GENERAL_SKILLS, rng.choices((0, 1, 2, 3), (30, 40, 20, 10))[0]))
        if 22 <= age_on(born, today) <= 65:
            own.update(s for s, share in PROFESSIONAL_SKILLS if rng.random() < share)
        out.skills.append(tuple(sorted(own, key=order.__getitem__)))
        out.propensity.append(rng.choices((0.35, 1.0, 3.0), (55, 33, 12))[0])
    return out
