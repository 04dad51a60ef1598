"""Orders (点单–派单–接单–评单) of the synthetic lectures and their histories, every step along
:data:`rongxin.lectures.domain.orders.TRANSITIONS`: those held for a session (dispatched,
accepted, held when the session closed, rated a few days later) and those never held (waiting,
dispatched, accepted, cancelled, expired). A mixin of the generator in
:mod:`rongxin.synth.lectures`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rongxin.core import clock
from rongxin.lectures.domain.orders import next_state
from rongxin.lectures.models import Order, Session
from rongxin.synth import lectures_shape as shape
from rongxin.synth.lectures_records import Planned, SpeakerInfo, Village, local_at
from rongxin.volunteering.models import Team


class OrderHistories:
    # What the generator provides.
    now: dt.datetime
    today: dt.date
    stamp: Callable[[dt.datetime | None], Any]
    dispatcher: int
    orderer_of_town: dict[int, int]
    enterprises: dict[int, list[int]]
    names: dict[int, str]
    all_villages: list[Village]
    teams: list[tuple[Team, str]]
    speakers: list[SpeakerInfo]
    volunteers: list[int]
    leaders: list[int]
    sayings: list[Any]

    # ...and what it decides: the index in ``teams`` of the team that serves ``village``
    # (``_Generator._team_for`` in ``synth/lectures.py``; the sessions use the same choice).
    _team_for: Callable[[Any, Village], int]

    def _orderer(self, rng: Any, village: Village) -> tuple[str, str, int | None]:
        r = rng.random()
        if r < 0.1 and self.enterprises.get(village.town):
            sid = rng.choice(self.enterprises[village.town])
            return Order.Orderer.ENTERPRISE, self.names.get(sid, f"{village.name}企业"), sid
        if r < 0.15:
            return Order.Orderer.SCHOOL, f"{village.name}小学", None
        if r < 0.2:
            return Order.Orderer.CANTEEN, f"{village.name}暖心食堂", None
        if village.name.endswith("社区"):
            return Order.Orderer.COMMUNITY, f"{village.name}居民委员会", None
        return Order.Orderer.VILLAGE, f"{village.name}村民委员会", None

    def _event(self, oid: int, state: str, action: str, at: dt.datetime, actor: int | None, reason: str = "",
               details: str = "{}") -> tuple[tuple[Any, ...], str]:  # fmt: skip
        to = next_state(state, action)
        if to is None:  # the plan breaks the state machine: a bug here, never data
            raise AssertionError(f"{action} not allowed from {state!r}")
        return (oid, action, state, to, self.stamp(at), actor, reason, details), to

    def _history(
        self,
        rng: Any,
        oid: int,
        ordered_at: dt.datetime,
        orderer: int,
        steps: list[str],
        last_at: dt.datetime,
        declined: bool = False,
    ) -> tuple[list[tuple[Any, ...]], str, dict[str, dt.datetime]]:
        """The events of ``steps`` (after ``create``), spread between ``ordered_at`` and
        ``last_at``; a declined or timed-out dispatch now and then."""
        out = []
        state = ""
        ev, state = self._event(oid, state, "create", ordered_at, orderer)
        out.append(ev)
        when: dict[str, dt.datetime] = {"create": ordered_at}
        at = ordered_at
        gap = max(dt.timedelta(minutes=10), (last_at - ordered_at) / (len(steps) + 3))
        for action in steps:
            at = min(at + gap * rng.uniform(0.5, 1.0), last_at)
            bounce = rng.random() < shape.DECLINED_SHARE + shape.TIMED_OUT_SHARE
            if action == "dispatch" and "accept" in steps and (bounce or declined):
                ev, state = self._event(oid, state, "dispatch", at, self.dispatcher)
                out.append(ev)
                at = min(at + gap * 0.3, last_at)
                if declined or rng.random() < shape.DECLINED_SHARE / (shape.DECLINED_SHARE + shape.TIMED_OUT_SHARE):
                    ev, state = self._event(oid, state, "decline", at, None, rng.choice(shape.DECLINE_REASONS))
                else:
                    ev, state = self._event(oid, state, "timeout", at, None)
                out.append(ev)
                at = min(at + gap * 0.3, last_at)
            actor = {"dispatch": self.dispatcher, "rate": orderer, "cancel": orderer}.get(action)
            reason = rng.choice(shape.CANCEL_REASONS) if action == "cancel" else ""
            ev, state = self._event(oid, state, action, at, actor, reason)
            out.append(ev)
            when[action] = at
        return out, state, when

    def _order(
        self, rng: Any, oid: int, p: Planned, village: Village, starts: dt.datetime, closed_at: dt.datetime,
        saying: Any, team: Team | None, waiting: bool,
    ) -> tuple[int | None, tuple[Any, ...], list[tuple[Any, ...]]]:  # fmt: skip
        kind, name, enterprise = self._orderer(rng, village)
        orderer = self.orderer_of_town[village.town]
        ordered_at = min(starts - dt.timedelta(days=rng.randint(8, 25), hours=rng.randint(0, 8)), self.now)
        before = min(starts - dt.timedelta(days=1), self.now)
        if p.status == Session.Status.CANCELLED:
            events, state, when = self._history(rng, oid, ordered_at, orderer, ["dispatch", "accept", "cancel"], before)
        else:
            events, state, when = self._history(rng, oid, ordered_at, orderer, ["dispatch", "accept"], before)
        rated_at = closed_at + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 6))
        if p.status == Session.Status.CLOSED:
            # Held when the session was closed; rated a few days later (most of them).
            ev, state = self._event(oid, state, "hold", closed_at, None)
            events.append(ev)
            if rated_at < self.now and rng.random() < 0.95 and not waiting:
                ev, state = self._event(oid, state, "rate", rated_at, orderer)
                events.append(ev)
        rating = comment = None
        if state == Order.State.RATED:
            rating = rng.choices([r for r, _w in shape.RATING_WEIGHTS], weights=[w for _r, w in shape.RATING_WEIGHTS])[
                0
            ]
            comment = rng.choice(shape.COMMENTS[rating])
        speaker = self.speakers[p.speakers[0]].row.pk if p.speakers else None
        row = (
            oid, village.id, kind, name[:100], enterprise, orderer, self.stamp(ordered_at),
            f"{saying.tags[0] if saying.tags else '理论'}主题宣讲"[:200], saying.pk if rng.random() < 0.5 else None,
            (starts - dt.timedelta(days=3)).astimezone(clock.LOCAL_TZ).date(),
            (starts + dt.timedelta(days=4)).astimezone(clock.LOCAL_TZ).date(),
            rng.choice(shape.AUDIENCES), rng.randint(20, 120), f"{village.name}新时代文明实践站", None, state,
            self.stamp(ordered_at + dt.timedelta(days=3)),
            self.stamp(when["dispatch"] + dt.timedelta(days=2)) if "dispatch" in when else None,
            team.pk if team else None, None if team else speaker, rating, comment or "",
            orderer if rating else None, self.stamp(rated_at) if rating else None,
        )  # fmt: skip
        return enterprise, row, events

    def _open_order(
        self, rng: Any, oid: int, state: str, village: Village, first: bool
    ) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        kind, name, enterprise = self._orderer(rng, village)
        orderer = self.orderer_of_town[village.town]
        if state in (Order.State.CANCELLED, Order.State.EXPIRED):
            ordered_at = self.now - dt.timedelta(days=rng.randint(30, 3 * 365 - 30), hours=rng.randint(0, 8))
            pref_from = (ordered_at + dt.timedelta(days=7)).astimezone(clock.LOCAL_TZ).date()
        else:
            ordered_at = self.now - dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 8))
            pref_from = self.today + dt.timedelta(days=3 + rng.randrange(14))
        pref_to = pref_from + dt.timedelta(days=7)
        paths: dict[str, list[str]] = {
            "ordered": [],
            "dispatched": ["dispatch"],
            "accepted": ["dispatch", "accept"],
            "cancelled": rng.choice((["cancel"], ["dispatch", "cancel"])),
            "expired": rng.choice((["expire"], ["dispatch", "expire"])),
        }
        steps = paths[state]
        if state == Order.State.EXPIRED:
            last = local_at(pref_to + dt.timedelta(days=1), 2, 0)
        elif state == Order.State.CANCELLED:
            last = ordered_at + dt.timedelta(days=rng.randint(1, 6))
        else:
            last = min(ordered_at + dt.timedelta(days=2), self.now)
        # The first accepted one was declined once at any scale.
        declined = first and state == "accepted"
        events, final, when = self._history(rng, oid, ordered_at, orderer, steps, last, declined)
        team = speaker = None
        if "dispatch" in when:
            ti = self._team_for(rng, village)
            if rng.random() < 0.8:
                team = self.teams[ti][0].pk
            else:
                speaker = self.speakers[rng.choice(self.volunteers + self.leaders)].row.pk
        saying = rng.choice(self.sayings)
        row = (
            oid, village.id, kind, name[:100], enterprise, orderer, self.stamp(ordered_at),
            f"{saying.tags[0] if saying.tags else '理论'}主题宣讲"[:200], saying.pk, pref_from, pref_to,
            rng.choice(shape.AUDIENCES), rng.randint(20, 120), f"{village.name}新时代文明实践站", None, final,
            self.stamp(ordered_at + dt.timedelta(days=3)),
            self.stamp(when["dispatch"] + dt.timedelta(days=2)) if "dispatch" in when else None,
            team, speaker, None, "", None, None,
        )  # fmt: skip
        return row, events
