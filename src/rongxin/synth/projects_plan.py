"""The plan of one synthetic service project: its facts, its timeline up to ``now`` and what
happened on it (pledges, payments, the team, milestones, spending, the left-over), decided with its
own random stream so the plan is the same for the same seed whatever else the county holds.

Pure planning: no query. :mod:`rongxin.synth.projects` writes the plans.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rongxin.core import clock
from rongxin.synth import projects_shape as shape
from rongxin.synth.lectures_records import local_at

FEN = Decimal("0.01")
STATES = ("draft", "published", "claimed", "in_progress", "completed", "accepted", "closed")


@dataclass
class Sponsor:
    subject_id: int
    name: str
    person: bool


@dataclass
class PlannedPledge:
    sponsor: Sponsor
    amount: Decimal
    pledged_at: dt.datetime
    title: bool = False
    anonymous: bool = False
    ceremony_year: int | None = None
    withdrawn_at: dt.datetime | None = None
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)  # the ones received by now
    code: str = ""

    @property
    def paid(self) -> Decimal:
        return sum((a for _d, a in self.payments), Decimal(0))


@dataclass
class Place:
    """Where a project is and who publishes it."""

    region_id: int
    town_id: int
    village_id: int | None
    name: str
    publisher: str
    publisher_region_id: int
    department_id: int | None


@dataclass
class Timeline:
    """The days each step is planned on (``None``: never); a step happened when it is not after
    ``now``."""

    created: dt.date
    published: dt.date | None
    claimed: dt.date | None  # the last pledge
    started: dt.date | None
    completed: dt.date | None
    accepted: dt.date | None
    closed: dt.date | None
    withdrawn: dt.date | None = None


@dataclass
class PlannedProject:
    index: int
    year: int
    place: Place
    category: str
    title: str
    budget: Decimal
    timeline: Timeline
    state: str = "draft"
    number: str = ""
    ceremony_year: int | None = None
    pledges: list[PlannedPledge] = field(default_factory=list)
    team_candidates: list[int] = field(default_factory=list)  # teams that applied, the picked one first
    picked: bool = False
    picked_on: dt.date | None = None
    milestones: list[tuple[str, dt.date, str]] = field(default_factory=list)  # (title, due, report or "")
    spendings: list[tuple[dt.date, Decimal, str]] = field(default_factory=list)
    beneficiary_count: int = 0
    flagship: bool = False
    demo: str = ""  # the demo's forced state, if any

    @property
    def pledged(self) -> Decimal:
        return sum((p.amount for p in self.pledges if p.withdrawn_at is None), Decimal(0))

    @property
    def paid(self) -> Decimal:
        return sum((p.paid for p in self.pledges), Decimal(0))

    @property
    def title_pledge(self) -> PlannedPledge | None:
        return next((p for p in self.pledges if p.title and p.withdrawn_at is None), None)


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _w in pairs], weights=[w for _k, w in pairs])[0]


def budget_draw(rng: random.Random) -> tuple[Decimal, bool]:
    """A budget in whole hundreds of yuan (flagships: thousands), and whether it is a flagship."""
    low = shape.BUDGET_RANGE[0]
    if rng.random() < shape.FLAGSHIP_SHARE:
        return Decimal(rng.randint(shape.FLAGSHIP[0] // 1000, shape.FLAGSHIP[1] // 1000) * 1000), True
    value = math.exp(rng.gauss(math.log(shape.BUDGET_MEDIAN), shape.BUDGET_SIGMA))
    value = min(max(value, low), 59_900)
    return Decimal(int(value // 100) * 100), False


def certificate_code(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.getrandbits(96).to_bytes(12, "big")).decode()


def plus(day: dt.date | None, rng: random.Random, span: tuple[int, int]) -> dt.date | None:
    return None if day is None else day + dt.timedelta(days=rng.randint(*span))


def timeline_draw(rng: random.Random, created: dt.date, published: dt.date | None) -> Timeline:
    """A claimed project's planned life from its publication."""
    claimed = plus(published, rng, shape.PLEDGES_OVER)
    started = plus(claimed, rng, shape.START_AFTER)
    completed = plus(started, rng, shape.DURATION)
    accepted = plus(completed, rng, shape.ACCEPT_AFTER)
    closed = plus(accepted, rng, shape.CLOSE_AFTER)
    return Timeline(created, published, claimed, started, completed, accepted, closed)


