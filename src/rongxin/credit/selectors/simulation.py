"""Policy simulation: what a draft catalogue (points, periods, base score, grade bands) would do
to every subject's grade today, before it is published.

Both sides are computed the same way from today's records, so the comparison is fair:

- *before*: the catalogue in force; *after*: the draft;
- an entry counts under a catalogue when it counts now (its state) and its rule code is in that
  catalogue and ``effective_at + counting_days`` (of that catalogue's rule) is still ahead;
- its points under the draft are the draft rule's fixed points, or the recorded points clamped
  into the draft rule's range, with the entry's direction;
- persons without consent have no score on either side and are left out.

One pass over the counting entries (a raw cursor, no model instances) and one over the subjects.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from rongxin.accounts.models import User
from rongxin.core import clock
from rongxin.core.bulk import adapt_datetime
from rongxin.core.errors import InvalidInput, NotFound
from rongxin.core.progress import progress_read
from rongxin.credit.domain.scoring import RuleTerms, Scale, points_under, standing
from rongxin.credit.models import Catalogue, Entry, GradeBand, Rule, Simulation, SubjectKind
from rongxin.credit.permissions import require_catalogue_editor
from rongxin.credit.selectors.catalogues import catalogue_in_force
from rongxin.regions.models import Region
from rongxin.subjects.models import Person, Subject

SAMPLE = 20
CHUNK = 50_000
Progress = Callable[[int, int], None]  # (rows done, rows in all): entries read, then subjects


@dataclass
class Change:
    subject_id: int
    name: str
    before: tuple[int | None, str]  # score and grade
    after: tuple[int | None, str]
    drivers: list[tuple[str, int, int]]  # rule code, points before, points after


@dataclass
class SimulationResult:
    draft: Catalogue
    current: Catalogue
    subjects: int
    changed: int
    before: Counter[str]
    after: Counter[str]
    by_town: dict[str, tuple[Counter[str], Counter[str]]]
    by_kind: dict[str, tuple[Counter[str], Counter[str]]]
    moves: Counter[tuple[str, str]]
    sample: list[Change] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def grades(self) -> list[str]:
        seen: list[str] = []
        for g in [
            *GradeBand.objects.filter(catalogue=self.current).values_list("code", flat=True),
            *GradeBand.objects.filter(catalogue=self.draft).values_list("code", flat=True),
        ]:
            if g not in seen:
                seen.append(g)
        return seen


def _terms(catalogue: Catalogue) -> dict[str, RuleTerms]:
    return {
        r.code: RuleTerms(sign=r.sign, points_min=r.points_min, points_max=r.points_max, counting_days=r.counting_days)
        for r in Rule.objects.filter(catalogue=catalogue)
    }


def credit_simulate(
    *, draft_id: int, at: dt.datetime | None = None, seed: int = 0, progress: Progress | None = None
) -> SimulationResult:
    """Simulate ``draft_id`` against the catalogue in force for its subject kind, from the
    records as they were at ``at`` (now by default). ``progress`` is told the rows done so far
    and the rows in all (counted first) every ``CHUNK`` rows. Raises NotFound (no such
    catalogue), InvalidInput (no catalogue in force to compare with)."""
    started = time.perf_counter()
    at = at or clock.now()
    draft = Catalogue.objects.filter(pk=draft_id).first()
    if draft is None:
        raise NotFound()
    current = catalogue_in_force(subject_kind=draft.subject_kind, on=at.astimezone(clock.LOCAL_TZ).date())
    if current is None:
        raise InvalidInput(_("No catalogue is in force to compare with."), code="no_current_catalogue")
    old_terms, new_terms = _terms(current), _terms(draft)
    old_scale = Scale(
        current.base_score, list(GradeBand.objects.filter(catalogue=current).values_list("code", "min_score"))
    )
    new_scale = Scale(
        draft.base_score, list(GradeBand.objects.filter(catalogue=draft).values_list("code", "min_score"))
    )
    kinds = (
        [Subject.Kind.PERSON]
        if draft.subject_kind == SubjectKind.PERSON
        else [Subject.Kind.ENTERPRISE, Subject.Kind.INDIVIDUAL_BUSINESS]
    )
    qn = connection.ops.quote_name
    entry_t, rule_t, subject_t, person_t = (m._meta.db_table for m in (Entry, Rule, Subject, Person))
    kind_params = ", ".join(["%s"] * len(kinds))
    sums_old: dict[int, int] = defaultdict(int)
    sums_new: dict[int, int] = defaultdict(int)
    drivers: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    to_dt = _reader()
    where = f"WHERE e.status = %s AND e.effective_at <= %s AND e.counts_until > %s AND s.kind IN ({kind_params})"
    joins = f"JOIN {qn(subject_t)} s ON s.id = e.subject_id"
    params = [Entry.Status.ACTIVE, adapt_datetime(connection, at), adapt_datetime(connection, at), *kinds]
    done = total = 0
    with connection.cursor() as cur:
        if progress is not None:
            cur.execute(f"SELECT COUNT(*) FROM {qn(entry_t)} e {joins} {where}", params)  # noqa: S608
            total = int(cur.fetchone()[0])
            cur.execute(f"SELECT COUNT(*) FROM {qn(subject_t)} s WHERE s.kind IN ({kind_params})", kinds)  # noqa: S608
            total += int(cur.fetchone()[0])
            progress(0, total)
        cur.execute(
            f"SELECT e.subject_id, r.code, e.points, e.effective_at FROM {qn(entry_t)} e "  # noqa: S608
            f"JOIN {qn(rule_t)} r ON r.id = e.rule_id {joins} {where}",
            params,
        )
        while rows := cur.fetchmany(CHUNK):
            done += len(rows)
            if progress is not None:
                progress(min(done, total), total)
            for sid, code, points, effective in rows:
                effective = to_dt(effective)
                before = points_under(old_terms.get(code), points, effective, at)
                after = points_under(new_terms.get(code), points, effective, at)
                sums_old[sid] += before
                sums_new[sid] += after
                if before != after:
                    drivers[sid].append((code, before, after))
        cur.execute(
            f"SELECT s.id, s.kind, s.town_id, p.consent_given FROM {qn(subject_t)} s "  # noqa: S608
            f"LEFT JOIN {qn(person_t)} p ON p.subject_id = s.id WHERE s.kind IN ({kind_params})",
            kinds,
        )
        subjects = cur.fetchall()
    towns = dict(Region.objects.filter(level=Region.Level.TOWN).values_list("id", "name"))
    result = SimulationResult(
        draft=draft,
        current=current,
        subjects=0,
        changed=0,
        before=Counter(),
        after=Counter(),
        by_town={},
        by_kind={},
        moves=Counter(),
    )
    changed_ids: list[int] = []
    for n, (sid, kind, town_id, consent) in enumerate(subjects, start=1):
        if progress is not None and n % CHUNK == 0:
            progress(min(done + n, total), total)
        if kind == Subject.Kind.PERSON and not consent:
            continue
        result.subjects += 1
        old_score, g_old = standing(old_scale, sums_old.get(sid, 0), scored=True)
        new_score, g_new = standing(new_scale, sums_new.get(sid, 0), scored=True)
        result.before[g_old] += 1
        result.after[g_new] += 1
        town = towns.get(town_id, "—")
        t_old, t_new = result.by_town.setdefault(town, (Counter(), Counter()))
        t_old[g_old] += 1
        t_new[g_new] += 1
        k_old, k_new = result.by_kind.setdefault(kind, (Counter(), Counter()))
        k_old[g_old] += 1
        k_new[g_new] += 1
        if g_old != g_new:
            result.changed += 1
            result.moves[(g_old, g_new)] += 1
            changed_ids.append(sid)
            if len(changed_ids) <= SAMPLE * 50:
                drivers.setdefault(sid, [])
                result.sample.append(Change(sid, "", (old_score, g_old), (new_score, g_new), drivers[sid]))
    rng = random.Random(seed)  # noqa: S311 - picks a sample to show, nothing secret
    if len(result.sample) > SAMPLE:
        result.sample = sorted(rng.sample(result.sample, SAMPLE), key=lambda c: c.subject_id)
    names = dict(Subject.objects.filter(pk__in=[c.subject_id for c in result.sample]).values_list("id", "name"))
    for c in result.sample:
        c.name = names.get(c.subject_id, "")
    result.seconds = time.perf_counter() - started
    if progress is not None:
        progress(total, total)
    return result


def _reader() -> Any:
    """Turn a datetime column value from the raw cursor into an aware datetime."""
    if connection.vendor == "sqlite":

        def parse(value: Any) -> dt.datetime:
            if isinstance(value, dt.datetime):
                return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)

        return parse
    return lambda value: value


def simulation_summary(r: SimulationResult) -> dict[str, Any]:
    """The result as plain data (for JSON and the API)."""
    return {
        "current_version": r.current.version,
        "grades": r.grades,
        "draft_version": r.draft.version,
        "subjects": r.subjects,
        "changed": r.changed,
        "before": dict(r.before),
        "after": dict(r.after),
        "by_kind": {k: {"before": dict(a), "after": dict(b)} for k, (a, b) in r.by_kind.items()},
        "by_town": {k: {"before": dict(a), "after": dict(b)} for k, (a, b) in sorted(r.by_town.items())},
        "moves": [{"from": a, "to": b, "subjects": n} for (a, b), n in r.moves.most_common()],
        "sample": [
            {
                "subject_id": c.subject_id,
                "name": c.name,
                "before": {"score": c.before[0], "grade": c.before[1]},
                "after": {"score": c.after[0], "grade": c.after[1]},
                "drivers": [{"rule": code, "before": x, "after": y} for code, x, y in c.drivers],
            }
            for c in r.sample
        ],
        "seconds": round(r.seconds, 3),
    }


# --- Simulations run as jobs (rongxin.credit.services.simulations) ---------------------------
PROGRESS_KIND = "simulation"
ACTIVE = (Simulation.Status.QUEUED, Simulation.Status.RUNNING)


INTERRUPTED = _("The simulation was interrupted. Please run it again.")


def simulation_job_failed(simulation: Simulation) -> bool:
    """Whether a simulation still marked queued or running has a job that failed for good: its
    last worker died mid-run with no attempt left, so the row could not say so itself."""
    if simulation.status not in ACTIVE or not simulation.job_id:
        return False
    return DBTaskResult.objects.filter(pk=simulation.job_id, status="FAILED").exists()


@dataclass(frozen=True)
class SimulationShown:
    """A simulation as its page shows it: the row, how far it is, and whether it is over."""

    simulation: Simulation
    done: int
    total: int
    failed: bool  # failed, or its job failed for good while the row still says it runs
    error: str

    @property
    def finished(self) -> bool:
        return self.failed or self.simulation.status == Simulation.Status.DONE


def simulation_get(*, actor: User, simulation_id: int) -> SimulationShown:
    """A simulation, for the county credit office only (whoever asked for it). Raises NotFound
    (no such simulation, or the actor may not simulate)."""
    require_catalogue_editor(actor)
    simulation = Simulation.objects.select_related("catalogue").filter(pk=simulation_id).first()
    if simulation is None:
        raise NotFound()
    done, total = progress_read(PROGRESS_KIND, simulation.pk) or (0, 0)
    error = simulation.error
    failed = simulation.status == Simulation.Status.FAILED
    if simulation_job_failed(simulation):
        failed, error = True, str(INTERRUPTED)
    return SimulationShown(simulation=simulation, done=done, total=total, failed=failed, error=error)


def simulation_latest(*, actor: User, catalogue_id: int) -> Simulation | None:
    """The latest simulation of the catalogue ``catalogue_id`` (the county credit office only).
    Raises NotFound (no such catalogue, or the actor may not simulate)."""
    require_catalogue_editor(actor)
    if not Catalogue.objects.filter(pk=catalogue_id).exists():
        raise NotFound()
    return Simulation.objects.filter(catalogue_id=catalogue_id).order_by("-queued_at", "-id").first()