def forced_timeline(state: str, today: dt.date) -> Timeline:
    """The demo town's project that is in ``state`` now: its steps placed around today."""
    d = lambda n: today + dt.timedelta(days=n)  # noqa: E731
    plans = {
        "draft": (-2, None, None, None, None, None, None),
        "published": (-14, -10, None, None, None, None, None),
        "claimed": (-40, -35, -5, 6, None, None, None),
        "in_progress": (-90, -85, -60, -45, 40, None, None),
        "completed": (-200, -195, -170, -150, -12, 20, None),
        "accepted": (-260, -255, -230, -210, -60, -6, 30),
        # closed yesterday, so its left-over can go to the village's credit fund (whose months
        # before this one are closed) unless today is the 1st
        "closed": (-330, -325, -300, -280, -120, -95, -1),
    }
    steps = [None if n is None else d(n) for n in plans[state]]
    created = steps[0]
    assert created is not None
    return Timeline(created, *steps[1:])


def state_at(t: Timeline, now: dt.datetime, *, claimed: bool) -> str:
    def done(day: dt.date | None, hour: int = 10) -> bool:
        return day is not None and local_at(day, hour, 0) <= now

    if t.withdrawn is not None and done(t.withdrawn, 16):
        return "closed"
    if not done(t.published, 9):
        return "draft"
    if not claimed or not done(t.claimed, 12):
        return "published"
    for state, day in (("closed", t.closed), ("accepted", t.accepted), ("completed", t.completed)):
        if done(day, 16):
            return state
    return "in_progress" if done(t.started, 9) else "claimed"


def sponsors_draw(
    rng: random.Random, budget: Decimal, target: Decimal, enterprises: list[Sponsor], people: list[Sponsor]
) -> list[tuple[Sponsor, Decimal]]:
    """Sponsors sharing ``target`` yuan (≤ budget): enterprises most of it, residents small shares.
    Amounts in whole yuan summing to ``target`` exactly."""
    k = rng.randint(*shape.SPONSORS_A_PROJECT)
    persons = [rng.choice(people) for _ in range(rng.randint(0, k - 1))] if people else []
    persons = list({p.subject_id: p for p in persons}.values())
    shares: list[tuple[Sponsor, Decimal]] = []
    person_total = Decimal(0)
    cap = target * Decimal("0.35")
    for p in persons:
        amount = Decimal(rng.randint(*shape.PERSON_PLEDGE) // 100 * 100)
        if person_total + amount > cap:
            break
        shares.append((p, amount))
        person_total += amount
    rest = target - person_total
    if not enterprises:
        if not shares:
            return [(rng.choice(people), target)] if people else []
        shares[-1] = (shares[-1][0], shares[-1][1] + rest)
        return shares
    m = max(1, k - len(shares))
    chosen = list({e.subject_id: e for e in (rng.choice(enterprises) for _ in range(m))}.values())
    weights = [rng.uniform(0.5, 2.0) for _ in chosen]
    amounts = [Decimal(int(rest * Decimal(w / sum(weights)) // 100) * 100) for w in weights]
    amounts[0] += rest - sum(amounts, Decimal(0))
    shares += [(e, a) for e, a in zip(chosen, amounts, strict=True) if a > 0]
    return shares


def money_split(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    """``total`` in ``parts`` positive amounts to the fen."""
    if parts <= 1 or total < parts:
        return [total]
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [(total * Decimal(w / sum(weights))).quantize(FEN) for w in weights]
    amounts[-1] = total - sum(amounts[:-1], Decimal(0))
    return [a for a in amounts if a > 0]


def day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def money_plan(p: PlannedProject, rng: random.Random, now: dt.datetime, today: dt.date, ctx: Any) -> None:
    """Pledges and their payments received by ``now``, and the spending, of a planned project
    whose ``state`` is set (see :func:`state_at`)."""
    t = p.timeline
    if p.state == "draft" or t.withdrawn is not None or t.published is None:
        return
    claimed = p.state not in ("published",)
    if claimed:
        target = p.budget
    else:
        target = Decimal(int(p.budget * Decimal(rng.uniform(0.1, 0.8)) // 100) * 100)
        if target <= 0 or rng.random() < 0.15:
            target = Decimal(0)
    title_sponsor: Sponsor | None = ctx.title_sponsor(p, rng) if claimed else None
    if title_sponsor is not None:
        shares = [(title_sponsor, p.budget)]
    elif target > 0:
        shares = sponsors_draw(rng, p.budget, target, ctx.enterprises_of(p), ctx.people_of(p))
    else:
        shares = []
    last_pledge = t.claimed if claimed and t.claimed is not None else today
    first_pledge = t.published
    ceremony = ctx.ceremony_of(p)
    for n, (sponsor, amount) in enumerate(shares):
        if claimed and n == len(shares) - 1:
            day = last_pledge  # the pledge that completed the budget
        else:
            day = day_between(rng, first_pledge, min(last_pledge, today))
        at = local_at(day, rng.randint(9, 17), rng.randint(0, 59))
        during = None
        if ceremony is not None and n < 2 and rng.random() < 0.7:
            at = ceremony[0] + dt.timedelta(minutes=rng.randint(5, 110))
            during = ceremony[2]
        if at > now:
            at = now - dt.timedelta(minutes=rng.randint(5, 600))
        pledge = PlannedPledge(
            sponsor=sponsor,
            amount=amount,
            pledged_at=at,
            title=title_sponsor is not None,
            anonymous=_anonymous(rng, sponsor, title=title_sponsor is not None),
            ceremony_year=during,
            code=certificate_code(rng),
        )
        pledge_day = at.astimezone(clock.LOCAL_TZ).date()
        pay_on = pledge_day + dt.timedelta(days=rng.randint(*shape.PAY_AFTER))
        if t.started is not None and claimed:
            pay_on = min(pay_on, t.started)
        pay_on = max(pay_on, pledge_day)
        parts = [amount] if amount < 50_000 else money_split(rng, amount, 2)
        for k, part in enumerate(parts):
            on = pay_on + dt.timedelta(days=k * rng.randint(5, 15))
            if t.started is not None and claimed:
                on = max(min(on, t.started), pledge_day)
            if local_at(on, 15, 0) <= now:
                pledge.payments.append((on, part))
        p.pledges.append(pledge)
    if p.state == "published" and p.pledges and ctx.people_of(p) and rng.random() < shape.WITHDRAWN_PLEDGE_SHARE * 3:
        day = day_between(rng, t.published, today)
        at = min(local_at(day, 11, 0), now - dt.timedelta(hours=2))
        withdrawn = at + dt.timedelta(days=rng.randint(1, 6))
        if withdrawn < now:
            p.pledges.append(
                PlannedPledge(
                    sponsor=rng.choice(ctx.people_of(p)),
                    amount=Decimal(rng.randint(1, 10) * 100),
                    pledged_at=at,
                    withdrawn_at=withdrawn,
                    code=certificate_code(rng),
                )
            )
    _spend(p, rng, today)


def _anonymous(rng: random.Random, sponsor: Sponsor, *, title: bool) -> bool:
    """Residents ask for anonymity more often than enterprises; a title sponsor never does."""
    if title:
        return False
    return rng.random() < (shape.ANONYMOUS_SHARE * 2 if sponsor.person else shape.ANONYMOUS_SHARE / 2)


def _spend(p: PlannedProject, rng: random.Random, today: dt.date) -> None:
    t = p.timeline
    if p.state not in ("in_progress", "completed", "accepted", "closed") or t.started is None:
        return
    raised = p.paid
    if raised <= 0:
        return
    share = Decimal(str(round(rng.uniform(*shape.SPENT_SHARE), 3))) if not p.demo else Decimal("0.9")
    last = today - dt.timedelta(days=1)
    if p.state == "in_progress":
        assert t.completed is not None
        done = max(0, (today - t.started).days) / max(1, (t.completed - t.started).days)
        share = share * Decimal(str(round(min(done, 1.0), 3)))
    else:
        assert t.completed is not None
        last = t.completed
    total = (raised * share).quantize(FEN)
    if total <= 0 or last < t.started:
        return
    pieces = money_split(rng, total, rng.randint(*shape.SPENDINGS))
    days = sorted(day_between(rng, t.started, last) for _ in pieces)
    for day, amount in zip(days, pieces, strict=True):
        p.spendings.append((day, amount, rng.choice(shape.SPENDING_PURPOSES)))


def milestones_plan(p: PlannedProject, rng: random.Random, now: dt.datetime) -> None:
    t = p.timeline
    start = t.started or (t.published or t.created) + dt.timedelta(days=30)
    end = t.completed or start + dt.timedelta(days=90)
    n = rng.randint(*shape.MILESTONES)
    for k in range(n):
        due = start + (end - start) * (k + 1) // n
        reported = (
            p.state in ("in_progress", "completed", "accepted", "closed")
            and local_at(due, 11, 0) <= now
            and (t.completed is None or due <= t.completed or p.state != "in_progress")
        )
        title = shape.MILESTONE_TITLES[min(k, len(shape.MILESTONE_TITLES) - 1)] if k < n - 1 else "回访与总结"
        report = shape.MILESTONE_REPORTS[shape.MILESTONE_TITLES.index(title)] if reported else ""
        p.milestones.append((title, due, report))
